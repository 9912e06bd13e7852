import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as docs from '../src/docs-examples';
import { startTestExchange, type TestExchange } from './support/fake';
import { shapeDiff } from './support/shape';

// Public REST endpoints over a real socket, compared with the official examples
// (src/docs-examples.ts: rest-api.md) by key set and JSON type.

let t: TestExchange;

beforeAll(async () => {
  t = await startTestExchange();
  // A few trades so trades, aggTrades, klines and tickers have content.
  for (const side of ['BUY', 'SELL', 'BUY'] as const) {
    const answer = await t.alice.signed('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side,
      type: 'MARKET',
      quantity: '0.01',
    });
    expect(answer.status).toBe(200);
  }
});

afterAll(async () => {
  await t.close();
});

describe('public REST endpoints', () => {
  it('ping and time', async () => {
    const ping = await t.public.get('/api/v3/ping');
    expect([ping.status, ping.body]).toEqual([200, {}]);
    const time = await t.public.get<{ serverTime: number }>('/api/v3/time');
    expect(Object.keys(time.body)).toEqual(['serverTime']);
    expect(Math.abs(time.body.serverTime - Date.now())).toBeLessThan(10_000);
  });

  it('exchangeInfo lists every symbol, one symbol, or a JSON list of symbols', async () => {
    const all = await t.public.get<
      { symbols: Array<{ symbol: string; filters: unknown[] }> } & Record<string, unknown>
    >('/api/v3/exchangeInfo');
    expect(all.status).toBe(200);
    expect(Object.keys(all.body).sort()).toEqual([
      'exchangeFilters',
      'rateLimits',
      'serverTime',
      'symbols',
      'timezone',
    ]);
    expect(all.body.symbols.map((s) => s.symbol)).toEqual(['BTCUSDT', 'ETHUSDT']);
    const symbol = all.body.symbols[0]!;
    expect(shapeDiff({ ...symbol, filters: [] }, docs.exchangeInfoSymbol, ['$.opoAllowed'])).toEqual([]);
    const filterTypes = symbol.filters.map((f) => (f as { filterType: string }).filterType);
    expect(filterTypes).toEqual(expect.arrayContaining(['PRICE_FILTER', 'LOT_SIZE', 'NOTIONAL']));
    const one = await t.public.get<{ symbols: unknown[] }>('/api/v3/exchangeInfo', { symbol: 'ETHUSDT' });
    expect(one.body.symbols).toHaveLength(1);
    const list = await t.public.get<{ symbols: unknown[] }>('/api/v3/exchangeInfo', {
      symbols: '["BTCUSDT","ETHUSDT"]',
    });
    expect(list.body.symbols).toHaveLength(2);
    const bad = await t.public.get('/api/v3/exchangeInfo', { symbol: 'NOPEUSDT' });
    expect([bad.status, bad.body]).toEqual([400, { code: -1121, msg: 'Invalid symbol.' }]);
  });

  it('depth: the book best first, capped by limit, with its update id', async () => {
    const depth = await t.public.get<{ lastUpdateId: number; bids: string[][]; asks: string[][] }>(
      '/api/v3/depth',
      {
        symbol: 'BTCUSDT',
        limit: 3,
      },
    );
    expect(shapeDiff(depth.body, docs.depth)).toEqual([]);
    expect(depth.body.bids).toHaveLength(3);
    expect(depth.body.bids.map((level) => Number(level[0]))).toEqual(
      [...depth.body.bids.map((level) => Number(level[0]))].sort((a, b) => b - a),
    );
    expect(Number(depth.body.asks[0]![0])).toBeGreaterThan(Number(depth.body.bids[0]![0]));
    expect(depth.body.lastUpdateId).toBe(t.fake.handle.book('BTCUSDT').lastUpdateId);
  });

  it('trades, aggTrades and klines', async () => {
    const trades = await t.public.get<unknown[]>('/api/v3/trades', { symbol: 'BTCUSDT', limit: 2 });
    expect(trades.body).toHaveLength(2);
    expect(shapeDiff(trades.body, [docs.trade])).toEqual([]);
    const agg = await t.public.get<unknown[]>('/api/v3/aggTrades', { symbol: 'BTCUSDT' });
    expect(agg.body.length).toBeGreaterThanOrEqual(3);
    expect(shapeDiff(agg.body, [docs.aggTrade])).toEqual([]);
    const klines = await t.public.get<unknown[][]>('/api/v3/klines', { symbol: 'BTCUSDT', interval: '1m' });
    expect(klines.body.length).toBeGreaterThanOrEqual(1);
    expect(shapeDiff(klines.body, [docs.kline])).toEqual([]);
    const ui = await t.public.get<unknown[][]>('/api/v3/uiKlines', { symbol: 'BTCUSDT', interval: '1m' });
    expect(ui.body).toEqual(klines.body);
    const badInterval = await t.public.get('/api/v3/klines', { symbol: 'BTCUSDT', interval: '7m' });
    expect(badInterval.body).toEqual({ code: -1120, msg: 'Invalid interval.' });
  });

  it('historicalTrades: from a trade id on, or the most recent (rest-api.md "Old trade lookup")', async () => {
    type TradeBody = { id: number };
    const recent = await t.public.get<TradeBody[]>('/api/v3/trades', { symbol: 'BTCUSDT' });
    const ids = recent.body.map((trade) => trade.id);
    expect(ids.length).toBeGreaterThanOrEqual(3);
    const all = await t.public.get<TradeBody[]>('/api/v3/historicalTrades', { symbol: 'BTCUSDT' });
    expect(all.body).toEqual(recent.body);
    expect(shapeDiff(all.body, [docs.trade])).toEqual([]);
    const second = ids[1] as number;
    const from = await t.public.get<TradeBody[]>('/api/v3/historicalTrades', {
      symbol: 'BTCUSDT',
      fromId: second,
      limit: 1,
    });
    expect(from.body.map((trade) => trade.id)).toEqual([second]);
    const rest = await t.public.get<TradeBody[]>('/api/v3/historicalTrades', {
      symbol: 'BTCUSDT',
      fromId: second,
    });
    expect(rest.body.map((trade) => trade.id)).toEqual(ids.slice(1));
    const beyond = await t.public.get<TradeBody[]>('/api/v3/historicalTrades', {
      symbol: 'BTCUSDT',
      fromId: (ids.at(-1) as number) + 1,
    });
    expect(beyond.body).toEqual([]);
    const tooMany = await t.public.get('/api/v3/historicalTrades', { symbol: 'BTCUSDT', limit: 1001 });
    expect(tooMany.status).toBe(400);
  });

  it('avgPrice and the three tickers', async () => {
    const avg = await t.public.get('/api/v3/avgPrice', { symbol: 'BTCUSDT' });
    expect(shapeDiff(avg.body, docs.avgPrice)).toEqual([]);
    const full = await t.public.get<{ count: number }>('/api/v3/ticker/24hr', { symbol: 'BTCUSDT' });
    expect(shapeDiff(full.body, docs.ticker24h)).toEqual([]);
    expect(full.body.count).toBe(3);
    const mini = await t.public.get('/api/v3/ticker/24hr', { symbol: 'BTCUSDT', type: 'MINI' });
    expect(shapeDiff(mini.body, docs.miniTicker24h)).toEqual([]);
    const all = await t.public.get<unknown[]>('/api/v3/ticker/24hr');
    expect(all.body).toHaveLength(2);
    const price = await t.public.get('/api/v3/ticker/price', { symbol: 'BTCUSDT' });
    expect(shapeDiff(price.body, docs.tickerPrice)).toEqual([]);
    const prices = await t.public.get<unknown[]>('/api/v3/ticker/price', {
      symbols: '["BTCUSDT","ETHUSDT"]',
    });
    expect(prices.body).toHaveLength(2);
    const book = await t.public.get<{ bidPrice: string }>('/api/v3/ticker/bookTicker', { symbol: 'BTCUSDT' });
    expect(shapeDiff(book.body, docs.bookTicker)).toEqual([]);
    expect(book.body.bidPrice).toBe(t.fake.handle.book('BTCUSDT').bids[0]![0].toFixed(8));
    const badType = await t.public.get('/api/v3/ticker/24hr', { symbol: 'BTCUSDT', type: 'HUGE' });
    expect(badType.body).toEqual({ code: -1139, msg: 'Invalid ticker type.' });
  });

  it('charges each endpoint its documented weight in X-MBX-USED-WEIGHT-1M', async () => {
    const used = async (path: string, params: Record<string, string | number> = {}) => {
      const before = t.fake.handle.usedWeight();
      const answer = await t.public.get(path, params);
      return Number(answer.headers.get('x-mbx-used-weight-1m')) - before;
    };
    expect(await used('/api/v3/ping')).toBe(1);
    expect(await used('/api/v3/exchangeInfo')).toBe(20);
    expect(await used('/api/v3/depth', { symbol: 'BTCUSDT', limit: 100 })).toBe(5);
    expect(await used('/api/v3/depth', { symbol: 'BTCUSDT', limit: 500 })).toBe(25);
    expect(await used('/api/v3/depth', { symbol: 'BTCUSDT', limit: 1000 })).toBe(50);
    expect(await used('/api/v3/depth', { symbol: 'BTCUSDT', limit: 5000 })).toBe(250);
    expect(await used('/api/v3/trades', { symbol: 'BTCUSDT' })).toBe(25);
    expect(await used('/api/v3/historicalTrades', { symbol: 'BTCUSDT' })).toBe(25);
    expect(await used('/api/v3/aggTrades', { symbol: 'BTCUSDT' })).toBe(4);
    expect(await used('/api/v3/klines', { symbol: 'BTCUSDT', interval: '1m' })).toBe(2);
    expect(await used('/api/v3/avgPrice', { symbol: 'BTCUSDT' })).toBe(2);
    expect(await used('/api/v3/ticker/24hr', { symbol: 'BTCUSDT' })).toBe(2);
    expect(await used('/api/v3/ticker/24hr')).toBe(80);
    expect(await used('/api/v3/ticker/price', { symbol: 'BTCUSDT' })).toBe(2);
    expect(await used('/api/v3/ticker/price')).toBe(4);
    expect(await used('/api/v3/ticker/bookTicker')).toBe(4);
  });

  it("answers request errors with Binance's codes and messages", async () => {
    const missing = await t.public.get('/api/v3/depth');
    expect([missing.status, missing.body]).toEqual([
      400,
      { code: -1102, msg: "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed." },
    ]);
    const illegal = await t.public.get('/api/v3/depth', { symbol: 'btc usdt' });
    expect(illegal.body).toEqual({
      code: -1100,
      msg: "Illegal characters found in parameter 'symbol'; legal range is '^[A-Z0-9-_.]{1,20}$'.",
    });
    const unread = await t.public.get('/api/v3/ping', { foo: 1 });
    expect(unread.body).toEqual({
      code: -1104,
      msg: "Not all sent parameters were read; read '0' parameter(s) but was sent '1'.",
    });
    const duplicate = await t.public.raw('GET', '/api/v3/depth?symbol=BTCUSDT&symbol=ETHUSDT');
    expect(duplicate.body).toEqual({ code: -1101, msg: 'Duplicate values for a parameter detected.' });
    const unknownPath = await t.public.raw('GET', '/api/v3/nope');
    expect([unknownPath.status, unknownPath.text]).toEqual([404, '']);
    expect(unknownPath.headers.get('x-mbx-used-weight-1m')).not.toBeNull();
  });
});
