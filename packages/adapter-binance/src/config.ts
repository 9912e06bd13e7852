import { ValidationError } from '@venuekit/core';
import { BINANCE_ENVIRONMENTS, BINANCE_URLS, type BinanceEnvironment, type BinanceUrls } from './urls';

/**
 * Everything the Binance adapter can be told, as plain data. Environment
 * variables are read in env.ts only (`binanceConfigFromEnv`), never here.
 */
export interface BinanceConfig {
  /** `prod`, `testnet` or `demo`. Default `prod`. */
  readonly environment: BinanceEnvironment;
  /** The environment's urls with any overrides applied. */
  readonly urls: BinanceUrls;
  readonly rest: BinanceRestConfig;
  readonly streams: BinanceStreamsConfig;
  readonly orderBook: BinanceOrderBookConfig;
  readonly instruments: BinanceInstrumentsConfig;
}

export interface BinanceRestConfig {
  /** Per request. Default 10 000 ms. */
  readonly timeoutMs: number;
}

export interface BinanceReconnectConfig {
  /** First reconnect delay. Default 250 ms; grows ×2 per failed attempt with jitter. */
  readonly initialDelayMs: number;
  /** Largest reconnect delay. Default 30 000 ms. */
  readonly maxDelayMs: number;
  /** Consecutive failed attempts that open the circuit breaker. Default 8. */
  readonly circuitFailureThreshold: number;
  /** How long an open circuit waits before one probe. Default 30 000 ms. */
  readonly circuitOpenMs: number;
}

export interface BinanceStreamsConfig {
  /** Binance allows 1024 streams per connection; more are sharded across connections. */
  readonly maxStreamsPerConnection: number;
  /** Binance disconnects above 5 incoming messages per second (pings, pongs and control messages). */
  readonly maxControlMessagesPerSecond: number;
  /** Stream names per SUBSCRIBE/UNSUBSCRIBE message. Default 1024: as few messages as possible. */
  readonly maxStreamsPerMessage: number;
  /** How long a SUBSCRIBE/UNSUBSCRIBE may stay unanswered before the connection is recycled. Default 10 000 ms. */
  readonly requestTimeoutMs: number;
  /** Handshake deadline per connection attempt. Default 10 000 ms. */
  readonly connectTimeoutMs: number;
  /** No frame at all (data, ping, pong) for this long: the connection is recycled. Default 30 000 ms. */
  readonly silenceTimeoutMs: number;
  /** After this long without a frame we ping. Default 10 000 ms. */
  readonly pingIntervalMs: number;
  /** Our ping must be answered within this. Default 10 000 ms. */
  readonly pongTimeoutMs: number;
  /** Connections are rotated (new one first, no gap) before this age. Binance ends them at 24 h. Default 23 h. */
  readonly maxLifetimeMs: number;
  /** How long an out-of-order trade or depth update may wait for the missing ones. Default 500 ms. */
  readonly reorderWindowMs: number;
  /** After a reconnect, fetch trades missed during the outage from REST. Default true. */
  readonly backfillTrades: boolean;
  /** Binance allows 300 connection attempts per 5 minutes per IP. */
  readonly maxConnectionAttempts: number;
  readonly connectionAttemptWindowMs: number;
  readonly reconnect: BinanceReconnectConfig;
}

export interface BinanceOrderBookConfig {
  /** Levels per side of the REST snapshot a book starts from (max 5000). Default 5000. */
  readonly snapshotLimit: number;
  /** Diff events kept while the snapshot is fetched; beyond it the sync restarts. Default 10 000. */
  readonly maxBufferedUpdates: number;
  /** Backoff between resync attempts. Default 250 ms growing to 30 000 ms. */
  readonly resyncInitialDelayMs: number;
  readonly resyncMaxDelayMs: number;
}

export interface BinanceInstrumentsConfig {
  /** Re-fetch exchangeInfo when the cached copy is older than this; 0 = keep until `refresh`. Default 0. */
  readonly ttlMs: number;
}

type DeepPartial<T> = { readonly [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

/** What a user passes: any subset of BinanceConfig; `urls` entries override the environment's. */
export type BinanceConfigInput = DeepPartial<BinanceConfig>;

export const DEFAULT_BINANCE_CONFIG: Omit<BinanceConfig, 'urls'> = Object.freeze({
  environment: 'prod',
  rest: Object.freeze({ timeoutMs: 10_000 }),
  streams: Object.freeze({
    maxStreamsPerConnection: 1024,
    maxControlMessagesPerSecond: 5,
    maxStreamsPerMessage: 1024,
    requestTimeoutMs: 10_000,
    connectTimeoutMs: 10_000,
    silenceTimeoutMs: 30_000,
    pingIntervalMs: 10_000,
    pongTimeoutMs: 10_000,
    maxLifetimeMs: 23 * 3_600_000,
    reorderWindowMs: 500,
    backfillTrades: true,
    maxConnectionAttempts: 300,
    connectionAttemptWindowMs: 300_000,
    reconnect: Object.freeze({
      initialDelayMs: 250,
      maxDelayMs: 30_000,
      circuitFailureThreshold: 8,
      circuitOpenMs: 30_000,
    }),
  }),
  orderBook: Object.freeze({
    snapshotLimit: 5000,
    maxBufferedUpdates: 10_000,
    resyncInitialDelayMs: 250,
    resyncMaxDelayMs: 30_000,
  }),
  instruments: Object.freeze({ ttlMs: 0 }),
});

/**
 * Merges a user's config over the defaults and checks it. Throws a
 * ValidationError naming the field and the rule for anything that cannot work.
 */
export function resolveBinanceConfig(input: BinanceConfigInput = {}): BinanceConfig {
  if (typeof input !== 'object' || input === null) {
    throw new ValidationError('INVALID_PARAMETER', { field: 'config', rule: 'must be an object' });
  }
  const environment = input.environment ?? DEFAULT_BINANCE_CONFIG.environment;
  if (!BINANCE_ENVIRONMENTS.includes(environment)) {
    throw new ValidationError('INVALID_PARAMETER', {
      field: 'environment',
      rule: `must be one of ${BINANCE_ENVIRONMENTS.join(', ')}`,
    });
  }
  const base = BINANCE_URLS[environment];
  const urls: BinanceUrls = {
    rest: checkUrl(input.urls?.rest ?? base.rest, 'urls.rest', ['http:', 'https:']),
    streams: checkUrl(input.urls?.streams ?? base.streams, 'urls.streams', ['ws:', 'wss:']),
    wsApi: checkUrl(input.urls?.wsApi ?? base.wsApi, 'urls.wsApi', ['ws:', 'wss:']),
  };
  const d = DEFAULT_BINANCE_CONFIG;
  const s = input.streams ?? {};
  const r = s.reconnect ?? {};
  const ob = input.orderBook ?? {};
  const config: BinanceConfig = {
    environment,
    urls,
    rest: { timeoutMs: int(input.rest?.timeoutMs, d.rest.timeoutMs, 'rest.timeoutMs', 1) },
    streams: {
      maxStreamsPerConnection: int(
        s.maxStreamsPerConnection,
        d.streams.maxStreamsPerConnection,
        'streams.maxStreamsPerConnection',
        1,
        1024,
      ),
      maxControlMessagesPerSecond: int(
        s.maxControlMessagesPerSecond,
        d.streams.maxControlMessagesPerSecond,
        'streams.maxControlMessagesPerSecond',
        2,
        5,
      ),
      maxStreamsPerMessage: int(
        s.maxStreamsPerMessage,
        d.streams.maxStreamsPerMessage,
        'streams.maxStreamsPerMessage',
        1,
        1024,
      ),
      requestTimeoutMs: int(s.requestTimeoutMs, d.streams.requestTimeoutMs, 'streams.requestTimeoutMs', 1),
      connectTimeoutMs: int(s.connectTimeoutMs, d.streams.connectTimeoutMs, 'streams.connectTimeoutMs', 1),
      silenceTimeoutMs: int(s.silenceTimeoutMs, d.streams.silenceTimeoutMs, 'streams.silenceTimeoutMs', 1),
      pingIntervalMs: int(s.pingIntervalMs, d.streams.pingIntervalMs, 'streams.pingIntervalMs', 1),
      pongTimeoutMs: int(s.pongTimeoutMs, d.streams.pongTimeoutMs, 'streams.pongTimeoutMs', 1),
      maxLifetimeMs: int(
        s.maxLifetimeMs,
        d.streams.maxLifetimeMs,
        'streams.maxLifetimeMs',
        1,
        24 * 3_600_000,
      ),
      reorderWindowMs: int(s.reorderWindowMs, d.streams.reorderWindowMs, 'streams.reorderWindowMs', 0),
      backfillTrades: bool(s.backfillTrades, d.streams.backfillTrades, 'streams.backfillTrades'),
      maxConnectionAttempts: int(
        s.maxConnectionAttempts,
        d.streams.maxConnectionAttempts,
        'streams.maxConnectionAttempts',
        1,
      ),
      connectionAttemptWindowMs: int(
        s.connectionAttemptWindowMs,
        d.streams.connectionAttemptWindowMs,
        'streams.connectionAttemptWindowMs',
        1,
      ),
      reconnect: {
        initialDelayMs: int(
          r.initialDelayMs,
          d.streams.reconnect.initialDelayMs,
          'streams.reconnect.initialDelayMs',
          0,
        ),
        maxDelayMs: int(r.maxDelayMs, d.streams.reconnect.maxDelayMs, 'streams.reconnect.maxDelayMs', 1),
        circuitFailureThreshold: int(
          r.circuitFailureThreshold,
          d.streams.reconnect.circuitFailureThreshold,
          'streams.reconnect.circuitFailureThreshold',
          1,
        ),
        circuitOpenMs: int(
          r.circuitOpenMs,
          d.streams.reconnect.circuitOpenMs,
          'streams.reconnect.circuitOpenMs',
          1,
        ),
      },
    },
    orderBook: {
      snapshotLimit: int(ob.snapshotLimit, d.orderBook.snapshotLimit, 'orderBook.snapshotLimit', 1, 5000),
      maxBufferedUpdates: int(
        ob.maxBufferedUpdates,
        d.orderBook.maxBufferedUpdates,
        'orderBook.maxBufferedUpdates',
        1,
      ),
      resyncInitialDelayMs: int(
        ob.resyncInitialDelayMs,
        d.orderBook.resyncInitialDelayMs,
        'orderBook.resyncInitialDelayMs',
        0,
      ),
      resyncMaxDelayMs: int(
        ob.resyncMaxDelayMs,
        d.orderBook.resyncMaxDelayMs,
        'orderBook.resyncMaxDelayMs',
        1,
      ),
    },
    instruments: { ttlMs: int(input.instruments?.ttlMs, d.instruments.ttlMs, 'instruments.ttlMs', 0) },
  };
  return config;
}

function int(
  value: unknown,
  fallback: number,
  field: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError('INVALID_PARAMETER', {
      field,
      rule:
        max === Number.MAX_SAFE_INTEGER
          ? `must be an integer >= ${min}`
          : `must be an integer from ${min} to ${max}`,
    });
  }
  return value;
}

function bool(value: unknown, fallback: boolean, field: string): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean')
    throw new ValidationError('INVALID_PARAMETER', { field, rule: 'must be a boolean' });
  return value;
}

function checkUrl(value: unknown, field: string, protocols: readonly string[]): string {
  let parsed: URL | undefined;
  try {
    parsed = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!parsed || !protocols.includes(parsed.protocol)) {
    throw new ValidationError('INVALID_PARAMETER', {
      field,
      rule: `must be a ${protocols.map((p) => p.replace(':', '')).join('/')} url`,
    });
  }
  // Keep the path (the WebSocket API url has one) but no trailing slash, so clients can append theirs.
  return String(value).replace(/\/+$/, '');
}
