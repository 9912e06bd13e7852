import {
  Decimal,
  type DecimalInput,
  exactDecimalToNumber,
  integerText,
  toDecimal,
  venueDecimal,
} from './decimal';
import type { ExchangeId, OrderBookLevel, OrderBookSnapshot } from './market';
import { SortedKeys } from './sorted-keys';
import type { UnifiedSymbol } from './symbols';

export type BookSide = 'bid' | 'ask';

/**
 * The venue's text of a level, kept only when its double does not carry its exact value (more
 * than 15 significant digits, or text that is not plain digits and a point).
 */
interface ExactText {
  readonly price: string | undefined;
  quantity: string | undefined;
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

// Scratch space to read a double's two 32-bit words (for hashing).
const SCRATCH = new Float64Array(1);
const WORDS = new Uint32Array(SCRATCH.buffer);

/**
 * The levels of one side, by price: open addressing with linear probing over typed arrays. A slot
 * holds the price (a positive double; 0 marks an empty slot), the quantity as a double, the exact
 * text in the rare case the doubles do not carry it, and the level's Decimals once someone read
 * them.
 *
 * Why not a Map of level objects: a Map keyed by numbers boxes every double it is asked about, and
 * an object holding the venue's strings keeps each update's fresh strings alive, which the garbage
 * collector must then copy out of the young generation. Here updating an existing level is a lookup
 * and a store into a Float64Array: nothing is allocated. A decimal of up to 15 significant digits
 * goes to a double and back (its shortest form) exactly, so the Decimals built from the doubles
 * equal those built from the venue's text.
 */
const UNCHANGED = 0;
const CHANGED = 1;
const ADDED = 2;
const REMOVED = 3;
type Change = typeof UNCHANGED | typeof CHANGED | typeof ADDED | typeof REMOVED;

class LevelTable {
  /** The price's double of the last `set`. */
  lastKey = 0;
  #keys: Float64Array;
  #quantities: Float64Array;
  #exact: (ExactText | undefined)[];
  #views: (OrderBookLevel | undefined)[];
  #mask: number;
  #shift: number;
  #size = 0;
  // Slots holding Decimals, and slots holding exact text: while there are none (the usual case),
  // an update does not look at those arrays.
  #viewed = 0;
  #exacts = 0;

  constructor(bits = 6) {
    this.#keys = new Float64Array(1 << bits);
    this.#quantities = new Float64Array(1 << bits);
    this.#exact = new Array(1 << bits).fill(undefined);
    this.#views = new Array(1 << bits).fill(undefined);
    this.#mask = (1 << bits) - 1;
    this.#shift = 32 - bits;
  }

  get size(): number {
    return this.#size;
  }

  #home(key: number): number {
    SCRATCH[0] = key;
    return (
      Math.imul((WORDS[0] as number) ^ Math.imul(WORDS[1] as number, 0x85ebca6b), 0x9e3779b1) >>> this.#shift
    );
  }

  /**
   * Sets one level (the hot path: everything here stays in one compiled function, so that no double
   * is boxed). Prices and quantities are read as `+price` and `+quantity` would read them.
   */
  set(price: string, quantity: string): Change {
    let key = exactDecimalToNumber(price);
    let exactPrice: string | undefined;
    if (Number.isNaN(key)) {
      key = +price;
      exactPrice = price;
    }
    if (!(key > 0) || key === Number.POSITIVE_INFINITY) throw new RangeError(`invalid book price ${price}`);
    let amount = exactDecimalToNumber(quantity);
    let exactQuantity: string | undefined;
    if (Number.isNaN(amount)) {
      amount = +quantity;
      exactQuantity = quantity;
    }
    if (!(amount >= 0) || amount === Number.POSITIVE_INFINITY)
      throw new RangeError(`invalid book quantity ${quantity}`);
    this.lastKey = key;
    const keys = this.#keys;
    const mask = this.#mask;
    SCRATCH[0] = key;
    let slot =
      Math.imul((WORDS[0] as number) ^ Math.imul(WORDS[1] as number, 0x85ebca6b), 0x9e3779b1) >>> this.#shift;
    for (;;) {
      const k = keys[slot] as number;
      if (k === key) break;
      if (k === 0) {
        slot = -1;
        break;
      }
      slot = (slot + 1) & mask;
    }
    if (amount === 0) {
      if (slot < 0) return UNCHANGED;
      this.removeAt(slot);
      return REMOVED;
    }
    if (slot >= 0) {
      this.#quantities[slot] = amount;
      const exact = this.#exacts > 0 ? this.#exact[slot] : undefined;
      if (exact !== undefined) {
        exact.quantity = exactQuantity;
      } else if (exactQuantity !== undefined) {
        this.#exact[slot] = { price: undefined, quantity: exactQuantity };
        this.#exacts++;
      }
      if (this.#viewed > 0 && this.#views[slot] !== undefined) {
        this.#views[slot] = undefined;
        this.#viewed--;
      }
      return CHANGED;
    }
    this.add(
      key,
      amount,
      exactPrice === undefined && exactQuantity === undefined
        ? undefined
        : { price: exactPrice, quantity: exactQuantity },
    );
    return ADDED;
  }

  /** The slot holding `key`, or -1. */
  find(key: number): number {
    const keys = this.#keys;
    const mask = this.#mask;
    for (let i = this.#home(key); ; i = (i + 1) & mask) {
      const k = keys[i] as number;
      if (k === key) return i;
      if (k === 0) return -1;
    }
  }

  /** Adds `key` (the caller guarantees it is not present). */
  add(key: number, quantity: number, exact: ExactText | undefined): void {
    if ((this.#size + 1) * 2 > this.#keys.length) this.#grow();
    const keys = this.#keys;
    const mask = this.#mask;
    let i = this.#home(key);
    while (keys[i] !== 0) i = (i + 1) & mask;
    keys[i] = key;
    this.#quantities[i] = quantity;
    this.#exact[i] = exact;
    if (exact !== undefined) this.#exacts++;
    this.#views[i] = undefined;
    this.#size++;
  }

  removeAt(slot: number): void {
    const keys = this.#keys;
    const quantities = this.#quantities;
    const exact = this.#exact;
    const views = this.#views;
    const mask = this.#mask;
    if (views[slot] !== undefined) this.#viewed--;
    if (exact[slot] !== undefined) this.#exacts--;
    let hole = slot;
    // Move back every later entry of the run whose home is not between the hole and itself.
    for (let j = (hole + 1) & mask; keys[j] !== 0; j = (j + 1) & mask) {
      const home = this.#home(keys[j] as number);
      const stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
      if (stays) continue;
      keys[hole] = keys[j] as number;
      quantities[hole] = quantities[j] as number;
      exact[hole] = exact[j];
      views[hole] = views[j];
      hole = j;
    }
    keys[hole] = 0;
    exact[hole] = undefined;
    views[hole] = undefined;
    this.#size--;
  }

  /** The level in `slot` as Decimals, built on first read and kept until the level changes. */
  view(slot: number): OrderBookLevel {
    let level = this.#views[slot];
    if (level === undefined) {
      const exact = this.#exact[slot];
      // A double that carries its decimal exactly prints it (shortest form): the same Decimal.
      level = {
        price: venueDecimal(exact?.price ?? String(this.#keys[slot])),
        quantity: venueDecimal(exact?.quantity ?? String(this.#quantities[slot])),
      };
      this.#views[slot] = level;
      this.#viewed++;
    }
    return level;
  }

  /** The exact price of the level in `slot`. */
  price(slot: number): Decimal {
    return venueDecimal(this.#exact[slot]?.price ?? String(this.#keys[slot]));
  }

  clear(): void {
    this.#keys.fill(0);
    this.#exact.fill(undefined);
    this.#views.fill(undefined);
    this.#size = 0;
    this.#viewed = 0;
    this.#exacts = 0;
  }

  #grow(): void {
    const keys = this.#keys;
    const quantities = this.#quantities;
    const exact = this.#exact;
    const views = this.#views;
    const bits = 32 - this.#shift + 1;
    this.#keys = new Float64Array(1 << bits);
    this.#quantities = new Float64Array(1 << bits);
    this.#exact = new Array(1 << bits).fill(undefined);
    this.#views = new Array(1 << bits).fill(undefined);
    this.#mask = (1 << bits) - 1;
    this.#shift = 32 - bits;
    this.#size = 0;
    this.#exacts = 0; // counted again as the levels are added back
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as number;
      if (key === 0) continue;
      this.add(key, quantities[i] as number, exact[i]);
      this.#views[this.find(key)] = views[i];
    }
  }
}

class Ladder {
  readonly #levels = new LevelTable();
  readonly #order = new SortedKeys();
  // Bids are kept as negated keys so both sides iterate best-first in ascending order.
  readonly #sign: 1 | -1;

  constructor(side: BookSide) {
    this.#sign = side === 'bid' ? -1 : 1;
  }

  get size(): number {
    return this.#levels.size;
  }

  /** Sets each `[price, quantity]` in turn (the loop lives here so that the per-level work is compiled into it). */
  setAll(levels: readonly RawLevel[]): void {
    for (let i = 0; i < levels.length; i++) {
      const level = levels[i] as RawLevel;
      this.set(level[0], level[1]);
    }
  }

  /** Sets one level; a zero quantity removes it. Throws RangeError on a malformed price or quantity. */
  set(price: string, quantity: string): void {
    const change = this.#levels.set(price, quantity);
    if (change === ADDED) this.#order.insert(this.#sign * this.#levels.lastKey);
    else if (change === REMOVED) this.#order.delete(this.#sign * this.#levels.lastKey);
  }

  bestKey(): number | undefined {
    const first = this.#order.first();
    return first === undefined ? undefined : this.#sign * first;
  }

  best(): OrderBookLevel | undefined {
    const key = this.bestKey();
    return key === undefined ? undefined : this.#levels.view(this.#levels.find(key));
  }

  top(limit: number): OrderBookLevel[] {
    const out: OrderBookLevel[] = [];
    if (limit <= 0) return out;
    const levels = this.#levels;
    this.#order.visit((sortKey) => {
      out.push(levels.view(levels.find(this.#sign * sortKey)));
      return out.length < limit;
    });
    return out;
  }

  /** Visits levels best-first while `visit` returns true: the price's double, the level, its exact price. */
  walk(visit: (price: number, level: OrderBookLevel, exactPrice: () => Decimal) => boolean): void {
    const levels = this.#levels;
    this.#order.visit((sortKey) => {
      const key = this.#sign * sortKey;
      const slot = levels.find(key);
      return visit(key, levels.view(slot), () => levels.price(slot));
    });
  }

  clear(): void {
    this.#levels.clear();
    this.#order.clear();
  }
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
    return integerText(this.#sequence);
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
    this.#bids.setAll(bids);
    this.#asks.setAll(asks);
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
    ladder.walk((key, lv, exactPrice) => {
      // The double order decides everywhere except at the bound itself, where
      // the bound may have been rounded: compare exactly there.
      if (key !== bound) {
        if (side === 'bid' ? key < bound : key > bound) return false;
      } else {
        const exact = exactPrice();
        if (side === 'bid' ? exact.lt(limit) : exact.gt(limit)) return false;
      }
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
