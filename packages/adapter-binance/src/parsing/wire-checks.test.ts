import { OrderBook } from '@venuekit/core';
import { describe, expect, it } from 'vitest';
import {
  bookTickerEvent,
  klineEvent,
  miniTickerEvent,
  partialDepthEvent,
  tickerEvent,
} from './fixtures/streams';
import { exchangeInfoResponse } from './fixtures/rest';
import * as trading from './fixtures/trading';
import {
  isRestExchangeInfo,
  isRestMyTrade,
  isRestOrder,
  isRestOrderList,
  isRestOrderOrList,
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
const TRADE = {
  e: 'trade',
  E: 1672515782136,
  s: 'BNBBTC',
  t: 12345,
  p: '0.001',
  q: '100',
  T: 1672515782136,
  m: true,
  M: true,
};
const AGG = {
  e: 'aggTrade',
  E: 1672515782136,
  s: 'BNBBTC',
  a: 12345,
  p: '0.001',
  q: '100',
  f: 100,
  l: 105,
  T: 1672515782136,
  m: true,
  M: true,
};
const DEPTH = {
  e: 'depthUpdate',
  E: 1672515782136,
  s: 'BNBBTC',
  U: 157,
  u: 160,
  b: [['0.0024', '10']],
  a: [['0.0026', '100']],
};

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
const REPORT = {
  e: 'executionReport',
  E: 1499405658658,
  s: 'ETHBTC',
  c: 'mUvoqJxFIILMdfAW5iGSOW',
  S: 'BUY',
  o: 'LIMIT',
  f: 'GTC',
  q: '1.00000000',
  p: '0.10264410',
  P: '0.00000000',
  F: '0.00000000',
  g: -1,
  C: '',
  x: 'NEW',
  X: 'NEW',
  r: 'NONE',
  i: 4293153,
  l: '0.00000000',
  z: '0.00000000',
  L: '0.00000000',
  n: '0',
  N: null,
  T: 1499405658657,
  t: -1,
  v: 3,
  I: 8641984,
  w: true,
  m: false,
  M: false,
  O: 1499405658657,
  Z: '0.00000000',
  Y: '0.00000000',
  Q: '0.00000000',
  W: 1499405658657,
  V: 'NONE',
};
const POSITION = {
  e: 'outboundAccountPosition',
  E: 1564034571105,
  u: 1564034571073,
  B: [{ a: 'ETH', f: '10000.000000', l: '0.000000' }],
};
const DELTA = { e: 'balanceUpdate', E: 1573200697110, a: 'BTC', d: '100.00000000', T: 1573200697068 };

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
      trading.orderAck,
      trading.orderResult,
      trading.orderFull,
      trading.orderStatus,
      trading.orderCancel,
      ...trading.openOrders,
      { ...trading.orderAck, someNewField: [1] },
    ]) {
      expect(isRestOrder(order)).toBe(true);
    }
    expect(trading.cancelAll.every(isRestOrderOrList)).toBe(true);
    expect(isRestOrderList(trading.ocoPlace)).toBe(true);
    expect(trading.myTrades.every(isRestMyTrade)).toBe(true);
    expect(isRestExchangeInfo(exchangeInfoResponse)).toBe(true);
  });

  it('refuse a missing id, an unknown status, a non-decimal amount, a broken fill, list or filter', () => {
    const { orderId: _id, ...noId } = trading.orderResult;
    for (const broken of [
      noId,
      { ...trading.orderResult, status: 'DONE' },
      { ...trading.orderResult, price: 'NaN' },
      { ...trading.orderResult, executedQty: -1 },
      { ...trading.orderFull, fills: [{ ...trading.orderFull.fills[0], tradeId: '1' }] },
      null,
    ]) {
      expect(isRestOrder(broken)).toBe(false);
    }
    expect(isRestOrderList({ ...trading.ocoPlace, orders: [{ symbol: 'BTCUSDT' }] })).toBe(false);
    expect(isRestMyTrade({ ...trading.myTrades[0], isMaker: 'true' })).toBe(false);
    const [symbol] = exchangeInfoResponse.symbols;
    const badFilter = {
      ...symbol,
      filters: [{ filterType: 'PRICE_FILTER', minPrice: '0.01', maxPrice: '1000', tickSize: '1e-2' }],
    };
    expect(isRestExchangeInfo({ ...exchangeInfoResponse, symbols: [badFilter] })).toBe(false);
    expect(isRestExchangeInfo({ ...exchangeInfoResponse, serverTime: undefined })).toBe(false);
  });
});
