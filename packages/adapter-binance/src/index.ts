export {
  type BinanceConfig,
  type BinanceConfigInput,
  type BinanceInstrumentsConfig,
  type BinanceOrderBookConfig,
  type BinanceReconnectConfig,
  type BinanceRestConfig,
  type BinanceStreamsConfig,
  DEFAULT_BINANCE_CONFIG,
  resolveBinanceConfig,
} from './config';
export {
  type BinanceCredentialsFromEnvOptions,
  binanceConfigFromEnv,
  binanceCredentialsFromEnv,
} from './env';
export {
  BINANCE_ENVIRONMENTS,
  BINANCE_MARKET_DATA_ONLY_URLS,
  BINANCE_URLS,
  type BinanceEnvironment,
  type BinanceUrls,
  redactUrl,
} from './urls';
export { type BinanceErrorBody, type BinanceErrorInput, isUnknownExecution, mapBinanceError } from './errors';
export { type GateRequest, type GateResponse, openGate, type RequestGate } from './rest/request-gate';
export {
  ConnectionAttemptBudget,
  type OutgoingLimit,
  type WsCloseEvent,
  WsConnection,
  type WsConnectionHandlers,
  type WsConnectionOptions,
  type WsConnectionState,
  type WsOpenEvent,
  type WsReconnectEvent,
} from './ws/connection';
export type {
  BinanceStreamConnection,
  StreamSink,
  SubscribeMode,
} from './ws/stream-connection';
export { BinanceStreamManager, type StreamManagerOptions } from './ws/stream-manager';
export type {
  WireAggTrade,
  WireBookTicker,
  WireDepthUpdate,
  WireKline,
  WireMiniTicker,
  WirePartialDepth,
  WireTicker,
  WireTrade,
} from './ws/wire';
export { BinanceAdapter, type BinanceAdapterOptions, BINANCE_MARKET_DATA_CAPABILITIES } from './adapter';
export { binanceModule } from './module';
export { BinanceTokens } from './tokens';
export { BinanceInstruments, type BinanceInstrumentsOptions } from './instruments';
export { BinanceMarketDataClient, type BinanceMarketDataOptions } from './market-data';
export {
  BinanceBookSync,
  type BookSyncListener,
  type BookSyncOptions,
  type BookSyncState,
} from './order-book/book-sync';
export {
  BinanceHttpClient,
  type BinanceHttpClientOptions,
  type BinanceHttpRequest,
  type BinanceHttpResponse,
  type ObservedWeight,
} from './rest/http';
export { nodeHttpFetch } from './rest/node-fetch';
export { BinanceMarketDataRest, BinancePublicApi, PUBLIC_WEIGHTS, type SymbolResolver } from './rest/public';
export {
  EXCHANGE as BINANCE_EXCHANGE_ID,
  parseAggTrade,
  parseBookTicker,
  parseDepthSnapshot,
  parseKline,
  parseMiniTicker,
  parseTicker,
  parseTrade,
} from './parsing/market-data';
export {
  parseExchangeInfo,
  parseSymbolInfo,
  type WireExchangeInfo,
  type WireSymbolInfo,
} from './parsing/instruments';
// Trading and user data (part 2).
export {
  type BinanceParams,
  type BinanceParamValue,
  type BinanceSigner,
  createBinanceSigner,
  encodeParams,
  signQueryString,
  signWsApiParams,
  wsApiSignaturePayload,
} from './credentials';
export {
  BINANCE_DEFAULT_LIMITS,
  BinanceRateGovernor,
  type BinanceRateLimitEntry,
  headersFromRateLimits,
  parseOrderLimit,
  parseRetryAfter,
  type RateGovernorOptions,
  type GovernedRequest,
  type RequestPriority,
  type RateLimitRule,
  type RateLimitType,
  rulesFromRateLimits,
} from './rest/rate-governor';
export { BinanceTimeSync, type TimeSyncOptions } from './rest/time-sync';
export {
  BinanceSignedClient,
  type BinanceSignedClientOptions,
  type SignedRequest,
  type SignedResponse,
  type VenueClock,
} from './rest/signed';
export {
  BINANCE_TRADING_CAPABILITIES,
  BinanceAccount,
  type BinanceAccountDeps,
  type BinanceAccountOptions,
  type BinanceTradingConfig,
  DEFAULT_TRADING_CONFIG,
  isAmbiguous,
} from './trading';
export {
  OrderReconciler,
  type OrderReconcilerOptions,
  type ReconcileOutcome,
  type ReconcileTarget,
} from './reconcile';
export {
  BinanceUserDataStream,
  type UserDataBackfill,
  type UserDataStreamOptions,
  type UserDataTransport,
} from './user-data';
export {
  BinanceWsApiClient,
  type BinanceWsApiClientOptions,
  type WsApiConnectionTuning,
  type WsApiHandlers,
  type WsApiRequestOptions,
  type WsApiResult,
} from './ws-api/client';
export {
  BinanceWsApiPool,
  type BinanceWsApiPoolOptions,
  MAX_SUBSCRIPTIONS_PER_CONNECTION,
  WsApiAccount,
  type WsApiAccountHandlers,
  type WsApiAccountOptions,
} from './ws-api/pool';
export type { WsApiErrorBody, WsApiEventFrame, WsApiResponseFrame, WsApiSessionStatus } from './ws-api/wire';
export {
  newOcoParams,
  newOrderParams,
  parseCanceledOrders,
  parseOrder,
  parseOrderList,
  type WireOrder,
  type WireOrderFill,
  type WireOrderList,
} from './parsing/orders';
export {
  parseBalances,
  parseMyTrade,
  type WireAccount,
  type WireBalance,
  type WireMyTrade,
} from './parsing/account';
export { type ParsedUserEvent, parseUserEvent, type WireUserEvent } from './parsing/user-data';
