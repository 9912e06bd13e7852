import type {
  Clock,
  OrderBookSnapshot,
  OrderBookUpdate,
  ReadonlyOrderBook,
  StreamStatus,
  TimerHandle,
} from '@venuekit/core';

/**
 * Samples an order book at an interval: at each tick, when the book changed since the last sample
 * and is not stale (being rebuilt after a gap or a reconnect), its top `levels` are copied. A copy
 * is taken only at the tick, never per update, so a fast book costs one pointer write per update.
 */
export class BookSampler {
  readonly #clock: Clock;
  readonly #levels: number;
  readonly #emit: (snapshot: OrderBookSnapshot) => void;
  #book: ReadonlyOrderBook | undefined;
  #snapshot: OrderBookSnapshot | undefined;
  #dirty = false;
  #stale = false;
  #timer: TimerHandle | undefined;
  /** Samples taken. */
  samples = 0;
  /** Ticks skipped because the book was stale. */
  skippedStale = 0;

  constructor(options: {
    clock: Clock;
    intervalMs: number;
    levels: number;
    emit: (snapshot: OrderBookSnapshot) => void;
  }) {
    this.#clock = options.clock;
    this.#levels = options.levels;
    this.#emit = options.emit;
    this.#timer = options.clock.setInterval(() => this.sample(), options.intervalMs);
  }

  /** A full-book stream's update (`book` is live; only the reference is kept). */
  update(update: OrderBookUpdate): void {
    this.#book = update.book;
    this.#snapshot = undefined;
    this.#dirty = true;
    if (update.resynced) this.#stale = false;
  }

  /** A partial-book stream's snapshot. */
  snapshot(snapshot: OrderBookSnapshot): void {
    this.#snapshot = snapshot;
    this.#book = undefined;
    this.#dirty = true;
  }

  status(status: StreamStatus): void {
    if (status.type === 'stale' || status.type === 'reconnecting' || status.type === 'gap')
      this.#stale = true;
    else if (status.type === 'resynced' || status.type === 'resubscribed' || status.type === 'subscribed') {
      this.#stale = false;
    }
  }

  sample(): void {
    if (!this.#dirty) return;
    if (this.#stale) {
      this.skippedStale++;
      return;
    }
    this.#dirty = false;
    const snapshot = this.#book ? this.#book.snapshot(this.#levels) : this.#trim(this.#snapshot);
    if (!snapshot) return;
    this.samples++;
    this.#emit(snapshot);
  }

  #trim(snapshot: OrderBookSnapshot | undefined): OrderBookSnapshot | undefined {
    if (!snapshot || (snapshot.bids.length <= this.#levels && snapshot.asks.length <= this.#levels))
      return snapshot;
    return {
      ...snapshot,
      bids: snapshot.bids.slice(0, this.#levels),
      asks: snapshot.asks.slice(0, this.#levels),
    };
  }

  stop(): void {
    this.#clock.clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
