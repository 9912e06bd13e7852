import type {
  AllOrdersQuery,
  CancelOrderListRequest,
  CancelOrderRequest,
  CancelRestrictions,
  EngineOrderType,
  EngineTimeInForce,
  MyTradesQuery,
  NewOcoRequest,
  NewOrderRequest,
  OcoLegType,
  OrderResponseType,
  OrderSide,
  QueryOrderRequest,
} from '../engine/types';
import { Errors } from './api-error';
import type { RequestParams } from './params';

const SIDES: readonly OrderSide[] = ['BUY', 'SELL'];
const TYPES: readonly EngineOrderType[] = [
  'LIMIT',
  'MARKET',
  'STOP_LOSS',
  'STOP_LOSS_LIMIT',
  'TAKE_PROFIT',
  'TAKE_PROFIT_LIMIT',
  'LIMIT_MAKER',
];
const TIFS: readonly EngineTimeInForce[] = ['GTC', 'IOC', 'FOK'];
const RESPONSE_TYPES: readonly OrderResponseType[] = ['ACK', 'RESULT', 'FULL'];
const OCO_LEG_TYPES: readonly OcoLegType[] = [
  'STOP_LOSS',
  'STOP_LOSS_LIMIT',
  'TAKE_PROFIT',
  'TAKE_PROFIT_LIMIT',
  'LIMIT_MAKER',
];
const STP_MODES = ['NONE', 'EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH', 'DECREMENT', 'TRANSFER'] as const;
const CANCEL_RESTRICTIONS: readonly CancelRestrictions[] = ['ONLY_NEW', 'ONLY_PARTIALLY_FILLED'];

/** The parameters of `POST /api/v3/order`, `order/test` and `order.place` (rest-api.md "New order"). */
export function parseNewOrder(params: RequestParams): NewOrderRequest {
  const symbol = params.symbol();
  const side = params.enum('side', SIDES, Errors.invalidSide);
  const type = params.enum('type', TYPES, Errors.invalidOrderType);
  const timeInForce = params.optionalEnum('timeInForce', TIFS, Errors.invalidTif);
  const quantity = params.optionalDecimal('quantity');
  const quoteOrderQty = params.optionalDecimal('quoteOrderQty');
  const price = params.optionalDecimal('price');
  const stopPrice = params.optionalDecimal('stopPrice');
  const icebergQty = params.optionalDecimal('icebergQty');
  const trailingDelta = params.optionalLong('trailingDelta');
  const newClientOrderId = params.optionalClientOrderId('newClientOrderId', Errors.emptyNewClientOrderId);
  const newOrderRespType = params.optionalEnum('newOrderRespType', RESPONSE_TYPES);
  readStrategy(params, 'strategyId', 'strategyType');
  // Only NONE is offered by the fake's symbols (allowedSelfTradePreventionModes: ["NONE"]).
  const stp = params.optionalEnum('selfTradePreventionMode', STP_MODES);
  if (stp !== undefined && stp !== 'NONE') throw Errors.invalidParameter('selfTradePreventionMode');
  return {
    symbol,
    side,
    type,
    ...(timeInForce !== undefined && { timeInForce }),
    ...(quantity !== undefined && { quantity }),
    ...(quoteOrderQty !== undefined && { quoteOrderQty }),
    ...(price !== undefined && { price }),
    ...(stopPrice !== undefined && { stopPrice }),
    ...(icebergQty !== undefined && { icebergQty }),
    ...(trailingDelta !== undefined && { trailingDelta }),
    ...(newClientOrderId !== undefined && { newClientOrderId }),
    ...(newOrderRespType !== undefined && { newOrderRespType }),
  };
}

/** Read and checked like Binance, but not stored: the fake's orders carry no strategy. */
function readStrategy(params: RequestParams, idName: string, typeName: string): void {
  params.optionalLong(idName);
  const strategyType = params.optionalLong(typeName);
  if (strategyType !== undefined && strategyType < 1_000_000) throw Errors.badStrategyType();
}

/** An order reference: `orderId` or `origClientOrderId` (at least one). */
function readOrderRef(params: RequestParams): { orderId?: number; origClientOrderId?: string } {
  const orderId = params.optionalLong('orderId');
  const origClientOrderId = params.optionalClientOrderId('origClientOrderId', Errors.emptyOrigClientOrderId);
  if (orderId === undefined && origClientOrderId === undefined) {
    throw Errors.eitherMandatory('orderId', 'origClientOrderId');
  }
  return {
    ...(orderId !== undefined && { orderId }),
    ...(origClientOrderId !== undefined && { origClientOrderId }),
  };
}

export function parseCancelOrder(params: RequestParams): CancelOrderRequest {
  const symbol = params.symbol();
  const ref = readOrderRef(params);
  const newClientOrderId = params.optionalClientOrderId('newClientOrderId', Errors.emptyNewClientOrderId);
  const cancelRestrictions = params.optionalEnum(
    'cancelRestrictions',
    CANCEL_RESTRICTIONS,
    Errors.invalidCancelRestrictions,
  );
  return {
    symbol,
    ...ref,
    ...(newClientOrderId !== undefined && { newClientOrderId }),
    ...(cancelRestrictions !== undefined && { cancelRestrictions }),
  };
}

export function parseQueryOrder(params: RequestParams): QueryOrderRequest {
  const symbol = params.symbol();
  return { symbol, ...readOrderRef(params) };
}

function readTimeRange(params: RequestParams): { startTime?: number; endTime?: number } {
  const startTime = params.optionalLong('startTime');
  const endTime = params.optionalLong('endTime');
  if (startTime !== undefined && endTime !== undefined) {
    if (endTime < startTime) throw Errors.invalidParameter('endTime');
  }
  return {
    ...(startTime !== undefined && { startTime }),
    ...(endTime !== undefined && { endTime }),
  };
}

export function parseAllOrders(params: RequestParams): AllOrdersQuery {
  const symbol = params.symbol();
  const orderId = params.optionalLong('orderId');
  const range = readTimeRange(params);
  if (
    range.startTime !== undefined &&
    range.endTime !== undefined &&
    range.endTime - range.startTime > 86_400_000
  ) {
    throw Errors.moreThanHours(24);
  }
  const limit = params.limit('limit', 500, 1000);
  return { symbol, ...(orderId !== undefined && { orderId }), ...range, limit };
}

export function parseMyTrades(params: RequestParams): MyTradesQuery {
  const symbol = params.symbol();
  const orderId = params.optionalLong('orderId');
  const fromId = params.optionalLong('fromId');
  const range = readTimeRange(params);
  const limit = params.limit('limit', 500, 1000);
  return {
    symbol,
    ...(orderId !== undefined && { orderId }),
    ...(fromId !== undefined && { fromId }),
    ...range,
    limit,
  };
}

/** `POST /api/v3/orderList/oco` (rest-api.md "New Order list - OCO"). */
export function parseNewOco(params: RequestParams): NewOcoRequest {
  const symbol = params.symbol();
  const listClientOrderId = params.optionalClientOrderId('listClientOrderId', Errors.emptyNewClientOrderId);
  const side = params.enum('side', SIDES, Errors.invalidSide);
  const quantity = params.decimal('quantity');
  const leg = (prefix: 'above' | 'below') => {
    const type = params.enum(`${prefix}Type`, OCO_LEG_TYPES, Errors.invalidOrderType);
    const clientOrderId = params.optionalClientOrderId(
      `${prefix}ClientOrderId`,
      Errors.emptyNewClientOrderId,
    );
    const price = params.optionalDecimal(`${prefix}Price`);
    const stopPrice = params.optionalDecimal(`${prefix}StopPrice`);
    const timeInForce = params.optionalEnum(`${prefix}TimeInForce`, TIFS, Errors.invalidTif);
    readStrategy(params, `${prefix}StrategyId`, `${prefix}StrategyType`);
    return { type, clientOrderId, price, stopPrice, timeInForce };
  };
  const above = leg('above');
  const below = leg('below');
  const newOrderRespType = params.optionalEnum('newOrderRespType', RESPONSE_TYPES);
  const stp = params.optionalEnum('selfTradePreventionMode', STP_MODES);
  if (stp !== undefined && stp !== 'NONE') throw Errors.invalidParameter('selfTradePreventionMode');
  return {
    symbol,
    side,
    quantity,
    ...(listClientOrderId !== undefined && { listClientOrderId }),
    aboveType: above.type,
    ...(above.clientOrderId !== undefined && { aboveClientOrderId: above.clientOrderId }),
    ...(above.price !== undefined && { abovePrice: above.price }),
    ...(above.stopPrice !== undefined && { aboveStopPrice: above.stopPrice }),
    ...(above.timeInForce !== undefined && { aboveTimeInForce: above.timeInForce }),
    belowType: below.type,
    ...(below.clientOrderId !== undefined && { belowClientOrderId: below.clientOrderId }),
    ...(below.price !== undefined && { belowPrice: below.price }),
    ...(below.stopPrice !== undefined && { belowStopPrice: below.stopPrice }),
    ...(below.timeInForce !== undefined && { belowTimeInForce: below.timeInForce }),
    ...(newOrderRespType !== undefined && { newOrderRespType }),
  };
}

export function parseCancelOrderList(params: RequestParams): CancelOrderListRequest {
  const symbol = params.symbol();
  const orderListId = params.optionalLong('orderListId');
  const listClientOrderId = params.optionalClientOrderId('listClientOrderId', Errors.emptyOrigClientOrderId);
  if (orderListId === undefined && listClientOrderId === undefined) {
    throw Errors.eitherMandatory('orderListId', 'listClientOrderId');
  }
  const newClientOrderId = params.optionalClientOrderId('newClientOrderId', Errors.emptyNewClientOrderId);
  return {
    symbol,
    ...(orderListId !== undefined && { orderListId }),
    ...(listClientOrderId !== undefined && { listClientOrderId }),
    ...(newClientOrderId !== undefined && { newClientOrderId }),
  };
}
