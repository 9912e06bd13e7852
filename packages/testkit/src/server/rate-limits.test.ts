import { describe, expect, it } from 'vitest';
import { BinanceApiError } from './api-error';
import { BINANCE_RATE_LIMITS, RateLimiter, rateLimitWindow, retryAfterSeconds } from './rate-limits';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

function caught(fn: () => void): BinanceApiError {
  try {
    fn();
  } catch (error) {
    if (error instanceof BinanceApiError) return error;
    throw error;
  }
  throw new Error('expected a BinanceApiError');
}

describe('RateLimiter', () => {
  it('counts weight per IP in aligned one-minute windows', () => {
    const limiter = new RateLimiter({ ...BINANCE_RATE_LIMITS, requestWeight: 10 });
    limiter.admit('1.1.1.1', 4, T0 + 59_000);
    limiter.admit('1.1.1.1', 4, T0 + 59_500);
    limiter.admit('2.2.2.2', 10, T0 + 59_500);
    expect(limiter.usedWeight('1.1.1.1', T0 + 59_999)).toBe(8);
    // The next minute starts at zero even though the last request was 500 ms ago.
    expect(limiter.usedWeight('1.1.1.1', T0 + 60_000)).toBe(0);
  });

  it('answers 429 -1003 with the seconds left in the window, then bans (418) an IP that keeps going', () => {
    const limiter = new RateLimiter({
      ...BINANCE_RATE_LIMITS,
      requestWeight: 10,
      requestsAfter429BeforeBan: 2,
    });
    limiter.admit('ip', 10, T0 + 15_000);
    const first = caught(() => limiter.admit('ip', 1, T0 + 15_000));
    expect(first.httpStatus).toBe(429);
    expect(first.code).toBe(-1003);
    expect(first.msg).toBe(
      'Too much request weight used; current limit is 10 request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.',
    );
    expect(retryAfterSeconds(first, T0 + 15_000)).toBe(45);
    expect(caught(() => limiter.admit('ip', 1, T0 + 16_000)).httpStatus).toBe(429);
    expect(caught(() => limiter.admit('ip', 1, T0 + 17_000)).httpStatus).toBe(429);
    const ban = caught(() => limiter.admit('ip', 1, T0 + 18_000));
    expect(ban.httpStatus).toBe(418);
    expect(ban.msg).toBe(
      `Way too much request weight used; IP banned until ${T0 + 18_000 + 120_000}. Please use WebSocket Streams for live updates to avoid bans.`,
    );
    expect(retryAfterSeconds(ban, T0 + 18_000)).toBe(120);
    // Banned even in the next window, until the ban ends.
    expect(caught(() => limiter.admit('ip', 1, T0 + 90_000)).httpStatus).toBe(418);
    limiter.admit('ip', 1, T0 + 18_000 + 120_000);
  });

  it('doubles the ban for repeat offenders, up to the maximum', () => {
    const limiter = new RateLimiter({
      ...BINANCE_RATE_LIMITS,
      requestWeight: 1,
      requestsAfter429BeforeBan: 0,
      firstBanMs: 1000,
      maxBanMs: 3000,
    });
    let now = T0;
    const lengths: number[] = [];
    for (let offence = 0; offence < 4; offence++) {
      now = Math.ceil((now + 1) / 60_000) * 60_000; // a fresh window each time
      limiter.admit('ip', 1, now);
      caught(() => limiter.admit('ip', 1, now));
      const ban = caught(() => limiter.admit('ip', 1, now));
      expect(ban.httpStatus).toBe(418);
      lengths.push(limiter.bannedUntil('ip', now)! - now);
      now = limiter.bannedUntil('ip', now)!;
    }
    expect(lengths).toEqual([1000, 2000, 3000, 3000]);
  });

  it('limits orders per account per 10 seconds with -1015 and no Retry-After', () => {
    const limiter = new RateLimiter({ ...BINANCE_RATE_LIMITS, ordersPer10s: 2 });
    limiter.admitOrder('acct', 1, T0);
    limiter.countOrder('acct', 1, T0);
    limiter.admitOrder('acct', 1, T0 + 1);
    limiter.countOrder('acct', 1, T0 + 1);
    const error = caught(() => limiter.admitOrder('acct', 1, T0 + 2));
    expect([error.httpStatus, error.code, error.msg]).toEqual([
      429,
      -1015,
      'Too many new orders; current limit is 2 orders per 10 SECOND.',
    ]);
    expect(retryAfterSeconds(error, T0)).toBeUndefined();
    limiter.admitOrder('other', 1, T0 + 2);
    limiter.admitOrder('acct', 1, T0 + 10_000);
    expect(limiter.orderCounts('acct', T0 + 10_000)).toEqual({ tenSeconds: 0, day: 2 });
  });

  it('takes first fills off the current counts of every interval, never below zero', () => {
    const limiter = new RateLimiter(BINANCE_RATE_LIMITS);
    limiter.countOrder('acct', 3, T0);
    limiter.creditOrders('acct', 1, T0 + 1);
    expect(limiter.orderCounts('acct', T0 + 1)).toEqual({ tenSeconds: 2, day: 2 });
    limiter.creditOrders('acct', 5, T0 + 2);
    expect(limiter.orderCounts('acct', T0 + 2)).toEqual({ tenSeconds: 0, day: 0 });
    // No credit banked for later: the next order counts again.
    limiter.countOrder('acct', 1, T0 + 3);
    expect(limiter.orderCounts('acct', T0 + 3)).toEqual({ tenSeconds: 1, day: 1 });
    // A fill in a new 10-second window takes off the day's count; the new window has nothing to lose.
    limiter.countOrder('acct', 2, T0 + 4);
    limiter.creditOrders('acct', 1, T0 + 10_000);
    expect(limiter.orderCounts('acct', T0 + 10_000)).toEqual({ tenSeconds: 0, day: 2 });
  });
});

describe('rateLimitWindow', () => {
  it("names a window in the largest of Binance's intervals that divides it, with the header suffix", () => {
    const named = (ms: number) => {
      const { interval, intervalNum, suffix } = rateLimitWindow(ms);
      return `${intervalNum} ${interval} ${suffix}`;
    };
    expect(named(1000)).toBe('1 SECOND 1S');
    expect(named(10_000)).toBe('10 SECOND 10S');
    expect(named(90_000)).toBe('90 SECOND 90S');
    expect(named(60_000)).toBe('1 MINUTE 1M');
    expect(named(300_000)).toBe('5 MINUTE 5M');
    expect(named(7_200_000)).toBe('2 HOUR 2H');
    expect(named(86_400_000)).toBe('1 DAY 1D');
  });

  it('refuses a window Binance could not name (not whole seconds)', () => {
    for (const ms of [0, 500, 1500, Number.NaN]) expect(() => rateLimitWindow(ms)).toThrow(RangeError);
  });

  it('is what the limiter reports and counts by: a 10-second weight window', () => {
    const limiter = new RateLimiter({
      ...BINANCE_RATE_LIMITS,
      requestWeight: 10,
      requestWeightWindowMs: 10_000,
    });
    expect(limiter.weightHeader).toBe('X-MBX-USED-WEIGHT-10S');
    limiter.admit('ip', 10, T0 + 9_000);
    expect(limiter.weightReport('ip', T0 + 9_999)).toEqual({
      rateLimitType: 'REQUEST_WEIGHT',
      interval: 'SECOND',
      intervalNum: 10,
      limit: 10,
      count: 10,
    });
    expect(caught(() => limiter.admit('ip', 1, T0 + 9_999)).msg).toMatch(
      /current limit is 10 request weight per 10 SECOND\./,
    );
    expect(limiter.weightReport('ip', T0 + 10_000).count).toBe(0);
  });
});
