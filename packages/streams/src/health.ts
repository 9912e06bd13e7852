import type {
  Clock,
  ComponentHealth,
  HealthContributor,
  HealthStatus,
  StreamFreshnessState,
  StreamKind,
  StreamStaleCause,
} from '@venuekit/core';
import { scrubSecrets, streamFreshness, systemClock, ValidationError } from '@venuekit/core';
import type { StreamFigures } from './types';

export interface StreamsHealthOptions {
  /**
   * A stream with no message for this long is stale; so is a book rebuilt (or not built) for this
   * long. Default 60 s.
   */
  readonly staleAfterMs?: number;
  /** Per-kind overrides, e.g. `{ trades: 300_000 }` for quiet markets. */
  readonly staleAfterMsByKind?: Partial<Record<StreamKind, number>>;
  readonly clock?: Clock;
}

interface FiguresSource {
  figures(): StreamFigures[];
}

/** One stream as `marketDataStreams` reports it, in `details`. */
export interface StreamHealthDetail {
  readonly topic: string;
  readonly lastMessageAt: number | undefined;
  /** Time since the last message (or since subscribing, before the first one), ms. */
  readonly quietMs: number;
  /** `fresh`, `awaitingFirstMessage` (counted as fresh), `resyncing` (a book being rebuilt) or `stale`. */
  readonly state: StreamFreshnessState;
  readonly stale: boolean;
  /** Set when stale: `quiet`, `resyncing` (rebuilt for too long) or `syncing` (not built for too long). */
  readonly cause?: StreamStaleCause;
  /** While the book is being rebuilt or not built yet: for how long, ms. */
  readonly unsyncedMs?: number;
  /** Why the book is being rebuilt, as its adapter says (`gap`, `crossed`, `disconnected: …`). */
  readonly reason?: string;
  readonly messagesPerSecond: number;
  readonly dropped: number;
}

/** What `marketDataStreams` reports. */
export interface StreamsHealthReport extends ComponentHealth {
  readonly streams: number;
  /** How many streams are stale. */
  readonly staleStreams: number;
  /** How many books are being rebuilt, for no longer than their threshold so far (not fresh, not stale yet). */
  readonly resyncing: number;
  readonly details: readonly StreamHealthDetail[];
}

/**
 * Market-data freshness for health checks, by the same rule as the health package's `marketData`
 * (core's `streamFreshness`): a shared stream is stale once it has been quiet too long, or once its
 * book has been rebuilt (or not built) for that long; a book being rebuilt is never fresh, however
 * many messages arrive. Degraded when some streams are stale or being rebuilt, unhealthy when all of
 * them are stale.
 */
export class StreamsHealth implements HealthContributor {
  readonly component = 'marketDataStreams';
  readonly #source: FiguresSource;
  readonly #staleAfterMs: number;
  readonly #byKind: Partial<Record<StreamKind, number>>;
  readonly #clock: Clock;

  constructor(source: FiguresSource, options: StreamsHealthOptions = {}) {
    this.#source = source;
    this.#staleAfterMs = checkMs(options.staleAfterMs ?? 60_000, 'staleAfterMs');
    this.#byKind = { ...options.staleAfterMsByKind };
    for (const [kind, ms] of Object.entries(this.#byKind)) checkMs(ms, `staleAfterMsByKind.${kind}`);
    this.#clock = options.clock ?? systemClock;
  }

  check(): StreamsHealthReport {
    const now = this.#clock.now();
    let stale = 0;
    let resyncing = 0;
    const details = this.#source.figures().map((figures): StreamHealthDetail => {
      const limit = this.#byKind[figures.kind] ?? this.#staleAfterMs;
      const judged = streamFreshness(figures, now, limit);
      if (judged.state === 'stale') stale++;
      else if (judged.state === 'resyncing') resyncing++;
      return {
        topic: figures.topic,
        lastMessageAt: figures.lastMessageAt,
        quietMs: judged.quietMs,
        state: judged.state,
        stale: judged.state === 'stale',
        ...(judged.cause === undefined ? {} : { cause: judged.cause }),
        ...(judged.unsyncedMs === undefined ? {} : { unsyncedMs: judged.unsyncedMs }),
        ...(figures.sync === 'stale' && figures.staleReason !== undefined
          ? { reason: scrubSecrets(figures.staleReason) }
          : {}),
        messagesPerSecond: figures.messagesPerSecond,
        dropped: figures.dropped,
      };
    });
    let status: HealthStatus = 'healthy';
    if (stale > 0 && stale === details.length) status = 'unhealthy';
    else if (stale > 0 || resyncing > 0) status = 'degraded';
    return { status, streams: details.length, staleStreams: stale, resyncing, details };
  }
}

function checkMs(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ValidationError('INVALID_PARAMETER', {
      field,
      rule: 'must be a positive number of milliseconds',
    });
  }
  return value;
}
