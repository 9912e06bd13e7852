/** Engine objects ↔ core's domain types, and Binance rejections → core's errors. */
import {
  AuthenticationError,
  Decimal,
  type ExchangeId,
  type Fee,
  type Fill,
  InsufficientFundsError,
  type Instrument,
  type InstrumentStatus,
  InternalError,
  isVenuekitError,
  MarketClosedError,
  type Order,
  type OrderList,
  OrderNotFoundError,
  type OrderStatus,
  type OrderType,
  PermissionError,
  type Side,
  type UnifiedSymbol,
  ValidationError,
  type VenuekitError,
} from '@venuekit/core';
import { BinanceRejection, RejectMessage } from '../engine/errors';
import type {
  AccountTrade,
  EngineOrderType,
  OrderFill,
  OrderListView,
  OrderView,
  SymbolFilter,
  SymbolInfo,
} from '../engine/types';

/** Unified `BTC/USDT` ↔ native `BTCUSDT`, from the engine's listed symbols. */
export class SymbolMap {
  readonly #toNative = new Map<UnifiedSymbol, SymbolInfo>();
  readonly #toUnified = new Map<string, UnifiedSymbol>();

  constructor(symbols: readonly SymbolInfo[]) {
    for (const info of symbols) this.add(info);
  }

  add(info: SymbolInfo): void {
    const unified = `${info.baseAsset}/${info.quoteAsset}`;
    this.#toNative.set(unified, info);
    this.#toUnified.set(info.symbol, unified);
  }

  /** The listed market for a unified symbol, or a ValidationError (UNKNOWN_SYMBOL). */
  info(symbol: UnifiedSymbol, field = 'symbol'): SymbolInfo {
    const info = typeof symbol === 'string' ? this.#toNative.get(symbol.toUpperCase()) : undefined;
    if (!info) {
      throw new ValidationError('UNKNOWN_SYMBOL', {
        field,
        rule: 'must be a market the exchange lists',
        message: `${field} ${JSON.stringify(String(symbol).slice(0, 40))} is not listed on this exchange`,
      });
    }
    return info;
  }

  unified(native: string): UnifiedSymbol {
    return this.#toUnified.get(native) ?? native;
  }

  list(): SymbolInfo[] {
    return [...this.#toNative.values()];
  }
}

function decimalPlaces(value: Decimal): number {
  return value.isZero() ? 0 : value.decimalPlaces();
}

const STATUS: Record<SymbolInfo['status'], InstrumentStatus> = {
  TRADING: 'trading',
  HALT: 'halted',
  BREAK: 'break',
  END_OF_DAY: 'end_of_day',
  CANCEL_ONLY: 'cancel_only',
};

export function toInstrument(exchange: ExchangeId, info: SymbolInfo): Instrument {
  const find = <T extends SymbolFilter['filterType']>(type: T) =>
    info.filters.find(
      (filter): filter is Extract<SymbolFilter, { filterType: T }> => filter.filterType === type,
    );
  const price = find('PRICE_FILTER');
  const lot = find('LOT_SIZE');
  const marketLot = find('MARKET_LOT_SIZE');
  const notional = find('NOTIONAL');
  const minNotional = find('MIN_NOTIONAL');
  const bySide = find('PERCENT_PRICE_BY_SIDE');
  const percent = find('PERCENT_PRICE');
  const tickSize = new Decimal(price?.tickSize ?? 0);
  const stepSize = new Decimal(lot?.stepSize ?? 0);
  return {
    exchange,
    symbol: `${info.baseAsset}/${info.quoteAsset}`,
    nativeSymbol: info.symbol,
    base: info.baseAsset,
    quote: info.quoteAsset,
    status: STATUS[info.status],
    active: info.status === 'TRADING',
    pricePrecision: tickSize.isZero() ? info.quoteAssetPrecision : decimalPlaces(tickSize),
    quantityPrecision: stepSize.isZero() ? info.baseAssetPrecision : decimalPlaces(stepSize),
    basePrecision: info.baseAssetPrecision,
    quotePrecision: info.quoteAssetPrecision,
    tickSize,
    minPrice: new Decimal(price?.minPrice ?? 0),
    maxPrice: new Decimal(price?.maxPrice ?? 0),
    stepSize,
    minQuantity: new Decimal(lot?.minQty ?? 0),
    maxQuantity: new Decimal(lot?.maxQty ?? 0),
    ...(marketLot
      ? {
          marketStepSize: new Decimal(marketLot.stepSize),
          marketMinQuantity: new Decimal(marketLot.minQty),
          marketMaxQuantity: new Decimal(marketLot.maxQty),
        }
      : {}),
    minNotional: new Decimal(notional?.minNotional ?? minNotional?.minNotional ?? 0),
    ...(notional ? { maxNotional: new Decimal(notional.maxNotional) } : {}),
    applyMinNotionalToMarket: notional?.applyMinToMarket ?? minNotional?.applyToMarket ?? false,
    applyMaxNotionalToMarket: notional?.applyMaxToMarket ?? false,
    ...(bySide
      ? {
          priceBand: {
            multiplierUp: new Decimal(bySide.bidMultiplierUp),
            multiplierDown: new Decimal(bySide.askMultiplierDown),
          },
        }
      : percent
        ? {
            priceBand: {
              multiplierUp: new Decimal(percent.multiplierUp),
              multiplierDown: new Decimal(percent.multiplierDown),
            },
          }
        : {}),
    orderTypes: info.orderTypes.map((type) => type.toLowerCase() as OrderType),
    ocoAllowed: info.ocoAllowed,
    quoteOrderQuantityMarketAllowed: info.quoteOrderQtyMarketAllowed,
  };
}

const STATUSES: Record<OrderView['status'], OrderStatus> = {
  NEW: 'new',
  PENDING_NEW: 'pending_new',
  PARTIALLY_FILLED: 'partially_filled',
  FILLED: 'filled',
  CANCELED: 'canceled',
  REJECTED: 'rejected',
  EXPIRED: 'expired',
  EXPIRED_IN_MATCH: 'expired_in_match',
};

const HAS_PRICE: ReadonlySet<EngineOrderType> = new Set([
  'LIMIT',
  'LIMIT_MAKER',
  'STOP_LOSS_LIMIT',
  'TAKE_PROFIT_LIMIT',
]);
const HAS_STOP: ReadonlySet<EngineOrderType> = new Set([
  'STOP_LOSS',
  'STOP_LOSS_LIMIT',
  'TAKE_PROFIT',
  'TAKE_PROFIT_LIMIT',
]);
const HAS_TIF: ReadonlySet<EngineOrderType> = new Set(['LIMIT', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT_LIMIT']);

export function side(value: 'BUY' | 'SELL'): Side {
  return value === 'BUY' ? 'buy' : 'sell';
}

/** Fees per asset, summed over fills. */
export function feesOf(fills: readonly { readonly fee: Fee }[]): Fee[] {
  const sums = new Map<string, Decimal>();
  for (const { fee } of fills) sums.set(fee.asset, (sums.get(fee.asset) ?? new Decimal(0)).plus(fee.amount));
  return [...sums].map(([asset, amount]) => ({ asset, amount }));
}

export function toOrder(
  exchange: ExchangeId,
  symbol: UnifiedSymbol,
  view: OrderView,
  fills: readonly Fill[] | undefined,
  fees: readonly Fee[],
): Order {
  const filled = view.executedQty;
  return {
    exchange,
    symbol,
    id: String(view.orderId),
    clientOrderId: view.clientOrderId,
    side: side(view.side),
    type: view.type.toLowerCase() as OrderType,
    ...(HAS_TIF.has(view.type) ? { timeInForce: view.timeInForce } : {}),
    status: STATUSES[view.status],
    ...(HAS_PRICE.has(view.type) ? { price: view.price } : {}),
    ...(HAS_STOP.has(view.type) ? { stopPrice: view.stopPrice } : {}),
    quantity: view.origQty,
    ...(view.origQuoteOrderQty.gt(0) ? { quoteQuantity: view.origQuoteOrderQty } : {}),
    filledQuantity: filled,
    filledQuoteQuantity: view.cummulativeQuoteQty,
    ...(filled.gt(0) ? { averagePrice: view.cummulativeQuoteQty.div(filled) } : {}),
    fees,
    ...(fills ? { fills } : {}),
    ...(view.orderListId >= 0 ? { orderListId: String(view.orderListId) } : {}),
    createdAt: view.time,
    updatedAt: view.updateTime,
  };
}

/** A fill of the placement response (the order was the taker). */
export function placementFill(
  exchange: ExchangeId,
  symbol: UnifiedSymbol,
  view: OrderView,
  fill: OrderFill,
  timestamp: number,
): Fill {
  return {
    exchange,
    symbol,
    tradeId: String(fill.tradeId),
    orderId: String(view.orderId),
    clientOrderId: view.clientOrderId,
    side: side(view.side),
    price: fill.price,
    quantity: fill.qty,
    quoteQuantity: fill.price.times(fill.qty),
    fee: { asset: fill.commissionAsset, amount: fill.commission },
    isMaker: false,
    timestamp,
  };
}

export function accountFill(
  exchange: ExchangeId,
  symbol: UnifiedSymbol,
  trade: AccountTrade,
  clientOrderId: string | undefined,
): Fill {
  return {
    exchange,
    symbol,
    tradeId: String(trade.id),
    orderId: String(trade.orderId),
    ...(clientOrderId === undefined ? {} : { clientOrderId }),
    side: trade.isBuyer ? 'buy' : 'sell',
    price: trade.price,
    quantity: trade.qty,
    quoteQuantity: trade.quoteQty,
    fee: { asset: trade.commissionAsset, amount: trade.commission },
    isMaker: trade.isMaker,
    timestamp: trade.time,
  };
}

export function toOrderList(
  exchange: ExchangeId,
  symbol: UnifiedSymbol,
  list: OrderListView,
  orders: Order[],
): OrderList {
  return {
    exchange,
    symbol,
    id: String(list.orderListId),
    listClientOrderId: list.listClientOrderId,
    contingencyType: list.contingencyType,
    status:
      list.listOrderStatus === 'EXECUTING'
        ? 'executing'
        : list.listOrderStatus === 'ALL_DONE'
          ? 'all_done'
          : 'rejected',
    orders,
    transactionTime: list.transactionTime,
  };
}

const FILTER_FIELDS: Record<string, string> = {
  PRICE_FILTER: 'price',
  PERCENT_PRICE: 'price',
  PERCENT_PRICE_BY_SIDE: 'price',
  LOT_SIZE: 'quantity',
  MARKET_LOT_SIZE: 'quantity',
  NOTIONAL: 'quantity',
  MIN_NOTIONAL: 'quantity',
  MAX_NUM_ORDERS: 'symbol',
  MAX_NUM_ALGO_ORDERS: 'symbol',
  MAX_NUM_ORDER_LISTS: 'symbol',
};

const FILTER_RULES: Record<string, string> = {
  PRICE_FILTER: 'must be within minPrice..maxPrice and a multiple of tickSize (PRICE_FILTER)',
  PERCENT_PRICE: 'must be within the percent band around the average price (PERCENT_PRICE)',
  PERCENT_PRICE_BY_SIDE: 'must be within the percent band around the average price (PERCENT_PRICE_BY_SIDE)',
  LOT_SIZE: 'must be within minQty..maxQty and a multiple of stepSize (LOT_SIZE)',
  MARKET_LOT_SIZE: 'must be within the market order quantity limits (MARKET_LOT_SIZE)',
  NOTIONAL: 'price × quantity must be within minNotional..maxNotional (NOTIONAL)',
  MIN_NOTIONAL: 'price × quantity must reach minNotional (MIN_NOTIONAL)',
  MAX_NUM_ORDERS: 'has too many open orders (MAX_NUM_ORDERS)',
  MAX_NUM_ALGO_ORDERS: 'has too many open stop orders (MAX_NUM_ALGO_ORDERS)',
  MAX_NUM_ORDER_LISTS: 'has too many open order lists (MAX_NUM_ORDER_LISTS)',
};

/** A Binance rejection as the error a venuekit caller expects; anything else as an InternalError. */
export function toVenueError(
  error: unknown,
  context: Record<string, string | undefined> = {},
): VenuekitError {
  if (!(error instanceof BinanceRejection)) {
    if (isVenuekitError(error)) return error;
    return new InternalError({
      message: error instanceof Error ? error.message : String(error),
      cause: error,
    });
  }
  const venue = {
    code: error.code,
    status: error.httpStatus,
    message: error.msg,
    body: JSON.stringify(error),
  };
  const options = { venue, context, cause: error };
  const { code, msg } = error;
  if (code === -1013) {
    const filter = msg.startsWith('Filter failure: ') ? msg.slice('Filter failure: '.length) : '';
    return new ValidationError('FILTER_VIOLATION', {
      ...options,
      field: FILTER_FIELDS[filter] ?? 'order',
      rule: FILTER_RULES[filter] ?? msg,
      message: `${msg}: ${FILTER_FIELDS[filter] ?? 'order'} ${FILTER_RULES[filter] ?? ''}`.trim(),
    });
  }
  if (code === -2010 || code === -2011) {
    if (msg === RejectMessage.INSUFFICIENT_BALANCE)
      return new InsufficientFundsError({ ...options, message: msg });
    if (msg === RejectMessage.MARKET_CLOSED) return new MarketClosedError({ ...options, message: msg });
    if (msg === RejectMessage.UNKNOWN_ORDER) return new OrderNotFoundError({ ...options, message: msg });
    if (msg === RejectMessage.ACCOUNT_CANNOT_TRADE) return new PermissionError({ ...options, message: msg });
    if (msg === RejectMessage.DUPLICATE_ORDER) {
      return new ValidationError('DUPLICATE_ORDER', {
        ...options,
        field: 'clientOrderId',
        rule: 'must not be the id of an open order',
        message: msg,
      });
    }
    return new ValidationError('ORDER_REJECTED', {
      ...options,
      field: fieldOf(msg),
      rule: msg,
      message: msg,
    });
  }
  if (code === -2013) return new OrderNotFoundError({ ...options, message: msg });
  if (code === -2015 || code === -2014) return new AuthenticationError({ ...options, message: msg });
  if (code === -1022) return new AuthenticationError({ ...options, code: 'INVALID_SIGNATURE', message: msg });
  if (code === -1121) {
    return new ValidationError('UNKNOWN_SYMBOL', {
      ...options,
      field: 'symbol',
      rule: 'must be a listed market',
      message: msg,
    });
  }
  if (code === -1102 || code === -1105) {
    return new ValidationError('MISSING_PARAMETER', {
      ...options,
      field: quoted(msg) ?? 'order',
      rule: msg,
      message: msg,
    });
  }
  if (code <= -1100 && code > -1200) {
    return new ValidationError('INVALID_PARAMETER', {
      ...options,
      field: quoted(msg) ?? 'order',
      rule: msg,
      message: msg,
    });
  }
  return new InternalError({ ...options, message: `${code}: ${msg}` });
}

function quoted(msg: string): string | undefined {
  return /'([^']+)'/.exec(msg)?.[1];
}

function fieldOf(msg: string): string {
  if (msg === RejectMessage.WOULD_TRIGGER_IMMEDIATELY) return 'stopPrice';
  if (msg === RejectMessage.WOULD_MATCH || msg === RejectMessage.OCO_BAD_PRICES) return 'price';
  if (msg.startsWith('Order book liquidity')) return 'quoteQuantity';
  return 'type';
}
