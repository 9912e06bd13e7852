import {
  type AccountClient,
  AuthenticationError,
  type BackoffOptions,
  type Balance,
  type Capability,
  type BusHandler,
  type BusSubscription,
  type Clock,
  ClosedError,
  type Credentials,
  createClientOrderId,
  ExponentialBackoff,
  disposeCredentials,
  type ErrorContext,
  type ExchangeAdapter,
  type ExchangeId,
  type Fill,
  type HistoryQuery,
  type Logger,
  type MessageBus,
  normalizeOrderRequest,
  normalizeSymbol,
  type Order,
  OrderStateUnknownError,
  type OcoOrderRequest,
  type OrderList,
  type OrderRef,
  type OrderRequest,
  type OrderRequestInput,
  type PlaceOrderOptions,
  RateLimitError,
  runWithContext,
  type StreamObserver,
  type StreamStatus,
  type UnifiedSymbol,
  type UserDataEvent,
  type UserDataSubscription,
  ValidationError,
  type VenuekitError,
  type VenuekitErrorJSON,
  toVenuekitError,
  topics,
} from '@venuekit/core';
import type { RequestCosts, SessionOperation } from './costs';
import type { FairQueue } from './fair-queue';
import { normalizeOcoRequest, type OcoOrderRequestInput } from './oco-request';
import { OrderTracker } from './order-tracker';

/**
 * `connecting` until credentials are verified and the user data stream is up;
 * `unauthorized` once the venue rejected the credentials (nothing more is sent);
 * `closed` after disconnect.
 */
export type SessionState = 'connecting' | 'active' | 'unauthorized' | 'closed';

/** The user data stream: `off` when not subscribed (disabled, or the venue has none). */
export type UserDataState = 'off' | 'connecting' | 'connected' | 'reconnecting' | 'stale' | 'failed';

/** An order by venue id or client order id, as users pass it. */
export interface OrderRefInput {
  readonly symbol: string;
  readonly orderId?: string;
  readonly clientOrderId?: string;
}

/** `data` of the `status` events on `user.<id>.status`. */
export interface SessionStatusEvent {
  readonly state: SessionState;
  readonly userData: UserDataState;
  readonly reason?: string;
  readonly error?: VenuekitErrorJSON;
}

export interface SessionStatus {
  readonly userId: string;
  readonly sessionId: string;
  readonly exchange: ExchangeId;
  readonly state: SessionState;
  readonly connectedAt?: number;
  readonly userData: UserDataState;
  readonly userDataReconnects: number;
  readonly lastUserDataEventAt?: number;
  /** Orders the adapter is still reconciling after an ambiguous outcome. */
  readonly unknownOrders: number;
  /** Orders the tracker knows to be open. */
  readonly openOrders: number;
  /** This user's requests in flight to the venue and waiting in the fair queue. */
  readonly inFlight: number;
  readonly queued: number;
  /** Set while the user's requests are held back after the venue rate-limited them (epoch ms). */
  readonly cooldownUntil?: number;
  readonly requests: number;
  readonly failures: number;
  readonly lastError?: { readonly code: string; readonly message: string; readonly at: number };
}

/** One user's trading on one venue. Every call runs with this user's credentials only. */
export interface TradingSession {
  readonly userId: string;
  readonly sessionId: string;
  readonly exchange: ExchangeId;
  readonly state: SessionState;
  /**
   * Validates and places an order; resolves with its latest known state. A client
   * order id is assigned before sending when absent, so an `OrderStateUnknownError`
   * always names the order being reconciled.
   */
  placeOrder(input: OrderRequestInput | OrderRequest, options?: PlaceOrderOptions): Promise<Order>;
  /** Validates an order with the venue without placing it. */
  testOrder(input: OrderRequestInput | OrderRequest): Promise<void>;
  /** Places a one-cancels-the-other pair (a limit leg and a stop leg); its orders are tracked. */
  placeOcoOrder(input: OcoOrderRequestInput | OcoOrderRequest): Promise<OrderList>;
  cancelOrder(ref: OrderRefInput): Promise<Order>;
  cancelAllOrders(symbol: string): Promise<Order[]>;
  getOrder(ref: OrderRefInput): Promise<Order>;
  getOpenOrders(symbol?: string): Promise<Order[]>;
  getOrderHistory(symbol: string, query?: HistoryQuery): Promise<Order[]>;
  getTrades(symbol: string, query?: HistoryQuery): Promise<Fill[]>;
  getBalances(): Promise<Balance[]>;
  /** The tracked state of an order, without a request. */
  trackedOrder(ref: OrderRefInput): Order | undefined;
  /** Orders the tracker knows to be open, without a request. */
  trackedOpenOrders(symbol?: string): Order[];
  /** Balances as last reported (by `getBalances` or the user data stream), without a request. */
  trackedBalances(): Balance[];
  /** Subscribes to this user's `orders`, `fills`, `balances` or `status` events. */
  subscribe(kind: 'orders' | 'fills' | 'balances' | 'status', handler: BusHandler): Promise<BusSubscription>;
  status(): SessionStatus;
}

export interface UserSessionOptions {
  readonly userId: string;
  readonly sessionId: string;
  readonly adapter: ExchangeAdapter;
  /** Owned by the session from now on: disposed when it closes. */
  readonly credentials: Credentials;
  readonly queue: FairQueue;
  readonly bus: MessageBus;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly costs: RequestCosts;
  /** Subscribe to the venue's user data stream when it has one. Default true. */
  readonly userData?: boolean;
  /** How long a user's requests are held back after a rate-limit answer without Retry-After. Default 1000 ms. */
  readonly rateLimitCooldownMs?: number;
  /**
   * Pauses between attempts to subscribe the user data stream again after it ended for a reason
   * other than rejected credentials. Default 1 s doubling to 60 s, with jitter.
   */
  readonly userDataRetry?: BackoffOptions;
  readonly clientOrderIdPrefix?: string;
  readonly maxClosedOrders?: number;
  readonly maxRememberedFills?: number;
}

/**
 * How far before the stream was found gone the catch-up looks for fills: the venue's clock may be
 * ahead of ours, and the stream may have gone quiet a little before it was noticed.
 */
const CATCH_UP_MARGIN_MS = 60_000;
/** Trades asked for per request while catching up (Binance's most for myTrades). */
const FILL_PAGE = 1000;

/**
 * One user's session: their own AccountClient (their credentials are used for
 * nothing else), an order tracker fed by their user data stream, and their
 * lane in the venue's fair queue. Failures stay here: rejected credentials stop
 * this user's traffic, a rate-limit answer pauses this user only.
 */
export class UserSession implements TradingSession {
  readonly userId: string;
  readonly sessionId: string;
  readonly exchange: ExchangeId;
  readonly #adapter: ExchangeAdapter;
  readonly #account: AccountClient;
  readonly #queue: FairQueue;
  readonly #bus: MessageBus;
  readonly #clock: Clock;
  readonly #parentLogger: Logger;
  #childLogger: Logger | undefined;
  readonly #costs: RequestCosts;
  readonly #tracker: OrderTracker;
  readonly #wantUserData: boolean;
  readonly #cooldownMs: number;
  readonly #prefix: string;
  readonly #context: ErrorContext;
  readonly #logContext: { userId: string; sessionId: string };
  // Not a property of the object: only close() needs it, to forget the credentials.
  readonly #credentials: Credentials;
  #state: SessionState = 'connecting';
  #userData: UserDataState = 'off';
  #userDataSubscription: UserDataSubscription | undefined;
  /** The session's one observer of its user data stream (subscribed again after the stream ended). */
  readonly #userDataObserver: StreamObserver<UserDataEvent>;
  readonly #userDataBackoff: ExponentialBackoff;
  #userDataRetryTimer: ReturnType<Clock['setTimeout']> | undefined;
  #resubscribing = false;
  /** Counts the ends of the user data stream: a subscription made before the last end is dead. */
  #userDataEnds = 0;
  #userDataReconnects = 0;
  /** When the user data stream was last found gone and nothing has caught up since (local clock). */
  #userDataAwaySince: number | undefined;
  #catchUpTimer: ReturnType<Clock['setTimeout']> | undefined;
  #lastUserDataEventAt: number | undefined;
  #connectedAt: number | undefined;
  #cooldownUntil = 0;
  #requests = 0;
  #failures = 0;
  #lastError: { code: string; message: string; at: number } | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: UserSessionOptions) {
    if (typeof options.adapter.createAccount !== 'function') {
      throw new ValidationError('NOT_SUPPORTED', {
        field: 'exchange',
        rule: `must support trading: adapter "${options.adapter.id}" has no createAccount`,
        context: { userId: options.userId, exchange: options.adapter.id },
      });
    }
    this.userId = options.userId;
    this.sessionId = options.sessionId;
    this.exchange = options.adapter.id;
    this.#adapter = options.adapter;
    this.#queue = options.queue;
    this.#bus = options.bus;
    this.#clock = options.clock;
    this.#costs = options.costs;
    this.#credentials = options.credentials;
    this.#wantUserData = options.userData ?? true;
    this.#cooldownMs = options.rateLimitCooldownMs ?? 1000;
    this.#prefix = options.clientOrderIdPrefix ?? 'vk';
    createClientOrderId(this.#prefix); // validates the prefix before anything is opened
    this.#context = { userId: this.userId, sessionId: this.sessionId, exchange: this.exchange };
    this.#logContext = { userId: this.userId, sessionId: this.sessionId };
    this.#parentLogger = options.logger;
    this.#userDataObserver = {
      next: (event) => this.#onUserData(event),
      status: (status) => this.#onUserDataStatus(status),
      error: (error) => this.#onUserDataError(error),
    };
    this.#userDataBackoff = new ExponentialBackoff({
      initialMs: 1000,
      maxMs: 60_000,
      ...options.userDataRetry,
    });
    this.#tracker = new OrderTracker({
      userId: this.userId,
      exchange: this.exchange,
      bus: this.#bus,
      now: () => this.#clock.now(),
      logger: options.logger,
      ...(options.maxClosedOrders === undefined ? {} : { maxClosedOrders: options.maxClosedOrders }),
      ...(options.maxRememberedFills === undefined ? {} : { maxRememberedFills: options.maxRememberedFills }),
    });
    // The adapter binds the user id to its own lines (AccountOptions.userId).
    this.#account = options.adapter.createAccount(options.credentials, {
      userId: this.userId,
      clientOrderIdPrefix: this.#prefix,
      logger: options.logger,
    });
  }

  get state(): SessionState {
    return this.#state;
  }

  /**
   * Verifies the credentials (unless `verify` is false) and subscribes to the
   * user data stream. Rejects with the venue's typed error; the caller closes
   * the session then.
   */
  async open(options: { verify?: boolean } = {}): Promise<void> {
    if (options.verify ?? true) {
      await this.#request('verifyCredentials', undefined, {}, (account) => account.verifyCredentials());
      this.#assertOpen('verifyCredentials');
    }
    if (this.#wantUserData && this.#adapter.has.watchUserData) {
      this.#userData = 'connecting';
      try {
        const ends = this.#userDataEnds;
        const subscription = await runWithContext(this.#logContext, () =>
          this.#account.subscribeUserData(this.#userDataObserver),
        );
        if (this.#state === 'closed') {
          await subscription.unsubscribe().catch(() => {});
          this.#assertOpen('subscribeUserData');
        }
        // Ended already (the retry is scheduled): that subscription is dead.
        if (ends === this.#userDataEnds) this.#userDataSubscription = subscription;
        if (this.#userData === 'connecting') this.#userData = 'connected';
      } catch (error) {
        this.#userData = 'failed';
        throw this.#failed(error, 'subscribeUserData', undefined, {});
      }
    }
    this.#assertOpen('connect');
    if (this.#state === 'connecting') this.#state = 'active';
    this.#connectedAt = this.#clock.now();
    this.#publishStatus('connected');
  }

  async placeOrder(input: OrderRequestInput | OrderRequest, options?: PlaceOrderOptions): Promise<Order> {
    let request: OrderRequest;
    try {
      request = normalizeOrderRequest(input);
      if (request.clientOrderId === undefined) {
        request = { ...request, clientOrderId: createClientOrderId(this.#prefix) };
      }
    } catch (error) {
      throw toVenuekitError(error, { ...this.#context, operation: 'placeOrder', sent: false });
    }
    const order = await this.#request(
      'placeOrder',
      request.symbol,
      { clientOrderId: request.clientOrderId },
      (account) => account.placeOrder(request, options),
    );
    return this.#tracker.applyOrder(order, 'placement');
  }

  async testOrder(input: OrderRequestInput | OrderRequest): Promise<void> {
    let request: OrderRequest;
    try {
      this.#supports('testOrder', 'testOrder');
      request = normalizeOrderRequest(input);
    } catch (error) {
      throw toVenuekitError(error, { ...this.#context, operation: 'testOrder', sent: false });
    }
    await this.#request('testOrder', request.symbol, {}, (account) => account.testOrder(request));
  }

  async placeOcoOrder(input: OcoOrderRequestInput | OcoOrderRequest): Promise<OrderList> {
    let request: OcoOrderRequest;
    try {
      this.#supports('createOcoOrder', 'placeOcoOrder');
      request = normalizeOcoRequest(input);
    } catch (error) {
      throw toVenuekitError(error, { ...this.#context, operation: 'placeOcoOrder', sent: false });
    }
    const extra = request.listClientOrderId ? { clientOrderId: request.listClientOrderId } : {};
    const list = await this.#request('placeOcoOrder', request.symbol, extra, (account) =>
      account.placeOcoOrder(request),
    );
    for (const order of list.orders) this.#tracker.applyOrder(order, 'placement');
    return list;
  }

  async cancelOrder(ref: OrderRefInput): Promise<Order> {
    const valid = this.#ref(ref, 'cancelOrder');
    const order = await this.#request('cancelOrder', valid.symbol, refContext(valid), (account) =>
      account.cancelOrder(valid),
    );
    return this.#tracker.applyOrder(order, 'cancel');
  }

  async cancelAllOrders(symbol: string): Promise<Order[]> {
    const market = this.#symbol(symbol, 'cancelAllOrders');
    const orders = await this.#request('cancelAllOrders', market, {}, (account) =>
      account.cancelAllOrders(market),
    );
    return orders.map((order) => this.#tracker.applyOrder(order, 'cancel'));
  }

  async getOrder(ref: OrderRefInput): Promise<Order> {
    const valid = this.#ref(ref, 'getOrder');
    const order = await this.#request('getOrder', valid.symbol, refContext(valid), (account) =>
      account.getOrder(valid),
    );
    return this.#tracker.applyOrder(order, 'query');
  }

  async getOpenOrders(symbol?: string): Promise<Order[]> {
    const market = symbol === undefined ? undefined : this.#symbol(symbol, 'getOpenOrders');
    const orders = await this.#request('getOpenOrders', market, {}, (account) =>
      account.getOpenOrders(market),
    );
    return orders.map((order) => this.#tracker.applyOrder(order, 'query'));
  }

  async getOrderHistory(symbol: string, query?: HistoryQuery): Promise<Order[]> {
    const market = this.#symbol(symbol, 'getOrderHistory');
    const valid = this.#query(query, 'getOrderHistory', market);
    const orders = await this.#request('getOrderHistory', market, {}, (account) =>
      account.getOrderHistory(market, valid),
    );
    // Old orders are returned as they are; only orders already tracked are brought up to date.
    for (const order of orders) {
      if (this.#tracker.get({ symbol: order.symbol, orderId: order.id })) {
        this.#tracker.applyOrder(order, 'query');
      }
    }
    return orders;
  }

  async getTrades(symbol: string, query?: HistoryQuery): Promise<Fill[]> {
    const market = this.#symbol(symbol, 'getTrades');
    const valid = this.#query(query, 'getTrades', market);
    return this.#request('getTrades', market, {}, (account) => account.getTrades(market, valid));
  }

  async getBalances(): Promise<Balance[]> {
    const balances = await this.#request('getBalances', undefined, {}, (account) => account.getBalances());
    this.#tracker.applyBalanceSnapshot(balances);
    return balances;
  }

  trackedOrder(ref: OrderRefInput): Order | undefined {
    return this.#tracker.get(this.#ref(ref, 'trackedOrder'));
  }

  trackedOpenOrders(symbol?: string): Order[] {
    return this.#tracker.openOrders(
      symbol === undefined ? undefined : this.#symbol(symbol, 'trackedOpenOrders'),
    );
  }

  trackedBalances(): Balance[] {
    return this.#tracker.balances();
  }

  subscribe(kind: 'orders' | 'fills' | 'balances' | 'status', handler: BusHandler): Promise<BusSubscription> {
    return this.#bus.subscribe(topics.user(this.userId, kind), handler);
  }

  status(): SessionStatus {
    const account = this.#state === 'closed' ? undefined : this.#account.status();
    const lane = this.#queue.laneStats(this.userId);
    const now = this.#clock.now();
    return {
      userId: this.userId,
      sessionId: this.sessionId,
      exchange: this.exchange,
      state: this.#state,
      ...(this.#connectedAt === undefined ? {} : { connectedAt: this.#connectedAt }),
      userData: this.#userData,
      userDataReconnects: Math.max(this.#userDataReconnects, account?.userDataReconnects ?? 0),
      ...(this.#lastUserDataEventAt === undefined ? {} : { lastUserDataEventAt: this.#lastUserDataEventAt }),
      unknownOrders: account?.unknownOrders ?? 0,
      openOrders: this.#tracker.openOrderCount,
      inFlight: lane.inFlight,
      queued: lane.queued,
      ...(this.#cooldownUntil > now ? { cooldownUntil: this.#cooldownUntil } : {}),
      requests: this.#requests,
      failures: this.#failures,
      ...(this.#lastError ? { lastError: { ...this.#lastError } } : {}),
    };
  }

  /**
   * Rejects waiting requests, stops the user data stream and the account's timers
   * and reconciliation, and forgets the credentials. Idempotent.
   */
  close(reason = 'disconnected'): Promise<void> {
    this.#closing ??= (async () => {
      const wasState = this.#state;
      this.#state = 'closed';
      this.#clock.clearTimeout(this.#userDataRetryTimer);
      this.#userDataRetryTimer = undefined;
      this.#clock.clearTimeout(this.#catchUpTimer);
      this.#catchUpTimer = undefined;
      this.#queue.closeLane(
        this.userId,
        new ClosedError({
          message: 'request not sent: the user was disconnected',
          context: { ...this.#context, sent: false },
        }),
      );
      const subscription = this.#userDataSubscription;
      this.#userDataSubscription = undefined;
      if (subscription) {
        await subscription.unsubscribe().catch((error: unknown) => {
          this.#log().warn('stopping the user data stream failed', { err: error });
        });
      }
      this.#userData = 'off';
      await this.#account.close().catch((error: unknown) => {
        this.#log().warn('closing the account client failed', { err: error });
      });
      if (wasState !== 'connecting') this.#publishStatus(reason);
      this.#tracker.close();
      disposeCredentials(this.#credentials);
    })();
    return this.#closing;
  }

  /** Runs one venue request in this user's lane, with their log context, and enriches what it throws. */
  async #request<T>(
    operation: SessionOperation,
    symbol: UnifiedSymbol | undefined,
    extra: ErrorContext,
    call: (account: AccountClient) => Promise<T>,
  ): Promise<T> {
    this.#refuseEarly(operation, symbol, extra);
    this.#requests++;
    try {
      return await this.#queue.run(this.userId, this.#costs[operation], () =>
        runWithContext(this.#logContext, () => call(this.#account)),
      );
    } catch (error) {
      throw this.#failed(error, operation, symbol, extra);
    }
  }

  /** Throws, before anything is queued or sent, when this user may not send now. */
  #refuseEarly(operation: string, symbol: UnifiedSymbol | undefined, extra: ErrorContext): void {
    if (this.#state !== 'closed' && this.#state !== 'unauthorized' && this.#cooldownUntil === 0) return;
    const context = { ...this.#context, ...extra, operation, ...(symbol ? { symbol } : {}), sent: false };
    if (this.#state === 'closed') {
      throw new ClosedError({ message: `user ${this.userId} is disconnected; request not sent`, context });
    }
    if (this.#state === 'unauthorized') {
      throw new AuthenticationError({
        message: `the venue rejected user ${this.userId}'s credentials earlier; request not sent`,
        recoverySuggestions: [
          'Check that the API key is correct, enabled and not revoked',
          'Disconnect the user and connect again with valid credentials',
        ],
        context,
      });
    }
    const wait = this.#cooldownUntil - this.#clock.now();
    if (wait <= 0) this.#cooldownUntil = 0;
    else {
      throw new RateLimitError({
        message: `user ${this.userId} was rate-limited by the venue; request not sent for another ${wait} ms`,
        retryAfterMs: wait,
        context,
      });
    }
  }

  #failed(
    error: unknown,
    operation: string,
    symbol: UnifiedSymbol | undefined,
    extra: ErrorContext,
  ): VenuekitError {
    const enriched = toVenuekitError(error, {
      ...this.#context,
      ...extra,
      ...(symbol ? { symbol } : {}),
    });
    // The caller's verb is the operation (as in the seed's error format, same on every venue); the
    // adapter's own name for it (an endpoint, say) is kept beside it.
    const venueOperation = enriched.context.operation;
    if (venueOperation !== undefined && venueOperation !== operation) {
      enriched.context.venueOperation ??= venueOperation;
    }
    enriched.context.operation = operation;
    if (this.#state === 'closed' && enriched instanceof AuthenticationError) {
      // A request still waiting in the adapter when the user was disconnected finds the credentials
      // forgotten: that is the disconnect, not a key the venue refused.
      return new ClosedError({
        message: `user ${this.userId} was disconnected before the request completed`,
        context: { ...enriched.context },
        cause: enriched,
      });
    }
    this.#failures++;
    this.#lastError = { code: enriched.code, message: enriched.message, at: this.#clock.now() };
    const sent = enriched.context.sent !== false;
    if (sent && enriched instanceof AuthenticationError) this.#unauthorized(enriched);
    else if (sent && enriched instanceof RateLimitError) {
      // Repeating requests after a 429 is what gets an IP banned, for every user of it.
      const until = this.#clock.now() + (enriched.retryAfterMs ?? this.#cooldownMs);
      if (until > this.#cooldownUntil) this.#cooldownUntil = until;
    }
    if (enriched instanceof OrderStateUnknownError) {
      this.#log().warn('order outcome unknown; the adapter keeps reconciling it', {
        clientOrderId: enriched.clientOrderId,
        symbol,
      });
    }
    return enriched;
  }

  #unauthorized(error: VenuekitError): void {
    if (this.#state === 'closed' || this.#state === 'unauthorized') return;
    const wasConnecting = this.#state === 'connecting';
    this.#state = 'unauthorized';
    if (wasConnecting) return; // the connect call reports it
    this.#log().warn('the venue rejected the credentials; the session sends nothing more', {
      code: error.code,
    });
    this.#publishStatus('credentials rejected', error);
  }

  #onUserData(event: UserDataEvent): void {
    if (this.#state === 'closed') return;
    this.#lastUserDataEventAt = this.#clock.now();
    this.#tracker.applyEvent(event);
  }

  #onUserDataStatus(status: StreamStatus): void {
    if (this.#state === 'closed') return;
    let next: UserDataState = this.#userData;
    switch (status.type) {
      case 'subscribed':
      case 'resubscribed':
      case 'resynced':
        // The adapter subscribed again and caught up what it missed (fills included) itself.
        this.#userDataAwaySince = undefined;
        next = 'connected';
        break;
      case 'reconnecting':
        this.#userDataReconnects++;
        this.#userDataAwaySince ??= this.#clock.now();
        next = 'reconnecting';
        break;
      case 'stale':
      case 'circuit_open':
        this.#userDataAwaySince ??= this.#clock.now();
        next = 'stale';
        break;
      case 'gap':
        return;
    }
    if (next === this.#userData || this.#userData === 'connecting') {
      this.#userData = next;
      return;
    }
    this.#userData = next;
    this.#publishStatus(status.type);
  }

  #onUserDataError(error: VenuekitError): void {
    if (this.#state === 'closed') return;
    const enriched = toVenuekitError(error, { ...this.#context, operation: 'userData' });
    this.#userDataSubscription = undefined;
    this.#userDataEnds++;
    this.#userDataAwaySince ??= this.#clock.now();
    this.#failures++;
    this.#lastError = { code: enriched.code, message: enriched.message, at: this.#clock.now() };
    if (enriched instanceof AuthenticationError || this.#state === 'unauthorized') {
      this.#userData = 'failed';
      this.#log().warn('the user data stream ended', { err: enriched });
      this.#unauthorized(enriched);
      return;
    }
    // Any other end (the venue refused a resubscription, an adapter gave up): the session keeps
    // its orders followed by subscribing again, with backoff, and says so.
    this.#userData = 'reconnecting';
    this.#userDataReconnects++;
    this.#log().warn('the user data stream ended; subscribing again', { err: enriched });
    if (this.#state !== 'connecting') this.#publishStatus('user data stream ended', enriched);
    this.#scheduleResubscribe();
  }

  /** Closed, or the venue rejected the credentials: nothing more is sent. */
  #stopped(): boolean {
    return this.#state === 'closed' || this.#state === 'unauthorized';
  }

  #scheduleResubscribe(): void {
    if (this.#userDataRetryTimer !== undefined || this.#resubscribing) return;
    this.#userDataRetryTimer = this.#clock.setTimeout(() => {
      this.#userDataRetryTimer = undefined;
      void this.#resubscribe();
    }, this.#userDataBackoff.next());
  }

  /** Subscribes the user data stream again, then catches up what the tracker missed meanwhile. */
  async #resubscribe(): Promise<void> {
    if (this.#stopped()) return;
    this.#resubscribing = true;
    let subscription: UserDataSubscription;
    try {
      subscription = await runWithContext(this.#logContext, () =>
        this.#account.subscribeUserData(this.#userDataObserver),
      );
    } catch (error) {
      this.#resubscribing = false;
      if (this.#stopped()) return;
      const enriched = toVenuekitError(error, { ...this.#context, operation: 'subscribeUserData' });
      this.#lastError = { code: enriched.code, message: enriched.message, at: this.#clock.now() };
      if (enriched instanceof AuthenticationError) {
        this.#userData = 'failed';
        this.#unauthorized(enriched);
        return;
      }
      this.#log().debug('subscribing the user data stream again failed; trying later', {
        code: enriched.code,
      });
      this.#scheduleResubscribe();
      return;
    }
    this.#resubscribing = false;
    if (this.#stopped()) {
      await subscription.unsubscribe().catch(() => {});
      return;
    }
    this.#userDataSubscription = subscription;
    this.#userDataBackoff.reset();
    this.#userData = 'connected';
    this.#log().info('the user data stream is subscribed again', {});
    this.#publishStatus('user data stream resubscribed');
    await this.#catchUp();
  }

  /**
   * What the stream did not report while it was away, through the session's own requests: the
   * open orders (and the final state of tracked ones that left the book), the fills on every market
   * the user traded since shortly before the stream went away (each published once: the tracker
   * drops trade ids it already delivered), and the balances. Tried again with backoff if a request
   * fails.
   */
  async #catchUp(): Promise<void> {
    this.#clock.clearTimeout(this.#catchUpTimer);
    this.#catchUpTimer = undefined;
    if (this.#stopped()) return;
    const awaySince = this.#userDataAwaySince;
    try {
      const open = await this.getOpenOrders();
      const stillOpen = new Set(open.map((order) => `${order.symbol}|${order.id}`));
      for (const order of this.#tracker.openOrders()) {
        if (stillOpen.has(`${order.symbol}|${order.id}`)) continue;
        await this.getOrder({ symbol: order.symbol, orderId: order.id });
      }
      if (awaySince !== undefined) await this.#catchUpFills(awaySince - CATCH_UP_MARGIN_MS);
      await this.getBalances();
      // Lost again meanwhile and not yet back: the next catch-up starts from the same time.
      if (this.#userData === 'connected') this.#userDataAwaySince = undefined;
    } catch (error) {
      if (this.#stopped()) return;
      const delayMs = this.#userDataBackoff.next();
      this.#log().warn('catching up after the user data stream came back failed; trying again', {
        code: toVenuekitError(error).code,
        delayMs,
      });
      this.#clock.clearTimeout(this.#catchUpTimer);
      this.#catchUpTimer = this.#clock.setTimeout(() => void this.#catchUp(), delayMs);
    }
  }

  /** The user's trades since `since` (epoch ms) on every market they traded, as fills, in pages. */
  async #catchUpFills(since: number): Promise<void> {
    const until = this.#clock.now() + CATCH_UP_MARGIN_MS;
    for (const symbol of this.#tracker.symbols()) {
      let from = Math.max(0, since);
      for (;;) {
        const page = await this.getTrades(symbol, { since: from, until, limit: FILL_PAGE });
        let last = from;
        for (const fill of page) {
          this.#tracker.applyFill(this.#withClientOrderId(fill));
          if (fill.timestamp > last) last = fill.timestamp;
        }
        // A full page may have more after it; the page's last millisecond is asked again (the
        // tracker drops the repeats) so that no trade sharing it is skipped.
        if (page.length < FILL_PAGE || last === from) break;
        from = last;
      }
    }
  }

  /** A venue's trade list may not carry the client order id; the tracked order does. */
  #withClientOrderId(fill: Fill): Fill {
    if (fill.clientOrderId !== undefined) return fill;
    const clientOrderId = this.#tracker.get({ symbol: fill.symbol, orderId: fill.orderId })?.clientOrderId;
    return clientOrderId ? { ...fill, clientOrderId } : fill;
  }

  #publishStatus(reason: string, error?: VenuekitError): void {
    const data: SessionStatusEvent = error
      ? { state: this.#state, userData: this.#userData, reason, error: error.toJSON() }
      : { state: this.#state, userData: this.#userData, reason };
    try {
      this.#bus.publish({
        topic: topics.user(this.userId, 'status'),
        type: 'status',
        exchange: this.exchange,
        userId: this.userId,
        data,
        publishedAt: this.#clock.now(),
      });
    } catch (failure) {
      this.#log().warn('publishing a session status failed', { err: failure });
    }
  }

  /**
   * The session's logger, made on first use: a child logger per session would cost
   * every connect a redaction pass, and most sessions never log.
   */
  #log(): Logger {
    this.#childLogger ??= this.#parentLogger.child({ userId: this.userId, sessionId: this.sessionId });
    return this.#childLogger;
  }

  #supports(capability: Capability, operation: string): void {
    if (!this.#adapter.has[capability]) {
      throw new ValidationError('NOT_SUPPORTED', {
        field: 'operation',
        rule: `${operation} is not supported by the ${this.exchange} adapter`,
      });
    }
  }

  #assertOpen(operation: string): void {
    if (this.#state === 'closed') {
      throw new ClosedError({
        message: `user ${this.userId} was disconnected while connecting`,
        context: { ...this.#context, operation },
      });
    }
  }

  #symbol(symbol: unknown, operation: string): UnifiedSymbol {
    try {
      return normalizeSymbol(symbol);
    } catch (error) {
      throw toVenuekitError(error, { ...this.#context, operation, sent: false });
    }
  }

  #ref(ref: OrderRefInput, operation: string): OrderRef {
    const context = { ...this.#context, operation, sent: false };
    if (typeof ref !== 'object' || ref === null) {
      throw new ValidationError('INVALID_PARAMETER', {
        field: 'order',
        rule: 'must be an object with symbol and orderId or clientOrderId',
        context,
      });
    }
    const symbol = this.#symbol(ref.symbol, operation);
    const orderId = optionalId(ref.orderId, 'orderId', context);
    const clientOrderId = optionalId(ref.clientOrderId, 'clientOrderId', context);
    if (orderId === undefined && clientOrderId === undefined) {
      throw new ValidationError('MISSING_PARAMETER', {
        field: 'orderId',
        rule: 'an order needs orderId or clientOrderId',
        context: { ...context, symbol },
      });
    }
    return {
      symbol,
      ...(orderId === undefined ? {} : { orderId }),
      ...(clientOrderId === undefined ? {} : { clientOrderId }),
    };
  }

  #query(
    query: HistoryQuery | undefined,
    operation: string,
    symbol: UnifiedSymbol,
  ): HistoryQuery | undefined {
    if (query === undefined) return undefined;
    const context = { ...this.#context, operation, symbol, sent: false };
    if (typeof query !== 'object' || query === null) {
      throw new ValidationError('INVALID_PARAMETER', { field: 'query', rule: 'must be an object', context });
    }
    for (const field of ['since', 'until'] as const) {
      const value = query[field];
      if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) {
        throw new ValidationError('INVALID_PARAMETER', {
          field,
          rule: 'must be epoch milliseconds (a non-negative integer)',
          context,
        });
      }
    }
    if (query.since !== undefined && query.until !== undefined && query.since > query.until) {
      throw new ValidationError('INVALID_PARAMETER', {
        field: 'until',
        rule: 'must not be before since',
        context,
      });
    }
    if (query.limit !== undefined && (!Number.isSafeInteger(query.limit) || query.limit < 1)) {
      throw new ValidationError('INVALID_PARAMETER', {
        field: 'limit',
        rule: 'must be a positive integer',
        context,
      });
    }
    return query;
  }
}

function optionalId(value: unknown, field: string, context: ErrorContext): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '' || value.length > 64 || /\s/.test(value)) {
    throw new ValidationError('INVALID_PARAMETER', {
      field,
      rule: 'must be a non-empty string of at most 64 characters without whitespace',
      context,
    });
  }
  return value;
}

function refContext(ref: OrderRef): ErrorContext {
  return {
    ...(ref.orderId === undefined ? {} : { orderId: ref.orderId }),
    ...(ref.clientOrderId === undefined ? {} : { clientOrderId: ref.clientOrderId }),
  };
}
