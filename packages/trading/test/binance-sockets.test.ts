// Trading sessions over real sockets: the Binance adapter (REST, WebSocket API, user data stream)
// against the testkit's fake Binance on 127.0.0.1.
import {
  AuthenticationError,
  type BusEvent,
  Decimal,
  type Fill,
  InProcessBus,
  InsufficientFundsError,
  IpBannedError,
  RateLimitError,
  telemetry,
  type VenuekitError,
} from '@venuekit/core';
import { BinanceAdapter } from '@venuekit/adapter-binance';
import { type FakeBinance, type FakeBinanceOptions, startFakeBinance } from '@venuekit/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type OrderUpdate,
  type SessionStatusEvent,
  UserManager,
  type UserManagerOptions,
} from '../src/index';
import { capturingLogger, recognisableKeys, recordUserEvents, waitFor } from './helpers';
import { expectNoSecret, runLeakScenario } from './leak-scan';

const closers: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

const USERS = ['alice', 'bob', 'carol'] as const;

async function setup(options: { fake?: FakeBinanceOptions; manager?: Partial<UserManagerOptions> } = {}) {
  const { logger, lines } = capturingLogger();
  const fake: FakeBinance = await startFakeBinance({
    symbols: ['BTCUSDT'],
    simulation: false,
    accounts: USERS.map((name) => ({
      id: name,
      ...recognisableKeys(name),
      balances: { BTC: '10', USDT: '1000000' },
    })),
    ...options.fake,
  });
  closers.push(() => fake.close());
  const adapter = new BinanceAdapter(
    { urls: { rest: fake.restUrl, streams: fake.streamsUrl, wsApi: fake.wsApiUrl } },
    { logger },
  );
  closers.push(() => adapter.close());
  const bus = new InProcessBus();
  closers.push(() => bus.close());
  const manager = new UserManager({ adapters: adapter, bus, logger, ...options.manager });
  closers.push(() => manager.close());
  const connect = (name: string) => {
    const { apiKey, secretKey } = recognisableKeys(name);
    return manager.connectUser(name, apiKey, secretKey);
  };
  return { fake, adapter, manager, connect, lines };
}

async function caught(promise: Promise<unknown>): Promise<VenuekitError> {
  try {
    await promise;
  } catch (error) {
    return error as VenuekitError;
  }
  throw new Error('expected a rejection');
}

const limitBuy = (price: string) =>
  ({ symbol: 'BTC/USDT', side: 'BUY', type: 'LIMIT', quantity: '0.01', price, timeInForce: 'GTC' }) as const;

describe('trading sessions over real sockets (Binance adapter, fake Binance)', () => {
  it('isolates users: orders, fills and balance changes reach their owner only', async () => {
    const { manager, connect, fake } = await setup();
    const recorder = await recordUserEvents(manager, [...USERS]);
    closers.push(() => recorder.stop());
    const alice = await connect('alice');
    const bob = await connect('bob');
    const carol = await connect('carol');
    expect(alice.status().userData).toBe('connected');

    const resting = await carol.placeOrder(limitBuy('50000.00'));
    const sell = await alice.placeOrder({
      symbol: 'BTC/USDT',
      side: 'sell',
      type: 'limit',
      quantity: '0.02',
      price: '60000.00',
    });
    const take = await bob.placeOrder({ symbol: 'BTC/USDT', side: 'buy', type: 'market', quantity: '0.02' });
    expect(take.status).toBe('filled');

    const of = (user: string, type: string) =>
      (recorder.events.get(user) ?? []).filter((e) => e.type === type);
    await waitFor(
      () =>
        of('alice', 'order').some((e) => (e.data as OrderUpdate).order.status === 'filled') &&
        of('alice', 'fill').length > 0 &&
        of('bob', 'fill').length > 0 &&
        of('bob', 'balances').length > 0 &&
        of('carol', 'order').length > 0,
      'the user data of all three users',
    );

    for (const [user, events] of recorder.events) {
      for (const event of events) {
        expect(event.userId).toBe(user);
        expect(event.topic.startsWith(`user.${user}.`)).toBe(true);
      }
    }
    const orderIds = (user: string) =>
      new Set(of(user, 'order').map((e) => (e.data as OrderUpdate).order.id));
    expect(orderIds('alice')).toEqual(new Set([sell.id]));
    expect(orderIds('bob')).toEqual(new Set([take.id]));
    expect(orderIds('carol')).toEqual(new Set([resting.id]));
    expect(of('carol', 'fill')).toEqual([]);
    // Each fill once on each side, though Bob's came both in the placement response and on his stream.
    const bobTrades = of('bob', 'fill').map((e) => (e.data as Fill).tradeId);
    const aliceTrades = of('alice', 'fill').map((e) => (e.data as Fill).tradeId);
    expect(new Set(bobTrades).size).toBe(bobTrades.length);
    expect([...aliceTrades].sort()).toEqual([...bobTrades].sort());

    // The venue agrees with each user's view.
    expect(fake.handle.orders('carol').map((o) => String(o.orderId))).toEqual([resting.id]);
    expect((await manager.getOrders('carol', 'BTC/USDT')).map((o) => o.id)).toEqual([resting.id]);
    expect(await manager.getOrders('alice', 'BTC/USDT')).toEqual([]);
    const aliceBtc = (await manager.getBalance('alice')).find((b) => b.asset === 'BTC');
    expect(aliceBtc?.total.toString()).toBe('9.98');
  });

  it('a canceled order keeps the time it was created, not the time of the cancel', async () => {
    const { connect } = await setup();
    const carol = await connect('carol');
    const placed = await carol.placeOrder(limitBuy('50000.00'));
    await waitFor(() => Date.now() > placed.createdAt + 2, 'a later millisecond');
    const canceled = await carol.cancelOrder({ symbol: 'BTC/USDT', orderId: placed.id });
    expect(canceled.status).toBe('canceled');
    expect(canceled.createdAt).toBe(placed.createdAt);
    expect(canceled.updatedAt).toBeGreaterThan(placed.createdAt);
  });

  it('a revoked key stops that user — nothing more is sent for them — while the others trade on', async () => {
    const { manager, connect, fake } = await setup();
    const recorder = await recordUserEvents(manager, ['alice', 'bob']);
    closers.push(() => recorder.stop());
    const alice = await connect('alice');
    const bob = await connect('bob');
    await alice.placeOrder(limitBuy('50000.00'));

    fake.handle.revokeApiKey(recognisableKeys('alice').apiKey);
    // The venue tells the stream (or the next request finds out); either way the session stops.
    const first = await alice.getBalances().then(
      () => undefined,
      (error: VenuekitError) => error,
    );
    if (first) expect(first).toBeInstanceOf(AuthenticationError);
    await waitFor(() => alice.state === 'unauthorized', 'alice to be unauthorized');
    const status = await waitFor(
      () =>
        recorder.events
          .get('alice')
          ?.find((e) => e.type === 'status' && (e.data as SessionStatusEvent).state === 'unauthorized'),
      'the unauthorized status event',
    );
    expect((status.data as SessionStatusEvent).error?.category).toBe('authentication');

    // Hammering with a refused key is what gets an IP banned: none of it reaches the venue.
    const weightBefore = fake.handle.usedWeight();
    const refusals = await Promise.all(
      Array.from({ length: 30 }, () => caught(alice.getOpenOrders('BTC/USDT'))),
    );
    for (const refusal of refusals) {
      expect(refusal).toBeInstanceOf(AuthenticationError);
      expect(refusal.context).toMatchObject({ userId: 'alice', sent: false, operation: 'getOpenOrders' });
    }
    expect(fake.handle.usedWeight()).toBe(weightBefore);

    const order = await bob.placeOrder({
      symbol: 'BTC/USDT',
      side: 'sell',
      type: 'market',
      quantity: '0.01',
    });
    expect(order.status).toBe('filled');
    expect(bob.state).toBe('active');
    expect(bob.status().userData).toBe('connected');
    expect(manager.getSession('bob').status().failures).toBe(0);
  });

  it('one user flooding orders past their account limit does not stop the others, nor get the IP banned', async () => {
    const { manager, connect, fake } = await setup({ fake: { limits: { ordersPer10s: 5 } } });
    const greedy = await connect('alice');
    const bob = await connect('bob');
    const settled: Array<string | VenuekitError> = [];
    const flood = Array.from({ length: 25 }, (_, i) =>
      greedy.placeOrder(limitBuy(`${40000 + i}.00`)).then(
        () => 'placed',
        (error: VenuekitError) => error,
      ),
    );
    for (const p of flood) p.then((r) => settled.push(r));

    // Bob's orders go through while Alice's flood is still held back (at most ten of hers fit in
    // two of the venue's 10-second windows).
    for (let i = 0; i < 3; i++) {
      const order = await bob.placeOrder(limitBuy(`${30000 + i}.00`));
      expect(order.status).toBe('new');
    }
    expect(settled.length).toBeLessThan(flood.length);
    expect(fake.handle.orders('bob')).toHaveLength(3);

    // Disconnecting Alice ends her flood; what was not placed was refused, never sent blindly.
    await manager.disconnectUser('alice');
    const results = await Promise.all(flood);
    for (const result of results) {
      if (result === 'placed') continue;
      expect(['RATE_LIMITED', 'CLOSED']).toContain((result as VenuekitError).code);
      expect((result as VenuekitError).context.userId).toBe('alice');
    }
    expect(results.some((r) => r instanceof IpBannedError)).toBe(false);
    const after = await bob.placeOrder(limitBuy('30100.00'));
    expect(after.status).toBe('new');
  });

  it('after the venue rate-limits one user, only that user is held back until Retry-After', async () => {
    const { connect, fake } = await setup();
    const alice = await connect('alice');
    const bob = await connect('bob');
    await alice.getOpenOrders('BTC/USDT'); // instruments and clock are ready: the fault hits the order
    fake.handle.faults.failRequests({
      endpoint: 'POST /api/v3/order',
      action: {
        type: 'error',
        status: 429,
        code: -1015,
        msg: 'Too many new orders; current limit is 5 orders per 10 SECOND.',
        retryAfterSeconds: 2,
      },
    });
    const limited = await caught(alice.placeOrder(limitBuy('50000.00')));
    expect(limited).toBeInstanceOf(RateLimitError);
    expect(limited.context).toMatchObject({ userId: 'alice', operation: 'placeOrder' });
    expect(limited.context.sent).toBeUndefined();
    expect(alice.status().cooldownUntil).toBeGreaterThan(Date.now());

    // Sending again now is what escalates to an IP ban: the session refuses without sending.
    const weightBefore = fake.handle.usedWeight();
    const held = await caught(alice.placeOrder(limitBuy('50000.00')));
    expect(held).toBeInstanceOf(RateLimitError);
    expect(held.context).toMatchObject({ userId: 'alice', sent: false });
    expect(held.retryAfterMs).toBeGreaterThan(0);
    expect(held.retryAfterMs).toBeLessThanOrEqual(2000);
    expect(fake.handle.usedWeight()).toBe(weightBefore);

    const order = await bob.placeOrder(limitBuy('50001.00'));
    expect(order.status).toBe('new');

    // After the cooldown her requests are sent again. (A read: the adapter itself keeps her orders
    // waiting for the account's next order-count windows after a -1015.)
    await waitFor(() => alice.status().cooldownUntil === undefined, 'the end of alice’s cooldown');
    const open = await alice.getOpenOrders('BTC/USDT');
    expect(open).toEqual([]);
  });

  it('enriches a venue rejection with the user, the operation and the market', async () => {
    const { manager, connect } = await setup();
    await connect('carol');
    const error = await caught(
      manager.placeOrder('carol', {
        symbol: 'BTC/USDT',
        side: 'SELL',
        type: 'LIMIT',
        quantity: '50',
        price: '70000.00',
      }),
    );
    expect(error).toBeInstanceOf(InsufficientFundsError);
    expect(error.toJSON()).toMatchObject({
      category: 'insufficient_funds',
      retryable: false,
      context: { userId: 'carol', operation: 'placeOrder', symbol: 'BTC/USDT', exchange: 'binance' },
    });
    expect(error.userMessage).toBeTruthy();
    expect(error.recoverySuggestions.length).toBeGreaterThan(0);
    expect(error.venue?.code).toBe(-2010);
  });

  it('disconnecting ends the user’s subscription at the venue; closing the manager ends everyone’s and the connection', async () => {
    const { manager, connect, fake } = await setup();
    const alice = await connect('alice');
    await connect('bob');
    const events: BusEvent[] = [];
    await manager.subscribe('alice', 'orders', (event) => events.push(event));
    // The users' subscriptions share the adapter's WebSocket API connection.
    const apiConnections = () => fake.handle.connections('wsApi').length;
    await waitFor(() => apiConnections() === 1, 'the shared WebSocket API connection');
    await manager.disconnectUser('alice');
    expect(alice.state).toBe('closed');
    expect(manager.listUsers()).toEqual(['bob']);
    // Counts every executionReport the venue sends (a delay of 0 changes nothing else).
    const reports = fake.handle.faults.messages({
      kind: 'wsApi',
      stream: 'executionReport',
      action: { type: 'delay', ms: 0 },
    });
    // An order placed on Alice's account by someone else (the venue's engine) reaches no topic of
    // hers: the venue has no subscription of hers left to send it to.
    fake.handle.engine.placeOrder('alice', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      quantity: new Decimal('0.01'),
      price: new Decimal('50000.00'),
      timeInForce: 'GTC',
    });
    await manager.getOrders('bob', 'BTC/USDT'); // a round trip, so a stray event would have arrived
    expect(events).toEqual([]);
    expect(reports.hits).toBe(0);
    // Bob's subscription is still there (and the counter counts).
    fake.handle.engine.placeOrder('bob', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      quantity: new Decimal('0.01'),
      price: new Decimal('50000.00'),
      timeInForce: 'GTC',
    });
    await reports.whenHit();
    reports.remove();
    await expect(manager.getOrders('alice', 'BTC/USDT')).rejects.toMatchObject({ code: 'USER_NOT_FOUND' });

    // Shutting the manager down does the same for everyone; with no account left the connection closes.
    await manager.close();
    await waitFor(() => apiConnections() === 0, 'the connection to close at the venue');
    expect(manager.listUsers()).toEqual([]);
  });

  it('after the user data stream ends for a reason other than rejected credentials, the session subscribes again, catches up and says so', async () => {
    const { manager, connect, fake } = await setup({
      manager: { userDataRetry: { initialMs: 100, maxMs: 1000 } },
    });
    const alice = await connect('alice');
    await connect('bob');
    const statuses: SessionStatusEvent[] = [];
    await manager.subscribe('alice', 'status', (event) => statuses.push(event.data as SessionStatusEvent));
    const updates: OrderUpdate[] = [];
    await manager.subscribe('alice', 'orders', (event) => updates.push(event.data as OrderUpdate));
    const fills: Fill[] = [];
    await manager.subscribe('alice', 'fills', (event) => fills.push(event.data as Fill));
    const resting = await alice.placeOrder(limitBuy('50000.00'));

    // The connection drops, and the venue refuses the resubscription in a way retrying it as is
    // cannot fix (errors.md -1020): the adapter ends the stream with that error.
    const refusal = fake.handle.faults.failRequests({
      endpoint: 'userDataStream.subscribe.signature',
      action: { type: 'error', status: 400, code: -1020, msg: 'This operation is not supported.' },
    });
    // The session's first attempt to list her trades fails: the catch-up is tried again.
    const tradesOutage = fake.handle.faults.failRequests({
      endpoint: '/api/v3/myTrades',
      action: { type: 'error', status: 503 },
    });
    expect(fake.handle.faults.dropConnection({ kind: 'wsApi' })).toBe(1);
    // Meanwhile Bob's sell fills Alice's order: the stream is not there to say so.
    fake.handle.engine.placeOrder('bob', {
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'LIMIT',
      quantity: new Decimal('0.01'),
      price: new Decimal('50000.00'),
      timeInForce: 'GTC',
    });
    await refusal.whenHit();
    const ended = await waitFor(
      () => statuses.find((s) => s.reason === 'user data stream ended'),
      'the status saying the stream ended',
    );
    expect(ended).toMatchObject({
      state: 'active',
      userData: 'reconnecting',
      error: { code: 'NOT_SUPPORTED' },
    });

    // Subscribed again after the backoff; the order the stream missed is caught up.
    const back = await waitFor(
      () => statuses.find((s) => s.reason === 'user data stream resubscribed'),
      'the status saying the stream is back',
    );
    expect(back).toMatchObject({ state: 'active', userData: 'connected' });
    expect(alice.status().userData).toBe('connected');
    await waitFor(
      () => alice.trackedOrder({ symbol: 'BTC/USDT', orderId: resting.id })?.status === 'filled',
      'the missed fill of the resting order',
    );
    expect(updates.some((u) => u.order.id === resting.id && u.order.status === 'filled')).toBe(true);
    // The fill itself, which only the venue's trade list still knows, reaches her fills once.
    await waitFor(() => fills.some((f) => f.orderId === resting.id), 'the missed fill itself');
    expect(tradesOutage.hits).toBe(1);
    const venueTrades = await alice.getTrades('BTC/USDT');
    expect(venueTrades).toHaveLength(1);
    expect(fills.map((f) => f.tradeId)).toEqual(venueTrades.map((t) => t.tradeId));
    expect(fills[0]).toMatchObject({
      orderId: resting.id,
      clientOrderId: resting.clientOrderId,
      side: 'buy',
    });
    expect(fills[0]?.quantity.toString()).toBe('0.01');

    // Live again: a new order of hers reaches her topic from the stream.
    fake.handle.engine.placeOrder('alice', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      quantity: new Decimal('0.01'),
      price: new Decimal('40000.00'),
      timeInForce: 'GTC',
      newClientOrderId: 'from-the-venue',
    });
    await waitFor(
      () => updates.find((u) => u.order.clientOrderId === 'from-the-venue' && u.source === 'stream'),
      'the live stream event',
    );
    expect(refusal.hits).toBe(1);
  });

  it('a fill made while the adapter reconnects the user data stream reaches the session once, from the adapter’s own catch-up', async () => {
    const { manager, connect, fake } = await setup();
    const alice = await connect('alice');
    await connect('bob');
    const statuses: SessionStatusEvent[] = [];
    await manager.subscribe('alice', 'status', (event) => statuses.push(event.data as SessionStatusEvent));
    const fills: Fill[] = [];
    await manager.subscribe('alice', 'fills', (event) => fills.push(event.data as Fill));
    const first = await alice.placeOrder(limitBuy('50000.00'));
    const second = await alice.placeOrder(limitBuy('49000.00'));
    const sell = (price: string) =>
      fake.handle.engine.placeOrder('bob', {
        symbol: 'BTCUSDT',
        side: 'SELL',
        type: 'LIMIT',
        quantity: new Decimal('0.01'),
        price: new Decimal(price),
        timeInForce: 'GTC',
      });
    // A fill while the stream is up: delivered live.
    sell('50000.00');
    await waitFor(() => fills.some((f) => f.orderId === first.id), 'the live fill');

    // The connection drops; the venue holds the resubscription a while, and meanwhile Bob's sell
    // fills Alice's second order: no stream is there to report it.
    const held = fake.handle.faults.failRequests({
      endpoint: 'userDataStream.subscribe.signature',
      action: { type: 'delay', ms: 500 },
    });
    expect(fake.handle.faults.dropConnection({ kind: 'wsApi' })).toBe(1);
    await held.whenHit();
    expect(alice.status().userData).toBe('reconnecting');
    sell('49000.00');
    await waitFor(
      () => fills.some((f) => f.orderId === second.id),
      'the fill made while the stream was away',
    );
    await waitFor(
      () => alice.trackedOrder({ symbol: 'BTC/USDT', orderId: second.id })?.status === 'filled',
      'the caught-up order state',
    );
    // 'resubscribed' once the adapter's catch-up (balances last) is complete.
    await waitFor(() => alice.status().userData === 'connected', 'the stream to be whole again');
    // The adapter caught up itself: the session never needed its own resubscription.
    expect(statuses.some((s) => s.reason === 'user data stream resubscribed')).toBe(false);

    // Each of the venue's trades exactly once.
    const venueTrades = await alice.getTrades('BTC/USDT');
    expect(venueTrades).toHaveLength(2);
    expect(fills.map((f) => f.tradeId).sort()).toEqual(venueTrades.map((t) => t.tradeId).sort());
    expect(new Set(fills.map((f) => f.tradeId)).size).toBe(fills.length);
  });

  it('publishes each user session once on venuekit:user:session (the adapter leaves that channel to sessions)', async () => {
    const { manager, connect, fake } = await setup();
    const events: Array<{ userId: string; event: string }> = [];
    const stop = telemetry.userSession.subscribe((e) => events.push({ userId: e.userId, event: e.event }));
    closers.push(stop);
    await connect('alice');
    // A reconnect of the user data stream is the stream's state (status()), not a new session.
    expect(fake.handle.faults.dropConnection({ kind: 'wsApi' })).toBe(1);
    await waitFor(() => manager.getSession('alice')?.status().userDataReconnects === 1, 'the reconnect');
    await waitFor(() => manager.getSession('alice')?.status().userData === 'connected', 'the stream back');
    await manager.disconnectUser('alice');
    expect(events).toEqual([
      { userId: 'alice', event: 'connected' },
      { userId: 'alice', event: 'disconnected' },
    ]);
  });

  it('keeps every credential out of every output over real sockets too', async () => {
    const { logger, lines } = capturingLogger();
    const fake = await startFakeBinance({ symbols: ['BTCUSDT'], simulation: false, accounts: [] });
    closers.push(() => fake.close());
    const adapter = new BinanceAdapter(
      { urls: { rest: fake.restUrl, streams: fake.streamsUrl, wsApi: fake.wsApiUrl } },
      { logger },
    );
    closers.push(() => adapter.close());
    const { texts, secrets } = await runLeakScenario({
      adapter,
      engine: fake.handle.engine,
      revokeApiKey: (apiKey) => fake.handle.revokeApiKey(apiKey),
      logger,
      lines,
    });
    expectNoSecret(texts, secrets);
  }, 60_000);
});
