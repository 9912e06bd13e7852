import type { Clock, StreamObserver, StreamStats, StreamStatus, VenuekitError } from '@venuekit/core';
import type { Subscriber, SubscriberOwner } from './subscriber';
import type { ResolvedRequest, StreamFigures, StreamSourceKind } from './types';

/** Where a shared stream's values come from: an adapter subscription, or a bus topic fed by a gateway. */
export interface StreamSource {
  readonly kind: StreamSourceKind;
  readonly ready: Promise<void>;
  /** The adapter's own figures for the stream (its connection, its reconnect count), when it has them. */
  adapterStats?(): StreamStats | undefined;
  /** Ends the source (the adapter or gateway subscription). */
  close(): Promise<void>;
}

const RATE_WINDOW_MS = 1000;

/**
 * One exchange stream shared by every local subscriber of it (reference
 * counted). Values fan out to each subscriber's own queue; the last subscriber
 * to leave ends the source and frees everything.
 */
export class SharedStream implements SubscriberOwner {
  readonly key: string;
  readonly request: ResolvedRequest;
  readonly subscribedAt: number;
  /** One observer per stream (not per value): the source calls it. */
  readonly observer: StreamObserver<unknown>;
  #subscribers: Subscriber<unknown>[] = [];
  #source: StreamSource | undefined;
  #ready: Promise<void> | undefined;
  readonly #clock: Clock;
  readonly #onEmpty: (stream: SharedStream) => void;
  #closed = false;
  #failure: VenuekitError | undefined;
  #firstMessageAt: number | undefined;
  #lastMessageAt: number | undefined;
  #largestGapMs = 0;
  #messages = 0;
  #windowStart = 0;
  #windowCount = 0;
  #rate = 0;
  #rateAt = 0;
  #reconnects = 0;
  #resyncs = 0;
  #retiredDrops = 0;
  // A book's `stale` status to the next `resynced` (being rebuilt), for a source that does not report `sync`.
  #staleSince: number | undefined;
  #staleReason = '';

  constructor(key: string, request: ResolvedRequest, clock: Clock, onEmpty: (stream: SharedStream) => void) {
    this.key = key;
    this.request = request;
    this.#clock = clock;
    this.#onEmpty = onEmpty;
    this.subscribedAt = clock.now();
    this.observer = {
      next: (value) => this.next(value),
      status: (status) => this.status(status),
      error: (error) => this.fail(error),
    };
  }

  /** Set once, right after creation. `ready` never produces an unhandled rejection. */
  attachSource(source: StreamSource): void {
    this.#source = source;
    const ready = source.ready.then(() => {
      if (this.#failure) throw this.#failure;
    });
    ready.catch(() => {});
    this.#ready = ready;
  }

  get ready(): Promise<void> {
    return this.#ready ?? Promise.resolve();
  }

  get closed(): boolean {
    return this.#closed;
  }

  get failure(): VenuekitError | undefined {
    return this.#failure;
  }

  get subscriberCount(): number {
    return this.#subscribers.length;
  }

  subscribers(): readonly Subscriber<unknown>[] {
    return this.#subscribers;
  }

  add(subscriber: Subscriber<unknown>): boolean {
    if (this.#closed || !subscriber.attach(this)) return false;
    // Copy on write: the fan-out loop may be iterating the current array.
    this.#subscribers = [...this.#subscribers, subscriber];
    return true;
  }

  remove(subscriber: Subscriber<unknown>): void {
    const index = this.#subscribers.indexOf(subscriber);
    if (index < 0) return;
    this.#retiredDrops += subscriber.dropped;
    const rest = this.#subscribers.slice();
    rest.splice(index, 1);
    this.#subscribers = rest;
    if (rest.length === 0 && !this.#closed && !this.#failure) this.#onEmpty(this);
  }

  /** Hot path: one value from the source to every subscriber's queue. */
  next(value: unknown): void {
    if (this.#closed) return;
    const now = this.#clock.now();
    const last = this.#lastMessageAt;
    if (last === undefined) {
      this.#firstMessageAt = now;
      this.#windowStart = now;
    } else if (now - last > this.#largestGapMs) {
      this.#largestGapMs = now - last;
    }
    this.#lastMessageAt = now;
    this.#messages++;
    if (now - this.#windowStart >= RATE_WINDOW_MS) {
      this.#rate = (this.#windowCount * 1000) / (now - this.#windowStart);
      this.#rateAt = now;
      this.#windowStart = now;
      this.#windowCount = 0;
    }
    this.#windowCount++;
    const subscribers = this.#subscribers;
    for (let i = 0; i < subscribers.length; i++) (subscribers[i] as Subscriber<unknown>).offer(value);
  }

  status(status: StreamStatus): void {
    if (this.#closed) return;
    if (status.type === 'resubscribed') this.#reconnects++;
    else if (status.type === 'resynced') {
      this.#resyncs++;
      this.#staleSince = undefined;
    } else if (status.type === 'stale' && this.request.kind === 'orderBook') {
      this.#staleSince ??= this.#clock.now();
      this.#staleReason = status.reason;
    }
    const subscribers = this.#subscribers;
    for (let i = 0; i < subscribers.length; i++) (subscribers[i] as Subscriber<unknown>).offerStatus(status);
  }

  /**
   * A terminal error from the source: every subscriber gets it after its queued values, then ends by
   * itself; the stream is released at once so that a new subscriber opens a fresh one.
   */
  fail(error: VenuekitError): void {
    if (this.#closed || this.#failure) return;
    this.#failure = error;
    const subscribers = this.#subscribers;
    for (let i = 0; i < subscribers.length; i++) (subscribers[i] as Subscriber<unknown>).offerError(error);
    this.#onEmpty(this);
  }

  /**
   * Ends the source. Subscribers still attached are ended (they see the end, not an error), except
   * after a failure, when they end once they have been told of it.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (!this.#failure) {
      for (const subscriber of this.#subscribers) subscriber.end();
      this.#subscribers = [];
    }
    await this.#source?.close();
  }

  figures(): StreamFigures {
    const now = this.#clock.now();
    let dropped = this.#retiredDrops;
    let queued = 0;
    for (const subscriber of this.#subscribers) {
      dropped += subscriber.dropped;
      queued += subscriber.queued;
    }
    const first = this.#firstMessageAt;
    const last = this.#lastMessageAt;
    const adapter = this.#source?.adapterStats?.();
    const connectionId = adapter?.connectionId;
    return {
      topic: this.request.topic,
      exchange: this.request.exchange,
      symbol: this.request.symbol,
      kind: this.request.kind,
      source: this.#source?.kind ?? 'adapter',
      ...(connectionId === undefined ? {} : { connectionId }),
      subscribers: this.#subscribers.length,
      subscribedAt: this.subscribedAt,
      ...(first === undefined
        ? {}
        : { firstMessageAt: first, timeToFirstMessageMs: first - this.subscribedAt }),
      ...(last === undefined ? {} : { lastMessageAt: last }),
      largestGapMs: this.#largestGapMs,
      messages: this.#messages,
      messagesPerSecond: this.#messagesPerSecond(now),
      reconnects: Math.max(this.#reconnects, adapter?.reconnects ?? 0),
      resyncs: Math.max(this.#resyncs, adapter?.resyncs ?? 0),
      ...this.#sync(adapter),
      dropped,
      queued,
    };
  }

  /** The adapter's word on whether the data can be trusted; for a book without it, what its statuses said. */
  #sync(adapter: StreamStats | undefined): Pick<StreamFigures, 'sync' | 'staleSince' | 'staleReason'> {
    if (adapter?.sync !== undefined) {
      if (adapter.sync !== 'stale') return { sync: adapter.sync };
      return {
        sync: 'stale',
        ...(adapter.staleSince === undefined ? {} : { staleSince: adapter.staleSince }),
        ...(adapter.staleReason === undefined ? {} : { staleReason: adapter.staleReason }),
      };
    }
    if (this.request.kind !== 'orderBook') return {};
    if (this.#staleSince !== undefined) {
      return { sync: 'stale', staleSince: this.#staleSince, staleReason: this.#staleReason };
    }
    return { sync: this.#lastMessageAt === undefined ? 'syncing' : 'synced' };
  }

  #messagesPerSecond(now: number): number {
    if (this.#lastMessageAt === undefined) return 0;
    const open = now - this.#windowStart;
    // The last full window while it is recent; otherwise the current window, which decays as the stream goes quiet.
    if (now - this.#rateAt < 2 * RATE_WINDOW_MS && this.#rateAt > 0 && open < RATE_WINDOW_MS)
      return this.#rate;
    return open > 0 ? (this.#windowCount * 1000) / Math.max(open, RATE_WINDOW_MS) : this.#windowCount;
  }
}
