import { Decimal } from './decimal';
import { MarketClosedError, ValidationError } from './errors';
import type { Instrument } from './market';
import type { OrderRequest, OrderType } from './trading';

export interface OrderValidationOptions {
  /**
   * Round instead of rejecting: a buy's price down and a sell's price up to the tick size
   * (never a worse price than asked), the stop price to the nearest tick, and the quantity
   * down to the step size. Bounds and notional are checked after rounding.
   */
  readonly round?: boolean;
  /**
   * The price a market-priced order is expected to fill at (the venue's average or
   * reference price). Needed for the notional of market and stop-market orders and for the
   * price band; those checks are skipped without it.
   */
  readonly referencePrice?: Decimal;
}

/** Types that rest at a limit price, so their notional is price × quantity. */
const LIMIT_PRICED: ReadonlySet<OrderType> = new Set([
  'limit',
  'limit_maker',
  'stop_loss_limit',
  'take_profit_limit',
]);

/**
 * Checks an order against its instrument's trading rules (tick size, step size including the
 * market lot size, minimum and maximum price and quantity, minimum and maximum notional, the
 * price band) and returns it, rounded when `round` is set. Throws a ValidationError with code
 * FILTER_VIOLATION that names the field and the rule it broke, NOT_SUPPORTED for an order type
 * the market does not take, or a MarketClosedError when the market is not trading. Generic: any
 * adapter whose instruments fill in core's `Instrument` can use it before sending.
 */
export function validateOrder(
  request: OrderRequest,
  instrument: Instrument,
  options: OrderValidationOptions = {},
): OrderRequest {
  const context = { symbol: instrument.symbol, exchange: instrument.exchange };
  if (request.symbol !== instrument.symbol) {
    throw new ValidationError('INVALID_PARAMETER', {
      field: 'symbol',
      rule: `must be the instrument's symbol ${instrument.symbol}`,
      context,
    });
  }
  if (!instrument.active) {
    throw new MarketClosedError({
      message: `${instrument.symbol} is not accepting orders (status ${instrument.status})`,
      context,
    });
  }
  if (instrument.orderTypes.length > 0 && !instrument.orderTypes.includes(request.type)) {
    throw new ValidationError('NOT_SUPPORTED', {
      field: 'type',
      rule: `must be one of ${instrument.orderTypes.join(', ')} on ${instrument.symbol}`,
      context,
    });
  }
  if (request.quoteQuantity && !instrument.quoteOrderQuantityMarketAllowed) {
    throw new ValidationError('NOT_SUPPORTED', {
      field: 'quoteQuantity',
      rule: `is not accepted on ${instrument.symbol}: give quantity instead`,
      context,
    });
  }

  const round = options.round === true;
  const buy = request.side === 'buy';
  const price =
    request.price && checkPrice('price', request.price, instrument, round ? (buy ? 'down' : 'up') : null);
  const stopPrice =
    request.stopPrice && checkPrice('stopPrice', request.stopPrice, instrument, round ? 'nearest' : null);
  const quantity = request.quantity && checkQuantity(request, request.quantity, instrument, round);

  const reference = options.referencePrice;
  if (price && reference && instrument.priceBand && reference.gt(0)) {
    const low = reference.mul(instrument.priceBand.multiplierDown);
    const high = reference.mul(instrument.priceBand.multiplierUp);
    if (price.lt(low) || price.gt(high)) {
      throw filter(
        'price',
        `must be within ${plain(low)} and ${plain(high)} (the price band around ${plain(reference)})`,
        price,
        context,
      );
    }
  }

  const limitPriced = LIMIT_PRICED.has(request.type);
  let notional: Decimal | undefined;
  let field = 'quantity';
  if (limitPriced && price && quantity) notional = price.mul(quantity);
  else if (request.quoteQuantity) {
    notional = request.quoteQuantity;
    field = 'quoteQuantity';
  } else if (reference && quantity) notional = reference.mul(quantity);
  if (notional) {
    const min = instrument.minNotional;
    if (min.gt(0) && (limitPriced || instrument.applyMinNotionalToMarket) && notional.lt(min)) {
      throw filter(
        field,
        `must make a notional (price × quantity) of at least ${plain(min)}; it is ${plain(notional)}`,
        undefined,
        context,
      );
    }
    const max = instrument.maxNotional;
    if (max?.gt(0) && (limitPriced || instrument.applyMaxNotionalToMarket) && notional.gt(max)) {
      throw filter(
        field,
        `must make a notional (price × quantity) of at most ${plain(max)}; it is ${plain(notional)}`,
        undefined,
        context,
      );
    }
  }

  if (!round) return request;
  return {
    ...request,
    ...(price ? { price } : {}),
    ...(stopPrice ? { stopPrice } : {}),
    ...(quantity ? { quantity } : {}),
  };
}

type Direction = 'down' | 'up' | 'nearest';

function checkPrice(
  field: string,
  value: Decimal,
  instrument: Instrument,
  direction: Direction | null,
): Decimal {
  const context = { symbol: instrument.symbol, exchange: instrument.exchange };
  let out = value;
  const tick = instrument.tickSize;
  if (tick.gt(0) && !out.mod(tick).isZero()) {
    if (!direction) throw filter(field, `must be a multiple of the tick size ${plain(tick)}`, value, context);
    out = snap(out, tick, direction);
    if (out.lte(0)) out = tick;
  }
  if (instrument.minPrice.gt(0) && out.lt(instrument.minPrice)) {
    throw filter(field, `must be at least ${plain(instrument.minPrice)}`, value, context);
  }
  if (instrument.maxPrice.gt(0) && out.gt(instrument.maxPrice)) {
    throw filter(field, `must be at most ${plain(instrument.maxPrice)}`, value, context);
  }
  return out;
}

function checkQuantity(
  request: OrderRequest,
  value: Decimal,
  instrument: Instrument,
  round: boolean,
): Decimal {
  const context = { symbol: instrument.symbol, exchange: instrument.exchange };
  // Market orders follow both LOT_SIZE and, where the venue has one, MARKET_LOT_SIZE.
  const lots: { step: Decimal; min: Decimal; max: Decimal; name: string }[] = [
    { step: instrument.stepSize, min: instrument.minQuantity, max: instrument.maxQuantity, name: '' },
  ];
  if (request.type === 'market') {
    lots.push({
      step: instrument.marketStepSize ?? new Decimal(0),
      min: instrument.marketMinQuantity ?? new Decimal(0),
      max: instrument.marketMaxQuantity ?? new Decimal(0),
      name: 'market ',
    });
  }
  let out = value;
  for (const lot of lots) {
    if (lot.step.gt(0) && !out.mod(lot.step).isZero()) {
      if (!round)
        throw filter(
          'quantity',
          `must be a multiple of the ${lot.name}step size ${plain(lot.step)}`,
          value,
          context,
        );
      out = snap(out, lot.step, 'down');
    }
  }
  for (const lot of lots) {
    if (lot.step.gt(0) && !out.mod(lot.step).isZero()) {
      throw filter(
        'quantity',
        `must be a multiple of the ${lot.name}step size ${plain(lot.step)}`,
        value,
        context,
      );
    }
    if (out.lte(0) || (lot.min.gt(0) && out.lt(lot.min))) {
      throw filter(
        'quantity',
        `must be at least the ${lot.name}minimum quantity ${plain(lot.min.gt(0) ? lot.min : lot.step)}${out.eq(value) ? '' : ` after rounding to ${plain(out)}`}`,
        value,
        context,
      );
    }
    if (lot.max.gt(0) && out.gt(lot.max)) {
      throw filter(
        'quantity',
        `must be at most the ${lot.name}maximum quantity ${plain(lot.max)}`,
        value,
        context,
      );
    }
  }
  return out;
}

function snap(value: Decimal, step: Decimal, direction: Direction): Decimal {
  const units = value.div(step);
  const whole = direction === 'down' ? units.floor() : direction === 'up' ? units.ceil() : units.round();
  return whole.mul(step);
}

function plain(value: Decimal): string {
  return value.toString();
}

function filter(
  field: string,
  rule: string,
  value: Decimal | undefined,
  context: { symbol: string; exchange: string },
): ValidationError {
  return new ValidationError('FILTER_VIOLATION', {
    field,
    rule,
    message: value === undefined ? `${field} ${rule}` : `${field} ${plain(value)} ${rule}`,
    context,
  });
}
