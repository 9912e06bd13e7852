// The soak's checkers must be able to fail: each is shown a wrong book, a doubled or skipped
// trade, a doubled or misreported order, and has to say so.
import {
  Decimal,
  ManualClock,
  type Order,
  OrderBook,
  OrderStateUnknownError,
  ValidationError,
} from '@venuekit/core';
import { ExchangeEngine, type TradeRecord } from '@venuekit/testkit';
import { describe, expect, it } from 'vitest';
import { BookReference } from '../src/soak/book-reference';
import { type OrderIntent, OrderLedger } from '../src/soak/order-ledger';
import { SeededRandom } from '../src/soak/rng';
import { TradeLedger } from '../src/soak/trade-ledger';

function engine(): ExchangeEngine {
  return new ExchangeEngine({
    clock: new ManualClock(1_700_000_000_000),
    accounts: [
      { id: 'maker', balances: { BTC: '10', USDT: '1000000' } },
      { id: 'taker', balances: { BTC: '10', USDT: '1000000' } },
    ],
  });
}

const limit = (side: 'BUY' | 'SELL', price: string, quantity = '0.01', newClientOrderId?: string) => ({
  symbol: 'BTCUSDT',
  side,
  type: 'LIMIT' as const,
  timeInForce: 'GTC' as const,
  price: new Decimal(price),
  quantity: new Decimal(quantity),
  ...(newClientOrderId ? { newClientOrderId } : {}),
});

/** A local book built the way a client would: the engine's snapshot. */
function localBook(e: ExchangeEngine): OrderBook {
  const snapshot = e.depth('BTCUSDT');
  const book = new OrderBook('binance', 'BTC/USDT');
  book.reset(
    snapshot.bids.map(([p, q]) => [p.toString(), q.toString()]),
    snapshot.asks.map(([p, q]) => [p.toString(), q.toString()]),
    snapshot.lastUpdateId,
    0,
  );
  return book;
}

describe('BookReference', () => {
  it('agrees with a correct book at any later update id and names the first difference of a wrong one', () => {
    const e = engine();
    e.placeOrder('maker', limit('BUY', '59000.00'));
    const reference = new BookReference(e, 'BTCUSDT');
    e.placeOrder('maker', limit('BUY', '59500.00'));
    e.placeOrder('maker', limit('SELL', '61000.00', '0.5'));
    const correct = localBook(e);
    expect(reference.compare(correct)).toBeUndefined();

    e.placeOrder('maker', limit('SELL', '61000.00', '0.25'));
    const wrong = localBook(e);
    wrong.setAsk('61000.00', '0.7');
    expect(reference.compare(wrong)).toBe('ask 61000: 0.7 locally, 0.75 at the exchange');

    const missing = localBook(e);
    missing.setBid('59000.00', '0');
    expect(reference.compare(missing)).toMatch(/1 bid levels locally, 2 at the exchange/);
    // A book reporting an older update than one already checked went backwards.
    expect(reference.compare(correct)).toMatch(/went back/);
    reference.close();
  });
});

describe('TradeLedger', () => {
  it('counts duplicates, silent skips and wrong values; a gap status makes a skip announced', () => {
    const e = engine();
    const ledger = new TradeLedger(e, 'BTCUSDT');
    const printed: TradeRecord[] = [];
    const off = e.on('trade', (trade) => printed.push(trade));
    for (let i = 0; i < 6; i++) {
      e.placeOrder('maker', limit('SELL', '60000.00', '0.001'));
      e.placeOrder('taker', {
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'MARKET',
        quantity: new Decimal('0.001'),
      });
    }
    off();
    const deliver = (record: TradeRecord, price = record.price) =>
      ledger.onTrade({
        exchange: 'binance',
        symbol: 'BTC/USDT',
        id: String(record.id),
        price,
        quantity: record.qty,
        timestamp: record.time,
        side: 'buy',
        buyerIsMaker: record.isBuyerMaker,
      });
    const [t1, t2, t3, t4, t5, t6] = printed as [
      TradeRecord,
      TradeRecord,
      TradeRecord,
      TradeRecord,
      TradeRecord,
      TradeRecord,
    ];
    deliver(t1);
    deliver(t2);
    deliver(t2); // doubled
    deliver(t4); // t3 skipped without a word
    ledger.onStatus({ type: 'gap', fromId: String(t5.id), toId: String(t5.id), backfilled: false });
    deliver(t6, new Decimal('1')); // t5 announced; t6 with a price nobody printed
    expect(ledger.figures).toMatchObject({
      delivered: 5,
      duplicates: 1,
      lost: 1,
      reportedMissing: 1,
      wrongValues: 1,
    });
    expect(ledger.problems.join('\n')).toContain(`trade ${t3.id} skipped without a gap status`);
    expect(ledger.caughtUp).toBe(true);
    ledger.close();
  });
});

describe('OrderLedger', () => {
  const intent = (clientOrderId: string): OrderIntent => ({
    userId: 'taker',
    accountId: 'taker',
    symbol: 'BTC/USDT',
    nativeSymbol: 'BTCUSDT',
    clientOrderId,
    transport: 'rest',
    sentAt: Date.now(),
    history: [],
  });
  const tracked = (clientOrderId: string, status: Order['status'], filled: string): Order =>
    ({ clientOrderId, status, filledQuantity: new Decimal(filled) }) as Order;

  it('verifies intents against the exchange and flags doubles, wrong states and false claims', () => {
    const e = engine();
    const ledger = new OrderLedger(e, new Set(['taker']));
    const states = new Map<string, Order>();

    const good = intent('good-1');
    ledger.add(good);
    e.placeOrder('taker', limit('BUY', '50000.00', '0.01', 'good-1'));
    ledger.settle(good, { order: tracked('good-1', 'new', '0') });
    states.set('good-1', tracked('good-1', 'new', '0'));

    const stale = intent('stale-1');
    ledger.add(stale);
    const placed = e.placeOrder('taker', limit('BUY', '50000.00', '0.01', 'stale-1'));
    ledger.settle(stale, { error: new OrderStateUnknownError('stale-1') });
    e.cancelOrder('taker', { symbol: 'BTCUSDT', orderId: placed.order.orderId });
    states.set('stale-1', tracked('stale-1', 'new', '0')); // the session missed the cancel

    const ghost = intent('ghost-1');
    ledger.add(ghost);
    ledger.settle(ghost, { order: tracked('ghost-1', 'new', '0') }); // the exchange never had it

    const refused = intent('refused-1');
    ledger.add(refused);
    ledger.settle(refused, {
      error: new ValidationError('FILTER_VIOLATION', { field: 'price', rule: 'tick' }),
    });

    const twice = intent('twice-1');
    ledger.add(twice);
    const first = e.placeOrder('taker', limit('BUY', '50000.00', '0.01', 'twice-1'));
    e.cancelOrder('taker', { symbol: 'BTCUSDT', orderId: first.order.orderId });
    e.placeOrder('taker', limit('BUY', '50000.00', '0.01', 'twice-1'));
    ledger.settle(twice, { order: tracked('twice-1', 'new', '0') });
    states.set('twice-1', tracked('twice-1', 'new', '0'));

    const lookup = (i: OrderIntent) => states.get(i.clientOrderId);
    // Not final: mismatches wait for another look.
    expect(ledger.verify(lookup, { minAgeMs: 0, final: false })).toBe(2);
    ledger.verify(lookup, { minAgeMs: 0, final: true });
    expect(ledger.figures).toMatchObject({ intents: 5, verified: 3, divergent: 2, doubled: 1, notPlaced: 1 });
    expect(ledger.problems.join('\n')).toMatch(/stale-1 \(rest\): tracked as new, canceled at the exchange/);
    expect(ledger.problems.join('\n')).toMatch(
      /ghost-1 \(rest\): the call returned an order the exchange never had/,
    );
    ledger.close();
  });
});

describe('SeededRandom', () => {
  it('repeats its sequence for a seed, and forks independent streams', () => {
    const a = new SeededRandom(42);
    const b = new SeededRandom(42);
    const drawsA = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(drawsA);
    expect(new SeededRandom(43).next()).not.toBe(drawsA[0]);
    expect(new SeededRandom(42).fork('faults').next()).toBe(new SeededRandom(42).fork('faults').next());
    expect(new SeededRandom(42).fork('faults').next()).not.toBe(new SeededRandom(42).fork('users').next());
  });
});
