import type { Decimal } from './decimal';
import type { UnifiedSymbol } from './symbols';

/** The id an adapter registers under, e.g. `binance`. */
export type ExchangeId = string;

export type InstrumentStatus =
  | 'trading'
  | 'halted'
  | 'break'
  | 'end_of_day'
  | 'cancel_only'
  | 'pre_trading'
  | 'unknown';

/** A tradable market with the rules an order must follow. */
export interface Instrument {
  readonly exchange: ExchangeId;
  /** Unified symbol, e.g. `BTC/USDT`. */
  readonly symbol: UnifiedSymbol;
  /** The venue's own symbol, e.g. `BTCUSDT`. */
  readonly nativeSymbol: string;
  readonly base: string;
  readonly quote: string;
  readonly status: InstrumentStatus;
  /** True when new orders are accepted. */
  readonly active: boolean;
  /** Decimal places of the tick size (prices). */
  readonly pricePrecision: number;
  /** Decimal places of the step size (quantities). */
  readonly quantityPrecision: number;
  readonly basePrecision: number;
  readonly quotePrecision: number;
  /** Prices must be multiples of this; 0 when unconstrained. */
  readonly tickSize: Decimal;
  readonly minPrice: Decimal;
  /** 0 when unbounded. */
  readonly maxPrice: Decimal;
  /** Quantities must be multiples of this; 0 when unconstrained. */
  readonly stepSize: Decimal;
  readonly minQuantity: Decimal;
  /** 0 when unbounded. */
  readonly maxQuantity: Decimal;
  /** Market orders' quantity rules when they differ from limit orders'. */
  readonly marketStepSize?: Decimal;
  readonly marketMinQuantity?: Decimal;
  readonly marketMaxQuantity?: Decimal;
  /** price × quantity must reach this; 0 when unconstrained. */
  readonly minNotional: Decimal;
  readonly maxNotional?: Decimal;
  /** Whether min/max notional also apply to market orders (at the average price). */
  readonly applyMinNotionalToMarket: boolean;
  readonly applyMaxNotionalToMarket: boolean;
  /** Price band around the average price (PERCENT_PRICE style), when the venue has one. */
  readonly priceBand?: { readonly multiplierUp: Decimal; readonly multiplierDown: Decimal };
  readonly orderTypes: readonly OrderTypeName[];
  readonly ocoAllowed: boolean;
  readonly quoteOrderQuantityMarketAllowed: boolean;
}

/** Mirrors trading.ts OrderType, kept here to avoid a cycle. */
export type OrderTypeName =
  | 'limit'
  | 'market'
  | 'limit_maker'
  | 'stop_loss'
  | 'stop_loss_limit'
  | 'take_profit'
  | 'take_profit_limit';

/** 24-hour rolling statistics. */
export interface Ticker {
  readonly exchange: ExchangeId;
  readonly symbol: UnifiedSymbol;
  /** Event time, epoch ms. */
  readonly timestamp: number;
  /** Last traded price. */
  readonly last: Decimal;
  readonly lastQuantity?: Decimal;
  readonly open: Decimal;
  readonly high: Decimal;
  readonly low: Decimal;
  /** Absolute change over the window. */
  readonly change: Decimal;
  /** Change over the window in percent. */
  readonly changePercent: Decimal;
  readonly vwap: Decimal;
  readonly baseVolume: Decimal;
  readonly quoteVolume: Decimal;
  readonly bid?: Decimal;
  readonly bidQuantity?: Decimal;
  readonly ask?: Decimal;
  readonly askQuantity?: Decimal;
  readonly openTime: number;
  readonly closeTime: number;
  readonly firstTradeId?: string;
  readonly lastTradeId?: string;
  readonly tradeCount?: number;
}

/** The short form of the 24-hour ticker. */
export interface MiniTicker {
  readonly exchange: ExchangeId;
  readonly symbol: UnifiedSymbol;
  readonly timestamp: number;
  readonly last: Decimal;
  readonly open: Decimal;
  readonly high: Decimal;
  readonly low: Decimal;
  readonly baseVolume: Decimal;
  readonly quoteVolume: Decimal;
}

/** Best bid and ask. */
export interface BookTicker {
  readonly exchange: ExchangeId;
  readonly symbol: UnifiedSymbol;
  /** Local receive time when the venue sends none. */
  readonly timestamp: number;
  readonly updateId: string;
  readonly bid: Decimal;
  readonly bidQuantity: Decimal;
  readonly ask: Decimal;
  readonly askQuantity: Decimal;
}

export type Side = 'buy' | 'sell';

export interface Trade {
  readonly exchange: ExchangeId;
  readonly symbol: UnifiedSymbol;
  /** Venue trade id, as a string (64-bit ids must not lose precision). */
  readonly id: string;
  readonly price: Decimal;
  readonly quantity: Decimal;
  /** Trade time, epoch ms. */
  readonly timestamp: number;
  /** The taker's side. */
  readonly side: Side;
  readonly buyerIsMaker: boolean;
}

/** Trades that filled at one price from one taker order. */
export interface AggTrade {
  readonly exchange: ExchangeId;
  readonly symbol: UnifiedSymbol;
  readonly id: string;
  readonly price: Decimal;
  readonly quantity: Decimal;
  readonly firstTradeId: string;
  readonly lastTradeId: string;
  readonly timestamp: number;
  readonly side: Side;
  readonly buyerIsMaker: boolean;
}

export const KLINE_INTERVALS = [
  '1s',
  '1m',
  '3m',
  '5m',
  '15m',
  '30m',
  '1h',
  '2h',
  '4h',
  '6h',
  '8h',
  '12h',
  '1d',
  '3d',
  '1w',
  '1M',
] as const;
export type KlineInterval = (typeof KLINE_INTERVALS)[number];

export interface Kline {
  readonly exchange: ExchangeId;
  readonly symbol: UnifiedSymbol;
  readonly interval: KlineInterval;
  readonly openTime: number;
  readonly closeTime: number;
  readonly open: Decimal;
  readonly high: Decimal;
  readonly low: Decimal;
  readonly close: Decimal;
  /** Base asset volume. */
  readonly volume: Decimal;
  readonly quoteVolume: Decimal;
  readonly tradeCount: number;
  readonly takerBuyBaseVolume: Decimal;
  readonly takerBuyQuoteVolume: Decimal;
  /** False while the candle is still forming. */
  readonly closed: boolean;
}

export interface OrderBookLevel {
  readonly price: Decimal;
  readonly quantity: Decimal;
}

/** A point-in-time copy of (the top of) an order book. */
export interface OrderBookSnapshot {
  readonly exchange: ExchangeId;
  readonly symbol: UnifiedSymbol;
  /** Best first (highest price). */
  readonly bids: readonly OrderBookLevel[];
  /** Best first (lowest price). */
  readonly asks: readonly OrderBookLevel[];
  /** The venue's book sequence (Binance `lastUpdateId`). */
  readonly updateId: string;
  readonly timestamp: number;
}
