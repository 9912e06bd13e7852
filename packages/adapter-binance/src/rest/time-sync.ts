import {
  type Clock,
  type ClockSyncStatus,
  type Logger,
  silentLogger,
  systemClock,
  telemetry,
  toVenuekitError,
} from '@venuekit/core';

export interface TimeSyncOptions {
  /** The venue's clock, epoch ms (Binance: `GET /api/v3/time` → `serverTime`). */
  readonly fetchServerTime: () => Promise<number>;
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly exchange?: string;
  /** Samples per synchronisation; the median offset wins. Default 5. */
  readonly samples?: number;
  /** How often to measure again once started; 0 = only on demand. Default 300 000 ms. */
  readonly resyncIntervalMs?: number;
  /** An offset beyond this is logged as a warning about the host clock. Default 1000 ms. */
  readonly warnOffsetMs?: number;
}

interface Sample {
  readonly offsetMs: number;
  readonly roundTripMs: number;
}

/**
 * Keeps an estimate of the venue's clock. Each measurement takes several samples, each
 * assuming the venue read its clock half way through the round trip, and keeps the median
 * offset, so one slow or asymmetric round trip does not move it. Signed requests take their
 * `timestamp` from `now()`; a -1021 answer triggers `resync()`.
 */
export class BinanceTimeSync {
  readonly #fetch: () => Promise<number>;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #exchange: string;
  readonly #samples: number;
  readonly #intervalMs: number;
  readonly #warnOffsetMs: number;
  #offsetMs = 0;
  #roundTripMs = 0;
  #lastSyncAt: number | undefined;
  #running: Promise<ClockSyncStatus> | undefined;
  #timer: ReturnType<Clock['setInterval']> | undefined;
  #closed = false;

  constructor(options: TimeSyncOptions) {
    this.#fetch = options.fetchServerTime;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? silentLogger;
    this.#exchange = options.exchange ?? 'binance';
    this.#samples = Math.max(1, options.samples ?? 5);
    this.#intervalMs = options.resyncIntervalMs ?? 300_000;
    this.#warnOffsetMs = options.warnOffsetMs ?? 1000;
  }

  /** The venue's time now, by our best estimate (epoch ms). */
  now(): number {
    return this.#clock.now() + this.#offsetMs;
  }

  /** Venue time minus local time, ms. */
  get offsetMs(): number {
    return this.#offsetMs;
  }

  get synced(): boolean {
    return this.#lastSyncAt !== undefined;
  }

  status(): ClockSyncStatus {
    return {
      offsetMs: this.#offsetMs,
      roundTripMs: this.#roundTripMs,
      ...(this.#lastSyncAt === undefined ? {} : { lastSyncAt: this.#lastSyncAt }),
    };
  }

  /** Measures the offset now. Concurrent callers share one measurement. */
  resync(): Promise<ClockSyncStatus> {
    this.#running ??= this.#measure().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  /** Measures once if never measured; resolves at once otherwise. */
  async ensureSynced(): Promise<void> {
    if (!this.synced) await this.resync();
  }

  /** Starts periodic resynchronisation (idempotent). Failures are logged, never thrown. */
  start(): void {
    if (this.#closed || this.#timer !== undefined || this.#intervalMs <= 0) return;
    this.#timer = this.#clock.setInterval(() => {
      this.resync().catch((error: unknown) => {
        this.#logger.warn('venue clock resync failed; keeping the previous offset', {
          exchange: this.#exchange,
          error: toVenuekitError(error).code,
        });
      });
    }, this.#intervalMs);
  }

  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) this.#clock.clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async #measure(): Promise<ClockSyncStatus> {
    const samples: Sample[] = [];
    let lastError: unknown;
    for (let i = 0; i < this.#samples && !this.#closed; i++) {
      const sentAt = this.#clock.now();
      try {
        const serverTime = await this.#fetch();
        const receivedAt = this.#clock.now();
        samples.push({ offsetMs: serverTime - (sentAt + receivedAt) / 2, roundTripMs: receivedAt - sentAt });
      } catch (error) {
        lastError = error;
      }
    }
    if (samples.length === 0)
      throw toVenuekitError(lastError ?? new Error('no clock sample'), { exchange: this.#exchange });
    samples.sort((a, b) => a.offsetMs - b.offsetMs);
    const median = samples[Math.floor(samples.length / 2)]!;
    this.#offsetMs = Math.round(median.offsetMs);
    this.#roundTripMs = median.roundTripMs;
    this.#lastSyncAt = this.#clock.now();
    const meta = {
      exchange: this.#exchange,
      offsetMs: this.#offsetMs,
      roundTripMs: this.#roundTripMs,
      samples: samples.length,
    };
    if (Math.abs(this.#offsetMs) > this.#warnOffsetMs) {
      this.#logger.warn(
        'the host clock differs from the venue clock; signed requests use the venue clock',
        meta,
      );
    } else this.#logger.debug('venue clock measured', meta);
    telemetry.clockSync.publish({
      exchange: this.#exchange,
      offsetMs: this.#offsetMs,
      roundTripMs: this.#roundTripMs,
    });
    return this.status();
  }
}
