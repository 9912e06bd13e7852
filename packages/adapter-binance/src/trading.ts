import { createHash } from 'node:crypto';
import {
  type AccountClient,
  type AccountStatus,
  type Balance,
  type Capability,
  type Clock,
  ClosedError,
  type Credentials,
  createClientOrderId,
  Decimal,
  ExchangeUnavailableError,
  type ExecutionType,
  type Fill,
  type HistoryQuery,
  type Instrument,
  type InstrumentsClient,
  isVenuekitError,
  type Logger,
  NetworkError,
  normalizeOrderRequest,
  normalizeSymbol,
  type OcoOrderRequest,
  type Order,
  type OrderList,
  OrderNotFoundError,
  type OrderRef,
  type OrderRequest,
  OrderStateUnknownError,
  PermissionError,
  type PlaceOrderOptions,
  type StreamObserver,
  silentLogger,
  systemClock,
  TimeoutError,
  telemetry,
  type TimeInForce,
  toPositiveDecimal,
  type UnifiedSymbol,
  type UserDataEvent,
  type UserDataSubscription,
  ValidationError,
  validateOrder,
} from '@venuekit/core';
import type { KyInstance } from 'ky';
import { type BinanceParams, type BinanceSigner, createBinanceSigner } from './credentials';
import { isUnknownExecution } from './errors';
import { parseBalances, parseMyTrade, type WireAccount, type WireMyTrade } from './parsing/account';
import { answerList, isRestAccount, isRestOrderList, malformedAnswer } from './parsing/wire-checks';
import {
  newOcoParams,
  newOrderParams,
  parseCanceledOrders,
  parseOrder,
  parseOrderList,
  type WireOrder,
  type WireOrderList,
} from './parsing/orders';
import type { RequestPriority } from './rest/rate-governor';
import type { RequestGate } from './rest/request-gate';
import { BinanceSignedClient, type VenueClock } from './rest/signed';
import { lifetimeController } from './rest/signals';
import { OrderReconciler, type ReconcileOutcome, type ReconcileTarget } from './reconcile';
import { BinanceUserDataStream } from './user-data';
import type { WsApiConnectionTuning } from './ws-api/client';
import { BinanceWsApiPool, type WsApiAccount } from './ws-api/pool';

/** What the trading part supports (see core's CAPABILITIES). */
export const BINANCE_TRADING_CAPABILITIES: readonly Capability[] = [
  'createOrder',
  'createOrderWs',
  'cancelOrderWs',
  'createOcoOrder',
  'testOrder',
  'cancelOrder',
  'cancelAllOrders',
  'fetchOrder',
  'fetchOpenOrders',
  'fetchOrders',
  'fetchMyTrades',
  'fetchBalance',
  'watchUserData',
];

/** Trading settings of a Binance account (plain data). */
export interface BinanceTradingConfig {
  /** recvWindow of signed requests. Default 5000 ms (Binance's default; at most 60 000). */
  readonly recvWindowMs: number;
  /** Per request, REST and WebSocket API. Default 10 000 ms. */
  readonly requestTimeoutMs: number;
  /**
   * How long `placeOrder` waits for an ambiguous placement to be reconciled before it rejects
   * with OrderStateUnknownError (reconciliation goes on). Default 15 000 ms: long enough for
   * the recvWindow to pass, so most outcomes are known before the caller is answered.
   */
  readonly unknownOrderTimeoutMs: number;
  /** Pauses between reconciliation queries: 200 ms growing to 5000 ms by default. */
  readonly reconcileInitialDelayMs: number;
  readonly reconcileMaxDelayMs: number;
  /** Clock-error allowance before "not found" means "never placed". Default 2000 ms. */
  readonly reconcileSettleMarginMs: number;
  /**
   * Ed25519 keys only: give this account a WebSocket API connection of its own, logged on once
   * with `session.logon`, instead of per-request signatures on the connections it shares with
   * the adapter's other accounts. Default false: sharing is what lets thousands of users connect
   * within Binance's 300 connection attempts per 5 minutes per IP.
   */
  readonly wsApiLogon?: boolean;
  /** Fetch fills missed while the user data stream was away. Default true. */
  readonly backfillTrades: boolean;
  /**
   * WebSocket API connection tuning: backoff, circuit breaker (consecutive failed connections that
   * open it, and how long it stays open), ping and silence timeouts, the stay-away after a refused
   * handshake. For the adapter's shared connections it is read from the adapter's `trading`
   * options; an account's own setting applies to connections it owns (its logged-on one, or all
   * of them when the account was built without an adapter).
   */
  readonly wsApiConnection?: WsApiConnectionTuning;
}

export const DEFAULT_TRADING_CONFIG: BinanceTradingConfig = {
  recvWindowMs: 5000,
  requestTimeoutMs: 10_000,
  unknownOrderTimeoutMs: 15_000,
  reconcileInitialDelayMs: 200,
  reconcileMaxDelayMs: 5000,
  reconcileSettleMarginMs: 2000,
  backfillTrades: true,
};

/** What an account shares with its adapter. */
export interface BinanceAccountDeps {
  /** REST base url. */
  readonly restUrl: string;
  /** WebSocket API endpoint. */
  readonly wsApiUrl: string;
  /** The adapter's one rate governor (weight is counted per IP, across accounts). */
  readonly gate: RequestGate;
  readonly instruments: InstrumentsClient;
  /** The adapter's venue clock estimate (rest/time-sync.ts). */
  readonly venueClock?: VenueClock;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** A ky instance for signed REST (e.g. with hooks); default ky over `nodeHttpFetch`. */
  readonly ky?: KyInstance;
  /**
   * The adapter's WebSocket API connections, shared by its accounts. Without it the account
   * opens its own (one connection), closed with it.
   */
  readonly wsApi?: BinanceWsApiPool;
}

export interface BinanceAccountOptions extends Partial<BinanceTradingConfig> {
  readonly userId?: string;
  /** Prefix of generated client order ids (at most 12 of A-Z a-z 0-9 _ -). Default `vk`. */
  readonly clientOrderIdPrefix?: string;
  readonly logger?: Logger;
}

// Documented weights (rest-api.md / web-socket-api.md).
const W = {
  order: 1,
  test: 1,
  cancel: 1,
  cancelAll: 1,
  queryOrder: 4,
  openOrders: 6,
  openOrdersAll: 80,
  allOrders: 20,
  account: 20,
  myTrades: 20,
  oco: 1,
  queryList: 4,
} as const;

const DAY_MS = 86_400_000;
const EXCHANGE = 'binance';

/**
 * One Binance account: trading over signed REST (or the WebSocket API on request) and its user
 * data stream. Every order intent gets a client order id before it is sent and is never sent
 * twice; an ambiguous answer is settled by the reconciler (reconcile.ts). Bad input is refused
 * with a ValidationError naming the field before any request. Its credentials sign its requests
 * and are used for nothing else.
 */
export class BinanceAccount implements AccountClient {
  readonly exchange = EXCHANGE;
  readonly #config: BinanceTradingConfig;
  readonly #deps: BinanceAccountDeps;
  readonly #signer: BinanceSigner;
  readonly #rest: BinanceSignedClient;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #userId: string | undefined;
  readonly #prefix: string;
  readonly #accountKey: string;
  readonly #reconciler: OrderReconciler;
  readonly #userData: BinanceUserDataStream;
  readonly #intents = new Map<string, OrderRequest>();
  /** This account on the WebSocket API connections (its requests and its user data subscription). */
  readonly #wsApi: WsApiAccount;
  /** The connections it opened itself, when built without an adapter. */
  readonly #ownPool: BinanceWsApiPool | undefined;
  #byNative: Map<string, UnifiedSymbol> | undefined;
  #symbolsLoading: Promise<void> | undefined;
  readonly #onClose: (() => void) | undefined;
  /** Aborted on close: requests still waiting (at the rate governor, for a connection) end with a ClosedError. */
  readonly #lifetime = lifetimeController();
  #closed = false;

  /** `onClose` is called once the account is closed (its owner forgets it). */
  constructor(
    credentials: Credentials,
    deps: BinanceAccountDeps,
    options: BinanceAccountOptions = {},
    onClose?: () => void,
  ) {
    this.#onClose = onClose;
    const { userId, clientOrderIdPrefix, logger, ...config } = options;
    this.#config = { ...DEFAULT_TRADING_CONFIG, ...stripUndefined(config) };
    if (this.#config.recvWindowMs <= 0 || this.#config.recvWindowMs > 60_000) {
      throw new ValidationError('INVALID_PARAMETER', {
        field: 'recvWindowMs',
        rule: 'must be between 1 and 60000',
      });
    }
    this.#deps = deps;
    this.#clock = deps.clock ?? systemClock;
    this.#userId = userId;
    this.#logger = (logger ?? deps.logger ?? silentLogger).child({
      exchange: EXCHANGE,
      ...(userId === undefined ? {} : { userId }),
    });
    this.#prefix = clientOrderIdPrefix ?? 'vk';
    createClientOrderId(this.#prefix); // refuses a bad prefix now, with a ValidationError
    this.#signer = createBinanceSigner(credentials);
    this.#accountKey = createHash('sha256').update(this.#signer.apiKey()).digest('hex').slice(0, 16);
    this.#rest = new BinanceSignedClient({
      baseUrl: deps.restUrl,
      signer: this.#signer,
      gate: deps.gate,
      account: this.#accountKey,
      clock: this.#clock,
      recvWindowMs: this.#config.recvWindowMs,
      timeoutMs: this.#config.requestTimeoutMs,
      logger: this.#logger,
      signal: this.#lifetime.signal,
      ...(deps.venueClock ? { venueClock: deps.venueClock } : {}),
      ...(deps.ky ? { ky: deps.ky } : {}),
    });
    this.#reconciler = new OrderReconciler({
      venueNow: () => this.#rest.venueNow(),
      clock: this.#clock,
      logger: this.#logger,
      exchange: EXCHANGE,
      ...(userId === undefined ? {} : { userId }),
      initialDelayMs: this.#config.reconcileInitialDelayMs,
      maxDelayMs: this.#config.reconcileMaxDelayMs,
      settleMarginMs: this.#config.reconcileSettleMarginMs,
      onSettled: (target, outcome, abandoned) => this.#onSettled(target, outcome, abandoned),
    });
    const pool =
      deps.wsApi ??
      new BinanceWsApiPool({
        url: deps.wsApiUrl,
        gate: deps.gate,
        exchange: EXCHANGE,
        clock: this.#clock,
        logger: this.#logger,
        requestTimeoutMs: this.#config.requestTimeoutMs,
        ...(deps.venueClock ? { venueClock: deps.venueClock } : {}),
        ...(this.#config.wsApiConnection ? { connection: this.#config.wsApiConnection } : {}),
      });
    this.#ownPool = deps.wsApi ? undefined : pool;
    this.#wsApi = pool.account({
      signer: this.#signer,
      account: this.#accountKey,
      recvWindowMs: this.#config.recvWindowMs,
      requestTimeoutMs: this.#config.requestTimeoutMs,
      signal: this.#lifetime.signal,
      logon: this.#config.wsApiLogon === true,
      logger: this.#logger,
      ...(this.#config.wsApiConnection ? { connection: this.#config.wsApiConnection } : {}),
      ...(userId === undefined ? {} : { userId }),
      handlers: {
        event: (frame, receivedAt) => this.#userData.handleEvent(frame, receivedAt),
        ready: ({ reconnected }) => this.#userData.handleReady(reconnected),
        disconnected: () => this.#userData.handleDisconnected(),
        lost: () => this.#userData.handleTerminated(),
        revoked: (error) => this.#userData.handleRevoked(error),
        waiting: (event) => this.#userData.handleWaiting(event),
      },
    });
    this.#userData = new BinanceUserDataStream({
      transport: this.#wsApi,
      // The catch-up after a reconnect: nobody waits for it, so its reads give way to live ones
      // (orders, cancels, reads a caller awaits) at the rate governor. Still complete: all-symbol
      // open orders, so an order placed elsewhere (another app, the web UI) is found too.
      backfill: {
        openOrders: () => this.#openOrders(undefined, 'background'),
        order: (symbol, orderId) => this.#queryOrder(symbol, { orderId }, false, 'background'),
        balances: () => this.#balances('background'),
        trades: (symbol, afterTradeId, since) => this.#tradesAfter(symbol, afterTradeId, since, 'background'),
      },
      resolveSymbol: (native) => this.#resolveNative(native),
      venueNow: () => this.#rest.venueNow(),
      onOrder: (order) => this.#reconciler.offer(order.clientOrderId, order),
      backfillTrades: this.#config.backfillTrades,
      clock: this.#clock,
      logger: this.#logger,
      exchange: EXCHANGE,
      ...(userId === undefined ? {} : { userId }),
    });
  }

  // -------------------------------------------------------------------------
  // Orders

  async placeOrder(input: OrderRequest, options: PlaceOrderOptions = {}): Promise<Order> {
    this.#assertOpen();
    const normalized = normalizeOrderRequest(input);
    const instrument = await this.#instrument(normalized.symbol);
    const request = validateOrder(normalized, instrument, { round: options.round === true });
    const clientOrderId = request.clientOrderId ?? createClientOrderId(this.#prefix);
    const params = newOrderParams(request, instrument.nativeSymbol, clientOrderId);
    const symbol = request.symbol;
    this.#reconciler.register<Order>({
      key: clientOrderId,
      kind: 'order',
      symbol,
      recvWindowMs: this.#config.recvWindowMs,
      find: (priority) => this.#queryOrder(symbol, { clientOrderId }, false, priority),
      createdAt: (order) => order.createdAt,
    });
    this.#intents.set(clientOrderId, { ...request, clientOrderId });
    this.#userData.trackSymbol(symbol);
    const context = this.#context('placeOrder', symbol, clientOrderId);
    const started = this.#clock.now();
    this.#publishOrder('sent', symbol, clientOrderId);
    const onSent = (timestamp: number) => this.#reconciler.sent(clientOrderId, timestamp);
    try {
      let order: Order;
      if (options.transport === 'websocket') {
        const { result } = await this.#wsApi.request<WireOrder>('order.place', params, {
          weight: W.order,
          kind: 'order',
          signed: true,
          onSent,
          signal: this.#lifetime.signal,
        });
        order = parseOrder(result, symbol, this.#clock.now(), request);
      } else {
        const { data } = await this.#rest.request<WireOrder>({
          method: 'POST',
          path: '/api/v3/order',
          params,
          weight: W.order,
          kind: 'order',
          onSent,
        });
        order = parseOrder(data, symbol, this.#clock.now(), request);
      }
      this.#userData.follow(order);
      this.#reconciler.forget(clientOrderId);
      this.#intents.delete(clientOrderId);
      this.#publishOrder(
        'accepted',
        symbol,
        clientOrderId,
        order.id,
        order.status,
        this.#clock.now() - started,
      );
      return order;
    } catch (error) {
      if (!isAmbiguous(error)) {
        this.#reconciler.forget(clientOrderId);
        this.#intents.delete(clientOrderId);
        this.#publishOrder(
          'rejected',
          symbol,
          clientOrderId,
          undefined,
          undefined,
          this.#clock.now() - started,
        );
        throw withContext(error, context);
      }
      const settled = await this.#settle<Order>(clientOrderId, symbol, error, context);
      this.#userData.follow(settled);
      return settled;
    }
  }

  async testOrder(input: OrderRequest): Promise<void> {
    this.#assertOpen();
    const normalized = normalizeOrderRequest(input);
    const instrument = await this.#instrument(normalized.symbol);
    const request = validateOrder(normalized, instrument);
    const params = newOrderParams(
      request,
      instrument.nativeSymbol,
      request.clientOrderId ?? createClientOrderId(this.#prefix),
    );
    try {
      await this.#rest.request({ method: 'POST', path: '/api/v3/order/test', params, weight: W.test });
    } catch (error) {
      throw withContext(error, this.#context('testOrder', request.symbol));
    }
  }

  async placeOcoOrder(input: OcoOrderRequest): Promise<OrderList> {
    this.#assertOpen();
    const request = normalizeOco(input);
    const instrument = await this.#instrument(request.symbol);
    if (!instrument.ocoAllowed) {
      throw new ValidationError('NOT_SUPPORTED', {
        field: 'symbol',
        rule: `does not take OCO order lists on ${instrument.symbol}`,
        context: this.#context('placeOcoOrder', request.symbol),
      });
    }
    // Each leg must pass the symbol's filters on its own.
    validateOrder(
      {
        symbol: request.symbol,
        side: request.side,
        type: 'limit_maker',
        quantity: request.quantity,
        price: request.price,
      },
      { ...instrument, orderTypes: [] },
    );
    validateOrder(
      request.stopLimitPrice
        ? {
            symbol: request.symbol,
            side: request.side,
            type: 'stop_loss_limit',
            quantity: request.quantity,
            price: request.stopLimitPrice,
            stopPrice: request.stopPrice,
            timeInForce: request.stopLimitTimeInForce ?? 'GTC',
          }
        : {
            symbol: request.symbol,
            side: request.side,
            type: 'stop_loss',
            quantity: request.quantity,
            stopPrice: request.stopPrice,
          },
      { ...instrument, orderTypes: [] },
    );
    const listClientOrderId = request.listClientOrderId ?? createClientOrderId(this.#prefix);
    const ids = {
      listClientOrderId,
      aboveClientOrderId: createClientOrderId(this.#prefix),
      belowClientOrderId: createClientOrderId(this.#prefix),
    };
    const symbol = request.symbol;
    const context = this.#context('placeOcoOrder', symbol, listClientOrderId);
    this.#reconciler.register<OrderList>({
      key: listClientOrderId,
      kind: 'orderList',
      symbol,
      recvWindowMs: this.#config.recvWindowMs,
      find: (priority) => this.#queryOrderList(symbol, listClientOrderId, priority),
      createdAt: (list) => list.transactionTime,
    });
    this.#userData.trackSymbol(symbol);
    try {
      const { data } = await this.#rest.request<WireOrderList>({
        method: 'POST',
        path: '/api/v3/orderList/oco',
        params: newOcoParams(request, instrument.nativeSymbol, ids),
        weight: W.oco,
        kind: 'order',
        onSent: (timestamp) => this.#reconciler.sent(listClientOrderId, timestamp),
      });
      // Parsed before the intent is forgotten: a broken answer is ambiguous and is looked up.
      const list = parseOrderList(data, symbol, this.#clock.now());
      this.#reconciler.forget(listClientOrderId);
      return list;
    } catch (error) {
      if (!isAmbiguous(error)) {
        this.#reconciler.forget(listClientOrderId);
        throw withContext(error, context);
      }
      return this.#settle<OrderList>(listClientOrderId, symbol, error, context);
    }
  }

  async cancelOrder(ref: OrderRef, options: { transport?: 'rest' | 'websocket' } = {}): Promise<Order> {
    this.#assertOpen();
    const { symbol, params } = await this.#refParams(ref);
    const context = this.#context('cancelOrder', symbol, ref.clientOrderId, ref.orderId);
    const attempt = async (): Promise<Order> => {
      if (options.transport === 'websocket') {
        const { result } = await this.#wsApi.request<WireOrder>('order.cancel', params, {
          weight: W.cancel,
          kind: 'cancel',
          signed: true,
          signal: this.#lifetime.signal,
        });
        return parseOrder(result, symbol, this.#clock.now());
      }
      const { data } = await this.#rest.request<WireOrder>({
        method: 'DELETE',
        path: '/api/v3/order',
        params,
        weight: W.cancel,
        kind: 'cancel',
      });
      return parseOrder(data, symbol, this.#clock.now());
    };
    // A cancel may be repeated safely: a second one finds the order gone (-2011) and we look it up.
    for (let round = 0; ; round++) {
      try {
        const order = await attempt();
        this.#publishOrder('canceled', symbol, order.clientOrderId, order.id, order.status);
        return order;
      } catch (error) {
        const ambiguous = isAmbiguous(error);
        if (!ambiguous && !(error instanceof OrderNotFoundError)) throw withContext(error, context);
        const current = await this.#queryOrder(symbol, ref).catch(() => undefined);
        if (current?.status === 'canceled') return current;
        if (
          !ambiguous ||
          round >= 2 ||
          (current && current.status !== 'new' && current.status !== 'partially_filled')
        ) {
          throw withContext(error, { ...context, ...(current ? { status: current.status } : {}) });
        }
        await this.#clock.sleep(250 * 2 ** round);
      }
    }
  }

  async cancelAllOrders(symbolInput: UnifiedSymbol): Promise<Order[]> {
    this.#assertOpen();
    const symbol = normalizeSymbol(symbolInput);
    const instrument = await this.#instrument(symbol);
    const context = this.#context('cancelAllOrders', symbol);
    for (let round = 0; ; round++) {
      try {
        const { data } = await this.#rest.request<(WireOrder | WireOrderList)[]>({
          method: 'DELETE',
          path: '/api/v3/openOrders',
          params: { symbol: instrument.nativeSymbol },
          weight: W.cancelAll,
          kind: 'cancel',
        });
        return parseCanceledOrders(data, symbol, this.#clock.now());
      } catch (error) {
        // Binance answers -2011 when there was nothing open to cancel.
        if (error instanceof OrderNotFoundError) return [];
        if (!isAmbiguous(error) || round >= 2) throw withContext(error, context);
      }
    }
  }

  async getOrder(ref: OrderRef): Promise<Order> {
    this.#assertOpen();
    const { symbol } = await this.#refParams(ref);
    const order = await this.#queryOrder(symbol, ref, true);
    if (!order)
      throw new OrderNotFoundError({
        context: this.#context('getOrder', symbol, ref.clientOrderId, ref.orderId),
      });
    return order;
  }

  async getOpenOrders(symbolInput?: UnifiedSymbol): Promise<Order[]> {
    return this.#openOrders(symbolInput, 'live');
  }

  async #openOrders(symbolInput: UnifiedSymbol | undefined, priority: RequestPriority): Promise<Order[]> {
    this.#assertOpen();
    if (symbolInput !== undefined) {
      const symbol = normalizeSymbol(symbolInput);
      const instrument = await this.#instrument(symbol);
      const data = await this.#get<WireOrder[]>(
        '/api/v3/openOrders',
        { symbol: instrument.nativeSymbol },
        W.openOrders,
        symbol,
        priority,
      );
      const now = this.#clock.now();
      return answerList(data, 'GET /api/v3/openOrders').map((w) => parseOrder(w as WireOrder, symbol, now));
    }
    await this.#ensureSymbols();
    const data = await this.#get<WireOrder[]>('/api/v3/openOrders', {}, W.openOrdersAll, undefined, priority);
    const now = this.#clock.now();
    const out: Order[] = [];
    for (const item of answerList(data, 'GET /api/v3/openOrders')) {
      const w = item as WireOrder;
      const symbol = this.#resolveNative(w.symbol);
      if (symbol) out.push(parseOrder(w, symbol, now));
    }
    return out;
  }

  async getOrderHistory(symbolInput: UnifiedSymbol, query: HistoryQuery = {}): Promise<Order[]> {
    this.#assertOpen();
    const symbol = normalizeSymbol(symbolInput);
    const instrument = await this.#instrument(symbol);
    const out: Order[] = [];
    for (const range of dayRanges(query, 'getOrderHistory')) {
      const data = await this.#get<WireOrder[]>(
        '/api/v3/allOrders',
        { symbol: instrument.nativeSymbol, ...range },
        W.allOrders,
        symbol,
      );
      const now = this.#clock.now();
      for (const w of answerList(data, 'GET /api/v3/allOrders'))
        out.push(parseOrder(w as WireOrder, symbol, now));
      if (query.limit !== undefined && out.length >= query.limit) return out.slice(0, query.limit);
    }
    return out;
  }

  async getTrades(symbolInput: UnifiedSymbol, query: HistoryQuery = {}): Promise<Fill[]> {
    this.#assertOpen();
    const symbol = normalizeSymbol(symbolInput);
    const instrument = await this.#instrument(symbol);
    const out: Fill[] = [];
    for (const range of dayRanges(query, 'getTrades')) {
      const data = await this.#get<WireMyTrade[]>(
        '/api/v3/myTrades',
        { symbol: instrument.nativeSymbol, ...range },
        W.myTrades,
        symbol,
      );
      for (const w of answerList(data, 'GET /api/v3/myTrades'))
        out.push(parseMyTrade(w as WireMyTrade, symbol));
      if (query.limit !== undefined && out.length >= query.limit) return out.slice(0, query.limit);
    }
    return out;
  }

  async getBalances(): Promise<Balance[]> {
    return this.#balances('live');
  }

  async #balances(priority: RequestPriority): Promise<Balance[]> {
    this.#assertOpen();
    const data = await this.#get<WireAccount>('/api/v3/account', {}, W.account, undefined, priority);
    if (!isRestAccount(data)) throw this.#malformed('GET /api/v3/account', data);
    return parseBalances(data);
  }

  async verifyCredentials(): Promise<void> {
    this.#assertOpen();
    const data = await this.#get<WireAccount>('/api/v3/account', {}, W.account);
    if (data.canTrade === false) {
      throw new PermissionError({
        message: 'the API key is valid but may not trade: enable spot trading for it',
        context: this.#context('verifyCredentials'),
      });
    }
  }

  // -------------------------------------------------------------------------
  // User data

  async subscribeUserData(observer: StreamObserver<UserDataEvent>): Promise<UserDataSubscription> {
    this.#assertOpen();
    await this.#ensureSymbols();
    return this.#userData.subscribe(observer);
  }

  status(): AccountStatus {
    const lastEventAt = this.#userData.lastEventAt;
    return {
      userDataConnected: this.#userData.connected,
      userDataReconnects: this.#userData.reconnects,
      ...(lastEventAt === undefined ? {} : { lastUserDataEventAt: lastEventAt }),
      unknownOrders: this.#reconciler.unknown,
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#lifetime.abort(new ClosedError({ message: 'the account was closed', context: this.#context() }));
    this.#reconciler.close();
    await this.#userData.close();
    await this.#wsApi.close();
    await this.#ownPool?.close();
    this.#onClose?.();
  }

  // -------------------------------------------------------------------------

  #assertOpen(): void {
    if (this.#closed) throw new ClosedError({ message: 'this account was closed', context: this.#context() });
  }

  /** A typed EXCHANGE_ERROR for an answer without the documented shape (never a value built from it). */
  #malformed(operation: string, data: unknown): ExchangeUnavailableError {
    let body: string;
    try {
      body = (JSON.stringify(data) ?? String(data)).slice(0, 2_000);
    } catch {
      body = String(data).slice(0, 2_000);
    }
    return new ExchangeUnavailableError({
      code: 'EXCHANGE_ERROR',
      message: `${operation}: the answer does not have the documented shape`,
      context: this.#context(operation),
      venue: { status: 200, body },
    });
  }

  #context(operation?: string, symbol?: string, clientOrderId?: string, orderId?: string) {
    return {
      exchange: EXCHANGE,
      ...(this.#userId === undefined ? {} : { userId: this.#userId }),
      ...(operation === undefined ? {} : { operation }),
      ...(symbol === undefined ? {} : { symbol }),
      ...(clientOrderId === undefined ? {} : { clientOrderId }),
      ...(orderId === undefined ? {} : { orderId }),
    };
  }

  async #instrument(symbol: UnifiedSymbol): Promise<Instrument> {
    return this.#deps.instruments.get(symbol);
  }

  async #ensureSymbols(): Promise<void> {
    if (this.#byNative) return;
    this.#symbolsLoading ??= this.#deps.instruments.list().then(
      (list) => {
        this.#byNative = new Map(list.map((i) => [i.nativeSymbol, i.symbol]));
        this.#symbolsLoading = undefined;
      },
      (error: unknown) => {
        this.#symbolsLoading = undefined;
        throw error;
      },
    );
    return this.#symbolsLoading;
  }

  #resolveNative(native: string): UnifiedSymbol | undefined {
    const symbol = this.#byNative?.get(native);
    if (symbol === undefined && this.#byNative && !this.#symbolsLoading) {
      // A symbol listed since we loaded: refresh in the background for the next events.
      this.#symbolsLoading = this.#deps.instruments.list({ refresh: true }).then(
        (list) => {
          this.#byNative = new Map(list.map((i) => [i.nativeSymbol, i.symbol]));
          this.#symbolsLoading = undefined;
        },
        () => {
          this.#symbolsLoading = undefined;
        },
      );
    }
    return symbol;
  }

  async #get<T>(
    path: string,
    params: BinanceParams,
    weight: number,
    symbol?: string,
    priority: RequestPriority = 'live',
  ): Promise<T> {
    try {
      const { data } = await this.#rest.request<T>({ method: 'GET', path, params, weight, priority });
      return data;
    } catch (error) {
      throw withContext(error, this.#context(`GET ${path}`, symbol));
    }
  }

  async #refParams(ref: OrderRef): Promise<{ symbol: UnifiedSymbol; params: Record<string, string> }> {
    if (typeof ref !== 'object' || ref === null) {
      throw new ValidationError('INVALID_PARAMETER', {
        field: 'order',
        rule: 'must be an object with symbol and orderId or clientOrderId',
      });
    }
    const symbol = normalizeSymbol(ref.symbol);
    if (ref.orderId === undefined && ref.clientOrderId === undefined) {
      throw new ValidationError('MISSING_PARAMETER', {
        field: 'orderId',
        rule: 'orderId or clientOrderId is required',
      });
    }
    if (ref.orderId !== undefined && !/^\d{1,20}$/.test(ref.orderId)) {
      throw new ValidationError('INVALID_PARAMETER', {
        field: 'orderId',
        rule: 'must be the venue order id, digits only',
      });
    }
    const instrument = await this.#instrument(symbol);
    return {
      symbol,
      params: {
        symbol: instrument.nativeSymbol,
        ...(ref.orderId === undefined ? {} : { orderId: ref.orderId }),
        ...(ref.clientOrderId === undefined ? {} : { origClientOrderId: ref.clientOrderId }),
      },
    };
  }

  /** The order by id or client id; undefined when the venue does not know it (unless `strict`). */
  async #queryOrder(
    symbol: UnifiedSymbol,
    ref: { orderId?: string | undefined; clientOrderId?: string | undefined },
    strict = false,
    priority: RequestPriority = 'live',
  ): Promise<Order | undefined> {
    const instrument = await this.#instrument(symbol);
    try {
      const { data } = await this.#rest.request<WireOrder>({
        method: 'GET',
        path: '/api/v3/order',
        params: {
          symbol: instrument.nativeSymbol,
          ...(ref.orderId === undefined ? {} : { orderId: ref.orderId }),
          ...(ref.clientOrderId === undefined ? {} : { origClientOrderId: ref.clientOrderId }),
        },
        weight: W.queryOrder,
        priority,
      });
      return parseOrder(data, symbol, this.#clock.now());
    } catch (error) {
      if (error instanceof OrderNotFoundError && !strict) return undefined;
      throw withContext(error, this.#context('GET /api/v3/order', symbol, ref.clientOrderId, ref.orderId));
    }
  }

  /** An order list by its list client id, with each leg's state. */
  async #queryOrderList(
    symbol: UnifiedSymbol,
    listClientOrderId: string,
    priority: RequestPriority,
  ): Promise<OrderList | undefined> {
    let list: WireOrderList;
    try {
      ({ data: list } = await this.#rest.request<WireOrderList>({
        method: 'GET',
        path: '/api/v3/orderList',
        params: { origClientOrderId: listClientOrderId },
        weight: W.queryList,
        priority,
      }));
    } catch (error) {
      if (error instanceof OrderNotFoundError) return undefined;
      throw error;
    }
    if (!isRestOrderList(list)) throw malformedAnswer('GET /api/v3/orderList', list);
    const legs: Order[] = [];
    for (const ref of list.orders) {
      const leg = await this.#queryOrder(symbol, { orderId: String(ref.orderId) }, false, priority);
      if (leg) legs.push(leg);
    }
    return { ...parseOrderList({ ...list, orderReports: [] }, symbol, this.#clock.now()), orders: legs };
  }

  async #tradesAfter(
    symbol: UnifiedSymbol,
    afterTradeId: string | undefined,
    since: number,
    priority: RequestPriority,
  ): Promise<Fill[]> {
    const instrument = await this.#instrument(symbol);
    const out: Fill[] = [];
    let fromId = afterTradeId === undefined ? undefined : (BigInt(afterTradeId) + 1n).toString();
    for (let page = 0; page < 50; page++) {
      const params: BinanceParams =
        fromId === undefined
          ? { symbol: instrument.nativeSymbol, startTime: Math.max(0, Math.round(since)), limit: 1000 }
          : { symbol: instrument.nativeSymbol, fromId, limit: 1000 };
      const data = await this.#get<WireMyTrade[]>('/api/v3/myTrades', params, W.myTrades, symbol, priority);
      for (const w of answerList(data, 'GET /api/v3/myTrades'))
        out.push(parseMyTrade(w as WireMyTrade, symbol));
      if (data.length < 1000) break;
      fromId = (BigInt(data[data.length - 1]!.id) + 1n).toString();
    }
    return out;
  }

  /** Waits for the reconciliation of an ambiguous placement, up to `unknownOrderTimeoutMs`. */
  async #settle<T>(
    key: string,
    symbol: UnifiedSymbol,
    cause: unknown,
    context: Record<string, string>,
  ): Promise<T> {
    const outcome = this.#reconciler.reconcile<T>(key, cause);
    let timer: ReturnType<Clock['setTimeout']> | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = this.#clock.setTimeout(() => resolve('timeout'), this.#config.unknownOrderTimeoutMs);
    });
    let result: ReconcileOutcome<T> | 'timeout';
    try {
      result = await Promise.race([outcome, timeout]);
    } catch (error) {
      result = 'timeout';
      this.#logger.debug('reconciliation stopped', { clientOrderId: key, error: String(error) });
    } finally {
      this.#clock.clearTimeout(timer);
    }
    if (result === 'timeout') {
      this.#reconciler.abandon(key);
      throw new OrderStateUnknownError(key, {
        message: `Binance did not confirm whether order ${key} on ${symbol} was placed; it is still being reconciled by its client order id (the outcome arrives as a user data order event). Do not send it again.`,
        context,
        cause,
      });
    }
    this.#intents.delete(key);
    if (result.placed) return result.value;
    // Proven never placed: the original failure stands, and sending again is safe.
    throw withContext(cause, { ...context, placed: false });
  }

  #onSettled(target: ReconcileTarget<unknown>, outcome: ReconcileOutcome<unknown>, abandoned: boolean): void {
    const intent = this.#intents.get(target.key);
    if (!abandoned) return;
    this.#intents.delete(target.key);
    if (target.kind !== 'order') return;
    if (outcome.placed) {
      const order = outcome.value as Order;
      if (this.#userData.delivered(order)) return;
      this.#userData.emit({
        type: 'order',
        order,
        executionType: executionTypeOf(order),
        timestamp: order.updatedAt,
      });
      return;
    }
    if (!intent) return;
    const now = this.#rest.venueNow();
    this.#userData.emit({
      type: 'order',
      order: neverPlaced(intent, target.key, now),
      executionType: 'rejected',
      rejectReason: 'NOT_PLACED',
      timestamp: now,
    });
  }

  #publishOrder(
    event: 'sent' | 'accepted' | 'rejected' | 'canceled',
    symbol: string,
    clientOrderId: string,
    orderId?: string,
    status?: string,
    durationMs?: number,
  ): void {
    if (!telemetry.order.hasSubscribers) return;
    telemetry.order.publish({
      exchange: EXCHANGE,
      ...(this.#userId === undefined ? {} : { userId: this.#userId }),
      symbol,
      clientOrderId,
      ...(orderId === undefined ? {} : { orderId }),
      event,
      ...(status === undefined ? {} : { status }),
      ...(durationMs === undefined ? {} : { durationMs }),
    });
  }
}

/**
 * Whether a failed placement may nevertheless have reached the matching engine: a timeout, a
 * dropped connection (unless nothing was sent), Binance's -1006/-1007, a 5xx, or a close while
 * the request was out.
 */
export function isAmbiguous(error: unknown): boolean {
  if (!isVenuekitError(error)) return false;
  if (error instanceof TimeoutError) return true;
  // The venue answered, but not with the documented body: what it did is looked up, not assumed.
  if (error.context.answer === 'malformed') return true;
  if (error.venue?.status !== undefined) {
    return isUnknownExecution({
      status: error.venue.status,
      ...(typeof error.venue.code === 'number' ? { code: error.venue.code } : {}),
    });
  }
  if (error instanceof NetworkError) return error.context.sent !== false;
  // Closed while the request was out (the account or its connection shut down).
  if (error instanceof ClosedError) return error.context.sent === true;
  return false;
}

function withContext(error: unknown, context: Record<string, string | boolean>): unknown {
  return isVenuekitError(error) ? error.withContext(context) : error;
}

function executionTypeOf(order: Order): ExecutionType {
  switch (order.status) {
    case 'canceled':
      return 'canceled';
    case 'expired':
      return 'expired';
    case 'expired_in_match':
      return 'trade_prevention';
    case 'rejected':
      return 'rejected';
    default:
      return order.filledQuantity.gt(0) ? 'trade' : 'new';
  }
}

/** The order a never-placed intent would have been, reported as rejected. */
function neverPlaced(intent: OrderRequest, clientOrderId: string, now: number): Order {
  const zero = new Decimal(0);
  return {
    exchange: EXCHANGE,
    symbol: intent.symbol,
    id: '',
    clientOrderId,
    side: intent.side,
    type: intent.type,
    ...(intent.timeInForce ? { timeInForce: intent.timeInForce } : {}),
    status: 'rejected',
    ...(intent.price ? { price: intent.price } : {}),
    ...(intent.stopPrice ? { stopPrice: intent.stopPrice } : {}),
    quantity: intent.quantity ?? zero,
    ...(intent.quoteQuantity ? { quoteQuantity: intent.quoteQuantity } : {}),
    filledQuantity: zero,
    filledQuoteQuantity: zero,
    fees: [],
    createdAt: now,
    updatedAt: now,
  };
}

function normalizeOco(input: OcoOrderRequest): OcoOrderRequest {
  if (typeof input !== 'object' || input === null) {
    throw new ValidationError('INVALID_PARAMETER', { field: 'order', rule: 'must be an object' });
  }
  const symbol = normalizeSymbol(input.symbol);
  const side = typeof input.side === 'string' ? input.side.toLowerCase() : input.side;
  if (side !== 'buy' && side !== 'sell') {
    throw new ValidationError('INVALID_PARAMETER', { field: 'side', rule: 'must be one of buy, sell' });
  }
  const tif = input.stopLimitTimeInForce;
  if (tif !== undefined && !['GTC', 'IOC', 'FOK'].includes(tif)) {
    throw new ValidationError('INVALID_PARAMETER', {
      field: 'stopLimitTimeInForce',
      rule: 'must be one of GTC, IOC, FOK',
    });
  }
  if (tif !== undefined && input.stopLimitPrice === undefined) {
    throw new ValidationError('INVALID_PARAMETER', {
      field: 'stopLimitTimeInForce',
      rule: 'is only allowed with stopLimitPrice',
    });
  }
  const price = toPositiveDecimal(input.price, 'price');
  const stopPrice = toPositiveDecimal(input.stopPrice, 'stopPrice');
  if (side === 'sell' ? !price.gt(stopPrice) : !price.lt(stopPrice)) {
    throw new ValidationError('INVALID_PARAMETER', {
      field: 'stopPrice',
      rule:
        side === 'sell'
          ? 'must be below price for a sell OCO (price > market > stopPrice)'
          : 'must be above price for a buy OCO (price < market < stopPrice)',
    });
  }
  return {
    symbol,
    side,
    quantity: toPositiveDecimal(input.quantity, 'quantity'),
    price,
    stopPrice,
    ...(input.stopLimitPrice === undefined
      ? {}
      : { stopLimitPrice: toPositiveDecimal(input.stopLimitPrice, 'stopLimitPrice') }),
    ...(tif === undefined ? {} : { stopLimitTimeInForce: tif as TimeInForce }),
    ...(input.listClientOrderId === undefined ? {} : { listClientOrderId: input.listClientOrderId }),
  };
}

/** Binance serves at most 24 hours per history request: longer ranges are split. */
function dayRanges(query: HistoryQuery, operation: string): Array<Record<string, number>> {
  const limit = query.limit === undefined ? undefined : Math.min(1000, Math.max(1, Math.floor(query.limit)));
  if (query.limit !== undefined && (!Number.isFinite(query.limit) || query.limit < 1)) {
    throw new ValidationError('INVALID_PARAMETER', {
      field: 'limit',
      rule: 'must be a positive integer',
      context: { operation },
    });
  }
  const base: Record<string, number> = limit === undefined ? {} : { limit };
  if (query.since === undefined) {
    return [query.until === undefined ? base : { ...base, endTime: query.until }];
  }
  const until = query.until ?? query.since + DAY_MS - 1;
  if (until < query.since) {
    throw new ValidationError('INVALID_PARAMETER', {
      field: 'until',
      rule: 'must not be before since',
      context: { operation },
    });
  }
  const ranges: Array<Record<string, number>> = [];
  for (let start = query.since; start <= until; start += DAY_MS) {
    ranges.push({ ...base, startTime: start, endTime: Math.min(until, start + DAY_MS - 1) });
  }
  return ranges;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  const out: Partial<T> = {};
  for (const key of Object.keys(value) as (keyof T)[]) if (value[key] !== undefined) out[key] = value[key];
  return out;
}
