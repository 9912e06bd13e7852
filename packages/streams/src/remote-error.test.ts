import {
  ClosedError,
  ExchangeUnavailableError,
  InternalError,
  TimeoutError,
  ValidationError,
  VenuekitError,
} from '@venuekit/core';
import { describe, expect, it } from 'vitest';
import { errorFromJSON } from './remote-error';

/** What crosses the bus: the error's JSON form, through JSON text. */
const wire = (error: VenuekitError) => JSON.parse(JSON.stringify(error.toJSON())) as unknown;

describe('errorFromJSON', () => {
  it('rebuilds the class a caller would catch in-process, with code, field, rule and context', () => {
    const original = new ValidationError('UNKNOWN_SYMBOL', {
      field: 'symbol',
      rule: 'must be a market the exchange lists',
      message: 'DOGE/USDT is not listed',
      context: { exchange: 'binance', symbol: 'DOGE/USDT' },
    });
    const rebuilt = errorFromJSON(wire(original));
    expect(rebuilt).toBeInstanceOf(ValidationError);
    expect(rebuilt).toMatchObject({
      code: 'UNKNOWN_SYMBOL',
      field: 'symbol',
      rule: 'must be a market the exchange lists',
      message: 'DOGE/USDT is not listed',
      context: { exchange: 'binance', symbol: 'DOGE/USDT' },
    });
  });

  it.each([
    [new TimeoutError({ message: 'slow' }), TimeoutError],
    [new ClosedError(), ClosedError],
    [new ExchangeUnavailableError({ code: 'CIRCUIT_OPEN', retryAfterMs: 5000 }), ExchangeUnavailableError],
  ])('keeps %s retryable or not as it was', (original, type) => {
    const rebuilt = errorFromJSON(wire(original));
    expect(rebuilt).toBeInstanceOf(type);
    expect(rebuilt.retryable).toBe(original.retryable);
    expect(rebuilt.retryAfterMs).toBe(original.retryAfterMs);
  });

  it('turns something unreadable into an InternalError', () => {
    expect(errorFromJSON({ code: 'NOPE' })).toBeInstanceOf(InternalError);
    expect(errorFromJSON(null)).toBeInstanceOf(InternalError);
    expect(errorFromJSON({ code: 'CLOCK_SKEW' })).toBeInstanceOf(VenuekitError);
  });
});
