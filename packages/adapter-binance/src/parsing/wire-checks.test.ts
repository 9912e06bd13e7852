import { OrderBook } from '@venuekit/core';
import { describe, expect, it } from 'vitest';
import * as docs from '@venuekit/testkit/docs-examples';
import {
  bookTickerEvent,
  exchangeInfo,
  klineEvent,
  miniTickerEvent,
  partialDepthEvent,
  tickerEvent,
} from '@venuekit/testkit/docs-examples';
import {
  isRestExchangeInfo,
  isRestKlines,
  isRestMyTrade,
  isRestOrder,
  isRestOrderList,
  isRestOrderOrList,
  isRestTicker,
  isRestTickers,
  isWireAggTrade,
  isWireBookTicker,
  isWireDepthHeader,
  isWireDepthUpdate,
  isWireKline,
  isWireMiniTicker,
  isWirePartialDepth,
  isWireTicker,
  isWireTrade,
  isWireUserEvent,
} from './wire-checks';

// The official examples (web-socket-streams.md): accepted as they are.
const TRADE = docs.tradeEvent;
const AGG = docs.aggTradeEvent;
const DEPTH = docs.depthUpdateEvent;

describe('stream payload checks', () => {
  it('accept the documented payloads, a removed level (quantity 0) and empty sides', () => {
    expect(isWireTrade(TRADE)).toBe(true);
    expect(isWireAggTrade(AGG)).toBe(true);
    expect(isWireDepthUpdate(DEPTH)).toBe(true);
    expect(isWireDepthUpdate({ ...DEPTH, b: [['0.0024', '0.00000000']], a: [] })).toBe(true);
  });

  it('refuse a missing or mistyped field, a negative or zero amount, a fractional id, reversed ids', () => {
    const { T: _time, ...noTime } = TRADE;
    for (const broken of [
      noTime,
      { ...TRADE, t: '12345' },
      { ...TRADE, t: 1.5 },
      { ...TRADE, p: '-0.001' },
      { ...TRADE, q: '0' },
      { ...TRADE, p: 0.001 },
      { ...TRADE, p: '1e-3' },
      { ...TRADE, m: 'true' },
      null,
      'trade',
    ]) {
      expect(isWireTrade(broken)).toBe(false);
    }
    expect(isWireAggTrade({ ...AGG, l: 99 })).toBe(false);
    expect(isWireDepthUpdate({ ...DEPTH, U: 161 })).toBe(false);
    expect(isWireDepthUpdate({ ...DEPTH, U: undefined })).toBe(false);
    expect(isWireDepthUpdate({ ...DEPTH, b: [['0.0024']] })).toBe(false);
    expect(isWireDepthUpdate({ ...DEPTH, a: [['0.0026', '-1']] })).toBe(false);
    expect(isWireDepthUpdate({ ...DEPTH, b: 'none' })).toBe(false);
  });
});

describe('checks of the streams that carry a whole value', () => {
  it('accept the documented payloads, extra fields, a falling price, no trades yet and an empty side', () => {
    expect(isWireTicker(tickerEvent)).toBe(true);
    expect(isWireTicker({ ...tickerEvent, p: '-0.0015', P: '-37.50', F: -1, L: -1, n: 0, extra: [1] })).toBe(
      true,
    );
    expect(isWireMiniTicker(miniTickerEvent)).toBe(true);
    expect(isWireBookTicker(bookTickerEvent)).toBe(true);
    expect(isWireBookTicker({ ...bookTickerEvent, a: '0.00000000', A: '0.00000000' })).toBe(true);
    expect(isWireKline(klineEvent)).toBe(true);
    expect(isWireKline({ ...klineEvent, k: { ...klineEvent.k, f: -1, L: -1, n: 0, x: true } })).toBe(true);
    expect(isWirePartialDepth(partialDepthEvent)).toBe(true);
    expect(isWirePartialDepth({ ...partialDepthEvent, bids: [], asks: [] })).toBe(true);
  });

  it('refuse a missing or mistyped field, NaN, a sign where none may be, a broken kline', () => {
    const { E: _time, ...noTime } = tickerEvent;
    for (const broken of [
      noTime,
      { ...tickerEvent, c: 'NaN' },
      { ...tickerEvent, c: '-0.0025' },
      { ...tickerEvent, p: '--1' },
      { ...tickerEvent, p: '-' },
      { ...tickerEvent, P: 250 },
      { ...tickerEvent, F: -2 },
      { ...tickerEvent, n: 1.5 },
      { ...tickerEvent, E: 2 ** 53 + 2 },
      null,
    ]) {
      expect(isWireTicker(broken)).toBe(false);
    }
    expect(isWireMiniTicker({ ...miniTickerEvent, v: 'Infinity' })).toBe(false);
    expect(isWireMiniTicker({ ...miniTickerEvent, E: '1672515782136' })).toBe(false);
    expect(isWireBookTicker({ ...bookTickerEvent, u: -1 })).toBe(false);
    expect(isWireBookTicker({ ...bookTickerEvent, b: '1e400' })).toBe(false);
    expect(isWireKline({ ...klineEvent, k: { ...klineEvent.k, i: '7m' } })).toBe(false);
    expect(isWireKline({ ...klineEvent, k: { ...klineEvent.k, T: 1 } })).toBe(false);
    expect(isWireKline({ ...klineEvent, k: { ...klineEvent.k, x: 'false' } })).toBe(false);
    expect(isWireKline({ ...klineEvent, k: null })).toBe(false);
    expect(isWirePartialDepth({ ...partialDepthEvent, bids: [['0', '10']] })).toBe(false);
    expect(isWirePartialDepth({ ...partialDepthEvent, lastUpdateId: '160' })).toBe(false);
  });
});

describe('the diff depth check split in two', () => {
  // The stream's hot path checks a diff's ids with isWireDepthHeader and its levels as the book
  // applies them (OrderBook.tryApply): together they must accept exactly what isWireDepthUpdate
  // accepts, or a malformed diff could reach the book.
  const texts: unknown[] = [
    '0.0024',
    '10',
    '0',
    '0.00000000',
    '64000.01000000',
    '123456789012345678',
    `0.${'0'.repeat(40)}1`,
    '1'.repeat(64),
    '1'.repeat(65),
    '1e2',
    '-1',
    '+1',
    '.5',
    '5.',
    '.',
    '',
    'abc',
    '1.2.3',
    ' 1',
    '1 ',
    '0x10',
    'Infinity',
    'NaN',
    '\u0661',
    10,
    null,
  ];
  let seed = 11;
  const pick = <T>(list: readonly T[]): T => {
    seed = (seed * 16807) % 2147483647;
    return list[seed % list.length] as T;
  };
  const level = (): unknown =>
    pick([
      () => [pick(texts), pick(texts)],
      () => [pick(texts), pick(texts)],
      () => [pick(texts), pick(texts)],
      () => [pick(texts)],
      () => [pick(texts), pick(texts), 'extra'],
      () => pick(texts),
    ])();
  const side = (): unknown[] => Array.from({ length: pick([0, 1, 2, 3]) }, level);

  it('accepts with the header check and the book exactly what the full check accepts', () => {
    let accepted = 0;
    for (let i = 0; i < 20_000; i++) {
      const update = { ...DEPTH, b: side(), a: side() };
      const book = new OrderBook('binance', 'BNB/BTC');
      book.reset([['0.0010', '1']], [['0.0100', '1']], 156, 0);
      const before = book.snapshot();
      const taken = isWireDepthHeader(update) && book.tryApply(update.b, update.a, update.u, update.E);
      expect(taken, JSON.stringify(update)).toBe(isWireDepthUpdate(update));
      if (!taken) expect(book.snapshot()).toEqual(before);
      else accepted++;
    }
    // Both outcomes were exercised.
    expect(accepted).toBeGreaterThan(1000);
    expect(accepted).toBeLessThan(19_000);
  });

  it('the header check refuses what the full check refuses about ids and sides', () => {
    for (const broken of [
      { ...DEPTH, U: 161 },
      { ...DEPTH, U: undefined },
      { ...DEPTH, u: 1.5 },
      { ...DEPTH, E: '1' },
      { ...DEPTH, b: 'none' },
      { ...DEPTH, a: undefined },
      null,
    ]) {
      expect(isWireDepthHeader(broken)).toBe(false);
      expect(isWireDepthUpdate(broken)).toBe(false);
    }
  });
});

// user-data-stream.md's examples, as documented.
const REPORT = docs.executionReport;
const POSITION = docs.outboundAccountPosition;
const DELTA = docs.balanceUpdate;

describe('user data event checks', () => {
  it('accept the documented events, a withdrawal, and event types the adapter does not read', () => {
    for (const event of [
      REPORT,
      POSITION,
      DELTA,
      { ...DELTA, d: '-0.50000000' },
      { e: 'listStatus' },
      { e: 'eventStreamTerminated', E: 1 },
    ]) {
      expect(isWireUserEvent(event)).toBe(true);
    }
  });

  it('refuse an event with a field the parser reads missing or malformed', () => {
    const { E: _time, ...noTime } = REPORT;
    for (const broken of [
      noTime,
      { ...REPORT, S: 'BOTH' },
      { ...REPORT, X: 'DONE' },
      { ...REPORT, z: '-1' },
      { ...REPORT, i: '4293153' },
      { ...POSITION, B: [{ a: 'ETH', f: 10000, l: '0' }] },
      { ...DELTA, d: 'lots' },
      { ...DELTA, E: undefined },
      { E: 1 },
      null,
    ]) {
      expect(isWireUserEvent(broken)).toBe(false);
    }
  });
});

describe('order, order list, account trade and exchangeInfo answer checks', () => {
  it('accept the documented answers (ACK, RESULT, FULL, query, cancel, cancel-all, OCO) and extra fields', () => {
    for (const order of [
      docs.wsApiOrderAck,
      docs.orderResult,
      docs.wsApiOrderFull,
      docs.wsApiQueryOrder,
      docs.wsApiCancelOrder,
      docs.wsApiOpenOrder,
      { ...docs.wsApiOrderAck, someNewField: [1] },
    ]) {
      expect(isRestOrder(order)).toBe(true);
    }
    expect(docs.wsApiCancelAllOpenOrders.every(isRestOrderOrList)).toBe(true);
    expect(isRestOrderList(docs.wsApiOcoOrderList)).toBe(true);
    expect(docs.wsApiMyTrades.every(isRestMyTrade)).toBe(true);
    expect(isRestExchangeInfo(exchangeInfo)).toBe(true);
  });

  it('refuse a missing id, an unknown status, a non-decimal amount, a broken fill, list or filter', () => {
    const { orderId: _id, ...noId } = docs.orderResult;
    for (const broken of [
      noId,
      { ...docs.orderResult, status: 'DONE' },
      { ...docs.orderResult, price: 'NaN' },
      { ...docs.orderResult, executedQty: -1 },
      { ...docs.wsApiOrderFull, fills: [{ ...docs.wsApiOrderFull.fills[0], tradeId: '1' }] },
      null,
    ]) {
      expect(isRestOrder(broken)).toBe(false);
    }
    expect(isRestOrderList({ ...docs.wsApiOcoOrderList, orders: [{ symbol: 'BTCUSDT' }] })).toBe(false);
    expect(isRestOrderList({ ...docs.wsApiOcoOrderList, listOrderStatus: 'DONE' })).toBe(false);
    expect(isRestOrderList({ ...docs.wsApiOcoOrderList, contingencyType: 'OCO2' })).toBe(false);
    expect(isRestMyTrade({ ...docs.wsApiMyTrades[0], isMaker: 'true' })).toBe(false);
    const [symbol] = exchangeInfo.symbols;
    const badFilter = {
      ...symbol,
      filters: [{ filterType: 'PRICE_FILTER', minPrice: '0.01', maxPrice: '1000', tickSize: '1e-2' }],
    };
    expect(isRestExchangeInfo({ ...exchangeInfo, symbols: [badFilter] })).toBe(false);
    expect(isRestExchangeInfo({ ...exchangeInfo, serverTime: undefined })).toBe(false);
  });
});

describe('REST kline and 24h ticker answer checks', () => {
  const row = docs.kline;
  const withCell = (index: number, value: unknown) => [row.map((cell, i) => (i === index ? value : cell))];

  it('accept the documented answers, an empty list, a row without its unused last field and a ticker without trades', () => {
    expect(isRestKlines([row])).toBe(true);
    expect(isRestKlines([])).toBe(true);
    expect(isRestKlines([row.slice(0, 11)])).toBe(true);
    expect(isRestTicker(docs.ticker24h)).toBe(true);
    expect(isRestTicker({ ...docs.ticker24h, firstId: -1, lastId: -1, count: 0 })).toBe(true);
    const { bidPrice: _b, bidQty: _q, ...noBook } = docs.ticker24h;
    expect(isRestTicker(noBook)).toBe(true);
    expect(isRestTickers([docs.ticker24h, docs.ticker24h])).toBe(true);
    expect(isRestTickers([])).toBe(true);
  });

  it('refuse a short row, a mistyped or negative cell, a close before the open, a broken ticker or list', () => {
    for (const broken of [
      [row.slice(0, 10)],
      withCell(0, '1499040000000'),
      withCell(1, 'NaN'),
      withCell(2, '-0.8'),
      withCell(4, 0.015771),
      withCell(5, 'Infinity'),
      withCell(6, 1499039999999),
      withCell(8, 1.5),
      withCell(10, '0x1F'),
      [null],
      row,
      { data: [row] },
    ]) {
      expect(isRestKlines(broken)).toBe(false);
    }
    const { symbol: _s, ...noSymbol } = docs.ticker24h;
    for (const broken of [
      noSymbol,
      { ...docs.ticker24h, lastPrice: 'NaN' },
      { ...docs.ticker24h, highPrice: '-100' },
      { ...docs.ticker24h, priceChange: '--1' },
      { ...docs.ticker24h, bidPrice: null },
      { ...docs.ticker24h, closeTime: 1.5 },
      { ...docs.ticker24h, firstId: -2 },
      { ...docs.ticker24h, count: '76' },
      [docs.ticker24h],
      null,
    ]) {
      expect(isRestTicker(broken)).toBe(false);
    }
    expect(isRestTickers(docs.ticker24h)).toBe(false);
    expect(isRestTickers([docs.ticker24h, { ...docs.ticker24h, volume: '' }])).toBe(false);
  });
});
