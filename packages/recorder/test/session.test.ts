import {
  type AggTrade,
  type Balance,
  type BookTicker,
  type BusEvent,
  Decimal,
  type Fill,
  type Kline,
  type Order,
  type OrderBookSnapshot,
  type Ticker,
  type Trade,
} from '@venuekit/core';
import type { SubscribeOptions } from '@venuekit/streams';
import { afterEach, describe, expect, it } from 'vitest';
import type { Structure } from '../src/schema/structure';
import * as S from '../src/schema/structures';
import { eventually } from './support/db';
import { ALICE, type Session, startSession } from './support/session';
import { plain } from './support/values';

let session: Session | undefined;
afterEach(async () => {
  await session?.close();
  session = undefined;
});

/** What a value looks like once stored: its structure's omitted fields left out, decimals as strings. */
function stored(structure: Structure, value: unknown): unknown {
  const copy = { ...(value as Record<string, unknown>) };
  for (const field of Object.keys(structure.omitted)) delete copy[field];
  return plain(copy);
}

/** Rows of a table decoded back into their structure, in a canonical order for comparison. */
async function readBack(
  s: Session,
  structure: Structure,
  table = structure.table,
  where = '',
): Promise<unknown[]> {
  const rows = await s.db.query(`SELECT * FROM "${s.db.schema}"."${table}" ${where}`);
  return sorted(rows.map((row) => plain(structure.decode(row))));
}

function sorted(values: unknown[]): unknown[] {
  return values.map((v) => JSON.stringify(v)).sort();
}

const ALL: SubscribeOptions = { policy: 'drop_oldest', capacity: 100_000 };
const SYMBOL = 'BTC/USDT';

describe('a recorded session of the fake Binance (real sockets, real PostgreSQL)', () => {
  it('reads back equal to what subscribers saw: trades, tickers, klines, book samples, raw frames, orders, fills, balances', async () => {
    const s = await startSession();
    session = s;
    await s.recorder.start();
    expect(s.recorder.figures().state).toBe('up');

    const seen = {
      trades: [] as Trade[],
      aggTrades: [] as AggTrade[],
      tickers: [] as Ticker[],
      bookTickers: [] as BookTicker[],
      klines: [] as Kline[],
      // The partial book is pushed on a timer: the same update id comes again with a new receive time.
      depth: [] as OrderBookSnapshot[],
      books: new Map<string, OrderBookSnapshot>(),
    };
    // The test's subscribers and the recorder's attach in the same tick, so they see the same values.
    const subscribers = [
      s.streams.subscribe({ kind: 'trades', symbol: SYMBOL }, (v) => void seen.trades.push(v), ALL),
      s.streams.subscribe({ kind: 'aggTrades', symbol: SYMBOL }, (v) => void seen.aggTrades.push(v), ALL),
      s.streams.subscribe({ kind: 'ticker', symbol: SYMBOL }, (v) => void seen.tickers.push(v), ALL),
      s.streams.subscribe({ kind: 'bookTicker', symbol: SYMBOL }, (v) => void seen.bookTickers.push(v), ALL),
      s.streams.subscribe(
        { kind: 'klines', symbol: SYMBOL, interval: '1m' },
        (v) => void seen.klines.push(v),
        ALL,
      ),
      s.streams.subscribe({ kind: 'depth', symbol: SYMBOL, levels: 10 }, (v) => void seen.depth.push(v), ALL),
      s.streams.subscribe(
        { kind: 'orderBook', symbol: SYMBOL },
        (update) => {
          // The book is live: keep the copy only when it is still at this update.
          const copy = update.book.snapshot(20);
          if (copy.updateId === update.updateId) seen.books.set(update.updateId, copy);
        },
        ALL,
      ),
    ];
    const recorded = [
      s.recorder.recordStream({ kind: 'trades', symbol: SYMBOL }),
      s.recorder.recordStream({ kind: 'aggTrades', symbol: SYMBOL }),
      s.recorder.recordStream({ kind: 'ticker', symbol: SYMBOL }),
      s.recorder.recordStream({ kind: 'bookTicker', symbol: SYMBOL }),
      s.recorder.recordStream({ kind: 'klines', symbol: SYMBOL, interval: '1m' }),
      s.recorder.recordStream({ kind: 'depth', symbol: SYMBOL, levels: 10 }, { intervalMs: 100 }),
      s.recorder.recordStream({ kind: 'orderBook', symbol: SYMBOL }, { intervalMs: 100, levels: 20 }),
    ];
    await Promise.all([...subscribers.map((x) => x.ready), ...recorded.map((r) => r.ready)]);
    expect(recorded.every((r) => r.rawKey?.startsWith('binance:'))).toBe(true);

    const userEvents = await s.userEvents('alice');
    await s.recorder.recordUser('alice');
    const alice = await s.trading.connectUser('alice', ALICE.apiKey, ALICE.secretKey);
    s.fake.handle.simulation?.resume();
    await eventually(() => seen.trades.length >= 5, 'the simulated market to trade');
    await alice.placeOrder({ symbol: SYMBOL, side: 'BUY', type: 'MARKET', quantity: '0.01' });
    const resting = await alice.placeOrder({
      symbol: SYMBOL,
      side: 'BUY',
      type: 'LIMIT',
      quantity: '0.01',
      price: new Decimal(String(s.fake.handle.book('BTCUSDT').bids[0]?.[0]))
        .times('0.95')
        .toDecimalPlaces(2)
        .toString(),
      timeInForce: 'GTC',
    });
    await alice.cancelOrder({ symbol: SYMBOL, orderId: resting.id });
    await eventually(
      () =>
        seen.trades.length >= 40 &&
        seen.tickers.length >= 5 &&
        seen.books.size >= 5 &&
        userEvents.some((e) => e.type === 'fill') &&
        userEvents.some(
          (e) => e.type === 'order' && (e.data as { order: Order }).order.status === 'canceled',
        ) &&
        userEvents.some((e) => e.type === 'balances'),
      'market data and alice’s events',
    );
    s.fake.handle.simulation?.pause();
    // Both sides stop at the same point too.
    const stops = [...subscribers.map((x) => x.unsubscribe()), ...recorded.map((r) => r.stop())];
    await Promise.all(stops);
    await s.trading.disconnectUser('alice');
    await s.recorder.flush();

    // Market data: exactly what the subscribers saw.
    expect(await readBack(s, S.trade)).toEqual(sorted(seen.trades.map((v) => stored(S.trade, v))));
    expect(await readBack(s, S.aggTrade)).toEqual(sorted(seen.aggTrades.map((v) => stored(S.aggTrade, v))));
    expect(await readBack(s, S.ticker)).toEqual(sorted(seen.tickers.map((v) => stored(S.ticker, v))));
    expect(await readBack(s, S.bookTicker)).toEqual(
      sorted(seen.bookTickers.map((v) => stored(S.bookTicker, v))),
    );
    const latestCandles = new Map(seen.klines.map((k) => [k.openTime, k]));
    expect(await readBack(s, S.kline)).toEqual(
      sorted([...latestCandles.values()].map((v) => stored(S.kline, v))),
    );

    // Book samples: each one is the book as a subscriber saw it at that update id.
    const samples = await s.db.query<{ stream: string; update_id: string }>(
      `SELECT * FROM "${s.db.schema}".book_snapshots ORDER BY recorded_at`,
    );
    const depthSamples = samples.filter((r) => r.stream === 'depth');
    const bookSamples = samples.filter((r) => r.stream === 'orderBook');
    expect(depthSamples.length).toBeGreaterThanOrEqual(2);
    expect(bookSamples.length).toBeGreaterThanOrEqual(2);
    const seenDepth = new Set(seen.depth.map((v) => JSON.stringify(plain(v))));
    for (const row of depthSamples) {
      expect(seenDepth.has(JSON.stringify(plain(S.bookSnapshot.decode(row))))).toBe(true);
    }
    let verified = 0;
    for (const row of bookSamples) {
      const copy = seen.books.get(row.update_id);
      if (!copy) continue;
      verified++;
      expect(plain(S.bookSnapshot.decode(row))).toEqual(plain(copy));
      expect((copy.bids.length > 0 && copy.asks.length > 0) || copy.bids.length + copy.asks.length > 0).toBe(
        true,
      );
    }
    expect(verified).toBeGreaterThan(0);

    // Raw frames: every trade a subscriber saw arrived as a frame, kept with its connection and time.
    const raw = await s.db.query<{
      stream: string;
      connection_id: string;
      payload: string;
      received_at: Date;
    }>(
      `SELECT stream, connection_id, payload::text AS payload, received_at FROM "${s.db.schema}".raw_market_frames`,
    );
    const rawTradeIds = new Set(
      raw
        .filter((r) => r.stream === 'btcusdt@trade')
        .map((r) => String((JSON.parse(r.payload) as { data: { t: number } }).data.t)),
    );
    for (const trade of seen.trades) expect(rawTradeIds.has(trade.id)).toBe(true);
    expect(new Set(raw.map((r) => r.stream))).toEqual(
      new Set([
        'btcusdt@trade',
        'btcusdt@aggTrade',
        'btcusdt@ticker',
        'btcusdt@bookTicker',
        'btcusdt@kline_1m',
        'btcusdt@depth10',
        'btcusdt@depth@100ms',
      ]),
    );
    expect(raw.every((r) => /^binance-market-\d+$/.test(r.connection_id))).toBe(true);
    expect(raw.every((r) => r.payload.startsWith('{"stream":"'))).toBe(true);

    // Alice: the current state of every order, every state in order_events, each fill, her balances.
    const orderEvents = userEvents
      .filter((e) => e.type === 'order')
      .map((e) => (e.data as { order: Order }).order);
    const lastState = new Map(orderEvents.map((o) => [o.id, o]));
    expect(await readBack(s, S.order)).toEqual(
      sorted([...lastState.values()].map((o) => stored(S.order, o))),
    );
    expect(await readBack(s, S.order, 'order_events')).toEqual(
      sorted(orderEvents.map((o) => stored(S.order, o))),
    );
    const contexts = await s.db.query<{ user_id: string; source: string; execution_type: string | null }>(
      `SELECT user_id, source, execution_type FROM "${s.db.schema}".order_events`,
    );
    expect(contexts.every((c) => c.user_id === 'alice')).toBe(true);
    expect(new Set(contexts.map((c) => c.source))).toContain('stream');
    const fills = userEvents.filter((e) => e.type === 'fill').map((e) => e.data as Fill);
    expect(await readBack(s, S.fill)).toEqual(sorted(fills.map((f) => stored(S.fill, f))));
    const balances = userEvents
      .filter((e: BusEvent) => e.type === 'balances')
      .flatMap((e) => (e.data as { balances: Balance[] }).balances);
    expect(await readBack(s, S.balance, 'balance_events')).toEqual(
      sorted(balances.map((b) => stored(S.balance, b))),
    );
    const lastBalance = new Map(balances.map((b) => [b.asset, b]));
    expect(await readBack(s, S.balance)).toEqual(
      sorted([...lastBalance.values()].map((b) => stored(S.balance, b))),
    );
    const rawUser = await s.db.query<{ user_id: string; payload: string }>(
      `SELECT user_id, payload::text AS payload FROM "${s.db.schema}".raw_user_frames`,
    );
    expect(rawUser.length).toBeGreaterThan(0);
    expect(rawUser.every((r) => r.user_id === 'alice')).toBe(true);
    expect(rawUser.some((r) => r.payload.includes('"executionReport"'))).toBe(true);
    expect(rawUser.map((r) => r.payload).join('')).not.toContain(ALICE.secretKey);

    // Stream status signals were kept; nothing was lost.
    const statuses = await s.db.query<{ stream: string; status: string }>(
      `SELECT stream, status FROM "${s.db.schema}".stream_events`,
    );
    expect(statuses.filter((r) => r.status === 'subscribed').length).toBe(7);
    const figures = s.recorder.figures();
    expect(figures.lost).toBe(0);
    expect(figures.written).toBe(figures.accepted);
  });
});
