// Closing an account or the adapter ends what is still waiting: requests queued at the rate
// governor fail with a ClosedError without being sent, and a REST load in flight is abandoned.
import { ClosedError, createCredentials, disposeCredentials, normalizeOrderRequest } from '@venuekit/core';
import { startFakeBinance } from '@venuekit/testkit';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { BinanceAdapter } from '../src/adapter';
import { BinanceAccount } from '../src/trading';
import {
  eventually,
  type Harness,
  leakedSecrets,
  MAKER_API_KEY,
  MAKER_SECRET,
  startHarness,
} from './trading-harness';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});
afterAll(() => {
  expect(leakedSecrets()).toEqual([]);
});

describe('closing', () => {
  it('account.close() rejects its requests waiting at the rate governor with a ClosedError, sending none', async () => {
    // 30 weight per 5 s: a few reads go, the rest wait in the governor's queue.
    h = await startHarness({ limits: [{ type: 'REQUEST_WEIGHT', intervalMs: 5000, limit: 30 }] });
    const harness = h;
    await harness.instruments.list();
    const credentials = createCredentials({ apiKey: MAKER_API_KEY, secret: MAKER_SECRET });
    const maker = new BinanceAccount(credentials, {
      restUrl: harness.fake.restUrl,
      wsApiUrl: harness.fake.wsApiUrl,
      gate: harness.governor,
      instruments: harness.instruments,
      venueClock: harness.timeSync,
      logger: harness.logger,
    });
    try {
      const outcomes = Array.from({ length: 8 }, () =>
        harness.account.getOpenOrders('BTC/USDT').then(
          () => 'done' as const,
          (error: unknown) => error,
        ),
      );
      const order = harness.account
        .placeOrder(
          normalizeOrderRequest({
            symbol: 'BTC/USDT',
            side: 'buy',
            type: 'limit',
            quantity: '0.001',
            price: '40000',
          }),
        )
        .then(
          () => 'done' as const,
          (error: unknown) => error,
        );
      await eventually(() => harness.governor.status().queued > 0, 10_000, 'requests queued');
      // Another account's request waits behind them.
      const other = maker.getOpenOrders('BTC/USDT');
      const sentBefore = harness.requests.length;
      await harness.account.close();
      const results = await Promise.all([...outcomes, order]);
      const closed = results.filter((r) => r !== 'done');
      expect(closed.length).toBeGreaterThan(0);
      for (const error of closed) {
        expect(error).toBeInstanceOf(ClosedError);
        expect((error as ClosedError).context.sent).toBe(false);
      }
      // None of them reached the venue after the close.
      expect(harness.requests.length).toBe(sentBefore);
      expect(harness.allOrders()).toHaveLength(0);
      // The other account's request is still served.
      await expect(other).resolves.toEqual([]);
      expect(harness.governor.status().queued).toBe(0);
    } finally {
      await maker.close();
      disposeCredentials(credentials);
    }
  }, 40_000);

  it('requests of a closed account whose credentials were then disposed still end as ClosedError', async () => {
    h = await startHarness({ limits: [{ type: 'REQUEST_WEIGHT', intervalMs: 5000, limit: 30 }] });
    const harness = h;
    await harness.instruments.list();
    const credentials = createCredentials({ apiKey: MAKER_API_KEY, secret: MAKER_SECRET });
    const maker = new BinanceAccount(credentials, {
      restUrl: harness.fake.restUrl,
      wsApiUrl: harness.fake.wsApiUrl,
      gate: harness.governor,
      instruments: harness.instruments,
      venueClock: harness.timeSync,
      logger: harness.logger,
    });
    const waiting = Array.from({ length: 8 }, () =>
      maker.getBalances().then(
        () => 'done' as const,
        (error: unknown) => error,
      ),
    );
    await eventually(() => harness.governor.status().queued > 0, 10_000, 'requests queued');
    await maker.close();
    disposeCredentials(credentials);
    const results = await Promise.all(waiting);
    const failed = results.filter((r) => r !== 'done');
    expect(failed.length).toBeGreaterThan(0);
    for (const error of failed) expect(error).toMatchObject({ code: 'CLOSED', context: { sent: false } });
  }, 40_000);

  it('adapter.close() abandons an exchangeInfo load in flight and refuses new accounts', async () => {
    const fake = await startFakeBinance({ symbols: ['BTCUSDT'], simulation: false });
    const adapter = new BinanceAdapter({
      urls: { rest: fake.restUrl, streams: fake.streamsUrl, wsApi: fake.wsApiUrl },
      rest: { timeoutMs: 120_000 },
    });
    try {
      // The venue takes the request and never answers.
      const fault = fake.handle.faults.failRequests({
        endpoint: 'GET /api/v3/exchangeInfo',
        action: { type: 'noResponse' },
      });
      const loading = adapter.instruments.list().then(
        () => 'loaded' as const,
        (error: unknown) => error,
      );
      await fault.whenHit();
      await adapter.close();
      const outcome = await loading;
      expect(outcome).toBeInstanceOf(ClosedError);
      expect(() =>
        adapter.createAccount(createCredentials({ apiKey: 'k'.repeat(64), secret: 's'.repeat(64) })),
      ).toThrow(ClosedError);
    } finally {
      await adapter.close();
      await fake.close();
    }
  }, 40_000);
});
