import type { StreamStatus, VenuekitError } from '@venuekit/core';
import type { QueuePolicy } from './types';

/** A status signal queued in order with the data. */
export class StatusEntry {
  constructor(readonly status: StreamStatus) {}
}

/** A terminal error queued after the data that preceded it. */
export class ErrorEntry {
  constructor(readonly error: VenuekitError) {}
}

export type Entry<T> = T | StatusEntry | ErrorEntry;

export function isSignal(entry: unknown): entry is StatusEntry | ErrorEntry {
  return entry instanceof StatusEntry || entry instanceof ErrorEntry;
}

const INITIAL_SLOTS = 8;

/**
 * One subscriber's bounded FIFO: a ring buffer that grows up to `capacity` and
 * then applies the policy. Pushing never allocates once the ring has grown.
 *
 * - `conflate`: a value replaces the newest queued value (signals are never
 *   replaced, so a `stale`/`resynced` is seen between the values around it).
 * - `drop_oldest`: when full, the oldest entry makes room.
 */
export class SubscriberQueue<T> {
  readonly policy: QueuePolicy;
  readonly capacity: number;
  /** Entries dropped or conflated away since creation. */
  dropped = 0;
  #slots: Array<Entry<T> | undefined>;
  #head = 0;
  #size = 0;
  readonly #merge: ((older: T, newer: T) => T) | undefined;

  /** `merge` lets conflation keep what matters of the value it replaces (e.g. a book's `resynced` flag). */
  constructor(policy: QueuePolicy, capacity: number, merge?: (older: T, newer: T) => T) {
    this.policy = policy;
    this.capacity = capacity;
    this.#merge = merge;
    this.#slots = new Array(Math.min(capacity, INITIAL_SLOTS));
  }

  get size(): number {
    return this.#size;
  }

  /** Adds a value; returns true when the policy dropped or conflated one. */
  push(value: T): boolean {
    if (this.policy === 'conflate' && this.#size > 0) {
      const tail = (this.#head + this.#size - 1) % this.#slots.length;
      const older = this.#slots[tail];
      if (!isSignal(older)) {
        this.#slots[tail] = this.#merge ? this.#merge(older as T, value) : value;
        this.dropped++;
        return true;
      }
    }
    return this.#append(value);
  }

  /** Adds a signal; signals are never conflated, only dropped (oldest first) when the queue is full. */
  pushSignal(entry: StatusEntry | ErrorEntry): boolean {
    return this.#append(entry);
  }

  shift(): Entry<T> | undefined {
    if (this.#size === 0) return undefined;
    const entry = this.#slots[this.#head];
    this.#slots[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.#slots.length;
    this.#size--;
    return entry;
  }

  clear(): void {
    this.#slots = new Array(Math.min(this.capacity, INITIAL_SLOTS));
    this.#head = 0;
    this.#size = 0;
  }

  #append(entry: Entry<T>): boolean {
    let dropped = false;
    if (this.#size === this.#slots.length) {
      if (this.#slots.length < this.capacity) {
        this.#grow();
      } else {
        // Full: the oldest entry makes room.
        this.#slots[this.#head] = undefined;
        this.#head = (this.#head + 1) % this.#slots.length;
        this.#size--;
        this.dropped++;
        dropped = true;
      }
    }
    this.#slots[(this.#head + this.#size) % this.#slots.length] = entry;
    this.#size++;
    return dropped;
  }

  #grow(): void {
    const next = new Array<Entry<T> | undefined>(Math.min(this.capacity, this.#slots.length * 2));
    for (let i = 0; i < this.#size; i++) next[i] = this.#slots[(this.#head + i) % this.#slots.length];
    this.#slots = next;
    this.#head = 0;
  }
}
