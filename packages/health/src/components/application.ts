import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import type { HealthStatus } from '@venuekit/core';
import type { ApplicationHealth } from '../types';

export interface ApplicationCheckOptions {
  /** `degraded` from this resident memory, MiB. Default: none. */
  readonly memoryDegradedMb?: number;
  /** `unhealthy` from this resident memory, MiB. Default: none. */
  readonly memoryUnhealthyMb?: number;
  /**
   * `degraded` when the 99th percentile event-loop delay since the previous check reaches this, ms.
   * A blocked loop delays every message and timer. Default 1000.
   */
  readonly eventLoopDelayDegradedMs?: number;
}

const MiB = 1024 * 1024;

/**
 * `application`: uptime, memory and event-loop delay of the process. Rules:
 * unhealthy from `memoryUnhealthyMb`; degraded from `memoryDegradedMb` or
 * `eventLoopDelayDegradedMs`; healthy otherwise.
 */
export class ApplicationCheck {
  readonly #options: ApplicationCheckOptions;
  readonly #delay: IntervalHistogram;
  #closed = false;

  constructor(options: ApplicationCheckOptions = {}) {
    this.#options = options;
    // A libuv timer sampling every 20 ms; it does not keep the process alive.
    this.#delay = monitorEventLoopDelay({ resolution: 20 });
    this.#delay.enable();
  }

  check(): ApplicationHealth {
    const memory = process.memoryUsage();
    const memoryMb = round1(memory.rss / MiB);
    // The histogram holds nanoseconds; it is empty (NaN/0) until it has samples.
    const p99 = this.#delay.count > 0 ? this.#delay.percentile(99) / 1e6 : 0;
    this.#delay.reset();
    const eventLoopDelayMs = round1(p99);
    const { memoryDegradedMb, memoryUnhealthyMb, eventLoopDelayDegradedMs = 1000 } = this.#options;
    let status: HealthStatus = 'healthy';
    if (memoryUnhealthyMb !== undefined && memoryMb >= memoryUnhealthyMb) status = 'unhealthy';
    else if (memoryDegradedMb !== undefined && memoryMb >= memoryDegradedMb) status = 'degraded';
    else if (eventLoopDelayMs >= eventLoopDelayDegradedMs) status = 'degraded';
    return {
      status,
      uptimeMs: Math.round(process.uptime() * 1000),
      memoryMb,
      heapUsedMb: round1(memory.heapUsed / MiB),
      eventLoopDelayMs,
    };
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#delay.disable();
  }
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
