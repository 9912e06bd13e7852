/**
 * Engine objects → Binance spot JSON payloads. Pure functions: the REST and
 * WebSocket servers serialise what they return (one string per event, shared by
 * every subscriber). Field names, order and types follow the official examples
 * (binance/binance-spot-api-docs: rest-api.md, web-socket-streams.md,
 * user-data-stream.md); decimals are strings with the symbol's precision
 * (8 places by default, e.g. "0.00100000"), ids and times are JSON integers.
 */
import { Decimal } from '@venuekit/core';
import type {
  AccountInfo,
  AccountPositionEvent,
  AccountTrade,
  AggTradeRecord,
  AveragePrice,
  BalanceUpdateEvent,
  BalanceView,
  BookTop,
  CanceledItem,
  CancelOrderListResult,
  CancelOrderResult,
  DepthDiffEvent,
  DepthLevel,
  DepthSnapshot,
  ExecutionReportEvent,
  KlineRecord,
  ListStatusEvent,
  OrderFill,
  OrderListResult,
  OrderListView,
  OrderResponseType,
  OrderView,
  PlaceOrderResult,
  SymbolFilter,
  SymbolInfo,
  TickerStats,
  TradeRecord,
} from './types';

/** Decimals of a symbol's numbers on the wire. */
export interface WirePrecision {
  readonly baseAssetPrecision: number;
  readonly quoteAssetPrecision: number;
  readonly baseCommissionPrecision?: number;
  readonly quoteCommissionPrecision?: number;
}

const DEFAULT_PRECISION: WirePrecision = { baseAssetPrecision: 8, quoteAssetPrecision: 8 };

/** A decimal as Binance writes it: fixed places, truncated, never an exponent. */
export function formatDecimal(value: Decimal, places = 8): string {
  return value.toFixed(places, Decimal.ROUND_DOWN);
}

function price(value: Decimal, p: WirePrecision): string {
  return value.toFixed(p.quoteAssetPrecision, Decimal.ROUND_DOWN);
}

function qty(value: Decimal, p: WirePrecision): string {
  return value.toFixed(p.baseAssetPrecision, Decimal.ROUND_DOWN);
}

function levels(side: readonly DepthLevel[], p: WirePrecision): [string, string][] {
  const out: [string, string][] = new Array(side.length);
  for (let i = 0; i < side.length; i++) {
    const level = side[i] as DepthLevel;
    out[i] = [price(level[0], p), qty(level[1], p)];
  }
  return out;
}

const STOP_TYPES = new Set(['STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT']);

// ---------------------------------------------------------------------------
// General endpoints

export interface WireRateLimit {
  readonly rateLimitType: 'REQUEST_WEIGHT' | 'ORDERS' | 'RAW_REQUESTS' | 'CONNECTIONS';
  readonly interval: 'SECOND' | 'MINUTE' | 'HOUR' | 'DAY';
  readonly intervalNum: number;
  readonly limit: number;
}

/** The limits Binance publishes (rest-api.md, "Exchange information"; fact sheet §3.6). */
export const DEFAULT_RATE_LIMITS: readonly WireRateLimit[] = [
  { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 },
  { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 100 },
  { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 200000 },
  { rateLimitType: 'RAW_REQUESTS', interval: 'MINUTE', intervalNum: 5, limit: 300000 },
];

export interface WireSymbol {
  symbol: string;
  status: string;
  baseAsset: string;
  baseAssetPrecision: number;
  quoteAsset: string;
  quotePrecision: number;
  quoteAssetPrecision: number;
  baseCommissionPrecision: number;
  quoteCommissionPrecision: number;
  orderTypes: string[];
  icebergAllowed: boolean;
  ocoAllowed: boolean;
  otoAllowed: boolean;
  opoAllowed: boolean;
  quoteOrderQtyMarketAllowed: boolean;
  allowTrailingStop: boolean;
  cancelReplaceAllowed: boolean;
  amendAllowed: boolean;
  pegInstructionsAllowed: boolean;
  isSpotTradingAllowed: boolean;
  isMarginTradingAllowed: boolean;
  filters: SymbolFilter[];
  permissions: string[];
  permissionSets: string[][];
  defaultSelfTradePreventionMode: string;
  allowedSelfTradePreventionModes: string[];
}

export function symbolPayload(info: SymbolInfo): WireSymbol {
  return {
    symbol: info.symbol,
    status: info.status,
    baseAsset: info.baseAsset,
    baseAssetPrecision: info.baseAssetPrecision,
    quoteAsset: info.quoteAsset,
    quotePrecision: info.quoteAssetPrecision,
    quoteAssetPrecision: info.quoteAssetPrecision,
    baseCommissionPrecision: info.baseCommissionPrecision,
    quoteCommissionPrecision: info.quoteCommissionPrecision,
    orderTypes: [...info.orderTypes],
    icebergAllowed: info.icebergAllowed,
    ocoAllowed: info.ocoAllowed,
    otoAllowed: info.otoAllowed,
    opoAllowed: false,
    quoteOrderQtyMarketAllowed: info.quoteOrderQtyMarketAllowed,
    allowTrailingStop: info.allowTrailingStop,
    cancelReplaceAllowed: info.cancelReplaceAllowed,
    amendAllowed: false,
    pegInstructionsAllowed: false,
    isSpotTradingAllowed: info.isSpotTradingAllowed,
    isMarginTradingAllowed: info.isMarginTradingAllowed,
    filters: info.filters.map((filter) => ({ ...filter })),
    permissions: [],
    permissionSets: [['SPOT']],
    defaultSelfTradePreventionMode: info.defaultSelfTradePreventionMode,
    allowedSelfTradePreventionModes: [...info.allowedSelfTradePreventionModes],
  };
}

export interface WireExchangeInfo {
  timezone: 'UTC';
  serverTime: number;
  rateLimits: WireRateLimit[];
  exchangeFilters: unknown[];
  symbols: WireSymbol[];
}

/** `GET /api/v3/exchangeInfo`. */
export function exchangeInfoPayload(
  symbols: readonly SymbolInfo[],
  serverTime: number,
  rateLimits: readonly WireRateLimit[] = DEFAULT_RATE_LIMITS,
): WireExchangeInfo {
  return {
    timezone: 'UTC',
    serverTime,
    rateLimits: rateLimits.map((limit) => ({ ...limit })),
    exchangeFilters: [],
    symbols: symbols.map(symbolPayload),
  };
}

// ---------------------------------------------------------------------------
// Market data (REST)

export interface WireDepth {
  lastUpdateId: number;
  bids: [string, string][];
  asks: [string, string][];
}

/** `GET /api/v3/depth`, and the partial depth stream payload (`<symbol>@depth<levels>`). */
export function depthPayload(snapshot: DepthSnapshot, p: WirePrecision = DEFAULT_PRECISION): WireDepth {
  return {
    lastUpdateId: snapshot.lastUpdateId,
    bids: levels(snapshot.bids, p),
    asks: levels(snapshot.asks, p),
  };
}

export interface WireTrade {
  id: number;
  price: string;
  qty: string;
  quoteQty: string;
  time: number;
  isBuyerMaker: boolean;
  isBestMatch: boolean;
}

/** A row of `GET /api/v3/trades`. */
export function tradePayload(trade: TradeRecord, p: WirePrecision = DEFAULT_PRECISION): WireTrade {
  return {
    id: trade.id,
    price: price(trade.price, p),
    qty: qty(trade.qty, p),
    quoteQty: price(trade.quoteQty, p),
    time: trade.time,
    isBuyerMaker: trade.isBuyerMaker,
    isBestMatch: true,
  };
}

export interface WireAggTrade {
  a: number;
  p: string;
  q: string;
  f: number;
  l: number;
  T: number;
  m: boolean;
  M: boolean;
}

/** A row of `GET /api/v3/aggTrades`. */
export function aggTradePayload(agg: AggTradeRecord, p: WirePrecision = DEFAULT_PRECISION): WireAggTrade {
  return {
    a: agg.id,
    p: price(agg.price, p),
    q: qty(agg.qty, p),
    f: agg.firstTradeId,
    l: agg.lastTradeId,
    T: agg.time,
    m: agg.isBuyerMaker,
    M: true,
  };
}

export type WireKline = [
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
  string,
];

/** A row of `GET /api/v3/klines`. */
export function klinePayload(kline: KlineRecord, p: WirePrecision = DEFAULT_PRECISION): WireKline {
  return [
    kline.openTime,
    price(kline.open, p),
    price(kline.high, p),
    price(kline.low, p),
    price(kline.close, p),
    qty(kline.volume, p),
    kline.closeTime,
    price(kline.quoteVolume, p),
    kline.trades,
    qty(kline.takerBuyBaseVolume, p),
    price(kline.takerBuyQuoteVolume, p),
    '0',
  ];
}

export interface WireTicker24h {
  symbol: string;
  priceChange: string;
  priceChangePercent: string;
  weightedAvgPrice: string;
  prevClosePrice: string;
  lastPrice: string;
  lastQty: string;
  bidPrice: string;
  bidQty: string;
  askPrice: string;
  askQty: string;
  openPrice: string;
  highPrice: string;
  lowPrice: string;
  volume: string;
  quoteVolume: string;
  openTime: number;
  closeTime: number;
  firstId: number;
  lastId: number;
  count: number;
}

/** `GET /api/v3/ticker/24hr` (type FULL). */
export function ticker24hPayload(stats: TickerStats, p: WirePrecision = DEFAULT_PRECISION): WireTicker24h {
  return {
    symbol: stats.symbol,
    priceChange: price(stats.priceChange, p),
    priceChangePercent: stats.priceChangePercent.toFixed(3),
    weightedAvgPrice: price(stats.weightedAvgPrice, p),
    prevClosePrice: price(stats.prevClosePrice, p),
    lastPrice: price(stats.lastPrice, p),
    lastQty: qty(stats.lastQty, p),
    bidPrice: price(stats.bidPrice, p),
    bidQty: qty(stats.bidQty, p),
    askPrice: price(stats.askPrice, p),
    askQty: qty(stats.askQty, p),
    openPrice: price(stats.openPrice, p),
    highPrice: price(stats.highPrice, p),
    lowPrice: price(stats.lowPrice, p),
    volume: qty(stats.volume, p),
    quoteVolume: price(stats.quoteVolume, p),
    openTime: stats.openTime,
    closeTime: stats.closeTime,
    firstId: stats.firstId,
    lastId: stats.lastId,
    count: stats.count,
  };
}

export interface WireMiniTicker24h {
  symbol: string;
  openPrice: string;
  highPrice: string;
  lowPrice: string;
  lastPrice: string;
  volume: string;
  quoteVolume: string;
  openTime: number;
  closeTime: number;
  firstId: number;
  lastId: number;
  count: number;
}

/** `GET /api/v3/ticker/24hr?type=MINI`. */
export function miniTicker24hPayload(
  stats: TickerStats,
  p: WirePrecision = DEFAULT_PRECISION,
): WireMiniTicker24h {
  return {
    symbol: stats.symbol,
    openPrice: price(stats.openPrice, p),
    highPrice: price(stats.highPrice, p),
    lowPrice: price(stats.lowPrice, p),
    lastPrice: price(stats.lastPrice, p),
    volume: qty(stats.volume, p),
    quoteVolume: price(stats.quoteVolume, p),
    openTime: stats.openTime,
    closeTime: stats.closeTime,
    firstId: stats.firstId,
    lastId: stats.lastId,
    count: stats.count,
  };
}

/** `GET /api/v3/ticker/price`: the last price (0 before the first trade). */
export function tickerPricePayload(
  symbol: string,
  last: Decimal,
  p: WirePrecision = DEFAULT_PRECISION,
): { symbol: string; price: string } {
  return { symbol, price: price(last, p) };
}

export interface WireBookTickerRest {
  symbol: string;
  bidPrice: string;
  bidQty: string;
  askPrice: string;
  askQty: string;
}

/** `GET /api/v3/ticker/bookTicker`. */
export function bookTickerRestPayload(
  book: BookTop,
  p: WirePrecision = DEFAULT_PRECISION,
): WireBookTickerRest {
  return {
    symbol: book.symbol,
    bidPrice: price(book.bidPrice, p),
    bidQty: qty(book.bidQty, p),
    askPrice: price(book.askPrice, p),
    askQty: qty(book.askQty, p),
  };
}

/** `GET /api/v3/avgPrice`. */
export function avgPricePayload(
  average: AveragePrice,
  p: WirePrecision = DEFAULT_PRECISION,
): { mins: number; price: string; closeTime: number } {
  return { mins: average.mins, price: price(average.price, p), closeTime: average.closeTime };
}

// ---------------------------------------------------------------------------
// Market data streams

export interface WireTradeEvent {
  e: 'trade';
  E: number;
  s: string;
  t: number;
  p: string;
  q: string;
  T: number;
  m: boolean;
  M: boolean;
}

/** `<symbol>@trade`. (Binance removed the buyer/seller order ids `b`/`a` from this stream on 2024-06-18.) */
export function tradeEvent(
  trade: TradeRecord,
  eventTime: number,
  p: WirePrecision = DEFAULT_PRECISION,
): WireTradeEvent {
  return {
    e: 'trade',
    E: eventTime,
    s: trade.symbol,
    t: trade.id,
    p: price(trade.price, p),
    q: qty(trade.qty, p),
    T: trade.time,
    m: trade.isBuyerMaker,
    M: true,
  };
}

export interface WireAggTradeEvent extends WireAggTrade {
  e: 'aggTrade';
  E: number;
  s: string;
}

/** `<symbol>@aggTrade`. */
export function aggTradeEvent(
  agg: AggTradeRecord,
  eventTime: number,
  p: WirePrecision = DEFAULT_PRECISION,
): WireAggTradeEvent {
  return {
    e: 'aggTrade',
    E: eventTime,
    s: agg.symbol,
    a: agg.id,
    p: price(agg.price, p),
    q: qty(agg.qty, p),
    f: agg.firstTradeId,
    l: agg.lastTradeId,
    T: agg.time,
    m: agg.isBuyerMaker,
    M: true,
  };
}

export interface WireKlineEvent {
  e: 'kline';
  E: number;
  s: string;
  k: {
    t: number;
    T: number;
    s: string;
    i: string;
    f: number;
    L: number;
    o: string;
    c: string;
    h: string;
    l: string;
    v: string;
    n: number;
    x: boolean;
    q: string;
    V: string;
    Q: string;
    B: string;
  };
}

/** `<symbol>@kline_<interval>`. */
export function klineEvent(
  kline: KlineRecord,
  eventTime: number,
  p: WirePrecision = DEFAULT_PRECISION,
): WireKlineEvent {
  return {
    e: 'kline',
    E: eventTime,
    s: kline.symbol,
    k: {
      t: kline.openTime,
      T: kline.closeTime,
      s: kline.symbol,
      i: kline.interval,
      f: kline.firstTradeId,
      L: kline.lastTradeId,
      o: price(kline.open, p),
      c: price(kline.close, p),
      h: price(kline.high, p),
      l: price(kline.low, p),
      v: qty(kline.volume, p),
      n: kline.trades,
      x: kline.closed,
      q: price(kline.quoteVolume, p),
      V: qty(kline.takerBuyBaseVolume, p),
      Q: price(kline.takerBuyQuoteVolume, p),
      B: '0',
    },
  };
}

export interface WireTickerEvent {
  e: '24hrTicker';
  E: number;
  s: string;
  p: string;
  P: string;
  w: string;
  x: string;
  c: string;
  Q: string;
  b: string;
  B: string;
  a: string;
  A: string;
  o: string;
  h: string;
  l: string;
  v: string;
  q: string;
  O: number;
  C: number;
  F: number;
  L: number;
  n: number;
}

/** `<symbol>@ticker`. */
export function tickerEvent(
  stats: TickerStats,
  eventTime: number,
  p: WirePrecision = DEFAULT_PRECISION,
): WireTickerEvent {
  return {
    e: '24hrTicker',
    E: eventTime,
    s: stats.symbol,
    p: price(stats.priceChange, p),
    P: stats.priceChangePercent.toFixed(3),
    w: price(stats.weightedAvgPrice, p),
    x: price(stats.prevClosePrice, p),
    c: price(stats.lastPrice, p),
    Q: qty(stats.lastQty, p),
    b: price(stats.bidPrice, p),
    B: qty(stats.bidQty, p),
    a: price(stats.askPrice, p),
    A: qty(stats.askQty, p),
    o: price(stats.openPrice, p),
    h: price(stats.highPrice, p),
    l: price(stats.lowPrice, p),
    v: qty(stats.volume, p),
    q: price(stats.quoteVolume, p),
    O: stats.openTime,
    C: stats.closeTime,
    F: stats.firstId,
    L: stats.lastId,
    n: stats.count,
  };
}

export interface WireMiniTickerEvent {
  e: '24hrMiniTicker';
  E: number;
  s: string;
  c: string;
  o: string;
  h: string;
  l: string;
  v: string;
  q: string;
}

/** `<symbol>@miniTicker`. */
export function miniTickerEvent(
  stats: TickerStats,
  eventTime: number,
  p: WirePrecision = DEFAULT_PRECISION,
): WireMiniTickerEvent {
  return {
    e: '24hrMiniTicker',
    E: eventTime,
    s: stats.symbol,
    c: price(stats.lastPrice, p),
    o: price(stats.openPrice, p),
    h: price(stats.highPrice, p),
    l: price(stats.lowPrice, p),
    v: qty(stats.volume, p),
    q: price(stats.quoteVolume, p),
  };
}

export interface WireBookTickerEvent {
  u: number;
  s: string;
  b: string;
  B: string;
  a: string;
  A: string;
}

/** `<symbol>@bookTicker` (no event type, no event time). */
export function bookTickerEvent(book: BookTop, p: WirePrecision = DEFAULT_PRECISION): WireBookTickerEvent {
  return {
    u: book.updateId,
    s: book.symbol,
    b: price(book.bidPrice, p),
    B: qty(book.bidQty, p),
    a: price(book.askPrice, p),
    A: qty(book.askQty, p),
  };
}

export interface WireDepthUpdateEvent {
  e: 'depthUpdate';
  E: number;
  s: string;
  U: number;
  u: number;
  b: [string, string][];
  a: [string, string][];
}

/** `<symbol>@depth[@100ms]`. */
export function depthUpdateEvent(
  diff: DepthDiffEvent,
  p: WirePrecision = DEFAULT_PRECISION,
): WireDepthUpdateEvent {
  return {
    e: 'depthUpdate',
    E: diff.eventTime,
    s: diff.symbol,
    U: diff.firstUpdateId,
    u: diff.finalUpdateId,
    b: levels(diff.bids, p),
    a: levels(diff.asks, p),
  };
}

/**
 * Merges consecutive diffs into one, as the 100 ms / 1000 ms streams send them:
 * `U` of the first, `u` of the last, each level's latest quantity.
 */
export function mergeDepthDiffs(diffs: readonly DepthDiffEvent[]): DepthDiffEvent | undefined {
  const first = diffs[0];
  const last = diffs[diffs.length - 1];
  if (!first || !last) return undefined;
  if (diffs.length === 1) return first;
  const bids = new Map<string, DepthLevel>();
  const asks = new Map<string, DepthLevel>();
  for (const diff of diffs) {
    for (const level of diff.bids) bids.set(level[0].toString(), level);
    for (const level of diff.asks) asks.set(level[0].toString(), level);
  }
  return {
    symbol: first.symbol,
    eventTime: last.eventTime,
    firstUpdateId: first.firstUpdateId,
    finalUpdateId: last.finalUpdateId,
    bids: [...bids.values()].sort((a, b) => b[0].comparedTo(a[0])),
    asks: [...asks.values()].sort((a, b) => a[0].comparedTo(b[0])),
  };
}

// ---------------------------------------------------------------------------
// Orders (REST responses; the WebSocket API returns the same bodies in `result`)

export interface WireOrderAck {
  symbol: string;
  orderId: number;
  orderListId: number;
  clientOrderId: string;
  transactTime: number;
}

export interface WireOrderResult extends WireOrderAck {
  price: string;
  origQty: string;
  executedQty: string;
  origQuoteOrderQty: string;
  cummulativeQuoteQty: string;
  status: string;
  timeInForce: string;
  type: string;
  side: string;
  stopPrice?: string;
  workingTime: number;
  selfTradePreventionMode: string;
  expiryReason?: string;
}

export interface WireFill {
  price: string;
  qty: string;
  commission: string;
  commissionAsset: string;
  tradeId: number;
}

export interface WireOrderFull extends WireOrderResult {
  fills: WireFill[];
}

export type WireOrderResponse = WireOrderAck | WireOrderResult | WireOrderFull;

function ack(order: OrderView, transactTime: number): WireOrderAck {
  return {
    symbol: order.symbol,
    orderId: order.orderId,
    orderListId: order.orderListId,
    clientOrderId: order.clientOrderId,
    transactTime,
  };
}

function result(order: OrderView, transactTime: number, p: WirePrecision): WireOrderResult {
  return {
    ...ack(order, transactTime),
    price: price(order.price, p),
    origQty: qty(order.origQty, p),
    executedQty: qty(order.executedQty, p),
    origQuoteOrderQty: price(order.origQuoteOrderQty, p),
    cummulativeQuoteQty: price(order.cummulativeQuoteQty, p),
    status: order.status,
    timeInForce: order.timeInForce,
    type: order.type,
    side: order.side,
    ...(STOP_TYPES.has(order.type) ? { stopPrice: price(order.stopPrice, p) } : {}),
    workingTime: order.workingTime,
    selfTradePreventionMode: order.selfTradePreventionMode,
    ...(order.status === 'EXPIRED' && order.expiryReason ? { expiryReason: order.expiryReason } : {}),
  };
}

export function fillPayload(fill: OrderFill, p: WirePrecision = DEFAULT_PRECISION): WireFill {
  return {
    price: price(fill.price, p),
    qty: qty(fill.qty, p),
    commission: formatDecimal(fill.commission, 8),
    commissionAsset: fill.commissionAsset,
    tradeId: fill.tradeId,
  };
}

/** `POST /api/v3/order` in the response type asked for (ACK, RESULT or FULL). */
export function orderResponsePayload(
  placed: PlaceOrderResult,
  p: WirePrecision = DEFAULT_PRECISION,
  type: OrderResponseType = placed.responseType,
): WireOrderResponse {
  if (type === 'ACK') return ack(placed.order, placed.transactTime);
  const body = result(placed.order, placed.transactTime, p);
  if (type === 'RESULT') return body;
  return { ...body, fills: placed.fills.map((fill) => fillPayload(fill, p)) };
}

export interface WireOrder {
  symbol: string;
  orderId: number;
  orderListId: number;
  clientOrderId: string;
  price: string;
  origQty: string;
  executedQty: string;
  cummulativeQuoteQty: string;
  status: string;
  timeInForce: string;
  type: string;
  side: string;
  stopPrice: string;
  icebergQty: string;
  time: number;
  updateTime: number;
  isWorking: boolean;
  workingTime: number;
  origQuoteOrderQty: string;
  selfTradePreventionMode: string;
}

/** An order as `GET /api/v3/order`, `openOrders` and `allOrders` return it. */
export function orderPayload(order: OrderView, p: WirePrecision = DEFAULT_PRECISION): WireOrder {
  return {
    symbol: order.symbol,
    orderId: order.orderId,
    orderListId: order.orderListId,
    clientOrderId: order.clientOrderId,
    price: price(order.price, p),
    origQty: qty(order.origQty, p),
    executedQty: qty(order.executedQty, p),
    cummulativeQuoteQty: price(order.cummulativeQuoteQty, p),
    status: order.status,
    timeInForce: order.timeInForce,
    type: order.type,
    side: order.side,
    stopPrice: price(order.stopPrice, p),
    icebergQty: qty(order.icebergQty, p),
    time: order.time,
    updateTime: order.updateTime,
    isWorking: order.isWorking,
    workingTime: order.workingTime,
    origQuoteOrderQty: price(order.origQuoteOrderQty, p),
    selfTradePreventionMode: order.selfTradePreventionMode,
  };
}

export interface WireCancel {
  symbol: string;
  origClientOrderId: string;
  orderId: number;
  orderListId: number;
  clientOrderId: string;
  transactTime: number;
  price: string;
  origQty: string;
  executedQty: string;
  origQuoteOrderQty: string;
  cummulativeQuoteQty: string;
  status: string;
  timeInForce: string;
  type: string;
  side: string;
  stopPrice?: string;
  selfTradePreventionMode: string;
}

/** `DELETE /api/v3/order`: `origClientOrderId` is the order's id, `clientOrderId` the cancel's. */
export function cancelPayload(cancel: CancelOrderResult, p: WirePrecision = DEFAULT_PRECISION): WireCancel {
  const { order } = cancel;
  return {
    symbol: order.symbol,
    origClientOrderId: cancel.origClientOrderId,
    orderId: order.orderId,
    orderListId: order.orderListId,
    clientOrderId: cancel.clientOrderId,
    transactTime: cancel.transactTime,
    price: price(order.price, p),
    origQty: qty(order.origQty, p),
    executedQty: qty(order.executedQty, p),
    origQuoteOrderQty: price(order.origQuoteOrderQty, p),
    cummulativeQuoteQty: price(order.cummulativeQuoteQty, p),
    status: order.status,
    timeInForce: order.timeInForce,
    type: order.type,
    side: order.side,
    ...(STOP_TYPES.has(order.type) ? { stopPrice: price(order.stopPrice, p) } : {}),
    selfTradePreventionMode: order.selfTradePreventionMode,
  };
}

export interface WireOrderList<Report> {
  orderListId: number;
  contingencyType: string;
  listStatusType: string;
  listOrderStatus: string;
  listClientOrderId: string;
  transactionTime: number;
  symbol: string;
  orders: { symbol: string; orderId: number; clientOrderId: string }[];
  orderReports: Report[];
}

function listHead(list: OrderListView): Omit<WireOrderList<never>, 'orderReports'> {
  return {
    orderListId: list.orderListId,
    contingencyType: list.contingencyType,
    listStatusType: list.listStatusType,
    listOrderStatus: list.listOrderStatus,
    listClientOrderId: list.listClientOrderId,
    transactionTime: list.transactionTime,
    symbol: list.symbol,
    orders: list.orders.map((order) => ({
      symbol: order.symbol,
      orderId: order.orderId,
      clientOrderId: order.clientOrderId,
    })),
  };
}

/** `POST /api/v3/orderList/oco`: the list with a report per leg in the response type asked for. */
export function orderListPayload(
  placed: OrderListResult,
  p: WirePrecision = DEFAULT_PRECISION,
): WireOrderList<WireOrderResponse> {
  const { list } = placed;
  return {
    ...listHead(list),
    orderReports: list.orders.map((order) =>
      orderResponsePayload(
        {
          order,
          fills: placed.fills.get(order.orderId) ?? [],
          transactTime: list.transactionTime,
          responseType: placed.responseType,
        },
        p,
      ),
    ),
  };
}

/** `DELETE /api/v3/orderList`, and an order list inside `DELETE /api/v3/openOrders`. */
export function cancelOrderListPayload(
  canceled: CancelOrderListResult,
  p: WirePrecision = DEFAULT_PRECISION,
): WireOrderList<WireCancel> {
  return {
    ...listHead(canceled.list),
    orderReports: canceled.cancels.map((cancel) => cancelPayload(cancel, p)),
  };
}

/** `GET /api/v3/orderList` and `openOrderList`: the list without reports. */
export function orderListStatusPayload(list: OrderListView): Omit<WireOrderList<never>, 'orderReports'> {
  return listHead(list);
}

/** `DELETE /api/v3/openOrders`. */
export function cancelOpenOrdersPayload(
  items: readonly CanceledItem[],
  precisionOf: (symbol: string) => WirePrecision = () => DEFAULT_PRECISION,
): (WireCancel | WireOrderList<WireCancel>)[] {
  return items.map((item) =>
    item.kind === 'order'
      ? cancelPayload(item.cancel, precisionOf(item.cancel.order.symbol))
      : cancelOrderListPayload(item.cancel, precisionOf(item.cancel.list.symbol)),
  );
}

// ---------------------------------------------------------------------------
// Account

export interface WireAccount {
  makerCommission: number;
  takerCommission: number;
  buyerCommission: number;
  sellerCommission: number;
  commissionRates: { maker: string; taker: string; buyer: string; seller: string };
  canTrade: boolean;
  canWithdraw: boolean;
  canDeposit: boolean;
  brokered: boolean;
  requireSelfTradePrevention: boolean;
  preventSor: boolean;
  updateTime: number;
  accountType: 'SPOT';
  balances: { asset: string; free: string; locked: string }[];
  permissions: string[];
  uid: number;
}

/** `GET /api/v3/account`. Commissions in basis points (0.001 → 10) and as decimal rates. */
export function accountPayload(account: AccountInfo, balances: readonly BalanceView[]): WireAccount {
  const bps = (rate: Decimal) => rate.times(10_000).toDecimalPlaces(0, Decimal.ROUND_DOWN).toNumber();
  const { commission } = account;
  return {
    makerCommission: bps(commission.maker),
    takerCommission: bps(commission.taker),
    buyerCommission: bps(commission.buyer),
    sellerCommission: bps(commission.seller),
    commissionRates: {
      maker: formatDecimal(commission.maker),
      taker: formatDecimal(commission.taker),
      buyer: formatDecimal(commission.buyer),
      seller: formatDecimal(commission.seller),
    },
    canTrade: account.canTrade,
    canWithdraw: account.canWithdraw,
    canDeposit: account.canDeposit,
    brokered: false,
    requireSelfTradePrevention: false,
    preventSor: false,
    updateTime: account.updateTime,
    accountType: 'SPOT',
    balances: balances.map((balance) => ({
      asset: balance.asset,
      free: formatDecimal(balance.free),
      locked: formatDecimal(balance.locked),
    })),
    permissions: ['SPOT'],
    uid: account.uid,
  };
}

export interface WireMyTrade {
  symbol: string;
  id: number;
  orderId: number;
  orderListId: number;
  price: string;
  qty: string;
  quoteQty: string;
  commission: string;
  commissionAsset: string;
  time: number;
  isBuyer: boolean;
  isMaker: boolean;
  isBestMatch: boolean;
}

/** A row of `GET /api/v3/myTrades`. */
export function myTradePayload(trade: AccountTrade, p: WirePrecision = DEFAULT_PRECISION): WireMyTrade {
  return {
    symbol: trade.symbol,
    id: trade.id,
    orderId: trade.orderId,
    orderListId: trade.orderListId,
    price: price(trade.price, p),
    qty: qty(trade.qty, p),
    quoteQty: price(trade.quoteQty, p),
    commission: formatDecimal(trade.commission),
    commissionAsset: trade.commissionAsset,
    time: trade.time,
    isBuyer: trade.isBuyer,
    isMaker: trade.isMaker,
    isBestMatch: trade.isBestMatch,
  };
}

// ---------------------------------------------------------------------------
// User data events

export interface WireExecutionReport {
  e: 'executionReport';
  E: number;
  s: string;
  c: string;
  S: string;
  o: string;
  f: string;
  q: string;
  p: string;
  P: string;
  F: string;
  g: number;
  C: string;
  x: string;
  X: string;
  r: string;
  i: number;
  l: string;
  z: string;
  L: string;
  n: string;
  N: string | null;
  T: number;
  t: number;
  I: number;
  w: boolean;
  m: boolean;
  M: boolean;
  O: number;
  Z: string;
  Y: string;
  Q: string;
  W?: number;
  V: string;
}

/** `executionReport` (user-data-stream.md, "Order Update"). `W` only once the order is working. */
export function executionReportEvent(
  report: ExecutionReportEvent,
  p: WirePrecision = DEFAULT_PRECISION,
): WireExecutionReport {
  const { order } = report;
  return {
    e: 'executionReport',
    E: report.eventTime,
    s: order.symbol,
    c: report.clientOrderId,
    S: order.side,
    o: order.type,
    f: order.timeInForce,
    q: qty(order.origQty, p),
    p: price(order.price, p),
    P: price(order.stopPrice, p),
    F: qty(order.icebergQty, p),
    g: order.orderListId,
    C: report.origClientOrderId,
    x: report.executionType,
    X: order.status,
    r: report.rejectReason,
    i: order.orderId,
    l: qty(report.lastExecutedQty, p),
    z: qty(order.executedQty, p),
    L: price(report.lastExecutedPrice, p),
    n: formatDecimal(report.commission),
    N: report.commissionAsset,
    T: report.transactTime,
    t: report.tradeId,
    I: report.executionId,
    w: report.isOnBook,
    m: report.isMaker,
    M: false,
    O: order.time,
    Z: price(order.cummulativeQuoteQty, p),
    Y: price(report.lastQuoteQty, p),
    Q: price(order.origQuoteOrderQty, p),
    ...(order.workingTime >= 0 ? { W: order.workingTime } : {}),
    V: order.selfTradePreventionMode,
  };
}

export interface WireAccountPosition {
  e: 'outboundAccountPosition';
  E: number;
  u: number;
  B: { a: string; f: string; l: string }[];
}

/** `outboundAccountPosition`: the assets that changed. */
export function accountPositionEvent(event: AccountPositionEvent): WireAccountPosition {
  return {
    e: 'outboundAccountPosition',
    E: event.eventTime,
    u: event.lastUpdateTime,
    B: event.balances.map((balance) => ({
      a: balance.asset,
      f: formatDecimal(balance.free),
      l: formatDecimal(balance.locked),
    })),
  };
}

export interface WireBalanceUpdate {
  e: 'balanceUpdate';
  E: number;
  a: string;
  d: string;
  T: number;
}

/** `balanceUpdate`: a deposit, withdrawal or transfer. */
export function balanceUpdateEvent(event: BalanceUpdateEvent): WireBalanceUpdate {
  return {
    e: 'balanceUpdate',
    E: event.eventTime,
    a: event.asset,
    d: formatDecimal(event.delta),
    T: event.clearTime,
  };
}

export interface WireListStatus {
  e: 'listStatus';
  E: number;
  s: string;
  g: number;
  c: string;
  l: string;
  L: string;
  r: string;
  C: string;
  T: number;
  O: { s: string; i: number; c: string }[];
}

/** `listStatus`. */
export function listStatusEvent(event: ListStatusEvent): WireListStatus {
  const { list } = event;
  return {
    e: 'listStatus',
    E: event.eventTime,
    s: list.symbol,
    g: list.orderListId,
    c: list.contingencyType,
    l: list.listStatusType,
    L: list.listOrderStatus,
    r: event.listRejectReason,
    C: list.listClientOrderId,
    T: list.transactionTime,
    O: list.orders.map((order) => ({ s: order.symbol, i: order.orderId, c: order.clientOrderId })),
  };
}
