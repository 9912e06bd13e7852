import type { Clock, TimerHandle } from '@venuekit/core';

interface Timer {
  readonly id: number;
  at: number;
  readonly every: number | null;
  readonly callback: () => void;
  /** The real timer, once the clock is live. */
  real?: ReturnType<typeof setTimeout>;
}

/**
 * A clock that starts in the past and runs a stretch of history as fast as the machine can,
 * then becomes the system clock. The demo gives it to the fake exchange so that the market
 * has a few minutes of trades and candles before anyone connects: the chart is not empty
 * when the page opens. Timers set during the warm-up carry over to real time when it ends.
 */
export class WarmupClock implements Clock {
  readonly #timers = new Map<number, Timer>();
  readonly #realNow: () => number;
  #virtualNow: number;
  #live = false;
  #nextId = 1;

  /** Starts `historyMs` before now, in virtual time. */
  constructor(historyMs: number, realNow: () => number = Date.now) {
    this.#virtualNow = realNow() - historyMs;
    this.#realNow = realNow;
  }

  get live(): boolean {
    return this.#live;
  }

  /** Timers not yet fired or cleared. */
  get pendingTimers(): number {
    return this.#timers.size;
  }

  now(): number {
    return this.#live ? this.#realNow() : this.#virtualNow;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    return this.#add(callback, ms, null);
  }

  setInterval(callback: () => void, ms: number): TimerHandle {
    return this.#add(callback, ms, Math.max(1, ms));
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    if (handle === undefined) return;
    const timer = this.#timers.get(handle as unknown as number);
    if (!timer) return;
    this.#timers.delete(timer.id);
    if (timer.real !== undefined) clearTimeout(timer.real);
  }

  clearInterval(handle: TimerHandle | undefined): void {
    this.clearTimeout(handle);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = () => {
        this.clearTimeout(handle);
        reject(signal?.reason);
      };
      const handle = this.setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * Runs the history: fires every timer that falls due, in time order, until virtual time has
   * caught up with real time; then the clock is live and timers run on real time.
   */
  async catchUp(): Promise<void> {
    if (this.#live) return;
    for (;;) {
      const target = this.#realNow();
      for (;;) {
        // Let promise callbacks and I/O of the previous timer settle, as real time would.
        await new Promise<void>((resolve) => setImmediate(resolve));
        const next = this.#nextDue(target);
        if (!next) break;
        this.#virtualNow = Math.max(this.#virtualNow, next.at);
        if (next.every === null) this.#timers.delete(next.id);
        else next.at += next.every;
        next.callback();
      }
      this.#virtualNow = Math.max(this.#virtualNow, target);
      // Real time moved while we ran: go again until the remaining stretch is negligible.
      if (this.#realNow() - this.#virtualNow < 5) break;
    }
    this.#live = true;
    for (const timer of this.#timers.values()) this.#arm(timer);
  }

  #add(callback: () => void, ms: number, every: number | null): TimerHandle {
    const id = this.#nextId++;
    const timer: Timer = { id, at: this.now() + Math.max(0, ms), every, callback };
    this.#timers.set(id, timer);
    if (this.#live) this.#arm(timer);
    return id as unknown as TimerHandle;
  }

  /** Puts a timer on real time (at its due time, which may be now). */
  #arm(timer: Timer): void {
    const delay = Math.max(0, timer.at - this.#realNow());
    timer.real = setTimeout(() => {
      if (!this.#timers.has(timer.id)) return;
      if (timer.every === null) {
        this.#timers.delete(timer.id);
      } else {
        timer.at = Math.max(timer.at + timer.every, this.#realNow());
        this.#arm(timer);
      }
      timer.callback();
    }, delay);
  }

  #nextDue(limit: number): Timer | undefined {
    let best: Timer | undefined;
    for (const timer of this.#timers.values()) {
      if (
        timer.at <= limit &&
        (!best || timer.at < best.at || (timer.at === best.at && timer.id < best.id))
      ) {
        best = timer;
      }
    }
    return best;
  }
}
