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

  it('tryApply applies a well-formed update as apply does, and a malformed one not at all', () => {
    const price = fc.oneof(
      fc.integer({ min: 1, max: 2000 }).map((n) => (n / 100).toFixed(2)),
      fc.integer({ min: 1, max: 2000 }).map((n) => (n / 100).toFixed(8)),
      // Plain text a double does not carry: kept exactly.
      fc.integer({ min: 1, max: 2000 }).map((n) => `${(n / 100).toFixed(2)}00000000000000000001`),
    );
    const quantity = fc.oneof(
      fc.constant('0.00000000'),
      fc.integer({ min: 1, max: 10_000 }).map((n) => (n / 1000).toFixed(8)),
      fc.constant('1234567890.1234567890123'),
    );
    const level = fc.tuple(price, quantity);
    const neverDecimal = ['', '-1', '1e2', '.5', '5.', '1.2.3', ' 1', 'abc', '1'.repeat(65), 1, null];
    // [what, where]: a broken price (zero too), a broken quantity, or a level that is not one.
    const broken = fc.oneof(
      fc.tuple(fc.constantFrom<unknown>(...neverDecimal, '0', '0.00'), fc.constant<'price'>('price')),
      fc.tuple(fc.constantFrom<unknown>(...neverDecimal), fc.constant<'quantity'>('quantity')),
      fc.tuple(fc.constantFrom<unknown>(null, undefined, 'x', ['1'], []), fc.constant<'level'>('level')),
    );
    const update = fc.tuple(fc.array(level, { maxLength: 6 }), fc.array(level, { maxLength: 6 }));
    fc.assert(
      fc.property(
        fc.array(fc.tuple(update, fc.option(fc.tuple(fc.nat(11), broken))), {
          minLength: 1,
          maxLength: 60,
        }),
        (steps) => {
          const book = new OrderBook('t', 'X/Y');
          const model = new OrderBook('t', 'X/Y');
          let sequence = 0;
          for (const [[bids, asks], fault] of steps) {
            sequence++;
            if (fault === null) {
              expect(book.tryApply(bids, asks, sequence, sequence)).toBe(true);
              model.apply(bids, asks, sequence, sequence);
            } else {
              // One broken price, quantity or level somewhere in the update.
              const [at, [bad, where]] = fault;
              const all: unknown[] = [...bids, ...asks];
              all.splice(
                at % (all.length + 1),
                0,
                where === 'level' ? bad : where === 'price' ? [bad, '1'] : ['1.00', bad],
              );
              const before = book.snapshot();
              expect(book.tryApply(all.slice(0, bids.length), all.slice(bids.length), sequence, 0)).toBe(
                false,
              );
              expect(book.snapshot()).toEqual(before);
              sequence--;
            }
            expect(book.snapshot()).toEqual(model.snapshot());
          }
        },
      ),
      { numRuns: 100 },
    );
    const book = new OrderBook('t', 'X/Y');
    expect(book.tryApply('no', [], 1, 1)).toBe(false);
    expect(book.tryApply([], undefined, 1, 1)).toBe(false);
    expect(book.tryApply([['1.5', '2', 'extra']], [['0.0000000000000000000000000002', '3']], 7, 8)).toBe(
      true,
    );
    expect(book.bestBid()?.quantity.toString()).toBe('2');
    expect(book.bestAsk()?.price.toString()).toBe('0.0000000000000000000000000002');
    expect(book.updateId).toBe('7');
    expect(book.timestamp).toBe(8);
  });

  it('tryApplyJson applies from the JSON text exactly what tryApply applies from the parsed levels, and changes nothing for anything else', () => {
    const prefix = '{"stream":"x@depth","data":{"e":"depthUpdate","E":1,"s":"X","U":1,"u":1,"b":';
    const text = (bids: unknown, asks: unknown) =>
      `${prefix}${JSON.stringify(bids)},"a":${JSON.stringify(asks)}}}`;
    const json = (book: OrderBook, t: string, sequence: number) =>
      book.tryApplyJson(t, prefix.length, ',"a":', '}}', sequence, sequence);
    const price = fc.oneof(
      fc.integer({ min: 1, max: 2000 }).map((n) => (n / 100).toFixed(8)),
      fc.integer({ min: 1, max: 2000 }).map((n) => String(n)),
      fc.integer({ min: 1, max: 2000 }).map((n) => `${(n / 100).toFixed(2)}00000000000000000001`),
    );
    const quantity = fc.oneof(
      fc.constant('0.00000000'),
      fc.constant('0'),
      fc.integer({ min: 1, max: 10_000 }).map((n) => (n / 1000).toFixed(8)),
      fc.constant('1234567890.1234567890123'),
      fc.constant('9'.repeat(64)),
    );
    const level = fc.tuple(price, quantity);
    // Levels tryApply refuses, and levels it takes that are not in the strict form.
    const odd = fc.constantFrom<unknown>(
      ['abc', '1'],
      ['0', '1'],
      ['0.00', '1'],
      ['1', '-1'],
      ['1e2', '1'],
      ['.5', '1'],
      ['5.', '1'],
      ['1.2.3', '1'],
      ['', '1'],
      ['1', ''],
      ['1'.repeat(65), '1'],
      [1, '1'],
      ['1', null],
      ['1'],
      [],
      null,
      'x',
      ['1.5', '2', 'extra'],
    );
    const update = fc.tuple(fc.array(level, { maxLength: 6 }), fc.array(level, { maxLength: 6 }));
    fc.assert(
      fc.property(
        fc.array(fc.tuple(update, fc.option(fc.tuple(fc.nat(11), odd))), { minLength: 1, maxLength: 40 }),
        (steps) => {
          const book = new OrderBook('t', 'X/Y');
          const model = new OrderBook('t', 'X/Y');
          let sequence = 0;
          for (const [[bids, asks], fault] of steps) {
            sequence++;
            const all: unknown[] = [...bids, ...asks];
            if (fault !== null) all.splice(fault[0] % (all.length + 1), 0, fault[1]);
            const b = all.slice(0, bids.length);
            const a = all.slice(bids.length);
            const before = book.snapshot();
            const applied = json(book, text(b, a), sequence);
            if (fault === null) expect(applied).toBe(true);
            if (applied) {
              expect(model.tryApply(b, a, sequence, sequence)).toBe(true);
            } else {
              expect(book.snapshot()).toEqual(before);
              sequence--;
            }
            expect(book.snapshot()).toEqual(model.snapshot());
          }
        },
      ),
      { numRuns: 100 },
    );

    // Anything but the strict form is left alone, well-formed or not: the caller parses it instead.
    const book = new OrderBook('t', 'X/Y');
    const good = text([['1.50', '2']], [['2.50', '3']]);
    const other = [
      `${prefix}[["1.50", "2"]],"a":[["2.50","3"]]}}`,
      `${prefix}[ ["1.50","2"]],"a":[["2.50","3"]]}}`,
      `${prefix}[["1\\u002e50","2"]],"a":[["2.50","3"]]}}`,
      `${prefix}[["1.50","2"]],"a":[["2.50","3"]]}} `,
      `${prefix}[["1.50","2"]],"a":[["2.50","3"]]}`,
      `${prefix}[["1.50","2"]],"x":[["2.50","3"]]}}`,
      `${prefix}[["1.50","2"]],"a":[["2.50","3"]`,
      `${prefix}[["1.50","2"],],"a":[]}}`,
      `${prefix}[["1.50","2"]`,
      `${prefix}[["1.50`,
      `${prefix}{},"a":[]}}`,
    ];
    for (const t of other) expect(json(book, t, 5)).toBe(false);
    expect(book.snapshot()).toEqual(new OrderBook('t', 'X/Y').snapshot());
    expect(json(book, good, 5)).toBe(true);
    expect(book.bestBid()?.price.toString()).toBe('1.5');
    expect(book.bestAsk()?.quantity.toString()).toBe('3');
    expect(book.updateId).toBe('5');
    // More levels than the staging arrays first hold, and exact text a double does not carry.
    const many = Array.from({ length: 150 }, (_, i) => [
      `${1000 + i}.00000000`,
      `${i + 1}.000000000000000000001`,
    ]);
    expect(json(book, text(many, []), 6)).toBe(true);
    expect(book.bidCount).toBe(151);
    expect(book.bestBid()?.quantity.toString()).toBe('150.000000000000000000001');
  });

  it('stays equal to a reference model, read after every update, while levels empty, refill and the best moves', () => {
    // Removing and re-adding the same prices, emptying the best level, and many more removals than
    // levels (so that the book drops what it keeps of removed levels), across both update paths.
    const model = { bid: new Map<number, string>(), ask: new Map<number, string>() };
    const book = new OrderBook('t', 'X/Y');
    const sorted = (m: Map<number, string>, desc: boolean) =>
      [...m.entries()]
        .sort((a, b) => (desc ? b[0] - a[0] : a[0] - b[0]))
        .map(([p, q]) => [new Decimal(p).toString(), new Decimal(q).toString()]);
    let seed = 3;
    const random = (n: number) => {
      seed = (seed * 16807) % 2147483647;
      return seed % n;
    };
    for (let step = 0; step < 6000; step++) {
      // The window of prices drifts, so old prices are left behind as the market moves.
      const base = 1000 + Math.floor(step / 20);
      const bids: [string, string][] = [];
      const asks: [string, string][] = [];
      for (let i = 0; i < 1 + random(6); i++) {
        const isBid = random(2) === 0;
        const tick = isBid
          ? base - random(random(4) === 0 ? 800 : 30)
          : base + 1 + random(random(4) === 0 ? 800 : 30);
        const price = (tick / 100).toFixed(random(2) === 0 ? 2 : 8);
        // Phases of mostly removals empty the book down to a few levels.
        const removals = step % 1500 < 1000 ? 4 : 9;
        const quantity = random(10) < removals ? '0.00000000' : ((1 + random(1000)) / 1000).toFixed(8);
        (isBid ? bids : asks).push([price, quantity]);
      }
      for (const [levels, side] of [
        [bids, model.bid],
        [asks, model.ask],
      ] as const) {
        for (const [p, q] of levels) {
          if (+q === 0) side.delete(+p);
          else side.set(+p, q);
        }
      }
      if (step % 2 === 0) book.apply(bids, asks, step, step);
      else expect(book.tryApply(bids, asks, step, step)).toBe(true);
      const bestBid = Math.max(...model.bid.keys());
      const bestAsk = Math.min(...model.ask.keys());
      expect(book.bestBid()?.price.toNumber()).toBe(model.bid.size ? bestBid : undefined);
      expect(book.bestAsk()?.price.toNumber()).toBe(model.ask.size ? bestAsk : undefined);
      expect(book.bidCount).toBe(model.bid.size);
      expect(book.askCount).toBe(model.ask.size);
      expect(book.isCrossed()).toBe(model.bid.size > 0 && model.ask.size > 0 && bestBid >= bestAsk);
      if (step % 50 === 0) {
        expect(levels(book, 'bid')).toEqual(sorted(model.bid, true));
        expect(levels(book, 'ask')).toEqual(sorted(model.ask, false));
        const bound = new Decimal(base - 10).div(100);
        const within = [...model.bid.entries()].filter(([p]) => p >= bound.toNumber());
        expect(book.depthWithin('bid', bound).levels).toBe(within.length);
      } else {
        expect(book.bids(3).map((l) => l.price.toNumber())).toEqual(
          [...model.bid.keys()].sort((a, b) => b - a).slice(0, 3),
        );
      }
    }
    // Most of a deep book removed from the far end, then some of it added back.
    const deep = new OrderBook('t', 'X/Y');
    const ask = (i: number) => (100 + i / 100).toFixed(2);
    deep.reset(
      [],
      Array.from({ length: 1000 }, (_, i) => [ask(i), '1'] as const),
      1,
      1,
    );
    for (let i = 999; i >= 100; i--) deep.setAsk(ask(i), '0');
    expect(deep.askCount).toBe(100);
    expect(deep.asks().map((l) => l.price.toFixed(2))).toEqual(Array.from({ length: 100 }, (_, i) => ask(i)));
    for (let i = 500; i < 510; i++) deep.setAsk(ask(i), '2');
    deep.setAsk(ask(0), '0');
    expect(deep.askCount).toBe(109);
    expect(deep.bestAsk()?.price.toFixed(2)).toBe(ask(1));
    expect(deep.asks(200).at(-1)?.price.toFixed(2)).toBe(ask(509));
    expect(deep.asks(200).at(-11)?.price.toFixed(2)).toBe(ask(99));
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
