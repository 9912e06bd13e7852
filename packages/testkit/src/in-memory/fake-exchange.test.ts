import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { inspect } from 'node:util';
import {
  AuthenticationError,
  ClosedError,
  createCredentials,
  createVenuekit,
  Decimal,
  InsufficientFundsError,
  ManualClock,
  normalizeOrderRequest,
  type OrderBookUpdate,
  OrderNotFoundError,
  OrderStateUnknownError,
  type StreamStatus,
  TimeoutError,
  silentLogger,
  type Trade,
  type UserDataEvent,
  ValidationError,
} from '@venuekit/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeExchangeModule } from '../module';
import { TestkitTokens } from '../tokens';
import { FakeExchange } from './fake-exchange';

/** Waits for a condition, letting microtasks (the adapter's deliveries) run. */
async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const order = (input: Record<string, unknown>) => normalizeOrderRequest({ symbol: 'BTC/USDT', ...input });

let fake: FakeExchange;
let alice: ReturnType<FakeExchange['addAccount']>;
let bob: ReturnType<FakeExchange['addAccount']>;

beforeEach(() => {
  fake = new FakeExchange();
  alice = fake.addAccount({ balances: { USDT: '100000', BTC: '1' } });
  bob = fake.addAccount({ balances: { USDT: '100000', BTC: '1' } });
});

afterEach(async () => {
  await fake.close();
});

describe('instruments and public REST', () => {
  it('lists the markets with their rules', async () => {
    const btc = await fake.instruments.get('BTC/USDT');
    expect(btc).toMatchObject({
      exchange: 'fake',
      nativeSymbol: 'BTCUSDT',
      base: 'BTC',
      quote: 'USDT',
      active: true,
    });
    expect(btc.tickSize.toString()).toBe('0.01');
    expect(btc.stepSize.toString()).toBe('0.00001');
    expect(btc.minNotional.toString()).toBe('5');
    expect(btc.pricePrecision).toBe(2);
    expect((await fake.instruments.list()).map((i) => i.symbol)).toEqual([
      'BTC/USDT',
      'ETH/USDT',
      'BNB/USDT',
      'ETH/BTC',
    ]);
    await expect(fake.instruments.get('DOGE/USDT')).rejects.toMatchObject({
      code: 'UNKNOWN_SYMBOL',
      field: 'symbol',
    });
  });

  it('serves the book, trades, klines and tickers of the engine', async () => {
    const a = fake.createAccount(alice.credentials);
    const b = fake.createAccount(bob.credentials);
    await a.placeOrder(order({ side: 'sell', type: 'limit', price: '60000', quantity: '0.1' }));
    await b.placeOrder(order({ side: 'buy', type: 'market', quantity: '0.04' }));
    const book = await fake.rest?.fetchOrderBook('BTC/USDT', 5);
    expect(book?.asks.map((l) => [l.price.toString(), l.quantity.toString()])).toEqual([['60000', '0.06']]);
    expect(book?.updateId).toBe(String(fake.engine.depth('BTCUSDT').lastUpdateId));
    const trades = await fake.rest?.fetchTrades('BTC/USDT');
    expect(trades?.map((t) => [t.price.toString(), t.quantity.toString(), t.side])).toEqual([
      ['60000', '0.04', 'buy'],
    ]);
    const klines = await fake.rest?.fetchKlines('BTC/USDT', '1m', { since: 0 });
    expect(klines?.[0]?.volume.toString()).toBe('0.04');
    const ticker = await fake.rest?.fetchTicker('BTC/USDT');
    expect(ticker?.last.toString()).toBe('60000');
    expect(ticker?.ask?.toString()).toBe('60000');
    expect(await fake.rest?.fetchTime()).toBe(fake.market.clock.now());
    await expect(fake.rest?.fetchOrderBook('BTC/USDT', 0)).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('trading', () => {
  it('places, fills and reports orders with fees and balances', async () => {
    const a = fake.createAccount(alice.credentials);
    const b = fake.createAccount(bob.credentials);
    await a.verifyCredentials();
    const resting = await a.placeOrder(
      order({ side: 'sell', type: 'limit', price: '60000', quantity: '0.5', clientOrderId: 'alice-1' }),
    );
    expect(resting).toMatchObject({
      exchange: 'fake',
      status: 'new',
      clientOrderId: 'alice-1',
      side: 'sell',
      type: 'limit',
    });
    expect(resting.id).toMatch(/^\d+$/);
    const taker = await b.placeOrder(order({ side: 'buy', type: 'market', quoteQuantity: '6000' }));
    expect(taker.status).toBe('filled');
    expect(taker.filledQuantity.toString()).toBe('0.1');
    expect(taker.averagePrice?.toString()).toBe('60000');
    expect(
      taker.fills?.map((f) => [f.price.toString(), f.fee.asset, f.fee.amount.toString(), f.isMaker]),
    ).toEqual([['60000', 'BTC', '0.0001', false]]);
    const after = await a.getOrder({ symbol: 'BTC/USDT', clientOrderId: 'alice-1' });
    expect(after.status).toBe('partially_filled');
    expect(after.fees.map((f) => [f.asset, f.amount.toString()])).toEqual([['USDT', '6']]);
    const balances = Object.fromEntries((await a.getBalances()).map((x) => [x.asset, x]));
    expect(balances.BTC?.free.toString()).toBe('0.5');
    expect(balances.BTC?.locked.toString()).toBe('0.4');
    expect(balances.BTC?.total.toString()).toBe('0.9');
    expect(balances.USDT?.free.toString()).toBe('105994');
    const fills = await b.getTrades('BTC/USDT');
    expect(fills).toHaveLength(1);
    expect(fills[0]?.orderId).toBe(taker.id);
    expect((await a.getOrderHistory('BTC/USDT')).map((o) => o.id)).toEqual([resting.id]);
    expect((await a.getOpenOrders()).map((o) => o.id)).toEqual([resting.id]);
  });

  it('turns the venue refusals into typed errors naming the field', async () => {
    const a = fake.createAccount(alice.credentials);
    const tick = a.placeOrder(order({ side: 'buy', type: 'limit', price: '50000.005', quantity: '0.1' }));
    await expect(tick).rejects.toBeInstanceOf(ValidationError);
    await expect(tick).rejects.toMatchObject({
      code: 'FILTER_VIOLATION',
      field: 'price',
      venue: { code: -1013 },
    });
    await expect(
      a.placeOrder(order({ side: 'buy', type: 'limit', price: '50000', quantity: '10' })),
    ).rejects.toBeInstanceOf(InsufficientFundsError);
    await a.placeOrder(
      order({ side: 'buy', type: 'limit', price: '50000', quantity: '0.1', clientOrderId: 'dup' }),
    );
    await expect(
      a.placeOrder(
        order({ side: 'buy', type: 'limit', price: '50000', quantity: '0.1', clientOrderId: 'dup' }),
      ),
    ).rejects.toMatchObject({ code: 'DUPLICATE_ORDER', field: 'clientOrderId' });
    await expect(a.cancelOrder({ symbol: 'BTC/USDT', orderId: '1' })).rejects.toBeInstanceOf(
      OrderNotFoundError,
    );
    await expect(a.cancelOrder({ symbol: 'BTC/USDT', orderId: 'abc' })).rejects.toMatchObject({
      field: 'orderId',
    });
    await expect(a.getOrder({ symbol: 'BTC/USDT', clientOrderId: 'nope' })).rejects.toBeInstanceOf(
      OrderNotFoundError,
    );
  });

  it('rounds to the tick and step sizes when asked', async () => {
    const a = fake.createAccount(alice.credentials);
    const placed = await a.placeOrder(
      order({ side: 'buy', type: 'limit', price: '50000.019', quantity: '0.123456' }),
      {
        round: true,
      },
    );
    expect(placed.price?.toString()).toBe('50000.01');
    expect(placed.quantity.toString()).toBe('0.12345');
  });

  it('cancels one order, all orders, and OCO lists', async () => {
    const a = fake.createAccount(alice.credentials);
    const b = fake.createAccount(bob.credentials);
    // A last price for the OCO rules.
    await a.placeOrder(order({ side: 'sell', type: 'limit', price: '60000', quantity: '0.01' }));
    await b.placeOrder(order({ side: 'buy', type: 'market', quantity: '0.01' }));
    const one = await a.placeOrder(
      order({ side: 'buy', type: 'limit', price: '50000', quantity: '0.1', clientOrderId: 'c1' }),
    );
    const canceled = await a.cancelOrder({ symbol: 'BTC/USDT', clientOrderId: 'c1' });
    expect([canceled.id, canceled.status]).toEqual([one.id, 'canceled']);
    const oco = await a.placeOcoOrder({
      symbol: 'BTC/USDT',
      side: 'sell',
      quantity: new Decimal('0.2'),
      price: new Decimal('65000'),
      stopPrice: new Decimal('55000'),
      stopLimitPrice: new Decimal('54900'),
      listClientOrderId: 'oco-1',
    });
    expect(oco).toMatchObject({ contingencyType: 'OCO', status: 'executing', listClientOrderId: 'oco-1' });
    expect(oco.orders.map((o) => o.type)).toEqual(['stop_loss_limit', 'limit_maker']);
    await a.placeOrder(order({ side: 'buy', type: 'limit', price: '50000', quantity: '0.1' }));
    const all = await a.cancelAllOrders('BTC/USDT');
    expect(all.map((o) => o.status)).toEqual(['canceled', 'canceled', 'canceled']);
    expect(await a.cancelAllOrders('BTC/USDT')).toEqual([]);
    expect(await a.getOpenOrders('BTC/USDT')).toEqual([]);
  });

  it('refuses unknown keys, wrong secrets and revoked keys, without printing secrets', async () => {
    const stranger = fake.createAccount(createCredentials({ apiKey: 'nobody', secret: 'nothing' }));
    await expect(stranger.verifyCredentials()).rejects.toBeInstanceOf(AuthenticationError);
    const apiKey = alice.credentials.apiKey.reveal();
    const wrong = fake.createAccount(createCredentials({ apiKey, secret: 'not-the-secret' }));
    const error = await wrong.getBalances().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).code).toBe('INVALID_SIGNATURE');
    const text = `${inspect(error)} ${JSON.stringify(error)} ${inspect(alice.credentials)}`;
    expect(text).not.toContain(alice.credentials.type === 'hmac' ? alice.credentials.secret.reveal() : 'x');
    const a = fake.createAccount(alice.credentials);
    const errors: unknown[] = [];
    await a.subscribeUserData({ next: () => undefined, error: (e) => errors.push(e) });
    fake.market.revokeApiKey(apiKey);
    await until(() => errors.length === 1, 'the revocation');
    expect(errors[0]).toBeInstanceOf(AuthenticationError);
    await expect(a.getBalances()).rejects.toBeInstanceOf(AuthenticationError);
  });

  it('accepts an Ed25519 key whose private key matches the account, and refuses another', async () => {
    const pair = generateKeyPairSync('ed25519');
    const other = generateKeyPairSync('ed25519');
    const pem = (key: KeyObject, type: 'spki' | 'pkcs8') => key.export({ type, format: 'pem' }).toString();
    fake.engine.createAccount({
      apiKey: 'ed-key',
      ed25519PublicKey: pem(pair.publicKey, 'spki'),
      balances: { USDT: '5' },
    });
    const good = fake.createAccount(
      createCredentials({ apiKey: 'ed-key', privateKey: pem(pair.privateKey, 'pkcs8') }),
    );
    expect((await good.getBalances()).map((b) => b.asset)).toEqual(['USDT']);
    const bad = fake.createAccount(
      createCredentials({ apiKey: 'ed-key', privateKey: pem(other.privateKey, 'pkcs8') }),
    );
    await expect(bad.verifyCredentials()).rejects.toMatchObject({ code: 'INVALID_SIGNATURE' });
  });

  it('trades a non-ASCII market like Binance lists (１２３４５６/USDT)', async () => {
    const wide = new FakeExchange({
      symbols: [
        {
          symbol: '１２３４５６USDT',
          baseAsset: '１２３４５６',
          quoteAsset: 'USDT',
          filters: [
            { filterType: 'PRICE_FILTER', minPrice: '0.0001', maxPrice: '1000', tickSize: '0.0001' },
            { filterType: 'LOT_SIZE', minQty: '1', maxQty: '1000000', stepSize: '1' },
          ],
        },
      ],
    });
    try {
      const seller = wide.addAccount({ balances: { '１２３４５６': '500' } });
      const buyer = wide.addAccount({ balances: { USDT: '100' } });
      const instrument = await wide.instruments.get('１２３４５６/USDT');
      expect(instrument).toMatchObject({ nativeSymbol: '１２３４５６USDT', base: '１２３４５６' });
      const place = (credentials: typeof seller.credentials, input: Record<string, unknown>) =>
        wide
          .createAccount(credentials)
          .placeOrder(normalizeOrderRequest({ symbol: '１２３４５６/USDT', ...input }));
      await place(seller.credentials, { side: 'sell', type: 'limit', price: '0.25', quantity: '200' });
      const bought = await place(buyer.credentials, { side: 'buy', type: 'market', quantity: '100' });
      expect(bought).toMatchObject({ symbol: '１２３４５６/USDT', status: 'filled' });
      expect(wide.market.balance(buyer.accountId, '１２３４５６').free.toString()).toBe('99.9');
    } finally {
      await wide.close();
    }
  });

  it('rejects every call after close', async () => {
    const a = fake.createAccount(alice.credentials);
    await a.close();
    await expect(a.getBalances()).rejects.toBeInstanceOf(ClosedError);
  });
});

describe('user data', () => {
  it('reports each order change, each fill exactly once, and the balances that changed', async () => {
    const a = fake.createAccount(alice.credentials);
    const b = fake.createAccount(bob.credentials);
    const events: UserDataEvent[] = [];
    const statuses: StreamStatus[] = [];
    const subscription = await a.subscribeUserData({
      next: (e) => events.push(e),
      status: (s) => statuses.push(s),
    });
    await a.placeOrder(order({ side: 'sell', type: 'limit', price: '60000', quantity: '0.2' }));
    await b.placeOrder(order({ side: 'buy', type: 'market', quantity: '0.05' }));
    await b.placeOrder(order({ side: 'buy', type: 'market', quantity: '0.05' }));
    await until(() => events.filter((e) => e.type === 'fill').length === 2, 'two fills');
    const kinds = events.map((e) =>
      e.type === 'order' ? `order:${e.executionType}:${e.order.status}` : e.type,
    );
    expect(kinds).toEqual([
      'order:new:new',
      'balances',
      'order:trade:partially_filled',
      'fill',
      'balances',
      'order:trade:partially_filled',
      'fill',
      'balances',
    ]);
    const fills = events.flatMap((e) => (e.type === 'fill' ? [e.fill] : []));
    expect(new Set(fills.map((f) => f.tradeId)).size).toBe(2);
    expect(fills.every((f) => f.isMaker && f.fee.asset === 'USDT')).toBe(true);
    expect(statuses).toEqual([{ type: 'subscribed' }]);
    expect(a.status().userDataConnected).toBe(true);
    fake.engine.adjustBalance(alice.accountId, 'ETH', '3');
    await until(() => events.some((e) => e.type === 'balance_delta'), 'the deposit');
    await subscription.unsubscribe();
    expect(a.status().userDataConnected).toBe(false);
  });
});

describe('user data of many accounts', () => {
  it("routes each account's events to its own subscribers only, with no listener on every event", async () => {
    const users = Array.from({ length: 200 }, () =>
      fake.addAccount({ balances: { USDT: '1000', BTC: '1' } }),
    );
    const received = new Map<string, UserDataEvent[]>();
    const subscriptions = await Promise.all(
      users.map((user) => {
        const events: UserDataEvent[] = [];
        received.set(user.accountId, events);
        return fake.createAccount(user.credentials).subscribeUserData({ next: (e) => events.push(e) });
      }),
    );
    // The engine routes by account: no client listens to every event and filters.
    expect(fake.engine.listenerCounts()).toEqual({
      all: 0,
      byEvent: {},
      accounts: 200,
      accountListeners: 200,
    });
    const [maker, taker] = [users[17], users[123]] as [typeof alice, typeof alice];
    await fake
      .createAccount(maker.credentials)
      .placeOrder(order({ side: 'sell', type: 'limit', price: '60000', quantity: '0.01' }));
    await fake
      .createAccount(taker.credentials)
      .placeOrder(order({ side: 'buy', type: 'market', quantity: '0.01' }));
    const fills = (id: string) => (received.get(id) ?? []).filter((e) => e.type === 'fill');
    await until(
      () => fills(maker.accountId).length === 1 && fills(taker.accountId).length === 1,
      'both fills',
    );
    for (const user of users) {
      const own = user === maker || user === taker;
      expect((received.get(user.accountId) ?? []).length > 0, user.accountId).toBe(own);
    }
    await Promise.all(subscriptions.map((subscription) => subscription.unsubscribe()));
    expect(fake.engine.listenerCounts()).toMatchObject({ all: 0, accounts: 0 });
  });
});

describe('market data streams', () => {
  it('delivers trades, aggregate trades and book tickers, shared by equal specs', async () => {
    const a = fake.createAccount(alice.credentials);
    const b = fake.createAccount(bob.credentials);
    const first: Trade[] = [];
    const second: Trade[] = [];
    const tops: string[] = [];
    const s1 = fake.marketData.subscribe(
      { kind: 'trades', symbol: 'BTC/USDT' },
      { next: (t) => first.push(t) },
    );
    const s2 = fake.marketData.subscribe(
      { kind: 'trades', symbol: 'BTC/USDT' },
      { next: (t) => second.push(t) },
    );
    const s3 = fake.marketData.subscribe(
      { kind: 'bookTicker', symbol: 'BTC/USDT' },
      { next: (t) => tops.push(`${t.bid}/${t.ask}`) },
    );
    expect(s1.key).toBe(s2.key);
    await Promise.all([s1.ready, s2.ready, s3.ready]);
    expect(fake.status().streams.map((s) => [s.kind, s.subscribers])).toEqual([
      ['trades', 2],
      ['bookTicker', 1],
    ]);
    await a.placeOrder(order({ side: 'sell', type: 'limit', price: '60000', quantity: '0.2' }));
    await a.placeOrder(order({ side: 'buy', type: 'limit', price: '59000', quantity: '0.2' }));
    await b.placeOrder(order({ side: 'buy', type: 'market', quantity: '0.05' }));
    await until(
      () => first.length === 1 && second.length === 1 && tops.length === 3,
      'the trade and tickers',
    );
    expect(first[0]).toMatchObject({
      exchange: 'fake',
      symbol: 'BTC/USDT',
      side: 'buy',
      buyerIsMaker: false,
    });
    expect(tops).toEqual(['0/60000', '59000/60000', '59000/60000']);
    await s1.unsubscribe();
    await b.placeOrder(order({ side: 'buy', type: 'market', quantity: '0.05' }));
    await until(() => second.length === 2, 'the second trade');
    expect(first).toHaveLength(1);
    await s2.unsubscribe();
    await s3.unsubscribe();
    expect(fake.status().streams).toEqual([]);
  });

  it('keeps an order book equal to the engine book through a simulated market', async () => {
    const clock = new ManualClock();
    const busy = new FakeExchange({ clock, simulation: { seed: 4, rate: 50, symbols: ['ETHBTC'] } });
    try {
      let last: OrderBookUpdate | undefined;
      let updates = 0;
      const statuses: string[] = [];
      const sub = busy.marketData.subscribe(
        { kind: 'orderBook', symbol: 'ETH/BTC' },
        {
          next: (update) => {
            last = update;
            updates++;
          },
          status: (s) => statuses.push(s.type),
        },
      );
      await sub.ready;
      expect(last?.resynced).toBe(true);
      await clock.advance(20_000);
      await until(
        () => last?.updateId === String(busy.engine.depth('ETHBTC').lastUpdateId),
        'the last update',
      );
      const truth = busy.engine.depth('ETHBTC');
      const book = last?.book;
      expect(book?.bids().map((l) => `${l.price}@${l.quantity}`)).toEqual(
        truth.bids.map(([p, q]) => `${p}@${q}`),
      );
      expect(book?.asks().map((l) => `${l.price}@${l.quantity}`)).toEqual(
        truth.asks.map(([p, q]) => `${p}@${q}`),
      );
      expect(updates).toBeGreaterThan(50);
      await busy.marketData.closeConnection(busy.marketData.connections()[0]?.id ?? '');
      await until(() => statuses.includes('resubscribed'), 'the reconnect');
      expect(statuses).toEqual(['subscribed', 'resynced', 'reconnecting', 'resynced', 'resubscribed']);
      await sub.unsubscribe();
    } finally {
      await busy.close();
    }
    expect(clock.pendingTimers).toBe(0);
  });

  it('delivers partial depth, tickers and klines, closing a candle when the next opens', async () => {
    const a = fake.createAccount(alice.credentials);
    const b = fake.createAccount(bob.credentials);
    const depths: number[] = [];
    const closes: string[] = [];
    const candles: string[] = [];
    const subs = [
      fake.marketData.subscribe(
        { kind: 'depth', symbol: 'BTC/USDT', levels: 5 },
        { next: (d) => depths.push(d.asks.length) },
      ),
      fake.marketData.subscribe(
        { kind: 'ticker', symbol: 'BTC/USDT' },
        { next: (t) => closes.push(t.last.toString()) },
      ),
      fake.marketData.subscribe(
        { kind: 'klines', symbol: 'BTC/USDT', interval: '1m' },
        { next: (k) => candles.push(`${k.openTime}:${k.close}:${k.closed}`) },
      ),
    ];
    await Promise.all(subs.map((s) => s.ready));
    for (let i = 0; i < 7; i++) {
      await a.placeOrder(order({ side: 'sell', type: 'limit', price: `${60000 + i}`, quantity: '0.01' }));
    }
    await b.placeOrder(order({ side: 'buy', type: 'market', quantity: '0.01' }));
    const clock = fake.market.clock as ManualClock;
    await until(() => candles.length === 1, 'the first candle update');
    await clock.advance(60_000);
    // The candle closed on time, without waiting for a trade; a flat candle opened after it.
    await until(() => candles.length === 3, 'the closing update');
    await b.placeOrder(order({ side: 'buy', type: 'market', quantity: '0.01' }));
    await until(() => candles.length === 4, 'the next candle update');
    expect(depths.at(-1)).toBe(5);
    expect(closes).toEqual(['60000', '60001']);
    const open = Math.floor((clock.now() - 60_000) / 60_000) * 60_000;
    expect(candles).toEqual([
      `${open}:60000:false`,
      `${open}:60000:true`,
      `${open + 60_000}:60000:false`,
      `${open + 60_000}:60001:false`,
    ]);
    for (const sub of subs) await sub.unsubscribe();
  });

  it('refuses unknown symbols and bad specs through ready and error', async () => {
    const errors: unknown[] = [];
    const sub = fake.marketData.subscribe(
      { kind: 'trades', symbol: 'NOPE/USDT' },
      { next: () => undefined, error: (e) => errors.push(e) },
    );
    await expect(sub.ready).rejects.toMatchObject({ code: 'UNKNOWN_SYMBOL' });
    expect(errors).toHaveLength(1);
    // A refusal nobody awaits must not become an unhandled rejection.
    fake.marketData.subscribe(
      { kind: 'depth', symbol: 'BTC/USDT', levels: 7 as 5 },
      { next: () => undefined },
    );
    await fake.marketData.close();
    const late = fake.marketData.subscribe({ kind: 'trades', symbol: 'BTC/USDT' }, { next: () => undefined });
    await expect(late.ready).rejects.toBeInstanceOf(ClosedError);
  });
});

describe('faults', () => {
  it('loses the answer of an order the venue placed, and fails calls before they run', async () => {
    const a = fake.createAccount(alice.credentials);
    fake.failNext({ operation: 'placeOrder', error: 'unknown', afterExecution: true });
    const lost = a.placeOrder(
      order({ side: 'buy', type: 'limit', price: '50000', quantity: '0.1', clientOrderId: 'maybe' }),
    );
    await expect(lost).rejects.toBeInstanceOf(OrderStateUnknownError);
    await expect(lost).rejects.toMatchObject({ clientOrderId: 'maybe' });
    // It went through: reconciliation by client order id finds it.
    expect((await a.getOrder({ symbol: 'BTC/USDT', clientOrderId: 'maybe' })).status).toBe('new');

    const fault = fake.failNext({
      operation: 'placeOrder',
      error: 'timeout',
      times: 2,
      accountId: alice.accountId,
    });
    const b = fake.createAccount(bob.credentials);
    await b.placeOrder(order({ side: 'buy', type: 'limit', price: '50000', quantity: '0.1' }));
    await expect(
      a.placeOrder(order({ side: 'buy', type: 'limit', price: '49000', quantity: '0.1' })),
    ).rejects.toBeInstanceOf(TimeoutError);
    expect(fault.remaining).toBe(1);
    fault.cancel();
    await a.placeOrder(order({ side: 'buy', type: 'limit', price: '48000', quantity: '0.1' }));
    expect((await a.getOpenOrders()).map((o) => o.price?.toString())).toEqual(['50000', '48000']);
    fake.failNext({ operation: 'getBalances', error: 'rate_limit' });
    await expect(a.getBalances()).rejects.toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 1000 });
    await expect(a.getBalances()).resolves.toHaveLength(2);
  });

  it('makes order book streams see a sequence gap and resynchronise', async () => {
    const a = fake.createAccount(alice.credentials);
    const statuses: string[] = [];
    let last: OrderBookUpdate | undefined;
    const sub = fake.marketData.subscribe(
      { kind: 'orderBook', symbol: 'BTC/USDT' },
      { next: (u) => (last = u), status: (s) => statuses.push(s.type) },
    );
    await sub.ready;
    await a.placeOrder(order({ side: 'sell', type: 'limit', price: '61000', quantity: '0.1' }));
    fake.marketData.depthGap('BTC/USDT');
    await a.placeOrder(order({ side: 'sell', type: 'limit', price: '62000', quantity: '0.1' }));
    await a.placeOrder(order({ side: 'sell', type: 'limit', price: '63000', quantity: '0.1' }));
    await until(() => statuses.includes('resynced') && statuses.length >= 3, 'the resync');
    expect(statuses).toEqual(['subscribed', 'resynced', 'gap', 'resynced']);
    await until(() => last?.book.askCount === 3, 'the third level');
    expect(last?.book.asks().map((l) => l.price.toString())).toEqual(['61000', '62000', '63000']);
    await sub.unsubscribe();
  });
});

describe('fakeExchangeModule', () => {
  it('registers the adapter under its id beside others, on the container clock', async () => {
    const clock = new ManualClock();
    const venuekit = createVenuekit({
      modules: [fakeExchangeModule({ id: 'paper' })],
      clock,
      logger: silentLogger,
    });
    const adapter = venuekit.exchange('paper');
    expect(adapter).toBe(venuekit.fakeExchange);
    expect(venuekit.get(TestkitTokens.FakeExchange)).toBe(adapter);
    expect(venuekit.get(TestkitTokens.FakeMarket).clock).toBe(clock);
    expect(adapter.has.watchOrderBook).toBe(true);
    await venuekit.close();
    await expect(adapter.instruments.list()).rejects.toBeInstanceOf(ClosedError);
  });
});
