import type { ReadonlyOrderBook } from '@venuekit/core';
import type { DepthDiffEvent, ExchangeEngine } from '@venuekit/testkit';

/**
 * The exchange's book of one symbol at any update id a client may report, for checking a local
 * book exactly. It starts from the engine's book and keeps the engine's depth events in order;
 * when a client's book says it is at update id X, the events up to X are applied to a replica
 * and the two are compared level by level. The client only moves forward, so the replica does
 * too, and only the events between the slowest client and the engine are held.
 */
export class BookReference {
  readonly symbol: string;
  readonly #bids = new Map<string, string>();
  readonly #asks = new Map<string, string>();
  #updateId: number;
  #pending: DepthDiffEvent[] = [];
  #head = 0;
  readonly #off: () => void;

  constructor(engine: ExchangeEngine, symbol: string) {
    this.symbol = symbol;
    // Snapshot and listener in the same tick: no event falls between them.
    const snapshot = engine.depth(symbol);
    for (const [price, quantity] of snapshot.bids) this.#bids.set(key(price), quantity.toString());
    for (const [price, quantity] of snapshot.asks) this.#asks.set(key(price), quantity.toString());
    this.#updateId = snapshot.lastUpdateId;
    const listener = (event: DepthDiffEvent) => {
      if (event.symbol === symbol) this.#pending.push(event);
    };
    this.#off = engine.on('depth', listener);
  }

  /** The update id the replica is at. */
  get updateId(): number {
    return this.#updateId;
  }

  /** Events held for clients that have not caught up. */
  get held(): number {
    return this.#pending.length - this.#head;
  }

  /**
   * Compares a local book with the exchange's book at the local book's update id. Returns a
   * description of the first difference, or undefined when they are equal.
   */
  compare(book: ReadonlyOrderBook): string | undefined {
    const target = Number(book.updateId);
    if (!Number.isSafeInteger(target)) return `update id ${book.updateId} is not an integer`;
    if (target < this.#updateId) {
      return `the local book went back to update ${target} after ${this.#updateId} was checked`;
    }
    const advanced = this.#advanceTo(target);
    if (advanced !== undefined) return advanced;
    return (
      compareSide('bid', book.bids(), this.#bids) ?? compareSide('ask', book.asks(), this.#asks) ?? undefined
    );
  }

  close(): void {
    this.#off();
    this.#pending = [];
    this.#head = 0;
  }

  #advanceTo(target: number): string | undefined {
    while (this.#updateId < target) {
      const event = this.#pending[this.#head];
      if (event === undefined) {
        return `update ${target} is ahead of the exchange (at ${this.#updateId})`;
      }
      this.#head++;
      if (event.finalUpdateId <= this.#updateId) continue;
      if (event.firstUpdateId !== this.#updateId + 1) {
        return `the engine's depth events skip from ${this.#updateId} to ${event.firstUpdateId}`;
      }
      for (const [price, quantity] of event.bids) apply(this.#bids, key(price), quantity.toString());
      for (const [price, quantity] of event.asks) apply(this.#asks, key(price), quantity.toString());
      this.#updateId = event.finalUpdateId;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#pending.length) {
      this.#pending = this.#pending.slice(this.#head);
      this.#head = 0;
    }
    if (this.#updateId !== target) {
      return `update ${target} falls inside the exchange's event ending at ${this.#updateId}`;
    }
    return undefined;
  }
}

function key(price: { toString(): string }): string {
  // Canonical decimal text: "60000.10" and "60000.1" are the same level.
  return normalize(price.toString());
}

function normalize(text: string): string {
  if (!text.includes('.')) return text;
  const trimmed = text.replace(/0+$/, '');
  return trimmed.endsWith('.') ? trimmed.slice(0, -1) : trimmed;
}

function apply(side: Map<string, string>, price: string, quantity: string): void {
  if (normalize(quantity) === '0') side.delete(price);
  else side.set(price, quantity);
}

function compareSide(
  name: 'bid' | 'ask',
  local: readonly { readonly price: { toString(): string }; readonly quantity: { toString(): string } }[],
  truth: ReadonlyMap<string, string>,
): string | undefined {
  if (local.length !== truth.size)
    return `${local.length} ${name} levels locally, ${truth.size} at the exchange`;
  for (const level of local) {
    const price = normalize(level.price.toString());
    const expected = truth.get(price);
    if (expected === undefined) return `${name} ${price} exists locally only`;
    if (normalize(level.quantity.toString()) !== normalize(expected)) {
      return `${name} ${price}: ${level.quantity.toString()} locally, ${expected} at the exchange`;
    }
  }
  return undefined;
}
