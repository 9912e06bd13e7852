import type { Clock, TimerHandle } from '@venuekit/core';

/**
 * The server's clock: the given clock plus an adjustable skew, so the "skew the server clock"
 * fault moves every server timestamp (`serverTime`, `E`, `transactTime`) and the timestamp /
 * recvWindow check together. Timers run on the underlying clock unchanged.
 */
export class SkewedClock implements Clock {
  readonly base: Clock;
  skewMs = 0;

  constructor(base: Clock) {
    this.base = base;
  }

  now(): number {
    return this.base.now() + this.skewMs;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    return this.base.setTimeout(callback, ms);
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    this.base.clearTimeout(handle);
  }

  setInterval(callback: () => void, ms: number): TimerHandle {
    return this.base.setInterval(callback, ms);
  }

  clearInterval(handle: TimerHandle | undefined): void {
    this.base.clearInterval(handle);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return this.base.sleep(ms, signal);
  }
}
