import { type Clock, createTelemetryChannel, type Logger, type TimerHandle } from '@venuekit/core';
import type { LossReason } from './writer/buffer';

/** The recorder's database connection: `up` writes, `down` buffers (the spill buffer), `closed` is final. */
export type DatabaseState = 'connecting' | 'up' | 'down' | 'closed';

/** Rows not recorded, summed over at most `lossReportIntervalMs` (published at once for the first one). */
export interface RecorderLossEvent {
  recorderId: string;
  schema: string;
  /** The structure (`trade`, `order`, `rawMarketFrame`…). */
  structure: string;
  table: string;
  reason: LossReason;
  count: number;
  /** Every row this recorder lost so far, all reasons. */
  totalLost: number;
}

export interface RecorderDatabaseEvent {
  recorderId: string;
  schema: string;
  state: DatabaseState;
  /** Why it went down (message and SQLSTATE; never credentials). */
  error?: string;
  /** Rows waiting in the buffer now. */
  bufferedRows: number;
  /** With `up` after an outage: how long the database was away. */
  downForMs?: number;
}

export interface RecorderBatchEvent {
  recorderId: string;
  schema: string;
  rows: number;
  durationMs: number;
  /** Rows per table in the batch. */
  tables: Readonly<Record<string, number>>;
}

/** The recorder's telemetry channels (node:diagnostics_channel, like core's `telemetry`). */
export const recorderTelemetry = {
  loss: createTelemetryChannel<RecorderLossEvent>('venuekit:recorder:loss'),
  database: createTelemetryChannel<RecorderDatabaseEvent>('venuekit:recorder:database'),
  batch: createTelemetryChannel<RecorderBatchEvent>('venuekit:recorder:batch'),
} as const;

/**
 * Reports losses without flooding: the first loss after a quiet interval is logged and published at
 * once, later ones are summed and reported every `intervalMs`. Counting itself is exact and immediate.
 */
export class LossReporter {
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #intervalMs: number;
  readonly #base: { recorderId: string; schema: string };
  readonly #pending = new Map<
    string,
    { structure: string; table: string; reason: LossReason; count: number }
  >();
  #timer: TimerHandle | undefined;
  #totalLost = 0;

  constructor(options: {
    clock: Clock;
    logger: Logger;
    intervalMs: number;
    recorderId: string;
    schema: string;
  }) {
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#intervalMs = options.intervalMs;
    this.#base = { recorderId: options.recorderId, schema: options.schema };
  }

  lost(structure: string, table: string, reason: LossReason, count: number): void {
    this.#totalLost += count;
    const key = `${structure}\u0000${reason}`;
    const entry = this.#pending.get(key);
    if (entry) entry.count += count;
    else this.#pending.set(key, { structure, table, reason, count });
    if (this.#timer === undefined) {
      this.#report();
      this.#timer = this.#clock.setTimeout(() => this.#tick(), this.#intervalMs);
    }
  }

  #tick(): void {
    this.#timer = undefined;
    if (this.#pending.size === 0) return;
    this.#report();
    this.#timer = this.#clock.setTimeout(() => this.#tick(), this.#intervalMs);
  }

  #report(): void {
    for (const entry of this.#pending.values()) {
      this.#logger.error('recorder lost rows', { ...entry, totalLost: this.#totalLost });
      recorderTelemetry.loss.publish({ ...this.#base, ...entry, totalLost: this.#totalLost });
    }
    this.#pending.clear();
  }

  /** Reports what is pending now and stops the timer. */
  close(): void {
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.size > 0) this.#report();
  }
}
