import type { Clock, ComponentHealth, HealthContributor, HealthStatus, StreamKind } from '@venuekit/core';
import { systemClock, ValidationError } from '@venuekit/core';
import type { StreamFigures } from './types';

export interface StreamsHealthOptions {
  /** A stream with no message for this long is stale. Default 60 s. */
  readonly staleAfterMs?: number;
  /** Per-kind overrides, e.g. `{ trades: 300_000 }` for quiet markets. */
  readonly staleAfterMsByKind?: Partial<Record<StreamKind, number>>;
  readonly clock?: Clock;
}

interface FiguresSource {
  figures(): StreamFigures[];
}

/**
 * Market-data freshness for health checks: each shared stream is fresh while
 * messages keep arriving, stale once it has been quiet too long. Degraded when
 * some streams are stale, unhealthy when all of them are.
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

  check(): ComponentHealth {
    const now = this.#clock.now();
    const streams = this.#source.figures().map((figures) => {
      const since = figures.lastMessageAt ?? figures.subscribedAt;
      const quietMs = now - since;
      const limit = this.#byKind[figures.kind] ?? this.#staleAfterMs;
      return {
        topic: figures.topic,
        lastMessageAt: figures.lastMessageAt,
        quietMs,
        stale: quietMs > limit,
        messagesPerSecond: figures.messagesPerSecond,
        dropped: figures.dropped,
      };
    });
    const stale = streams.filter((s) => s.stale).length;
    let status: HealthStatus = 'healthy';
    if (stale > 0) status = stale === streams.length ? 'unhealthy' : 'degraded';
    return { status, streams: streams.length, staleStreams: stale, details: streams };
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
