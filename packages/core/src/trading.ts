import type { Decimal, DecimalInput } from './decimal';
import type { ExchangeId, OrderTypeName, Side } from './market';
import type { UnifiedSymbol } from './symbols';

export type OrderType = OrderTypeName;
export type TimeInForce = 'GTC' | 'IOC' | 'FOK';

export type OrderStatus =
  | 'pending_new'
  | 'new'
  | 'partially_filled'
  | 'filled'
  | 'canceled'
  | 'rejected'
  | 'expired'
  | 'expired_in_match';

const TERMINAL: ReadonlySet<OrderStatus> = new Set([
  'filled',
  'canceled',
  'rejected',
  'expired',
  'expired_in_match',
]);

/** True when the order can no longer change. */
export function isTerminalStatus(status: OrderStatus): boolean {
  return TERMINAL.has(status);
}

/** A validated order intent. Build one from user input with `normalizeOrderRequest`. */
export interface OrderRequest {
  readonly symbol: UnifiedSymbol;
  readonly side: Side;
  readonly type: OrderType;
  /** Base quantity. Market orders need this or `quoteQuantity`. */
  readonly quantity?: Decimal;
  /** Quote amount to spend (buy) or receive (sell), market orders only. */
  readonly quoteQuantity?: Decimal;
  readonly price?: Decimal;
  readonly stopPrice?: Decimal;
  readonly timeInForce?: TimeInForce;
  /** Assigned by venuekit before sending when absent. */
  readonly clientOrderId?: string;
}

/** What users pass: decimals as strings or Decimals, sides and types in either case. */
export interface OrderRequestInput {
  symbol: string;
  side: Side | 'BUY' | 'SELL';
  type: OrderType | Uppercase<OrderType>;
  quantity?: DecimalInput;
  quoteQuantity?: DecimalInput;
  price?: DecimalInput;
  stopPrice?: DecimalInput;
  timeInForce?: TimeInForce;
  clientOrderId?: string;
}

export interface Fee {
  readonly asset: string;
  readonly amount: Decimal;
}

export interface Order {
  readonly exchange: ExchangeId;
  readonly symbol: UnifiedSymbol;
  /** Venue order id, as a string. */
  readonly id: string;
  readonly clientOrderId: string;
  readonly side: Side;
  readonly type: OrderType;
  readonly timeInForce?: TimeInForce;
  readonly status: OrderStatus;
  readonly price?: Decimal;
  readonly stopPrice?: Decimal;
  /** Ordered base quantity (0 for a market order by quote amount until it fills). */
  readonly quantity: Decimal;
  readonly quoteQuantity?: Decimal;
  readonly filledQuantity: Decimal;
  /** Quote amount filled so far. */
  readonly filledQuoteQuantity: Decimal;
  /** filledQuoteQuantity / filledQuantity, when anything filled. */
  readonly averagePrice?: Decimal;
  /** Fees charged so far, one entry per asset. Empty when the venue response did not include fills. */
  readonly fees: readonly Fee[];
  /** Fills known from the placement response, when the venue returned them. */
  readonly fills?: readonly Fill[];
  readonly orderListId?: string;
  /**
   * When the venue created the order (ms). An answer that does not carry it (Binance's cancel
   * answer) gives the time of that answer instead; @venuekit/trading's sessions keep the earlier
   * creation time they already know.
   */
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface Fill {
  readonly exchange: ExchangeId;
  readonly symbol: UnifiedSymbol;
  readonly tradeId: string;
  readonly orderId: string;
  readonly clientOrderId?: string;
  readonly side: Side;
  readonly price: Decimal;
  readonly quantity: Decimal;
  readonly quoteQuantity: Decimal;
  readonly fee: Fee;
  readonly isMaker: boolean;
  readonly timestamp: number;
}

export interface Balance {
  readonly asset: string;
  readonly free: Decimal;
  readonly locked: Decimal;
  /** free + locked */
  readonly total: Decimal;
}

/** Names an existing order: by venue id, by client order id, or both. */
export interface OrderRef {
  readonly symbol: UnifiedSymbol;
  readonly orderId?: string;
  readonly clientOrderId?: string;
}

export interface HistoryQuery {
  /** Epoch ms, inclusive. */
  readonly since?: number;
  /** Epoch ms, inclusive. */
  readonly until?: number;
  readonly limit?: number;
}

/** A one-cancels-the-other pair: a limit order above or below, and a stop below or above. */
export interface OcoOrderRequest {
  readonly symbol: UnifiedSymbol;
  readonly side: Side;
  readonly quantity: Decimal;
  /** The limit (take-profit side) leg's price. */
  readonly price: Decimal;
  /** The stop leg's trigger price. */
  readonly stopPrice: Decimal;
  /** The stop leg's limit price; when absent the stop leg is a market stop. */
  readonly stopLimitPrice?: Decimal;
  readonly stopLimitTimeInForce?: TimeInForce;
  readonly listClientOrderId?: string;
}

export interface OrderList {
  readonly exchange: ExchangeId;
  readonly symbol: UnifiedSymbol;
  readonly id: string;
  readonly listClientOrderId: string;
  readonly contingencyType: 'OCO' | 'OTO';
  readonly status: 'executing' | 'all_done' | 'rejected';
  readonly orders: readonly Order[];
  readonly transactionTime: number;
}
