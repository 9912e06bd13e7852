// Stream frames, fuzzed, sent by a real server: the fake Binance writes each fuzzed frame on the
// very connection the adapter reads its trades and depth updates from, between real ones. A frame
// that is not a valid payload must be a counted discard (or a resync), never a delivered value,
// and must not make the adapter lose or reject the real frames that follow.
import { BinanceAdapter } from '@venuekit/adapter-binance';
import { Decimal, type OrderBookUpdate, type StreamStatus, telemetry, type Trade } from '@venuekit/core';
import { type FakeBinance, startFakeBinance } from '@venuekit/testkit';
import * as docs from '@venuekit/testkit/docs-examples';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BookReference } from '../src/soak/book-reference';
import { TradeLedger } from '../src/soak/trade-ledger';
import { fuzzRuns, type Mutation, mutate, notAFrame, waitFor } from './support/fuzz';

let fake: FakeBinance;
let adapter: BinanceAdapter;
let connectionId: string;
let tradeLedger: TradeLedger;
let book: BookReference;
let lastBook: OrderBookUpdate | undefined;
let bookInSync = false;
let discards = 0;
const statuses: StreamStatus[] = [];
const bookProblems: string[] = [];
const closers: Array<() => unknown> = [];

beforeAll(async () => {
  fake = await startFakeBinance({
    symbols: ['BTCUSDT'],
    simulation: false,
    accounts: [
      { id: 'maker', balances: { BTC: '1000', USDT: '100000000' } },
      { id: 'taker', balances: { BTC: '1000', USDT: '100000000' } },
    ],
  });
  closers.push(() => fake.close());
  adapter = new BinanceAdapter({
    urls: { rest: fake.restUrl, streams: fake.streamsUrl, wsApi: fake.wsApiUrl },
    streams: { reorderWindowMs: 200 },
    orderBook: { resyncInitialDelayMs: 50, resyncMaxDelayMs: 500 },
  });
  closers.push(() => adapter.close());
  closers.push(telemetry.messageDiscarded.subscribe(() => discards++));
  tradeLedger = new TradeLedger(fake.handle.engine, 'BTCUSDT');
  closers.push(() => tradeLedger.close());
  book = new BookReference(fake.handle.engine, 'BTCUSDT');
  closers.push(() => book.close());
  restingOrder('BUY', '59000.00');
  restingOrder('SELL', '61000.00');
  const trades = adapter.marketData.subscribe(
    { kind: 'trades', symbol: 'BTC/USDT' },
    { next: (trade: Trade) => tradeLedger.onTrade(trade), status: (status) => tradeLedger.onStatus(status) },
  );
  const books = adapter.marketData.subscribe(
    { kind: 'orderBook', symbol: 'BTC/USDT' },
    {
      next: (update) => {
        lastBook = update;
        if (update.resynced) bookInSync = true;
        if (!bookInSync) return;
        const difference = book.compare(update.book);
        if (difference !== undefined) bookProblems.push(`at ${update.book.updateId}: ${difference}`);
      },
      status: (status) => {
        statuses.push(status);
        if (status.type === 'stale') bookInSync = false;
      },
    },
  );
  closers.push(
    () => trades.unsubscribe(),
    () => books.unsubscribe(),
  );
  await Promise.all([trades.ready, books.ready]);
  const connection = fake.handle.connections('streams')[0];
  if (!connection) throw new Error('no stream connection');
  connectionId = connection.id;
  // The book syncs on the first diff after its snapshot request.
  restingOrder('BUY', '58500.00');
  await waitFor(() => bookInSync, 'the book to sync');
});

afterAll(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

const resting: number[] = [];

/** A real book change: a resting bid placed, or (past 50 of them) the oldest canceled. */
function bookChange(): void {
  if (resting.length >= 50) {
    fake.handle.engine.cancelOrder('maker', { symbol: 'BTCUSDT', orderId: resting.shift() as number });
    return;
  }
  resting.push(restingOrder('BUY', (58000 + Math.floor(Math.random() * 900)).toFixed(2)));
}

function restingOrder(side: 'BUY' | 'SELL', price: string): number {
  return fake.handle.engine.placeOrder('maker', {
    symbol: 'BTCUSDT',
    side,
    type: 'LIMIT',
    timeInForce: 'GTC',
    price: new Decimal(price),
    quantity: new Decimal('0.01'),
  }).order.orderId;
}

/** A real trade: the maker rests a small sell, the taker buys it. Returns its id. */
function realTrade(): number {
  restingOrder('SELL', '60000.00');
  fake.handle.engine.placeOrder('taker', {
    symbol: 'BTCUSDT',
    side: 'BUY',
    type: 'MARKET',
    quantity: new Decimal('0.01'),
  });
  return fake.handle.engine.lastPrice('BTCUSDT')?.id ?? 0;
}

function send(text: string): void {
  expect(fake.handle.faults.sendMalformed(connectionId, text)).toBe(1);
}

// web-socket-streams.md, "Trade Streams": the example, with the adapter's own stream name and ids.
function tradePayload(id: number): Record<string, unknown> {
  const now = Date.now();
  // A price and quantity no real trade here has: a broken frame taken for a trade shows up as a wrong value.
  return { ...docs.tradeEvent, E: now, s: 'BTCUSDT', t: id, p: '60123.45000000', q: '0.07770000', T: now };
}

/** Which values of a trade's fields the adapter may accept; the fuzzer breaks at least one. */
const TRADE_FIELDS: Readonly<Record<string, (value: unknown) => boolean>> = {
  t: (v) => Number.isSafeInteger(v) && (v as number) >= 0,
  p: (v) => typeof v === 'string' && /^\d+(\.\d+)?$/.test(v) && Number(v) > 0,
  q: (v) => typeof v === 'string' && /^\d+(\.\d+)?$/.test(v) && Number(v) > 0,
  T: (v) => Number.isSafeInteger(v) && (v as number) >= 0,
  m: (v) => typeof v === 'boolean',
};

// web-socket-streams.md, "Diff. Depth Stream": the example, following on from the book, one bid.
function depthPayload(next: number): Record<string, unknown> {
  return {
    ...docs.depthUpdateEvent,
    E: Date.now(),
    s: 'BTCUSDT',
    U: next,
    u: next,
    b: [['59500.00', '0.5']],
    a: [],
  };
}

const level = (v: unknown) =>
  Array.isArray(v) &&
  v.length >= 2 &&
  TRADE_FIELDS.p?.(v[0]) === true &&
  typeof v[1] === 'string' &&
  /^\d+(\.\d+)?$/.test(v[1]);
const DEPTH_FIELDS: Readonly<Record<string, (value: unknown) => boolean>> = {
  U: (v) => Number.isSafeInteger(v) && (v as number) >= 0,
  u: (v) => Number.isSafeInteger(v) && (v as number) >= 0,
  b: (v) => Array.isArray(v) && v.every(level),
  a: (v) => Array.isArray(v) && v.every(level),
};

describe('fuzzed trade frames between real trades', () => {
  it('never delivers a broken trade, and never loses or doubles a real one', async () => {
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof(mutate(TRADE_FIELDS), notAFrame), async (fuzz: Mutation) => {
        const next = (fake.handle.engine.lastPrice('BTCUSDT')?.id ?? 0) + 1;
        const discardsBefore = discards;
        send(fuzz.frame('btcusdt@trade', tradePayload(next)));
        sent++;
        const id = realTrade();
        await waitFor(
          () => (tradeLedger.lastDelivered ?? 0) >= id,
          `real trade ${id} after ${fuzz.describe}`,
        );
        expect(tradeLedger.figures).toMatchObject({ duplicates: 0, lost: 0, wrongValues: 0 });
        expect(tradeLedger.problems).toEqual([]);
        // The broken frame was counted where the connection or the route discarded it.
        expect(discards).toBeGreaterThan(discardsBefore);
      }),
      fuzzRuns(150),
    );
    expect(sent).toBe(fuzzRuns(150).numRuns);
    expect(tradeLedger.figures.reportedMissing).toBe(0);
  });
});

describe('fuzzed depth updates between real ones', () => {
  it('never applies a broken update: the local book stays equal to the exchange', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(mutate(DEPTH_FIELDS), notAFrame), async (fuzz: Mutation) => {
        const stream = fake.handle.connections('streams')[0]?.streams.find((name) => name.includes('@depth'));
        expect(stream).toBeDefined();
        const next = fake.handle.book('BTCUSDT').lastUpdateId + 1;
        send(fuzz.frame(stream as string, depthPayload(next)));
        // A real change after it; the local book must reach it and equal the exchange's (checked on
        // every update it delivers while in sync).
        bookChange();
        const target = fake.handle.book('BTCUSDT').lastUpdateId;
        await waitFor(
          () => bookInSync && lastBook !== undefined && Number(lastBook.book.updateId) >= target,
          `the book to reach ${target} after ${fuzz.describe}`,
        );
        expect(book.compare(lastBook?.book as OrderBookUpdate['book'])).toBeUndefined();
        expect(bookProblems).toEqual([]);
      }),
      fuzzRuns(100),
    );
  });
});
