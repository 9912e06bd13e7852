import { generateKeyPairSync } from 'node:crypto';
import { createCredentials, normalizeOrderRequest, type OrderRequestInput, telemetry } from '@venuekit/core';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BinanceAccount } from '../src/trading';
import {
  collector,
  eventually,
  type Harness,
  leakedSecrets,
  startHarness,
  TRADER_API_KEY,
} from './trading-harness';

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ account: { wsApiConnection: { backoff: { initialMs: 50, maxMs: 500 } } } });
});
afterEach(async () => {
  await h.close();
});
afterAll(() => {
  expect(leakedSecrets()).toEqual([]);
});

const order = (input: Partial<OrderRequestInput> = {}) =>
  normalizeOrderRequest({
    symbol: 'BTC/USDT',
    side: 'sell',
    type: 'limit',
    quantity: '0.03',
    price: '60000',
    ...input,
  });

/** The trader's fills at the fake, as `tradeId` strings. */
function venueTradeIds(): string[] {
  return h.fake.handle.engine.myTrades('trader', { symbol: 'BTCUSDT', limit: 1000 }).map((t) => String(t.id));
}

describe('user data over the WebSocket API', () => {
  it('delivers order updates, fills and balances as they happen', async () => {
    const feed = collector();
    const subscription = await h.account.subscribeUserData(feed.observer);
    expect(h.account.status()).toMatchObject({
      userDataConnected: true,
      userDataReconnects: 0,
      unknownOrders: 0,
    });
    const placed = await h.account.placeOrder(order());
    h.makerOrder('BUY', '60000', '0.01');
    h.makerOrder('BUY', '60000', '0.02');
    await feed.until(() => feed.orders().some((e) => e.order.status === 'filled'));
    const updates = feed.orders().filter((e) => e.order.clientOrderId === placed.clientOrderId);
    expect(updates.map((e) => [e.executionType, e.order.status, e.order.filledQuantity.toString()])).toEqual([
      ['new', 'new', '0'],
      ['trade', 'partially_filled', '0.01'],
      ['trade', 'filled', '0.03'],
    ]);
    const fills = feed.fills();
    expect(
      fills.map((f) => [f.orderId, f.side, f.price.toString(), f.quantity.toString(), f.isMaker]),
    ).toEqual([
      [placed.id, 'sell', '60000', '0.01', true],
      [placed.id, 'sell', '60000', '0.02', true],
    ]);
    expect(fills.map((f) => f.tradeId)).toEqual(venueTradeIds());
    await feed.until(() => feed.events.some((e) => e.type === 'balances'));
    const balances = feed.events.flatMap((e) => (e.type === 'balances' ? e.balances : []));
    expect(balances.some((b) => b.asset === 'USDT' || b.asset === 'BTC')).toBe(true);
    expect(h.account.status().lastUserDataEventAt).toBeGreaterThan(0);
    await subscription.unsubscribe();
  });

  it('after a dropped connection: resubscribes and delivers the fills missed while away, each once', async () => {
    const feed = collector();
    await h.account.subscribeUserData(feed.observer);
    const placed = await h.account.placeOrder(order());
    h.makerOrder('BUY', '60000', '0.01');
    await feed.until(() => feed.fills().length === 1);
    // The connection drops; before the client can reconnect, the rest of the order fills.
    expect(h.fake.handle.faults.dropConnection({ kind: 'wsApi' })).toBe(1);
    h.makerOrder('BUY', '60000', '0.005');
    h.makerOrder('BUY', '60000', '0.015');
    await feed.until(() => feed.fills().length === 3);
    await feed.until(() =>
      feed.orders().some((e) => e.order.id === placed.id && e.order.status === 'filled'),
    );
    expect(feed.fills().map((f) => f.tradeId)).toEqual(venueTradeIds());
    expect(new Set(feed.fills().map((f) => f.tradeId)).size).toBe(3);
    expect(h.account.status()).toMatchObject({ userDataConnected: true, userDataReconnects: 1 });
    // The catch-up also reported the balances.
    expect(feed.events.filter((e) => e.type === 'balances').length).toBeGreaterThan(0);
    // Live again: a new fill arrives once.
    const second = await h.account.placeOrder(order({ quantity: '0.01' }));
    h.makerOrder('BUY', '60000', '0.01');
    await feed.until(() => feed.fills().some((f) => f.orderId === second.id));
    expect(feed.fills().map((f) => f.tradeId)).toEqual(venueTradeIds());
  });

  it('delivers a duplicated report’s fill once', async () => {
    const feed = collector();
    await h.account.subscribeUserData(feed.observer);
    h.fake.handle.faults.messages({
      kind: 'wsApi',
      stream: 'executionReport',
      times: 5,
      action: { type: 'duplicate' },
    });
    await h.account.placeOrder(order({ quantity: '0.01' }));
    h.makerOrder('BUY', '60000', '0.01');
    await feed.until(() => feed.orders().some((e) => e.order.status === 'filled'));
    expect(feed.fills()).toHaveLength(1);
  });

  it('shares one venue subscription between observers and ends it with the last one', async () => {
    const a = collector();
    const b = collector();
    const subA = await h.account.subscribeUserData(a.observer);
    const subB = await h.account.subscribeUserData(b.observer);
    await h.account.placeOrder(order({ quantity: '0.01' }));
    await a.until(() => a.orders().length === 1);
    await b.until(() => b.orders().length === 1);
    await subA.unsubscribe();
    await h.account.placeOrder(order({ quantity: '0.01', price: '62000' }));
    await b.until(() => b.orders().length === 2);
    expect(a.orders()).toHaveLength(1);
    await subB.unsubscribe();
    expect(h.account.status().userDataConnected).toBe(false);
  });

  it('ending the subscription ourselves is not reported as the venue ending it, and nothing resubscribes', async () => {
    const feed = collector();
    const subscription = await h.account.subscribeUserData(feed.observer);
    await eventually(() => h.fake.handle.connections('wsApi').length === 1, 10_000, 'the connection');
    await subscription.unsubscribe();
    expect(h.account.status().userDataConnected).toBe(false);
    // The venue's eventStreamTerminated for our own unsubscribe comes and goes: an order placed
    // now reaches no subscription, and no warning was logged.
    await h.account.placeOrder(order({ quantity: '0.01' }));
    await eventually(() => h.fake.handle.orders('trader').length === 1, 10_000, 'the order');
    expect(h.logLines.filter((line) => line.includes('ended the user data subscription'))).toEqual([]);
    expect(
      h.logLines.filter((line) => line.includes('"level":"warn"') || line.includes('"level":40')),
    ).toEqual([]);
    expect(feed.events).toEqual([]);
    expect(h.account.status().userDataConnected).toBe(false);
  });

  it('publishes nothing on the user session channel: sessions belong to the trading package', async () => {
    const sessionEvents: unknown[] = [];
    const stop = telemetry.userSession.subscribe((event) => sessionEvents.push(event));
    try {
      const feed = collector();
      const subscription = await h.account.subscribeUserData(feed.observer);
      expect(h.fake.handle.faults.dropConnection({ kind: 'wsApi' })).toBe(1);
      await eventually(() => h.account.status().userDataReconnects === 1, 10_000, 'the reconnect');
      await eventually(() => h.account.status().userDataConnected, 10_000, 'the resubscription');
      await subscription.unsubscribe();
      expect(sessionEvents).toEqual([]);
    } finally {
      stop();
    }
  });

  it('a resubscription the venue refuses for good ends the stream with that error; subscribing again works', async () => {
    const errors: unknown[] = [];
    const feed = collector();
    await h.account.subscribeUserData({ ...feed.observer, error: (error) => errors.push(error) });
    // errors.md: -1020 "This operation is not supported."
    const refusal = h.fake.handle.faults.failRequests({
      endpoint: 'userDataStream.subscribe.signature',
      action: { type: 'error', status: 400, code: -1020, msg: 'This operation is not supported.' },
    });
    expect(h.fake.handle.faults.dropConnection({ kind: 'wsApi' })).toBe(1);
    await refusal.whenHit();
    await eventually(() => errors.length === 1, 10_000, 'the end of the stream');
    expect(errors[0]).toMatchObject({ code: 'NOT_SUPPORTED', venue: { code: -1020 } });
    expect(h.account.status().userDataConnected).toBe(false);
    // Not retried behind the observers' back: one refusal, one error.
    await h.account.getOpenOrders('BTC/USDT');
    expect(refusal.hits).toBe(1);
    // A new subscription works, and events flow again.
    const again = collector();
    await h.account.subscribeUserData(again.observer);
    expect(h.account.status().userDataConnected).toBe(true);
    const placed = await h.account.placeOrder(order({ quantity: '0.01' }));
    await again.until(() => again.orders().some((e) => e.order.id === placed.id));
  });

  it('tells observers when the venue revokes the key, and stops', async () => {
    const errors: unknown[] = [];
    const feed = collector();
    await h.account.subscribeUserData({ ...feed.observer, error: (error) => errors.push(error) });
    h.fake.handle.engine.revokeApiKey(TRADER_API_KEY);
    await eventually(() => errors.length > 0, 10_000, 'the revocation');
    expect(errors[0]).toMatchObject({ code: 'AUTHENTICATION_FAILED', category: 'authentication' });
    expect(h.account.status().userDataConnected).toBe(false);
    await expect(h.account.getBalances()).rejects.toMatchObject({ code: 'AUTHENTICATION_FAILED' });
  });

  it('an Ed25519 key logs the session on, then subscribes and trades without signing each request', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const apiKey = 'VKTESTAPIKEY0ed25519aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5bC7dE9';
    h.fake.handle.engine.createAccount({
      id: 'ed',
      apiKey,
      ed25519PublicKey: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
      balances: { BTC: '1', USDT: '100000' },
    });
    const account = new BinanceAccount(
      createCredentials({
        apiKey,
        privateKey: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
      }),
      {
        restUrl: h.fake.restUrl,
        wsApiUrl: h.fake.wsApiUrl,
        gate: h.governor,
        instruments: h.instruments,
        venueClock: h.timeSync,
        logger: h.logger,
      },
      { userId: 'ed-user', wsApiLogon: true },
    );
    try {
      const feed = collector();
      await account.subscribeUserData(feed.observer);
      const placed = await account.placeOrder(order({ side: 'buy', price: '50000', quantity: '0.01' }), {
        transport: 'websocket',
      });
      await feed.until(() => feed.orders().some((e) => e.order.id === placed.id));
      expect(h.fake.handle.orders('ed').map((o) => o.clientOrderId)).toEqual([placed.clientOrderId]);
      // REST requests are Ed25519-signed too.
      expect((await account.getOpenOrders('BTC/USDT')).map((o) => o.id)).toEqual([placed.id]);
      const canceled = await account.cancelOrder(
        { symbol: 'BTC/USDT', orderId: placed.id },
        { transport: 'websocket' },
      );
      expect(canceled.status).toBe('canceled');
      await eventually(() => feed.orders().some((e) => e.order.status === 'canceled'));
    } finally {
      await account.close();
    }
  });
});
