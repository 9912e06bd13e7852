import { type Clock, type ComponentHealth, type HealthContributor, systemClock } from '@venuekit/core';
import type { RecorderFigures } from './recorder';

export interface RecorderHealthOptions {
  /** A loss this recent keeps the component degraded (unhealthy for buffer overflow). Default 300 000 ms. */
  readonly lossWindowMs?: number;
  /** The component name. Default `recorder`. */
  readonly component?: string;
  readonly clock?: Clock;
}

/** What the health contributor reads: the recorder's figures and whether it is closed. */
export interface RecorderHealthSource {
  figures(): RecorderFigures;
  readonly closed: boolean;
}

/**
 * The recorder's health (`checkSystem().components.recorder`):
 * - unhealthy: closed; the schema is not migrated; the database is away with the buffer 90 % full;
 *   rows lost to a full buffer or to a stream that fell behind, within `lossWindowMs`.
 * - degraded: the database is away (rows are being buffered) or not yet reached; the buffer is above
 *   its high-water mark (pushing back on streams); rows refused by the database or left at close,
 *   within `lossWindowMs`.
 * - healthy: writing, nothing lost recently.
 */
export class RecorderHealth implements HealthContributor {
  readonly component: string;
  readonly #source: RecorderHealthSource;
  readonly #lossWindowMs: number;
  readonly #clock: Clock;

  constructor(source: RecorderHealthSource, options: RecorderHealthOptions = {}) {
    this.#source = source;
    this.component = options.component ?? 'recorder';
    this.#lossWindowMs = options.lossWindowMs ?? 300_000;
    this.#clock = options.clock ?? systemClock;
  }

  check(): ComponentHealth {
    const f = this.#source.figures();
    const now = this.#clock.now();
    const usage = f.capacity === 0 ? 0 : f.buffered / f.capacity;
    const recent = (reason: keyof typeof f.lastLossAt) => {
      const at = f.lastLossAt[reason];
      return at !== undefined && now - at <= this.#lossWindowMs;
    };
    const recentLoss =
      f.lastLoss !== undefined && now - f.lastLoss.at <= this.#lossWindowMs ? f.lastLoss : undefined;
    let status: ComponentHealth['status'] = 'healthy';
    let reason: string | undefined;
    if (this.#source.closed || f.state === 'closed') {
      status = 'unhealthy';
      reason = 'the recorder is closed';
    } else if (f.schemaError !== undefined) {
      status = 'unhealthy';
      reason = f.schemaError;
    } else if (f.state === 'down' && usage >= 0.9) {
      status = 'unhealthy';
      reason = `database unreachable and the buffer is ${Math.round(usage * 100)} % full`;
    } else if (recent('overflow')) {
      status = 'unhealthy';
      reason = 'rows were lost: the buffer was full';
    } else if (recent('stream_queue')) {
      status = 'unhealthy';
      reason = 'rows were lost: recorded streams fell behind the database';
    } else if (f.state === 'down') {
      status = 'degraded';
      reason = 'database unreachable: rows are kept in the buffer';
    } else if (f.state === 'connecting') {
      status = 'degraded';
      reason = 'connecting to the database';
    } else if (f.buffered >= f.highWaterMark) {
      status = 'degraded';
      reason = 'behind: the buffer is above its high-water mark, recorded streams are slowed down';
    } else if (recentLoss) {
      status = 'degraded';
      reason = `rows were lost (${recentLoss.reason})`;
    }
    return {
      status,
      ...(reason === undefined ? {} : { reason }),
      database: f.database,
      schema: f.schema,
      state: f.state,
      bufferedRows: f.buffered,
      capacity: f.capacity,
      bufferUsage: Math.round(usage * 1000) / 1000,
      written: f.written,
      lost: f.lost,
      lostByReason: f.lostByReason,
      ...(f.downSince === undefined ? {} : { downForMs: now - f.downSince }),
      ...(f.lastError === undefined ? {} : { lastError: f.lastError }),
      ...(f.lastLoss === undefined ? {} : { lastLossAt: f.lastLoss.at }),
      ...(f.lastBatch === undefined ? {} : { lastBatch: f.lastBatch }),
      streams: f.streams.length,
      users: f.users.length,
    };
  }
}
