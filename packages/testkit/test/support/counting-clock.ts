import { type Clock, SystemClock, type TimerHandle } from '@venuekit/core';

/** The system clock, counting the timers and intervals that are still scheduled. */
export class CountingClock extends SystemClock {
  readonly #live = new Set<TimerHandle>();

  get liveTimers(): number {
    return this.#live.size;
  }

  override setTimeout(callback: () => void, ms: number): TimerHandle {
    const handle: TimerHandle = super.setTimeout(() => {
      this.#live.delete(handle);
      callback();
    }, ms);
    this.#live.add(handle);
    return handle;
  }

  override clearTimeout(handle: TimerHandle | undefined): void {
    if (handle !== undefined) this.#live.delete(handle);
    super.clearTimeout(handle);
  }

  override setInterval(callback: () => void, ms: number): TimerHandle {
    const handle = super.setInterval(callback, ms);
    this.#live.add(handle);
    return handle;
  }

  override clearInterval(handle: TimerHandle | undefined): void {
    if (handle !== undefined) this.#live.delete(handle);
    super.clearInterval(handle);
  }
}

export type { Clock };
