// Many accounts on one adapter share its WebSocket API connections: user data subscribed with
// userDataStream.subscribe.signature and routed by subscriptionId, orders signed per request with
// each account's own key. Counted at the fake Binance, over real sockets.
import { generateKeyPairSync } from 'node:crypto';
import {
  type AccountClient,
  AuthenticationError,
  createCredentials,
  Decimal,
  normalizeOrderRequest,
  type UserDataEvent,
  type VenuekitError,
} from '@venuekit/core';
import { type FakeBinance, startFakeBinance } from '@venuekit/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { BinanceAdapter } from '../src/adapter';
import { eventually } from './trading-harness';

const ACCOUNTS = 300;
const PER_CONNECTION = 200;

const keysOf = (i: number) => {
  const id = String(i).padStart(4, '0');
  return { apiKey: `VKSHAREDKEY${id}`.padEnd(64, 'k'), secretKey: `VKSHAREDSECRET${id}`.padEnd(64, 's') };
};
// Each account buys at its own price, so its locked USDT says whose balance an event is.
const priceOf = (i: number) => (10_000 + i).toFixed(2);

interface Member {
  readonly index: number;
  readonly id: string;
  readonly account: AccountClient;
  readonly events: UserDataEvent[];
  readonly errors: VenuekitError[];
}

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function setup(count: number, limits: { venue?: number; adapter?: number } = {}) {
  const fake: FakeBinance = await startFakeBinance({
    symbols: ['BTCUSDT'],
    simulation: false,
    accounts: Array.from({ length: count }, (_, i) => ({
      id: `a${i}`,
      ...keysOf(i),
      balances: { BTC: '1', USDT: '1000000' },
    })),
    limits: {
      requestWeight: 10_000_000,
      ordersPer10s: 1_000_000,
      maxUserDataSubscriptions: limits.venue ?? PER_CONNECTION,
    },
  });
  closers.push(() => fake.close());
  let attempts = 0;
  const stopCounting = fake.handle.onConnection((info) => {
    if (info.kind === 'wsApi') attempts++;
  });
  closers.push(async () => stopCounting());
  const adapter = new BinanceAdapter(
    { urls: { rest: fake.restUrl, streams: fake.streamsUrl, wsApi: fake.wsApiUrl } },
    limits.adapter === undefined && limits.venue !== undefined
      ? {}
      : { wsApiSubscriptionsPerConnection: limits.adapter ?? PER_CONNECTION },
  );
  closers.push(() => adapter.close());
  const members: Member[] = [];
  await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const { apiKey, secretKey } = keysOf(i);
      const account = adapter.createAccount(createCredentials({ apiKey, secret: secretKey }), {
        userId: `u${i}`,
      });
      const member: Member = { index: i, id: `a${i}`, account, events: [], errors: [] };
      await account.subscribeUserData({
        next: (event) => member.events.push(event),
        error: (error) => member.errors.push(error),
      });
      members.push(member);
    }),
  );
  members.sort((a, b) => a.index - b.index);
  return { fake, adapter, members, attempts: () => attempts };
}

const orders = (member: Member) => member.events.flatMap((e) => (e.type === 'order' ? [e.order] : []));

/** Every order event a member saw is one of its own orders at the venue; every balance is its own. */
function expectOnlyOwnEvents(fake: FakeBinance, members: readonly Member[]): void {
  for (const member of members) {
    const own = new Set(
      fake.handle.engine.allOrders(member.id, { symbol: 'BTCUSDT', limit: 1000 }).map((o) => o.clientOrderId),
    );
    for (const order of orders(member)) expect(own.has(order.clientOrderId)).toBe(true);
    const lockedQuote = new Decimal(priceOf(member.index)).mul('0.001');
    for (const event of member.events) {
      if (event.type !== 'balances') continue;
      const usdt = event.balances.find((b) => b.asset === 'USDT');
      // Locked USDT is this member's order(s) only: a multiple of its own price × quantity.
      if (usdt && !usdt.locked.isZero()) expect(usdt.locked.mod(lockedQuote).isZero()).toBe(true);
    }
  }
}

describe('WebSocket API connections shared by the accounts of an adapter', () => {
  it(`carries ${ACCOUNTS} accounts' user data on two connections, each account getting only its own`, async () => {
    const { fake, adapter, members, attempts } = await setup(ACCOUNTS);
    // 300 subscriptions, 200 per connection: two connections, opened once each.
    expect(fake.handle.connections('wsApi')).toHaveLength(2);
    expect(attempts()).toBe(2);
    expect(adapter.wsApi.subscriptions()).toEqual([PER_CONNECTION, ACCOUNTS - PER_CONNECTION]);
    expect(members.every((m) => m.account.status().userDataConnected)).toBe(true);

    // Orders over the shared connections, each signed with its account's own key.
    const placed = await Promise.all(
      members.map((m) =>
        m.account.placeOrder(
          normalizeOrderRequest({
            symbol: 'BTC/USDT',
            side: 'buy',
            type: 'limit',
            quantity: '0.001',
            price: priceOf(m.index),
          }),
          { transport: 'websocket' },
        ),
      ),
    );
    for (const [i, order] of placed.entries()) {
      expect(fake.handle.orders(`a${i}`).map((o) => o.clientOrderId)).toEqual([order.clientOrderId]);
    }
    await eventually(
      () => members.every((m) => orders(m).some((o) => o.clientOrderId === placed[m.index]?.clientOrderId)),
      60_000,
      'every account’s own order event',
    );
    expectOnlyOwnEvents(fake, members);
    expect(fake.handle.connections('wsApi')).toHaveLength(2);
  }, 120_000);

  it('after the connections drop, resubscribes every account and catches up what it missed', async () => {
    const { fake, adapter, members, attempts } = await setup(ACCOUNTS);
    expect(fake.handle.faults.dropConnection({ kind: 'wsApi' })).toBe(2);
    // While the accounts are away, each gets an order at the venue.
    const missed = members.map((m) =>
      fake.handle.engine.placeOrder(m.id, {
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'LIMIT',
        timeInForce: 'GTC',
        price: new Decimal(priceOf(m.index)),
        quantity: new Decimal('0.001'),
        newClientOrderId: `missed${m.index}`,
      }),
    );
    expect(missed).toHaveLength(ACCOUNTS);
    await eventually(
      () =>
        members.every(
          (m) => m.account.status().userDataConnected && m.account.status().userDataReconnects === 1,
        ),
      90_000,
      'every account subscribed again',
    );
    // The catch-up reported the order each missed, to its own account only.
    await eventually(
      () => members.every((m) => orders(m).some((o) => o.clientOrderId === `missed${m.index}`)),
      90_000,
      'the missed orders',
    );
    // Live again on the new connections.
    for (const m of members) {
      fake.handle.engine.placeOrder(m.id, {
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'LIMIT',
        timeInForce: 'GTC',
        price: new Decimal(priceOf(m.index)),
        quantity: new Decimal('0.001'),
        newClientOrderId: `live${m.index}`,
      });
    }
    await eventually(
      () => members.every((m) => orders(m).some((o) => o.clientOrderId === `live${m.index}`)),
      60_000,
      'the live orders after the reconnect',
    );
    expectOnlyOwnEvents(fake, members);
    expect(fake.handle.connections('wsApi')).toHaveLength(2);
    expect(attempts()).toBe(4);
    expect(adapter.wsApi.subscriptions().reduce((a, b) => a + b, 0)).toBe(ACCOUNTS);
  }, 180_000);

  it('a revoked key ends only that account’s subscription; an Ed25519 account shares the connection', async () => {
    const { fake, adapter, members } = await setup(20);
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const edKey = 'VKSHAREDKEYed25519'.padEnd(64, 'k');
    fake.handle.engine.createAccount({
      id: 'ed',
      apiKey: edKey,
      ed25519PublicKey: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
      balances: { USDT: '100000' },
    });
    const ed = adapter.createAccount(
      createCredentials({
        apiKey: edKey,
        privateKey: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
      }),
      { userId: 'ed' },
    );
    const edEvents: UserDataEvent[] = [];
    await ed.subscribeUserData({ next: (event) => edEvents.push(event) });
    // Per-request Ed25519 signatures on the shared connection: no connection of its own.
    expect(fake.handle.connections('wsApi')).toHaveLength(1);
    const edOrder = await ed.placeOrder(
      normalizeOrderRequest({
        symbol: 'BTC/USDT',
        side: 'buy',
        type: 'limit',
        quantity: '0.001',
        price: '9000',
      }),
      { transport: 'websocket' },
    );
    await eventually(
      () => edEvents.some((e) => e.type === 'order' && e.order.id === edOrder.id),
      10_000,
      'ed order',
    );

    const victim = members[3] as Member;
    fake.handle.engine.revokeApiKey(keysOf(3).apiKey);
    await eventually(() => victim.errors.length > 0, 20_000, 'the revocation');
    expect(victim.errors[0]).toBeInstanceOf(AuthenticationError);
    expect(victim.account.status().userDataConnected).toBe(false);
    // Everyone else is still subscribed on the same connection, and still served.
    expect(adapter.wsApi.subscriptions()).toEqual([20]);
    for (const m of members) {
      if (m === victim) continue;
      expect(m.errors).toEqual([]);
      fake.handle.engine.placeOrder(m.id, {
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'LIMIT',
        timeInForce: 'GTC',
        price: new Decimal(priceOf(m.index)),
        quantity: new Decimal('0.001'),
        newClientOrderId: `after${m.index}`,
      });
    }
    await eventually(
      () =>
        members.every((m) => m === victim || orders(m).some((o) => o.clientOrderId === `after${m.index}`)),
      20_000,
      'orders after the revocation',
    );
    expect(fake.handle.connections('wsApi')).toHaveLength(1);
    expectOnlyOwnEvents(
      fake,
      members.filter((m) => m !== victim),
    );
  }, 60_000);

  it('when the venue refuses more subscriptions on a connection (-2042), opens another', async () => {
    // The adapter expects Binance's 1000 per connection; this venue stops at 50.
    const { fake, adapter, members, attempts } = await setup(120, { venue: 50 });
    expect(members.every((m) => m.account.status().userDataConnected)).toBe(true);
    expect(adapter.wsApi.subscriptions()).toEqual([50, 50, 20]);
    expect(fake.handle.connections('wsApi')).toHaveLength(3);
    expect(attempts()).toBe(3);
  }, 60_000);
});
