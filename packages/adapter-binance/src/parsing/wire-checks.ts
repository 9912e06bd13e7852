import { ExchangeUnavailableError, KLINE_INTERVALS } from '@venuekit/core';
import type {
  WireAggTrade,
  WireBookTicker,
  WireDepthUpdate,
  WireKline,
  WireMiniTicker,
  WirePartialDepth,
  WireTicker,
  WireTrade,
} from '../ws/wire';

/**
 * Shape checks of the stream payloads whose ids drive sequencing (trades, aggregate trades, diff
 * depth). A payload that fails one is discarded before its id is taken: a malformed frame must
 * neither reach subscribers as a wrong value nor take the place of the real frame with that id.
 * Found by the reliability suite's frame fuzzing (packages/reliability). Cheap enough for the hot
 * path: type checks and one scan of each decimal string.
 */

/** A non-negative integer id or time, as JSON numbers carry them. */
function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/**
 * Plain decimal text as Binance writes it: digits, at most one point with digits after it. With
 * `positive`, not zero either (a price or a traded quantity).
 */
function isDecimalText(value: unknown, positive: boolean): value is string {
  return typeof value === 'string' && isDecimalFrom(value, 0, positive);
}

/** A decimal that may be negative (a price change, a balance delta): an optional `-`, then plain decimal text. */
function isSignedDecimalText(value: unknown): value is string {
  return typeof value === 'string' && isDecimalFrom(value, value.charCodeAt(0) === 45 ? 1 : 0, false);
}

/** Whether `value` from `start` on is plain decimal text; reads it in place (no slice). */
function isDecimalFrom(value: string, start: number, positive: boolean): boolean {
  const length = value.length;
  if (length <= start || length > 64) return false;
  // One subtraction and one unsigned comparison per character: this runs for every price and
  // quantity of every frame.
  let point = -1;
  let digits = 0;
  for (let i = start; i < length; i++) {
    const digit = value.charCodeAt(i) - 48;
    if (digit >>> 0 <= 9) {
      digits |= digit;
    } else if (digit === -2 && point < 0) {
      point = i;
    } else {
      return false;
    }
  }
  if (point === start || point === length - 1) return false;
  return digits !== 0 || !positive;
}

// web-socket-streams.md "Trade Streams": {"e":"trade","E":…,"s":"BNBBTC","t":12345,"p":"0.001","q":"100","T":…,"m":true,"M":true}
export function isWireTrade(w: unknown): w is WireTrade {
  if (typeof w !== 'object' || w === null) return false;
  const t = w as Record<string, unknown>;
  return (
    isCount(t.t) &&
    isDecimalText(t.p, true) &&
    isDecimalText(t.q, true) &&
    isCount(t.T) &&
    typeof t.m === 'boolean'
  );
}

// web-socket-streams.md "Aggregate Trade Streams": {"e":"aggTrade",…,"a":12345,"p":"0.001","q":"100","f":100,"l":105,"T":…,"m":true}
export function isWireAggTrade(w: unknown): w is WireAggTrade {
  if (typeof w !== 'object' || w === null) return false;
  const t = w as Record<string, unknown>;
  return (
    isCount(t.a) &&
    isDecimalText(t.p, true) &&
    isDecimalText(t.q, true) &&
    isCount(t.f) &&
    isCount(t.l) &&
    (t.l as number) >= (t.f as number) &&
    isCount(t.T) &&
    typeof t.m === 'boolean'
  );
}

/**
 * `[[price, quantity], …]` as depth payloads carry them: a positive price and a quantity (0 removes
 * the level), both plain decimal text. Core's `OrderBook.tryApply` accepts exactly these levels.
 */
export function isDepthLevels(value: unknown): boolean {
  if (!Array.isArray(value)) return false;
  for (let i = 0; i < value.length; i++) {
    const level = value[i] as unknown;
    if (!Array.isArray(level) || level.length < 2) return false;
    if (!isDecimalText(level[0], true) || !isDecimalText(level[1], false)) return false;
  }
  return true;
}

// web-socket-streams.md "Diff. Depth Stream": {"e":"depthUpdate","E":…,"s":"BNBBTC","U":157,"u":160,"b":[["0.0024","10"]],"a":[["0.0026","100"]]}
export function isWireDepthUpdate(w: unknown): w is WireDepthUpdate {
  return isWireDepthHeader(w) && isDepthLevels(w.b) && isDepthLevels(w.a);
}

/**
 * A diff depth payload's ids and times, and its two sides as arrays; not the levels in them. The
 * stream's hot path checks the levels while it applies them (BinanceBookSync), so that each is read
 * once.
 */
export function isWireDepthHeader(w: unknown): w is WireDepthUpdate {
  if (typeof w !== 'object' || w === null) return false;
  const d = w as Record<string, unknown>;
  return (
    isCount(d.U) &&
    isCount(d.u) &&
    (d.u as number) >= (d.U as number) &&
    isCount(d.E) &&
    Array.isArray(d.b) &&
    Array.isArray(d.a)
  );
}

// ---------------------------------------------------------------------------
// Streams whose every message is the whole current value (tickers, klines, book ticker, partial
// depth). Unchecked, a broken one was delivered with NaN, negative or missing values, or (with a
// huge event time or update id) made every later real message look older and be dropped.

/** An id where -1 means "none": `t`, `g` of an execution report, a ticker's `F`, `L` before any trade. */
function isIdOrNone(value: unknown): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= -1;
}

// web-socket-streams.md "Individual Symbol Ticker Streams": {"e":"24hrTicker","E":1672515782136,"s":"BNBBTC",
// "p":"0.0015","P":"250.00","w":"0.0018","x":"0.0009","c":"0.0025","Q":"10","b":"0.0024","B":"10","a":"0.0026",
// "A":"100","o":"0.0010","h":"0.0025","l":"0.0010","v":"10000","q":"18","O":0,"C":86400000,"F":0,"L":18150,"n":18151}
export function isWireTicker(w: unknown): w is WireTicker {
  if (typeof w !== 'object' || w === null) return false;
  const t = w as Record<string, unknown>;
  return (
    isCount(t.E) &&
    isSignedDecimalText(t.p) &&
    isSignedDecimalText(t.P) &&
    isDecimalText(t.w, false) &&
    isDecimalText(t.c, false) &&
    isDecimalText(t.Q, false) &&
    isDecimalText(t.b, false) &&
    isDecimalText(t.B, false) &&
    isDecimalText(t.a, false) &&
    isDecimalText(t.A, false) &&
    isDecimalText(t.o, false) &&
    isDecimalText(t.h, false) &&
    isDecimalText(t.l, false) &&
    isDecimalText(t.v, false) &&
    isDecimalText(t.q, false) &&
    isCount(t.O) &&
    isCount(t.C) &&
    isIdOrNone(t.F) &&
    isIdOrNone(t.L) &&
    isCount(t.n)
  );
}

// web-socket-streams.md "Individual Symbol Mini Ticker Stream": {"e":"24hrMiniTicker","E":1672515782136,
// "s":"BNBBTC","c":"0.0025","o":"0.0010","h":"0.0025","l":"0.0010","v":"10000","q":"18"}
export function isWireMiniTicker(w: unknown): w is WireMiniTicker {
  if (typeof w !== 'object' || w === null) return false;
  const t = w as Record<string, unknown>;
  return (
    isCount(t.E) &&
    isDecimalText(t.c, false) &&
    isDecimalText(t.o, false) &&
    isDecimalText(t.h, false) &&
    isDecimalText(t.l, false) &&
    isDecimalText(t.v, false) &&
    isDecimalText(t.q, false)
  );
}

// web-socket-streams.md "Individual Symbol Book Ticker Streams": {"u":400900217,"s":"BNBUSDT",
// "b":"25.35190000","B":"31.21000000","a":"25.36520000","A":"40.66000000"} (an empty side is "0.00000000")
export function isWireBookTicker(w: unknown): w is WireBookTicker {
  if (typeof w !== 'object' || w === null) return false;
  const t = w as Record<string, unknown>;
  return (
    isCount(t.u) &&
    isDecimalText(t.b, false) &&
    isDecimalText(t.B, false) &&
    isDecimalText(t.a, false) &&
    isDecimalText(t.A, false)
  );
}

const KLINE_INTERVAL_NAMES: ReadonlySet<unknown> = new Set(KLINE_INTERVALS);

// web-socket-streams.md "Kline/Candlestick Streams": {"e":"kline","E":1672515782136,"s":"BNBBTC","k":{
// "t":1672515780000,"T":1672515839999,"s":"BNBBTC","i":"1m","f":100,"L":200,"o":"0.0010","c":"0.0020",
// "h":"0.0025","l":"0.0015","v":"1000","n":100,"x":false,"q":"1.0000","V":"500","Q":"0.500","B":"123456"}}
export function isWireKline(w: unknown): w is WireKline {
  if (typeof w !== 'object' || w === null) return false;
  const e = w as Record<string, unknown>;
  const kline = e.k;
  if (!isCount(e.E) || typeof kline !== 'object' || kline === null) return false;
  const k = kline as Record<string, unknown>;
  return (
    isCount(k.t) &&
    isCount(k.T) &&
    (k.T as number) >= (k.t as number) &&
    KLINE_INTERVAL_NAMES.has(k.i) &&
    isDecimalText(k.o, false) &&
    isDecimalText(k.h, false) &&
    isDecimalText(k.l, false) &&
    isDecimalText(k.c, false) &&
    isDecimalText(k.v, false) &&
    isDecimalText(k.q, false) &&
    isDecimalText(k.V, false) &&
    isDecimalText(k.Q, false) &&
    isCount(k.n) &&
    typeof k.x === 'boolean'
  );
}

// web-socket-streams.md "Partial Book Depth Streams": {"lastUpdateId":160,"bids":[["0.0024","10"]],"asks":[["0.0026","100"]]}
export function isWirePartialDepth(w: unknown): w is WirePartialDepth {
  if (typeof w !== 'object' || w === null) return false;
  const d = w as Record<string, unknown>;
  return isCount(d.lastUpdateId) && isDepthLevels(d.bids) && isDepthLevels(d.asks);
}

const SIDES: ReadonlySet<unknown> = new Set(['BUY', 'SELL']);
const ORDER_TYPES: ReadonlySet<unknown> = new Set([
  'LIMIT',
  'MARKET',
  'STOP_LOSS',
  'STOP_LOSS_LIMIT',
  'TAKE_PROFIT',
  'TAKE_PROFIT_LIMIT',
  'LIMIT_MAKER',
]);
const TIME_IN_FORCE: ReadonlySet<unknown> = new Set(['GTC', 'IOC', 'FOK']);
const EXECUTION_TYPES: ReadonlySet<unknown> = new Set([
  'NEW',
  'CANCELED',
  'REPLACED',
  'REJECTED',
  'TRADE',
  'EXPIRED',
  'TRADE_PREVENTION',
]);
const ORDER_STATUSES: ReadonlySet<unknown> = new Set([
  'NEW',
  'PENDING_NEW',
  'PARTIALLY_FILLED',
  'FILLED',
  'CANCELED',
  'PENDING_CANCEL',
  'REJECTED',
  'EXPIRED',
  'EXPIRED_IN_MATCH',
]);

// user-data-stream.md "Order Update": {"e":"executionReport","E":1499405658658,"s":"ETHBTC","c":"mUvoqJxFIILMdfAW5iGSOW",
// "S":"BUY","o":"LIMIT","f":"GTC","q":"1.00000000","p":"0.10264410","P":"0.00000000","g":-1,"C":"","x":"NEW","X":"NEW",
// "r":"NONE","i":4293153,"l":"0.00000000","z":"0.00000000","L":"0.00000000","n":"0","N":null,"T":1499405658657,"t":-1,
// "m":false,"O":1499405658657,"Z":"0.00000000","Y":"0.00000000","Q":"0.00000000",…} — every field the parser reads.
function isExecutionReport(r: Record<string, unknown>): boolean {
  return (
    isCount(r.E) &&
    typeof r.s === 'string' &&
    typeof r.c === 'string' &&
    r.c.length > 0 &&
    typeof r.C === 'string' &&
    SIDES.has(r.S) &&
    ORDER_TYPES.has(r.o) &&
    TIME_IN_FORCE.has(r.f) &&
    EXECUTION_TYPES.has(r.x) &&
    ORDER_STATUSES.has(r.X) &&
    typeof r.r === 'string' &&
    isCount(r.i) &&
    isIdOrNone(r.g) &&
    isIdOrNone(r.t) &&
    isCount(r.T) &&
    isCount(r.O) &&
    typeof r.m === 'boolean' &&
    (r.N === null || typeof r.N === 'string') &&
    isDecimalText(r.q, false) &&
    isDecimalText(r.p, false) &&
    isDecimalText(r.P, false) &&
    isDecimalText(r.l, false) &&
    isDecimalText(r.z, false) &&
    isDecimalText(r.L, false) &&
    isDecimalText(r.n, false) &&
    isDecimalText(r.Z, false) &&
    isDecimalText(r.Y, false) &&
    isDecimalText(r.Q, false)
  );
}

// user-data-stream.md "Account Update": {"e":"outboundAccountPosition","E":1564034571105,"u":1564034571073,
// "B":[{"a":"ETH","f":"10000.000000","l":"0.000000"}]}
function isAccountPosition(p: Record<string, unknown>): boolean {
  if (!isCount(p.E) || !Array.isArray(p.B)) return false;
  for (const entry of p.B as unknown[]) {
    if (typeof entry !== 'object' || entry === null) return false;
    const b = entry as Record<string, unknown>;
    if (
      typeof b.a !== 'string' ||
      b.a.length === 0 ||
      !isDecimalText(b.f, false) ||
      !isDecimalText(b.l, false)
    ) {
      return false;
    }
  }
  return true;
}

// user-data-stream.md "Balance Update": {"e":"balanceUpdate","E":1573200697110,"a":"BTC","d":"100.00000000","T":1573200697068}
function isBalanceUpdate(b: Record<string, unknown>): boolean {
  return isCount(b.E) && typeof b.a === 'string' && b.a.length > 0 && isSignedDecimalText(b.d);
}

/**
 * Whether a user data event has every field its parser reads, well formed. Events the adapter
 * does not read (or only notes, like `eventStreamTerminated`) need an event type only.
 */
export function isWireUserEvent(event: unknown): boolean {
  if (typeof event !== 'object' || event === null) return false;
  const e = event as Record<string, unknown>;
  switch (e.e) {
    case 'executionReport':
      return isExecutionReport(e);
    case 'outboundAccountPosition':
      return isAccountPosition(e);
    case 'balanceUpdate':
      return isBalanceUpdate(e);
    default:
      return typeof e.e === 'string';
  }
}

// ---------------------------------------------------------------------------
// REST answers the adapter's data comes from (rest-api.md examples beside each). A body that fails
// is a typed EXCHANGE_ERROR for the caller, never a value built from it.

// "Order book": {"lastUpdateId":1027024,"bids":[["4.00000000","431.00000000"]],"asks":[["4.00000200","12.00000000"]]}
export function isRestDepth(body: unknown): boolean {
  if (typeof body !== 'object' || body === null) return false;
  const d = body as Record<string, unknown>;
  return isCount(d.lastUpdateId) && isDepthLevels(d.bids) && isDepthLevels(d.asks);
}

// "Recent trades list": [{"id":28457,"price":"4.00000100","qty":"12.00000000","quoteQty":"48.000012","time":1499865549590,"isBuyerMaker":true,"isBestMatch":true}]
export function isRestTrades(body: unknown): boolean {
  if (!Array.isArray(body)) return false;
  for (const item of body as unknown[]) {
    if (typeof item !== 'object' || item === null) return false;
    const t = item as Record<string, unknown>;
    if (
      !isCount(t.id) ||
      !isDecimalText(t.price, true) ||
      !isDecimalText(t.qty, true) ||
      !isCount(t.time) ||
      typeof t.isBuyerMaker !== 'boolean'
    ) {
      return false;
    }
  }
  return true;
}

// "Compressed/Aggregate trades list": [{"a":26129,"p":"0.01633102","q":"4.70443515","f":27781,"l":27781,"T":1498793709153,"m":true,"M":true}]
export function isRestAggTrades(body: unknown): boolean {
  return Array.isArray(body) && (body as unknown[]).every((item) => isWireAggTrade(item));
}

// "Check server time": {"serverTime":1499827319559}
export function isServerTime(body: unknown): boolean {
  return typeof body === 'object' && body !== null && isCount((body as { serverTime?: unknown }).serverTime);
}

// "Account information": {…,"balances":[{"asset":"BTC","free":"4723846.89208129","locked":"0.00000000"}],…}
export function isRestAccount(body: unknown): boolean {
  if (typeof body !== 'object' || body === null) return false;
  const balances = (body as { balances?: unknown }).balances;
  if (!Array.isArray(balances)) return false;
  for (const entry of balances as unknown[]) {
    if (typeof entry !== 'object' || entry === null) return false;
    const b = entry as Record<string, unknown>;
    if (typeof b.asset !== 'string' || !isDecimalText(b.free, false) || !isDecimalText(b.locked, false))
      return false;
  }
  return true;
}

// ---------------------------------------------------------------------------
// Answers about orders and the market's rules (rest-api.md; the WebSocket API's `result` is the
// same body). Fields the parsers read when present must be well formed when present: an ACK
// answer has no price, but a price of "NaN" is not an answer. Unknown statuses and types are
// refused (parsed, they became "new" and "limit"); unknown filters and extra fields are not.

function isOptional(value: unknown, check: (value: unknown) => boolean): boolean {
  return value === undefined || check(value);
}
const isPlainDecimal = (value: unknown): boolean => isDecimalText(value, false);
const isTime = (value: unknown): boolean => isCount(value);
const isName = (value: unknown): boolean => typeof value === 'string' && value.length > 0;

// "Place new order" FULL fills: {"price":"4000.00000000","qty":"1.00000000","commission":"4.00000000","commissionAsset":"USDT","tradeId":56}
function isOrderFill(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const f = value as Record<string, unknown>;
  return (
    isDecimalText(f.price, true) &&
    isDecimalText(f.qty, true) &&
    isDecimalText(f.commission, false) &&
    typeof f.commissionAsset === 'string' &&
    isCount(f.tradeId)
  );
}

/**
 * An order as "Place new order" (ACK, RESULT, FULL), "Query order", "Cancel order", "Current open
 * orders" and "All orders" answer it: {"symbol":"BTCUSDT","orderId":28,"orderListId":-1,
 * "clientOrderId":"6gCrw2kRUAF9CvJDGP16IP","transactTime":1507725176595,"price":"0.00000000",
 * "origQty":"10.00000000","executedQty":"10.00000000","cummulativeQuoteQty":"10.00000000",
 * "status":"FILLED","timeInForce":"GTC","type":"MARKET","side":"SELL","workingTime":1507725176595,…}
 */
export function isRestOrder(body: unknown): boolean {
  if (typeof body !== 'object' || body === null) return false;
  const o = body as Record<string, unknown>;
  return (
    isName(o.symbol) &&
    isCount(o.orderId) &&
    isName(o.clientOrderId) &&
    isOptional(o.origClientOrderId, isName) &&
    isOptional(o.orderListId, isIdOrNone) &&
    isOptional(o.transactTime, isTime) &&
    isOptional(o.time, isTime) &&
    isOptional(o.updateTime, isTime) &&
    isOptional(o.workingTime, isIdOrNone) &&
    isOptional(o.price, isPlainDecimal) &&
    isOptional(o.origQty, isPlainDecimal) &&
    isOptional(o.executedQty, isPlainDecimal) &&
    isOptional(o.origQuoteOrderQty, isPlainDecimal) &&
    // Negative on some old orders: "not available".
    isOptional(o.cummulativeQuoteQty, isSignedDecimalText) &&
    isOptional(o.stopPrice, isPlainDecimal) &&
    isOptional(o.status, (v) => ORDER_STATUSES.has(v)) &&
    isOptional(o.type, (v) => ORDER_TYPES.has(v)) &&
    isOptional(o.side, (v) => SIDES.has(v)) &&
    isOptional(o.timeInForce, isName) &&
    isOptional(o.fills, (v) => Array.isArray(v) && v.every(isOrderFill))
  );
}

// enums.md: "ContingencyType" and "Order List Order Status" (listOrderStatus). Parsed unchecked, an
// unknown status read as executing.
const CONTINGENCY_TYPES: ReadonlySet<unknown> = new Set(['OCO', 'OTO']);
const LIST_ORDER_STATUSES: ReadonlySet<unknown> = new Set(['EXECUTING', 'ALL_DONE', 'REJECT']);

/**
 * An order list as "New Order list - OCO", "Cancel Order list", "Query Order list" and "Cancel all
 * Open Orders on a Symbol" answer it: {"orderListId":0,"contingencyType":"OCO","listStatusType":
 * "EXEC_STARTED","listOrderStatus":"EXECUTING","listClientOrderId":"JYVpp3F0f5CAG15DhtrqLp",
 * "transactionTime":1563417480525,"symbol":"LTCBTC","orders":[{"symbol":"LTCBTC","orderId":3,
 * "clientOrderId":"xTXKaGYd4bluPVp78IVRvl"}],"orderReports":[…orders…]}
 */
export function isRestOrderList(body: unknown): boolean {
  if (typeof body !== 'object' || body === null) return false;
  const l = body as Record<string, unknown>;
  if (
    !isCount(l.orderListId) ||
    !CONTINGENCY_TYPES.has(l.contingencyType) ||
    !LIST_ORDER_STATUSES.has(l.listOrderStatus) ||
    !isName(l.listClientOrderId) ||
    !isCount(l.transactionTime) ||
    !Array.isArray(l.orders)
  ) {
    return false;
  }
  for (const ref of l.orders as unknown[]) {
    if (typeof ref !== 'object' || ref === null) return false;
    const r = ref as Record<string, unknown>;
    if (!isName(r.symbol) || !isCount(r.orderId) || !isName(r.clientOrderId)) return false;
  }
  return isOptional(l.orderReports, (v) => Array.isArray(v) && v.every(isRestOrder));
}

/** Either of the above: what "Cancel all Open Orders on a Symbol" lists. */
export function isRestOrderOrList(body: unknown): boolean {
  return typeof body === 'object' && body !== null && 'contingencyType' in body
    ? isRestOrderList(body)
    : isRestOrder(body);
}

// "Account trade list": {"symbol":"BNBBTC","id":28457,"orderId":100234,"orderListId":-1,"price":"4.00000100",
// "qty":"12.00000000","quoteQty":"48.000012","commission":"10.10000000","commissionAsset":"BNB",
// "time":1499865549590,"isBuyer":true,"isMaker":false,"isBestMatch":true}
export function isRestMyTrade(body: unknown): boolean {
  if (typeof body !== 'object' || body === null) return false;
  const t = body as Record<string, unknown>;
  return (
    isCount(t.id) &&
    isCount(t.orderId) &&
    isDecimalText(t.price, true) &&
    isDecimalText(t.qty, true) &&
    isDecimalText(t.quoteQty, false) &&
    isDecimalText(t.commission, false) &&
    typeof t.commissionAsset === 'string' &&
    isCount(t.time) &&
    typeof t.isBuyer === 'boolean' &&
    typeof t.isMaker === 'boolean'
  );
}

/** The fields of the filters the instruments read (filters.md), all decimal text. */
const FILTER_DECIMALS: Readonly<Record<string, readonly string[]>> = {
  PRICE_FILTER: ['minPrice', 'maxPrice', 'tickSize'],
  LOT_SIZE: ['minQty', 'maxQty', 'stepSize'],
  MARKET_LOT_SIZE: ['minQty', 'maxQty', 'stepSize'],
  NOTIONAL: ['minNotional', 'maxNotional'],
  MIN_NOTIONAL: ['minNotional'],
  PERCENT_PRICE: ['multiplierUp', 'multiplierDown'],
  PERCENT_PRICE_BY_SIDE: ['bidMultiplierUp', 'bidMultiplierDown', 'askMultiplierUp', 'askMultiplierDown'],
};
const FILTER_FLAGS: Readonly<Record<string, readonly string[]>> = {
  NOTIONAL: ['applyMinToMarket', 'applyMaxToMarket'],
  MIN_NOTIONAL: ['applyToMarket'],
};

function isFilter(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const f = value as Record<string, unknown>;
  if (!isName(f.filterType)) return false;
  for (const name of FILTER_DECIMALS[f.filterType as string] ?? []) {
    if (!isDecimalText(f[name], false)) return false;
  }
  for (const name of FILTER_FLAGS[f.filterType as string] ?? []) {
    if (!isOptional(f[name], (v) => typeof v === 'boolean')) return false;
  }
  return true;
}

const isFlag = (value: unknown): boolean => value === undefined || typeof value === 'boolean';

// "Exchange information" symbols[]: {"symbol":"ETHBTC","status":"TRADING","baseAsset":"ETH","baseAssetPrecision":8,
// "quoteAsset":"BTC","quotePrecision":8,"quoteAssetPrecision":8,"orderTypes":["LIMIT",…],"ocoAllowed":true,
// "quoteOrderQtyMarketAllowed":true,"isSpotTradingAllowed":true,"filters":[…],…}
function isSymbolInfo(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const s = value as Record<string, unknown>;
  return (
    isName(s.symbol) &&
    isName(s.status) &&
    isName(s.baseAsset) &&
    isName(s.quoteAsset) &&
    isCount(s.baseAssetPrecision) &&
    (isCount(s.quoteAssetPrecision) || (s.quoteAssetPrecision === undefined && isCount(s.quotePrecision))) &&
    Array.isArray(s.orderTypes) &&
    s.orderTypes.every((type) => typeof type === 'string') &&
    Array.isArray(s.filters) &&
    s.filters.every(isFilter) &&
    isFlag(s.ocoAllowed) &&
    isFlag(s.quoteOrderQtyMarketAllowed) &&
    isFlag(s.isSpotTradingAllowed)
  );
}

// "Exchange information": {"timezone":"UTC","serverTime":1565246363776,"rateLimits":[{"rateLimitType":
// "REQUEST_WEIGHT","interval":"MINUTE","intervalNum":1,"limit":6000}],"exchangeFilters":[],"symbols":[…]}
export function isRestExchangeInfo(body: unknown): boolean {
  if (typeof body !== 'object' || body === null) return false;
  const info = body as Record<string, unknown>;
  if (!isCount(info.serverTime) || !Array.isArray(info.rateLimits) || !Array.isArray(info.symbols)) {
    return false;
  }
  for (const limit of info.rateLimits as unknown[]) {
    if (typeof limit !== 'object' || limit === null) return false;
    const l = limit as Record<string, unknown>;
    if (!isName(l.rateLimitType) || !isName(l.interval) || !isCount(l.intervalNum) || !isCount(l.limit)) {
      return false;
    }
  }
  return (info.symbols as unknown[]).every(isSymbolInfo);
}

// ---------------------------------------------------------------------------
// Market data answers over REST whose values reach the caller as they are.

// "Kline/Candlestick data": [[1499040000000,"0.01634790","0.80000000","0.01575800","0.01577100",
// "148976.11427815",1499644799999,"2434.19055334",308,"1756.87402397","28.46694368","0"]] — open time,
// open, high, low, close, volume, close time, quote volume, trades, taker buy base and quote volume
// (the last, "unused field", is not read).
export function isRestKlines(body: unknown): boolean {
  if (!Array.isArray(body)) return false;
  for (const row of body as unknown[]) {
    if (!Array.isArray(row) || row.length < 11) return false;
    if (
      !isCount(row[0]) ||
      !isCount(row[6]) ||
      (row[6] as number) < (row[0] as number) ||
      !isCount(row[8]) ||
      !isDecimalText(row[1], false) ||
      !isDecimalText(row[2], false) ||
      !isDecimalText(row[3], false) ||
      !isDecimalText(row[4], false) ||
      !isDecimalText(row[5], false) ||
      !isDecimalText(row[7], false) ||
      !isDecimalText(row[9], false) ||
      !isDecimalText(row[10], false)
    ) {
      return false;
    }
  }
  return true;
}

// "24hr ticker price change statistics" (FULL): {"symbol":"BNBBTC","priceChange":"-94.99999800",
// "priceChangePercent":"-95.960","weightedAvgPrice":"0.29628482","prevClosePrice":"0.10002000",
// "lastPrice":"4.00000200","lastQty":"200.00000000","bidPrice":"4.00000000","bidQty":"100.00000000",
// "askPrice":"4.00000200","askQty":"100.00000000","openPrice":"99.00000000","highPrice":"100.00000000",
// "lowPrice":"0.10000000","volume":"8913.30000000","quoteVolume":"15.30000000","openTime":1499783499040,
// "closeTime":1499869899040,"firstId":28385,"lastId":28460,"count":76} (firstId and lastId -1: no trade)
export function isRestTicker(body: unknown): boolean {
  if (typeof body !== 'object' || body === null) return false;
  const t = body as Record<string, unknown>;
  return (
    isName(t.symbol) &&
    isSignedDecimalText(t.priceChange) &&
    isSignedDecimalText(t.priceChangePercent) &&
    isDecimalText(t.weightedAvgPrice, false) &&
    isDecimalText(t.lastPrice, false) &&
    isDecimalText(t.openPrice, false) &&
    isDecimalText(t.highPrice, false) &&
    isDecimalText(t.lowPrice, false) &&
    isDecimalText(t.volume, false) &&
    isDecimalText(t.quoteVolume, false) &&
    isOptional(t.prevClosePrice, isPlainDecimal) &&
    isOptional(t.lastQty, isPlainDecimal) &&
    isOptional(t.bidPrice, isPlainDecimal) &&
    isOptional(t.bidQty, isPlainDecimal) &&
    isOptional(t.askPrice, isPlainDecimal) &&
    isOptional(t.askQty, isPlainDecimal) &&
    isCount(t.openTime) &&
    isCount(t.closeTime) &&
    isIdOrNone(t.firstId) &&
    isIdOrNone(t.lastId) &&
    isCount(t.count)
  );
}

/** The answer for several symbols (or all): a list of the above. */
export function isRestTickers(body: unknown): boolean {
  if (!Array.isArray(body)) return false;
  for (const item of body as unknown[]) if (!isRestTicker(item)) return false;
  return true;
}

/**
 * A typed EXCHANGE_ERROR for an answer without the documented shape: the caller never gets a value
 * built from it. `context.answer: 'malformed'` tells a placement or cancel apart from a refusal:
 * the venue said yes to something, so the outcome is looked up (trading.ts `isAmbiguous`).
 */
export function malformedAnswer(what: string, body: unknown): ExchangeUnavailableError {
  let text: string;
  try {
    text = (JSON.stringify(body) ?? String(body)).slice(0, 2_000);
  } catch {
    text = String(body).slice(0, 2_000);
  }
  return new ExchangeUnavailableError({
    code: 'EXCHANGE_ERROR',
    message: `${what}: the answer does not have the documented shape`,
    context: { exchange: 'binance', answer: 'malformed' },
    venue: { status: 200, body: text },
  });
}

/** An answer that must be a list (open orders, all orders, account trades), or a typed EXCHANGE_ERROR. */
export function answerList(body: unknown, what: string): unknown[] {
  if (!Array.isArray(body)) throw malformedAnswer(what, body);
  return body;
}
