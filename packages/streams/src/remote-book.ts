import {
  type ExchangeId,
  OrderBook,
  type OrderBookSnapshot,
  type OrderBookUpdate,
  type RawLevel,
  type UnifiedSymbol,
} from '@venuekit/core';

/**
 * The consumer's side of a full order book that crossed the bus as snapshots
 * of its top levels: one local OrderBook per stream, reset from each snapshot,
 * handed out as an OrderBookUpdate exactly like the gateway's subscribers get
 * (`book` is live: read it now or copy it).
 */
export class RemoteBook {
  readonly #book: OrderBook;
  #resynced = true;

  constructor(exchange: ExchangeId, symbol: UnifiedSymbol) {
    this.#book = new OrderBook(exchange, symbol);
  }

  update(snapshot: OrderBookSnapshot): OrderBookUpdate {
    const sequence = Number(snapshot.updateId);
    this.#book.reset(
      snapshot.bids.map(raw),
      snapshot.asks.map(raw),
      Number.isFinite(sequence) ? sequence : -1,
      snapshot.timestamp,
    );
    const resynced = this.#resynced;
    this.#resynced = false;
    return {
      exchange: this.#book.exchange,
      symbol: this.#book.symbol,
      book: this.#book,
      updateId: snapshot.updateId,
      timestamp: snapshot.timestamp,
      resynced,
    };
  }

  /** The gateway's book resynchronised: flag the next update. */
  resync(): void {
    this.#resynced = true;
  }
}

function raw(level: { price: { toString(): string }; quantity: { toString(): string } }): RawLevel {
  return [level.price.toString(), level.quantity.toString()];
}
