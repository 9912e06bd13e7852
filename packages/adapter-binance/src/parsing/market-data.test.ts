import { describe, expect, it } from 'vitest';
import type { WireAggTrade, WireKline, WireMiniTicker, WireTicker, WireTrade } from '../ws/wire';
import {
  aggTrade,
  aggTradeEvent,
  bookTickerEvent,
  depth,
  kline as restKline,
  klineEvent,
  miniTickerEvent,
  partialDepthEvent,
  ticker24h,
  tickerEvent,
  trade as restTrade,
  tradeEvent,
} from '@venuekit/testkit/docs-examples';
import {
  DecimalCache,
  parseAggTrade,
  parseBookTicker,
  parseDepthSnapshot,
  parseKline,
  parseMiniTicker,
  parseRestAggTrade,
  parseRestKline,
  parseRestTicker,
  parseRestTrade,
  parseTicker,
  parseTrade,
  type WireRestKline,
} from './market-data';

// Decimals compare by their exact string; a float anywhere would show up as a rounding difference.
const s = (value: unknown) => (value === undefined ? undefined : String(value));

describe('stream parsers (web-socket-streams.md payloads)', () => {
  it('trade: ids as strings, decimals from strings, taker side from m', () => {
    const trade = parseTrade(tradeEvent as WireTrade, 'BNB/BTC');
    expect(trade).toMatchObject({
      exchange: 'binance',
      symbol: 'BNB/BTC',
      id: '12345',
      timestamp: 1672515782136,
      side: 'sell',
      buyerIsMaker: true,
    });
    expect(s(trade.price)).toBe('0.001');
    expect(s(trade.quantity)).toBe('100');
    expect(parseTrade({ ...(tradeEvent as WireTrade), m: false }, 'BNB/BTC').side).toBe('buy');
    // The buyer/seller order ids `b` and `a` were removed from the stream (and from the docs' example)
    // in 2024; a payload that still carries them, as older examples show, reads the same.
    const withOrderIds = { ...tradeEvent, b: 88, a: 50 };
    expect(parseTrade(withOrderIds as WireTrade, 'BNB/BTC').id).toBe('12345');
  });

  it('a per-stream cache reuses the decimal of a repeated price and parses a new one', () => {
    const cache = { price: new DecimalCache(), quantity: new DecimalCache() };
    const first = parseTrade(tradeEvent as WireTrade, 'BNB/BTC', cache);
    const same = parseTrade({ ...(tradeEvent as WireTrade), t: 12346, q: '7' }, 'BNB/BTC', cache);
    const other = parseTrade({ ...(tradeEvent as WireTrade), t: 12347, p: '0.002' }, 'BNB/BTC', cache);
    expect(same.price).toBe(first.price);
    expect(s(same.quantity)).toBe('7');
    expect(s(other.price)).toBe('0.002');
    expect(s(first.price)).toBe('0.001');
  });

  it('aggTrade keeps the first and last trade ids', () => {
    const trade = parseAggTrade(aggTradeEvent as WireAggTrade, 'BNB/BTC');
    expect(trade).toMatchObject({ id: '12345', firstTradeId: '100', lastTradeId: '105', side: 'sell' });
    expect(s(trade.price)).toBe('0.001');
  });

  it('kline: low is `l`, not the last trade id `L`', () => {
    const kline = parseKline(klineEvent as unknown as WireKline, 'BNB/BTC');
    expect(kline).toMatchObject({
      interval: '1m',
      openTime: 1672515780000,
      closeTime: 1672515839999,
      tradeCount: 100,
      closed: false,
    });
    expect([kline.open, kline.high, kline.low, kline.close].map(s)).toEqual([
      '0.001',
      '0.0025',
      '0.0015',
      '0.002',
    ]);
    expect(
      [kline.volume, kline.quoteVolume, kline.takerBuyBaseVolume, kline.takerBuyQuoteVolume].map(s),
    ).toEqual(['1000', '1', '500', '0.5']);
  });

  it('miniTicker and ticker carry every statistic', () => {
    const mini = parseMiniTicker(miniTickerEvent as WireMiniTicker, 'BNB/BTC');
    expect([mini.last, mini.open, mini.high, mini.low, mini.baseVolume, mini.quoteVolume].map(s)).toEqual([
      '0.0025',
      '0.001',
      '0.0025',
      '0.001',
      '10000',
      '18',
    ]);
    const ticker = parseTicker(tickerEvent as WireTicker, 'BNB/BTC');
    expect(ticker).toMatchObject({
      timestamp: 1672515782136,
      openTime: 0,
      closeTime: 86400000,
      firstTradeId: '0',
      lastTradeId: '18150',
      tradeCount: 18151,
    });
    expect(
      [
        ticker.change,
        ticker.changePercent,
        ticker.vwap,
        ticker.last,
        ticker.lastQuantity,
        ticker.bid,
        ticker.ask,
      ].map(s),
    ).toEqual(['0.0015', '250', '0.0018', '0.0025', '10', '0.0024', '0.0026']);
    expect([ticker.bidQuantity, ticker.askQuantity].map(s)).toEqual(['10', '100']);
  });

  it('bookTicker has no event time: the receive time stands in', () => {
    const book = parseBookTicker(bookTickerEvent, 'BNB/USDT', 42);
    expect(book).toMatchObject({ updateId: '400900217', timestamp: 42 });
    expect([book.bid, book.bidQuantity, book.ask, book.askQuantity].map(s)).toEqual([
      '25.3519',
      '31.21',
      '25.3652',
      '40.66',
    ]);
  });

  it('partial depth becomes a snapshot of levels, best first', () => {
    const snapshot = parseDepthSnapshot(partialDepthEvent, 'BNB/BTC', 7);
    expect(snapshot.updateId).toBe('160');
    expect(snapshot.bids.map((l) => [s(l.price), s(l.quantity)])).toEqual([['0.0024', '10']]);
    expect(snapshot.asks.map((l) => [s(l.price), s(l.quantity)])).toEqual([['0.0026', '100']]);
  });
});

describe('REST parsers (rest-api.md responses)', () => {
  it('depth, trades and aggregate trades', () => {
    const book = parseDepthSnapshot(depth, 'BNB/BTC', 1);
    expect(book.updateId).toBe('1027024');
    expect(s(book.asks[0]?.price)).toBe('4.000002');
    const trade = parseRestTrade(restTrade, 'BNB/BTC');
    expect(trade).toMatchObject({ id: '28457', timestamp: 1499865549590, side: 'sell', buyerIsMaker: true });
    expect(s(trade.price)).toBe('4.000001');
    const agg = parseRestAggTrade(aggTrade, 'BNB/BTC');
    expect(agg).toMatchObject({ id: '26129', firstTradeId: '27781', lastTradeId: '27781' });
  });

  it('kline rows, closed once their close time has passed', () => {
    const row = restKline as unknown as WireRestKline;
    const kline = parseRestKline(row, 'BNB/BTC', '1d', 1499644800000);
    expect(kline).toMatchObject({
      openTime: 1499040000000,
      closeTime: 1499644799999,
      tradeCount: 308,
      closed: true,
    });
    expect([kline.open, kline.high, kline.low, kline.close, kline.volume].map(s)).toEqual([
      '0.0163479',
      '0.8',
      '0.015758',
      '0.015771',
      '148976.11427815',
    ]);
    expect(parseRestKline(row, 'BNB/BTC', '1d', 1499644799999).closed).toBe(false);
  });

  it('24h ticker', () => {
    const ticker = parseRestTicker(ticker24h, 'BNB/BTC');
    expect(ticker).toMatchObject({ firstTradeId: '28385', lastTradeId: '28460', tradeCount: 76 });
    expect([ticker.change, ticker.changePercent, ticker.last, ticker.bid].map(s)).toEqual([
      '-94.999998',
      '-95.96',
      '4.000002',
      '4',
    ]);
  });
});
