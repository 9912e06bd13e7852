import {
  type Clock,
  type Logger,
  type StreamStatus,
  telemetry,
  toVenuekitError,
  type VenuekitError,
} from '@venuekit/core';
import { ErrorEntry, StatusEntry, SubscriberQueue } from './subscriber-queue';
import type { QueuePolicy, StreamConsumer, StreamHandler, SubscriberFigures } from './types';

/** What a subscriber is attached to; told when the subscriber ends so it can free what it shares. */
export interface SubscriberOwner {
  remove(subscriber: Subscriber<unknown>): void;
}

export interface SubscriberContext {
  readonly clock: Clock;
  readonly logger: Logger;
}

export interface SubscriberInit<T> {
  readonly id: string;
  readonly topic: string;
  readonly policy: QueuePolicy;
  readonly capacity: number;
  readonly signal?: AbortSignal;
  readonly merge?: (older: T, newer: T) => T;
}

const DROP_REPORT_INTERVAL_MS = 1000;

let nextId = 1;
/** A short process-unique subscriber id. */
export function subscriberId(prefix: string): string {
  return `${prefix}-${(nextId++).toString(36)}`;
}

/**
 * One consumer with its own bounded queue. The producer (`offer`) never waits
 * for the consumer: when the consumer falls behind, the queue's policy drops or
 * conflates, and the drops are counted and reported on `telemetry.subscriberDrop`
 * (at most once a second per subscriber, plus once when its queue drains).
 */
export abstract class Subscriber<T> {
  readonly id: string;
  readonly topic: string;
  abstract readonly style: SubscriberFigures['style'];
  protected readonly queue: SubscriberQueue<T>;
  protected readonly context: SubscriberContext;
  protected delivered = 0;
  protected errors = 0;
  #active = true;
  #owner: SubscriberOwner | undefined;
  #signal: AbortSignal | undefined;
  #unreportedDrops = 0;
  #lastDropReport = Number.NEGATIVE_INFINITY;
  #warned = false;

  constructor(init: SubscriberInit<T>, context: SubscriberContext) {
    this.id = init.id;
    this.topic = init.topic;
    this.context = context;
    this.queue = new SubscriberQueue<T>(init.policy, init.capacity, init.merge);
    if (init.signal) {
      this.#signal = init.signal;
      if (init.signal.aborted) this.#active = false;
      else init.signal.addEventListener('abort', this.#onAbort, { once: true });
    }
  }

  get active(): boolean {
    return this.#active;
  }

  /** Attaches the subscriber to what feeds it; false when it has already ended (e.g. an aborted signal). */
  attach(owner: SubscriberOwner): boolean {
    if (!this.#active) return false;
    this.#owner = owner;
    return true;
  }

  /** Hot path: called by the producer for every value. */
  offer(value: T): void {
    if (!this.#active) return;
    if (this.queue.push(value)) this.#dropped();
    this.wake();
  }

  offerStatus(status: StreamStatus): void {
    if (!this.#active) return;
    if (this.queue.pushSignal(new StatusEntry(status))) this.#dropped();
    this.wake();
  }

  /** A terminal error: delivered after the values queued before it, then the subscriber ends. */
  offerError(error: VenuekitError): void {
    if (!this.#active) return;
    if (this.queue.pushSignal(new ErrorEntry(error))) this.#dropped();
    this.wake();
  }

  figures(): SubscriberFigures {
    return {
      id: this.id,
      topic: this.topic,
      style: this.style,
      policy: this.queue.policy,
      capacity: this.queue.capacity,
      queued: this.queue.size,
      delivered: this.delivered,
      dropped: this.queue.dropped,
      errors: this.errors,
    };
  }

  get dropped(): number {
    return this.queue.dropped;
  }

  get queued(): number {
    return this.queue.size;
  }

  /** Ends now: queued values are discarded, the owner is told. Idempotent. */
  end(): void {
    if (!this.#active) return;
    this.#active = false;
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#signal = undefined;
    this.reportDrops();
    this.queue.clear();
    const owner = this.#owner;
    this.#owner = undefined;
    owner?.remove(this as unknown as Subscriber<unknown>);
    this.ended();
  }

  /** Called once after the subscriber ended. */
  protected ended(): void {}

  /** The queue has something: make sure it gets delivered. */
  protected abstract wake(): void;

  protected handlerFailed(error: unknown): void {
    this.errors++;
    // Logged for the first failures only: a handler that always throws must not flood the log.
    if (this.errors <= 3 || this.errors % 1000 === 0) {
      this.context.logger.errorWithException('stream subscriber handler failed', error, {
        topic: this.topic,
        subscriberId: this.id,
        failures: this.errors,
      });
    }
  }

  /** Publishes drops not yet reported. */
  protected reportDrops(): void {
    if (this.#unreportedDrops === 0) return;
    const dropped = this.#unreportedDrops;
    this.#unreportedDrops = 0;
    this.#lastDropReport = this.context.clock.now();
    telemetry.subscriberDrop.publish({
      topic: this.topic,
      subscriberId: this.id,
      dropped,
      policy: this.queue.policy,
    });
  }

  #dropped(): void {
    this.#unreportedDrops++;
    if (!this.#warned) {
      this.#warned = true;
      this.context.logger.warn('slow stream subscriber: its queue started dropping values', {
        topic: this.topic,
        subscriberId: this.id,
        policy: this.queue.policy,
        capacity: this.queue.capacity,
      });
    }
    if (this.context.clock.now() - this.#lastDropReport >= DROP_REPORT_INTERVAL_MS) this.reportDrops();
  }

  readonly #onAbort = (): void => {
    this.end();
  };
}

type Thenable = { then(onFulfilled: () => void, onRejected: (error: unknown) => void): unknown };

/**
 * Delivers to a callback (or observer) from a microtask, never inside the
 * producer's call: a burst of values read from one socket chunk is queued first,
 * so conflation works even for synchronous handlers. A handler that returns a
 * promise gets the next value once it settles; meanwhile values queue.
 */
export class CallbackSubscriber<T> extends Subscriber<T> {
  readonly style: SubscriberFigures['style'];
  readonly #next: StreamHandler<T>;
  readonly #consumer: StreamConsumer<T> | undefined;
  #scheduled = false;
  #busy = false;

  constructor(
    init: SubscriberInit<T> & { readonly style?: 'callback' | 'topic' | 'publisher' },
    context: SubscriberContext,
    consumer: StreamHandler<T> | StreamConsumer<T>,
  ) {
    super(init, context);
    this.style = init.style ?? 'callback';
    if (typeof consumer === 'function') {
      this.#next = consumer;
      this.#consumer = undefined;
    } else {
      this.#next = (value) => consumer.next(value);
      this.#consumer = consumer;
    }
  }

  protected wake(): void {
    if (this.#busy || this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(this.#run);
  }

  readonly #run = (): void => {
    this.#scheduled = false;
    this.#drain();
  };

  readonly #resume = (): void => {
    this.#busy = false;
    this.#drain();
  };

  readonly #rejected = (error: unknown): void => {
    this.handlerFailed(error);
    this.#resume();
  };

  #drain(): void {
    const queue = this.queue;
    while (this.active && queue.size > 0) {
      const entry = queue.shift();
      if (entry instanceof StatusEntry) {
        try {
          this.#consumer?.status?.(entry.status);
        } catch (error) {
          this.handlerFailed(error);
        }
        continue;
      }
      if (entry instanceof ErrorEntry) {
        this.end();
        try {
          this.#consumer?.error?.(entry.error);
        } catch (error) {
          this.handlerFailed(error);
        }
        return;
      }
      this.delivered++;
      let result: unknown;
      try {
        result = this.#next(entry as T);
      } catch (error) {
        this.handlerFailed(error);
        continue;
      }
      if (result !== undefined && result !== null && typeof (result as Thenable).then === 'function') {
        this.#busy = true;
        (result as Thenable).then(this.#resume, this.#rejected);
        return;
      }
    }
    this.reportDrops();
  }
}

interface Waiter<T> {
  resolve(result: IteratorResult<T, undefined>): void;
  reject(error: unknown): void;
}

const DONE: IteratorResult<never, undefined> = Object.freeze({ value: undefined, done: true });

/**
 * An async iterator over a subscriber's queue. A waiting `next()` is resolved
 * directly by the producer; otherwise values queue under the policy. A terminal
 * error makes `next()` reject (so `for await` throws) after the values before it.
 */
export class IteratorSubscriber<T> extends Subscriber<T> implements AsyncIterableIterator<T> {
  readonly style = 'iterator' as const;
  readonly #onStatus: ((status: StreamStatus) => void) | undefined;
  #waiter: Waiter<T> | undefined;
  #failure: VenuekitError | undefined;

  constructor(
    init: SubscriberInit<T>,
    context: SubscriberContext,
    onStatus?: (status: StreamStatus) => void,
  ) {
    super(init, context);
    this.#onStatus = onStatus;
  }

  override offer(value: T): void {
    const waiter = this.#waiter;
    if (waiter !== undefined && this.queue.size === 0 && this.active) {
      this.#waiter = undefined;
      this.delivered++;
      waiter.resolve({ value, done: false });
      return;
    }
    super.offer(value);
  }

  protected wake(): void {
    const waiter = this.#waiter;
    if (waiter === undefined) return;
    this.#waiter = undefined;
    this.#take().then(waiter.resolve, waiter.reject);
  }

  next(): Promise<IteratorResult<T, undefined>> {
    return this.#take();
  }

  async return(): Promise<IteratorResult<T, undefined>> {
    this.end();
    return DONE;
  }

  async throw(error?: unknown): Promise<IteratorResult<T, undefined>> {
    this.end();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  protected override ended(): void {
    const waiter = this.#waiter;
    this.#waiter = undefined;
    if (waiter === undefined) return;
    if (this.#failure) waiter.reject(this.#failure);
    else waiter.resolve(DONE);
  }

  #take(): Promise<IteratorResult<T, undefined>> {
    const queue = this.queue;
    while (queue.size > 0) {
      const entry = queue.shift();
      if (entry instanceof StatusEntry) {
        try {
          this.#onStatus?.(entry.status);
        } catch (error) {
          this.handlerFailed(error);
        }
        continue;
      }
      if (entry instanceof ErrorEntry) {
        this.#failure = entry.error;
        this.end();
        return Promise.reject(entry.error);
      }
      this.delivered++;
      if (queue.size === 0) this.reportDrops();
      return Promise.resolve({ value: entry as T, done: false });
    }
    if (!this.active) return Promise.resolve(DONE);
    if (this.#waiter !== undefined) {
      // Concurrent next() calls: keep their order by chaining on the pending one.
      const previous = this.#waiter;
      return new Promise((resolve, reject) => {
        this.#waiter = {
          resolve: (result) => {
            previous.resolve(result);
            this.#take().then(resolve, reject);
          },
          reject: (error) => {
            previous.reject(error);
            reject(toVenuekitError(error));
          },
        };
      });
    }
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }
}
