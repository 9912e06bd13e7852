export { DEFAULT_REQUEST_COSTS, type RequestCosts, type SessionOperation } from './costs';
export { FairQueue, type FairQueueOptions, type FairQueueStats, type LaneStats } from './fair-queue';
export { type TradingHealthSource, TradingSystemHealth, UserConnectionsHealth } from './health';
export { normalizeOcoRequest, type OcoOrderRequestInput } from './oco-request';
export { type TradingModuleOptions, tradingModule } from './module';
export {
  type BalanceDelta,
  type BalanceUpdate,
  OrderTracker,
  type OrderTrackerOptions,
  type OrderUpdate,
  type OrderUpdateSource,
} from './order-tracker';
export { TradingTokens } from './tokens';
export {
  type AdapterResolver,
  type ConnectUserOptions,
  type TradingFacade,
  type TradingStats,
  type UserEventKind,
  UserManager,
  type UserManagerOptions,
} from './user-manager';
export {
  type OrderRefInput,
  type SessionState,
  type SessionStatus,
  type SessionStatusEvent,
  type TradingSession,
  type UserDataState,
  UserSession,
  type UserSessionOptions,
} from './user-session';
