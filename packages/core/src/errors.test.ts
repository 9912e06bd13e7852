import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE, ERROR_CODES } from './error-catalogue';
import {
  ConfigurationError,
  InsufficientFundsError,
  NetworkError,
  OrderStateUnknownError,
  RateLimitError,
  RequestError,
  RetryableError,
  toVenuekitError,
  ValidationError,
  VenuekitError,
} from './errors';
import { Secret } from './secret';

describe('error catalogue', () => {
  const doc = readFileSync(new URL('../ERRORS.md', import.meta.url), 'utf8');

  it.each(ERROR_CODES)('%s is documented in ERRORS.md with its category', (code) => {
    const section = doc.split(/^### /m).find((s) => s.startsWith(`\`${code}\``));
    expect(section, `ERRORS.md has no "### \`${code}\`" section`).toBeDefined();
    expect(section).toContain(`category: \`${ERROR_CATALOGUE[code].category}\``);
    expect(section).toContain(`retryable: ${ERROR_CATALOGUE[code].retryable ? 'yes' : 'no'}`);
  });

  it('documents no code that does not exist', () => {
    const documented = [...doc.matchAll(/^### `([A-Z_]+)`/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual([...ERROR_CODES].sort());
  });
});

describe('VenuekitError', () => {
  it('has the seed error format', () => {
    const error = new RateLimitError({
      retryAfterMs: 60_000,
      context: { userId: 'user123', symbol: 'BTC/USDT', operation: 'placeOrder' },
      venue: { code: -1003, status: 429, body: '{"code":-1003}' },
    });
    expect(error.toJSON()).toMatchObject({
      code: 'RATE_LIMITED',
      category: 'rate_limit',
      severity: 'warning',
      retryable: true,
      userMessage: 'Too many requests. Please wait before trying again.',
      recoverySuggestions: expect.arrayContaining(['Reduce request frequency']),
      context: { userId: 'user123', symbol: 'BTC/USDT', operation: 'placeOrder' },
      venue: { code: -1003, status: 429 },
      retryAfterMs: 60_000,
    });
    expect(error).toBeInstanceOf(RetryableError);
  });

  it('subclasses say what to do next', () => {
    expect(new NetworkError()).toBeInstanceOf(RetryableError);
    expect(new InsufficientFundsError()).toBeInstanceOf(RequestError);
    const unknown = new OrderStateUnknownError('vk-123');
    expect(unknown.retryable).toBe(false);
    expect(unknown.context.clientOrderId).toBe('vk-123');
    expect(unknown.category).toBe('order_state_unknown');
    expect(
      new ValidationError('FILTER_VIOLATION', { field: 'price', rule: 'must be a multiple of 0.01' }).message,
    ).toBe('price must be a multiple of 0.01');
  });

  it('withContext enriches without overwriting', () => {
    const error = new ValidationError('INVALID_PARAMETER', { field: 'side', context: { symbol: 'A/B' } });
    error.withContext({ userId: 'u1', symbol: 'C/D', operation: 'placeOrder' });
    expect(error.context).toMatchObject({
      userId: 'u1',
      symbol: 'A/B',
      operation: 'placeOrder',
      field: 'side',
    });
  });

  it('keeps secrets out of message, details, venue body, JSON and inspect', () => {
    const key = new Secret('SUPERSECRETAPIKEY0123456789');
    const error = new ConfigurationError('MISSING_BINDING', {
      message:
        'failed GET /api/v3/account?timestamp=1&signature=abcdef0123456789 with key SUPERSECRETAPIKEY0123456789',
      venue: { body: 'echo SUPERSECRETAPIKEY0123456789' },
      context: { apiKey: 'SUPERSECRETAPIKEY0123456789' },
    });
    const everything = [
      error.message,
      error.technicalDetails,
      JSON.stringify(error),
      inspect(error),
      String(error.stack),
    ].join('\n');
    expect(everything).not.toContain('SUPERSECRETAPIKEY0123456789');
    expect(everything).not.toContain('abcdef0123456789');
    key.dispose();
  });

  it('wraps unknown throws as internal errors', () => {
    const wrapped = toVenuekitError(new TypeError('x'), { operation: 'op' });
    expect(wrapped).toBeInstanceOf(VenuekitError);
    expect(wrapped.code).toBe('INTERNAL_ERROR');
    expect(wrapped.cause).toBeInstanceOf(TypeError);
    const same = new NetworkError();
    expect(toVenuekitError(same)).toBe(same);
  });
});
