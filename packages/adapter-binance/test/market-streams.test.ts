import type {
  AggTrade,
  BookTicker,
  Kline,
  MiniTicker,
  OrderBookSnapshot,
  StreamStatus,
  Ticker,
  Trade,
} from '@venuekit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BinanceAdapter } from '../src/adapter';
import { type Market, startMarket, waitFor } from './support/harness';

// Every stream type, subscribed over real sockets against the fake Binance, parsed from the
// payloads it sends and compared with the fake engine's own state.
let market: Market;

beforeAll(async () => {
  market = await startMarket(
    {},
    { streamTimings: { slowMs: 100, fastMs: 50, klineMs: 100, kline1sMs: 100 } },
  );
  for (let i = 0; i < 20; i++) market.driver.bookChange();
});

afterAll(async () => {
  await market?.close();
});

function collect<T>() {
  const values: T[] = [];
  const statuses: StreamStatus[] = [];
  return {
    values,
    statuses,
    observer: { next: (v: T) => values.push(v), status: (s: StreamStatus) => statuses.push(s) },
  };
}

const text = (value: unknown) => String(value);

describe('market streams against the fake Binance', () => {
  it('trades and aggregate trades: ids, prices, quantities and taker side as the engine recorded them', async () => {
    const md = market.adapter.marketData;
    const trades = collect<Trade>();
    const aggs = collect<AggTrade>();
    const a = md.subscribe({ kind: 'trades', symbol: 'BTC/USDT' }, trades.observer);
    const b = md.subscribe({ kind: 'aggTrades', symbol: 'btc/usdt' }, aggs.observer);
    // A failed assertion must not leave streams behind for the next test to find.
    try {
      await Promise.all([a.ready, b.ready]);
      expect(trades.statuses).toEqual([{ type: 'subscribed' }]);
      for (let i = 0; i < 10; i++) market.driver.trade();
      await waitFor(
        () => trades.values.length === 10 && aggs.values.length === 10,
        'ten trades on both streams',
      );
      const truth = market.fake.handle.engine.recentTrades('BTCUSDT', 10);
      expect(trades.values.map((t) => t.id)).toEqual(truth.map((t) => String(t.id)));
      for (const [i, trade] of trades.values.entries()) {
        const record = truth[i];
        expect(trade).toMatchObject({
          exchange: 'binance',
          symbol: 'BTC/USDT',
          side: 'buy',
          buyerIsMaker: false,
        });
        expect(text(trade.price)).toBe(text(record?.price));
        expect(text(trade.quantity)).toBe(text(record?.qty));
        expect(trade.timestamp).toBe(record?.time);
      }
      for (const agg of aggs.values) {
        expect(agg.firstTradeId).toBe(agg.lastTradeId);
        expect(text(agg.price)).toBe('60000');
      }
      expect(aggs.values.map((t) => t.firstTradeId)).toEqual(truth.map((t) => String(t.id)));
    } finally {
      await Promise.all([a.unsubscribe(), b.unsubscribe()]);
    }
  });

  it('ticker, mini ticker and klines of every interval carry the engine statistics', async () => {
    const md = market.adapter.marketData;
    const engine = market.fake.handle.engine;
    const ticker = collect<Ticker>();
    const mini = collect<MiniTicker>();
    const k1m = collect<Kline>();
    const k1s = collect<Kline>();
    const k1M = collect<Kline>();
    const candles = [
      [k1m, '1m'],
      [k1s, '1s'],
      [k1M, '1M'],
    ] as const;
    // Statistics exist before the subscriptions, so every stream has a value to push at once.
    market.driver.trade();
    const subs = [
      md.subscribe({ kind: 'ticker', symbol: 'BTC/USDT' }, ticker.observer),
      md.subscribe({ kind: 'miniTicker', symbol: 'BTC/USDT' }, mini.observer),
      md.subscribe({ kind: 'klines', symbol: 'BTC/USDT', interval: '1m' }, k1m.observer),
      md.subscribe({ kind: 'klines', symbol: 'BTC/USDT', interval: '1s' }, k1s.observer),
      md.subscribe({ kind: 'klines', symbol: 'BTC/USDT', interval: '1M' }, k1M.observer),
    ];
    try {
      await Promise.all(subs.map((s) => s.ready));
      // The values pushed so far may predate the trade below (a kline stream pushes the current
      // candle, and a candle of a new second or minute carries the last close with no volume):
      // wait for one of each first, so that what is asserted is what the trade changed. From its
      // first push on, the venue also sends each candle's final state when the next one begins.
      await waitFor(
        () => [ticker, mini, k1m, k1s, k1M].every((c) => c.values.length > 0),
        'a first value on every stream',
      );
      market.driver.trade();
      let [record] = engine.recentTrades('BTCUSDT', 1);
      // The candle the trade landed in, once a push of it shows a trade.
      const candleOf = (values: readonly Kline[], time: number) =>
        values.findLast((k) => k.openTime <= time && time <= k.closeTime && k.tradeCount > 0);
      // A 1s candle closes within the second: only a machine stalled for more than a second (no
      // push at all while the trade's candle was open) can skip it. Then a further trade lands in
      // a later candle, and that one is awaited instead.
      await waitFor(() => {
        const time = record?.time ?? 0;
        if (candleOf(k1s.values, time)) return true;
        if ((k1s.values.at(-1)?.openTime ?? 0) > time) {
          market.driver.trade();
          [record] = engine.recentTrades('BTCUSDT', 1);
        }
        return false;
      }, 'the 1s candle of the trade');
      const tradeTime = record?.time ?? 0;
      const truth = engine.ticker24h('BTCUSDT');
      await waitFor(
        () =>
          ticker.values.some((v) => v.lastTradeId === String(truth.lastId)) &&
          mini.values.some((v) => text(v.baseVolume) === text(truth.volume)) &&
          candles.every(([c]) => candleOf(c.values, tradeTime) !== undefined),
        'statistics after a trade',
      );
      const t = ticker.values.find((v) => v.lastTradeId === String(truth.lastId)) as Ticker;
      expect(t.symbol).toBe('BTC/USDT');
      expect(text(t.last)).toBe('60000');
      expect(t.tradeCount).toBeGreaterThan(0);
      expect(t.tradeCount).toBe(truth.count);
      expect(t.closeTime).toBeGreaterThanOrEqual(t.openTime);
      expect(text(t.bid)).toBe(text(engine.bookTicker('BTCUSDT').bidPrice));
      const m = mini.values.find((v) => text(v.baseVolume) === text(truth.volume)) as MiniTicker;
      expect(text(m.high)).toBe('60000');
      expect(text(m.last)).toBe('60000');
      for (const [collector, interval] of candles) {
        const kline = candleOf(collector.values, tradeTime) as Kline;
        expect(kline.interval).toBe(interval);
        expect(kline.closeTime).toBeGreaterThan(kline.openTime);
        expect(text(kline.close)).toBe('60000');
        expect(kline.volume.gt(0)).toBe(true);
      }
    } finally {
      await Promise.all(subs.map((s) => s.unsubscribe()));
    }
  });

  it('book ticker and partial depth (5/10/20 levels, 100 and 1000 ms) match the engine book', async () => {
    const md = market.adapter.marketData;
    const top = collect<BookTicker>();
    const depths = ([5, 10, 20] as const).flatMap((levels) =>
      ([100, 1000] as const).map((updateSpeedMs) => ({
        levels,
        updateSpeedMs,
        c: collect<OrderBookSnapshot>(),
      })),
    );
    const subs = [
      md.subscribe({ kind: 'bookTicker', symbol: 'BTC/USDT' }, top.observer),
      ...depths.map((d) =>
        md.subscribe(
          { kind: 'depth', symbol: 'BTC/USDT', levels: d.levels, updateSpeedMs: d.updateSpeedMs },
          d.c.observer,
        ),
      ),
    ];
    try {
      await Promise.all(subs.map((s) => s.ready));
      market.driver.bookChange();
      market.driver.trade(); // changes the best ask twice: the book ticker only pushes changes of the top
      const engine = market.fake.handle;
      const truthId = engine.book('BTCUSDT').lastUpdateId;
      await waitFor(
        () => depths.every((d) => d.c.values.some((v) => Number(v.updateId) >= truthId)),
        'partial depth at the current update id',
      );
      const topId = String(engine.engine.bookTicker('BTCUSDT').updateId);
      await waitFor(() => top.values.some((v) => v.updateId === topId), 'book ticker at the current top');
      const book = engine.book('BTCUSDT');
      for (const d of depths) {
        const snapshot =
          d.c.values.find((v) => Number(v.updateId) === book.lastUpdateId) ??
          (d.c.values.at(-1) as OrderBookSnapshot);
        expect(snapshot.symbol).toBe('BTC/USDT');
        expect(snapshot.bids.map((l) => [text(l.price), text(l.quantity)])).toEqual(
          book.bids.slice(0, d.levels).map(([p, q]) => [text(p), text(q)]),
        );
        expect(snapshot.asks.map((l) => [text(l.price), text(l.quantity)])).toEqual(
          book.asks.slice(0, d.levels).map(([p, q]) => [text(p), text(q)]),
        );
      }
      const best = top.values.at(-1) as BookTicker;
      const truthTop = engine.engine.bookTicker('BTCUSDT');
      expect([best.bid, best.bidQuantity, best.ask, best.askQuantity].map(text)).toEqual(
        [truthTop.bidPrice, truthTop.bidQty, truthTop.askPrice, truthTop.askQty].map(text),
      );
      // One connection carries them all, with their names as Binance knows them.
      const [connection] = md.connections();
      expect(md.connections()).toHaveLength(1);
      expect([...(connection?.streams ?? [])].sort()).toEqual(
        [
          'btcusdt@bookTicker',
          'btcusdt@depth5',
          'btcusdt@depth5@100ms',
          'btcusdt@depth10',
          'btcusdt@depth10@100ms',
          'btcusdt@depth20',
          'btcusdt@depth20@100ms',
        ].sort(),
      );
    } finally {
      await Promise.all(subs.map((s) => s.unsubscribe()));
    }
  });

  it('subscribers of the same spec share one venue stream; stats count them', async () => {
    const md = market.adapter.marketData;
    const one = collect<Trade>();
    const two = collect<Trade>();
    const a = md.subscribe({ kind: 'trades', symbol: 'BTC/USDT' }, one.observer);
    const b = md.subscribe({ kind: 'trades', symbol: 'BTC/USDT' }, two.observer);
    expect(a.key).toBe(b.key);
    expect(a.key).toBe(md.streamKey({ kind: 'trades', symbol: 'btc/usdt' }));
    await Promise.all([a.ready, b.ready]);
    market.driver.trade();
    await waitFor(() => one.values.length === 1 && two.values.length === 1, 'both subscribers');
    expect(one.values[0]).toBe(two.values[0]);
    const stats = md.streamStats().find((s) => s.key === a.key);
    expect(stats).toMatchObject({ subscribers: 2, messages: 1, kind: 'trades', symbol: 'BTC/USDT' });
    expect(stats?.timeToFirstMessageMs).toBeGreaterThanOrEqual(0);
    expect(market.adapter.status().streams.map((s) => s.key)).toContain(a.key);
    await a.unsubscribe();
    market.driver.trade();
    await waitFor(() => two.values.length === 2, 'the remaining subscriber');
    expect(one.values).toHaveLength(1);
    await b.unsubscribe();
  });

  it('a stream of a market Binance does not list ends with UNKNOWN_SYMBOL instead of staying silent', async () => {
    // A fresh adapter: exchangeInfo not loaded yet, so the first check is asynchronous.
    const adapter = new BinanceAdapter({
      urls: { rest: market.fake.restUrl, streams: market.fake.streamsUrl },
    });
    try {
      const md = adapter.marketData;
      const errors: unknown[] = [];
      const book = md.subscribe(
        { kind: 'orderBook', symbol: 'DOGE/USDT' },
        { next() {}, error: (e) => errors.push(e) },
      );
      await waitFor(() => errors.length === 1, 'the refusal');
      expect(errors[0]).toMatchObject({ code: 'UNKNOWN_SYMBOL', field: 'spec.symbol' });
      expect(md.streamStats()).toEqual([]);
      await book.unsubscribe(); // harmless after the refusal
      await waitFor(() => md.connections().length === 0, 'the empty connection to close');
      // Once exchangeInfo is known, the refusal is immediate.
      expect(() => md.subscribe({ kind: 'trades', symbol: 'DOGE/USDT' }, { next() {} })).toThrow(
        expect.objectContaining({ code: 'UNKNOWN_SYMBOL', field: 'spec.symbol' }),
      );
    } finally {
      await adapter.close();
    }
  });

  it('refuses bad specs with a ValidationError naming the field, before anything is sent', () => {
    const md = market.adapter.marketData;
    const next = () => {};
    expect(() => md.subscribe({ kind: 'trades', symbol: 'BTCUSDT' }, { next })).toThrow(
      expect.objectContaining({ code: 'INVALID_SYMBOL', field: 'spec.symbol' }),
    );
    expect(() => md.subscribe({ kind: 'depth', symbol: 'BTC/USDT', levels: 7 as 5 }, { next })).toThrow(
      expect.objectContaining({ field: 'spec.levels' }),
    );
    expect(() =>
      md.subscribe({ kind: 'klines', symbol: 'BTC/USDT', interval: '2m' as '1m' }, { next }),
    ).toThrow(expect.objectContaining({ field: 'spec.interval' }));
    expect(() =>
      md.subscribe({ kind: 'orderBook', symbol: 'BTC/USDT', updateSpeedMs: 250 as 100 }, { next }),
    ).toThrow(expect.objectContaining({ field: 'spec.updateSpeedMs' }));
    expect(() => md.subscribe({ kind: 'nope' } as never, { next })).toThrow(
      expect.objectContaining({ field: 'spec.kind' }),
    );
    expect(() => md.subscribe({ kind: 'trades', symbol: 'BTC/USDT' }, {} as never)).toThrow(
      expect.objectContaining({ field: 'observer' }),
    );
  });
});

describe('streams Binance refuses', () => {
  // This fake allows only 10 streams per connection (Binance: 1024) while the client believes in
  // Binance's 1024: the venue answers "Too many subscriptions" to a SUBSCRIBE, as Binance would.
  let strict: Market;
  beforeAll(async () => {
    strict = await startMarket({}, { limits: { maxStreamsPerConnection: 10 } });
    await strict.adapter.instruments.list();
  });
  afterAll(async () => {
    await strict?.close();
  });

  it('a refused stream ends in a typed STREAM_REJECTED error; the rest of its batch is subscribed', async () => {
    const md = strict.adapter.marketData;
    const intervals = ['1s', '1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h', '6h', '8h', '12h'] as const;
    const errors: unknown[] = [];
    const subscriptions = intervals.map((interval) =>
      md.subscribe(
        { kind: 'klines', symbol: 'BTC/USDT', interval },
        { next() {}, error: (e) => errors.push(e) },
      ),
    );
    const outcomes = await Promise.allSettled(subscriptions.map((s) => s.ready));
    const refused = outcomes.filter((o) => o.status === 'rejected');
    expect(refused).toHaveLength(2);
    for (const outcome of refused) {
      expect((outcome as PromiseRejectedResult).reason).toMatchObject({
        code: 'STREAM_REJECTED',
        category: 'validation',
        venue: { code: 4, message: 'Too many subscriptions' },
      });
    }
    expect(errors).toHaveLength(2);
    expect(md.streamStats()).toHaveLength(10);
    expect(strict.fake.handle.connections('streams')[0]?.streams).toHaveLength(10);
    await Promise.all(subscriptions.map((s) => s.unsubscribe()));
    expect(md.connections()).toEqual([]);
  });

  it('a connection whose only streams were refused is closed', async () => {
    const md = strict.adapter.marketData;
    const filler = (['1s', '1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h', '6h'] as const).map((interval) =>
      md.subscribe({ kind: 'klines', symbol: 'ETH/USDT', interval }, { next() {} }),
    );
    await Promise.all(filler.map((s) => s.ready));
    // The first connection is full for the venue but not for the client: the next stream is refused.
    const refused = md.subscribe({ kind: 'ticker', symbol: 'ETH/USDT' }, { next() {} });
    await expect(refused.ready).rejects.toMatchObject({ code: 'STREAM_REJECTED' });
    await Promise.all(filler.map((s) => s.unsubscribe()));
    await waitFor(() => md.connections().length === 0, 'every connection to close');
    await waitFor(
      () => strict.fake.handle.connections('streams').length === 0,
      'the server to see them closed',
    );
  });
});
