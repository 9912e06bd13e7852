import {
  type Balance,
  type Clock,
  ClosedError,
  type ExecutionType,
  ExponentialBackoff,
  type Fill,
  isTerminalStatus,
  type Logger,
  type Order,
  type StreamObserver,
  type StreamStatus,
  silentLogger,
  systemClock,
  telemetry,
  toVenuekitError,
  type UnifiedSymbol,
  type UserDataEvent,
  type UserDataSubscription,
  type VenuekitError,
} from '@venuekit/core';
import { parseUserEvent } from './parsing/user-data';
import type { RequestPriority } from './rest/rate-governor';
import { isWireUserEvent } from './parsing/wire-checks';
import type { WsApiEventFrame } from './ws-api/wire';

/**
 * What the stream fetches over REST to catch up after a reconnect. Nobody waits for a catch-up:
 * its reads should be `background` requests at the rate governor, so that orders and the reads
 * a caller awaits go first while many accounts catch up at once.
 */
export interface UserDataBackfill {
  /** Open orders on every symbol. */
  openOrders(): Promise<Order[]>;
  /** One order's current state; undefined if the venue does not know it. */
  order(symbol: UnifiedSymbol, orderId: string): Promise<Order | undefined>;
  balances(): Promise<Balance[]>;
  /** Fills on `symbol` with a trade id above `afterTradeId`, or since `since` (venue ms) when none is known. */
  trades(symbol: UnifiedSymbol, afterTradeId: string | undefined, since: number): Promise<Fill[]>;
}

/**
 * Where the account's user data subscription is made: its door to the adapter's WebSocket API
 * connections (ws-api/pool.ts), which routes the subscription's events to `handleEvent`.
 */
export interface UserDataTransport {
  /**
   * Subscribes at the venue; resolves once confirmed, rejects with the venue's typed error.
   * `background` when nobody waits for it (subscribing again after a reconnect).
   */
  subscribe(priority?: RequestPriority): Promise<void>;
  /** Ends the subscription at the venue (its own `eventStreamTerminated` is not passed on). */
  unsubscribe(): Promise<void>;
  /** Whether a request can go out now on the account's connection. */
  readonly ready: boolean;
}

export interface UserDataStreamOptions {
  readonly transport: UserDataTransport;
  readonly backfill: UserDataBackfill;
  /** Venue symbol → unified; undefined for one the instruments do not know. */
  readonly resolveSymbol: (native: string) => UnifiedSymbol | undefined;
  /** The venue's time by our estimate. */
  readonly venueNow: () => number;
  /** Every order state the stream learns (live or caught up), e.g. to settle reconciliations. */
  readonly onOrder?: (order: Order) => void;
  /** Fetch fills missed while disconnected. Default true. */
  readonly backfillTrades?: boolean;
  /** How many fill ids are remembered to deliver each fill once. Default 100 000. */
  readonly dedupeCapacity?: number;
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly exchange?: string;
  readonly userId?: string;
}

/**
 * One account's user data over the WebSocket API (`userDataStream.subscribe.signature`, or
 * `userDataStream.subscribe` on a logged-on session), shared by all its observers. After every
 * reconnect (or a terminated subscription) it subscribes again, then catches up over REST: open
 * orders whose state changed, orders that left the book, the fills missed while away, and the
 * balances. Each fill reaches observers exactly once, whether it came live or from the catch-up.
 */
export class BinanceUserDataStream {
  readonly #options: UserDataStreamOptions;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #exchange: string;
  readonly #observers = new Set<StreamObserver<UserDataEvent>>();
  /** Open orders by client order id, as last reported to observers. */
  readonly #open = new Map<string, Order>();
  readonly #fillKeys = new Set<string>();
  /** Highest trade id delivered per symbol. */
  readonly #lastTradeId = new Map<UnifiedSymbol, bigint>();
  readonly #symbols = new Set<UnifiedSymbol>();
  readonly #capacity: number;
  /** Subscribed at the venue now (its events are routed here). */
  #subscribed = false;
  #subscribing: Promise<void> | undefined;
  #catchingUp: Promise<void> | undefined;
  #disconnectedAt: number | undefined;
  #connected = false;
  #reconnects = 0;
  #lastEventAt: number | undefined;
  #retryTimer: ReturnType<Clock['setTimeout']> | undefined;
  readonly #retryBackoff = new ExponentialBackoff({ initialMs: 1000, maxMs: 60_000 });
  #resumeAgain = false;
  #discards = 0;
  /** False from a reconnect until the catch-up after it has completed. */
  #caughtUp = true;
  #closed = false;

  constructor(options: UserDataStreamOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? silentLogger;
    this.#exchange = options.exchange ?? 'binance';
    this.#capacity = options.dedupeCapacity ?? 100_000;
  }

  get connected(): boolean {
    return this.#connected;
  }

  get reconnects(): number {
    return this.#reconnects;
  }

  get lastEventAt(): number | undefined {
    return this.#lastEventAt;
  }

  get active(): boolean {
    return this.#observers.size > 0;
  }

  /** A symbol this account trades: its fills are caught up after reconnects. */
  trackSymbol(symbol: UnifiedSymbol): void {
    this.#symbols.add(symbol);
  }

  /** Adds an observer; the first one starts the venue subscription. Resolves once subscribed. */
  async subscribe(observer: StreamObserver<UserDataEvent>): Promise<UserDataSubscription> {
    if (this.#closed) throw new ClosedError({ message: 'the account is closed' });
    this.#observers.add(observer);
    try {
      if (!this.#subscribed) await this.#subscribeAtVenue();
    } catch (error) {
      this.#observers.delete(observer);
      throw error;
    }
    let done = false;
    return {
      unsubscribe: async () => {
        if (done) return;
        done = true;
        this.#observers.delete(observer);
        if (this.#observers.size === 0) await this.#unsubscribeAtVenue();
      },
    };
  }

  /** Delivers an event that did not come from the stream (a reconciled order outcome). */
  emit(event: UserDataEvent): void {
    if (event.type === 'order') this.#remember(event.order);
    this.#deliver(event);
  }

  /**
   * An order learned from a request's answer (placed, or found by reconciliation): followed like
   * one reported by the stream, so that if it leaves the book while the stream is away, the
   * catch-up after the reconnect finds it. Not delivered: the caller already has it.
   */
  follow(order: Order): void {
    this.#remember(order);
  }

  /** Whether an order state at least this far along was already delivered. */
  delivered(order: Order): boolean {
    const known = this.#open.get(order.clientOrderId);
    return known !== undefined && !progressed(known, order);
  }

  // Wired to the WebSocket API connections' handlers by the account ----------

  /** An event of this account's subscription (the connection routes them by subscriptionId). */
  handleEvent(frame: WsApiEventFrame, receivedAt: number): void {
    // A malformed event is dropped whole: believing part of it would report a wrong order or balance.
    if (!isWireUserEvent(frame.event)) {
      this.#discard(`malformed user data event ${describeType(frame.event)}`);
      return;
    }
    const event = parseUserEvent(frame.event, this.#options.resolveSymbol);
    this.#lastEventAt = receivedAt;
    switch (event.kind) {
      case 'execution': {
        this.#symbols.add(event.order.symbol);
        this.#remember(event.order);
        this.#options.onOrder?.(event.order);
        this.#deliver({
          type: 'order',
          order: event.order,
          executionType: event.executionType,
          ...(event.rejectReason ? { rejectReason: event.rejectReason } : {}),
          timestamp: event.timestamp,
        });
        if (event.fill) this.#deliverFill(event.fill, event.timestamp);
        return;
      }
      case 'balances':
        this.#deliver({ type: 'balances', balances: event.balances, timestamp: event.timestamp });
        return;
      case 'balance_delta':
        this.#deliver({
          type: 'balance_delta',
          asset: event.asset,
          delta: event.delta,
          timestamp: event.timestamp,
        });
        return;
      case 'terminated':
        this.handleTerminated();
        return;
      case 'list_status':
        return;
      case 'ignored':
        if (event.type !== 'serverShutdown' && telemetry.messageDiscarded.hasSubscribers) {
          telemetry.messageDiscarded.publish({
            exchange: this.#exchange,
            reason: `user data event ${event.type}`,
          });
        }
        return;
    }
  }

  handleReady(reconnected: boolean): void {
    if (!reconnected || this.#closed) return;
    // A new connection has no subscription: subscribe again, then catch up what was missed.
    this.#subscribed = false;
    if (this.active) this.#resume();
  }

  handleDisconnected(): void {
    this.#lost('connection lost');
  }

  /**
   * The venue ended the subscription (`eventStreamTerminated`, or found gone after a revocation
   * notice on a shared connection): subscribe again and catch up. If the account's key was what
   * the venue revoked, subscribing again is refused and observers get that error.
   */
  handleTerminated(): void {
    if (this.#closed) return;
    const wasSubscribed = this.#subscribed;
    this.#lost('subscription ended by the venue');
    if (!this.active) return;
    if (wasSubscribed) this.#logger.warn('the venue ended the user data subscription; subscribing again', {});
    this.#resume();
  }

  /**
   * The connection cannot reconnect for `retryInMs` (the connection attempt budget is spent):
   * observers see how long, and why, as a `reconnecting` status.
   */
  handleWaiting(event: { readonly retryInMs: number; readonly reason: string }): void {
    if (this.#closed || !this.active || this.#subscribed) return;
    this.#status({
      type: 'reconnecting',
      reason: event.reason,
      attempt: this.#reconnects,
      delayMs: event.retryInMs,
    });
  }

  /** The venue revoked the key: the stream ends with that error. */
  handleRevoked(error: VenuekitError): void {
    this.#end(error);
  }

  /** Ends the stream for its observers with `error` (terminal: they must subscribe again). */
  #end(error: VenuekitError): void {
    this.#connected = false;
    this.#subscribed = false;
    for (const observer of [...this.#observers]) {
      try {
        observer.error?.(error);
      } catch (failure) {
        this.#logger.errorWithException('user data observer threw', failure);
      }
    }
    this.#observers.clear();
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#clock.clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    this.#observers.clear();
    this.#connected = false;
  }

  // -------------------------------------------------------------------------

  /** The subscription is gone (connection lost, or ended by the venue). */
  #lost(reason: string): void {
    if (this.#connected) {
      this.#disconnectedAt = this.#options.venueNow();
      this.#reconnects++;
      // Observers (a trading session, its health) must not take the stream for connected now.
      this.#status({ type: 'reconnecting', reason, attempt: this.#reconnects, delayMs: 0 });
    }
    this.#connected = false;
    this.#subscribed = false;
  }

  #subscribeAtVenue(priority: RequestPriority = 'live'): Promise<void> {
    this.#subscribing ??= (async () => {
      await this.#options.transport.subscribe(priority);
      this.#subscribed = true;
      this.#connected = true;
    })().finally(() => {
      this.#subscribing = undefined;
    });
    return this.#subscribing;
  }

  async #unsubscribeAtVenue(): Promise<void> {
    this.#subscribed = false;
    this.#connected = false;
    try {
      await this.#options.transport.unsubscribe();
    } catch (error) {
      this.#logger.debug('userDataStream.unsubscribe failed', { error: toVenuekitError(error).code });
    }
  }

  /** Subscribes again and catches up; retried with backoff while the connection stays up. */
  #resume(): void {
    if (this.#catchingUp) {
      // A reconnect during the catch-up: run again once it is done.
      this.#resumeAgain = true;
      return;
    }
    this.#caughtUp = false;
    this.#catchingUp = (async () => {
      try {
        // Subscribed already when only the catch-up failed last time: a second subscription
        // would deliver every event twice.
        if (!this.#subscribed) {
          try {
            // Nobody waits for a resubscription: it gives way to live requests, like the catch-up.
            await this.#subscribeAtVenue('background');
          } catch (error) {
            const failure = toVenuekitError(error);
            // The venue refused in a way asking again will not change (a rejected key, an
            // unsupported or malformed request): the stream ends with that error, observers
            // decide (a trading session subscribes again later). Others are retried here.
            if (refusedForGood(failure) && !this.#closed && this.active) {
              this.#logger.warn(
                'the venue refused to subscribe the user data stream again; the stream ends',
                {
                  error: failure.code,
                },
              );
              this.#end(failure);
              return;
            }
            throw error;
          }
        }
        await this.#catchUp();
        this.#caughtUp = true;
        this.#retryBackoff.reset();
        // Subscribed again and nothing missed: the stream is whole.
        if (!this.#resumeAgain) this.#status({ type: 'resubscribed' });
      } catch (error) {
        const failure = toVenuekitError(error);
        this.#logger.warn('resubscribing the user data stream failed; trying again', { error: failure.code });
        if (this.#options.transport.ready && !this.#closed && this.active) this.#retryLater();
      } finally {
        this.#catchingUp = undefined;
        if (this.#resumeAgain && !this.#closed && this.active) {
          this.#resumeAgain = false;
          this.#resume();
        }
      }
    })();
  }

  #retryLater(): void {
    if (this.#retryTimer !== undefined) return;
    this.#retryTimer = this.#clock.setTimeout(() => {
      this.#retryTimer = undefined;
      // Subscribing or catching up failed (a 429, a ban, a timeout): both are needed again.
      if (!this.#closed && this.active && (!this.#subscribed || !this.#caughtUp)) this.#resume();
    }, this.#retryBackoff.next());
  }

  async #catchUp(): Promise<void> {
    const { backfill } = this.#options;
    const since = (this.#disconnectedAt ?? this.#options.venueNow()) - 60_000;
    const open = await backfill.openOrders();
    const stillOpen = new Set<string>();
    for (const order of open) {
      stillOpen.add(order.clientOrderId);
      this.#symbols.add(order.symbol);
      this.#offerOrder(order);
    }
    for (const [clientOrderId, known] of [...this.#open]) {
      if (stillOpen.has(clientOrderId)) continue;
      const now = await backfill.order(known.symbol, known.id);
      if (now) this.#offerOrder(now);
      else this.#open.delete(clientOrderId);
    }
    if (this.#options.backfillTrades !== false) {
      for (const symbol of this.#symbols) {
        const last = this.#lastTradeId.get(symbol);
        const fills = await backfill.trades(symbol, last === undefined ? undefined : last.toString(), since);
        for (const fill of fills) this.#deliverFill(fill, fill.timestamp);
      }
    }
    const balances = await backfill.balances();
    this.#deliver({ type: 'balances', balances, timestamp: this.#options.venueNow() });
    this.#logger.info('user data stream resubscribed and caught up', { openOrders: open.length });
  }

  /** An order state learned by REST: delivered if it moved on from what observers saw. */
  #offerOrder(order: Order): void {
    this.#options.onOrder?.(order);
    const known = this.#open.get(order.clientOrderId);
    if (known && !progressed(known, order)) return;
    this.#remember(order);
    this.#deliver({
      type: 'order',
      order,
      executionType: executionTypeOf(known, order),
      timestamp: order.updatedAt,
    });
  }

  #remember(order: Order): void {
    const known = this.#open.get(order.clientOrderId);
    if (known && !progressed(known, order) && known.updatedAt > order.updatedAt) return;
    if (isTerminalStatus(order.status)) this.#open.delete(order.clientOrderId);
    else this.#open.set(order.clientOrderId, order);
  }

  #deliverFill(fill: Fill, timestamp: number): void {
    const key = `${fill.symbol}|${fill.tradeId}`;
    if (this.#fillKeys.has(key)) return;
    this.#fillKeys.add(key);
    if (this.#fillKeys.size > this.#capacity) {
      const oldest = this.#fillKeys.values().next().value;
      if (oldest !== undefined) this.#fillKeys.delete(oldest);
    }
    const id = BigInt(fill.tradeId);
    const last = this.#lastTradeId.get(fill.symbol);
    if (last === undefined || id > last) this.#lastTradeId.set(fill.symbol, id);
    this.#deliver({ type: 'fill', fill, timestamp });
  }

  #deliver(event: UserDataEvent): void {
    for (const observer of this.#observers) {
      try {
        observer.next(event);
      } catch (error) {
        this.#logger.errorWithException('user data observer threw', error);
      }
    }
  }

  #discard(reason: string): void {
    // Counted on the telemetry channel; the first few logged.
    if (this.#discards++ < 3)
      this.#logger.warn('discarded a user data event', { reason, discarded: this.#discards });
    if (telemetry.messageDiscarded.hasSubscribers) {
      telemetry.messageDiscarded.publish({ exchange: this.#exchange, reason });
    }
  }

  #status(status: StreamStatus): void {
    for (const observer of this.#observers) {
      try {
        observer.status?.(status);
      } catch (error) {
        this.#logger.errorWithException('user data observer threw', error);
      }
    }
  }
}

/**
 * A venue answer to a subscription request that asking again will not change: a rejected key,
 * a missing permission, a request it calls invalid or unsupported, an error it does not explain.
 * Timeouts, dropped connections, rate limits and bans are retried instead.
 */
function refusedForGood(error: VenuekitError): boolean {
  // A refused timestamp (-1021) is retried: the clock is measured again after it.
  if (error.code === 'CLOCK_SKEW') return false;
  return (
    error.category === 'authentication' ||
    error.category === 'permission' ||
    error.category === 'validation' ||
    error.code === 'EXCHANGE_ERROR'
  );
}

/** Whether `next` is a later state of the order than `known`. */
function progressed(known: Order, next: Order): boolean {
  if (next.filledQuantity.gt(known.filledQuantity)) return true;
  if (next.filledQuantity.lt(known.filledQuantity)) return false;
  return next.status !== known.status && !isTerminalStatus(known.status);
}

function executionTypeOf(known: Order | undefined, order: Order): ExecutionType {
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
      return known && order.filledQuantity.gt(known.filledQuantity)
        ? 'trade'
        : order.filledQuantity.gt(0) && !known
          ? 'trade'
          : 'new';
  }
}

function describeType(event: unknown): string {
  const type = typeof event === 'object' && event !== null ? (event as { e?: unknown }).e : undefined;
  return typeof type === 'string' ? type.slice(0, 40) : typeof event;
}
