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

// 10^0 … 10^22: every one an exact double.
const POWERS_OF_TEN = Array.from({ length: 23 }, (_, i) => 10 ** i);

/** What `plainDecimal` returns for plain text that a double does not carry exactly. */
const INEXACT = -1;

/**
 * Plain decimal text as venues write it — digits, at most one point with digits on both sides, 1 to
 * 64 characters — read as `exactDecimalToNumber` reads it: its double when that carries the value
 * exactly (at most 15 significant digits and 22 decimals), INEXACT for other plain text (the caller
 * then takes `+text` and keeps the text), NaN for anything else. Small enough to be inlined, so the
 * double it returns is never boxed. (Counting zeros instead of multiplying them in, or gathering
 * digits in 32-bit chunks, measured slower: the branches cost more than the multiply-adds.)
 */
function plainDecimal(text: string): number {
  const length = text.length;
  if (length === 0 || length > 64) return Number.NaN;
  let mantissa = 0;
  let point = -1;
  for (let i = 0; i < length; i++) {
    // One subtraction and one unsigned comparison per digit.
    const digit = text.charCodeAt(i) - 48;
    if (digit >>> 0 <= 9) mantissa = mantissa * 10 + digit;
    else if (digit === -2 && point < 0) point = i;
    else return Number.NaN;
  }
  if (point === 0 || point === length - 1) return Number.NaN;
  const decimals = point < 0 ? 0 : length - point - 1;
  if (mantissa >= 1e15 || decimals > 22) return INEXACT;
  return decimals === 0 ? mantissa : mantissa / (POWERS_OF_TEN[decimals] as number);
}

// The levels of the update `tryApply` is applying, read and checked before any of them is applied:
// the price's and the quantity's doubles, and the venue's text in the rare case a double does not
// carry it (`stagedExact` counts those; the arrays are only read while it is above zero).
let stagedKeys = new Float64Array(64);
let stagedAmounts = new Float64Array(64);
const stagedExactPrices: (string | undefined)[] = [];
const stagedExactQuantities: (string | undefined)[] = [];
let stagedExact = 0;
// LevelTable.set's one level, read the same way.
const ONE_KEY = new Float64Array(1);
const ONE_AMOUNT = new Float64Array(1);

/**
 * Reads `levels` into the staging arrays from `at` on. False at the first level that is not an
 * array whose first two elements are plain decimal text, a positive price and a quantity (0
 * removes the level).
 */
function stageLevels(levels: readonly unknown[], at: number): boolean {
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i];
    if (!Array.isArray(level) || level.length < 2) return false;
    const price: unknown = level[0];
    const quantity: unknown = level[1];
    if (typeof price !== 'string' || typeof quantity !== 'string') return false;
    let key = plainDecimal(price);
    let exactPrice: string | undefined;
    if (key === INEXACT) {
      key = +price;
      exactPrice = price;
    }
    if (!(key > 0)) return false; // not plain decimal text (NaN), or zero
    let amount = plainDecimal(quantity);
    let exactQuantity: string | undefined;
    if (amount === INEXACT) {
      amount = +quantity;
      exactQuantity = quantity;
    }
    if (!(amount >= 0)) return false;
    stage(at + i, key, amount, exactPrice, exactQuantity);
  }
  return true;
}

/** Puts one checked level in the staging arrays at `slot` (small enough to be inlined). */
function stage(
  slot: number,
  key: number,
  amount: number,
  exactPrice: string | undefined,
  exactQuantity: string | undefined,
): void {
  if (exactPrice !== undefined || exactQuantity !== undefined) {
    stagedExactPrices[slot] = exactPrice;
    stagedExactQuantities[slot] = exactQuantity;
    stagedExact++;
  } else if (stagedExact > 0) {
    stagedExactPrices[slot] = undefined;
    stagedExactQuantities[slot] = undefined;
  }
  stagedKeys[slot] = key;
  stagedAmounts[slot] = amount;
}

// Where the last `jsonDecimal` stopped (past its closing quote) and how far `readJsonLevels` staged.
let scanAt = 0;
let stagedEnd = 0;

/**
 * The text of a JSON string from `at` (just past its opening quote) read as `plainDecimal` reads
 * plain decimal text, when the string is nothing but that: up to 64 digits with at most one point
 * (digits on both sides), then the closing quote. Sets `scanAt` past the quote. NaN for anything
 * else (an escape, another character, no closing quote in time).
 */
function jsonDecimal(text: string, at: number): number {
  const limit = Math.min(text.length, at + 65);
  let mantissa = 0;
  let point = -1;
  let i = at;
  for (; i < limit; i++) {
    const c = text.charCodeAt(i);
    const digit = c - 48;
    if (digit >>> 0 <= 9) mantissa = mantissa * 10 + digit;
    else if (c === 34) break;
    else if (c === 46 && point < 0) point = i;
    else return Number.NaN;
  }
  if (i === limit || i === at || point === at || point === i - 1) return Number.NaN;
  scanAt = i + 1;
  const decimals = point < 0 ? 0 : i - point - 1;
  if (mantissa >= 1e15 || decimals > 22) return INEXACT;
  return decimals === 0 ? mantissa : mantissa / (POWERS_OF_TEN[decimals] as number);
}

function growStaged(): void {
  const keys = new Float64Array(2 * stagedKeys.length);
  const amounts = new Float64Array(2 * stagedAmounts.length);
  keys.set(stagedKeys);
  amounts.set(stagedAmounts);
  stagedKeys = keys;
  stagedAmounts = amounts;
}

/**
 * Reads a JSON array of levels from `text` at `at` into the staging arrays from `slot` on, in the
 * strict form venues write it: `[["price","quantity"],…]` without whitespace, each level exactly two
 * strings of plain decimal text, a positive price and a quantity (0 removes the level). Returns the
 * index just past the array's `]` (and sets `stagedEnd` to the slot after the last level), or -1 when
 * the text is not exactly that.
 */
function readJsonLevels(text: string, at: number, slot: number): number {
  if (text.charCodeAt(at) !== 91) return -1; // [
  let i = at + 1;
  if (text.charCodeAt(i) === 93) {
    stagedEnd = slot;
    return i + 1;
  }
  for (;;) {
    if (text.charCodeAt(i) !== 91 || text.charCodeAt(i + 1) !== 34) return -1; // ["
    let key = jsonDecimal(text, i + 2);
    let exactPrice: string | undefined;
    if (key === INEXACT) {
      exactPrice = text.slice(i + 2, scanAt - 1);
      key = +exactPrice;
    }
    if (!(key > 0)) return -1;
    i = scanAt;
    if (text.charCodeAt(i) !== 44 || text.charCodeAt(i + 1) !== 34) return -1; // ,"
    let amount = jsonDecimal(text, i + 2);
    let exactQuantity: string | undefined;
    if (amount === INEXACT) {
      exactQuantity = text.slice(i + 2, scanAt - 1);
      amount = +exactQuantity;
    }
    if (!(amount >= 0)) return -1;
    i = scanAt;
    if (text.charCodeAt(i) !== 93) return -1; // ]
    if (slot === stagedKeys.length) growStaged();
    stage(slot, key, amount, exactPrice, exactQuantity);
    slot++;
    const next = text.charCodeAt(i + 1);
    i += 2;
    if (next === 93) {
      stagedEnd = slot;
      return i;
    }
    if (next !== 44) return -1; // ,
  }
}

function clearStaged(): void {
  if (stagedExact === 0) return;
  stagedExact = 0;
  stagedExactPrices.length = 0;
  stagedExactQuantities.length = 0;
}

/**
 * The levels of one side, by price: open addressing with linear probing over typed arrays. A slot
 * holds the price (a positive double; 0 marks an empty slot), the quantity as a double (0: an empty
 * level, see below), the exact text in the rare case the doubles do not carry it, and the level's
 * Decimals once someone read them.
 *
 * Why not a Map of level objects: a Map keyed by numbers boxes every double it is asked about, and
 * an object holding the venue's strings keeps each update's fresh strings alive, which the garbage
 * collector must then copy out of the young generation. Here updating an existing level is a lookup
 * and a store into a Float64Array: nothing is allocated. A decimal of up to 15 significant digits
 * goes to a double and back (its shortest form) exactly, so the Decimals built from the doubles
 * equal those built from the venue's text.
 *
 * A removed level stays in the table and in the ladder's order as an empty level (quantity 0),
 * until the ladder purges them: books remove and add levels at the same prices all the time, and
 * emptying or refilling a level is then a store, where taking a price out of the order and putting
 * it back costs a search and a shift each (measured: about two thirds of a 10-level diff's time
 * went there). Nothing outside this file sees an empty level.
 */
const UNCHANGED = 0;
const CHANGED = 1;
/** A price that was not in the table: it must be put in the order. */
const ADDED = 2;
/** A level emptied: it stays in the order until purged. */
const REMOVED = 3;
/** An empty level filled again: already in the order. */
const REFILLED = 4;
type Change = typeof UNCHANGED | typeof CHANGED | typeof ADDED | typeof REMOVED | typeof REFILLED;

class LevelTable {
  /** The price's double of the last `set`. */
  lastKey = 0;
  #keys: Float64Array;
  #quantities: Float64Array;
  #exact: (ExactText | undefined)[];
  #views: (OrderBookLevel | undefined)[];
  #mask: number;
  #shift: number;
  /** Levels with a quantity. */
  #size = 0;
  /** Occupied slots: levels with a quantity and empty ones. */
  #entries = 0;
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

  /** Levels with a quantity. */
  get size(): number {
    return this.#size;
  }

  /** Empty levels still held. */
  get empties(): number {
    return this.#entries - this.#size;
  }

  #home(key: number): number {
    SCRATCH[0] = key;
    return (
      Math.imul((WORDS[0] as number) ^ Math.imul(WORDS[1] as number, 0x85ebca6b), 0x9e3779b1) >>> this.#shift
    );
  }

  /**
   * Sets one level. Prices and quantities are read as `+price` and `+quantity` would read them.
   * Throws RangeError on a price that is not positive or a quantity that is negative.
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
    ONE_KEY[0] = key;
    ONE_AMOUNT[0] = amount;
    return this.#put(ONE_KEY, ONE_AMOUNT, 0, exactPrice, exactQuantity);
  }

  /** Sets the level `tryApply` staged at `slot` (already checked). */
  setStaged(slot: number): Change {
    return stagedExact === 0
      ? this.#put(stagedKeys, stagedAmounts, slot, undefined, undefined)
      : this.#put(stagedKeys, stagedAmounts, slot, stagedExactPrices[slot], stagedExactQuantities[slot]);
  }

  /**
   * Sets the level whose price and quantity are `prices[i]` and `amounts[i]` (the hot path: the
   * doubles are read here from typed arrays rather than passed as arguments, so that none is boxed).
   */
  #put(
    prices: Float64Array,
    amounts: Float64Array,
    i: number,
    exactPrice: string | undefined,
    exactQuantity: string | undefined,
  ): Change {
    const key = prices[i] as number;
    const amount = amounts[i] as number;
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
        if (amount === 0) return UNCHANGED;
        return this.#insert(slot, key, amount, exactPrice, exactQuantity);
      }
      slot = (slot + 1) & mask;
    }
    const quantities = this.#quantities;
    const was = quantities[slot] as number;
    quantities[slot] = amount;
    if (amount === 0) {
      if (was === 0) return UNCHANGED;
      // Emptied: its Decimals and exact text go; the price stays, as an empty level.
      this.#size--;
      this.#forget(slot);
      return REMOVED;
    }
    if (was === 0) {
      this.#size++;
      if (exactPrice !== undefined || exactQuantity !== undefined) {
        this.#exact[slot] = { price: exactPrice, quantity: exactQuantity };
        this.#exacts++;
      }
      return REFILLED;
    }
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

  /** Puts a new price in the free `slot` its probe ended at (or, if the table must grow first, anew). */
  #insert(
    slot: number,
    key: number,
    amount: number,
    exactPrice: string | undefined,
    exactQuantity: string | undefined,
  ): Change {
    const exact =
      exactPrice === undefined && exactQuantity === undefined
        ? undefined
        : { price: exactPrice, quantity: exactQuantity };
    if ((this.#entries + 1) * 2 > this.#keys.length) {
      this.#grow();
      this.add(key, amount, exact);
      return ADDED;
    }
    this.#keys[slot] = key;
    this.#quantities[slot] = amount;
    if (exact !== undefined) {
      this.#exact[slot] = exact;
      this.#exacts++;
    }
    this.#entries++;
    this.#size++;
    return ADDED;
  }

  #forget(slot: number): void {
    if (this.#exacts > 0 && this.#exact[slot] !== undefined) {
      this.#exact[slot] = undefined;
      this.#exacts--;
    }
    if (this.#viewed > 0 && this.#views[slot] !== undefined) {
      this.#views[slot] = undefined;
      this.#viewed--;
    }
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

  /** Whether the level in `slot` has a quantity (is not an empty one). */
  filled(slot: number): boolean {
    return (this.#quantities[slot] as number) > 0;
  }

  /** Adds `key` (the caller guarantees it is not present and that there is room). */
  add(key: number, quantity: number, exact: ExactText | undefined): void {
    const keys = this.#keys;
    const mask = this.#mask;
    let i = this.#home(key);
    while (keys[i] !== 0) i = (i + 1) & mask;
    keys[i] = key;
    this.#quantities[i] = quantity;
    this.#exact[i] = exact;
    if (exact !== undefined) this.#exacts++;
    this.#views[i] = undefined;
    this.#entries++;
    if (quantity > 0) this.#size++;
  }

  /** Takes the price in `slot` out of the table altogether. */
  removeAt(slot: number): void {
    const keys = this.#keys;
    const quantities = this.#quantities;
    const exact = this.#exact;
    const views = this.#views;
    const mask = this.#mask;
    if (views[slot] !== undefined) this.#viewed--;
    if (exact[slot] !== undefined) this.#exacts--;
    if ((quantities[slot] as number) > 0) this.#size--;
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
    this.#entries--;
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
    this.#entries = 0;
    this.#viewed = 0;
    this.#exacts = 0;
  }

  /** Drops the empty levels (the ladder drops them from its order too). */
  purge(): void {
    this.#rebuild(32 - this.#shift, false);
  }

  #grow(): void {
    this.#rebuild(32 - this.#shift + 1, true);
  }

  #rebuild(bits: number, keepEmpty: boolean): void {
    const keys = this.#keys;
    const quantities = this.#quantities;
    const exact = this.#exact;
    const views = this.#views;
    this.#keys = new Float64Array(1 << bits);
    this.#quantities = new Float64Array(1 << bits);
    this.#exact = new Array(1 << bits).fill(undefined);
    this.#views = new Array(1 << bits).fill(undefined);
    this.#mask = (1 << bits) - 1;
    this.#shift = 32 - bits;
    this.#size = 0;
    this.#entries = 0;
    this.#exacts = 0; // counted again as the levels are added back
    this.#viewed = 0;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as number;
      if (key === 0) continue;
      const quantity = quantities[i] as number;
      if (quantity === 0 && !keepEmpty) continue;
      this.add(key, quantity, exact[i]);
      const view = views[i];
      if (view !== undefined) {
        this.#views[this.find(key)] = view;
        this.#viewed++;
      }
    }
  }
}

/** Empty levels a side may hold beyond this many, and beyond its count of levels, are purged. */
const MAX_EMPTY_LEVELS = 256;

class Ladder {
  readonly #levels = new LevelTable();
  // Every price in the table, best first: levels and empty levels, except that the first one
  // always has a quantity (so the best level is the first key).
  readonly #order = new SortedKeys();
  // Bids are kept as negated keys so both sides iterate best-first in ascending order.
  readonly #sign: 1 | -1;

  constructor(side: BookSide) {
    this.#sign = side === 'bid' ? -1 : 1;
  }

  get size(): number {
    return this.#levels.size;
  }

  /** Sets one level; a zero quantity removes it. Throws RangeError on a malformed price or quantity. */
  set(price: string, quantity: string): void {
    this.#changed(this.#levels.set(price, quantity));
  }

  /** Sets each `[price, quantity]` in turn (the loop lives here so that the per-level work is compiled into it). */
  setAll(levels: readonly RawLevel[]): void {
    for (let i = 0; i < levels.length; i++) {
      const level = levels[i] as RawLevel;
      this.set(level[0], level[1]);
    }
  }

  /** Sets the levels `tryApply` staged in slots `from` to `to` (excluded). */
  setStaged(from: number, to: number): void {
    const levels = this.#levels;
    for (let i = from; i < to; i++) {
      const change = levels.setStaged(i);
      if (change >= ADDED) this.#changed(change);
    }
  }

  /** Keeps the order in step with the table after the change of the level at `lastKey`. */
  #changed(change: Change): void {
    const order = this.#order;
    if (change === ADDED) {
      order.insert(this.#sign * this.#levels.lastKey);
    } else if (change === REMOVED) {
      const levels = this.#levels;
      if (this.#sign * levels.lastKey === order.first()) {
        // The best level was emptied: the first key must have a quantity, so take the empty ones
        // at the front out altogether.
        for (let first = order.first(); first !== undefined; first = order.first()) {
          const slot = levels.find(this.#sign * first);
          if (levels.filled(slot)) break;
          levels.removeAt(slot);
          order.delete(first);
        }
      } else if (levels.empties > MAX_EMPTY_LEVELS && levels.empties > levels.size) {
        levels.purge();
        order.retainAll((sortKey) => levels.find(this.#sign * sortKey) >= 0);
      }
    }
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
      const slot = levels.find(this.#sign * sortKey);
      if (!levels.filled(slot)) return true;
      out.push(levels.view(slot));
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
      if (!levels.filled(slot)) return true;
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

  /**
   * Applies a venue's update only if all of it is well formed, reading each level once: the levels
   * are read and checked first (each an array whose first two elements are plain decimal text —
   * digits, at most one point with digits on both sides, up to 64 characters — with a price above
   * zero; a zero quantity removes the level), then applied. Returns false, and changes nothing, when
   * `bids` or `asks` is not an array or any level is malformed. For the hot path of a venue's diff
   * stream, where a malformed update must be discarded, never half applied.
   */
  tryApply(bids: unknown, asks: unknown, sequence: number, timestamp: number): boolean {
    if (!Array.isArray(bids) || !Array.isArray(asks)) return false;
    const split = bids.length;
    const total = split + asks.length;
    if (total > stagedKeys.length) {
      stagedKeys = new Float64Array(2 * total);
      stagedAmounts = new Float64Array(2 * total);
    }
    if (!stageLevels(bids, 0) || !stageLevels(asks, split)) {
      clearStaged();
      return false;
    }
    this.#bids.setStaged(0, split);
    this.#asks.setStaged(split, total);
    clearStaged();
    this.#sequence = sequence;
    this.#timestamp = timestamp;
    return true;
  }

  /**
   * `tryApply` straight from a venue's JSON text, for a diff stream's hot path: no parsed levels,
   * no strings. From `at`, `text` must hold the bids' array, `separator`, the asks' array, then
   * `end`, which ends the text; each array in the strict form venues write (`[["price","quantity"],…]`,
   * no whitespace, each level exactly two strings of plain decimal text, as `tryApply` accepts them).
   * Applies all of it and returns true, or changes nothing and returns false when the text is not
   * exactly that. The caller then parses the text as JSON and takes `tryApply`'s path, which decides
   * for anything this one refuses (a malformed level, or merely another layout).
   */
  tryApplyJson(
    text: string,
    at: number,
    separator: string,
    end: string,
    sequence: number,
    timestamp: number,
  ): boolean {
    const afterBids = readJsonLevels(text, at, 0);
    if (afterBids < 0 || !text.startsWith(separator, afterBids)) {
      clearStaged();
      return false;
    }
    const split = stagedEnd;
    const afterAsks = readJsonLevels(text, afterBids + separator.length, split);
    if (afterAsks < 0 || afterAsks + end.length !== text.length || !text.startsWith(end, afterAsks)) {
      clearStaged();
      return false;
    }
    this.#bids.setStaged(0, split);
    this.#asks.setStaged(split, stagedEnd);
    clearStaged();
    this.#sequence = sequence;
    this.#timestamp = timestamp;
    return true;
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
