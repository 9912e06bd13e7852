import { BINANCE_RATE_LIMITS, type RateLimitSettings } from './rate-limits';

/**
 * Every limit the fake Binance enforces. Defaults are Binance's own values (fact sheet §2.1, §3.6);
 * tests shrink them (a 24 h connection lifetime becomes 200 ms) to see a client handle each one.
 */
export interface FakeBinanceLimits extends RateLimitSettings {
  /** Server ping frames on every WebSocket connection (Binance: every 20 s). */
  readonly pingIntervalMs: number;
  /** A connection that has not answered a ping within this time is dropped (Binance: 60 s). */
  readonly pongTimeoutMs: number;
  /** Connections are closed at this age (Binance: 24 h). */
  readonly maxConnectionLifetimeMs: number;
  /** Incoming frames (JSON, ping, pong) per second per market-stream connection (Binance: 5); then close 1008. */
  readonly incomingMessagesPerSecond: number;
  /** Streams per market-stream connection (Binance: 1024). */
  readonly maxStreamsPerConnection: number;
  /** WebSocket connection attempts per IP per window (Binance: 300 per 5 minutes). */
  readonly connectionAttempts: number;
  readonly connectionAttemptsWindowMs: number;
  /** Request weight of opening a WebSocket API connection (Binance: 2). */
  readonly wsApiConnectionWeight: number;
  /** Active user data subscriptions per WebSocket API connection (Binance: 1000). */
  readonly maxUserDataSubscriptions: number;
}

export const BINANCE_LIMITS: FakeBinanceLimits = {
  ...BINANCE_RATE_LIMITS,
  pingIntervalMs: 20_000,
  pongTimeoutMs: 60_000,
  maxConnectionLifetimeMs: 24 * 3_600_000,
  incomingMessagesPerSecond: 5,
  maxStreamsPerConnection: 1024,
  connectionAttempts: 300,
  connectionAttemptsWindowMs: 300_000,
  wsApiConnectionWeight: 2,
  maxUserDataSubscriptions: 1000,
};

/** How often the periodic streams push (Binance's documented update speeds). */
export interface StreamTimings {
  /** `@depth`, `@depthN`, `@ticker`, `@miniTicker`, `@avgPrice` (Binance: 1000 ms). */
  readonly slowMs: number;
  /** `@depth@100ms`, `@depthN@100ms` (Binance: 100 ms). */
  readonly fastMs: number;
  /** `@kline_<interval>` except 1s (Binance: 2000 ms). */
  readonly klineMs: number;
  /** `@kline_1s` (Binance: 1000 ms). */
  readonly kline1sMs: number;
}

export const BINANCE_STREAM_TIMINGS: StreamTimings = {
  slowMs: 1000,
  fastMs: 100,
  klineMs: 2000,
  kline1sMs: 1000,
};
