import { describe, expect, it } from 'vitest';
import { isUnknownExecution, mapBinanceError } from './errors';

describe('mapBinanceError', () => {
  it.each([
    [
      { status: 400, code: -2010, msg: 'Account has insufficient balance for requested action.' },
      'INSUFFICIENT_FUNDS',
      'insufficient_funds',
    ],
    [{ status: 400, code: -2010, msg: 'Duplicate order sent.' }, 'DUPLICATE_ORDER', 'validation'],
    [
      { status: 400, code: -2010, msg: 'Order would immediately match and take.' },
      'ORDER_REJECTED',
      'validation',
    ],
    [{ status: 400, code: -2011, msg: 'Unknown order sent.' }, 'ORDER_NOT_FOUND', 'order_not_found'],
    [{ status: 400, code: -2013, msg: 'Order does not exist.' }, 'ORDER_NOT_FOUND', 'order_not_found'],
    [{ status: 400, code: -1013, msg: 'Filter failure: LOT_SIZE' }, 'FILTER_VIOLATION', 'validation'],
    [{ status: 400, code: -1121, msg: 'Invalid symbol.' }, 'UNKNOWN_SYMBOL', 'validation'],
    [
      {
        status: 400,
        code: -1102,
        msg: "Mandatory parameter 'price' was not sent, was empty/null, or malformed.",
      },
      'INVALID_PARAMETER',
      'validation',
    ],
    [
      { status: 400, code: -1021, msg: 'Timestamp for this request is outside of the recvWindow.' },
      'CLOCK_SKEW',
      'validation',
    ],
    [
      { status: 400, code: -1022, msg: 'Signature for this request is not valid.' },
      'INVALID_SIGNATURE',
      'authentication',
    ],
    [
      { status: 401, code: -2015, msg: 'Invalid API-key, IP, or permissions for action.' },
      'AUTHENTICATION_FAILED',
      'authentication',
    ],
    [{ status: 429, code: -1003, msg: 'Too much request weight used' }, 'RATE_LIMITED', 'rate_limit'],
    [{ status: 429, code: -1015, msg: 'Too many new orders' }, 'RATE_LIMITED', 'rate_limit'],
    [
      { status: 418, code: -1003, msg: 'Way too much request weight used; IP banned' },
      'IP_BANNED',
      'ip_banned',
    ],
    [
      { status: 503, code: -1008, msg: 'Server is currently overloaded' },
      'EXCHANGE_UNAVAILABLE',
      'exchange_unavailable',
    ],
    [{ status: 400, code: -1010, msg: 'Market is closed.' }, 'MARKET_CLOSED', 'market_closed'],
    [
      { status: 400, code: -2010, msg: 'This account may not place or cancel orders.' },
      'PERMISSION_DENIED',
      'permission',
    ],
    [{ status: 500 }, 'EXCHANGE_UNAVAILABLE', 'exchange_unavailable'],
    [{ status: 400, code: -9999, msg: 'something new' }, 'EXCHANGE_ERROR', 'exchange_unavailable'],
  ])('%j → %s', (input, code, category) => {
    const error = mapBinanceError({ ...input, retryAfterMs: 1000 });
    expect(error.code).toBe(code);
    expect(error.category).toBe(category);
    expect(error.venue).toMatchObject({ status: input.status });
    expect(error.context.exchange).toBe('binance');
    expect(error.userMessage.length).toBeGreaterThan(0);
    expect(error.recoverySuggestions.length).toBeGreaterThan(0);
  });

  it('keeps Retry-After on rate limits and bans', () => {
    expect(mapBinanceError({ status: 429, code: -1003, retryAfterMs: 7000 }).retryAfterMs).toBe(7000);
    expect(mapBinanceError({ status: 418, code: -1003, retryAfterMs: 120_000 }).retryAfterMs).toBe(120_000);
  });

  it('knows which failures leave an order in an unknown state', () => {
    expect(isUnknownExecution({ status: 400, code: -1007 })).toBe(true);
    expect(isUnknownExecution({ status: 400, code: -1006 })).toBe(true);
    expect(isUnknownExecution({ status: 502 })).toBe(true);
    expect(isUnknownExecution({ status: 400, code: -2010 })).toBe(false);
  });
});

describe('fields named by venue rejections', () => {
  it.each([
    [{ status: 400, code: -1013, msg: 'Filter failure: PRICE_FILTER' }, 'FILTER_VIOLATION', 'price'],
    [{ status: 400, code: -1013, msg: 'Filter failure: LOT_SIZE' }, 'FILTER_VIOLATION', 'quantity'],
    [{ status: 400, code: -1013, msg: 'Filter failure: NOTIONAL' }, 'FILTER_VIOLATION', 'quantity'],
    [
      {
        status: 400,
        code: -1102,
        msg: "Mandatory parameter 'price' was not sent, was empty/null, or malformed.",
      },
      'INVALID_PARAMETER',
      'price',
    ],
    [
      { status: 400, code: -1111, msg: "Parameter 'quantity' has too much precision." },
      'INVALID_PARAMETER',
      'quantity',
    ],
    [
      { status: 400, code: -2039, msg: 'Client order ID is not correct for this order ID.' },
      'INVALID_PARAMETER',
      'clientOrderId',
    ],
  ])('%j → %s on %s', (input, code, field) => {
    const error = mapBinanceError(input);
    expect(error.code).toBe(code);
    expect(error.context.field).toBe(field);
    expect(error.context.rule).toBeTruthy();
  });

  it('maps the remaining documented codes to what the caller must do', () => {
    expect(mapBinanceError({ status: 400, code: -2016, msg: 'No trading window' }).code).toBe(
      'MARKET_CLOSED',
    );
    expect(mapBinanceError({ status: 400, code: -1020, msg: 'This operation is not supported.' }).code).toBe(
      'NOT_SUPPORTED',
    );
    expect(mapBinanceError({ status: 429, code: -1034, msg: 'Too many concurrent connections' }).code).toBe(
      'RATE_LIMITED',
    );
  });
});
