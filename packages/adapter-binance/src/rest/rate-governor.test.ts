import { IpBannedError, ManualClock, type RateLimitEvent, telemetry } from '@venuekit/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BinanceRateGovernor,
  headersFromRateLimits,
  parseOrderLimit,
  parseRetryAfter,
  type RateLimitRule,
  rulesFromRateLimits,
} from './rate-governor';

const WEIGHT_100: RateLimitRule[] = [
  { type: 'REQUEST_WEIGHT', intervalMs: 60_000, limit: 100 },
  { type: 'ORDERS', intervalMs: 10_000, limit: 3 },
];

let governor: BinanceRateGovernor | undefined;
afterEach(() => governor?.close());

function setup(limits = WEIGHT_100, guard = 0) {
  const clock = new ManualClock(); // 2026-01-01T00:00:00Z, on a minute boundary
  governor = new BinanceRateGovernor({ clock, limits, boundaryGuardMs: guard });
  return { clock, gate: governor };
}

/** Tracks which acquisitions have been admitted. */
function track(promise: Promise<void>) {
  const state = { done: false, error: undefined as unknown };
  promise.then(
    () => {
      state.done = true;
    },
    (error) => {
      state.error = error;
    },
  );
  return state;
}

describe('BinanceRateGovernor', () => {
  it('queues what exceeds the weight budget and admits it, in order, when the window turns', async () => {
    const { clock, gate } = setup();
    const first = track(gate.acquire({ weight: 60, kind: 'read' }));
    const second = track(gate.acquire({ weight: 30, kind: 'read' }));
    const third = track(gate.acquire({ weight: 20, kind: 'read' }));
    const fourth = track(gate.acquire({ weight: 5, kind: 'read' }));
    await clock.advance(0);
    expect([first.done, second.done, third.done, fourth.done]).toEqual([true, true, false, false]);
    expect(gate.status()).toMatchObject({ usedWeight: 90, weightLimit: 100, queued: 2 });
    await clock.advance(59_999);
    expect(third.done).toBe(false);
    await clock.advance(1);
    expect([third.done, fourth.done]).toEqual([true, true]);
    expect(gate.status()).toMatchObject({ usedWeight: 25, queued: 0 });
  });

  it('counts weight reported by the venue (other processes on the same IP)', async () => {
    const { clock, gate } = setup();
    gate.observe({ status: 200, headers: { 'x-mbx-used-weight-1m': '95' } });
    const heavy = track(gate.acquire({ weight: 10, kind: 'read' }));
    await clock.advance(0);
    expect(heavy.done).toBe(false);
    await clock.advance(60_000);
    expect(heavy.done).toBe(true);
  });

  it('never counts less than it charged itself', async () => {
    const { gate } = setup();
    await gate.acquire({ weight: 50, kind: 'read' });
    gate.observe({ status: 200, headers: { 'x-mbx-used-weight-1m': '20' } });
    expect(gate.status().usedWeight).toBe(50);
  });

  it('charges a request sent near a boundary to both windows', async () => {
    const { clock, gate } = setup(WEIGHT_100, 500);
    await clock.advance(59_700);
    await gate.acquire({ weight: 80, kind: 'read' });
    await clock.advance(300); // the next window starts with the 80 it may have been counted in
    expect(gate.status().usedWeight).toBe(80);
    const next = track(gate.acquire({ weight: 30, kind: 'read' }));
    await clock.advance(0);
    expect(next.done).toBe(false);
  });

  it('ignores a count from the previous window that arrives right after the boundary', async () => {
    const { clock, gate } = setup(WEIGHT_100, 500);
    await clock.advance(60_100);
    gate.observe({ status: 200, headers: { 'x-mbx-used-weight-1m': '99' } });
    expect(gate.status().usedWeight).toBe(0);
    await clock.advance(1000);
    gate.observe({ status: 200, headers: { 'x-mbx-used-weight-1m': '40' } });
    expect(gate.status().usedWeight).toBe(40);
  });

  it('on 429 waits for Retry-After and says so through telemetry', async () => {
    const { clock, gate } = setup([{ type: 'REQUEST_WEIGHT', intervalMs: 1000, limit: 100 }]);
    const events: RateLimitEvent[] = [];
    const unsubscribe = telemetry.rateLimit.subscribe((event) => events.push(event));
    try {
      gate.observe({ status: 429, code: -1003, headers: { 'retry-after': '3' } });
      expect(gate.status().backoffUntil).toBe(clock.now() + 3000);
      const waiting = track(gate.acquire({ weight: 1, kind: 'read' }));
      await clock.advance(2999);
      expect(waiting.done).toBe(false);
      await clock.advance(1);
      expect(waiting.done).toBe(true);
      expect(events.at(0)).toMatchObject({ exchange: 'binance', retryAfterMs: 3000 });
    } finally {
      unsubscribe();
    }
  });

  it('on 418 stops all traffic with an IpBannedError until the ban ends', async () => {
    const { clock, gate } = setup();
    await gate.acquire({ weight: 100, kind: 'read' });
    const queued = track(gate.acquire({ weight: 1, kind: 'read' }));
    const events: RateLimitEvent[] = [];
    const unsubscribe = telemetry.rateLimit.subscribe((event) => events.push(event));
    try {
      gate.observe({ status: 418, code: -1003, headers: { 'retry-after': '120' } });
      await clock.advance(0);
      expect(queued.error).toBeInstanceOf(IpBannedError);
      expect(events.at(-1)?.bannedUntil).toBe(clock.now() + 120_000);
      expect(gate.status().bannedUntil).toBe(clock.now() + 120_000);
      await clock.advance(119_000);
      const refused = await gate.acquire({ weight: 1, kind: 'read' }).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(IpBannedError);
      expect((refused as IpBannedError).retryAfterMs).toBe(1000);
      await clock.advance(1000);
      await expect(gate.acquire({ weight: 1, kind: 'read' })).resolves.toBeUndefined();
      expect(gate.status().bannedUntil).toBeUndefined();
    } finally {
      unsubscribe();
    }
  });

  it('takes the end of a WebSocket API ban from its retryAfter (venue time)', async () => {
    const clock = new ManualClock();
    governor = new BinanceRateGovernor({ clock, limits: WEIGHT_100, offsetMs: () => 5000 });
    governor.observe({ status: 418, headers: {}, bannedUntil: clock.now() + 5000 + 60_000 });
    expect(governor.status().bannedUntil).toBe(clock.now() + 60_000);
  });

  it('limits orders per account without holding up other accounts', async () => {
    const { clock, gate } = setup();
    for (let i = 0; i < 3; i++) await gate.acquire({ weight: 1, kind: 'order', account: 'a' });
    const fourth = track(gate.acquire({ weight: 1, kind: 'order', account: 'a' }));
    const other = track(gate.acquire({ weight: 1, kind: 'order', account: 'b' }));
    const read = track(gate.acquire({ weight: 1, kind: 'read', account: 'a' }));
    const cancel = track(gate.acquire({ weight: 1, kind: 'cancel', account: 'a' }));
    await clock.advance(0);
    expect([fourth.done, other.done, read.done, cancel.done]).toEqual([false, true, true, true]);
    await clock.advance(10_000);
    expect(fourth.done).toBe(true);
  });

  it('holds an account’s orders after -1015 until its order window turns', async () => {
    const { clock, gate } = setup();
    gate.observe({ status: 429, code: -1015, headers: {}, account: 'a' });
    const order = track(gate.acquire({ weight: 1, kind: 'order', account: 'a' }));
    const read = track(gate.acquire({ weight: 1, kind: 'read' }));
    await clock.advance(0);
    expect([order.done, read.done]).toEqual([false, true]);
    await clock.advance(10_000);
    expect(order.done).toBe(true);
  });

  it('after a -1015 fills only the window the answer names, so orders resume when it turns', async () => {
    const { clock, gate } = setup([
      { type: 'REQUEST_WEIGHT', intervalMs: 60_000, limit: 100 },
      { type: 'ORDERS', intervalMs: 10_000, limit: 50 },
      { type: 'ORDERS', intervalMs: 86_400_000, limit: 160_000 },
    ]);
    // errors.md: "Too many new orders; current limit is %s orders per %s."
    const message = 'Too many new orders; current limit is 50 orders per 10 SECOND.';
    gate.observe({ status: 429, code: -1015, message, headers: {}, account: 'a' });
    const order = track(gate.acquire({ weight: 1, kind: 'order', account: 'a' }));
    await clock.advance(9_999);
    expect(order.done).toBe(false);
    // The 10-second window turned: the daily one was never filled.
    await clock.advance(1);
    expect(order.done).toBe(true);

    // A -1015 about the daily limit holds the account's orders until 00:00 UTC.
    gate.observe({
      status: 429,
      code: -1015,
      message: 'Too many new orders; current limit is 160000 orders per 1 DAY.',
      headers: {},
      account: 'b',
    });
    const daily = track(gate.acquire({ weight: 1, kind: 'order', account: 'b' }));
    await clock.advance(3_600_000);
    expect(daily.done).toBe(false);
    await clock.advance(86_400_000 - 3_600_000 - 10_000);
    expect(daily.done).toBe(true);
  });

  it('after a -1015 with Retry-After holds that account’s orders for that long only', async () => {
    const { clock, gate } = setup([
      { type: 'REQUEST_WEIGHT', intervalMs: 60_000, limit: 100 },
      { type: 'ORDERS', intervalMs: 10_000, limit: 50 },
      { type: 'ORDERS', intervalMs: 86_400_000, limit: 160_000 },
    ]);
    gate.observe({
      status: 429,
      code: -1015,
      message: 'Too many new orders; current limit is 50 orders per 10 SECOND.',
      headers: { 'retry-after': '3' },
      account: 'a',
    });
    const held = track(gate.acquire({ weight: 1, kind: 'order', account: 'a' }));
    const other = track(gate.acquire({ weight: 1, kind: 'order', account: 'b' }));
    const read = track(gate.acquire({ weight: 1, kind: 'read', account: 'a' }));
    await clock.advance(0);
    expect([held.done, other.done, read.done]).toEqual([false, true, true]);
    expect(gate.status().backoffUntil).toBeUndefined();
    await clock.advance(2_999);
    expect(held.done).toBe(false);
    await clock.advance(1);
    expect(held.done).toBe(true);
  });

  it('reads Retry-After in seconds or as an HTTP date, and a -1015’s named limit', () => {
    const now = Date.UTC(2026, 0, 1);
    expect(parseRetryAfter({ 'retry-after': '2' }, now)).toBe(2000);
    expect(parseRetryAfter({ 'retry-after': '0.5' }, now)).toBe(500);
    expect(parseRetryAfter({ 'retry-after': new Date(now + 7000).toUTCString() }, now)).toBe(7000);
    expect(parseRetryAfter({ 'retry-after': 'soon' }, now)).toBeUndefined();
    expect(parseRetryAfter({}, now)).toBeUndefined();
    expect(parseOrderLimit('Too many new orders; current limit is 1 orders per 10 SECOND.')).toEqual({
      limit: 1,
      intervalMs: 10_000,
    });
    expect(parseOrderLimit('Too many new orders; current limit is 160000 orders per 1 DAY.')).toEqual({
      limit: 160_000,
      intervalMs: 86_400_000,
    });
    expect(parseOrderLimit('Too much request weight used')).toBeUndefined();
  });

  it('follows the order count headers', async () => {
    const { clock, gate } = setup();
    gate.observe({ status: 200, headers: { 'X-MBX-ORDER-COUNT-10S': '3' }, account: 'a' });
    const order = track(gate.acquire({ weight: 1, kind: 'order', account: 'a' }));
    await clock.advance(0);
    expect(order.done).toBe(false);
    await clock.advance(10_000);
    expect(order.done).toBe(true);
  });

  it('lets an aborted request leave the queue', async () => {
    const { clock, gate } = setup();
    await gate.acquire({ weight: 100, kind: 'read' });
    const controller = new AbortController();
    const aborted = track(gate.acquire({ weight: 1, kind: 'read', signal: controller.signal }));
    controller.abort(new Error('gave up'));
    await clock.advance(0);
    expect((aborted.error as Error).message).toBe('gave up');
    expect(gate.status().queued).toBe(0);
  });

  it('rejects what is queued when closed and leaves no timer', async () => {
    const { clock, gate } = setup();
    await gate.acquire({ weight: 100, kind: 'read' });
    const queued = track(gate.acquire({ weight: 1, kind: 'read' }));
    gate.close();
    await clock.advance(0);
    expect((queued.error as { code?: string }).code).toBe('CLOSED');
    expect(clock.pendingTimers).toBe(0);
  });

  it('reads limits from exchangeInfo and WebSocket API rateLimits', () => {
    // web-socket-api.md, "Order rate limits": a successful order.place response's rateLimits.
    const rateLimits = [
      { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 50, count: 12 },
      { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 160000, count: 4043 },
      { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 1200, count: 321 },
    ];
    expect(rulesFromRateLimits(rateLimits)).toEqual([
      { type: 'ORDERS', intervalMs: 10_000, limit: 50 },
      { type: 'ORDERS', intervalMs: 86_400_000, limit: 160_000 },
      { type: 'REQUEST_WEIGHT', intervalMs: 60_000, limit: 1200 },
    ]);
    expect(headersFromRateLimits(rateLimits)).toEqual({
      'x-mbx-order-count-10s': '12',
      'x-mbx-order-count-1d': '4043',
      'x-mbx-used-weight-1m': '321',
    });
    const { gate } = setup();
    gate.configure(rulesFromRateLimits(rateLimits));
    gate.observe({ status: 200, headers: headersFromRateLimits(rateLimits), account: 'a' });
    expect(gate.status()).toMatchObject({ usedWeight: 321, weightLimit: 1200 });
  });
});
