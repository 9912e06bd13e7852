import { createPublicKey, timingSafeEqual } from 'node:crypto';
import {
  type AccountClient,
  type AccountOptions,
  type AccountStatus,
  AuthenticationError,
  type Balance,
  type Clock,
  ClosedError,
  type Credentials,
  createClientOrderId,
  Decimal,
  type ExchangeId,
  type Fill,
  type HistoryQuery,
  type Logger,
  type OcoOrderRequest,
  type Order,
  type OrderList,
  type OrderRef,
  type OrderRequest,
  type PlaceOrderOptions,
  type StreamObserver,
  type UnifiedSymbol,
  type UserDataEvent,
  type UserDataSubscription,
  ValidationError,
} from '@venuekit/core';
import type { ExchangeEngine } from '../engine/engine';
import type {
  AccountInfo,
  AccountEvent,
  EngineExecutionType,
  EngineOrderType,
  NewOrderRequest,
  OcoLegType,
  OrderView,
  SymbolInfo,
} from '../engine/types';
import type { AccountOperation, InMemoryFaults } from './faults';
import {
  accountFill,
  feesOf,
  placementFill,
  type SymbolMap,
  side as toSide,
  toOrder,
  toOrderList,
  toVenueError,
} from './mapping';

const EXECUTION_TYPES: Record<
  EngineExecutionType,
  'new' | 'trade' | 'canceled' | 'rejected' | 'expired' | 'replaced'
> = {
  NEW: 'new',
  TRADE: 'trade',
  CANCELED: 'canceled',
  REJECTED: 'rejected',
  EXPIRED: 'expired',
  REPLACED: 'replaced',
};

interface Subscriber {
  readonly observer: StreamObserver<UserDataEvent>;
  readonly queue: UserDataEvent[];
  scheduled: boolean;
  active: boolean;
}

/**
 * One account's trading and user data, straight on the engine. Credentials are
 * checked like the venue does: an unknown or revoked api key, or a secret or
 * private key that does not match the account's, is refused.
 */
export class InMemoryAccountClient implements AccountClient {
  readonly exchange: ExchangeId;
  readonly #engine: ExchangeEngine;
  readonly #symbols: SymbolMap;
  readonly #clock: Clock;
  readonly #credentials: Credentials;
  readonly #options: AccountOptions;
  readonly #logger: Logger | undefined;
  readonly #subscribers = new Set<Subscriber>();
  readonly #faults: InMemoryFaults | undefined;
  #detach: (() => void) | undefined;
  #lastEventAt: number | undefined;
  #closed = false;

  constructor(
    exchange: ExchangeId,
    engine: ExchangeEngine,
    symbols: SymbolMap,
    clock: Clock,
    credentials: Credentials,
    options: AccountOptions = {},
    faults?: InMemoryFaults,
  ) {
    this.exchange = exchange;
    this.#engine = engine;
    this.#symbols = symbols;
    this.#clock = clock;
    this.#credentials = credentials;
    this.#options = options;
    this.#logger = options.logger;
    this.#faults = faults;
  }

  async verifyCredentials(): Promise<void> {
    return this.#call('verifyCredentials', undefined, () => {
      this.#account();
    });
  }

  async placeOrder(request: OrderRequest, options: PlaceOrderOptions = {}): Promise<Order> {
    const clientOrderId = request?.clientOrderId ?? createClientOrderId(this.#options.clientOrderIdPrefix);
    return this.#call('placeOrder', clientOrderId, () => {
      const account = this.#account();
      const info = this.#info(request.symbol);
      const native = {
        ...this.#toEngine(request, info, options.round === true),
        newClientOrderId: clientOrderId,
      };
      const placed = this.#engine.placeOrder(account.id, native);
      const unified = this.#unified(info);
      const fills = placed.fills.map((fill) =>
        placementFill(this.exchange, unified, placed.order, fill, placed.transactTime),
      );
      return toOrder(this.exchange, unified, placed.order, fills, feesOf(fills));
    });
  }

  async testOrder(request: OrderRequest): Promise<void> {
    return this.#call('testOrder', request.clientOrderId, () => {
      const account = this.#account();
      const info = this.#info(request.symbol);
      this.#engine.testOrder(account.id, this.#toEngine(request, info, false));
    });
  }

  async placeOcoOrder(request: OcoOrderRequest): Promise<OrderList> {
    return this.#call('placeOcoOrder', request.listClientOrderId, () => {
      const account = this.#account();
      const info = this.#info(request.symbol);
      const limitLeg = { type: 'LIMIT_MAKER' as OcoLegType, price: request.price };
      const stopLeg = request.stopLimitPrice
        ? {
            type: 'STOP_LOSS_LIMIT' as OcoLegType,
            price: request.stopLimitPrice,
            stopPrice: request.stopPrice,
            timeInForce: request.stopLimitTimeInForce ?? 'GTC',
          }
        : { type: 'STOP_LOSS' as OcoLegType, stopPrice: request.stopPrice };
      // A sell OCO takes profit above and stops below; a buy the other way round.
      const [above, below] = request.side === 'sell' ? [limitLeg, stopLeg] : [stopLeg, limitLeg];
      const leg = (prefix: 'above' | 'below', value: typeof stopLeg | typeof limitLeg) => ({
        [`${prefix}Type`]: value.type,
        ...('price' in value && value.price ? { [`${prefix}Price`]: value.price } : {}),
        ...('stopPrice' in value ? { [`${prefix}StopPrice`]: value.stopPrice } : {}),
        ...('timeInForce' in value ? { [`${prefix}TimeInForce`]: value.timeInForce } : {}),
      });
      const placed = this.#engine.placeOcoOrderList(account.id, {
        symbol: info.symbol,
        side: request.side === 'buy' ? 'BUY' : 'SELL',
        quantity: request.quantity,
        ...(request.listClientOrderId ? { listClientOrderId: request.listClientOrderId } : {}),
        ...(leg('above', above) as { aboveType: OcoLegType }),
        ...(leg('below', below) as { belowType: OcoLegType }),
      });
      const unified = this.#unified(info);
      const orders = placed.list.orders.map((order) => toOrder(this.exchange, unified, order, [], []));
      return toOrderList(this.exchange, unified, placed.list, orders);
    });
  }

  async cancelOrder(ref: OrderRef): Promise<Order> {
    return this.#call('cancelOrder', ref.clientOrderId, () => {
      const account = this.#account();
      const info = this.#info(ref.symbol);
      const cancel = this.#engine.cancelOrder(account.id, { symbol: info.symbol, ...this.#ref(ref) });
      return this.#order(account, info, cancel.order);
    });
  }

  async cancelAllOrders(symbol: UnifiedSymbol): Promise<Order[]> {
    return this.#call('cancelAllOrders', undefined, () => {
      const account = this.#account();
      const info = this.#info(symbol);
      if (this.#engine.openOrders(account.id, info.symbol).length === 0) return [];
      const items = this.#engine.cancelOpenOrders(account.id, info.symbol);
      const orders: Order[] = [];
      for (const item of items) {
        const cancels = item.kind === 'order' ? [item.cancel] : item.cancel.cancels;
        for (const cancel of cancels) orders.push(this.#order(account, info, cancel.order));
      }
      return orders;
    });
  }

  async getOrder(ref: OrderRef): Promise<Order> {
    return this.#call('getOrder', ref.clientOrderId, () => {
      const account = this.#account();
      const info = this.#info(ref.symbol);
      const view = this.#engine.getOrder(account.id, { symbol: info.symbol, ...this.#ref(ref) });
      return this.#order(account, info, view);
    });
  }

  async getOpenOrders(symbol?: UnifiedSymbol): Promise<Order[]> {
    return this.#call('getOpenOrders', undefined, () => {
      const account = this.#account();
      const info = symbol === undefined ? undefined : this.#info(symbol);
      return this.#engine
        .openOrders(account.id, info?.symbol)
        .map((view) => this.#order(account, this.#engine.symbol(view.symbol), view));
    });
  }

  async getOrderHistory(symbol: UnifiedSymbol, query: HistoryQuery = {}): Promise<Order[]> {
    return this.#call('getOrderHistory', undefined, () => {
      const account = this.#account();
      const info = this.#info(symbol);
      return this.#engine
        .allOrders(account.id, { symbol: info.symbol, ...this.#history(query) })
        .map((view) => this.#order(account, info, view));
    });
  }

  async getTrades(symbol: UnifiedSymbol, query: HistoryQuery = {}): Promise<Fill[]> {
    return this.#call('getTrades', undefined, () => {
      const account = this.#account();
      const info = this.#info(symbol);
      const unified = this.#unified(info);
      return this.#engine
        .myTrades(account.id, { symbol: info.symbol, ...this.#history(query) })
        .map((trade) =>
          accountFill(this.exchange, unified, trade, this.#clientIdOf(account, info, trade.orderId)),
        );
    });
  }

  async getBalances(): Promise<Balance[]> {
    return this.#call('getBalances', undefined, () => {
      const account = this.#account();
      return this.#engine.balances(account.id).map((balance) => ({
        asset: balance.asset,
        free: balance.free,
        locked: balance.locked,
        total: balance.free.plus(balance.locked),
      }));
    });
  }

  async subscribeUserData(observer: StreamObserver<UserDataEvent>): Promise<UserDataSubscription> {
    const account = await this.#call('subscribeUserData', undefined, () => this.#account());
    const subscriber: Subscriber = { observer, queue: [], scheduled: false, active: true };
    this.#subscribers.add(subscriber);
    // Routed by the engine: this account's events only, however many accounts are listened to.
    this.#detach ??= this.#engine.onAccount(account.id, (event) => this.#onEvent(account, event));
    queueMicrotask(() => this.#safe(() => observer.status?.({ type: 'subscribed' })));
    return {
      unsubscribe: async () => {
        subscriber.active = false;
        this.#subscribers.delete(subscriber);
        if (this.#subscribers.size === 0) this.#stopEvents();
      },
    };
  }

  status(): AccountStatus {
    return {
      userDataConnected: !this.#closed && this.#subscribers.size > 0,
      userDataReconnects: 0,
      ...(this.#lastEventAt === undefined ? {} : { lastUserDataEventAt: this.#lastEventAt }),
      unknownOrders: 0,
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const subscriber of this.#subscribers) subscriber.active = false;
    this.#subscribers.clear();
    this.#stopEvents();
  }

  // -- internals --------------------------------------------------------------

  /** Runs a call as the venue would: async, with Binance's rejections turned into venuekit errors. */
  #call<T>(
    operation: AccountOperation | 'subscribeUserData',
    clientOrderId: string | undefined,
    run: () => T,
  ): Promise<T> {
    try {
      if (this.#closed) throw new ClosedError({ message: 'this account client is closed' });
      const fault =
        operation === 'subscribeUserData'
          ? undefined
          : this.#faults?.take(operation, this.#accountIdOrUndefined());
      if (fault && !fault.afterExecution) throw fault.error(clientOrderId);
      const result = run();
      if (fault) throw fault.error(clientOrderId);
      return Promise.resolve(result);
    } catch (error) {
      const context = {
        exchange: this.exchange,
        operation,
        ...(this.#options.userId ? { userId: this.#options.userId } : {}),
        ...(clientOrderId ? { clientOrderId } : {}),
      };
      return Promise.reject(toVenueError(error, context).withContext(context));
    }
  }

  #accountIdOrUndefined(): string | undefined {
    try {
      return this.#engine.accountByApiKey(this.#credentials.apiKey.reveal())?.id;
    } catch {
      return undefined;
    }
  }

  /** The engine account behind the credentials, after the checks the venue makes. */
  #account(): AccountInfo {
    const credentials = this.#credentials;
    let apiKey: string;
    try {
      apiKey = credentials.apiKey.reveal();
    } catch {
      throw new AuthenticationError({ message: 'the credentials were disposed' });
    }
    const account = this.#engine.accountByApiKey(apiKey);
    if (!account || account.revoked) {
      throw new AuthenticationError({
        message: 'Invalid API-key, IP, or permissions for action.',
        venue: { code: -2015, status: 401, message: 'Invalid API-key, IP, or permissions for action.' },
      });
    }
    if (!matches(credentials, account)) {
      throw new AuthenticationError({
        code: 'INVALID_SIGNATURE',
        message: 'Signature for this request is not valid.',
        venue: { code: -1022, status: 400, message: 'Signature for this request is not valid.' },
      });
    }
    return account;
  }

  #info(symbol: UnifiedSymbol): SymbolInfo {
    return this.#symbols.info(symbol);
  }

  #unified(info: SymbolInfo): UnifiedSymbol {
    return `${info.baseAsset}/${info.quoteAsset}`;
  }

  #ref(ref: OrderRef): { orderId?: number; origClientOrderId?: string } {
    if (ref.orderId === undefined && ref.clientOrderId === undefined) {
      throw new ValidationError('MISSING_PARAMETER', {
        field: 'orderId',
        rule: 'orderId or clientOrderId is required',
      });
    }
    if (ref.orderId !== undefined && !/^\d{1,16}$/.test(ref.orderId)) {
      throw new ValidationError('INVALID_PARAMETER', {
        field: 'orderId',
        rule: 'must be a venue order id (digits)',
      });
    }
    return {
      ...(ref.orderId === undefined ? {} : { orderId: Number(ref.orderId) }),
      ...(ref.clientOrderId === undefined ? {} : { origClientOrderId: ref.clientOrderId }),
    };
  }

  #history(query: HistoryQuery): { startTime?: number; endTime?: number; limit?: number } {
    for (const field of ['since', 'until', 'limit'] as const) {
      const value = query[field];
      if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) {
        throw new ValidationError('INVALID_PARAMETER', { field, rule: 'must be a non-negative integer' });
      }
    }
    return {
      ...(query.since === undefined ? {} : { startTime: query.since }),
      ...(query.until === undefined ? {} : { endTime: query.until }),
      ...(query.limit === undefined ? {} : { limit: query.limit }),
    };
  }

  #toEngine(request: OrderRequest, info: SymbolInfo, round: boolean): NewOrderRequest {
    if (typeof request !== 'object' || request === null) {
      throw new ValidationError('INVALID_PARAMETER', { field: 'order', rule: 'must be an object' });
    }
    if (request.side !== 'buy' && request.side !== 'sell') {
      throw new ValidationError('INVALID_PARAMETER', { field: 'side', rule: 'must be buy or sell' });
    }
    const type = String(request.type).toUpperCase() as EngineOrderType;
    let { price, quantity, stopPrice } = request;
    if (round) {
      const filter = <T extends 'PRICE_FILTER' | 'LOT_SIZE'>(name: T) =>
        info.filters.find((f) => f.filterType === name);
      const price_ = filter('PRICE_FILTER');
      const lot = filter('LOT_SIZE');
      const tick = new Decimal(price_ && 'tickSize' in price_ ? price_.tickSize : 0);
      const step = new Decimal(lot && 'stepSize' in lot ? lot.stepSize : 0);
      // Buys round their prices down and sells up (never worse than asked); quantities round down.
      const roundPrice = (value: Decimal | undefined) =>
        value === undefined || tick.isZero()
          ? value
          : value
              .div(tick)
              .toDecimalPlaces(0, request.side === 'buy' ? Decimal.ROUND_DOWN : Decimal.ROUND_UP)
              .times(tick);
      price = roundPrice(price);
      stopPrice = roundPrice(stopPrice);
      if (quantity !== undefined && step.gt(0)) quantity = quantity.div(step).floor().times(step);
    }
    return {
      symbol: info.symbol,
      side: request.side === 'buy' ? 'BUY' : 'SELL',
      type,
      ...(request.timeInForce === undefined ? {} : { timeInForce: request.timeInForce }),
      ...(quantity === undefined ? {} : { quantity }),
      ...(request.quoteQuantity === undefined ? {} : { quoteOrderQty: request.quoteQuantity }),
      ...(price === undefined ? {} : { price }),
      ...(stopPrice === undefined ? {} : { stopPrice }),
      newClientOrderId: request.clientOrderId ?? createClientOrderId(this.#options.clientOrderIdPrefix),
      newOrderRespType: 'FULL',
    };
  }

  /** An order with the fees of its fills (from the account's trades). */
  #order(account: AccountInfo, info: SymbolInfo, view: OrderView) {
    const unified = this.#unified(info);
    const fills = view.executedQty.isZero()
      ? []
      : this.#engine
          .myTrades(account.id, { symbol: info.symbol, orderId: view.orderId, limit: 1000 })
          .map((trade) => accountFill(this.exchange, unified, trade, view.clientOrderId));
    return toOrder(this.exchange, unified, view, undefined, feesOf(fills));
  }

  #clientIdOf(account: AccountInfo, info: SymbolInfo, orderId: number): string | undefined {
    try {
      return this.#engine.getOrder(account.id, { symbol: info.symbol, orderId }).clientOrderId;
    } catch {
      return undefined;
    }
  }

  #onEvent(account: AccountInfo, event: AccountEvent): void {
    if (event.type === 'apiKeyRevoked') {
      const error = new AuthenticationError({
        message: 'the api key was revoked',
        venue: { code: -2015, status: 401, message: 'Invalid API-key, IP, or permissions for action.' },
        context: {
          exchange: this.exchange,
          ...(this.#options.userId ? { userId: this.#options.userId } : {}),
        },
      });
      for (const subscriber of [...this.#subscribers]) {
        subscriber.active = false;
        queueMicrotask(() => this.#safe(() => subscriber.observer.error?.(error)));
      }
      this.#subscribers.clear();
      this.#stopEvents();
      return;
    }
    const events = this.#translate(account, event);
    if (events.length === 0) return;
    for (const subscriber of this.#subscribers) {
      subscriber.queue.push(...events);
      if (!subscriber.scheduled) {
        subscriber.scheduled = true;
        queueMicrotask(() => this.#drain(subscriber));
      }
    }
  }

  #translate(account: AccountInfo, event: AccountEvent): UserDataEvent[] {
    switch (event.type) {
      case 'execution': {
        const report = event.data;
        const info = this.#engine.symbol(report.order.symbol);
        const unified = this.#unified(info);
        const out: UserDataEvent[] = [];
        let fill: Fill | undefined;
        if (report.executionType === 'TRADE') {
          fill = {
            exchange: this.exchange,
            symbol: unified,
            tradeId: String(report.tradeId),
            orderId: String(report.order.orderId),
            clientOrderId: report.order.clientOrderId,
            side: toSide(report.order.side),
            price: report.lastExecutedPrice,
            quantity: report.lastExecutedQty,
            quoteQuantity: report.lastQuoteQty,
            fee: { asset: report.commissionAsset ?? info.quoteAsset, amount: report.commission },
            isMaker: report.isMaker,
            timestamp: report.transactTime,
          };
        }
        const order = toOrder(
          this.exchange,
          unified,
          report.order,
          undefined,
          this.#feesSoFar(account, info, report.order),
        );
        out.push({
          type: 'order',
          order,
          executionType: EXECUTION_TYPES[report.executionType],
          ...(report.rejectReason !== 'NONE' ? { rejectReason: report.rejectReason } : {}),
          timestamp: report.eventTime,
        });
        if (fill) out.push({ type: 'fill', fill, timestamp: report.eventTime });
        return out;
      }
      case 'accountPosition':
        return [
          {
            type: 'balances',
            balances: event.data.balances.map((balance) => ({
              asset: balance.asset,
              free: balance.free,
              locked: balance.locked,
              total: balance.free.plus(balance.locked),
            })),
            timestamp: event.data.eventTime,
          },
        ];
      case 'balanceUpdate':
        return [
          {
            type: 'balance_delta',
            asset: event.data.asset,
            delta: event.data.delta,
            timestamp: event.data.eventTime,
          },
        ];
      default:
        return [];
    }
  }

  #feesSoFar(account: AccountInfo, info: SymbolInfo, view: OrderView) {
    if (view.executedQty.isZero()) return [];
    const trades = this.#engine.myTrades(account.id, {
      symbol: info.symbol,
      orderId: view.orderId,
      limit: 1000,
    });
    return feesOf(
      trades.map((trade) => ({ fee: { asset: trade.commissionAsset, amount: trade.commission } })),
    );
  }

  #drain(subscriber: Subscriber): void {
    subscriber.scheduled = false;
    const events = subscriber.queue.splice(0);
    for (const event of events) {
      if (!subscriber.active) return;
      this.#lastEventAt = this.#clock.now();
      this.#safe(() => subscriber.observer.next(event));
    }
  }

  #stopEvents(): void {
    this.#detach?.();
    this.#detach = undefined;
  }

  #safe(callback: () => void): void {
    try {
      callback();
    } catch (error) {
      this.#logger?.errorWithException('a user data observer threw', error);
    }
  }
}

/** Whether the credentials' secret (HMAC) or private key (Ed25519, RSA) belongs to the account's key. */
function matches(credentials: Credentials, account: AccountInfo): boolean {
  try {
    if (credentials.type === 'hmac') {
      const expected = account.hmacSecret();
      if (expected === undefined) return false;
      const given = Buffer.from(credentials.secret.reveal());
      const wanted = Buffer.from(expected);
      return given.length === wanted.length && timingSafeEqual(given, wanted);
    }
    const publicPem = credentials.type === 'ed25519' ? account.ed25519PublicKey : account.rsaPublicKey;
    if (publicPem === undefined) return false;
    const derived = createPublicKey(credentials.privateKey.reveal()).export({ type: 'spki', format: 'der' });
    const stored = createPublicKey(publicPem).export({ type: 'spki', format: 'der' });
    return derived.equals(stored);
  } catch {
    return false;
  }
}
