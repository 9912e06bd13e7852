import {
  type Clock,
  ClosedError,
  type ConnectionInfo,
  isVenuekitError,
  type Logger,
  silentLogger,
  systemClock,
  telemetry,
  toVenuekitError,
  ValidationError,
  type VenuekitError,
} from '@venuekit/core';
import type { BinanceParams, BinanceSigner } from '../credentials';
import type { RequestPriority } from '../rest/rate-governor';
import type { RequestGate } from '../rest/request-gate';
import type { VenueClock } from '../rest/signed';
import type { ConnectionAttemptBudget } from '../ws/connection';
import {
  BinanceWsApiClient,
  type WsApiConnectionTuning,
  type WsApiRequestOptions,
  type WsApiResult,
} from './client';
import type { WsApiEventFrame } from './wire';

/** Binance: at most 1000 active user data subscriptions per connection (web-socket-api.md). */
export const MAX_SUBSCRIPTIONS_PER_CONNECTION = 1000;
const SESSION_WEIGHT = 2;

export interface BinanceWsApiPoolOptions {
  /** The WebSocket API endpoint, e.g. `wss://ws-api.binance.com:443/ws-api/v3`. */
  readonly url: string;
  /** The adapter's rate governor: WebSocket API requests count against the IP's weight. */
  readonly gate: RequestGate;
  readonly venueClock?: VenueClock;
  /** Shared with the adapter's other connections: Binance allows 300 connection attempts per 5 minutes per IP. */
  readonly attemptBudget?: ConnectionAttemptBudget;
  readonly connection?: WsApiConnectionTuning;
  /** User data subscriptions one connection carries before another is opened. Default 1000 (Binance's limit). */
  readonly maxSubscriptionsPerConnection?: number;
  /** For the pool's own requests (`session.subscriptions`, `userDataStream.unsubscribe`). Default 10 000 ms. */
  readonly requestTimeoutMs?: number;
  readonly exchange?: string;
  readonly clock?: Clock;
  readonly logger?: Logger;
}

/** What the pool tells one account about its user data subscription. */
export interface WsApiAccountHandlers {
  /** A user data event of this account's subscription. */
  event(frame: WsApiEventFrame, receivedAt: number): void;
  /** The connection carrying the subscription is ready again; after a reconnect it has no subscription. */
  ready(event: { readonly reconnected: boolean }): void;
  /** The connection carrying the subscription dropped: the subscription is gone. */
  disconnected(): void;
  /** The venue ended the subscription without saying so with an event (found after a revocation notice). */
  lost(): void;
  /** The venue revoked the key of this account's own logged-on connection. */
  revoked(error: VenuekitError): void;
  /** The connection carrying the subscription waits `retryInMs` for the connection attempt budget. */
  waiting?(event: { readonly retryInMs: number; readonly reason: string }): void;
}

export interface WsApiAccountOptions {
  readonly signer: BinanceSigner;
  /** The account's opaque key (order counts at the rate governor; one subscription per account per connection). */
  readonly account: string;
  readonly handlers: WsApiAccountHandlers;
  /** recvWindow of its signed requests. */
  readonly recvWindowMs: number;
  /** Default timeout of its requests. */
  readonly requestTimeoutMs: number;
  /** Aborted when the account closes: its requests still waiting end with a ClosedError. */
  readonly signal?: AbortSignal;
  readonly userId?: string;
  /**
   * Ed25519 keys only: a connection of its own, authenticated once with `session.logon`, instead
   * of per-request signatures on a shared connection.
   */
  readonly logon?: boolean;
  /** Tuning of that own connection. */
  readonly connection?: WsApiConnectionTuning;
  readonly logger?: Logger;
}

/** One WebSocket API connection of the pool and the subscriptions it carries. */
class PoolConnection {
  readonly client: BinanceWsApiClient;
  /** Active subscriptions by id: where each user data event goes. */
  readonly routes = new Map<number, WsApiAccount>();
  /** Accounts whose subscription lives (or is being made, or will be made again) on this connection. */
  readonly members = new Set<WsApiAccount>();
  /** A logged-on connection of one account. */
  readonly dedicated: WsApiAccount | undefined;
  /** The venue refused more subscriptions here (-2042): no new member joins. */
  exhausted = false;

  constructor(client: BinanceWsApiClient, dedicated?: WsApiAccount) {
    this.client = client;
    this.dedicated = dedicated;
  }

  hasAccount(account: string): boolean {
    for (const member of this.members) if (member.account === account) return true;
    return false;
  }
}

/**
 * The WebSocket API connections of one adapter, shared by all its accounts. Binance allows 300
 * connection attempts per 5 minutes per IP, so a connection per account would take a thousand
 * users more than a quarter of an hour to connect; here every account's user data is subscribed
 * with `userDataStream.subscribe.signature` (any key type) on a shared connection — up to
 * `maxSubscriptionsPerConnection` (Binance: 1000) and one per account per connection, then on
 * another — and its events are routed by `subscriptionId`. Order requests are signed per request
 * with the account's own key. An Ed25519 account that asks for `session.logon` gets a connection of
 * its own. After a reconnect, each account on the connection is told (`ready`), and subscribes again.
 */
export class BinanceWsApiPool {
  readonly #options: BinanceWsApiPoolOptions;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #exchange: string;
  readonly #max: number;
  readonly #connections: PoolConnection[] = [];
  readonly #accounts = new Set<WsApiAccount>();
  #closing = false;

  constructor(options: BinanceWsApiPoolOptions) {
    const max = options.maxSubscriptionsPerConnection ?? MAX_SUBSCRIPTIONS_PER_CONNECTION;
    if (!Number.isInteger(max) || max < 1 || max > MAX_SUBSCRIPTIONS_PER_CONNECTION) {
      throw new ValidationError('INVALID_PARAMETER', {
        field: 'maxSubscriptionsPerConnection',
        rule: `must be an integer from 1 to ${MAX_SUBSCRIPTIONS_PER_CONNECTION}`,
      });
    }
    this.#options = options;
    this.#max = max;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? silentLogger;
    this.#exchange = options.exchange ?? 'binance';
  }

  /** One account's door to the pool. */
  account(options: WsApiAccountOptions): WsApiAccount {
    if (this.#closing) throw new ClosedError({ message: 'the WebSocket API connections were closed' });
    if (options.logon && options.signer.keyType !== 'ed25519') {
      throw new ValidationError('INVALID_PARAMETER', {
        field: 'wsApiLogon',
        rule: 'is only possible with an Ed25519 key (Binance accepts session.logon from Ed25519 keys only)',
      });
    }
    const account = new WsApiAccount(this, options);
    this.#accounts.add(account);
    return account;
  }

  /** Every open connection: kind `api`, with its subscriptions counted as its streams. */
  connections(): ConnectionInfo[] {
    return this.#connections.map((connection) => connection.client.info());
  }

  /** How many accounts' user data each connection carries, for health and tests. */
  subscriptions(): number[] {
    return this.#connections.map((connection) => connection.routes.size);
  }

  /** Accounts closing from now on do not unsubscribe one by one: the connections close with the pool. */
  beginClose(): void {
    this.#closing = true;
  }

  get closing(): boolean {
    return this.#closing;
  }

  async close(): Promise<void> {
    this.#closing = true;
    const connections = this.#connections.splice(0);
    this.#accounts.clear();
    await Promise.all(connections.map((connection) => connection.client.close()));
  }

  // Used by WsApiAccount -------------------------------------------------------

  /** The connection an account's subscription goes to: its own, or a shared one with room for it. */
  assign(account: WsApiAccount, exclude: ReadonlySet<PoolConnection>): PoolConnection {
    if (this.#closing) throw new ClosedError({ message: 'the WebSocket API connections were closed' });
    if (account.logon) {
      const own = this.#connections.find((c) => c.dedicated === account) ?? this.#open(account);
      own.members.add(account);
      return own;
    }
    for (const connection of this.#connections) {
      if (connection.dedicated || connection.exhausted || exclude.has(connection)) continue;
      if (connection.members.size >= this.#max || connection.hasAccount(account.account)) continue;
      connection.members.add(account);
      return connection;
    }
    const opened = this.#open();
    opened.members.add(account);
    return opened;
  }

  /** A connection for a request: the account's own or home connection, else any open shared one. */
  connectionFor(account: WsApiAccount, home: PoolConnection | undefined): PoolConnection {
    if (this.#closing) throw new ClosedError({ message: 'the WebSocket API connections were closed' });
    if (account.logon) return this.assign(account, new Set());
    if (home?.client.ready) return home;
    let fallback: PoolConnection | undefined = home;
    for (const connection of this.#connections) {
      if (connection.dedicated) continue;
      if (connection.client.ready) return connection;
      fallback ??= connection;
    }
    return fallback ?? this.#open();
  }

  leave(account: WsApiAccount): void {
    this.#accounts.delete(account);
    for (const connection of [...this.#connections]) {
      connection.members.delete(account);
      if (connection.dedicated === account) this.#drop(connection);
    }
    // Nobody left: no connection is kept open for nothing (the next account opens one again).
    if (this.#accounts.size === 0) for (const connection of [...this.#connections]) this.#drop(connection);
  }

  /** Sends an unsigned request of the pool itself (unsubscribe, subscriptions). */
  poolRequest<T>(connection: PoolConnection, method: string, params: BinanceParams): Promise<WsApiResult<T>> {
    return connection.client.request<T>(method, params, {
      weight: SESSION_WEIGHT,
      timeoutMs: this.#options.requestTimeoutMs ?? 10_000,
    });
  }

  get logger(): Logger {
    return this.#logger;
  }

  // -------------------------------------------------------------------------

  #open(dedicated?: WsApiAccount): PoolConnection {
    const o = this.#options;
    let connection: PoolConnection | undefined;
    const client = new BinanceWsApiClient({
      url: o.url,
      gate: o.gate,
      exchange: this.#exchange,
      clock: this.#clock,
      logger: dedicated?.logger ?? this.#logger,
      ...(o.venueClock ? { venueClock: o.venueClock } : {}),
      ...(o.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: o.requestTimeoutMs }),
      ...(o.attemptBudget ? { attemptBudget: o.attemptBudget } : {}),
      ...(dedicated
        ? {
            signer: dedicated.signer,
            account: dedicated.account,
            logon: true,
            recvWindowMs: dedicated.recvWindowMs,
            ...((dedicated.tuning ?? o.connection) ? { connection: dedicated.tuning ?? o.connection } : {}),
          }
        : { logon: false, ...(o.connection ? { connection: o.connection } : {}) }),
      handlers: {
        event: (frame, receivedAt, text) => {
          if (connection) this.#onEvent(connection, frame, receivedAt, text);
        },
        ready: (event) => {
          if (connection) this.#onReady(connection, event.reconnected);
        },
        disconnected: () => {
          if (connection) this.#onDisconnected(connection);
        },
        revoked: (error) => {
          if (connection) this.#onRevoked(connection, error);
        },
        waiting: (event) => {
          if (connection) this.#onWaiting(connection, event);
        },
      },
    });
    connection = new PoolConnection(client, dedicated);
    this.#connections.push(connection);
    client.start();
    if (!dedicated) {
      this.#logger.debug('opened a shared WebSocket API connection', {
        connectionId: client.connectionId,
        connections: this.#connections.length,
      });
    }
    return connection;
  }

  #drop(connection: PoolConnection): void {
    const index = this.#connections.indexOf(connection);
    if (index >= 0) this.#connections.splice(index, 1);
    for (const member of connection.members) member.detach(connection);
    connection.members.clear();
    connection.routes.clear();
    connection.client.close().catch((error: unknown) => {
      this.#logger.debug('closing a WebSocket API connection failed', { error: toVenuekitError(error).code });
    });
  }

  #onEvent(connection: PoolConnection, frame: WsApiEventFrame, receivedAt: number, text: string): void {
    const id = frame.subscriptionId;
    const target = typeof id === 'number' ? connection.routes.get(id) : undefined;
    if (!target) {
      // serverShutdown is a connection event (the connection itself handles its end), and the last
      // word of a subscription we ended is expected. Anything else is an event of no subscription
      // of ours: never delivered to anyone, counted.
      const type = frame.event?.e;
      if (
        type !== 'serverShutdown' &&
        type !== 'eventStreamTerminated' &&
        telemetry.messageDiscarded.hasSubscribers
      ) {
        telemetry.messageDiscarded.publish({
          exchange: this.#exchange,
          connectionId: connection.client.connectionId,
          reason:
            id === undefined
              ? 'user data event without a subscription id'
              : 'user data event of no active subscription',
        });
      }
      return;
    }
    if (telemetry.rawMessage.hasSubscribers) {
      telemetry.rawMessage.publish({
        exchange: this.#exchange,
        connectionId: connection.client.connectionId,
        kind: 'user',
        ...(target.userId === undefined ? {} : { userId: target.userId }),
        payload: text,
        receivedAt,
      });
    }
    if (frame.event?.e === 'eventStreamTerminated') {
      connection.routes.delete(id as number);
      target.unrouted(connection, id as number);
    }
    try {
      target.handlers.event(frame, receivedAt);
    } catch (error) {
      this.#logger.errorWithException('user data handler threw', error);
    }
  }

  #onReady(connection: PoolConnection, reconnected: boolean): void {
    for (const member of [...connection.members]) {
      try {
        member.handlers.ready({ reconnected });
      } catch (error) {
        this.#logger.errorWithException('WebSocket API ready handler threw', error);
      }
    }
  }

  #onDisconnected(connection: PoolConnection): void {
    const routed = [...connection.routes];
    connection.routes.clear();
    for (const [id, member] of routed) member.unrouted(connection, id);
    for (const member of [...connection.members]) {
      try {
        member.handlers.disconnected();
      } catch (error) {
        this.#logger.errorWithException('WebSocket API disconnected handler threw', error);
      }
    }
  }

  #onWaiting(
    connection: PoolConnection,
    event: { readonly retryInMs: number; readonly reason: string },
  ): void {
    for (const member of [...connection.members]) {
      try {
        member.handlers.waiting?.(event);
      } catch (error) {
        this.#logger.errorWithException('WebSocket API waiting handler threw', error);
      }
    }
  }

  /**
   * An unsolicited 401: the venue revoked a key of this connection. A logged-on connection
   * belongs to one account. On a shared one the notice does not say whose key it was: the
   * connection's subscriptions are listed, and each account whose subscription is gone is told;
   * it subscribes again, and the venue's answer to that tells whether its own key was revoked.
   */
  #onRevoked(connection: PoolConnection, error: VenuekitError): void {
    if (connection.dedicated) {
      try {
        connection.dedicated.handlers.revoked(error);
      } catch (failure) {
        this.#logger.errorWithException('WebSocket API revoked handler threw', failure);
      }
      return;
    }
    this.poolRequest<Array<{ subscriptionId: number }>>(connection, 'session.subscriptions', {}).then(
      ({ result }) => {
        const active = new Set(Array.isArray(result) ? result.map((entry) => entry.subscriptionId) : []);
        for (const [id, member] of [...connection.routes]) {
          if (active.has(id)) continue;
          connection.routes.delete(id);
          member.unrouted(connection, id);
          try {
            member.handlers.lost();
          } catch (failure) {
            this.#logger.errorWithException('WebSocket API lost handler threw', failure);
          }
        }
      },
      (failure: unknown) => {
        this.#logger.debug('listing the subscriptions after a revocation notice failed', {
          error: toVenuekitError(failure).code,
        });
      },
    );
  }
}

/**
 * One account on the pool: its requests (signed with its own key), and its user data
 * subscription (one at a time). Implements what the user data stream needs of a transport.
 */
export class WsApiAccount {
  readonly #pool: BinanceWsApiPool;
  readonly signer: BinanceSigner;
  readonly account: string;
  readonly handlers: WsApiAccountHandlers;
  readonly recvWindowMs: number;
  readonly requestTimeoutMs: number;
  readonly userId: string | undefined;
  readonly logon: boolean;
  readonly tuning: WsApiConnectionTuning | undefined;
  readonly logger: Logger | undefined;
  readonly #signal: AbortSignal | undefined;
  /** Where the subscription lives, or will be made again after a reconnect. */
  #home: PoolConnection | undefined;
  #subscriptionId: number | undefined;
  #closed = false;

  constructor(pool: BinanceWsApiPool, options: WsApiAccountOptions) {
    this.#pool = pool;
    this.signer = options.signer;
    this.account = options.account;
    this.handlers = options.handlers;
    this.recvWindowMs = options.recvWindowMs;
    this.requestTimeoutMs = options.requestTimeoutMs;
    this.userId = options.userId;
    this.logon = options.logon === true;
    this.tuning = options.connection;
    this.logger = options.logger;
    this.#signal = options.signal;
  }

  /** Whether a request can go out now on this account's connection. */
  get ready(): boolean {
    if (this.#closed) return false;
    return this.#home ? this.#home.client.ready : true;
  }

  get subscribed(): boolean {
    return this.#subscriptionId !== undefined;
  }

  /** The connection carrying the subscription, if any. */
  get connectionId(): string | undefined {
    return this.#home?.client.connectionId;
  }

  /**
   * A request on the account's connection. A signed one carries this account's `apiKey` and
   * signature (or only its timestamp on its own logged-on connection).
   */
  request<T>(method: string, params: BinanceParams, options: WsApiRequestOptions): Promise<WsApiResult<T>> {
    if (this.#closed) return Promise.reject(this.#closedError(method));
    const connection = this.#pool.connectionFor(this, this.#home);
    return connection.client.request<T>(method, params, this.#requestOptions(options));
  }

  /**
   * Subscribes this account's user data (`userDataStream.subscribe.signature`, or
   * `userDataStream.subscribe` on its logged-on connection). Resolves once the venue confirmed.
   * `background` when nobody waits for it (subscribing again after a reconnect).
   */
  async subscribe(priority: RequestPriority = 'live'): Promise<void> {
    if (this.#closed) throw this.#closedError('userDataStream.subscribe');
    if (this.#subscriptionId !== undefined) return;
    const tried = new Set<PoolConnection>();
    for (;;) {
      const connection = this.#home ?? this.#pool.assign(this, tried);
      this.#home = connection;
      try {
        await this.#subscribeOn(connection, priority);
        return;
      } catch (error) {
        // -2035: this account already has a subscription there (another key of the same account);
        // -2042: the connection used up its subscription ids. Either way: another connection.
        const code = isVenuekitError(error) ? error.venue?.code : undefined;
        if ((code === -2035 || code === -2042) && !this.logon && !this.#closed && tried.size < 3) {
          if (code === -2042) connection.exhausted = true;
          tried.add(connection);
          connection.members.delete(this);
          this.#home = undefined;
          continue;
        }
        throw error;
      }
    }
  }

  /** Ends the subscription at the venue; its `eventStreamTerminated` is not passed on. */
  async unsubscribe(): Promise<void> {
    const connection = this.#home;
    const id = this.#subscriptionId;
    this.#subscriptionId = undefined;
    this.#home = undefined;
    if (!connection) return;
    connection.members.delete(this);
    if (id === undefined) return;
    connection.routes.delete(id);
    if (!connection.client.ready || this.#pool.closing) return;
    try {
      await this.#pool.poolRequest(connection, 'userDataStream.unsubscribe', { subscriptionId: id });
    } catch (error) {
      this.#pool.logger.debug('userDataStream.unsubscribe failed', { error: toVenuekitError(error).code });
    }
  }

  /** Leaves the pool: the subscription is ended (unless the pool is closing), its own connection closed. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.unsubscribe();
    this.#closed = true;
    this.#home = undefined;
    this.#pool.leave(this);
  }

  // Used by the pool -----------------------------------------------------------

  /** The subscription `id` on `connection` is no more (dropped, terminated or lost). */
  unrouted(connection: PoolConnection, id: number): void {
    if (this.#home === connection && this.#subscriptionId === id) this.#subscriptionId = undefined;
  }

  /** The connection closed for good: the next subscription goes elsewhere. */
  detach(connection: PoolConnection): void {
    if (this.#home !== connection) return;
    this.#home = undefined;
    this.#subscriptionId = undefined;
  }

  // -------------------------------------------------------------------------

  async #subscribeOn(connection: PoolConnection, priority: RequestPriority): Promise<void> {
    let method = 'userDataStream.subscribe.signature';
    let signed = true;
    if (connection.dedicated) {
      // Logged on (after each reconnect) before anything goes out: no signature needed then.
      await connection.client.whenReady();
      if (connection.client.loggedOn) {
        method = 'userDataStream.subscribe';
        signed = false;
      }
    }
    await connection.client.request<{ subscriptionId: number }>(
      method,
      {},
      this.#requestOptions({
        weight: SESSION_WEIGHT,
        signed,
        priority,
        // Routed as soon as the answer is read: the subscription's first event may be in the same packet.
        onResult: (result) => {
          const id = (result as { subscriptionId?: unknown } | undefined)?.subscriptionId;
          if (typeof id !== 'number') return;
          if (this.#closed || this.#home !== connection) {
            // Closed (or moved) while subscribing: end what the venue just started.
            this.#pool
              .poolRequest(connection, 'userDataStream.unsubscribe', { subscriptionId: id })
              .catch(() => {});
            return;
          }
          connection.routes.set(id, this);
          this.#subscriptionId = id;
        },
      }),
    );
    if (this.#subscriptionId === undefined) {
      throw new ClosedError({
        message: 'userDataStream.subscribe: the subscription ended before it was confirmed',
        context: { operation: method },
      });
    }
  }

  #requestOptions(options: WsApiRequestOptions): WsApiRequestOptions {
    return {
      ...options,
      account: this.account,
      timeoutMs: options.timeoutMs ?? this.requestTimeoutMs,
      ...(options.signed ? { signer: this.signer, recvWindowMs: this.recvWindowMs } : {}),
      ...(options.signal === undefined && this.#signal !== undefined ? { signal: this.#signal } : {}),
    };
  }

  #closedError(method: string): ClosedError {
    return new ClosedError({
      message: `${method}: not sent, the account was closed`,
      context: { operation: method, sent: false },
    });
  }
}
