import { Decimal } from '@venuekit/core';
import type {
  DepthLevel,
  EngineExecutionType,
  EngineOrderStatus,
  EngineOrderType,
  EngineTimeInForce,
  ExpiryReason,
  OrderSide,
} from './types';

export const ZERO = new Decimal(0);

/** An order inside the engine (mutable; views are copied out of it). */
export interface LiveOrder {
  readonly accountId: string;
  readonly symbol: string;
  readonly orderId: number;
  orderListId: number;
  readonly clientOrderId: string;
  readonly side: OrderSide;
  /** The type as placed (a triggered stop keeps its type). */
  readonly type: EngineOrderType;
  readonly timeInForce: EngineTimeInForce;
  readonly price: Decimal;
  readonly stopPrice: Decimal;
  readonly origQty: Decimal;
  readonly origQuoteOrderQty: Decimal;
  executedQty: Decimal;
  cummulativeQuoteQty: Decimal;
  status: EngineOrderStatus;
  readonly time: number;
  updateTime: number;
  isWorking: boolean;
  workingTime: number;
  expiryReason: ExpiryReason | undefined;
  /** Amount of `lockAsset` still locked for this order. */
  locked: Decimal;
  readonly lockAsset: string;
  /** The execution type of the last report, for bookkeeping in tests. */
  lastExecution: EngineExecutionType | undefined;
  /** True while resting on the book. */
  onBook: boolean;
}

export function remaining(order: LiveOrder): Decimal {
  return order.origQty.minus(order.executedQty);
}

export class PriceLevel {
  readonly price: Decimal;
  readonly key: string;
  readonly bid: boolean;
  readonly orders: LiveOrder[] = [];
  total = ZERO;

  constructor(price: Decimal, key: string, bid: boolean) {
    this.price = price;
    this.key = key;
    this.bid = bid;
  }
}

/** One side of a symbol's book: price levels best-first, each a FIFO queue (price-time priority). */
export class BookSide {
  readonly isBid: boolean;
  readonly levels: PriceLevel[] = [];
  readonly #byKey = new Map<string, PriceLevel>();

  constructor(isBid: boolean) {
    this.isBid = isBid;
  }

  best(): PriceLevel | undefined {
    return this.levels[0];
  }

  level(key: string): PriceLevel | undefined {
    return this.#byKey.get(key);
  }

  /** Appends the order at the back of its price level. */
  add(order: LiveOrder): PriceLevel {
    const key = order.price.toString();
    let level = this.#byKey.get(key);
    if (!level) {
      level = new PriceLevel(order.price, key, this.isBid);
      this.#byKey.set(key, level);
      this.levels.splice(this.#insertionIndex(order.price), 0, level);
    }
    level.orders.push(order);
    level.total = level.total.plus(remaining(order));
    order.onBook = true;
    return level;
  }

  /** Removes a resting order (cancel, expiry); returns its level. */
  remove(order: LiveOrder): PriceLevel | undefined {
    const level = this.#byKey.get(order.price.toString());
    if (!level) return undefined;
    const index = level.orders.indexOf(order);
    if (index < 0) return undefined;
    level.orders.splice(index, 1);
    level.total = level.total.minus(remaining(order));
    order.onBook = false;
    if (level.orders.length === 0) this.#drop(level);
    return level;
  }

  /** A resting order traded `quantity` (already added to its executedQty); drops it when filled. */
  filled(order: LiveOrder, quantity: Decimal): PriceLevel | undefined {
    const level = this.#byKey.get(order.price.toString());
    if (!level) return undefined;
    level.total = level.total.minus(quantity);
    if (remaining(order).isZero()) {
      const index = level.orders.indexOf(order);
      if (index >= 0) level.orders.splice(index, 1);
      order.onBook = false;
      if (level.orders.length === 0) this.#drop(level);
    }
    return level;
  }

  /** The levels as `[price, quantity]`, best first. */
  snapshot(limit = Number.POSITIVE_INFINITY): DepthLevel[] {
    const out: DepthLevel[] = [];
    const count = Math.min(limit, this.levels.length);
    for (let i = 0; i < count; i++) {
      const level = this.levels[i] as PriceLevel;
      out.push([level.price, level.total]);
    }
    return out;
  }

  #drop(level: PriceLevel): void {
    this.#byKey.delete(level.key);
    const index = this.levels.indexOf(level);
    if (index >= 0) this.levels.splice(index, 1);
  }

  #insertionIndex(price: Decimal): number {
    let lo = 0;
    let hi = this.levels.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const other = (this.levels[mid] as PriceLevel).price;
      const before = this.isBid ? other.gt(price) : other.lt(price);
      if (before) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
