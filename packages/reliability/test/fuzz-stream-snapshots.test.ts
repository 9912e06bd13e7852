// The streams whose every message is a whole value — ticker, mini ticker, book ticker, kline,
// partial depth — fuzzed, sent by a real server: the fake Binance writes each fuzzed frame on the
// adapter's own market connection, then the market really changes. A broken frame must be a
// counted discard, never a delivered value (no NaN, no negative amount, no value of the broken
// frame), and must not hold back the real message after it. An intact frame with fields the
// adapter does not know (Binance adds fields) is delivered exactly.
import { BinanceAdapter } from '@venuekit/adapter-binance';
import {
  type BookTicker,
  Decimal,
  KLINE_INTERVALS,
  type Kline,
  type MiniTicker,
  type OrderBookSnapshot,
  type Ticker,
  telemetry,
} from '@venuekit/core';
import { type FakeBinance, startFakeBinance } from '@venuekit/testkit';
import * as docs from '@venuekit/testkit/docs-examples';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fuzzRuns, junkValue, type Mutation, mutate, notAFrame, waitFor } from './support/fuzz';

type Kind = 'ticker' | 'miniTicker' | 'bookTicker' | 'klines' | 'depth';
const KINDS: readonly Kind[] = ['ticker', 'miniTicker', 'bookTicker', 'klines', 'depth'];
const STREAMS: Readonly<Record<Kind, string>> = {
  ticker: 'btcusdt@ticker',
  miniTicker: 'btcusdt@miniTicker',
  bookTicker: 'btcusdt@bookTicker',
  klines: 'btcusdt@kline_1m',
  depth: 'btcusdt@depth5@100ms',
};

/** Every decimal of a fuzzed payload: a value the fake's market never reaches. */
const MARKER = '77777.77000000';
const MARKER_VALUE = new Decimal(MARKER);

let fake: FakeBinance;
let adapter: BinanceAdapter;
let connectionId: string;
let discards = 0;
const delivered: Record<Kind, unknown[]> = {
  ticker: [],
  miniTicker: [],
  bookTicker: [],
  klines: [],
  depth: [],
};
const closers: Array<() => unknown> = [];

beforeAll(async () => {
  fake = await startFakeBinance({
    symbols: ['BTCUSDT'],
    simulation: false,
    // Tickers, klines and partial depth are pushed on a timer: a short one keeps each case quick.
    streamTimings: { slowMs: 20, fastMs: 20, klineMs: 20, kline1sMs: 20 },
    accounts: [
      { id: 'maker', balances: { BTC: '1000', USDT: '100000000' } },
      { id: 'taker', balances: { BTC: '1000', USDT: '100000000' } },
    ],
  });
  closers.push(() => fake.close());
  adapter = new BinanceAdapter({
    urls: { rest: fake.restUrl, streams: fake.streamsUrl, wsApi: fake.wsApiUrl },
  });
  closers.push(() => adapter.close());
  closers.push(telemetry.messageDiscarded.subscribe(() => discards++));
  realChange();
  const market = adapter.marketData;
  const observer = (kind: Kind) => ({ next: (value: unknown) => delivered[kind].push(value) });
  const subscriptions = [
    market.subscribe({ kind: 'ticker', symbol: 'BTC/USDT' }, observer('ticker')),
    market.subscribe({ kind: 'miniTicker', symbol: 'BTC/USDT' }, observer('miniTicker')),
    market.subscribe({ kind: 'bookTicker', symbol: 'BTC/USDT' }, observer('bookTicker')),
    market.subscribe({ kind: 'klines', symbol: 'BTC/USDT', interval: '1m' }, observer('klines')),
    market.subscribe({ kind: 'depth', symbol: 'BTC/USDT', levels: 5, updateSpeedMs: 100 }, observer('depth')),
  ];
  for (const subscription of subscriptions) closers.push(() => subscription.unsubscribe());
  await Promise.all(subscriptions.map((s) => s.ready));
  const connections = fake.handle.connections('streams');
  expect(connections).toHaveLength(1);
  connectionId = (connections[0] as { id: string }).id;
  expect(new Set(connections[0]?.streams)).toEqual(new Set(Object.values(STREAMS)));
  // The first real values, so every route has a key the fuzzed frames come after.
  realChange();
  await waitFor(() => KINDS.every((kind) => shows(kind)), 'the first value of every stream');
});

afterAll(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

let change = 0;
let bid = new Decimal(0);
let traded = new Decimal(0);

/**
 * A real market change that every one of these streams shows: a new best bid (book ticker, partial
 * depth) and a trade at a new price (ticker, mini ticker, kline), both prices never seen before.
 */
function realChange(): void {
  change++;
  bid = new Decimal(59000).plus(new Decimal(change).div(100));
  traded = new Decimal(60000).plus(new Decimal(change).div(100));
  // The lowest of the resting bids canceled past 50 (the account's order limit), leaving the top.
  if (resting.length >= 50) {
    fake.handle.engine.cancelOrder('maker', { symbol: 'BTCUSDT', orderId: resting.shift() as number });
  }
  resting.push(order('maker', 'BUY', 'LIMIT', bid));
  order('maker', 'SELL', 'LIMIT', traded);
  order('taker', 'BUY', 'MARKET');
}
const resting: number[] = [];

function order(account: string, side: 'BUY' | 'SELL', type: 'LIMIT' | 'MARKET', price?: Decimal): number {
  return fake.handle.engine.placeOrder(account, {
    symbol: 'BTCUSDT',
    side,
    type,
    ...(price ? { price, timeInForce: 'GTC' as const } : {}),
    quantity: new Decimal('0.01'),
  }).order.orderId;
}

/** Whether the last value delivered on a stream shows the last real change. */
function shows(kind: Kind): boolean {
  const last = delivered[kind].at(-1);
  if (last === undefined) return false;
  switch (kind) {
    case 'ticker':
    case 'miniTicker':
      return (last as MiniTicker).last.eq(traded);
    case 'klines':
      return (last as Kline).close.eq(traded);
    case 'bookTicker':
      return (last as BookTicker).bid.eq(bid);
    default:
      return (last as OrderBookSnapshot).bids[0]?.price.eq(bid) === true;
  }
}

/**
 * The key the route orders messages by, as new as the newest real message (the book's update id
 * now, the time now): a fuzzed frame is never dropped as older, which would hide whether it was
 * checked. (The last delivered value is not enough: newer real messages may be on their way.)
 */
function nextKey(kind: Kind): number {
  if (kind === 'bookTicker' || kind === 'depth') return fake.handle.book('BTCUSDT').lastUpdateId;
  return Date.now();
}

/** An example with every decimal text replaced by the marker (`keep`: fields left as they are). */
function marked(
  example: Readonly<Record<string, unknown>>,
  keep: readonly string[] = [],
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...example };
  for (const [name, value] of Object.entries(example)) {
    if (!keep.includes(name) && typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value))
      out[name] = MARKER;
  }
  return out;
}

// The official examples (web-socket-streams.md), with the marker for every decimal, this symbol and
// this stream's current key. Each comment names the example.
function payload(kind: Kind): Record<string, unknown> {
  const key = nextKey(kind);
  switch (kind) {
    // "Individual Symbol Ticker Streams"
    case 'ticker':
      return { ...marked(docs.tickerEvent), E: key, s: 'BTCUSDT', O: key - 86_400_000, C: key };
    // "Individual Symbol Mini Ticker Stream"
    case 'miniTicker':
      return { ...marked(docs.miniTickerEvent), E: key, s: 'BTCUSDT' };
    // "Individual Symbol Book Ticker Streams"
    case 'bookTicker':
      return { ...marked(docs.bookTickerEvent), u: key, s: 'BTCUSDT' };
    // "Kline/Candlestick Streams" (`B` is a field to ignore, not an amount)
    case 'klines': {
      const open = key - (key % 60_000);
      const k = { ...marked(docs.klineEvent.k, ['B']), t: open, T: open + 59_999, s: 'BTCUSDT' };
      return { ...docs.klineEvent, E: key, s: 'BTCUSDT', k };
    }
    // "Partial Book Depth Streams"
    default:
      return {
        ...docs.partialDepthEvent,
        lastUpdateId: key,
        bids: [[MARKER, MARKER]],
        asks: [[MARKER, MARKER]],
      };
  }
}

const decimal = (v: unknown) => typeof v === 'string' && /^\d+(\.\d+)?$/.test(v);
const signed = (v: unknown) => typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v);
const count = (min: number) => (v: unknown) => Number.isSafeInteger(v) && (v as number) >= min;
const levels = (v: unknown) =>
  Array.isArray(v) &&
  v.every((l) => Array.isArray(l) && l.length >= 2 && decimal(l[0]) && Number(l[0]) > 0 && decimal(l[1]));

/** The fields each stream's parser reads, and the values it may accept; the fuzzer breaks one. */
const FIELDS: Readonly<Record<Kind, Readonly<Record<string, (v: unknown) => boolean>>>> = {
  ticker: {
    E: count(0),
    p: signed,
    P: signed,
    w: decimal,
    c: decimal,
    Q: decimal,
    b: decimal,
    B: decimal,
    a: decimal,
    A: decimal,
    o: decimal,
    h: decimal,
    l: decimal,
    v: decimal,
    q: decimal,
    O: count(0),
    C: count(0),
    F: count(-1),
    L: count(-1),
    n: count(0),
  },
  miniTicker: { E: count(0), c: decimal, o: decimal, h: decimal, l: decimal, v: decimal, q: decimal },
  bookTicker: { u: count(0), b: decimal, B: decimal, a: decimal, A: decimal },
  klines: {
    E: count(0),
    k: (v) => typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length > 10,
    'k.t': count(0),
    'k.i': (v) => (KLINE_INTERVALS as readonly unknown[]).includes(v),
    'k.o': decimal,
    'k.c': decimal,
    'k.h': decimal,
    'k.l': decimal,
    'k.v': decimal,
    'k.q': decimal,
    'k.V': decimal,
    'k.Q': decimal,
    'k.n': count(0),
    'k.x': (v) => typeof v === 'boolean',
  },
  depth: { lastUpdateId: count(0), bids: levels, asks: levels },
};

/** Every amount of a delivered value. */
function amountsOf(kind: Kind, value: unknown): Decimal[] {
  const amounts: Decimal[] = [];
  if (kind === 'depth') {
    const book = value as OrderBookSnapshot;
    for (const level of [...book.bids, ...book.asks]) amounts.push(level.price, level.quantity);
  } else {
    for (const field of Object.values(value as object)) if (field instanceof Decimal) amounts.push(field);
  }
  return amounts;
}

/** A delivered value as a user relies on it: every amount a finite Decimal, never the fuzzed marker. */
function wellFormed(kind: Kind, value: unknown): string | undefined {
  const v = value as Record<string, unknown>;
  for (const amount of amountsOf(kind, value)) {
    if (!amount.isFinite()) return `a non-finite amount ${amount.toString()}`;
    if (amount.eq(MARKER_VALUE)) return 'a value of the fuzzed frame';
  }
  const signedFields = kind === 'ticker' ? ['change', 'changePercent'] : [];
  for (const [name, field] of Object.entries(v)) {
    if (field instanceof Decimal && field.isNegative() && !signedFields.includes(name)) {
      return `${name} negative`;
    }
  }
  if (kind === 'ticker' || kind === 'miniTicker') {
    if (!Number.isSafeInteger((value as Ticker).timestamp)) return 'no timestamp';
  }
  if (kind === 'klines' && !Number.isSafeInteger((value as Kline).tradeCount)) return 'no trade count';
  return undefined;
}

describe('fuzzed ticker, mini ticker, book ticker, kline and partial depth frames', () => {
  it('are never delivered, and never hold back the real message after them', async () => {
    let sent = 0;
    const cases = fc.oneof(
      ...KINDS.map((kind) =>
        fc.oneof(mutate(FIELDS[kind]), notAFrame).map((fuzz: Mutation) => ({ kind, fuzz })),
      ),
    );
    let checked = KINDS.map((kind) => delivered[kind].length);
    await fc.assert(
      fc.asyncProperty(cases, async ({ kind, fuzz }) => {
        const discardsBefore = discards;
        expect(fake.handle.faults.sendMalformed(connectionId, fuzz.frame(STREAMS[kind], payload(kind)))).toBe(
          1,
        );
        sent++;
        realChange();
        await waitFor(() => shows(kind), `the real ${kind} after ${fuzz.describe}`);
        expect(discards, `${kind} ${fuzz.describe}`).toBeGreaterThan(discardsBefore);
        for (const [i, each] of KINDS.entries()) {
          for (const value of delivered[each].slice(checked[i])) {
            expect(wellFormed(each, value), `${each} after ${kind} ${fuzz.describe}`).toBeUndefined();
          }
        }
        checked = KINDS.map((each) => delivered[each].length);
      }),
      fuzzRuns(200),
    );
    expect(sent).toBe(fuzzRuns(200).numRuns);
  });

  it('with extra fields Binance may add are delivered exactly', async () => {
    const read = new Set(
      KINDS.flatMap((kind) => Object.keys(FIELDS[kind]).map((name) => name.split('.')[0])),
    );
    const extra = fc.dictionary(
      fc.string({ minLength: 1, maxLength: 6 }).filter((name) => !read.has(name) && name !== '__proto__'),
      junkValue,
      { minKeys: 1, maxKeys: 3 },
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...KINDS), extra, async (kind, fields) => {
        const before = delivered[kind].length;
        const data = { ...fields, ...payload(kind) };
        expect(
          fake.handle.faults.sendMalformed(connectionId, JSON.stringify({ stream: STREAMS[kind], data })),
        ).toBe(1);
        await waitFor(
          () =>
            delivered[kind].slice(before).some((v) => wellFormed(kind, v) === 'a value of the fuzzed frame'),
          `the ${kind} frame with ${JSON.stringify(fields)}`,
        );
        const value = delivered[kind].slice(before).find((v) => wellFormed(kind, v) !== undefined);
        expect(amountsOf(kind, value).every((amount) => amount.eq(MARKER_VALUE))).toBe(true);
        // The real messages after it still arrive.
        realChange();
        await waitFor(() => shows(kind), `the real ${kind} after the frame with extra fields`);
      }),
      fuzzRuns(25),
    );
  });
});
