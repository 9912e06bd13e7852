import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal } from './decimal';
import { OrderBook } from './order-book';

function levels(book: OrderBook, side: 'bid' | 'ask'): [string, string][] {
  return (side === 'bid' ? book.bids() : book.asks()).map((l) => [l.price.toString(), l.quantity.toString()]);
}

describe('OrderBook', () => {
  it('keeps bids descending and asks ascending, removing zero-quantity levels', () => {
    const book = new OrderBook('test', 'BTC/USDT');
    book.reset(
      [
        ['100.00', '1.0'],
        ['99.50', '2'],
        ['101', '0.5'],
      ],
      [
        ['102', '1'],
        ['103.5', '4'],
        ['102.5', '3'],
      ],
      10,
      1,
    );
    expect(levels(book, 'bid')).toEqual([
      ['101', '0.5'],
      ['100', '1'],
      ['99.5', '2'],
    ]);
    expect(levels(book, 'ask')).toEqual([
      ['102', '1'],
      ['102.5', '3'],
      ['103.5', '4'],
    ]);
    book.apply(
      [
        ['101', '0.00000000'],
        ['100.00000000', '5'],
      ],
      [['101.5', '1']],
      11,
      2,
    );
    expect(book.bestBid()?.price.toString()).toBe('100');
    expect(book.bestBid()?.quantity.toString()).toBe('5');
    expect(book.bestAsk()?.price.toString()).toBe('101.5');
    expect(book.updateId).toBe('11');
    expect(book.spread()?.toString()).toBe('1.5');
    expect(book.midPrice()?.toString()).toBe('100.75');
    expect(book.isCrossed()).toBe(false);
    book.setBid('101.5', '1');
    expect(book.isCrossed()).toBe(true);
  });

  it('sums depth up to a price, inclusive, exactly', () => {
    const book = new OrderBook('test', 'X/Y');
    book.reset(
      [
        ['10.1', '1'],
        ['10.0', '2'],
        ['9.9', '3'],
      ],
      [
        ['10.2', '1.5'],
        ['10.3', '0.5'],
        ['10.4', '7'],
      ],
      1,
      1,
    );
    const bids = book.depthWithin('bid', '10.0');
    expect(bids.quantity.toString()).toBe('3');
    expect(bids.notional.toString()).toBe('30.1');
    expect(bids.levels).toBe(2);
    const asks = book.depthWithin('ask', new Decimal('10.3'));
    expect(asks.quantity.toString()).toBe('2');
    expect(asks.notional.toString()).toBe('20.45');
  });

  it('rejects malformed prices and quantities so the maintainer can resync', () => {
    const book = new OrderBook('test', 'X/Y');
    expect(() => book.setBid('abc', '1')).toThrow(RangeError);
    expect(() => book.setAsk('1', '-2')).toThrow(RangeError);
    expect(() => book.setAsk('0', '2')).toThrow(RangeError);
  });

  it('equals a reference model after thousands of random updates', () => {
    const price = fc.integer({ min: 1, max: 2000 }).map((n) => (n / 100).toFixed(2));
    const qty = fc.oneof(
      fc.constant('0'),
      fc.integer({ min: 1, max: 10_000 }).map((n) => (n / 1000).toFixed(8)),
    );
    const op = fc.tuple(fc.boolean(), price, qty);
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 3000 }), (ops) => {
        const book = new OrderBook('t', 'X/Y');
        const model = { bid: new Map<string, string>(), ask: new Map<string, string>() };
        for (const [isBid, p, q] of ops) {
          const key = new Decimal(p).toString();
          if (isBid) book.setBid(p, q);
          else book.setAsk(p, q);
          const side = isBid ? model.bid : model.ask;
          if (new Decimal(q).isZero()) side.delete(key);
          else side.set(key, new Decimal(q).toString());
        }
        const sorted = (m: Map<string, string>, desc: boolean) =>
          [...m.entries()].sort((a, b) => (desc ? -1 : 1) * new Decimal(a[0]).comparedTo(new Decimal(b[0])));
        expect(levels(book, 'bid')).toEqual(sorted(model.bid, true));
        expect(levels(book, 'ask')).toEqual(sorted(model.ask, false));
        expect(book.bidCount).toBe(model.bid.size);
        expect(book.askCount).toBe(model.ask.size);
      }),
      { numRuns: 40 },
    );
  });

  it('keeps exact values a double cannot carry, in any text form, and re-reads a level after it changes', () => {
    // Keyed by the price's double (as `+price` reads it); the price's text is the first one seen,
    // the quantity's the latest. Written as a reference model of that rule.
    const text = fc.oneof(
      fc.integer({ min: 1, max: 300 }).map((n) => (n / 100).toFixed(2)),
      fc.integer({ min: 1, max: 300 }).map((n) => (n / 100).toFixed(8)),
      fc.integer({ min: 1, max: 300 }).map((n) => `${n / 100}`.replace(/^0\./, '.')),
      fc.integer({ min: 1, max: 300 }).map((n) => `${n}e-2`),
      fc.integer({ min: 1, max: 300 }).map((n) => `${(n / 100).toFixed(2)}00000000000000000001`),
    );
    const quantity = fc.oneof(fc.constant('0'), fc.constant('0.00000000'), text);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(text, quantity, fc.boolean()), { minLength: 1, maxLength: 400 }),
        (ops) => {
          const book = new OrderBook('t', 'X/Y');
          const model = new Map<number, { price: string; quantity: string }>();
          for (const [p, q, read] of ops) {
            book.setAsk(p, q);
            const key = +p;
            const level = model.get(key);
            if (+q === 0) model.delete(key);
            else if (level) level.quantity = q;
            else model.set(key, { price: p, quantity: q });
            if (read) book.asks(3); // builds (and caches) the Decimals of the best levels
          }
          const expected = [...model.entries()]
            .sort((a, b) => a[0] - b[0])
            .map(([, l]) => [new Decimal(l.price).toString(), new Decimal(l.quantity).toString()]);
          expect(levels(book, 'ask')).toEqual(expected);
        },
      ),
      { numRuns: 200 },
    );
    const book = new OrderBook('t', 'X/Y');
    book.setBid('1.000000000000000001', '0.1234567890123456789');
    book.setBid('1', '3'); // the same double: the same level, its first price text kept
    expect(book.bidCount).toBe(1);
    expect(book.bestBid()?.price.toString()).toBe('1.000000000000000001');
    expect(book.bestBid()?.quantity.toString()).toBe('3');
    book.setBid('1.00', '0.1234567890123456789');
    expect(book.bestBid()?.quantity.toString()).toBe('0.1234567890123456789');
    expect(book.depthWithin('bid', '1.000000000000000001').levels).toBe(1);
    expect(book.depthWithin('bid', '1.000000000000000002').levels).toBe(0);
  });

  it('snapshot copies the top levels', () => {
    const book = new OrderBook('test', 'X/Y');
    book.reset(
      [
        ['3', '1'],
        ['2', '1'],
        ['1', '1'],
      ],
      [
        ['4', '1'],
        ['5', '1'],
      ],
      7,
      99,
    );
    const snap = book.snapshot(2);
    expect(snap.bids.map((l) => l.price.toString())).toEqual(['3', '2']);
    expect(snap.updateId).toBe('7');
    book.setBid('3', '0');
    expect(snap.bids).toHaveLength(2);
  });
});
