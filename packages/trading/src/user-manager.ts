import { createHash, randomUUID } from 'node:crypto';
import {
  type Balance,
  type BusHandler,
  type BusSubscription,
  type BackoffOptions,
  type Clock,
  ClosedError,
  ConfigurationError,
  type Credentials,
  type CredentialsInput,
  createCredentials,
  disposeCredentials,
  type ExchangeAdapter,
  type ExchangeId,
  InProcessBus,
  isSecret,
  type Logger,
  type MessageBus,
  type Order,
  type OrderRequestInput,
  type PlaceOrderOptions,
  silentLogger,
  systemClock,
  telemetry,
  toVenuekitError,
  topics,
  ValidationError,
} from '@venuekit/core';
import { DEFAULT_REQUEST_COSTS, type RequestCosts } from './costs';
import { FairQueue, type FairQueueOptions, type FairQueueStats } from './fair-queue';
import { type SessionStatus, type TradingSession, UserSession } from './user-session';

/** Where sessions find their venue: `venuekit.registry` (an ExchangeRegistry) fits. */
export interface AdapterResolver {
  /** The adapter with this id, or the only one when `id` is absent. */
  resolve(id?: ExchangeId): ExchangeAdapter;
}

export interface UserManagerOptions {
  /** The venues users trade on: one adapter, several, or a registry such as `venuekit.registry`. */
  readonly adapters: ExchangeAdapter | readonly ExchangeAdapter[] | AdapterResolver;
  /** Where order, fill, balance and status events are published. Default: a new in-process bus. */
  readonly bus?: MessageBus;
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** Limits of the fair queue in front of each venue. */
  readonly fairness?: FairQueueOptions;
  /** Relative cost of each operation in the fair queue. */
  readonly costs?: Partial<RequestCosts>;
  /** Check credentials with the venue when a user connects. Default true. */
  readonly verifyCredentials?: boolean;
  /** Subscribe each user to the venue's user data stream. Default true. */
  readonly userData?: boolean;
  /** How long one user's requests are held back after a rate-limit answer without Retry-After. Default 1000 ms. */
  readonly rateLimitCooldownMs?: number;
  /**
   * Pauses between attempts to subscribe a user's data stream again after it ended for a reason
   * other than rejected credentials. Default 1 s doubling to 60 s, with jitter.
   */
  readonly userDataRetry?: BackoffOptions;
  /**
   * Let two user ids connect with the same API key. Default false: the second is
   * refused, because both would see and cancel each other's orders.
   */
  readonly allowSharedCredentials?: boolean;
  /** Finished orders each session keeps tracked. Default 500. */
  readonly maxClosedOrders?: number;
  /** Fill ids each session remembers to deliver each fill once. Default 2000. */
  readonly maxRememberedFills?: number;
}

export interface ConnectUserOptions {
  /** The venue, when several adapters are registered. */
  readonly exchange?: ExchangeId;
  /** Check the credentials with the venue before resolving. Default: the manager's setting (true). */
  readonly verify?: boolean;
  /** Subscribe to the user data stream. Default: the manager's setting (true). */
  readonly userData?: boolean;
  /** Prefix of this user's generated client order ids (at most 12 of A-Z a-z 0-9 _ -). */
  readonly clientOrderIdPrefix?: string;
}

export type UserEventKind = 'orders' | 'fills' | 'balances' | 'status';

export interface TradingStats {
  readonly totalUsers: number;
  readonly sessions: readonly SessionStatus[];
  readonly queues: Readonly<Record<ExchangeId, FairQueueStats>>;
  readonly closed: boolean;
}

/**
 * What `venuekit.trading` offers: connect users, reach their sessions, and the
 * verbs of the seed API (`connectUser(userId, apiKey, secretKey)`, `placeOrder`,
 * `cancelOrder`, `getBalance`, `getOrders`, `disconnectUser`).
 */
export interface TradingFacade {
  /** Connects a user with their credentials (api key + secret, or api key + Ed25519/RSA private key). */
  connectUser(
    userId: string,
    credentials: CredentialsInput,
    options?: ConnectUserOptions,
  ): Promise<TradingSession>;
  /** The seed form: an API key and an HMAC secret key. */
  connectUser(
    userId: string,
    apiKey: string,
    secretKey: string,
    options?: ConnectUserOptions,
  ): Promise<TradingSession>;
  /** Stops the user's streams, timers and waiting requests, and forgets their credentials. */
  disconnectUser(userId: string): Promise<void>;
  listUsers(): string[];
  hasUser(userId: string): boolean;
  /** The user's session; a ConfigurationError USER_NOT_FOUND when they are not connected. */
  getSession(userId: string): TradingSession;
  placeOrder(userId: string, params: OrderRequestInput, options?: PlaceOrderOptions): Promise<Order>;
  cancelOrder(userId: string, orderId: string, symbol: string): Promise<Order>;
  getBalance(userId: string): Promise<Balance[]>;
  /** The user's open orders, on one market or all. */
  getOrders(userId: string, symbol?: string): Promise<Order[]>;
  /** Subscribes to one user's events; works before the user connects. */
  subscribe(userId: string, kind: UserEventKind, handler: BusHandler): Promise<BusSubscription>;
  /** Every session's status (one small object per user: poll it, don't stream it). */
  sessions(): SessionStatus[];
  stats(): TradingStats;
  readonly closed: boolean;
  /** Disconnects every user. */
  close(): Promise<void>;
}

// User ids become part of bus topics (`user.<id>.orders`), so dots and wildcards are excluded.
const USER_ID = /^[A-Za-z0-9_@:+-]{1,128}$/;

/**
 * Many users trading in one process, each in an isolated session: their own
 * credentials (never shared, never printed), their own account client and user
 * data stream, their own failures. Requests to one venue share a fair queue so
 * that one busy user cannot starve the others of the venue's per-IP weight.
 */
export class UserManager implements TradingFacade {
  readonly #resolver: AdapterResolver;
  readonly #bus: MessageBus;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #fairness: FairQueueOptions;
  readonly #costs: RequestCosts;
  readonly #options: UserManagerOptions;
  readonly #queues = new Map<ExchangeId, FairQueue>();
  readonly #sessions = new Map<string, UserSession>();
  readonly #closing = new Map<string, Promise<void>>();
  // API-key fingerprints (SHA-256, never the key) → user id, to refuse one key for two users.
  readonly #keyOwners = new Map<string, string>();
  readonly #fingerprints = new Map<string, string>();
  #closed: Promise<void> | undefined;

  constructor(options: UserManagerOptions) {
    this.#options = options;
    this.#resolver = toResolver(options.adapters);
    this.#logger = options.logger ?? silentLogger;
    this.#bus = options.bus ?? new InProcessBus(this.#logger);
    this.#clock = options.clock ?? systemClock;
    this.#fairness = options.fairness ?? {};
    new FairQueue(this.#fairness); // validates the limits now rather than at the first connect
    this.#costs = { ...DEFAULT_REQUEST_COSTS, ...options.costs };
    for (const [name, cost] of Object.entries(this.#costs)) {
      if (typeof cost !== 'number' || !Number.isFinite(cost) || cost <= 0) {
        throw new ValidationError('INVALID_PARAMETER', {
          field: `costs.${name}`,
          rule: 'must be a positive number',
        });
      }
    }
  }

  get bus(): MessageBus {
    return this.#bus;
  }

  connectUser(
    userId: string,
    credentials: CredentialsInput,
    options?: ConnectUserOptions,
  ): Promise<TradingSession>;
  connectUser(
    userId: string,
    apiKey: string,
    secretKey: string,
    options?: ConnectUserOptions,
  ): Promise<TradingSession>;
  async connectUser(
    userId: string,
    credentialsOrApiKey: CredentialsInput | string,
    secretOrOptions?: string | ConnectUserOptions,
    maybeOptions?: ConnectUserOptions,
  ): Promise<TradingSession> {
    const context = { userId: typeof userId === 'string' ? userId : undefined, operation: 'connectUser' };
    this.#assertOpen(context);
    validUserId(userId);
    let input: CredentialsInput;
    let options: ConnectUserOptions;
    if (typeof credentialsOrApiKey === 'string') {
      if (typeof secretOrOptions !== 'string') {
        throw new ValidationError('MISSING_PARAMETER', {
          field: 'secretKey',
          rule: 'must be a non-empty string when the API key is passed as a string',
          context: { ...context, sent: false },
        });
      }
      input = { apiKey: credentialsOrApiKey, secret: secretOrOptions };
      options = maybeOptions ?? {};
    } else {
      input = credentialsOrApiKey;
      options = (typeof secretOrOptions === 'object' && secretOrOptions) || {};
    }

    const closing = this.#closing.get(userId);
    if (closing) await closing;
    this.#assertOpen(context);
    if (this.#sessions.has(userId)) {
      throw new ConfigurationError('USER_ALREADY_CONNECTED', {
        message: `user ${userId} is already connected`,
        context: { ...context, sent: false },
      });
    }

    let credentials: Credentials;
    try {
      credentials = isSealedCredentials(input) ? input : createCredentials(input);
    } catch (error) {
      throw toVenuekitError(error, { ...context, sent: false });
    }
    let session: UserSession;
    let fingerprint: string;
    try {
      fingerprint = keyFingerprint(credentials);
      const owner = this.#keyOwners.get(fingerprint);
      if (owner !== undefined && !this.#options.allowSharedCredentials) {
        // Which user holds the key is not said: that would tell one tenant about another.
        throw new ValidationError('INVALID_PARAMETER', {
          field: 'credentials',
          rule: 'must not be the API key of another connected user',
          userMessage: 'These API credentials are already in use.',
          context: { ...context, sent: false },
        });
      }
      const adapter = this.#resolver.resolve(options.exchange);
      session = new UserSession({
        userId,
        sessionId: randomUUID(),
        adapter,
        credentials,
        queue: this.#queue(adapter.id),
        bus: this.#bus,
        clock: this.#clock,
        logger: this.#logger,
        costs: this.#costs,
        userData: options.userData ?? this.#options.userData ?? true,
        ...(this.#options.rateLimitCooldownMs === undefined
          ? {}
          : { rateLimitCooldownMs: this.#options.rateLimitCooldownMs }),
        ...(this.#options.userDataRetry === undefined ? {} : { userDataRetry: this.#options.userDataRetry }),
        ...(options.clientOrderIdPrefix === undefined
          ? {}
          : { clientOrderIdPrefix: options.clientOrderIdPrefix }),
        ...(this.#options.maxClosedOrders === undefined
          ? {}
          : { maxClosedOrders: this.#options.maxClosedOrders }),
        ...(this.#options.maxRememberedFills === undefined
          ? {}
          : { maxRememberedFills: this.#options.maxRememberedFills }),
      });
    } catch (error) {
      disposeCredentials(credentials);
      throw toVenuekitError(error, { ...context, exchange: options.exchange, sent: false });
    }

    this.#sessions.set(userId, session);
    if (!this.#keyOwners.has(fingerprint)) this.#keyOwners.set(fingerprint, userId);
    this.#fingerprints.set(session.sessionId, fingerprint);
    try {
      await session.open({ verify: options.verify ?? this.#options.verifyCredentials ?? true });
    } catch (error) {
      const enriched = toVenuekitError(error, {
        ...context,
        exchange: session.exchange,
        sessionId: session.sessionId,
      });
      if (this.#sessions.get(userId) === session) this.#sessions.delete(userId);
      this.#release(session);
      await session.close('connect failed');
      telemetry.userSession.publish({ exchange: session.exchange, userId, event: 'failed' });
      this.#logger.warn('connecting a user failed', {
        userId,
        sessionId: session.sessionId,
        exchange: session.exchange,
        code: enriched.code,
        err: enriched,
      });
      throw enriched;
    }
    telemetry.userSession.publish({ exchange: session.exchange, userId, event: 'connected' });
    this.#logger.info('user connected', { userId, sessionId: session.sessionId, exchange: session.exchange });
    return session;
  }

  async disconnectUser(userId: string): Promise<void> {
    const session = this.#sessions.get(userId);
    if (!session) {
      const closing = typeof userId === 'string' ? this.#closing.get(userId) : undefined;
      if (closing) return closing;
      throw new ConfigurationError('USER_NOT_FOUND', {
        message: `user ${String(userId).slice(0, 128)} is not connected`,
        context: { userId: typeof userId === 'string' ? userId : undefined, operation: 'disconnectUser' },
      });
    }
    this.#sessions.delete(userId);
    const closing = (async () => {
      const wasConnecting = session.state === 'connecting';
      this.#release(session);
      await session.close();
      if (!wasConnecting) {
        telemetry.userSession.publish({ exchange: session.exchange, userId, event: 'disconnected' });
        this.#logger.info('user disconnected', {
          userId,
          sessionId: session.sessionId,
          exchange: session.exchange,
        });
      }
    })();
    this.#closing.set(userId, closing);
    try {
      await closing;
    } finally {
      if (this.#closing.get(userId) === closing) this.#closing.delete(userId);
    }
  }

  listUsers(): string[] {
    return [...this.#sessions.keys()];
  }

  hasUser(userId: string): boolean {
    return this.#sessions.has(userId);
  }

  getSession(userId: string): TradingSession {
    return this.#session(userId, 'getSession');
  }

  async placeOrder(userId: string, params: OrderRequestInput, options?: PlaceOrderOptions): Promise<Order> {
    return this.#session(userId, 'placeOrder').placeOrder(params, options);
  }

  async cancelOrder(userId: string, orderId: string, symbol: string): Promise<Order> {
    return this.#session(userId, 'cancelOrder').cancelOrder({ symbol, orderId });
  }

  async getBalance(userId: string): Promise<Balance[]> {
    return this.#session(userId, 'getBalance').getBalances();
  }

  async getOrders(userId: string, symbol?: string): Promise<Order[]> {
    return this.#session(userId, 'getOrders').getOpenOrders(symbol);
  }

  async subscribe(userId: string, kind: UserEventKind, handler: BusHandler): Promise<BusSubscription> {
    validUserId(userId);
    if (kind !== 'orders' && kind !== 'fills' && kind !== 'balances' && kind !== 'status') {
      throw new ValidationError('INVALID_PARAMETER', {
        field: 'kind',
        rule: 'must be one of orders, fills, balances, status',
      });
    }
    return this.#bus.subscribe(topics.user(userId, kind), handler);
  }

  sessions(): SessionStatus[] {
    const out: SessionStatus[] = [];
    for (const session of this.#sessions.values()) out.push(session.status());
    return out;
  }

  stats(): TradingStats {
    const queues: Record<ExchangeId, FairQueueStats> = {};
    for (const [id, queue] of this.#queues) queues[id] = queue.stats();
    return {
      totalUsers: this.#sessions.size,
      sessions: this.sessions(),
      queues,
      closed: this.#closed !== undefined,
    };
  }

  get closed(): boolean {
    return this.#closed !== undefined;
  }

  close(): Promise<void> {
    this.#closed ??= (async () => {
      const users = [...this.#sessions.keys()];
      await Promise.allSettled(users.map((userId) => this.disconnectUser(userId)));
      await Promise.allSettled([...this.#closing.values()]);
    })();
    return this.#closed;
  }

  #session(userId: string, operation: string): UserSession {
    const session = typeof userId === 'string' ? this.#sessions.get(userId) : undefined;
    if (session) return session;
    if (this.#closed) {
      throw new ClosedError({
        message: 'the trading manager is closed',
        context: { operation, sent: false },
      });
    }
    throw new ConfigurationError('USER_NOT_FOUND', {
      message: `user ${String(userId).slice(0, 128)} is not connected`,
      context: { userId: typeof userId === 'string' ? userId : undefined, operation, sent: false },
    });
  }

  #queue(exchange: ExchangeId): FairQueue {
    let queue = this.#queues.get(exchange);
    if (!queue) {
      queue = new FairQueue(this.#fairness);
      this.#queues.set(exchange, queue);
    }
    return queue;
  }

  #release(session: UserSession): void {
    const fingerprint = this.#fingerprints.get(session.sessionId);
    this.#fingerprints.delete(session.sessionId);
    if (fingerprint !== undefined && this.#keyOwners.get(fingerprint) === session.userId) {
      this.#keyOwners.delete(fingerprint);
    }
  }

  #assertOpen(context: { userId: string | undefined; operation: string }): void {
    if (this.#closed) {
      throw new ClosedError({
        message: 'the trading manager is closed',
        context: { ...context, sent: false },
      });
    }
  }
}

function validUserId(userId: unknown): asserts userId is string {
  if (typeof userId !== 'string' || !USER_ID.test(userId)) {
    throw new ValidationError(
      typeof userId === 'string' && userId !== '' ? 'INVALID_PARAMETER' : 'MISSING_PARAMETER',
      {
        field: 'userId',
        rule: 'must be 1-128 characters of A-Z a-z 0-9 _ - : @ +',
        context: { sent: false },
      },
    );
  }
}

/**
 * Credentials made by `createCredentials` are frozen, with every value a Secret;
 * they are taken as they are (core's createCredentials cannot re-seal a frozen object).
 */
function isSealedCredentials(input: CredentialsInput): input is Credentials {
  if (typeof input !== 'object' || input === null || !Object.isFrozen(input)) return false;
  const raw = input as Record<string, unknown>;
  if (!isSecret(raw.apiKey)) return false;
  return (
    (raw.type === 'hmac' && isSecret(raw.secret)) ||
    ((raw.type === 'ed25519' || raw.type === 'rsa') && isSecret(raw.privateKey))
  );
}

function keyFingerprint(credentials: Credentials): string {
  return createHash('sha256').update(credentials.apiKey.reveal()).digest('base64url');
}

function toResolver(adapters: UserManagerOptions['adapters']): AdapterResolver {
  if (adapters === undefined || adapters === null) {
    throw new ValidationError('MISSING_PARAMETER', {
      field: 'adapters',
      rule: 'must be an exchange adapter, a list of them, or a registry',
    });
  }
  if (typeof (adapters as AdapterResolver).resolve === 'function') return adapters as AdapterResolver;
  const list: readonly ExchangeAdapter[] = Array.isArray(adapters) ? adapters : [adapters as ExchangeAdapter];
  const byId = new Map<ExchangeId, ExchangeAdapter>();
  for (const adapter of list) byId.set(adapter.id, adapter);
  return {
    resolve(id?: ExchangeId): ExchangeAdapter {
      const adapter = id === undefined ? (byId.size === 1 ? list[0] : undefined) : byId.get(id);
      if (adapter) return adapter;
      throw new ConfigurationError('ADAPTER_NOT_FOUND', {
        message:
          byId.size === 0
            ? 'no exchange adapter is configured'
            : id === undefined
              ? `several exchange adapters are configured (${[...byId.keys()].join(', ')}): pass options.exchange`
              : `no exchange adapter "${id}" is configured`,
        ...(id === undefined ? {} : { context: { exchange: id } }),
      });
    },
  };
}
