import type {
  CircuitState,
  ComponentHealth,
  ConnectionKind,
  ConnectionState,
  ExchangeId,
  HealthStatus,
  StreamKind,
} from '@venuekit/core';
import type { RollUp } from './status';

/** What a check reports when it could not run: it threw, returned something invalid, or timed out. */
export interface CheckFailure extends ComponentHealth {
  readonly status: 'unknown';
  readonly error: string;
  /** True when the check did not answer within its timeout. */
  readonly timedOut: boolean;
}

/** `application`: the process itself. */
export interface ApplicationHealth extends ComponentHealth {
  readonly uptimeMs: number;
  /** Resident set size, MiB, one decimal. */
  readonly memoryMb: number;
  /** V8 heap in use, MiB, one decimal. */
  readonly heapUsedMb: number;
  /** 99th percentile event-loop delay since the previous check, ms. */
  readonly eventLoopDelayMs: number;
}

export interface ExchangeConnections {
  readonly connected: number;
  readonly total: number;
  readonly circuitBreakerState: CircuitState;
  readonly totalReconnects: number;
}

/** `websocketConnections`: every adapter's WebSocket connections, summed. */
export interface WebsocketConnectionsHealth extends ComponentHealth {
  /** Connections in state `open`. */
  readonly connected: number;
  readonly total: number;
  /** The worst circuit over all connections: `open` if any is open, else `half_open` if any is, else `closed`. */
  readonly circuitBreakerState: CircuitState;
  readonly totalReconnects: number;
  readonly byState: Readonly<Partial<Record<ConnectionState, number>>>;
  readonly byKind: Readonly<Partial<Record<ConnectionKind, number>>>;
  readonly exchanges: Readonly<Record<ExchangeId, ExchangeConnections>>;
}

export interface StaleStream {
  readonly key: string;
  readonly exchange: ExchangeId;
  readonly symbol: string;
  readonly kind: StreamKind;
  /**
   * `quiet`: no message for longer than the threshold; `resyncing`: reported by its adapter as being
   * rebuilt (a local order book after a gap or a reconnect) for longer than the threshold;
   * `syncing`: not built for longer than the threshold since it was subscribed.
   */
  readonly cause: 'quiet' | 'resyncing' | 'syncing';
  /** Time since the last message (or since subscribing, before the first one), ms. */
  readonly quietMs: number;
  readonly thresholdMs: number;
  /** False when the stream never delivered a message since it was subscribed. */
  readonly everReceived: boolean;
  /** While its adapter reports the data untrustworthy (being rebuilt or not yet built): for how long, ms. */
  readonly unsyncedMs?: number;
  /** Why it is being rebuilt, as its adapter says (`gap`, `crossed`, `disconnected: …`). */
  readonly reason?: string;
}

/** A stream its adapter reports as being rebuilt (a local order book), for no longer than its threshold yet. */
export interface ResyncingStream {
  readonly key: string;
  readonly exchange: ExchangeId;
  readonly symbol: string;
  readonly kind: StreamKind;
  /** How long it has been rebuilt, ms. */
  readonly resyncingMs: number;
  /** Beyond this it counts as stale. */
  readonly thresholdMs: number;
  readonly reason?: string;
}

/** `marketData`: freshness of every subscribed market-data stream. */
export interface MarketDataHealth extends ComponentHealth {
  readonly streams: number;
  /** Neither stale nor resyncing. */
  readonly fresh: number;
  readonly stale: number;
  /** Being rebuilt (not fresh, whatever frames arrive), for less than their threshold so far. */
  readonly resyncing: number;
  /**
   * Subscribed, within their threshold, but no message yet (for a book: not built yet). Counted as
   * fresh.
   */
  readonly awaitingFirstMessage: number;
  /** The stalest streams first, at most 20. */
  readonly staleStreams: readonly StaleStream[];
  /** The longest rebuilding streams first, at most 20. */
  readonly resyncingStreams: readonly ResyncingStream[];
}

export interface ExchangeRateLimit {
  readonly usedWeight: number;
  readonly weightLimit: number;
  /** usedWeight / weightLimit, 0…1 (three decimals). */
  readonly usage: number;
  readonly queued: number;
  readonly banned: boolean;
  readonly bannedUntil?: number;
  readonly backingOff: boolean;
  readonly backoffUntil?: number;
}

/** `rateLimits`: request weight and bans per exchange. */
export interface RateLimitsHealth extends ComponentHealth {
  /** The highest usage over the exchanges, 0…1. */
  readonly usage: number;
  readonly banned: boolean;
  readonly exchanges: Readonly<Record<ExchangeId, ExchangeRateLimit>>;
}

export interface ExchangeClock {
  readonly offsetMs: number;
  readonly roundTripMs: number;
  readonly lastSyncAt?: number;
  readonly syncAgeMs?: number;
}

/** `clockSkew`: how far the local clock is from each venue's. */
export interface ClockSkewHealth extends ComponentHealth {
  /** The largest absolute offset over the exchanges, ms. */
  readonly offsetMs: number;
  readonly exchanges: Readonly<Record<ExchangeId, ExchangeClock>>;
}

/** `tradingSystem`, as contributed by @venuekit/trading. */
export interface TradingSystemHealth extends ComponentHealth {
  readonly totalUsers: number;
  readonly activeConnections: number;
}

/** The components by name. Built-in ones are typed; contributed ones are plain ComponentHealth. */
export interface HealthComponents {
  readonly application?: ApplicationHealth | CheckFailure;
  readonly websocketConnections?: WebsocketConnectionsHealth | CheckFailure;
  readonly marketData?: MarketDataHealth | CheckFailure;
  readonly rateLimits?: RateLimitsHealth | CheckFailure;
  readonly clockSkew?: ClockSkewHealth | CheckFailure;
  readonly tradingSystem?: TradingSystemHealth | CheckFailure;
  readonly [name: string]: ComponentHealth | undefined;
}

export interface SystemHealth {
  readonly status: HealthStatus;
  /** When the check started, epoch ms. */
  readonly timestamp: number;
  /** How long the whole check took, ms. */
  readonly durationMs: number;
  /** Which roll-up rule decided the status and which components caused it. */
  readonly reason: RollUp;
  readonly components: HealthComponents;
}

export interface Readiness {
  readonly ready: boolean;
  readonly status: HealthStatus;
  readonly timestamp: number;
  /** Why not ready: `draining`, or the components that made the system status what it is. */
  readonly reasons: readonly string[];
}

/** The names of the built-in components. */
export const BUILTIN_COMPONENTS = [
  'application',
  'websocketConnections',
  'marketData',
  'rateLimits',
  'clockSkew',
] as const;
export type BuiltinComponent = (typeof BUILTIN_COMPONENTS)[number];
