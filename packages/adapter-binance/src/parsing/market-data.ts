import {
  type AggTrade,
  type BookTicker,
  type Decimal,
  integerText,
  type Kline,
  type KlineInterval,
  type MiniTicker,
  type OrderBookLevel,
  type OrderBookSnapshot,
  type Ticker,
  type Trade,
  type UnifiedSymbol,
  venueDecimal,
} from '@venuekit/core';
import type {
  WireAggTrade,
  WireBookTicker,
  WireKline,
  WireMiniTicker,
  WirePartialDepth,
  WireTicker,
  WireTrade,
} from '../ws/wire';

/**
 * Wire → core types for market data. These run once per message: each builds
 * the delivered object and its Decimals and nothing else. Decimals come from
 * the venue's strings (never floats), through core's `venueDecimal` (the same
 * Decimal as `new Decimal(text)`, several times faster for plain decimal text);
 * ids become strings. The symbol is the subscriber's unified symbol, known from
 * the stream, so no lookup is needed.
 */

export const EXCHANGE = 'binance';

/**
 * The last decimal parsed from a field, kept per stream: consecutive trades often share a price
 * (a sweep of one level) and a text compare is much cheaper than a parse. Decimals are immutable,
 * so sharing one between two trades is safe.
 */
export class DecimalCache {
  #text = '';
  #value: Decimal | undefined;

  get(text: string): Decimal {
    if (text === this.#text && this.#value !== undefined) return this.#value;
    const value = venueDecimal(text);
    this.#text = text;
    this.#value = value;
    return value;
  }
}

/** Per-stream caches for the two decimals of a trade. */
export interface TradeDecimalCaches {
  readonly price: DecimalCache;
  readonly quantity: DecimalCache;
}

// {"e":"trade","E":1672515782136,"s":"BNBBTC","t":12345,"p":"0.001","q":"100","T":1672515782136,"m":true,"M":true}
export function parseTrade(w: WireTrade, symbol: UnifiedSymbol, cache?: TradeDecimalCaches): Trade {
  return {
    exchange: EXCHANGE,
    symbol,
    // integerText is String(), faster for ids of ten digits and more.
    id: integerText(w.t),
    price: cache ? cache.price.get(w.p) : venueDecimal(w.p),
    quantity: cache ? cache.quantity.get(w.q) : venueDecimal(w.q),
    timestamp: w.T,
    // m: the buyer was the maker, so the taker sold.
    side: w.m ? 'sell' : 'buy',
    buyerIsMaker: w.m,
  };
}

// {"e":"aggTrade","E":1672515782136,"s":"BNBBTC","a":12345,"p":"0.001","q":"100","f":100,"l":105,"T":1672515782136,"m":true,"M":true}
export function parseAggTrade(w: WireAggTrade, symbol: UnifiedSymbol, cache?: TradeDecimalCaches): AggTrade {
  return {
    exchange: EXCHANGE,
    symbol,
    id: integerText(w.a),
    price: cache ? cache.price.get(w.p) : venueDecimal(w.p),
    quantity: cache ? cache.quantity.get(w.q) : venueDecimal(w.q),
    firstTradeId: integerText(w.f),
    lastTradeId: integerText(w.l),
    timestamp: w.T,
    side: w.m ? 'sell' : 'buy',
    buyerIsMaker: w.m,
  };
}

// {"e":"kline","E":…,"s":"BNBBTC","k":{"t":…,"T":…,"s":"BNBBTC","i":"1m","f":100,"L":200,"o":"0.0010","c":"0.0020",
//  "h":"0.0025","l":"0.0015","v":"1000","n":100,"x":false,"q":"1.0000","V":"500","Q":"0.500","B":"123456"}}
// Inside `k`, `l` is the low price and `L` the last trade id.
export function parseKline(w: WireKline, symbol: UnifiedSymbol): Kline {
  const k = w.k;
  return {
    exchange: EXCHANGE,
    symbol,
    interval: k.i as KlineInterval,
    openTime: k.t,
    closeTime: k.T,
    open: venueDecimal(k.o),
    high: venueDecimal(k.h),
    low: venueDecimal(k.l),
    close: venueDecimal(k.c),
    volume: venueDecimal(k.v),
    quoteVolume: venueDecimal(k.q),
    tradeCount: k.n,
    takerBuyBaseVolume: venueDecimal(k.V),
    takerBuyQuoteVolume: venueDecimal(k.Q),
    closed: k.x,
  };
}

// {"e":"24hrMiniTicker","E":1672515782136,"s":"BNBBTC","c":"0.0025","o":"0.0010","h":"0.0025","l":"0.0010","v":"10000","q":"18"}
export function parseMiniTicker(w: WireMiniTicker, symbol: UnifiedSymbol): MiniTicker {
  return {
    exchange: EXCHANGE,
    symbol,
    timestamp: w.E,
    last: venueDecimal(w.c),
    open: venueDecimal(w.o),
    high: venueDecimal(w.h),
    low: venueDecimal(w.l),
    baseVolume: venueDecimal(w.v),
    quoteVolume: venueDecimal(w.q),
  };
}

// {"e":"24hrTicker","E":…,"s":"BNBBTC","p":"0.0015","P":"250.00","w":"0.0018","x":"0.0009","c":"0.0025","Q":"10",
//  "b":"0.0024","B":"10","a":"0.0026","A":"100","o":"0.0010","h":"0.0025","l":"0.0010","v":"10000","q":"18",
//  "O":0,"C":86400000,"F":0,"L":18150,"n":18151}
export function parseTicker(w: WireTicker, symbol: UnifiedSymbol): Ticker {
  return {
    exchange: EXCHANGE,
    symbol,
    timestamp: w.E,
    last: venueDecimal(w.c),
    lastQuantity: venueDecimal(w.Q),
    open: venueDecimal(w.o),
    high: venueDecimal(w.h),
    low: venueDecimal(w.l),
    change: venueDecimal(w.p),
    changePercent: venueDecimal(w.P),
    vwap: venueDecimal(w.w),
    baseVolume: venueDecimal(w.v),
    quoteVolume: venueDecimal(w.q),
    bid: venueDecimal(w.b),
    bidQuantity: venueDecimal(w.B),
    ask: venueDecimal(w.a),
    askQuantity: venueDecimal(w.A),
    openTime: w.O,
    closeTime: w.C,
    firstTradeId: String(w.F),
    lastTradeId: String(w.L),
    tradeCount: w.n,
  };
}

// {"u":400900217,"s":"BNBUSDT","b":"25.35190000","B":"31.21000000","a":"25.36520000","A":"40.66000000"}
// No event time: `receivedAt` stands in for it.
export function parseBookTicker(w: WireBookTicker, symbol: UnifiedSymbol, receivedAt: number): BookTicker {
  return {
    exchange: EXCHANGE,
    symbol,
    timestamp: receivedAt,
    updateId: String(w.u),
    bid: venueDecimal(w.b),
    bidQuantity: venueDecimal(w.B),
    ask: venueDecimal(w.a),
    askQuantity: venueDecimal(w.A),
  };
}

function levels(raw: readonly (readonly [string, string])[]): OrderBookLevel[] {
  const out: OrderBookLevel[] = new Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const level = raw[i] as readonly [string, string];
    out[i] = { price: venueDecimal(level[0]), quantity: venueDecimal(level[1]) };
  }
  return out;
}

// {"lastUpdateId":160,"bids":[["0.0024","10"]],"asks":[["0.0026","100"]]}
// Also the REST depth snapshot (rest-api.md, GET /api/v3/depth), which has the same shape.
export function parseDepthSnapshot(
  w: WirePartialDepth,
  symbol: UnifiedSymbol,
  timestamp: number,
): OrderBookSnapshot {
  return {
    exchange: EXCHANGE,
    symbol,
    bids: levels(w.bids),
    asks: levels(w.asks),
    updateId: String(w.lastUpdateId),
    timestamp,
  };
}

// ---------------------------------------------------------------------------
// REST payloads (rest-api.md)

/** GET /api/v3/trades: `{"id":28457,"price":"4.00000100","qty":"12.00000000","quoteQty":"48.000012","time":1499865549590,"isBuyerMaker":true,"isBestMatch":true}` */
export interface WireRestTrade {
  readonly id: number;
  readonly price: string;
  readonly qty: string;
  readonly quoteQty?: string;
  readonly time: number;
  readonly isBuyerMaker: boolean;
  readonly isBestMatch?: boolean;
}

export function parseRestTrade(w: WireRestTrade, symbol: UnifiedSymbol): Trade {
  return {
    exchange: EXCHANGE,
    symbol,
    id: String(w.id),
    price: venueDecimal(w.price),
    quantity: venueDecimal(w.qty),
    timestamp: w.time,
    side: w.isBuyerMaker ? 'sell' : 'buy',
    buyerIsMaker: w.isBuyerMaker,
  };
}

/** GET /api/v3/aggTrades: `{"a":26129,"p":"0.01633102","q":"4.70443515","f":27781,"l":27781,"T":1498793709153,"m":true,"M":true}` */
export interface WireRestAggTrade {
  readonly a: number;
  readonly p: string;
  readonly q: string;
  readonly f: number;
  readonly l: number;
  readonly T: number;
  readonly m: boolean;
  readonly M?: boolean;
}

export function parseRestAggTrade(w: WireRestAggTrade, symbol: UnifiedSymbol): AggTrade {
  return {
    exchange: EXCHANGE,
    symbol,
    id: String(w.a),
    price: venueDecimal(w.p),
    quantity: venueDecimal(w.q),
    firstTradeId: String(w.f),
    lastTradeId: String(w.l),
    timestamp: w.T,
    side: w.m ? 'sell' : 'buy',
    buyerIsMaker: w.m,
  };
}

/**
 * GET /api/v3/klines row: `[openTime, open, high, low, close, volume, closeTime, quoteVolume, trades,
 * takerBuyBase, takerBuyQuote, ignore]`.
 */
export type WireRestKline = readonly [
  number,
  string,
  string,
  string,
  string,
  string,
  number,
  string,
  number,
  string,
  string,
  string?,
];

/** `now` decides whether the last candle is still forming. */
export function parseRestKline(
  w: WireRestKline,
  symbol: UnifiedSymbol,
  interval: KlineInterval,
  now: number,
): Kline {
  return {
    exchange: EXCHANGE,
    symbol,
    interval,
    openTime: w[0],
    closeTime: w[6],
    open: venueDecimal(w[1]),
    high: venueDecimal(w[2]),
    low: venueDecimal(w[3]),
    close: venueDecimal(w[4]),
    volume: venueDecimal(w[5]),
    quoteVolume: venueDecimal(w[7]),
    tradeCount: w[8],
    takerBuyBaseVolume: venueDecimal(w[9]),
    takerBuyQuoteVolume: venueDecimal(w[10]),
    closed: w[6] < now,
  };
}

/** GET /api/v3/ticker/24hr (type FULL). */
export interface WireRestTicker {
  readonly symbol: string;
  readonly priceChange: string;
  readonly priceChangePercent: string;
  readonly weightedAvgPrice: string;
  readonly prevClosePrice?: string;
  readonly lastPrice: string;
  readonly lastQty?: string;
  readonly bidPrice?: string;
  readonly bidQty?: string;
  readonly askPrice?: string;
  readonly askQty?: string;
  readonly openPrice: string;
  readonly highPrice: string;
  readonly lowPrice: string;
  readonly volume: string;
  readonly quoteVolume: string;
  readonly openTime: number;
  readonly closeTime: number;
  readonly firstId: number;
  readonly lastId: number;
  readonly count: number;
}

export function parseRestTicker(w: WireRestTicker, symbol: UnifiedSymbol): Ticker {
  return {
    exchange: EXCHANGE,
    symbol,
    timestamp: w.closeTime,
    last: venueDecimal(w.lastPrice),
    ...(w.lastQty === undefined ? {} : { lastQuantity: venueDecimal(w.lastQty) }),
    open: venueDecimal(w.openPrice),
    high: venueDecimal(w.highPrice),
    low: venueDecimal(w.lowPrice),
    change: venueDecimal(w.priceChange),
    changePercent: venueDecimal(w.priceChangePercent),
    vwap: venueDecimal(w.weightedAvgPrice),
    baseVolume: venueDecimal(w.volume),
    quoteVolume: venueDecimal(w.quoteVolume),
    ...(w.bidPrice === undefined ? {} : { bid: venueDecimal(w.bidPrice) }),
    ...(w.bidQty === undefined ? {} : { bidQuantity: venueDecimal(w.bidQty) }),
    ...(w.askPrice === undefined ? {} : { ask: venueDecimal(w.askPrice) }),
    ...(w.askQty === undefined ? {} : { askQuantity: venueDecimal(w.askQty) }),
    openTime: w.openTime,
    closeTime: w.closeTime,
    firstTradeId: String(w.firstId),
    lastTradeId: String(w.lastId),
    tradeCount: w.count,
  };
}
