import {
  ClosedError,
  ConfigurationError,
  type ConfigurationCode,
  ERROR_CODES,
  type ErrorCode,
  ExchangeUnavailableError,
  InternalError,
  NetworkError,
  RateLimitError,
  TimeoutError,
  type ValidationCode,
  ValidationError,
  VenuekitError,
  type VenuekitErrorJSON,
  type VenuekitErrorOptions,
} from '@venuekit/core';

const VALIDATION: ReadonlySet<string> = new Set<ValidationCode>([
  'INVALID_PARAMETER',
  'MISSING_PARAMETER',
  'INVALID_DECIMAL',
  'INVALID_SYMBOL',
  'UNKNOWN_SYMBOL',
  'FILTER_VIOLATION',
  'ORDER_REJECTED',
  'DUPLICATE_ORDER',
  'STREAM_REJECTED',
  'NOT_SUPPORTED',
]);
const CONFIGURATION: ReadonlySet<string> = new Set<ConfigurationCode>([
  'ADAPTER_ALREADY_REGISTERED',
  'ADAPTER_NOT_FOUND',
  'MISSING_BINDING',
  'USER_ALREADY_CONNECTED',
  'USER_NOT_FOUND',
]);

/**
 * Rebuilds an error that crossed the bus in its JSON form (a gateway refusing a
 * stream, a stream failing in the gateway process), as the class a caller
 * would have caught in-process, so `instanceof` and `code` checks still work.
 */
export function errorFromJSON(value: unknown): VenuekitError {
  const json = value as Partial<VenuekitErrorJSON> | null;
  const code = json?.code;
  if (typeof code !== 'string' || !(ERROR_CODES as readonly string[]).includes(code)) {
    return new InternalError({ message: 'a remote stream failed with an unreadable error' });
  }
  const options: VenuekitErrorOptions = {
    ...(typeof json?.message === 'string' ? { message: json.message } : {}),
    ...(json?.context ? { context: json.context } : {}),
    ...(json?.venue ? { venue: json.venue } : {}),
    ...(typeof json?.retryAfterMs === 'number' ? { retryAfterMs: json.retryAfterMs } : {}),
  };
  const context = json?.context ?? {};
  if (VALIDATION.has(code)) {
    return new ValidationError(code as ValidationCode, {
      ...options,
      ...(typeof context.field === 'string' ? { field: context.field } : {}),
      ...(typeof context.rule === 'string' ? { rule: context.rule } : {}),
    });
  }
  if (CONFIGURATION.has(code)) return new ConfigurationError(code as ConfigurationCode, options);
  switch (code as ErrorCode) {
    case 'NETWORK_ERROR':
      return new NetworkError(options);
    case 'REQUEST_TIMEOUT':
      return new TimeoutError(options);
    case 'RATE_LIMITED':
      return new RateLimitError(options);
    case 'EXCHANGE_UNAVAILABLE':
    case 'EXCHANGE_ERROR':
    case 'CIRCUIT_OPEN':
      return new ExchangeUnavailableError({ ...options, code: code as 'EXCHANGE_UNAVAILABLE' });
    case 'CLOSED':
      return new ClosedError(options);
    default:
      return new VenuekitError(code as ErrorCode, options);
  }
}
