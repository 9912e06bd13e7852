import { Decimal } from '@venuekit/core';
import { ZERO } from './book';
import { reject } from './errors';
import type { EngineOrderType, OrderSide, SymbolFilter } from './types';

interface Range {
  readonly min: Decimal;
  readonly max: Decimal;
  readonly step: Decimal;
}

/** A symbol's filters parsed once into Decimals. */
export interface SymbolRules {
  readonly price?: Range;
  readonly lot?: Range;
  readonly marketLot?: Range;
  readonly notional?: {
    readonly min: Decimal;
    readonly applyMinToMarket: boolean;
    readonly max: Decimal;
    readonly applyMaxToMarket: boolean;
    readonly avgPriceMins: number;
  };
  readonly minNotional?: {
    readonly min: Decimal;
    readonly applyToMarket: boolean;
    readonly avgPriceMins: number;
  };
  readonly percentPrice?: { readonly up: Decimal; readonly down: Decimal; readonly avgPriceMins: number };
  readonly percentPriceBySide?: {
    readonly bidUp: Decimal;
    readonly bidDown: Decimal;
    readonly askUp: Decimal;
    readonly askDown: Decimal;
    readonly avgPriceMins: number;
  };
  readonly maxNumOrders?: number;
  readonly maxNumAlgoOrders?: number;
  readonly maxNumOrderLists?: number;
}

export function parseRules(filters: readonly SymbolFilter[]): SymbolRules {
  const rules: { -readonly [K in keyof SymbolRules]: SymbolRules[K] } = {};
  for (const filter of filters) {
    switch (filter.filterType) {
      case 'PRICE_FILTER':
        rules.price = range(filter.minPrice, filter.maxPrice, filter.tickSize);
        break;
      case 'LOT_SIZE':
        rules.lot = range(filter.minQty, filter.maxQty, filter.stepSize);
        break;
      case 'MARKET_LOT_SIZE':
        rules.marketLot = range(filter.minQty, filter.maxQty, filter.stepSize);
        break;
      case 'NOTIONAL':
        rules.notional = {
          min: new Decimal(filter.minNotional),
          applyMinToMarket: filter.applyMinToMarket,
          max: new Decimal(filter.maxNotional),
          applyMaxToMarket: filter.applyMaxToMarket,
          avgPriceMins: filter.avgPriceMins,
        };
        break;
      case 'MIN_NOTIONAL':
        rules.minNotional = {
          min: new Decimal(filter.minNotional),
          applyToMarket: filter.applyToMarket,
          avgPriceMins: filter.avgPriceMins,
        };
        break;
      case 'PERCENT_PRICE':
        rules.percentPrice = {
          up: new Decimal(filter.multiplierUp),
          down: new Decimal(filter.multiplierDown),
          avgPriceMins: filter.avgPriceMins,
        };
        break;
      case 'PERCENT_PRICE_BY_SIDE':
        rules.percentPriceBySide = {
          bidUp: new Decimal(filter.bidMultiplierUp),
          bidDown: new Decimal(filter.bidMultiplierDown),
          askUp: new Decimal(filter.askMultiplierUp),
          askDown: new Decimal(filter.askMultiplierDown),
          avgPriceMins: filter.avgPriceMins,
        };
        break;
      case 'MAX_NUM_ORDERS':
        rules.maxNumOrders = filter.maxNumOrders;
        break;
      case 'MAX_NUM_ALGO_ORDERS':
        rules.maxNumAlgoOrders = filter.maxNumAlgoOrders;
        break;
      case 'MAX_NUM_ORDER_LISTS':
        rules.maxNumOrderLists = filter.maxNumOrderLists;
        break;
      default:
        break;
    }
  }
  return rules;
}

function range(min: string, max: string, step: string): Range {
  return { min: new Decimal(min), max: new Decimal(max), step: new Decimal(step) };
}

/** Binance's rule: each bound and the step are disabled when 0. */
function within(value: Decimal, rule: Range): boolean {
  if (rule.min.gt(0) && value.lt(rule.min)) return false;
  if (rule.max.gt(0) && value.gt(rule.max)) return false;
  if (rule.step.gt(0) && !value.mod(rule.step).isZero()) return false;
  return true;
}

export function checkPrice(rules: SymbolRules, price: Decimal): void {
  if (rules.price && !within(price, rules.price)) throw reject.filter('PRICE_FILTER');
}

export function checkLotSize(rules: SymbolRules, quantity: Decimal, market: boolean): void {
  if (rules.lot && !within(quantity, rules.lot)) throw reject.filter('LOT_SIZE');
  if (market && rules.marketLot && !within(quantity, rules.marketLot)) throw reject.filter('MARKET_LOT_SIZE');
}

/** PERCENT_PRICE and PERCENT_PRICE_BY_SIDE, against the average price over each filter's window. */
export function checkPercentPrice(
  rules: SymbolRules,
  side: OrderSide,
  price: Decimal,
  averagePrice: (mins: number) => Decimal | undefined,
): void {
  if (rules.percentPrice) {
    const average = averagePrice(rules.percentPrice.avgPriceMins);
    if (
      average &&
      (price.gt(average.times(rules.percentPrice.up)) || price.lt(average.times(rules.percentPrice.down)))
    ) {
      throw reject.filter('PERCENT_PRICE');
    }
  }
  const bySide = rules.percentPriceBySide;
  if (bySide) {
    const average = averagePrice(bySide.avgPriceMins);
    if (!average) return;
    const up = side === 'BUY' ? bySide.bidUp : bySide.askUp;
    const down = side === 'BUY' ? bySide.bidDown : bySide.askDown;
    if (price.gt(average.times(up)) || price.lt(average.times(down)))
      throw reject.filter('PERCENT_PRICE_BY_SIDE');
  }
}

/**
 * NOTIONAL and MIN_NOTIONAL. `notional` is price × quantity for priced orders;
 * for market orders the caller passes the average price × quantity (or the quote
 * amount) and `market` so the applyToMarket flags decide.
 */
export function checkNotional(rules: SymbolRules, notional: Decimal | undefined, market: boolean): void {
  if (notional === undefined) return;
  const rule = rules.notional;
  if (rule) {
    if ((!market || rule.applyMinToMarket) && notional.lt(rule.min)) throw reject.filter('NOTIONAL');
    if ((!market || rule.applyMaxToMarket) && rule.max.gt(0) && notional.gt(rule.max)) {
      throw reject.filter('NOTIONAL');
    }
  }
  const legacy = rules.minNotional;
  if (legacy && (!market || legacy.applyToMarket) && notional.lt(legacy.min))
    throw reject.filter('MIN_NOTIONAL');
}

/** The step market quantities are rounded to: MARKET_LOT_SIZE's when set, else LOT_SIZE's. */
export function marketStep(rules: SymbolRules): Decimal {
  if (rules.marketLot?.step.gt(0)) return rules.marketLot.step;
  return rules.lot?.step ?? ZERO;
}

export function floorToStep(value: Decimal, step: Decimal): Decimal {
  if (step.lte(0)) return value;
  return value.div(step).floor().times(step);
}

export const STOP_TYPES: ReadonlySet<EngineOrderType> = new Set([
  'STOP_LOSS',
  'STOP_LOSS_LIMIT',
  'TAKE_PROFIT',
  'TAKE_PROFIT_LIMIT',
]);
export const PRICED_TYPES: ReadonlySet<EngineOrderType> = new Set([
  'LIMIT',
  'LIMIT_MAKER',
  'STOP_LOSS_LIMIT',
  'TAKE_PROFIT_LIMIT',
]);

/**
 * Whether a stop order fires at `lastPrice`: stop losses when the price moves
 * against the position (a sell's falls to the stop, a buy's rises to it),
 * take profits when it moves in favour.
 */
export function stopTriggers(
  type: EngineOrderType,
  side: OrderSide,
  stopPrice: Decimal,
  lastPrice: Decimal,
): boolean {
  const stopLoss = type === 'STOP_LOSS' || type === 'STOP_LOSS_LIMIT';
  const rising = stopLoss === (side === 'BUY');
  return rising ? lastPrice.gte(stopPrice) : lastPrice.lte(stopPrice);
}
