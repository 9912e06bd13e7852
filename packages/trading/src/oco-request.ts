import {
  CLIENT_ORDER_ID_PATTERN,
  type DecimalInput,
  normalizeSymbol,
  type OcoOrderRequest,
  type Side,
  type TimeInForce,
  toPositiveDecimal,
  ValidationError,
} from '@venuekit/core';

/** What users pass for a one-cancels-the-other pair: decimals as strings or Decimals. */
export interface OcoOrderRequestInput {
  symbol: string;
  side: Side | 'BUY' | 'SELL';
  quantity: DecimalInput;
  /** The limit (take-profit) leg's price. */
  price: DecimalInput;
  /** The stop leg's trigger price. */
  stopPrice: DecimalInput;
  /** The stop leg's limit price; absent for a market stop. */
  stopLimitPrice?: DecimalInput;
  stopLimitTimeInForce?: TimeInForce;
  listClientOrderId?: string;
}

/**
 * Turns user input into an OcoOrderRequest, or throws a ValidationError naming the
 * field and the rule. Checks the price order a venue requires: for a sell, the
 * limit leg above the stop; for a buy, below it.
 */
export function normalizeOcoRequest(input: unknown): OcoOrderRequest {
  if (typeof input !== 'object' || input === null) {
    throw new ValidationError('INVALID_PARAMETER', { field: 'order', rule: 'must be an object' });
  }
  const raw = input as Record<string, unknown>;
  const symbol = normalizeSymbol(raw.symbol);
  const side = typeof raw.side === 'string' ? raw.side.toLowerCase() : undefined;
  if (side !== 'buy' && side !== 'sell') {
    throw new ValidationError(raw.side === undefined ? 'MISSING_PARAMETER' : 'INVALID_PARAMETER', {
      field: 'side',
      rule: 'must be one of buy, sell',
    });
  }
  const quantity = toPositiveDecimal(raw.quantity, 'quantity');
  const price = toPositiveDecimal(raw.price, 'price');
  const stopPrice = toPositiveDecimal(raw.stopPrice, 'stopPrice');
  if (side === 'sell' ? !price.gt(stopPrice) : !price.lt(stopPrice)) {
    throw new ValidationError('INVALID_PARAMETER', {
      field: 'price',
      rule:
        side === 'sell' ? 'must be above stopPrice for a sell OCO' : 'must be below stopPrice for a buy OCO',
    });
  }
  const present = (value: unknown) => value !== undefined && value !== null && value !== '';
  const stopLimitPrice = present(raw.stopLimitPrice)
    ? toPositiveDecimal(raw.stopLimitPrice, 'stopLimitPrice')
    : undefined;
  let stopLimitTimeInForce: TimeInForce | undefined;
  if (present(raw.stopLimitTimeInForce)) {
    if (!stopLimitPrice) {
      throw new ValidationError('INVALID_PARAMETER', {
        field: 'stopLimitTimeInForce',
        rule: 'is only allowed with stopLimitPrice',
      });
    }
    const tif = typeof raw.stopLimitTimeInForce === 'string' ? raw.stopLimitTimeInForce.toUpperCase() : '';
    if (tif !== 'GTC' && tif !== 'IOC' && tif !== 'FOK') {
      throw new ValidationError('INVALID_PARAMETER', {
        field: 'stopLimitTimeInForce',
        rule: 'must be one of GTC, IOC, FOK',
      });
    }
    stopLimitTimeInForce = tif;
  } else if (stopLimitPrice) {
    stopLimitTimeInForce = 'GTC';
  }
  let listClientOrderId: string | undefined;
  if (present(raw.listClientOrderId)) {
    if (typeof raw.listClientOrderId !== 'string' || !CLIENT_ORDER_ID_PATTERN.test(raw.listClientOrderId)) {
      throw new ValidationError('INVALID_PARAMETER', {
        field: 'listClientOrderId',
        rule: 'must be 1-36 characters of A-Z a-z 0-9 . : / _ -',
      });
    }
    listClientOrderId = raw.listClientOrderId;
  }
  return {
    symbol,
    side,
    quantity,
    price,
    stopPrice,
    ...(stopLimitPrice ? { stopLimitPrice } : {}),
    ...(stopLimitTimeInForce ? { stopLimitTimeInForce } : {}),
    ...(listClientOrderId ? { listClientOrderId } : {}),
  };
}
