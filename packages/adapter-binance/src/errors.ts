import {
  AuthenticationError,
  ClockSkewError,
  ExchangeUnavailableError,
  InsufficientFundsError,
  IpBannedError,
  MarketClosedError,
  NetworkError,
  OrderNotFoundError,
  PermissionError,
  RateLimitError,
  ValidationError,
  type ErrorContext,
  type VenueErrorDetails,
  type VenuekitError,
} from '@venuekit/core';

/** A Binance error as received: `{"code": -2010, "msg": "..."}` with the HTTP (or WS API) status. */
export interface BinanceErrorBody {
  readonly code: number;
  readonly msg: string;
}

export interface BinanceErrorInput {
  /** HTTP status, or the WebSocket API `status` field. */
  readonly status: number;
  readonly code?: number;
  readonly msg?: string;
  /** Raw body text, kept (scrubbed) for diagnosis. */
  readonly body?: string;
  /** Seconds, from the Retry-After header or the WS API's `retryAfter` (epoch ms, converted by the caller). */
  readonly retryAfterMs?: number;
  readonly context?: ErrorContext;
}

/**
 * Whether a failed request may have been executed by the venue. Orders that end
 * this way are reconciled, never resent: -1006/-1007 and 5xx say "unknown".
 */
export function isUnknownExecution(input: Pick<BinanceErrorInput, 'status' | 'code'>): boolean {
  return input.status >= 500 || input.code === -1006 || input.code === -1007;
}

// Reasons carried by -1010/-2010/-2011 that change what the caller must do.
const INSUFFICIENT = /insufficient balance/i;
const DUPLICATE = /duplicate order/i;
const MARKET_CLOSED = /market is closed/i;
const UNKNOWN_ORDER = /unknown order sent|order does not exist/i;
// Which order field a filter failure (filters.md) is about.
const FILTER_FIELDS: Readonly<Record<string, string>> = {
  PRICE_FILTER: 'price',
  PERCENT_PRICE: 'price',
  PERCENT_PRICE_BY_SIDE: 'price',
  LOT_SIZE: 'quantity',
  MARKET_LOT_SIZE: 'quantity',
  MIN_NOTIONAL: 'quantity',
  NOTIONAL: 'quantity',
  ICEBERG_PARTS: 'quantity',
  MAX_POSITION: 'quantity',
  TRAILING_DELTA: 'trailingDelta',
  MAX_NUM_ORDERS: 'symbol',
  MAX_NUM_ALGO_ORDERS: 'type',
};
// "Mandatory parameter 'price' was not sent…", "Parameter 'quantity' has too much precision."
const PARAM_NAME = /[Pp]aram(?:eter)? '([A-Za-z]+)'/;
const NOT_PERMITTED =
  /not permitted|restricted|disabled on this account|may not place or cancel|trading is not enabled|not enabled/i;

/**
 * Maps a Binance error (HTTP status plus `{code, msg}`) to venuekit's taxonomy.
 * One table for REST and the WebSocket API; see binance-spot-api-docs errors.md.
 */
export function mapBinanceError(input: BinanceErrorInput): VenuekitError {
  const { status, code, msg = '' } = input;
  const venue: VenueErrorDetails = {
    status,
    ...(code === undefined ? {} : { code }),
    ...(msg ? { message: msg } : {}),
    ...(input.body === undefined ? {} : { body: input.body }),
  };
  const technicalDetails = `Binance ${status}${code === undefined ? '' : ` ${code}`}: ${msg || 'no message'}`;
  const base = { venue, technicalDetails, context: { exchange: 'binance', ...input.context } };
  const retryAfter = input.retryAfterMs === undefined ? {} : { retryAfterMs: input.retryAfterMs };

  if (status === 418) return new IpBannedError({ ...base, ...retryAfter });
  if (status === 429 || code === -1003 || code === -1015) {
    return new RateLimitError({ ...base, ...retryAfter });
  }
  switch (code) {
    case -1021:
      return new ClockSkewError(base);
    case -1022:
      return new AuthenticationError({ ...base, code: 'INVALID_SIGNATURE' });
    case -2014:
    case -2015:
    case -1002:
      return new AuthenticationError(base);
    case -1121:
      return new ValidationError('UNKNOWN_SYMBOL', {
        ...base,
        field: 'symbol',
        rule: 'must be a symbol Binance lists',
      });
    case -1013: {
      const filter = /^Filter failure: ([A-Z_]+)/.exec(msg)?.[1];
      if (filter) {
        return new ValidationError('FILTER_VIOLATION', {
          ...base,
          field: FILTER_FIELDS[filter] ?? 'order',
          rule: `must pass the symbol's ${filter} filter`,
          message: msg,
        });
      }
      return new ValidationError('ORDER_REJECTED', { ...base, message: msg || undefined });
    }
    case -1102:
    case -1105: {
      const field = PARAM_NAME.exec(msg)?.[1];
      return new ValidationError('INVALID_PARAMETER', {
        ...base,
        ...(field ? { field, rule: 'is required and must not be empty' } : {}),
        message: msg || undefined,
      });
    }
    case -1111: {
      const field = PARAM_NAME.exec(msg)?.[1];
      return new ValidationError('INVALID_PARAMETER', {
        ...base,
        ...(field ? { field, rule: "has more decimals than the symbol's precision" } : {}),
        message: msg || undefined,
      });
    }
    case -2039:
      return new ValidationError('INVALID_PARAMETER', {
        ...base,
        field: 'clientOrderId',
        rule: 'must belong to the order named by orderId',
      });
    case -1020:
      return new ValidationError('NOT_SUPPORTED', { ...base, message: msg || undefined });
    case -2016:
      return new MarketClosedError(base);
    case -1034:
      return new RateLimitError({ ...base, ...retryAfter });
    case -2013:
    case -2026:
      return new OrderNotFoundError(base);
    case -1001:
    case -1008:
    case -1016:
      return new ExchangeUnavailableError(base);
    case -1006:
    case -1007:
      // The caller decides: an order is reconciled; a read may be retried.
      return new NetworkError({ ...base, message: msg || 'execution status unknown' });
    case -1010:
    case -2010:
    case -2011:
    case -2038:
      if (INSUFFICIENT.test(msg)) return new InsufficientFundsError(base);
      if (DUPLICATE.test(msg))
        return new ValidationError('DUPLICATE_ORDER', {
          ...base,
          field: 'clientOrderId',
          rule: 'must be unique among open orders',
        });
      if (MARKET_CLOSED.test(msg)) return new MarketClosedError(base);
      if (UNKNOWN_ORDER.test(msg)) return new OrderNotFoundError(base);
      if (NOT_PERMITTED.test(msg)) return new PermissionError(base);
      return new ValidationError('ORDER_REJECTED', { ...base, message: msg || undefined });
    default:
      break;
  }
  if (code !== undefined && code <= -1100 && code >= -1199) {
    return new ValidationError('INVALID_PARAMETER', { ...base, message: msg || undefined });
  }
  if (status === 401) return new AuthenticationError(base);
  if (status === 403)
    return new PermissionError({ ...base, message: msg || 'request blocked by the venue firewall (WAF)' });
  if (status >= 500) return new ExchangeUnavailableError(base);
  return new ExchangeUnavailableError({ ...base, code: 'EXCHANGE_ERROR' });
}
