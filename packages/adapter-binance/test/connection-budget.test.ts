// Binance allows 300 connection attempts per 5 minutes per IP, market streams and WebSocket API
// together; the adapter keeps one budget for both. When it is spent, nobody is left waiting in
// silence: a request that needs a new connection fails at once with a typed error naming the
// budget and when it frees up; a connection that reconnects by itself waits for it and says so.
// Over real sockets against the fake Binance, with a budget of one or two attempts per ten minutes.
import {
  type AccountClient,
  createCredentials,
  normalizeOrderRequest,
  RateLimitError,
  type StreamStatus,
} from '@venuekit/core';
import { type FakeBinance, startFakeBinance } from '@venuekit/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { BinanceAdapter } from '../src/adapter';
import { eventually } from './trading-harness';

const API_KEY = 'VKBUDGETKEY0'.padEnd(64, 'k');
const SECRET = 'VKBUDGETSECRET0'.padEnd(64, 's');
// Ten minutes: far longer than any request timeout here, so a request cannot wait for the budget.
const WINDOW_MS = 600_000;

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function setup(attempts: number) {
  const fake: FakeBinance = await startFakeBinance({
    symbols: ['BTCUSDT'],
    simulation: false,
    accounts: [{ id: 'u', apiKey: API_KEY, secretKey: SECRET, balances: { BTC: '1', USDT: '100000' } }],
  });
  closers.push(() => fake.close());
  const adapter = new BinanceAdapter(
    {
      urls: { rest: fake.restUrl, streams: fake.streamsUrl, wsApi: fake.wsApiUrl },
      streams: { maxConnectionAttempts: attempts, connectionAttemptWindowMs: WINDOW_MS },
    },
    {
      trading: {
        // Longer than the test may run (a caller told only at its timeout would time the test out),
        // and shorter than the budget's window (a request whose connection opens before its
        // timeout waits for it instead).
        requestTimeoutMs: 120_000,
        wsApiConnection: { backoff: { initialMs: 20, maxMs: 100 } },
      },
    },
  );
  closers.push(() => adapter.close());
  const account: AccountClient = adapter.createAccount(
    createCredentials({ apiKey: API_KEY, secret: SECRET }),
  );
  return { fake, adapter, account };
}

const budgetError = {
  code: 'CONNECTION_ATTEMPTS_EXHAUSTED',
  category: 'rate_limit',
  retryable: true,
  context: expect.objectContaining({ attemptLimit: 1, attemptWindowMs: WINDOW_MS, sent: false }),
};

describe('a spent connection attempt budget', () => {
  it('a user connecting, or an order over the WebSocket API, fails at once with a typed error naming the budget', async () => {
    const { fake, adapter, account } = await setup(1);
    // The market streams take the one attempt of the window.
    const trades = adapter.marketData.subscribe({ kind: 'trades', symbol: 'BTC/USDT' }, { next() {} });
    await trades.ready;

    const connecting = await account.subscribeUserData({ next() {} }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(connecting).toBeInstanceOf(RateLimitError);
    expect(connecting).toMatchObject(budgetError);
    const retryAfterMs = (connecting as RateLimitError).retryAfterMs ?? 0;
    expect(retryAfterMs).toBeGreaterThan(0);
    expect(retryAfterMs).toBeLessThanOrEqual(WINDOW_MS);
    expect((connecting as Error).message).toContain('1 attempt per 10 min');

    const placing = await account
      .placeOrder(
        normalizeOrderRequest({
          symbol: 'BTC/USDT',
          side: 'buy',
          type: 'limit',
          quantity: '0.001',
          price: '10000',
        }),
        { transport: 'websocket' },
      )
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(placing).toMatchObject(budgetError);
    // Nothing reached the venue: no WebSocket API connection, no order.
    expect(fake.handle.connections('wsApi')).toEqual([]);
    expect(fake.handle.orders('u')).toEqual([]);
    expect(account.status().unknownOrders).toBe(0);
    // The waiting connection shows when it may try again.
    const api = adapter.status().connections.find((c) => c.kind === 'api');
    expect(api).toMatchObject({ state: 'reconnecting' });
    expect(api?.attemptBudgetUntil).toBeGreaterThan(Date.now());
    await trades.unsubscribe();
  });

  it('a market subscription waits for the budget and says how long, in its status and the adapter’s', async () => {
    const { adapter, account } = await setup(1);
    // The user's WebSocket API connection takes the one attempt of the window.
    await account.subscribeUserData({ next() {} });
    const statuses: StreamStatus[] = [];
    const trades = adapter.marketData.subscribe(
      { kind: 'trades', symbol: 'BTC/USDT' },
      { next() {}, status: (status) => statuses.push(status) },
    );
    let confirmed = false;
    trades.ready.then(
      () => {
        confirmed = true;
      },
      () => {},
    );
    await eventually(() => statuses.length > 0, 10_000, 'a status');
    expect(statuses[0]).toMatchObject({
      type: 'reconnecting',
      reason: 'connection attempt budget spent (1 attempt per 10 min per IP)',
    });
    const delayMs = (statuses[0] as { delayMs: number }).delayMs;
    expect(delayMs).toBeGreaterThan(0);
    expect(delayMs).toBeLessThanOrEqual(WINDOW_MS);
    expect(confirmed).toBe(false);
    const market = adapter.status().connections.find((c) => c.kind === 'market');
    expect(market).toMatchObject({ state: 'reconnecting', streams: ['btcusdt@trade'] });
    expect(market?.attemptBudgetUntil).toBeGreaterThan(Date.now());
    await trades.unsubscribe();
    await eventually(() => adapter.marketData.connections().length === 0, 10_000, 'the connection to close');
  });

  it('a user data stream whose connection dropped waits for the budget and says how long', async () => {
    const { fake, adapter, account } = await setup(2);
    const statuses: StreamStatus[] = [];
    await account.subscribeUserData({ next() {}, status: (status) => statuses.push(status) });
    // The first drop takes the second attempt; the second drop finds the budget spent.
    fake.handle.faults.dropConnection({ kind: 'wsApi' });
    await eventually(
      () => statuses.some((s) => s.type === 'resubscribed'),
      10_000,
      'the first resubscription',
    );
    fake.handle.faults.dropConnection({ kind: 'wsApi' });
    await eventually(
      () => statuses.some((s) => s.type === 'reconnecting' && s.delayMs > 0),
      10_000,
      'the wait announced',
    );
    const waiting = statuses.find((s) => s.type === 'reconnecting' && s.delayMs > 0);
    expect(waiting).toMatchObject({
      reason: 'connection attempt budget spent (2 attempts per 10 min per IP)',
      attempt: 2,
    });
    expect((waiting as { delayMs: number }).delayMs).toBeLessThanOrEqual(WINDOW_MS);
    expect(account.status()).toMatchObject({ userDataConnected: false, userDataReconnects: 2 });
    const api = adapter.status().connections.find((c) => c.kind === 'api');
    expect(api?.attemptBudgetUntil).toBeGreaterThan(Date.now());
    expect(fake.handle.connections('wsApi')).toEqual([]);
  });
});
