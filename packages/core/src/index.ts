export {
  Decimal,
  type DecimalInput,
  integerText,
  isDecimal,
  toDecimal,
  toPositiveDecimal,
  venueDecimal,
} from './decimal';
export { formatSymbol, normalizeSymbol, parseSymbol, type SymbolParts, type UnifiedSymbol } from './symbols';
export type {
  AggTrade,
  BookTicker,
  ExchangeId,
  Instrument,
  InstrumentStatus,
  Kline,
  KlineInterval,
  MiniTicker,
  OrderBookLevel,
  OrderBookSnapshot,
  OrderTypeName,
  Side,
  Ticker,
  Trade,
} from './market';
export { KLINE_INTERVALS } from './market';
export type {
  Balance,
  Fee,
  Fill,
  HistoryQuery,
  OcoOrderRequest,
  Order,
  OrderList,
  OrderRef,
  OrderRequest,
  OrderRequestInput,
  OrderStatus,
  OrderType,
  TimeInForce,
} from './trading';
export { isTerminalStatus } from './trading';
export { CLIENT_ORDER_ID_PATTERN, normalizeOrderRequest } from './order-request';
export { type OrderValidationOptions, validateOrder } from './order-validation';
export { createClientOrderId } from './ids';
export { type BookSide, OrderBook, type RawLevel, type ReadonlyOrderBook } from './order-book';
export { SortedKeys } from './sorted-keys';
export {
  type AccountClient,
  type AccountOptions,
  type AccountStatus,
  type AdapterStatus,
  CAPABILITIES,
  type Capabilities,
  type Capability,
  capabilities,
  type ClockSyncStatus,
  type ConnectionInfo,
  type ConnectionState,
  type DepthLevels,
  type ExchangeAdapter,
  type ExecutionType,
  type InstrumentsClient,
  type MarketDataRestClient,
  type MarketDataStreamClient,
  type MarketDataSubscription,
  type OrderBookUpdate,
  type PlaceOrderOptions,
  type RateLimitStatus,
  type StreamDataMap,
  type StreamKind,
  type StreamObserver,
  type StreamSpec,
  type StreamSpecOf,
  type StreamStats,
  type StreamSyncState,
  type StreamStatus,
  type TradingClient,
  type UpdateSpeedMs,
  type UserDataEvent,
  type UserDataSubscription,
} from './adapter';
export {
  type Credentials,
  type CredentialsInput,
  createCredentials,
  disposeCredentials,
} from './credentials';
export { isSecret, isSensitiveKey, redact, Secret, scrubSecrets } from './secret';
export {
  ERROR_CATALOGUE,
  ERROR_CODES,
  type ErrorCatalogueEntry,
  type ErrorCategory,
  type ErrorCode,
  type ErrorSeverity,
} from './error-catalogue';
export {
  AuthenticationError,
  ClockSkewError,
  ClosedError,
  type ConfigurationCode,
  ConfigurationError,
  type ErrorContext,
  ExchangeUnavailableError,
  InsufficientFundsError,
  InternalError,
  IpBannedError,
  isVenuekitError,
  MarketClosedError,
  NetworkError,
  OrderNotFoundError,
  OrderStateUnknownError,
  PermissionError,
  RateLimitError,
  RequestError,
  RetryableError,
  TimeoutError,
  toVenuekitError,
  type ValidationCode,
  ValidationError,
  type ValidationErrorOptions,
  type VenueErrorDetails,
  VenuekitError,
  type VenuekitErrorJSON,
  type VenuekitErrorOptions,
} from './errors';
export {
  clearContext,
  createLogger,
  getContext,
  type LogContext,
  type Logger,
  type LoggerOptions,
  type LogLevel,
  type LogMeta,
  runWithContext,
  runWithoutContext,
  setContext,
  silentLogger,
} from './logging';
export {
  type BookResyncEvent,
  type CircuitStateEvent,
  type ClockSyncEvent,
  type ConnectionClosedEvent,
  type ConnectionKind,
  type ConnectionReconnectingEvent,
  type ConnectionStartedEvent,
  type DiscardEvent,
  type DropEvent,
  type LogLineEvent,
  type MessageReceivedEvent,
  type OrderEvent,
  type RateLimitEvent,
  type RawMessageEvent,
  type RequestEvent,
  type StreamGapEvent,
  type SubscriptionEvent,
  type TelemetryChannel,
  type TelemetryChannelName,
  createTelemetryChannel,
  telemetry,
  type UserSessionEvent,
} from './telemetry';
export { type Clock, ManualClock, SystemClock, systemClock, type TimerHandle } from './clock';
export {
  type BackoffOptions,
  CircuitBreaker,
  type CircuitBreakerOptions,
  type CircuitState,
  ExponentialBackoff,
} from './resilience';
export { type BusEvent, type BusHandler, type BusSubscription, type MessageBus, topics } from './bus';
export { InProcessBus } from './in-process-bus';
export type { ComponentHealth, HealthContributor, HealthStatus } from './health';
export {
  type StreamFreshness,
  type StreamFreshnessInput,
  type StreamFreshnessState,
  type StreamStaleCause,
  streamFreshness,
} from './freshness';
export { type Closeable, Lifecycle } from './lifecycle';
export { ExchangeRegistry } from './registry';
export { CoreTokens, resolve, resolveAll, type Token, token } from './tokens';
export {
  bindExchangeAdapter,
  type CoreModuleOptions,
  coreModule,
  createVenuekit,
  type FacadesOf,
  type Venuekit,
  VenuekitModule,
  type VenuekitOptions,
} from './container';
