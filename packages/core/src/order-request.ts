import { toPositiveDecimal, type Decimal } from './decimal';
import { ValidationError } from './errors';
import type { Side } from './market';
import { normalizeSymbol } from './symbols';
import type { OrderRequest, OrderType, TimeInForce } from './trading';

const SIDES: readonly Side[] = ['buy', 'sell'];
const TYPES: readonly OrderType[] = [
  'limit',
  'market',
  'limit_maker',
  'stop_loss',
  'stop_loss_limit',
  'take_profit',
  'take_profit_limit',
];
const TIME_IN_FORCE: readonly TimeInForce[] = ['GTC', 'IOC', 'FOK'];

/** Which fields each order type needs. */
const NEEDS: Record<OrderType, { price: boolean; stopPrice: boolean; timeInForce: boolean }> = {
  limit: { price: true, stopPrice: false, timeInForce: true },
  market: { price: false, stopPrice: false, timeInForce: false },
  limit_maker: { price: true, stopPrice: false, timeInForce: false },
  stop_loss: { price: false, stopPrice: true, timeInForce: false },
  stop_loss_limit: { price: true, stopPrice: true, timeInForce: true },
  take_profit: { price: false, stopPrice: true, timeInForce: false },
  take_profit_limit: { price: true, stopPrice: true, timeInForce: true },
};

/** Client order ids venues accept (Binance: 1–36 of these characters). */
export const CLIENT_ORDER_ID_PATTERN = /^[.A-Za-z:/0-9_-]{1,36}$/;

/**
 * Turns user input into an OrderRequest, or throws a ValidationError naming the
 * field and the rule it breaks. Nothing is sent before this passes.
 * Accepts sides and types in either case (`BUY` or `buy`, `LIMIT` or `limit`);
 * decimals as strings or Decimals.
 */
export function normalizeOrderRequest(input: unknown): OrderRequest {
  if (typeof input !== 'object' || input === null) {
    throw new ValidationError('INVALID_PARAMETER', { field: 'order', rule: 'must be an object' });
  }
  const raw = input as Record<string, unknown>;
  const symbol = normalizeSymbol(raw.symbol);
  const side = oneOf(raw.side, 'side', SIDES, (v) => v.toLowerCase());
  const type = oneOf(raw.type, 'type', TYPES, (v) => v.toLowerCase());
  const needs = NEEDS[type];

  let quantity: Decimal | undefined;
  let quoteQuantity: Decimal | undefined;
  if (type === 'market') {
    if (present(raw.quantity) === present(raw.quoteQuantity)) {
      throw new ValidationError(present(raw.quantity) ? 'INVALID_PARAMETER' : 'MISSING_PARAMETER', {
        field: 'quantity',
        rule: 'a market order needs exactly one of quantity or quoteQuantity',
      });
    }
    if (present(raw.quantity)) quantity = toPositiveDecimal(raw.quantity, 'quantity');
    else quoteQuantity = toPositiveDecimal(raw.quoteQuantity, 'quoteQuantity');
  } else {
    if (!present(raw.quantity)) {
      throw new ValidationError('MISSING_PARAMETER', {
        field: 'quantity',
        rule: `is required for ${type} orders`,
      });
    }
    if (present(raw.quoteQuantity)) {
      throw new ValidationError('INVALID_PARAMETER', {
        field: 'quoteQuantity',
        rule: 'is only allowed on market orders',
      });
    }
    quantity = toPositiveDecimal(raw.quantity, 'quantity');
  }

  const price = field(raw.price, 'price', needs.price, type);
  const stopPrice = field(raw.stopPrice, 'stopPrice', needs.stopPrice, type);

  let timeInForce: TimeInForce | undefined;
  if (needs.timeInForce) {
    timeInForce = present(raw.timeInForce)
      ? oneOf(raw.timeInForce, 'timeInForce', TIME_IN_FORCE, (v) => v.toUpperCase())
      : 'GTC';
  } else if (present(raw.timeInForce)) {
    throw new ValidationError('INVALID_PARAMETER', {
      field: 'timeInForce',
      rule: `is not allowed on ${type} orders`,
    });
  }

  let clientOrderId: string | undefined;
  if (present(raw.clientOrderId)) {
    if (typeof raw.clientOrderId !== 'string' || !CLIENT_ORDER_ID_PATTERN.test(raw.clientOrderId)) {
      throw new ValidationError('INVALID_PARAMETER', {
        field: 'clientOrderId',
        rule: 'must be 1-36 characters of A-Z a-z 0-9 . : / _ -',
      });
    }
    clientOrderId = raw.clientOrderId;
  }

  return {
    symbol,
    side,
    type,
    ...(quantity ? { quantity } : {}),
    ...(quoteQuantity ? { quoteQuantity } : {}),
    ...(price ? { price } : {}),
    ...(stopPrice ? { stopPrice } : {}),
    ...(timeInForce ? { timeInForce } : {}),
    ...(clientOrderId ? { clientOrderId } : {}),
  };
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

function field(value: unknown, name: string, required: boolean, type: OrderType): Decimal | undefined {
  if (!present(value)) {
    if (required)
      throw new ValidationError('MISSING_PARAMETER', { field: name, rule: `is required for ${type} orders` });
    return undefined;
  }
  if (!required) {
    throw new ValidationError('INVALID_PARAMETER', { field: name, rule: `is not allowed on ${type} orders` });
  }
  return toPositiveDecimal(value, name);
}

function oneOf<T extends string>(
  value: unknown,
  name: string,
  allowed: readonly T[],
  normalize: (v: string) => string,
): T {
  if (typeof value === 'string') {
    const normalized = normalize(value);
    if ((allowed as readonly string[]).includes(normalized)) return normalized as T;
  }
  throw new ValidationError(present(value) ? 'INVALID_PARAMETER' : 'MISSING_PARAMETER', {
    field: name,
    rule: `must be one of ${allowed.join(', ')}`,
    message: `${name} must be one of ${allowed.join(', ')} (got ${typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : String(value)})`,
  });
}
