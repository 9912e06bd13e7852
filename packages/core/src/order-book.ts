import { Decimal, type DecimalInput, toDecimal } from './decimal';
import type { ExchangeId, OrderBookLevel, OrderBookSnapshot } from './market';
import { SortedKeys } from './sorted-keys';
import type { UnifiedSymbol } from './symbols';

export type BookSide = 'bid' | 'ask';

/** A price level as received: decimal strings, parsed to Decimals only when read. */
interface StoredLevel {
  readonly price: string;
  quantity: string;
  view: OrderBookLevel | undefined;
}

/** A level as a venue sends it: `[price, quantity]` decimal strings. */
export type RawLevel = readonly [price: string, quantity: string];

/** What readers of a live book can do; the book itself changes underneath. */
export interface ReadonlyOrderBook {
  readonly exchange: ExchangeId;
  readonly symbol: UnifiedSymbol;
  /** The venue's sequence of the last applied update (Binance `u` / `lastUpdateId`). */
  readonly updateId: string;
  /** Event time of the last applied update, epoch ms. */
  readonly timestamp: number;
  readonly bidCount: number;
  readonly askCount: number;
  bestBid(): OrderBookLevel | undefined;
  bestAsk(): OrderBookLevel | undefined;
  /** Best first; all levels when `limit` is omitted. */
  bids(limit?: number): OrderBookLevel[];
  asks(limit?: number): OrderBookLevel[];
  spread(): Decimal | undefined;
  midPrice(): Decimal | undefined;
  /** Total quantity and notional resting at `price` or better on `side`. */
  depthWithin(side: BookSide, price: DecimalInput): { quantity: Decimal; notional: Decimal; levels: number };
  isCrossed(): boolean;
  /** A copy of the top `limit` levels per side (all when omitted). */
  snapshot(limit?: number): OrderBookSnapshot;
}

class Ladder {
  readonly #levels = new Map<number, StoredLevel>();
  readonly #order = new SortedKeys();
  // Bids are kept as negated keys so both sides iterate best-first in ascending order.
  readonly #sign: 1 | -1;

  constructor(side: BookSide) {
    this.#sign = side === 'bid' ? -1 : 1;
  }

  get size(): number {
    return this.#levels.size;
  }

  set(price: string, quantity: string): void {
    const key = +price;
    if (!(key > 0) || key === Number.POSITIVE_INFINITY) throw new RangeError(`invalid book price ${price}`);
    const amount = +quantity;
    if (!(amount >= 0) || amount === Number.POSITIVE_INFINITY)
      throw new RangeError(`invalid book quantity ${quantity}`);
    if (amount === 0) {
      if (this.#levels.delete(key)) this.#order.delete(this.#sign * key);
      return;
    }
    const level = this.#levels.get(key);
    if (level) {
      level.quantity = quantity;
      level.view = undefined;
    } else {
      this.#levels.set(key, { price, quantity, view: undefined });
      this.#order.insert(this.#sign * key);
    }
  }

  bestKey(): number | undefined {
    const first = this.#order.first();
    return first === undefined ? undefined : this.#sign * first;
  }

  best(): OrderBookLevel | undefined {
    const key = this.bestKey();
    return key === undefined ? undefined : view(this.#levels.get(key) as StoredLevel);
  }

  top(limit: number): OrderBookLevel[] {
    const out: OrderBookLevel[] = [];
    if (limit <= 0) return out;
    this.#order.visit((sortKey) => {
      out.push(view(this.#levels.get(this.#sign * sortKey) as StoredLevel));
      return out.length < limit;
    });
    return out;
  }

  /** Visits levels best-first while `visit` returns true. */
  walk(visit: (price: number, level: StoredLevel) => boolean): void {
    this.#order.visit((sortKey) => {
      const key = this.#sign * sortKey;
      return visit(key, this.#levels.get(key) as StoredLevel);
    });
  }

  clear(): void {
    this.#levels.clear();
    this.#order.clear();
  }
}

function view(level: StoredLevel): OrderBookLevel {
  level.view ??= { price: new Decimal(level.price), quantity: new Decimal(level.quantity) };
  return level.view;
}

/**
 * A local limit order book. Updates take the venue's strings as they are; each
 * costs O(1) when the level exists and O(log n) when a level is added or
 * removed. Reads (best bid/ask, top N, depth) build Decimals lazily.
 *
 * Prices are ordered by their double value, which is exact for prices of up to
 * 15 significant digits: every spot venue's tick sizes and price ranges fit.
 *
 * The sequencing rules (which update may follow which) belong to each adapter.
 */
export class OrderBook implements ReadonlyOrderBook {
  readonly exchange: ExchangeId;
  readonly symbol: UnifiedSymbol;
  readonly #bids = new Ladder('bid');
  readonly #asks = new Ladder('ask');
  #sequence = -1;
  #timestamp = 0;

  constructor(exchange: ExchangeId, symbol: UnifiedSymbol) {
    this.exchange = exchange;
    this.symbol = symbol;
  }

  /** The last applied update id as a number; -1 before the first snapshot. */
  get sequence(): number {
    return this.#sequence;
  }

  get updateId(): string {
    return String(this.#sequence);
  }

  get timestamp(): number {
    return this.#timestamp;
  }

  get bidCount(): number {
    return this.#bids.size;
  }

  get askCount(): number {
    return this.#asks.size;
  }

  /** Replaces the whole book with a snapshot. */
  reset(bids: readonly RawLevel[], asks: readonly RawLevel[], sequence: number, timestamp: number): void {
    this.#bids.clear();
    this.#asks.clear();
    for (const [price, quantity] of bids) this.#bids.set(price, quantity);
    for (const [price, quantity] of asks) this.#asks.set(price, quantity);
    this.#sequence = sequence;
    this.#timestamp = timestamp;
  }

  /** Sets one level; a zero quantity removes it. Throws RangeError on a malformed price or quantity. */
  setBid(price: string, quantity: string): void {
    this.#bids.set(price, quantity);
  }

  setAsk(price: string, quantity: string): void {
    this.#asks.set(price, quantity);
  }

  /** Applies a batch of `[price, quantity]` levels per side and advances the sequence. */
  apply(bids: readonly RawLevel[], asks: readonly RawLevel[], sequence: number, timestamp: number): void {
    for (let i = 0; i < bids.length; i++) {
      const level = bids[i] as RawLevel;
      this.#bids.set(level[0], level[1]);
    }
    for (let i = 0; i < asks.length; i++) {
      const level = asks[i] as RawLevel;
      this.#asks.set(level[0], level[1]);
    }
    this.#sequence = sequence;
    this.#timestamp = timestamp;
  }

  setSequence(sequence: number, timestamp: number): void {
    this.#sequence = sequence;
    this.#timestamp = timestamp;
  }

  clear(): void {
    this.#bids.clear();
    this.#asks.clear();
    this.#sequence = -1;
    this.#timestamp = 0;
  }

  isCrossed(): boolean {
    const bid = this.#bids.bestKey();
    const ask = this.#asks.bestKey();
    return bid !== undefined && ask !== undefined && bid >= ask;
  }

  bestBid(): OrderBookLevel | undefined {
    return this.#bids.best();
  }

  bestAsk(): OrderBookLevel | undefined {
    return this.#asks.best();
  }

  bids(limit = Number.POSITIVE_INFINITY): OrderBookLevel[] {
    return this.#bids.top(limit);
  }

  asks(limit = Number.POSITIVE_INFINITY): OrderBookLevel[] {
    return this.#asks.top(limit);
  }

  spread(): Decimal | undefined {
    const bid = this.bestBid();
    const ask = this.bestAsk();
    return bid && ask ? ask.price.minus(bid.price) : undefined;
  }

  midPrice(): Decimal | undefined {
    const bid = this.bestBid();
    const ask = this.bestAsk();
    return bid && ask ? bid.price.plus(ask.price).div(2) : undefined;
  }

  depthWithin(side: BookSide, price: DecimalInput): { quantity: Decimal; notional: Decimal; levels: number } {
    const limit = toDecimal(price, 'price');
    const bound = limit.toNumber();
    let quantity = new Decimal(0);
    let notional = new Decimal(0);
    let levels = 0;
    const ladder = side === 'bid' ? this.#bids : this.#asks;
    ladder.walk((key, level) => {
      // The double order decides everywhere except at the bound itself, where
      // the bound may have been rounded: compare exactly there.
      if (key !== bound) {
        if (side === 'bid' ? key < bound : key > bound) return false;
      } else {
        const exact = new Decimal(level.price);
        if (side === 'bid' ? exact.lt(limit) : exact.gt(limit)) return false;
      }
      const lv = view(level);
      quantity = quantity.plus(lv.quantity);
      notional = notional.plus(lv.quantity.times(lv.price));
      levels++;
      return true;
    });
    return { quantity, notional, levels };
  }

  snapshot(limit = Number.POSITIVE_INFINITY): OrderBookSnapshot {
    return {
      exchange: this.exchange,
      symbol: this.symbol,
      bids: this.bids(limit),
      asks: this.asks(limit),
      updateId: this.updateId,
      timestamp: this.#timestamp,
    };
  }
}
