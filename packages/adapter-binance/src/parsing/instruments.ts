import {
  Decimal,
  formatSymbol,
  type Instrument,
  type InstrumentStatus,
  type OrderTypeName,
} from '@venuekit/core';
import { EXCHANGE } from './market-data';
import { isRestExchangeInfo, malformedAnswer } from './wire-checks';

/**
 * GET /api/v3/exchangeInfo (rest-api.md) and its filters (filters.md) → core
 * Instruments. Filters a symbol does not have leave their rule unconstrained (0).
 */

export interface WireRateLimit {
  readonly rateLimitType: 'REQUEST_WEIGHT' | 'ORDERS' | 'RAW_REQUESTS' | 'CONNECTIONS' | string;
  readonly interval: 'SECOND' | 'MINUTE' | 'HOUR' | 'DAY' | string;
  readonly intervalNum: number;
  readonly limit: number;
}

export interface WireFilter {
  readonly filterType: string;
  readonly [field: string]: unknown;
}

export interface WireSymbolInfo {
  readonly symbol: string;
  readonly status: string;
  readonly baseAsset: string;
  readonly baseAssetPrecision: number;
  readonly quoteAsset: string;
  readonly quotePrecision?: number;
  readonly quoteAssetPrecision: number;
  readonly baseCommissionPrecision?: number;
  readonly quoteCommissionPrecision?: number;
  readonly orderTypes: readonly string[];
  readonly icebergAllowed?: boolean;
  readonly ocoAllowed?: boolean;
  readonly quoteOrderQtyMarketAllowed?: boolean;
  readonly allowTrailingStop?: boolean;
  readonly cancelReplaceAllowed?: boolean;
  readonly isSpotTradingAllowed?: boolean;
  readonly isMarginTradingAllowed?: boolean;
  readonly filters: readonly WireFilter[];
  readonly permissions?: readonly string[];
  readonly permissionSets?: readonly (readonly string[])[];
  readonly defaultSelfTradePreventionMode?: string;
  readonly allowedSelfTradePreventionModes?: readonly string[];
}

export interface WireExchangeInfo {
  readonly timezone: string;
  readonly serverTime: number;
  readonly rateLimits: readonly WireRateLimit[];
  readonly exchangeFilters: readonly WireFilter[];
  readonly symbols: readonly WireSymbolInfo[];
}

const STATUS: Readonly<Record<string, InstrumentStatus>> = {
  TRADING: 'trading',
  HALT: 'halted',
  BREAK: 'break',
  END_OF_DAY: 'end_of_day',
  CANCEL_ONLY: 'cancel_only',
  PRE_TRADING: 'pre_trading',
};

const ORDER_TYPES: Readonly<Record<string, OrderTypeName>> = {
  LIMIT: 'limit',
  MARKET: 'market',
  LIMIT_MAKER: 'limit_maker',
  STOP_LOSS: 'stop_loss',
  STOP_LOSS_LIMIT: 'stop_loss_limit',
  TAKE_PROFIT: 'take_profit',
  TAKE_PROFIT_LIMIT: 'take_profit_limit',
};

const ZERO = new Decimal(0);

function dec(value: unknown): Decimal {
  return typeof value === 'string' && value !== '' ? new Decimal(value) : ZERO;
}

/** Decimal places a step needs: `0.01000000` → 2, `1.00000000` → 0, `0` → 0. */
export function decimalPlaces(step: Decimal): number {
  return step.isZero() ? 0 : step.decimalPlaces();
}

export function parseSymbolInfo(w: WireSymbolInfo): Instrument {
  const filters = new Map<string, WireFilter>();
  for (const filter of w.filters ?? []) filters.set(filter.filterType, filter);
  const price = filters.get('PRICE_FILTER');
  const lot = filters.get('LOT_SIZE');
  const marketLot = filters.get('MARKET_LOT_SIZE');
  const notional = filters.get('NOTIONAL');
  const minNotional = filters.get('MIN_NOTIONAL');
  const percent = filters.get('PERCENT_PRICE');
  const bySide = filters.get('PERCENT_PRICE_BY_SIDE');

  const tickSize = dec(price?.tickSize);
  const stepSize = dec(lot?.stepSize);
  const status = STATUS[w.status] ?? 'unknown';

  let priceBand: Instrument['priceBand'];
  if (percent) {
    priceBand = { multiplierUp: dec(percent.multiplierUp), multiplierDown: dec(percent.multiplierDown) };
  } else if (bySide) {
    // Core has one band for both sides: take the widest, so a local check never refuses what Binance accepts.
    const up = Decimal.max(dec(bySide.bidMultiplierUp), dec(bySide.askMultiplierUp));
    const down = Decimal.min(dec(bySide.bidMultiplierDown), dec(bySide.askMultiplierDown));
    priceBand = { multiplierUp: up, multiplierDown: down };
  }

  // NOTIONAL replaced MIN_NOTIONAL; a symbol may carry either.
  const minNotionalValue = notional ? dec(notional.minNotional) : dec(minNotional?.minNotional);
  const maxNotional =
    notional && typeof notional.maxNotional === 'string' ? dec(notional.maxNotional) : undefined;
  const applyMin = notional ? notional.applyMinToMarket === true : minNotional?.applyToMarket === true;
  const applyMax = notional ? notional.applyMaxToMarket === true : false;

  const orderTypes: OrderTypeName[] = [];
  for (const type of w.orderTypes ?? []) {
    const name = ORDER_TYPES[type];
    if (name) orderTypes.push(name);
  }

  return {
    exchange: EXCHANGE,
    symbol: formatSymbol(w.baseAsset, w.quoteAsset),
    nativeSymbol: w.symbol,
    base: w.baseAsset,
    quote: w.quoteAsset,
    status,
    active: status === 'trading' && w.isSpotTradingAllowed !== false,
    pricePrecision: decimalPlaces(tickSize),
    quantityPrecision: decimalPlaces(stepSize),
    basePrecision: w.baseAssetPrecision,
    quotePrecision: w.quoteAssetPrecision ?? w.quotePrecision ?? 8,
    tickSize,
    minPrice: dec(price?.minPrice),
    maxPrice: dec(price?.maxPrice),
    stepSize,
    minQuantity: dec(lot?.minQty),
    maxQuantity: dec(lot?.maxQty),
    ...(marketLot
      ? {
          marketStepSize: dec(marketLot.stepSize),
          marketMinQuantity: dec(marketLot.minQty),
          marketMaxQuantity: dec(marketLot.maxQty),
        }
      : {}),
    minNotional: minNotionalValue,
    ...(maxNotional === undefined ? {} : { maxNotional }),
    applyMinNotionalToMarket: applyMin,
    applyMaxNotionalToMarket: applyMax,
    ...(priceBand ? { priceBand } : {}),
    orderTypes,
    ocoAllowed: w.ocoAllowed === true,
    quoteOrderQuantityMarketAllowed: w.quoteOrderQtyMarketAllowed === true,
  };
}

export interface ParsedExchangeInfo {
  readonly serverTime: number;
  readonly instruments: Instrument[];
  readonly rateLimits: readonly WireRateLimit[];
}

/** Throws a typed EXCHANGE_ERROR for an answer without the documented shape (see wire-checks). */
export function parseExchangeInfo(w: WireExchangeInfo): ParsedExchangeInfo {
  if (!isRestExchangeInfo(w)) throw malformedAnswer('GET /api/v3/exchangeInfo', w);
  return {
    serverTime: w.serverTime,
    instruments: w.symbols.map(parseSymbolInfo),
    rateLimits: w.rateLimits,
  };
}
