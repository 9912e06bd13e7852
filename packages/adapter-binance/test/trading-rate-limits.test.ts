import {
  IpBannedError,
  normalizeOrderRequest,
  RateLimitError,
  type RateLimitEvent,
  type RequestEvent,
  telemetry,
} from '@venuekit/core';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { eventually, type Harness, leakedSecrets, startHarness } from './trading-harness';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});
afterAll(() => {
  expect(leakedSecrets()).toEqual([]);
});

const order = () =>
  normalizeOrderRequest({
    symbol: 'BTC/USDT',
    side: 'buy',
    type: 'limit',
    quantity: '0.001',
    price: '40000',
  });

function recordRejections() {
  const rejected: RequestEvent[] = [];
  const stop = telemetry.requestRejected.subscribe((event) => rejected.push(event));
  return { rejected, stop };
}

describe('the rate governor against the venue’s limits', () => {
  it('queues a client that asks for more than its weight budget, and it is never refused', async () => {
    // The fake counts 60 weight per 2-second window and bans at the first request after a 429.
    h = await startHarness({
      fake: { limits: { requestWeight: 60, requestWeightWindowMs: 2000, requestsAfter429BeforeBan: 0 } },
      limits: [{ type: 'REQUEST_WEIGHT', intervalMs: 2000, limit: 60 }],
    });
    const harness = h;
    const { rejected, stop } = recordRejections();
    try {
      await harness.account.getOpenOrders('BTC/USDT'); // loads instruments (20) and the clock (3)
      let queuedSeen = 0;
      const watcher = setInterval(() => {
        queuedSeen = Math.max(queuedSeen, harness.governor.status().queued);
      }, 5);
      // 25 × weight 6 = 150: about three windows' worth at once.
      const results = await Promise.all(
        Array.from({ length: 25 }, () => harness.account.getOpenOrders('BTC/USDT')),
      );
      clearInterval(watcher);
      expect(results).toHaveLength(25);
      expect(queuedSeen).toBeGreaterThan(0);
      expect(rejected.filter((e) => e.status === 429 || e.status === 418)).toEqual([]);
      expect(harness.governor.status().bannedUntil).toBeUndefined();
      expect(harness.fake.handle.usedWeight()).toBeLessThanOrEqual(60);
    } finally {
      stop();
    }
  }, 60_000);

  it('after a 418, stops all traffic to the venue until the ban ends, and says so', async () => {
    h = await startHarness();
    const harness = h;
    await harness.account.getOpenOrders('BTC/USDT');
    const events: RateLimitEvent[] = [];
    const stop = telemetry.rateLimit.subscribe((event) => events.push(event));
    try {
      harness.fake.handle.faults.ban(3000);
      const first = await harness.failure(() => harness.account.getOpenOrders('BTC/USDT'));
      expect(first).toBeInstanceOf(IpBannedError);
      expect((first as IpBannedError).retryAfterMs).toBeGreaterThan(1000);
      const sent = harness.requests.length;
      // Nothing reaches the venue while banned: orders, reads, the WebSocket API.
      for (const attempt of [
        () => harness.account.placeOrder(order()),
        () => harness.account.getBalances(),
        () => harness.account.placeOrder(order(), { transport: 'websocket' }),
      ]) {
        const error = await harness.failure(attempt);
        expect(error).toMatchObject({ code: 'IP_BANNED', category: 'ip_banned' });
      }
      expect(harness.requests.length).toBe(sent);
      expect(harness.allOrders()).toHaveLength(0);
      const status = harness.governor.status();
      expect(status.bannedUntil).toBeGreaterThan(Date.now());
      expect(events.some((e) => e.bannedUntil === status.bannedUntil)).toBe(true);
      expect(harness.logLines.some((line) => line.includes('banned this IP'))).toBe(true);
      await eventually(
        () => harness.governor.status().bannedUntil === undefined,
        10_000,
        'the end of the ban',
      );
      await expect(harness.account.placeOrder(order())).resolves.toMatchObject({ status: 'new' });
    } finally {
      stop();
    }
  }, 30_000);

  it('after a 429, waits for Retry-After before sending again', async () => {
    h = await startHarness();
    const harness = h;
    await harness.account.getOpenOrders('BTC/USDT');
    harness.fake.handle.faults.failRequests({
      endpoint: 'GET /api/v3/openOrders',
      action: { type: 'error', status: 429, retryAfterSeconds: 1 },
    });
    const error = await harness.failure(() => harness.account.getOpenOrders('BTC/USDT'));
    const refusedAt = Date.now();
    expect(error).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 1000, retryable: true });
    expect(harness.governor.status().backoffUntil).toBeGreaterThan(refusedAt);
    const before = harness.requests.length;
    const sentAt: number[] = [];
    const watcher = setInterval(() => {
      if (harness.requests.length > before && sentAt.length === 0) sentAt.push(Date.now());
    }, 5);
    await harness.account.getOpenOrders('BTC/USDT');
    clearInterval(watcher);
    // Not sent before the venue's Retry-After (1 s) had passed.
    expect((sentAt[0] ?? Date.now()) - refusedAt).toBeGreaterThanOrEqual(950);
  });
});

describe('Retry-After and order limits reach the caller', () => {
  it('a 429’s Retry-After is on the RateLimitError, over REST and over the WebSocket API', async () => {
    // The governor believes in a larger budget than the venue's, so the venue's own 429 comes back.
    h = await startHarness({
      fake: { limits: { requestWeight: 60, requestWeightWindowMs: 5000, requestsAfter429BeforeBan: 100 } },
      limits: [{ type: 'REQUEST_WEIGHT', intervalMs: 5000, limit: 1_000_000 }],
    });
    const harness = h;
    const rest = await harness.failure(async () => {
      for (let i = 0; i < 20; i++) await harness.account.getOpenOrders('BTC/USDT');
    });
    expect(rest).toMatchObject({ code: 'RATE_LIMITED', venue: { status: 429, code: -1003 } });
    expect((rest as RateLimitError).retryAfterMs).toBeGreaterThan(0);
    expect((rest as RateLimitError).retryAfterMs).toBeLessThanOrEqual(5000);

    harness.fake.handle.faults.failRequests({
      endpoint: 'order.place',
      action: { type: 'error', status: 429, retryAfterSeconds: 3 },
    });
    harness.fake.handle.faults.resetRateLimits();
    const ws = await harness.failure(() => harness.account.placeOrder(order(), { transport: 'websocket' }));
    // The WebSocket API's `retryAfter` is a time (venue ms): the error carries how long from now.
    expect(ws).toMatchObject({ code: 'RATE_LIMITED', venue: { status: 429 } });
    expect((ws as RateLimitError).retryAfterMs).toBeGreaterThan(2000);
    expect((ws as RateLimitError).retryAfterMs).toBeLessThanOrEqual(3000);
    expect(harness.allOrders()).toHaveLength(0);
  }, 60_000);

  it('after a -1015 the account’s next order waits for the window the venue named, not for the next day', async () => {
    // The venue allows 2 orders per 10 s; the governor knows Binance's 50 / 10 s and 160 000 / day.
    h = await startHarness({
      fake: { limits: { ordersPer10s: 2 } },
      limits: [
        { type: 'REQUEST_WEIGHT', intervalMs: 60_000, limit: 6000 },
        { type: 'ORDERS', intervalMs: 10_000, limit: 50 },
        { type: 'ORDERS', intervalMs: 86_400_000, limit: 160_000 },
      ],
    });
    const harness = h;
    await harness.account.getOpenOrders('BTC/USDT');
    let limited: unknown;
    for (let i = 0; i < 3 && limited === undefined; i++) {
      await harness.account.placeOrder(order()).catch((error: unknown) => {
        limited = error;
      });
    }
    expect(limited).toBeInstanceOf(RateLimitError);
    expect(limited).toMatchObject({ venue: { code: -1015 } });
    // Held by the governor until the 10-second window turns, then placed (never refused again).
    await expect(harness.account.placeOrder(order())).resolves.toMatchObject({ status: 'new' });
    expect(harness.allOrders()).toHaveLength(3);
  }, 40_000);
});

describe('time discipline', () => {
  it('on -1021 resynchronises the clock; a read is sent again, an order is not', async () => {
    h = await startHarness();
    const harness = h;
    await harness.account.getOpenOrders('BTC/USDT');
    expect(Math.abs(harness.timeSync.offsetMs)).toBeLessThan(1000);
    harness.fake.handle.faults.skewClock(30_000);
    await expect(harness.account.getOpenOrders('BTC/USDT')).resolves.toEqual([]);
    expect(harness.timeSync.offsetMs).toBeGreaterThan(29_000);
    harness.fake.handle.faults.skewClock(60_000);
    const error = await harness.failure(() => harness.account.placeOrder(order()));
    expect(error).toMatchObject({ code: 'CLOCK_SKEW', retryable: true, venue: { code: -1021 } });
    expect(harness.allOrders()).toHaveLength(0);
    expect(harness.timeSync.status().offsetMs).toBeGreaterThan(59_000);
    // The caller may retry at once: the clock is right again.
    await expect(harness.account.placeOrder(order())).resolves.toMatchObject({ status: 'new' });
    expect(harness.allOrders()).toHaveLength(1);
  });
});
