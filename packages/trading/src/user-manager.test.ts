import {
  AuthenticationError,
  type BusEvent,
  ClosedError,
  ConfigurationError,
  CoreTokens,
  createCredentials,
  createVenuekit,
  type Fill,
  InProcessBus,
  InsufficientFundsError,
  telemetry,
  type UserSessionEvent,
  ValidationError,
  type VenuekitError,
} from '@venuekit/core';
import { FakeExchange, fakeExchangeModule } from '@venuekit/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { recognisableKeys, recordUserEvents, waitFor } from '../test/helpers';
import type { OrderUpdate } from './order-tracker';
import { tradingModule } from './module';
import { UserManager, type UserManagerOptions } from './user-manager';
import type { SessionStatusEvent } from './user-session';

const closers: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** A fake exchange with funded accounts for `names`, and a manager on it. */
function setup(names: readonly string[], options: Partial<UserManagerOptions> = {}) {
  const fake = new FakeExchange();
  const keys = new Map<string, { apiKey: string; secretKey: string; accountId: string }>();
  for (const name of names) {
    const k = recognisableKeys(name);
    const { accountId } = fake.addAccount({
      ...k,
      balances: { USDT: '100000', BTC: '10' },
    });
    keys.set(name, { ...k, accountId });
  }
  const bus = new InProcessBus();
  const manager = new UserManager({ adapters: fake, bus, ...options });
  closers.push(
    () => fake.close(),
    () => bus.close(),
    () => manager.close(),
  );
  const key = (name: string) => keys.get(name) as { apiKey: string; secretKey: string; accountId: string };
  return { fake, manager, bus, key };
}

async function caught(promise: Promise<unknown>): Promise<VenuekitError> {
  try {
    await promise;
  } catch (error) {
    return error as VenuekitError;
  }
  throw new Error('expected a rejection');
}

const limitBuy = (price: string, quantity = '0.01') => ({
  symbol: 'BTC/USDT',
  side: 'BUY' as const,
  type: 'LIMIT' as const,
  quantity,
  price,
  timeInForce: 'GTC' as const,
});

describe('UserManager on the in-memory fake exchange', () => {
  it('runs the seed verbs for several users, each seeing only their own orders', async () => {
    const { manager, key, fake } = setup(['alice', 'bob', 'carol']);
    for (const name of ['alice', 'bob', 'carol']) {
      await manager.connectUser(name, key(name).apiKey, key(name).secretKey);
    }
    expect(manager.listUsers().sort()).toEqual(['alice', 'bob', 'carol']);

    const placed = {
      alice: await manager.placeOrder('alice', limitBuy('50000.00')),
      bob: await manager.placeOrder('bob', limitBuy('51000.00')),
      carol: await manager.placeOrder('carol', limitBuy('52000.00')),
    };
    for (const [name, order] of Object.entries(placed)) {
      expect(order.status).toBe('new');
      const open = await manager.getOrders(name, 'BTC/USDT');
      expect(open.map((o) => o.id)).toEqual([order.id]);
      // The venue agrees: the order belongs to this user's account.
      expect(fake.market.orders(key(name).accountId).map((o) => String(o.orderId))).toEqual([order.id]);
    }

    const balances = await manager.getBalance('alice');
    const usdt = balances.find((b) => b.asset === 'USDT');
    expect(usdt?.locked.toString()).toBe('500');

    const canceled = await manager.cancelOrder('alice', placed.alice.id, 'BTC/USDT');
    expect(canceled.status).toBe('canceled');
    expect(await manager.getOrders('alice', 'BTC/USDT')).toEqual([]);
    expect((await manager.getOrders('bob', 'BTC/USDT')).map((o) => o.id)).toEqual([placed.bob.id]);

    await manager.disconnectUser('alice');
    expect(manager.listUsers().sort()).toEqual(['bob', 'carol']);
  });

  it('delivers order updates, fills and balance changes to the right user only, each fill once', async () => {
    const { manager, key } = setup(['alice', 'bob', 'carol']);
    const recorder = await recordUserEvents(manager, ['alice', 'bob', 'carol']);
    closers.push(() => recorder.stop());
    const sessions = {
      alice: await manager.connectUser('alice', {
        apiKey: key('alice').apiKey,
        secret: key('alice').secretKey,
      }),
      bob: await manager.connectUser('bob', key('bob').apiKey, key('bob').secretKey),
      carol: await manager.connectUser('carol', key('carol').apiKey, key('carol').secretKey),
    };
    // Alice rests a sell; Bob takes half, then the rest, with market orders.
    const sell = await sessions.alice.placeOrder({
      symbol: 'BTC/USDT',
      side: 'sell',
      type: 'limit',
      quantity: '0.02',
      price: '60000.00',
    });
    const take1 = await sessions.bob.placeOrder({
      symbol: 'BTC/USDT',
      side: 'buy',
      type: 'market',
      quantity: '0.01',
    });
    const take2 = await sessions.bob.placeOrder({
      symbol: 'BTC/USDT',
      side: 'buy',
      type: 'market',
      quantity: '0.01',
    });
    expect(take1.status).toBe('filled');
    expect(take2.status).toBe('filled');

    const events = recorder.events;
    const ofType = (user: string, type: string) =>
      (events.get(user) ?? []).filter((event: BusEvent) => event.type === type);
    await waitFor(
      () =>
        ofType('alice', 'order').some((e) => (e.data as OrderUpdate).order.status === 'filled') &&
        ofType('alice', 'fill').length >= 2 &&
        ofType('bob', 'fill').length >= 2 &&
        ofType('bob', 'balances').length > 0,
      'both sides of the trades',
    );
    // Let any duplicate arrive before counting.
    await new Promise((resolve) => setImmediate(resolve));

    for (const [user, list] of events) {
      for (const event of list) {
        expect(event.userId).toBe(user);
        expect(event.topic.startsWith(`user.${user}.`)).toBe(true);
      }
    }
    // Carol hears only about her own session.
    expect(events.get('carol')?.map((e) => e.type)).toEqual(['status']);

    const aliceOrderIds = new Set(ofType('alice', 'order').map((e) => (e.data as OrderUpdate).order.id));
    expect(aliceOrderIds).toEqual(new Set([sell.id]));
    const aliceStatuses = ofType('alice', 'order').map((e) => (e.data as OrderUpdate).order.status);
    expect(aliceStatuses).toEqual(['new', 'partially_filled', 'filled']);

    const bobOrderIds = new Set(ofType('bob', 'order').map((e) => (e.data as OrderUpdate).order.id));
    expect(bobOrderIds).toEqual(new Set([take1.id, take2.id]));
    // Each fill once, although each came both with the placement response and on the stream.
    const bobFills = ofType('bob', 'fill').map((e) => (e.data as Fill).tradeId);
    expect(bobFills).toHaveLength(2);
    expect(new Set(bobFills).size).toBe(2);
    const aliceFills = ofType('alice', 'fill').map((e) => e.data as Fill);
    expect(aliceFills.map((f) => f.tradeId).sort()).toEqual([...bobFills].sort());
    expect(aliceFills.every((f) => f.orderId === sell.id && f.side === 'sell')).toBe(true);

    expect(sessions.alice.trackedOrder({ symbol: 'BTC/USDT', orderId: sell.id })?.status).toBe('filled');
    expect(sessions.alice.trackedOpenOrders()).toEqual([]);
    const aliceBtc = sessions.alice.trackedBalances().find((b) => b.asset === 'BTC');
    expect(aliceBtc?.total.toString()).toBe('9.98');
  });

  it('gives clear typed errors: same user twice, unknown users, bad input, bad keys', async () => {
    const { manager, key, fake } = setup(['alice']);
    const { apiKey, secretKey, accountId } = key('alice');

    const [first, second] = await Promise.allSettled([
      manager.connectUser('alice', apiKey, secretKey),
      manager.connectUser('alice', apiKey, secretKey),
    ]);
    expect(first.status).toBe('fulfilled');
    expect(second.status).toBe('rejected');
    const twice = (second as PromiseRejectedResult).reason as VenuekitError;
    expect(twice).toBeInstanceOf(ConfigurationError);
    expect(twice.code).toBe('USER_ALREADY_CONNECTED');
    expect(twice.context.userId).toBe('alice');

    for (const call of [
      () => manager.placeOrder('nobody', limitBuy('50000.00')),
      () => manager.cancelOrder('nobody', '1', 'BTC/USDT'),
      () => manager.getBalance('nobody'),
      () => manager.getOrders('nobody', 'BTC/USDT'),
      () => manager.disconnectUser('nobody'),
    ]) {
      const error = await caught(call());
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error.code).toBe('USER_NOT_FOUND');
      expect(error.context.userId).toBe('nobody');
    }
    expect(() => manager.getSession('nobody')).toThrow(ConfigurationError);

    const badId = await caught(manager.connectUser('user.with.dots', apiKey, secretKey));
    expect(badId).toBeInstanceOf(ValidationError);
    expect((badId as ValidationError).field).toBe('userId');
    const noSecret = await caught(manager.connectUser('dave', apiKey, undefined as unknown as string));
    expect((noSecret as ValidationError).field).toBe('secretKey');

    // Bad input is refused before anything reaches the venue.
    const badOrder = await caught(
      manager.placeOrder('alice', { ...limitBuy('50000.00'), quantity: 0.5 as never }),
    );
    expect(badOrder).toBeInstanceOf(ValidationError);
    expect(badOrder.context).toMatchObject({
      userId: 'alice',
      operation: 'placeOrder',
      field: 'quantity',
      sent: false,
    });
    const badSymbol = await caught(manager.getOrders('alice', 'BTCUSDT'));
    expect((badSymbol as ValidationError).field).toBe('symbol');
    expect(fake.market.orders(accountId)).toEqual([]);

    // Wrong secret, unknown key: typed errors at connect, and the user is not left half-connected.
    const wrongSecret = await caught(manager.connectUser('eve', apiKey.replace('alice', 'evexx'), secretKey));
    expect(wrongSecret).toBeInstanceOf(AuthenticationError);
    expect(wrongSecret.context).toMatchObject({ userId: 'eve', operation: 'verifyCredentials' });
    const other = fake.addAccount({ balances: { USDT: '10' } });
    const badSignature = await caught(
      manager.connectUser('frank', {
        apiKey: other.credentials.apiKey.reveal(),
        secret: 'not-the-right-secret-for-this-key',
      }),
    );
    expect(badSignature).toBeInstanceOf(AuthenticationError);
    expect(badSignature.code).toBe('INVALID_SIGNATURE');
    expect(manager.listUsers()).toEqual(['alice']);

    // One API key for two users would let each see and cancel the other's orders.
    const shared = await caught(manager.connectUser('mallory', apiKey, secretKey));
    expect(shared).toBeInstanceOf(ValidationError);
    expect((shared as ValidationError).field).toBe('credentials');
    expect(shared.message).not.toContain('alice');
  });

  it('enriches venue errors with who, what and where, and one user’s failure leaves the others trading', async () => {
    const { manager, key, fake } = setup(['alice', 'bob']);
    const poor = fake.addAccount({ balances: { USDT: '10' } });
    await manager.connectUser('alice', key('alice').apiKey, key('alice').secretKey);
    await manager.connectUser('bob', key('bob').apiKey, key('bob').secretKey);
    await manager.connectUser('poor', poor.credentials);

    const error = await caught(manager.placeOrder('poor', limitBuy('50000.00', '1')));
    expect(error).toBeInstanceOf(InsufficientFundsError);
    const json = error.toJSON();
    expect(json).toMatchObject({
      code: 'INSUFFICIENT_FUNDS',
      category: 'insufficient_funds',
      retryable: false,
      context: { userId: 'poor', symbol: 'BTC/USDT', operation: 'placeOrder', exchange: 'fake' },
    });
    expect(json.severity).toBeTruthy();
    expect(json.userMessage.length).toBeGreaterThan(0);
    expect(json.recoverySuggestions.length).toBeGreaterThan(0);
    expect(json.context.clientOrderId).toMatch(/^vk/);
    expect(json.context.sessionId).toBe(manager.getSession('poor').sessionId);

    // The failure was the poor user's alone.
    const order = await manager.placeOrder('alice', limitBuy('50000.00'));
    expect(order.status).toBe('new');
    expect(manager.getSession('poor').state).toBe('active');
    expect(manager.getSession('bob').status().failures).toBe(0);
  });

  it('stops a user whose key is revoked, and only that user', async () => {
    const { manager, key, fake } = setup(['alice', 'bob']);
    const recorder = await recordUserEvents(manager, ['alice', 'bob']);
    closers.push(() => recorder.stop());
    const alice = await manager.connectUser('alice', key('alice').apiKey, key('alice').secretKey);
    const bob = await manager.connectUser('bob', key('bob').apiKey, key('bob').secretKey);
    await alice.placeOrder(limitBuy('50000.00'));

    fake.market.revokeApiKey(key('alice').apiKey);
    const status = await waitFor(
      () =>
        recorder.events
          .get('alice')
          ?.find((e) => e.type === 'status' && (e.data as SessionStatusEvent).state === 'unauthorized'),
      'alice’s unauthorized status',
    );
    expect((status.data as SessionStatusEvent).error?.code).toBe('AUTHENTICATION_FAILED');
    expect(alice.state).toBe('unauthorized');

    const sentBefore = alice.status().requests;
    const refused = await caught(alice.placeOrder(limitBuy('50001.00')));
    expect(refused).toBeInstanceOf(AuthenticationError);
    expect(refused.context).toMatchObject({ userId: 'alice', operation: 'placeOrder', sent: false });
    expect(alice.status().requests).toBe(sentBefore);

    // Bob trades on, against Alice's resting order even.
    const fill = await bob.placeOrder({ symbol: 'BTC/USDT', side: 'sell', type: 'market', quantity: '0.01' });
    expect(fill.status).toBe('filled');
    expect(bob.state).toBe('active');
    const bobStatuses = recorder.events.get('bob')?.filter((e) => e.type === 'status') ?? [];
    expect(bobStatuses.map((e) => (e.data as SessionStatusEvent).state)).toEqual(['active']);
    expect(manager.getSession('bob').status().userData).toBe('connected');
  });

  it('shares the venue fairly: a user with one request is not stuck behind another’s backlog', async () => {
    const { manager, key } = setup(['greedy', 'modest'], { fairness: { maxConcurrent: 1 } });
    const greedy = await manager.connectUser('greedy', key('greedy').apiKey, key('greedy').secretKey);
    const modest = await manager.connectUser('modest', key('modest').apiKey, key('modest').secretKey);
    const done: string[] = [];
    const backlog = Array.from({ length: 40 }, (_, i) =>
      greedy.getOrderHistory('BTC/USDT').then(() => done.push(`greedy${i}`)),
    );
    const mine = Array.from({ length: 3 }, (_, i) =>
      modest.placeOrder(limitBuy(`5${i}000.00`)).then(() => done.push(`modest${i}`)),
    );
    expect(greedy.status().queued).toBeGreaterThan(30);
    await Promise.all([...backlog, ...mine]);
    // Order placements cost 1 and history queries 20: the modest user's three go out almost at once.
    const lastModest = Math.max(...[0, 1, 2].map((i) => done.indexOf(`modest${i}`)));
    expect(lastModest).toBeLessThan(6);
  });

  it('refuses a user’s requests beyond their queue limit without affecting others', async () => {
    const { manager, key } = setup(['greedy', 'modest'], {
      fairness: { maxConcurrent: 1, maxQueuedPerUser: 5 },
    });
    const greedy = await manager.connectUser('greedy', key('greedy').apiKey, key('greedy').secretKey);
    const modest = await manager.connectUser('modest', key('modest').apiKey, key('modest').secretKey);
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => greedy.getOpenOrders('BTC/USDT')),
    );
    const refused = results.filter((r) => r.status === 'rejected');
    expect(refused.length).toBe(4); // one in flight, five waiting
    expect((refused[0] as PromiseRejectedResult).reason).toMatchObject({
      code: 'RATE_LIMITED',
      context: { userId: 'greedy', sent: false, operation: 'getOpenOrders' },
    });
    // A refusal made here is not the venue's rate limit: the user is not held back afterwards.
    await expect(greedy.getOpenOrders('BTC/USDT')).resolves.toEqual([]);
    await expect(modest.getOpenOrders('BTC/USDT')).resolves.toEqual([]);
  });

  it('disconnecting stops the user’s stream and waiting requests and forgets their credentials', async () => {
    const { manager, key, fake } = setup(['alice', 'bob'], { fairness: { maxConcurrent: 1 } });
    const credentials = createCredentials({ apiKey: key('alice').apiKey, secret: key('alice').secretKey });
    const recorder = await recordUserEvents(manager, ['alice']);
    closers.push(() => recorder.stop());
    const sessionEvents: UserSessionEvent[] = [];
    closers.push(telemetry.userSession.subscribe((event) => sessionEvents.push(event)));

    const alice = await manager.connectUser('alice', credentials);
    const bob = await manager.connectUser('bob', key('bob').apiKey, key('bob').secretKey);
    const resting = await alice.placeOrder(limitBuy('50000.00'));
    const waiting = [alice.getOrderHistory('BTC/USDT'), alice.getOrderHistory('BTC/USDT')];
    await manager.disconnectUser('alice');

    for (const result of await Promise.allSettled(waiting)) {
      if (result.status === 'rejected') {
        expect(result.reason).toBeInstanceOf(ClosedError);
        expect((result.reason as VenuekitError).context.sent).toBe(false);
      }
    }
    expect(credentials.apiKey.disposed).toBe(true);
    expect(credentials.type === 'hmac' && credentials.secret.disposed).toBe(true);
    expect(alice.state).toBe('closed');
    expect(await caught(alice.getBalances())).toBeInstanceOf(ClosedError);
    expect(() => manager.getSession('alice')).toThrow(/not connected/);
    expect(sessionEvents.filter((e) => e.userId === 'alice').map((e) => e.event)).toEqual([
      'connected',
      'disconnected',
    ]);

    // Her resting order still fills on the venue, but nothing reaches her topics any more.
    const eventsBefore = recorder.events.get('alice')?.length ?? 0;
    await bob.placeOrder({ symbol: 'BTC/USDT', side: 'sell', type: 'market', quantity: '0.01' });
    await waitFor(() => fake.market.orders(key('alice').accountId).length === 0, 'the resting order to fill');
    await new Promise((resolve) => setImmediate(resolve));
    expect(recorder.events.get('alice')).toHaveLength(eventsBefore);
    expect(resting.status).toBe('new');

    // She can connect again, with fresh credentials.
    const again = await manager.connectUser('alice', key('alice').apiKey, key('alice').secretKey);
    expect(again.sessionId).not.toBe(alice.sessionId);
    const history = await again.getOrderHistory('BTC/USDT');
    expect(history.find((o) => o.id === resting.id)?.status).toBe('filled');

    await manager.close();
    expect(manager.listUsers()).toEqual([]);
    expect(
      await caught(manager.connectUser('carol', recognisableKeys('carol').apiKey, 'x'.repeat(64))),
    ).toBeInstanceOf(ClosedError);
  });

  it('reports health: degraded with nobody connected, healthy with working sessions, degraded with a rejected key', async () => {
    const { manager, key, fake } = setup(['alice', 'bob']);
    const { TradingSystemHealth, UserConnectionsHealth } = await import('./health');
    const trading = new TradingSystemHealth(manager);
    const users = new UserConnectionsHealth(manager);
    expect(trading.check()).toMatchObject({ status: 'degraded', totalUsers: 0, activeConnections: 0 });
    expect(users.check()).toMatchObject({ status: 'healthy', total: 0 });

    await manager.connectUser('alice', key('alice').apiKey, key('alice').secretKey);
    await manager.connectUser('bob', key('bob').apiKey, key('bob').secretKey);
    expect(trading.check()).toMatchObject({ status: 'healthy', totalUsers: 2, activeConnections: 2 });

    fake.market.revokeApiKey(key('bob').apiKey);
    await waitFor(() => manager.getSession('bob').state === 'unauthorized', 'bob to be unauthorized');
    expect(trading.check()).toMatchObject({ status: 'degraded', totalUsers: 2, activeConnections: 1 });
    const report = users.check();
    expect(report).toMatchObject({ status: 'degraded', total: 2, unauthorized: 1, userDataConnected: 1 });
    expect((report.users as Array<{ userId: string }>)[0]?.userId).toBe('bob');

    await manager.close();
    expect(trading.check().status).toBe('unhealthy');
  });
});

describe('tradingModule', () => {
  it('puts the manager on venuekit.trading with the system’s adapters, bus and health, and closes it with the system', async () => {
    const venuekit = createVenuekit({ modules: [fakeExchangeModule(), tradingModule()] });
    closers.push(() => venuekit.close());
    const account = venuekit.fakeExchange.addAccount({ balances: { USDT: '1000' } });
    const events: BusEvent[] = [];
    await venuekit.trading.subscribe('alice', 'orders', (event) => events.push(event));
    const session = await venuekit.trading.connectUser('alice', account.credentials);
    await session.placeOrder(limitBuy('50000.00'));
    expect(events).toHaveLength(1);

    const components = venuekit.getAll(CoreTokens.HealthContributor).map((c) => c.component);
    expect(components).toEqual(expect.arrayContaining(['tradingSystem', 'userConnections']));

    await venuekit.close();
    expect(venuekit.trading.listUsers()).toEqual([]);
    expect(session.state).toBe('closed');
    expect(account.credentials.apiKey.disposed).toBe(true);
  });
});
