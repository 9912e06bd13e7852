import { inspect } from 'node:util';
import { ERROR_CATALOGUE, type ErrorCategory, type ErrorCode, type ErrorSeverity } from './error-catalogue';
import { redact, scrubSecrets } from './secret';

/** Where an error happened: who, what, on which market. */
export interface ErrorContext {
  userId?: string;
  sessionId?: string;
  requestId?: string;
  exchange?: string;
  symbol?: string;
  operation?: string;
  clientOrderId?: string;
  orderId?: string;
  /** The input field at fault, for validation errors. */
  field?: string;
  /** The rule the field broke, for validation errors. */
  rule?: string;
  [key: string]: string | number | boolean | undefined;
}

/** What the venue itself answered, kept for diagnosis. */
export interface VenueErrorDetails {
  /** The venue's own error code, e.g. Binance's -2010. */
  readonly code?: number | string;
  /** HTTP status, or the WebSocket API's status field. */
  readonly status?: number;
  readonly message?: string;
  /** The raw response body (scrubbed of credentials). */
  readonly body?: string;
}

export interface VenuekitErrorOptions {
  /** Technical message; defaults to the catalogue's user message. */
  message?: string;
  userMessage?: string;
  technicalDetails?: string;
  recoverySuggestions?: readonly string[];
  context?: ErrorContext;
  venue?: VenueErrorDetails;
  retryAfterMs?: number;
  severity?: ErrorSeverity;
  retryable?: boolean;
  cause?: unknown;
}

/** The JSON form of every venuekit error: the error format of the API reference. */
export interface VenuekitErrorJSON {
  name: string;
  code: ErrorCode;
  category: ErrorCategory;
  severity: ErrorSeverity;
  retryable: boolean;
  message: string;
  userMessage: string;
  technicalDetails: string;
  recoverySuggestions: string[];
  context: ErrorContext;
  venue?: VenueErrorDetails;
  retryAfterMs?: number;
}

/**
 * The one base error. `code` is stable; `category` says what kind of failure it is;
 * the subclass says what the caller should do next: retry (RetryableError),
 * fix the request (RequestError), or reconcile (OrderStateUnknownError).
 */
export class VenuekitError extends Error {
  readonly code: ErrorCode;
  readonly category: ErrorCategory;
  readonly severity: ErrorSeverity;
  readonly retryable: boolean;
  readonly userMessage: string;
  readonly technicalDetails: string;
  readonly recoverySuggestions: readonly string[];
  readonly context: ErrorContext;
  readonly venue: VenueErrorDetails | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(code: ErrorCode, options: VenuekitErrorOptions = {}) {
    const entry = ERROR_CATALOGUE[code];
    super(
      scrubSecrets(options.message ?? entry.userMessage),
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = new.target.name;
    this.code = code;
    this.category = entry.category;
    this.severity = options.severity ?? entry.severity;
    this.retryable = options.retryable ?? entry.retryable;
    this.userMessage = options.userMessage ?? entry.userMessage;
    this.technicalDetails = scrubSecrets(options.technicalDetails ?? this.message);
    this.recoverySuggestions = options.recoverySuggestions ?? entry.recoverySuggestions;
    this.context = { ...options.context };
    this.venue = options.venue
      ? {
          ...options.venue,
          ...(options.venue.body === undefined ? {} : { body: scrubSecrets(options.venue.body) }),
        }
      : undefined;
    this.retryAfterMs = options.retryAfterMs;
  }

  /** Adds context (user id, symbol, operation…) as the error travels up; returns the same error. */
  withContext(context: ErrorContext): this {
    for (const [key, value] of Object.entries(context)) {
      if (value !== undefined && this.context[key] === undefined) this.context[key] = value;
    }
    return this;
  }

  toJSON(): VenuekitErrorJSON {
    return {
      name: this.name,
      code: this.code,
      category: this.category,
      severity: this.severity,
      retryable: this.retryable,
      message: this.message,
      userMessage: this.userMessage,
      technicalDetails: this.technicalDetails,
      recoverySuggestions: [...this.recoverySuggestions],
      context: redact(this.context) as ErrorContext,
      ...(this.venue ? { venue: this.venue } : {}),
      ...(this.retryAfterMs === undefined ? {} : { retryAfterMs: this.retryAfterMs }),
    };
  }

  [inspect.custom](
    _depth: number,
    options: { stylize?: unknown },
    inspectFn: typeof inspect = inspect,
  ): string {
    const json = this.toJSON();
    return `${this.stack ?? `${this.name}: ${this.message}`}\n${inspectFn(json, { ...options, depth: 4 } as Parameters<typeof inspect>[1])}`;
  }
}

export function isVenuekitError(value: unknown): value is VenuekitError {
  return value instanceof VenuekitError;
}

/** Failures worth retrying after a pause: network, timeouts, rate limits, an unavailable venue. */
export class RetryableError extends VenuekitError {}
export class NetworkError extends RetryableError {
  constructor(options: VenuekitErrorOptions = {}) {
    super('NETWORK_ERROR', options);
  }
}
export class TimeoutError extends RetryableError {
  constructor(options: VenuekitErrorOptions = {}) {
    super('REQUEST_TIMEOUT', options);
  }
}
/**
 * A limit of the venue's was reached, or would be: `RATE_LIMITED` for request weight and orders,
 * `CONNECTION_ATTEMPTS_EXHAUSTED` for the connection attempts allowed per IP. `retryAfterMs` says when.
 */
export class RateLimitError extends RetryableError {
  constructor(
    options: VenuekitErrorOptions & { code?: 'RATE_LIMITED' | 'CONNECTION_ATTEMPTS_EXHAUSTED' } = {},
  ) {
    const { code = 'RATE_LIMITED', ...rest } = options;
    super(code, rest);
  }
}
export class ExchangeUnavailableError extends RetryableError {
  constructor(
    options: VenuekitErrorOptions & {
      code?: 'EXCHANGE_UNAVAILABLE' | 'EXCHANGE_ERROR' | 'CIRCUIT_OPEN';
    } = {},
  ) {
    const { code = 'EXCHANGE_UNAVAILABLE', ...rest } = options;
    super(code, rest);
  }
}
export class ClockSkewError extends RetryableError {
  constructor(options: VenuekitErrorOptions = {}) {
    super('CLOCK_SKEW', options);
  }
}

/** The venue refuses all traffic from this IP until `retryAfterMs` has passed. */
export class IpBannedError extends VenuekitError {
  constructor(options: VenuekitErrorOptions = {}) {
    super('IP_BANNED', options);
  }
}

/** The request itself must change before it can succeed. */
export class RequestError extends VenuekitError {}

export type ValidationCode =
  | 'INVALID_PARAMETER'
  | 'MISSING_PARAMETER'
  | 'INVALID_DECIMAL'
  | 'INVALID_SYMBOL'
  | 'UNKNOWN_SYMBOL'
  | 'FILTER_VIOLATION'
  | 'ORDER_REJECTED'
  | 'DUPLICATE_ORDER'
  | 'STREAM_REJECTED'
  | 'NOT_SUPPORTED';

export interface ValidationErrorOptions extends VenuekitErrorOptions {
  /** The input field at fault, e.g. `price` or `orders[2].quantity`. */
  field?: string;
  /** The rule it broke, e.g. `must be a multiple of tickSize 0.01`. */
  rule?: string;
}

/** Bad input, caught before anything was sent, or rejected by the venue's own rules. */
export class ValidationError extends RequestError {
  readonly field: string | undefined;
  readonly rule: string | undefined;

  constructor(code: ValidationCode, options: ValidationErrorOptions = {}) {
    const { field, rule, ...rest } = options;
    super(code, {
      ...rest,
      message: rest.message ?? (field ? `${field} ${rule ?? 'is invalid'}` : undefined),
      context: { ...rest.context, ...(field ? { field } : {}), ...(rule ? { rule } : {}) },
    });
    this.field = field;
    this.rule = rule;
  }
}
export class AuthenticationError extends RequestError {
  constructor(options: VenuekitErrorOptions & { code?: 'AUTHENTICATION_FAILED' | 'INVALID_SIGNATURE' } = {}) {
    const { code = 'AUTHENTICATION_FAILED', ...rest } = options;
    super(code, rest);
  }
}
export class PermissionError extends RequestError {
  constructor(options: VenuekitErrorOptions = {}) {
    super('PERMISSION_DENIED', options);
  }
}
export class InsufficientFundsError extends RequestError {
  constructor(options: VenuekitErrorOptions = {}) {
    super('INSUFFICIENT_FUNDS', options);
  }
}
export class OrderNotFoundError extends RequestError {
  constructor(options: VenuekitErrorOptions = {}) {
    super('ORDER_NOT_FOUND', options);
  }
}
export class MarketClosedError extends RequestError {
  constructor(options: VenuekitErrorOptions = {}) {
    super('MARKET_CLOSED', options);
  }
}

/**
 * The venue may or may not have accepted the order. Never resend it: venuekit keeps
 * reconciling by `clientOrderId` in the background and reports the true state.
 */
export class OrderStateUnknownError extends VenuekitError {
  readonly clientOrderId: string;

  constructor(clientOrderId: string, options: VenuekitErrorOptions = {}) {
    super('ORDER_STATE_UNKNOWN', { ...options, context: { ...options.context, clientOrderId } });
    this.clientOrderId = clientOrderId;
  }
}

export type ConfigurationCode =
  | 'ADAPTER_ALREADY_REGISTERED'
  | 'ADAPTER_NOT_FOUND'
  | 'MISSING_BINDING'
  | 'USER_ALREADY_CONNECTED'
  | 'USER_NOT_FOUND';

/** The system is assembled or used in a way that cannot work: fix the calling code. */
export class ConfigurationError extends VenuekitError {
  constructor(code: ConfigurationCode, options: VenuekitErrorOptions = {}) {
    super(code, options);
  }
}

/** The client, connection or session was closed while the operation was pending. */
export class ClosedError extends VenuekitError {
  constructor(options: VenuekitErrorOptions = {}) {
    super('CLOSED', options);
  }
}

export class InternalError extends VenuekitError {
  constructor(options: VenuekitErrorOptions = {}) {
    super('INTERNAL_ERROR', options);
  }
}

/** Wraps anything thrown into a VenuekitError, keeping VenuekitErrors as they are. */
export function toVenuekitError(error: unknown, context?: ErrorContext): VenuekitError {
  const wrapped =
    error instanceof VenuekitError
      ? error
      : new InternalError({
          message: error instanceof Error ? error.message : String(error),
          cause: error,
        });
  return context ? wrapped.withContext(context) : wrapped;
}
