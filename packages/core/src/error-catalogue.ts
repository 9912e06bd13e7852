/**
 * Every error code venuekit raises, with what it means for the caller.
 * ERRORS.md documents each one; a test keeps the two in step.
 */
export type ErrorCategory =
  | 'network'
  | 'timeout'
  | 'rate_limit'
  | 'ip_banned'
  | 'authentication'
  | 'permission'
  | 'validation'
  | 'insufficient_funds'
  | 'order_not_found'
  | 'market_closed'
  | 'order_state_unknown'
  | 'exchange_unavailable'
  | 'internal';

export type ErrorSeverity = 'info' | 'warning' | 'error' | 'critical';

export interface ErrorCatalogueEntry {
  readonly category: ErrorCategory;
  readonly severity: ErrorSeverity;
  readonly retryable: boolean;
  /** Safe to show to an end user. */
  readonly userMessage: string;
  readonly recoverySuggestions: readonly string[];
}

export const ERROR_CATALOGUE = {
  NETWORK_ERROR: {
    category: 'network',
    severity: 'warning',
    retryable: true,
    userMessage: 'Could not reach the exchange. Please try again.',
    recoverySuggestions: ['Check network connectivity to the exchange', 'Retry with backoff'],
  },
  REQUEST_TIMEOUT: {
    category: 'timeout',
    severity: 'warning',
    retryable: true,
    userMessage: 'Request timeout. Please try again.',
    recoverySuggestions: ['Retry with backoff', 'Increase the request timeout if the network is slow'],
  },
  RATE_LIMITED: {
    category: 'rate_limit',
    severity: 'warning',
    retryable: true,
    userMessage: 'Too many requests. Please wait before trying again.',
    recoverySuggestions: [
      'Wait for retryAfterMs before sending more requests',
      'Reduce request frequency',
      'Use WebSocket streams instead of polling',
    ],
  },
  CONNECTION_ATTEMPTS_EXHAUSTED: {
    category: 'rate_limit',
    severity: 'warning',
    retryable: true,
    userMessage:
      'Too many connections to the exchange were opened recently. Please wait before trying again.',
    recoverySuggestions: [
      'Wait for retryAfterMs: no new connection can be opened before',
      'Send the request over REST meanwhile',
      'Share connections between users instead of opening one per user',
    ],
  },
  IP_BANNED: {
    category: 'ip_banned',
    severity: 'critical',
    retryable: false,
    userMessage: 'The exchange has temporarily blocked requests from this server.',
    recoverySuggestions: [
      'Stop all traffic to this exchange until the ban ends (retryAfterMs)',
      'Find what exceeded the request-weight limit after 429 responses',
    ],
  },
  AUTHENTICATION_FAILED: {
    category: 'authentication',
    severity: 'error',
    retryable: false,
    userMessage: 'The API key was rejected. Please check your credentials.',
    recoverySuggestions: [
      'Check that the API key and secret are correct and not revoked',
      'Check the key is allowed from this IP address',
    ],
  },
  INVALID_SIGNATURE: {
    category: 'authentication',
    severity: 'error',
    retryable: false,
    userMessage: 'The request signature was rejected. Please check your credentials.',
    recoverySuggestions: [
      'Check that the secret matches the API key',
      'Check the key type (HMAC, Ed25519, RSA)',
    ],
  },
  PERMISSION_DENIED: {
    category: 'permission',
    severity: 'error',
    retryable: false,
    userMessage: 'This account is not permitted to perform this action.',
    recoverySuggestions: ['Enable the required permission (e.g. spot trading) on the API key'],
  },
  CLOCK_SKEW: {
    category: 'validation',
    severity: 'warning',
    retryable: true,
    userMessage: 'The request was rejected because of a clock difference. Please try again.',
    recoverySuggestions: [
      'Resynchronise with the exchange time',
      'Check the host clock (NTP)',
      'Increase recvWindow',
    ],
  },
  INVALID_PARAMETER: {
    category: 'validation',
    severity: 'error',
    retryable: false,
    userMessage: 'The request has an invalid value.',
    recoverySuggestions: ['Fix the field named in the error and send the request again'],
  },
  MISSING_PARAMETER: {
    category: 'validation',
    severity: 'error',
    retryable: false,
    userMessage: 'The request is missing a required value.',
    recoverySuggestions: ['Provide the field named in the error'],
  },
  INVALID_DECIMAL: {
    category: 'validation',
    severity: 'error',
    retryable: false,
    userMessage: 'A number in the request is not valid.',
    recoverySuggestions: ['Pass amounts as decimal strings (e.g. "0.001") or Decimal values'],
  },
  INVALID_SYMBOL: {
    category: 'validation',
    severity: 'error',
    retryable: false,
    userMessage: 'The market symbol is not valid.',
    recoverySuggestions: ['Write symbols as BASE/QUOTE, e.g. "BTC/USDT"'],
  },
  UNKNOWN_SYMBOL: {
    category: 'validation',
    severity: 'error',
    retryable: false,
    userMessage: 'This market does not exist on the exchange.',
    recoverySuggestions: ['Check the symbol against the exchange instruments list'],
  },
  FILTER_VIOLATION: {
    category: 'validation',
    severity: 'error',
    retryable: false,
    userMessage: 'The order does not meet the market trading rules.',
    recoverySuggestions: [
      "Adjust the field named in the error to the instrument's tick size, step size or limits",
      'Enable rounding to round prices and quantities to the instrument filters',
    ],
  },
  ORDER_REJECTED: {
    category: 'validation',
    severity: 'error',
    retryable: false,
    userMessage: 'The exchange rejected the order.',
    recoverySuggestions: ['Read technicalDetails for the exchange reason and adjust the order'],
  },
  DUPLICATE_ORDER: {
    category: 'validation',
    severity: 'error',
    retryable: false,
    userMessage: 'An open order with this client order id already exists.',
    recoverySuggestions: ['Use a new client order id, or query the existing order'],
  },
  INSUFFICIENT_FUNDS: {
    category: 'insufficient_funds',
    severity: 'error',
    retryable: false,
    userMessage: 'Insufficient balance to complete this order',
    recoverySuggestions: [
      'Reduce the order size',
      'Deposit or free up funds',
      'Cancel open orders that lock funds',
    ],
  },
  ORDER_NOT_FOUND: {
    category: 'order_not_found',
    severity: 'warning',
    retryable: false,
    userMessage: 'The order could not be found.',
    recoverySuggestions: ['Check the order id and symbol', 'The order may already be filled or canceled'],
  },
  MARKET_CLOSED: {
    category: 'market_closed',
    severity: 'warning',
    retryable: false,
    userMessage: 'This market is not open for trading right now.',
    recoverySuggestions: ['Check the instrument status and try again when trading resumes'],
  },
  ORDER_STATE_UNKNOWN: {
    category: 'order_state_unknown',
    severity: 'critical',
    retryable: false,
    userMessage: 'We could not confirm whether the order was placed. We are checking with the exchange.',
    recoverySuggestions: [
      'Do not place the order again: it may exist',
      'Wait for the reconciled order state (same clientOrderId) from the order tracker',
      'Query the order by clientOrderId',
    ],
  },
  EXCHANGE_UNAVAILABLE: {
    category: 'exchange_unavailable',
    severity: 'error',
    retryable: true,
    userMessage: 'The exchange is temporarily unavailable. Please try again later.',
    recoverySuggestions: ['Retry with backoff', 'Check the exchange status page'],
  },
  EXCHANGE_ERROR: {
    category: 'exchange_unavailable',
    severity: 'error',
    retryable: false,
    userMessage: 'The exchange returned an unexpected error.',
    recoverySuggestions: ['Read technicalDetails and the venue code for the exchange reason'],
  },
  CIRCUIT_OPEN: {
    category: 'exchange_unavailable',
    severity: 'error',
    retryable: true,
    userMessage: 'The connection to the exchange is paused after repeated failures.',
    recoverySuggestions: ['Wait for the next probe (retryAfterMs)', 'Check network and exchange status'],
  },
  STREAM_REJECTED: {
    category: 'validation',
    severity: 'error',
    retryable: false,
    userMessage: 'The exchange rejected the market data subscription.',
    recoverySuggestions: ['Check the symbol and stream parameters'],
  },
  NOT_SUPPORTED: {
    category: 'validation',
    severity: 'error',
    retryable: false,
    userMessage: 'This operation is not supported by the exchange.',
    recoverySuggestions: ["Check the adapter's capabilities (has) before calling"],
  },
  ADAPTER_ALREADY_REGISTERED: {
    category: 'validation',
    severity: 'error',
    retryable: false,
    userMessage: 'An exchange adapter with this id is already registered.',
    recoverySuggestions: ['Register each exchange adapter once, or give the custom adapter a distinct id'],
  },
  ADAPTER_NOT_FOUND: {
    category: 'validation',
    severity: 'error',
    retryable: false,
    userMessage: 'No exchange adapter with this id is registered.',
    recoverySuggestions: ["Load the adapter's module (e.g. binanceModule()) or register the adapter"],
  },
  MISSING_BINDING: {
    category: 'internal',
    severity: 'critical',
    retryable: false,
    userMessage: 'venuekit is not fully configured.',
    recoverySuggestions: ['Load the module of the package that provides the named service'],
  },
  USER_ALREADY_CONNECTED: {
    category: 'validation',
    severity: 'error',
    retryable: false,
    userMessage: 'This user is already connected.',
    recoverySuggestions: ['Use the existing session, or disconnect the user first'],
  },
  USER_NOT_FOUND: {
    category: 'validation',
    severity: 'error',
    retryable: false,
    userMessage: 'This user is not connected.',
    recoverySuggestions: ['Call connectUser first'],
  },
  CLOSED: {
    category: 'internal',
    severity: 'warning',
    retryable: false,
    userMessage: 'The connection has been closed.',
    recoverySuggestions: ['Create a new client or session'],
  },
  INTERNAL_ERROR: {
    category: 'internal',
    severity: 'critical',
    retryable: false,
    userMessage: 'An internal error occurred.',
    recoverySuggestions: ['Report the error with its technicalDetails'],
  },
} as const satisfies Record<string, ErrorCatalogueEntry>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export const ERROR_CODES = Object.keys(ERROR_CATALOGUE) as ErrorCode[];
