import {
  type Balance,
  type BusSubscription,
  type Credentials,
  type Fill,
  isVenuekitError,
  type Logger,
  type Order,
  type OrderRequestInput,
  type UnifiedSymbol,
} from '@venuekit/core';
import type { TradingFacade, TradingSession } from '@venuekit/trading';
import type { IncidentLevel, WireBalance, WireFill, WireOrder, WireUser } from './wire';

/** A demo user: their id and the keys of their account on the venue, sealed in core's Secrets. */
export interface DemoUserKeys {
  readonly userId: string;
  /** Owned by the user's trading session once connected: disposed when it disconnects. */
  readonly credentials: Credentials;
}

export interface UserDeskOptions {
  readonly trading: Pick<TradingFacade, 'connectUser'>;
  readonly keys: DemoUserKeys;
  /** The markets whose fills and assets the page shows. */
  readonly symbols: readonly UnifiedSymbol[];
  readonly logger: Logger;
  /** Called whenever what `view()` returns may have changed. */
  readonly onChange: () => void;
  readonly onIncident?: (level: IncidentLevel, text: string) => void;
  /** Fills kept for the page. Default 40. */
  readonly maxFills?: number;
}

/**
 * One user's desk on the dashboard: a venuekit trading session with their own keys,
 * kept current from their user data events (orders, fills, balances, status) and
 * acting for them when the page places or cancels an order.
 */
export class UserDesk {
  readonly userId: string;
  readonly #options: UserDeskOptions;
  readonly #assets: ReadonlySet<string>;
  readonly #fills: WireFill[] = [];
  readonly #fillIds = new Set<string>();
  readonly #subscriptions: BusSubscription[] = [];
  #session: TradingSession | undefined;
  #state: WireUser['state'] = 'connecting';
  #problem: string | undefined;
  #closed = false;

  constructor(options: UserDeskOptions) {
    this.#options = options;
    this.userId = options.keys.userId;
    this.#assets = new Set(options.symbols.flatMap((symbol) => symbol.split('/')));
  }

  /**
   * Connects the user (the venue checks the keys) and loads balances, open orders and
   * recent fills. Never rejects: a user that cannot connect is shown as unavailable
   * with the error's user message.
   */
  async connect(): Promise<void> {
    const { trading, keys } = this.#options;
    try {
      const session = await trading.connectUser(keys.userId, keys.credentials, {
        clientOrderIdPrefix: 'demo',
      });
      if (this.#closed) return;
      this.#session = session;
      const changed = () => this.#options.onChange();
      this.#subscriptions.push(
        await session.subscribe('orders', changed),
        await session.subscribe('balances', changed),
        await session.subscribe('fills', (event) => {
          this.#addFill(event.data as Fill);
          changed();
        }),
        await session.subscribe('status', changed),
      );
      await Promise.all([session.getBalances(), session.getOpenOrders(), this.#loadFills(session)]);
      this.#state = 'ready';
    } catch (error) {
      this.#state = 'unavailable';
      this.#problem = isVenuekitError(error) ? error.userMessage : String(error);
      this.#options.logger.warn('a demo user could not connect', {
        userId: this.userId,
        error: isVenuekitError(error) ? error.code : String(error),
      });
      this.#options.onIncident?.('error', `${this.userId} could not connect: ${this.#problem}`);
    } finally {
      this.#options.onChange();
    }
  }

  get ready(): boolean {
    return this.#state === 'ready' && this.#session !== undefined;
  }

  /** Places an order for this user; rejects with the venuekit error (its userMessage is for people). */
  placeOrder(input: OrderRequestInput): Promise<Order> {
    return this.#require().placeOrder(input);
  }

  cancelOrder(symbol: string, orderId: string): Promise<Order> {
    return this.#require().cancelOrder({ symbol, orderId });
  }

  view(): WireUser {
    const session = this.#session;
    if (!session) {
      return {
        id: this.userId,
        state: this.#state,
        ...(this.#problem ? { problem: this.#problem } : {}),
        balances: [],
        openOrders: [],
        fills: [],
      };
    }
    const status = session.status();
    return {
      id: this.userId,
      state: this.#state,
      ...(this.#problem ? { problem: this.#problem } : {}),
      session: status.state,
      userData: status.userData,
      balances: session
        .trackedBalances()
        .filter((balance) => this.#assets.has(balance.asset) || !balance.total.isZero())
        .sort((a, b) => a.asset.localeCompare(b.asset))
        .map(balanceView),
      openOrders: session
        .trackedOpenOrders()
        .sort((a, b) => b.createdAt - a.createdAt)
        .map(orderView),
      fills: [...this.#fills],
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled(this.#subscriptions.splice(0).map((subscription) => subscription.unsubscribe()));
  }

  #require(): TradingSession {
    if (!this.#session) {
      throw new TypeError(`${this.userId} is not connected${this.#problem ? `: ${this.#problem}` : ''}`);
    }
    return this.#session;
  }

  async #loadFills(session: TradingSession): Promise<void> {
    const lists = await Promise.all(
      this.#options.symbols.map((symbol) => session.getTrades(symbol, { limit: 10 })),
    );
    for (const fill of lists.flat().sort((a, b) => a.timestamp - b.timestamp)) this.#addFill(fill);
  }

  #addFill(fill: Fill): void {
    // Trade ids are per market on Binance.
    const key = `${fill.symbol}:${fill.tradeId}`;
    if (this.#fillIds.has(key)) return;
    this.#fillIds.add(key);
    this.#fills.unshift({
      tradeId: fill.tradeId,
      orderId: fill.orderId,
      symbol: fill.symbol,
      side: fill.side,
      price: fill.price.toString(),
      quantity: fill.quantity.toString(),
      fee: fill.fee.amount.toString(),
      feeAsset: fill.fee.asset,
      isMaker: fill.isMaker,
      timestamp: fill.timestamp,
    });
    const max = this.#options.maxFills ?? 40;
    while (this.#fills.length > max) {
      const dropped = this.#fills.pop();
      if (dropped) this.#fillIds.delete(`${dropped.symbol}:${dropped.tradeId}`);
    }
  }
}

export function orderView(order: Order): WireOrder {
  return {
    id: order.id,
    clientOrderId: order.clientOrderId,
    symbol: order.symbol,
    side: order.side,
    type: order.type,
    status: order.status,
    ...(order.price ? { price: order.price.toString() } : {}),
    quantity: order.quantity.toString(),
    filledQuantity: order.filledQuantity.toString(),
    ...(order.averagePrice ? { averagePrice: order.averagePrice.toString() } : {}),
    createdAt: order.createdAt,
    updatedAt: order.updatedAt,
  };
}

function balanceView(balance: Balance): WireBalance {
  return { asset: balance.asset, free: balance.free.toString(), locked: balance.locked.toString() };
}
