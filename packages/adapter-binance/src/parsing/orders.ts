import {
  Decimal,
  type Fee,
  type Fill,
  type OcoOrderRequest,
  type Order,
  type OrderList,
  type OrderRequest,
  type OrderStatus,
  type OrderType,
  type Side,
  type TimeInForce,
  type UnifiedSymbol,
} from '@venuekit/core';
import { isRestOrder, isRestOrderList, malformedAnswer } from './wire-checks';

/**
 * Binance order payloads → core Orders. One shape covers every answer that describes an
 * order: POST /api/v3/order (ACK, RESULT, FULL), GET /api/v3/order, openOrders, allOrders,
 * DELETE /api/v3/order and the WebSocket API's order.* results, which are the same bodies.
 */

const EXCHANGE = 'binance';

export interface WireOrderFill {
  readonly price: string;
  readonly qty: string;
  readonly commission: string;
  readonly commissionAsset: string;
  readonly tradeId: number;
}

export interface WireOrder {
  readonly symbol: string;
  readonly orderId: number;
  readonly orderListId?: number;
  /** On a cancel answer, the cancel's own id; the order's id is then `origClientOrderId`. */
  readonly clientOrderId: string;
  readonly origClientOrderId?: string;
  readonly transactTime?: number;
  readonly price?: string;
  readonly origQty?: string;
  readonly executedQty?: string;
  readonly origQuoteOrderQty?: string;
  readonly cummulativeQuoteQty?: string;
  readonly status?: string;
  readonly timeInForce?: string;
  readonly type?: string;
  readonly side?: string;
  readonly stopPrice?: string;
  readonly time?: number;
  readonly updateTime?: number;
  readonly workingTime?: number;
  readonly fills?: readonly WireOrderFill[];
}

export interface WireOrderListRef {
  readonly symbol: string;
  readonly orderId: number;
  readonly clientOrderId: string;
}

export interface WireOrderList {
  readonly orderListId: number;
  readonly contingencyType: string;
  readonly listStatusType: string;
  readonly listOrderStatus: string;
  readonly listClientOrderId: string;
  readonly transactionTime: number;
  readonly symbol: string;
  readonly orders: readonly WireOrderListRef[];
  readonly orderReports?: readonly WireOrder[];
}

const STATUS: Readonly<Record<string, OrderStatus>> = {
  NEW: 'new',
  PENDING_NEW: 'pending_new',
  PARTIALLY_FILLED: 'partially_filled',
  FILLED: 'filled',
  CANCELED: 'canceled',
  // Documented as unused; the order is still open while a cancel is pending.
  PENDING_CANCEL: 'new',
  REJECTED: 'rejected',
  EXPIRED: 'expired',
  EXPIRED_IN_MATCH: 'expired_in_match',
};

const TYPES: Readonly<Record<string, OrderType>> = {
  LIMIT: 'limit',
  MARKET: 'market',
  LIMIT_MAKER: 'limit_maker',
  STOP_LOSS: 'stop_loss',
  STOP_LOSS_LIMIT: 'stop_loss_limit',
  TAKE_PROFIT: 'take_profit',
  TAKE_PROFIT_LIMIT: 'take_profit_limit',
};

export function parseOrderStatus(status: string | undefined): OrderStatus | undefined {
  return status === undefined ? undefined : STATUS[status];
}

export function parseOrderType(type: string | undefined): OrderType | undefined {
  return type === undefined ? undefined : TYPES[type];
}

export function parseSide(side: string | undefined): Side | undefined {
  return side === 'BUY' ? 'buy' : side === 'SELL' ? 'sell' : undefined;
}

export function parseTimeInForce(tif: string | undefined): TimeInForce | undefined {
  return tif === 'GTC' || tif === 'IOC' || tif === 'FOK' ? tif : undefined;
}

/** A decimal that means "not set" when zero (Binance sends `"0.00000000"` for an absent price). */
export function optionalPositive(text: string | undefined): Decimal | undefined {
  if (text === undefined || text === '') return undefined;
  const value = new Decimal(text);
  return value.gt(0) ? value : undefined;
}

export function sumFees(fees: readonly Fee[]): Fee[] {
  const byAsset = new Map<string, Decimal>();
  for (const fee of fees) byAsset.set(fee.asset, (byAsset.get(fee.asset) ?? new Decimal(0)).plus(fee.amount));
  return [...byAsset].map(([asset, amount]) => ({ asset, amount }));
}

/**
 * A Binance order payload → core Order. `receivedAt` stands in for times the payload lacks
 * (cancel answers carry none); `intent` fills what an ACK answer leaves out.
 */
export function parseOrder(
  w: WireOrder,
  symbol: UnifiedSymbol,
  receivedAt: number,
  intent?: OrderRequest,
): Order {
  if (!isRestOrder(w)) throw malformedAnswer('an order', w);
  const side = parseSide(w.side) ?? intent?.side ?? 'buy';
  const type = parseOrderType(w.type) ?? intent?.type ?? 'limit';
  const clientOrderId = w.origClientOrderId ?? w.clientOrderId;
  const filledQuantity = w.executedQty === undefined ? new Decimal(0) : new Decimal(w.executedQty);
  // A negative cumulative quote quantity means "not available" on some historical orders.
  const quoteRaw = w.cummulativeQuoteQty === undefined ? new Decimal(0) : new Decimal(w.cummulativeQuoteQty);
  const filledQuoteQuantity = quoteRaw.isNegative() ? new Decimal(0) : quoteRaw;
  const createdAt =
    w.time ??
    w.transactTime ??
    (w.workingTime !== undefined && w.workingTime > 0 ? w.workingTime : receivedAt);
  const updatedAt = w.updateTime ?? w.transactTime ?? createdAt;
  const fills = w.fills?.map((f) => parseOrderFill(f, w, symbol, side, clientOrderId, updatedAt));
  const price = optionalPositive(w.price) ?? (w.price === undefined ? intent?.price : undefined);
  const stopPrice =
    optionalPositive(w.stopPrice) ?? (w.stopPrice === undefined ? intent?.stopPrice : undefined);
  const quoteQuantity =
    optionalPositive(w.origQuoteOrderQty) ??
    (w.origQuoteOrderQty === undefined ? intent?.quoteQuantity : undefined);
  const timeInForce =
    parseTimeInForce(w.timeInForce) ?? (w.timeInForce === undefined ? intent?.timeInForce : undefined);
  const quantity = w.origQty === undefined ? (intent?.quantity ?? new Decimal(0)) : new Decimal(w.origQty);
  return {
    exchange: EXCHANGE,
    symbol,
    id: String(w.orderId),
    clientOrderId,
    side,
    type,
    ...(timeInForce ? { timeInForce } : {}),
    status: parseOrderStatus(w.status) ?? 'new',
    ...(price ? { price } : {}),
    ...(stopPrice ? { stopPrice } : {}),
    quantity,
    ...(quoteQuantity ? { quoteQuantity } : {}),
    filledQuantity,
    filledQuoteQuantity,
    ...(filledQuantity.gt(0) && !quoteRaw.isNegative()
      ? { averagePrice: filledQuoteQuantity.div(filledQuantity) }
      : {}),
    fees: fills ? sumFees(fills.map((f) => f.fee)) : [],
    ...(fills ? { fills } : {}),
    ...(w.orderListId !== undefined && w.orderListId >= 0 ? { orderListId: String(w.orderListId) } : {}),
    createdAt,
    updatedAt,
  };
}

// {"price":"23416.10000000","qty":"0.00635000","commission":"0.000000","commissionAsset":"BNB","tradeId":1650422481}
function parseOrderFill(
  f: WireOrderFill,
  w: WireOrder,
  symbol: UnifiedSymbol,
  side: Side,
  clientOrderId: string,
  timestamp: number,
): Fill {
  const price = new Decimal(f.price);
  const quantity = new Decimal(f.qty);
  return {
    exchange: EXCHANGE,
    symbol,
    tradeId: String(f.tradeId),
    orderId: String(w.orderId),
    clientOrderId,
    side,
    price,
    quantity,
    quoteQuantity: price.mul(quantity),
    fee: { asset: f.commissionAsset, amount: new Decimal(f.commission) },
    // The fills of a placement answer are what the order took from the book on arrival.
    isMaker: false,
    timestamp,
  };
}

export function isWireOrderList(w: WireOrder | WireOrderList): w is WireOrderList {
  return typeof w === 'object' && w !== null && (w as WireOrderList).contingencyType !== undefined;
}

const LIST_STATUS: Readonly<Record<string, OrderList['status']>> = {
  EXECUTING: 'executing',
  ALL_DONE: 'all_done',
  REJECT: 'rejected',
};

/** An order list (OCO) answer; its orders come from `orderReports` (placement and cancel answers). */
export function parseOrderList(w: WireOrderList, symbol: UnifiedSymbol, receivedAt: number): OrderList {
  if (!isRestOrderList(w)) throw malformedAnswer('an order list', w);
  return {
    exchange: EXCHANGE,
    symbol,
    id: String(w.orderListId),
    listClientOrderId: w.listClientOrderId,
    contingencyType: w.contingencyType === 'OTO' ? 'OTO' : 'OCO',
    status: LIST_STATUS[w.listOrderStatus] ?? 'executing',
    orders: (w.orderReports ?? []).map((report) =>
      parseOrder(report, symbol, w.transactionTime ?? receivedAt),
    ),
    transactionTime: w.transactionTime,
  };
}

/** DELETE /api/v3/openOrders: single orders and order lists, flattened to the orders canceled. */
export function parseCanceledOrders(
  w: readonly (WireOrder | WireOrderList)[],
  symbol: UnifiedSymbol,
  receivedAt: number,
): Order[] {
  if (!Array.isArray(w)) throw malformedAnswer('the canceled orders', w);
  const out: Order[] = [];
  for (const item of w) {
    if (isWireOrderList(item)) out.push(...parseOrderList(item, symbol, receivedAt).orders);
    else out.push(parseOrder(item, symbol, receivedAt));
  }
  return out;
}

// ---------------------------------------------------------------------------
// Core → Binance: the parameters of POST /api/v3/order (and the WebSocket API's order.place)

const WIRE_TYPES: Readonly<Record<OrderType, string>> = {
  limit: 'LIMIT',
  market: 'MARKET',
  limit_maker: 'LIMIT_MAKER',
  stop_loss: 'STOP_LOSS',
  stop_loss_limit: 'STOP_LOSS_LIMIT',
  take_profit: 'TAKE_PROFIT',
  take_profit_limit: 'TAKE_PROFIT_LIMIT',
};

export function wireSide(side: Side): 'BUY' | 'SELL' {
  return side === 'buy' ? 'BUY' : 'SELL';
}

/**
 * A validated order request as Binance receives it. Decimals go out in plain notation;
 * `newOrderRespType=FULL` so that every answer carries the order's state and its fills.
 */
export function newOrderParams(
  request: OrderRequest,
  nativeSymbol: string,
  clientOrderId: string,
): Record<string, string> {
  const params: Record<string, string> = {
    symbol: nativeSymbol,
    side: wireSide(request.side),
    type: WIRE_TYPES[request.type],
  };
  if (request.timeInForce) params.timeInForce = request.timeInForce;
  if (request.quantity) params.quantity = request.quantity.toString();
  if (request.quoteQuantity) params.quoteOrderQty = request.quoteQuantity.toString();
  if (request.price) params.price = request.price.toString();
  if (request.stopPrice) params.stopPrice = request.stopPrice.toString();
  params.newClientOrderId = clientOrderId;
  params.newOrderRespType = 'FULL';
  return params;
}

export interface OcoIds {
  readonly listClientOrderId: string;
  readonly aboveClientOrderId: string;
  readonly belowClientOrderId: string;
}

/**
 * A core OCO (a limit leg at `price`, a stop leg at `stopPrice`) as POST /api/v3/orderList/oco
 * (rest-api.md "New Order list - OCO"): for a sell the limit leg is above the market and the stop
 * below; for a buy the other way round. The limit leg is LIMIT_MAKER; the stop leg STOP_LOSS_LIMIT
 * when `stopLimitPrice` is given, else STOP_LOSS.
 */
export function newOcoParams(
  request: OcoOrderRequest,
  nativeSymbol: string,
  ids: OcoIds,
): Record<string, string> {
  const limitLeg = { type: 'LIMIT_MAKER', price: request.price.toString() };
  const stopLeg: Record<string, string> = request.stopLimitPrice
    ? {
        type: 'STOP_LOSS_LIMIT',
        stopPrice: request.stopPrice.toString(),
        price: request.stopLimitPrice.toString(),
        timeInForce: request.stopLimitTimeInForce ?? 'GTC',
      }
    : { type: 'STOP_LOSS', stopPrice: request.stopPrice.toString() };
  const [above, below] = request.side === 'sell' ? [limitLeg, stopLeg] : [stopLeg, limitLeg];
  const params: Record<string, string> = {
    symbol: nativeSymbol,
    listClientOrderId: ids.listClientOrderId,
    side: wireSide(request.side),
    quantity: request.quantity.toString(),
  };
  for (const [prefix, leg, id] of [
    ['above', above, ids.aboveClientOrderId],
    ['below', below, ids.belowClientOrderId],
  ] as const) {
    params[`${prefix}Type`] = leg.type as string;
    params[`${prefix}ClientOrderId`] = id;
    if ('price' in leg && leg.price !== undefined) params[`${prefix}Price`] = leg.price;
    if ('stopPrice' in leg && leg.stopPrice !== undefined) params[`${prefix}StopPrice`] = leg.stopPrice;
    if ('timeInForce' in leg && leg.timeInForce !== undefined)
      params[`${prefix}TimeInForce`] = leg.timeInForce;
  }
  params.newOrderRespType = 'FULL';
  return params;
}
