import {
  type Balance,
  type BusEvent,
  Decimal,
  type Fill,
  InProcessBus,
  type Order,
  topics,
} from '@venuekit/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type OrderUpdate, OrderTracker } from './order-tracker';

// Domain objects (what an adapter hands the tracker), not venue payloads.
function order(overrides: Partial<Order> = {}): Order {
  return {
    exchange: 'test',
    symbol: 'BTC/USDT',
    id: '1001',
    clientOrderId: 'vk-1',
    side: 'buy',
    type: 'limit',
    timeInForce: 'GTC',
    status: 'new',
    price: new Decimal('50000'),
    quantity: new Decimal('0.002'),
    filledQuantity: new Decimal(0),
    filledQuoteQuantity: new Decimal(0),
    fees: [],
    createdAt: 1000,
    updatedAt: 1000,
    ...overrides,
  };
}

function fill(tradeId: string, overrides: Partial<Fill> = {}): Fill {
  return {
    exchange: 'test',
    symbol: 'BTC/USDT',
    tradeId,
    orderId: '1001',
    clientOrderId: 'vk-1',
    side: 'buy',
    price: new Decimal('50000'),
    quantity: new Decimal('0.001'),
    quoteQuantity: new Decimal('50'),
    fee: { asset: 'BNB', amount: new Decimal('0.0001') },
    isMaker: true,
    timestamp: 2000,
    ...overrides,
  };
}

function balance(asset: string, free: string, locked = '0'): Balance {
  const f = new Decimal(free);
  const l = new Decimal(locked);
  return { asset, free: f, locked: l, total: f.plus(l) };
}

const buses: InProcessBus[] = [];
async function setup(userId = 'alice') {
  const bus = new InProcessBus();
  buses.push(bus);
  const events: BusEvent[] = [];
  for (const kind of ['orders', 'fills', 'balances'] as const) {
    await bus.subscribe(topics.user(userId, kind), (event) => events.push(event));
  }
  const tracker = new OrderTracker({ userId, exchange: 'test', bus, now: () => 5000 });
  return { bus, events, tracker };
}

afterEach(async () => {
  for (const bus of buses.splice(0)) await bus.close();
});

describe('OrderTracker', () => {
  it('publishes each new state of an order once, on the user’s orders topic', async () => {
    const { events, tracker } = await setup();
    tracker.applyEvent({ type: 'order', order: order(), executionType: 'new', timestamp: 1000 });
    tracker.applyOrder(order(), 'placement'); // the placement response, same state: no second event
    tracker.applyEvent({
      type: 'order',
      order: order({ status: 'partially_filled', filledQuantity: new Decimal('0.001'), updatedAt: 2000 }),
      executionType: 'trade',
      timestamp: 2000,
    });
    expect(events.map((e) => [e.topic, e.type, (e.data as OrderUpdate).order.status])).toEqual([
      ['user.alice.orders', 'order', 'new'],
      ['user.alice.orders', 'order', 'partially_filled'],
    ]);
    expect(events[0]).toMatchObject({
      userId: 'alice',
      exchange: 'test',
      symbol: 'BTC/USDT',
      publishedAt: 5000,
    });
    expect(events[0]?.data).toMatchObject({ source: 'stream', executionType: 'new' });
  });

  it('keeps the creation time it knows when a later answer (a cancel) gives its own time instead', async () => {
    const { tracker } = await setup();
    tracker.applyOrder(order({ createdAt: 1000, updatedAt: 1000 }), 'placement');
    // Binance's cancel answer carries only the cancel's time.
    const canceled = tracker.applyOrder(
      order({ status: 'canceled', createdAt: 4000, updatedAt: 4000 }),
      'cancel',
    );
    expect(canceled).toMatchObject({ status: 'canceled', createdAt: 1000, updatedAt: 4000 });
    expect(tracker.get({ symbol: 'BTC/USDT', orderId: '1001' })?.createdAt).toBe(1000);
  });

  it('ignores a late report older than what the stream already said', async () => {
    const { events, tracker } = await setup();
    const filled = order({
      status: 'filled',
      filledQuantity: new Decimal('0.002'),
      filledQuoteQuantity: new Decimal('100'),
      updatedAt: 3000,
    });
    tracker.applyEvent({ type: 'order', order: filled, executionType: 'trade', timestamp: 3000 });
    // The placement response arrives after the fill was streamed: it must not reopen the order.
    const latest = tracker.applyOrder(order(), 'placement');
    expect(latest.status).toBe('filled');
    expect(tracker.get({ symbol: 'BTC/USDT', orderId: '1001' })?.status).toBe('filled');
    expect(tracker.get({ symbol: 'BTC/USDT', clientOrderId: 'vk-1' })?.status).toBe('filled');
    expect(tracker.openOrders()).toEqual([]);
    expect(events.filter((e) => e.type === 'order')).toHaveLength(1);
  });

  it('delivers each fill once, whether it came with the placement response or the stream', async () => {
    const { events, tracker } = await setup();
    tracker.applyOrder(
      order({
        type: 'market',
        status: 'filled',
        filledQuantity: new Decimal('0.002'),
        fills: [fill('7'), fill('8')],
      }),
      'placement',
    );
    tracker.applyEvent({ type: 'fill', fill: fill('8'), timestamp: 2000 });
    tracker.applyEvent({ type: 'fill', fill: fill('9'), timestamp: 2001 });
    // The same trade id on another market is another fill.
    tracker.applyEvent({ type: 'fill', fill: fill('9', { symbol: 'ETH/USDT' }), timestamp: 2002 });
    const fills = events.filter((e) => e.topic === 'user.alice.fills').map((e) => e.data as Fill);
    expect(fills.map((f) => `${f.symbol}#${f.tradeId}`)).toEqual([
      'BTC/USDT#7',
      'BTC/USDT#8',
      'BTC/USDT#9',
      'ETH/USDT#9',
    ]);
  });

  it('keys orders by market: the same venue id on two markets is two orders', async () => {
    const { tracker } = await setup();
    tracker.applyOrder(order({ symbol: 'BTC/USDT', id: '5' }), 'placement');
    tracker.applyOrder(order({ symbol: 'ETH/USDT', id: '5', clientOrderId: 'vk-2' }), 'placement');
    expect(tracker.openOrders()).toHaveLength(2);
    expect(tracker.openOrders('ETH/USDT')).toHaveLength(1);
  });

  it('remembers every market the user had an order or a fill on, for a catch-up to look in', async () => {
    const { tracker } = await setup();
    expect(tracker.symbols()).toEqual([]);
    tracker.applyOrder(order(), 'placement');
    tracker.applyFill(fill('1', { symbol: 'ETH/USDT', orderId: '2002' }));
    tracker.applyOrder(order({ id: '1002', clientOrderId: 'vk-2' }), 'placement');
    expect(tracker.symbols()).toEqual(['BTC/USDT', 'ETH/USDT']);
    // Finished and forgotten orders do not make the market forgotten: a fill may still be missing.
    tracker.applyOrder(order({ status: 'canceled', updatedAt: 2000 }), 'cancel');
    expect(tracker.symbols()).toEqual(['BTC/USDT', 'ETH/USDT']);
  });

  it('publishes balance changes from the stream, and from snapshots only what changed', async () => {
    const { events, tracker } = await setup();
    tracker.applyBalanceSnapshot([balance('BTC', '1'), balance('USDT', '1000')]);
    expect(events).toHaveLength(0); // the first snapshot is the baseline, not a change
    tracker.applyEvent({ type: 'balances', balances: [balance('USDT', '900', '100')], timestamp: 10 });
    tracker.applyEvent({ type: 'balance_delta', asset: 'BTC', delta: new Decimal('-0.5'), timestamp: 11 });
    tracker.applyBalanceSnapshot([balance('BTC', '0.5'), balance('USDT', '900', '100')]);
    expect(events.map((e) => e.type)).toEqual(['balances', 'balance_delta', 'balances']);
    const last = events[2]?.data as { balances: Balance[]; source: string };
    expect(last.source).toBe('query');
    expect(last.balances.map((b) => `${b.asset}=${b.total.toString()}`)).toEqual(['BTC=0.5']);
    expect(tracker.balances().map((b) => b.asset)).toEqual(['BTC', 'USDT']);
  });

  it('keeps publishing to one user only: another tracker’s subscriber sees nothing', async () => {
    const bus = new InProcessBus();
    buses.push(bus);
    const bobEvents: BusEvent[] = [];
    for (const kind of ['orders', 'fills', 'balances'] as const) {
      await bus.subscribe(topics.user('bob', kind), (event) => bobEvents.push(event));
    }
    const alice = new OrderTracker({ userId: 'alice', exchange: 'test', bus });
    alice.applyOrder(order({ fills: [fill('1')] }), 'placement');
    alice.applyEvent({ type: 'balances', balances: [balance('BTC', '1')], timestamp: 1 });
    expect(bobEvents).toEqual([]);
  });

  it('forgets the oldest finished orders beyond its limit, never an open one', async () => {
    const bus = new InProcessBus();
    buses.push(bus);
    const tracker = new OrderTracker({ userId: 'alice', exchange: 'test', bus, maxClosedOrders: 2 });
    tracker.applyOrder(order({ id: 'open', clientOrderId: 'open' }), 'placement');
    for (const id of ['a', 'b', 'c']) {
      tracker.applyOrder(order({ id, clientOrderId: id, status: 'canceled' }), 'cancel');
    }
    expect(tracker.get({ symbol: 'BTC/USDT', orderId: 'a' })).toBeUndefined();
    expect(tracker.get({ symbol: 'BTC/USDT', clientOrderId: 'a' })).toBeUndefined();
    expect(tracker.get({ symbol: 'BTC/USDT', orderId: 'c' })?.status).toBe('canceled');
    expect(tracker.openOrders().map((o) => o.id)).toEqual(['open']);
    expect(tracker.openOrderCount).toBe(1);
  });

  it('publishes nothing after close', async () => {
    const { events, tracker } = await setup();
    tracker.close();
    tracker.applyOrder(order(), 'placement');
    expect(events).toEqual([]);
  });
});
