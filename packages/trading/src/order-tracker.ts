import {
  type Balance,
  type BusEvent,
  Decimal,
  type ExchangeId,
  type ExecutionType,
  type Fill,
  isTerminalStatus,
  type Logger,
  type MessageBus,
  type Order,
  type OrderRef,
  type OrderStatus,
  type UnifiedSymbol,
  type UserDataEvent,
  telemetry,
  topics,
} from '@venuekit/core';

/** Where the tracker learnt an order's state. */
export type OrderUpdateSource = 'stream' | 'placement' | 'cancel' | 'query';

/** `data` of the `order` events on `user.<id>.orders`. */
export interface OrderUpdate {
  readonly order: Order;
  readonly source: OrderUpdateSource;
  /** What the venue reported happened, for updates from the user data stream. */
  readonly executionType?: ExecutionType;
  readonly rejectReason?: string;
}

/** `data` of the `balances` events on `user.<id>.balances`: the assets whose amounts changed. */
export interface BalanceUpdate {
  readonly balances: readonly Balance[];
  readonly source: 'stream' | 'query';
}

/** `data` of the `balance_delta` events on `user.<id>.balances`: a deposit, withdrawal or transfer. */
export interface BalanceDelta {
  readonly asset: string;
  readonly delta: Decimal;
}

export interface OrderTrackerOptions {
  readonly userId: string;
  readonly exchange: ExchangeId;
  readonly bus: MessageBus;
  readonly now?: () => number;
  readonly logger?: Logger;
  /** Finished orders kept for `get` after they end (oldest forgotten first). Default 500. */
  readonly maxClosedOrders?: number;
  /** Fill ids remembered to deliver each fill once. Default 2000. */
  readonly maxRememberedFills?: number;
}

// Orders in the same state of completion are ordered by how far along the venue's lifecycle they are.
const STAGE: Record<OrderStatus, number> = {
  pending_new: 0,
  new: 1,
  partially_filled: 2,
  filled: 3,
  canceled: 3,
  rejected: 3,
  expired: 3,
  expired_in_match: 3,
};

/**
 * One user's orders, fills and balances as last reported, from the user data
 * stream and from the results of the user's own requests (whichever arrives
 * first). Publishes every change once on the bus:
 * `user.<id>.orders` (`order`), `user.<id>.fills` (`fill`, each fill once),
 * `user.<id>.balances` (`balances`, `balance_delta`).
 *
 * A report older than what is known (less filled, or an open state after a
 * final one) is ignored, so a slow REST response cannot undo a stream update.
 */
export class OrderTracker {
  readonly #userId: string;
  readonly #exchange: ExchangeId;
  readonly #bus: MessageBus;
  readonly #now: () => number;
  readonly #logger: Logger | undefined;
  readonly #maxClosed: number;
  readonly #maxFills: number;
  readonly #topicOrders: string;
  readonly #topicFills: string;
  readonly #topicBalances: string;
  // Created on first use: a connected user who never trades costs no collections.
  #orders: Map<string, Order> | undefined;
  #byClientId: Map<string, string> | undefined;
  // Keys of finished orders in the order they finished, to forget the oldest.
  #closed: Set<string> | undefined;
  #fills: Set<string> | undefined;
  // Every market the user had an order or a fill on: where a catch-up looks for missed fills.
  #symbols: Set<UnifiedSymbol> | undefined;
  #balances: Map<string, Balance> | undefined;
  #balancesKnown = false;
  #active = true;

  constructor(options: OrderTrackerOptions) {
    this.#userId = options.userId;
    this.#exchange = options.exchange;
    this.#bus = options.bus;
    this.#now = options.now ?? Date.now;
    this.#logger = options.logger;
    this.#maxClosed = options.maxClosedOrders ?? 500;
    this.#maxFills = options.maxRememberedFills ?? 2000;
    this.#topicOrders = topics.user(options.userId, 'orders');
    this.#topicFills = topics.user(options.userId, 'fills');
    this.#topicBalances = topics.user(options.userId, 'balances');
  }

  /** Applies one event of the user data stream. */
  applyEvent(event: UserDataEvent): void {
    if (!this.#active) return;
    switch (event.type) {
      case 'order':
        this.applyOrder(event.order, 'stream', event.executionType, event.rejectReason);
        return;
      case 'fill':
        this.applyFill(event.fill);
        return;
      case 'balances':
        this.#applyBalanceChanges(event.balances);
        return;
      case 'balance_delta':
        this.#publish(this.#topicBalances, 'balance_delta', undefined, {
          asset: event.asset,
          delta: event.delta,
        } satisfies BalanceDelta);
        return;
    }
  }

  /**
   * Records an order's state; publishes it when it is new or moved on (status or
   * filled quantity). Returns the state now known, which may be newer than `order`.
   */
  applyOrder(
    order: Order,
    source: OrderUpdateSource,
    executionType?: ExecutionType,
    rejectReason?: string,
  ): Order {
    if (!this.#active) return order;
    const key = orderKey(order.symbol, order.id);
    const orders = this.#orderMap();
    const known = orders.get(key) ?? this.#findByClientId(order.symbol, order.clientOrderId);
    if (known && !isNewer(order, known)) return known;
    // A cancel answer does not say when the order was created (its time is the cancel's): an
    // earlier creation time already known stays.
    if (known && known.id === order.id && known.createdAt < order.createdAt) {
      order = { ...order, createdAt: known.createdAt };
    }
    if (known && known.id !== order.id) {
      const oldKey = orderKey(known.symbol, known.id);
      orders.delete(oldKey);
      this.#closed?.delete(oldKey);
    }
    orders.set(key, order);
    this.#symbolSet().add(order.symbol);
    if (order.clientOrderId) {
      this.#clientIndex().set(clientKey(order.symbol, order.clientOrderId), key);
    }
    if (isTerminalStatus(order.status)) this.#retire(key);
    if (order.fills) for (const fill of order.fills) this.applyFill(fill);
    const changed = !known || known.status !== order.status || !known.filledQuantity.eq(order.filledQuantity);
    if (changed) {
      const update: OrderUpdate =
        executionType === undefined
          ? { order, source }
          : rejectReason === undefined
            ? { order, source, executionType }
            : { order, source, executionType, rejectReason };
      this.#publish(this.#topicOrders, 'order', order.symbol, update);
      if (source === 'stream' && telemetry.order.hasSubscribers) {
        telemetry.order.publish({
          exchange: this.#exchange,
          userId: this.#userId,
          symbol: order.symbol,
          clientOrderId: order.clientOrderId,
          orderId: order.id,
          // 'canceled' is the adapter's, when a cancel request returns; from the stream it is an update.
          event: order.status === 'filled' ? 'filled' : 'updated',
          status: order.status,
        });
      }
    }
    return order;
  }

  /** Records a fill and publishes it, once per venue trade id. Returns false for one already seen. */
  applyFill(fill: Fill): boolean {
    if (!this.#active) return false;
    const key = orderKey(fill.symbol, fill.tradeId);
    const fills = this.#fillKeys();
    if (fills.has(key)) return false;
    fills.add(key);
    this.#symbolSet().add(fill.symbol);
    if (fills.size > this.#maxFills) {
      fills.delete(fills.values().next().value as string);
    }
    this.#publish(this.#topicFills, 'fill', fill.symbol, fill);
    return true;
  }

  /** Replaces the known balances with a full snapshot; publishes the assets that changed since the last one. */
  applyBalanceSnapshot(balances: readonly Balance[]): void {
    if (!this.#active) return;
    const changed: Balance[] = [];
    const seen = new Set<string>();
    const known = this.#balanceMap();
    for (const balance of balances) {
      seen.add(balance.asset);
      const previous = known.get(balance.asset);
      if (!(previous && sameAmounts(previous, balance))) changed.push(balance);
      known.set(balance.asset, balance);
    }
    for (const [asset, previous] of known) {
      if (seen.has(asset)) continue;
      known.delete(asset);
      if (!previous.total.isZero()) {
        const zero = new Decimal(0);
        changed.push({ asset, free: zero, locked: zero, total: zero });
      }
    }
    const wasKnown = this.#balancesKnown;
    this.#balancesKnown = true;
    if (wasKnown && changed.length > 0) {
      this.#publish(this.#topicBalances, 'balances', undefined, {
        balances: changed,
        source: 'query',
      } satisfies BalanceUpdate);
    }
  }

  /** The last known state of an order, by venue id or client order id. */
  get(ref: OrderRef): Order | undefined {
    if (ref.orderId !== undefined) {
      const order = this.#orders?.get(orderKey(ref.symbol, ref.orderId));
      if (order) return order;
    }
    if (ref.clientOrderId !== undefined) return this.#findByClientId(ref.symbol, ref.clientOrderId);
    return undefined;
  }

  /** Orders known to be open, optionally on one market. */
  openOrders(symbol?: UnifiedSymbol): Order[] {
    const out: Order[] = [];
    if (!this.#orders) return out;
    for (const order of this.#orders.values()) {
      if (!isTerminalStatus(order.status) && (symbol === undefined || order.symbol === symbol)) {
        out.push(order);
      }
    }
    return out;
  }

  /** Every order the tracker knows: the open ones and the most recently finished. */
  orders(): Order[] {
    return this.#orders ? [...this.#orders.values()] : [];
  }

  /** Every market the user had an order or a fill on since the tracker started. */
  symbols(): UnifiedSymbol[] {
    return this.#symbols ? [...this.#symbols] : [];
  }

  /** The last known balances; empty until a snapshot or a stream update arrived. */
  balances(): Balance[] {
    return this.#balances ? [...this.#balances.values()] : [];
  }

  get openOrderCount(): number {
    return (this.#orders?.size ?? 0) - (this.#closed?.size ?? 0);
  }

  /** Stops publishing and forgets everything. */
  close(): void {
    this.#active = false;
    this.#orders = undefined;
    this.#byClientId = undefined;
    this.#closed = undefined;
    this.#fills = undefined;
    this.#symbols = undefined;
    this.#balances = undefined;
  }

  #applyBalanceChanges(balances: readonly Balance[]): void {
    const known = this.#balanceMap();
    for (const balance of balances) known.set(balance.asset, balance);
    this.#publish(this.#topicBalances, 'balances', undefined, {
      balances,
      source: 'stream',
    } satisfies BalanceUpdate);
  }

  #orderMap(): Map<string, Order> {
    this.#orders ??= new Map();
    return this.#orders;
  }

  #clientIndex(): Map<string, string> {
    this.#byClientId ??= new Map();
    return this.#byClientId;
  }

  #closedKeys(): Set<string> {
    this.#closed ??= new Set();
    return this.#closed;
  }

  #fillKeys(): Set<string> {
    this.#fills ??= new Set();
    return this.#fills;
  }

  #symbolSet(): Set<UnifiedSymbol> {
    this.#symbols ??= new Set();
    return this.#symbols;
  }

  #balanceMap(): Map<string, Balance> {
    this.#balances ??= new Map();
    return this.#balances;
  }

  #findByClientId(symbol: UnifiedSymbol, clientOrderId: string): Order | undefined {
    if (!clientOrderId) return undefined;
    const key = this.#byClientId?.get(clientKey(symbol, clientOrderId));
    return key === undefined ? undefined : this.#orders?.get(key);
  }

  #retire(key: string): void {
    const closed = this.#closedKeys();
    if (closed.has(key)) return;
    closed.add(key);
    if (closed.size <= this.#maxClosed) return;
    const oldest = closed.values().next().value as string;
    closed.delete(oldest);
    const order = this.#orders?.get(oldest);
    this.#orders?.delete(oldest);
    if (order?.clientOrderId) {
      const ck = clientKey(order.symbol, order.clientOrderId);
      if (this.#byClientId?.get(ck) === oldest) this.#byClientId.delete(ck);
    }
  }

  #publish(topic: string, type: string, symbol: string | undefined, data: unknown): void {
    if (!this.#active) return;
    const event: BusEvent =
      symbol === undefined
        ? { topic, type, exchange: this.#exchange, userId: this.#userId, data, publishedAt: this.#now() }
        : {
            topic,
            type,
            exchange: this.#exchange,
            symbol,
            userId: this.#userId,
            data,
            publishedAt: this.#now(),
          };
    try {
      this.#bus.publish(event);
    } catch (error) {
      // A remote bus may fail to publish; the tracker's state is still right.
      this.#logger?.warn('publishing a user event failed', { topic, err: error });
    }
  }
}

/** True when `next` is a later state of the order than `known`. */
function isNewer(next: Order, known: Order): boolean {
  const filled = next.filledQuantity.comparedTo(known.filledQuantity);
  if (filled !== 0) return filled > 0;
  const stage = STAGE[next.status] - STAGE[known.status];
  if (stage !== 0) return stage > 0;
  return next.updatedAt > known.updatedAt;
}

function sameAmounts(a: Balance, b: Balance): boolean {
  return a.free.eq(b.free) && a.locked.eq(b.locked);
}

function orderKey(symbol: string, id: string): string {
  return `${symbol}\u0000${id}`;
}

function clientKey(symbol: string, clientOrderId: string): string {
  return `${symbol}\u0001${clientOrderId}`;
}
