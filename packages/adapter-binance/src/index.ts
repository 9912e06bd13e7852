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
export { binanceConfigFromEnv } from './env';
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
