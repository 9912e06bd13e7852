import {
  type BackoffOptions,
  type Clock,
  ClockSkewError,
  ClosedError,
  type ConnectionInfo,
  isVenuekitError,
  type Logger,
  NetworkError,
  silentLogger,
  systemClock,
  TimeoutError,
  telemetry,
  type VenuekitError,
} from '@venuekit/core';
import {
  type BinanceParams,
  type BinanceParamValue,
  type BinanceSigner,
  signWsApiParams,
} from '../credentials';
import { mapBinanceError } from '../errors';
import { type GovernedRequest, headersFromRateLimits, type RequestPriority } from '../rest/rate-governor';
import type { RequestGate } from '../rest/request-gate';
import type { VenueClock } from '../rest/signed';
import { type AttemptDeferredEvent, type ConnectionAttemptBudget, WsConnection } from '../ws/connection';
import type { WsApiEventFrame, WsApiResponseFrame, WsApiSessionStatus } from './wire';

export interface WsApiRequestOptions {
  /** The method's documented weight, charged at the rate governor. */
  readonly weight: number;
  /** Default `read`; placements count against the account's order limits. */
  readonly kind?: 'read' | 'order' | 'cancel';
  /**
   * `background` for a request nobody is waiting for now (resubscribing user data after a
   * reconnect): it waits behind live requests at the rate governor. Default `live`.
   */
  readonly priority?: RequestPriority;
  /** Adds `apiKey`, `timestamp`, `recvWindow` and `signature` (or only the timestamp on a logged-on session). */
  readonly signed?: boolean;
  /** Default: the client's request timeout. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Called with a signed request's `timestamp` just before it goes out. */
  readonly onSent?: (timestamp: number) => void;
  /**
   * After a -1021 (timestamp outside recvWindow) the venue clock is measured again; the request is
   * then signed and sent once more if this is true. Default: true for reads (`kind: 'read'`).
   */
  readonly retryOnClockSkew?: boolean;
  /**
   * Signs this request with another account's key than the client's (a connection shared by
   * several accounts signs each request with its own account's key).
   */
  readonly signer?: BinanceSigner;
  /** The account whose order counts this request affects; default the client's. */
  readonly account?: string;
  /** recvWindow of a signed request; default the client's. */
  readonly recvWindowMs?: number;
  /**
   * Called with the `result` of a successful answer as soon as it is read, before any later
   * frame of the connection is handled (a subscription's events may follow its answer at once).
   */
  readonly onResult?: (result: unknown) => void;
}

export interface WsApiResult<T> {
  readonly result: T;
  readonly status: number;
  /** The `timestamp` a signed request carried (venue ms). */
  readonly timestamp?: number;
}

export interface WsApiHandlers {
  /**
   * A user data event (`{"subscriptionId":N,"event":{…}}`) or a connection event (`serverShutdown`),
   * with the frame's text.
   */
  event?(frame: WsApiEventFrame, receivedAt: number, text: string): void;
  /** The connection is ready for requests (after `session.logon` when logging on). */
  ready?(event: { readonly reconnected: boolean }): void;
  /** The connection dropped; requests in flight were failed. */
  disconnected?(event: { readonly reason: string; readonly willReconnect: boolean }): void;
  /** The venue revoked the API key mid-session (unsolicited 401). */
  revoked?(error: VenuekitError): void;
  /**
   * The connection waits for the shared connection attempt budget before its next attempt
   * (`reason` names the budget). Requests that cannot wait that long were failed with a
   * CONNECTION_ATTEMPTS_EXHAUSTED RateLimitError.
   */
  waiting?(event: { readonly retryInMs: number; readonly reason: string }): void;
}

export interface BinanceWsApiClientOptions {
  /** The WebSocket API endpoint, e.g. `wss://ws-api.binance.com:443/ws-api/v3`. */
  readonly url: string;
  /** The adapter's rate governor: WebSocket API requests count against the same IP weight. */
  readonly gate: RequestGate;
  /** Opaque per-account key for order counts. */
  readonly account?: string;
  readonly signer?: BinanceSigner;
  readonly venueClock?: VenueClock;
  /** Default 5000 ms. */
  readonly recvWindowMs?: number;
  /** How long a request may wait for its answer (and for the connection). Default 10 000 ms. */
  readonly requestTimeoutMs?: number;
  /**
   * Authenticate the session once with `session.logon` after each (re)connect, so later
   * requests carry only a timestamp. Binance allows it for Ed25519 keys only. Default: true
   * for Ed25519 keys.
   */
  readonly logon?: boolean;
  readonly handlers?: WsApiHandlers;
  /** The account's user, named on the raw user data frames published on `telemetry.rawMessage`. */
  readonly userId?: string;
  readonly exchange?: string;
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly connection?: WsApiConnectionTuning;
  /** Connection attempts to Binance's hosts, shared with the adapter's other connections (300 per 5 minutes per IP). */
  readonly attemptBudget?: ConnectionAttemptBudget;
}

/** How a WebSocket API connection is kept alive and reconnected. */
export interface WsApiConnectionTuning {
  readonly connectTimeoutMs?: number;
  readonly pingIntervalMs?: number;
  readonly pongTimeoutMs?: number;
  readonly silenceTimeoutMs?: number;
  readonly backoff?: BackoffOptions;
  readonly circuit?: { readonly failureThreshold?: number; readonly openMs?: number };
  /** How long to stay away after a 429 or 418 answer to the handshake. Default 60 000 ms. */
  readonly refusedRetryMs?: number;
}

interface Pending {
  readonly method: string;
  readonly startedAt: number;
  readonly weight: number;
  readonly account: string | undefined;
  readonly onResult: ((result: unknown) => void) | undefined;
  readonly resolve: (frame: WsApiResponseFrame) => void;
  readonly reject: (error: unknown) => void;
  readonly timer: ReturnType<Clock['setTimeout']>;
}

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Nobody may be waiting when it rejects.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

/**
 * Binance's WebSocket API on one connection: requests matched to answers by id, signed by the
 * WebSocket API rule (sorted parameters, raw UTF-8), charged at the shared rate governor and fed
 * back to it from each answer's `rateLimits`. After a reconnect the session logs on again (Ed25519)
 * before any request goes out. A request whose answer never comes (timeout, dropped connection)
 * fails with a TimeoutError or NetworkError: for an order that means "outcome unknown", and the
 * caller reconciles. The connection never emits 'error' and reconnects by itself.
 */
export class BinanceWsApiClient {
  readonly #options: BinanceWsApiClientOptions;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #exchange: string;
  readonly #connection: WsConnection;
  readonly #pending = new Map<number, Pending>();
  readonly #timeoutMs: number;
  readonly #recvWindowMs: number;
  readonly #logon: boolean;
  #nextId = 1;
  #ready: Deferred = deferred();
  #isReady = false;
  #loggedOn = false;
  /** Why the last session.logon failed, for requests that gave up waiting. */
  #logonError: unknown;
  /** Requests waiting for the connection: told when it waits for the attempt budget. */
  readonly #budgetListeners = new Set<(until: number) => void>();
  #started = false;
  #closed = false;
  /** Counts openings and closings: a logon admitted after its connection closed is dropped. */
  #opened = 0;

  constructor(options: BinanceWsApiClientOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? silentLogger;
    this.#exchange = options.exchange ?? 'binance';
    this.#timeoutMs = options.requestTimeoutMs ?? 10_000;
    this.#recvWindowMs = options.recvWindowMs ?? 5000;
    this.#logon = options.logon ?? options.signer?.keyType === 'ed25519';
    const c = options.connection ?? {};
    this.#connection = new WsConnection({
      url: options.url,
      kind: 'api',
      exchange: this.#exchange,
      clock: this.#clock,
      logger: this.#logger,
      ...(c.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: c.connectTimeoutMs }),
      ...(c.pingIntervalMs === undefined ? {} : { pingIntervalMs: c.pingIntervalMs }),
      ...(c.pongTimeoutMs === undefined ? {} : { pongTimeoutMs: c.pongTimeoutMs }),
      ...(c.silenceTimeoutMs === undefined ? {} : { silenceTimeoutMs: c.silenceTimeoutMs }),
      ...(c.backoff === undefined ? {} : { backoff: c.backoff }),
      ...(c.circuit === undefined ? {} : { circuit: c.circuit }),
      ...(c.refusedRetryMs === undefined ? {} : { refusedRetryMs: c.refusedRetryMs }),
      ...(options.attemptBudget === undefined ? {} : { attemptBudget: options.attemptBudget }),
      handlers: {
        message: (text, receivedAt) => this.#onMessage(text, receivedAt),
        open: ({ reconnected }) => this.#onOpen(reconnected),
        close: ({ reason, willReconnect }) => this.#onClose(reason, willReconnect),
        attemptDeferred: (event) => this.#onAttemptDeferred(event),
      },
    });
  }

  /** Whether requests can go out now (connected, and logged on when logging on). */
  get ready(): boolean {
    return this.#isReady;
  }

  /** Whether the session is authenticated by `session.logon`. */
  get loggedOn(): boolean {
    return this.#loggedOn;
  }

  get reconnects(): number {
    return this.#connection.reconnects;
  }

  get connectionId(): string {
    return this.#connection.id;
  }

  info(): ConnectionInfo {
    return this.#connection.info([], this.#pending.size);
  }

  /** Opens the connection (idempotent). Requests open it on demand too. */
  start(): void {
    if (this.#closed || this.#started) return;
    this.#started = true;
    this.#connection.start();
  }

  /** Resolves when requests can go out; rejects with a ClosedError if the client closes first. */
  whenReady(): Promise<void> {
    if (this.#closed) return Promise.reject(this.#closedError());
    this.start();
    return this.#ready.promise;
  }

  /**
   * Sends one request and resolves with its `result`, or rejects with the mapped Binance error.
   * A request that could not be sent at all rejects with a NetworkError whose context has
   * `sent: false`: only then is it certain that the venue never saw it.
   */
  async request<T>(
    method: string,
    params: BinanceParams = {},
    options: WsApiRequestOptions,
  ): Promise<WsApiResult<T>> {
    if (this.#closed) throw this.#closedError();
    const kind = options.kind ?? 'read';
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    const signal = options.signal;
    const account = options.account ?? this.#options.account;
    if (signal?.aborted) throw notSent(method, signal);
    try {
      const admission: GovernedRequest = {
        weight: options.weight,
        kind,
        ...(options.priority === 'background' ? { priority: 'background' } : {}),
        ...(account === undefined ? {} : { account }),
        ...(signal === undefined ? {} : { signal }),
      };
      await this.#options.gate.acquire(admission);
    } catch (error) {
      if (signal?.aborted) throw notSent(method, signal);
      throw error;
    }
    await this.#awaitReady(method, timeoutMs, signal);
    if (signal?.aborted) throw notSent(method, signal);
    try {
      return await this.#signAndSend<T>(method, params, options, timeoutMs, account);
    } catch (error) {
      // The venue refused the timestamp (nothing was done): measure its clock again, as the REST
      // client does, so that later requests are signed right; send a read again at once.
      const venueClock = this.#options.venueClock;
      if (!(error instanceof ClockSkewError) || !options.signed || !venueClock) throw error;
      await venueClock.resync().catch(() => undefined);
      if (!(options.retryOnClockSkew ?? kind === 'read') || this.#closed || signal?.aborted) throw error;
      this.#logger.info(
        'timestamp outside recvWindow; resynchronised the clock and sending the request again',
        {
          method,
        },
      );
      return await this.#signAndSend<T>(method, params, options, timeoutMs, account);
    }
  }

  async #signAndSend<T>(
    method: string,
    params: BinanceParams,
    options: WsApiRequestOptions,
    timeoutMs: number,
    account: string | undefined,
  ): Promise<WsApiResult<T>> {
    let timestamp: number | undefined;
    let sendParams: Record<string, BinanceParamValue> | undefined;
    if (options.signed) {
      timestamp = Math.round(this.#venueNow());
      sendParams = this.#sign(
        params,
        timestamp,
        options.signer ?? this.#options.signer,
        options.recvWindowMs ?? this.#recvWindowMs,
      );
      options.onSent?.(timestamp);
    } else {
      sendParams = compact(params);
    }
    const frame = await this.#send(method, sendParams, timeoutMs, options.weight, account, options.onResult);
    return {
      result: frame.result as T,
      status: frame.status,
      ...(timestamp === undefined ? {} : { timestamp }),
    };
  }

  /** Closes for good: requests in flight fail with a ClosedError. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#isReady = false;
    this.#ready.reject(this.#closedError());
    // These went out: closing does not tell whether the venue acted on them.
    this.#failPending((method) => this.#closedError().withContext({ operation: method, sent: true }));
    await this.#connection.close(1000, 'client closed');
  }

  // -------------------------------------------------------------------------

  #venueNow(): number {
    return this.#options.venueClock ? this.#options.venueClock.now() : this.#clock.now();
  }

  #sign(
    params: BinanceParams,
    timestamp: number,
    signer: BinanceSigner | undefined,
    recvWindowMs: number,
  ): Record<string, BinanceParamValue> {
    if (!signer)
      throw new ClosedError({ message: 'this WebSocket API client has no credentials to sign with' });
    const base = { ...params, recvWindow: recvWindowMs, timestamp };
    // A logged-on session authenticates requests; they carry only their timestamp.
    if (this.#loggedOn) return compact(base);
    return signWsApiParams(signer, { ...base, apiKey: signer.apiKey() });
  }

  async #awaitReady(method: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    this.start();
    if (this.#isReady) return;
    // A connection that cannot be opened before the request's timeout (the attempt budget is
    // spent) fails the request now, naming the budget, rather than at the timeout.
    const deadline = this.#clock.now() + timeoutMs;
    const budgetUntil = this.#connection.attemptBudgetUntil;
    if (budgetUntil !== undefined && budgetUntil > deadline) throw this.#budgetError(method, budgetUntil);
    let timer: ReturnType<Clock['setTimeout']> | undefined;
    let onAbort: (() => void) | undefined;
    let onBudget: ((until: number) => void) | undefined;
    const budget = new Promise<never>((_, reject) => {
      onBudget = (until) => {
        if (until > deadline) reject(this.#budgetError(method, until));
      };
      this.#budgetListeners.add(onBudget);
    });
    const aborted = new Promise<never>((_, reject) => {
      if (!signal) return;
      onAbort = () => reject(notSent(method, signal));
      signal.addEventListener('abort', onAbort, { once: true });
    });
    const timeout = new Promise<never>((_, reject) => {
      timer = this.#clock.setTimeout(() => {
        // A refused logon (bad key, wrong key type) is the reason, not the connection.
        const refused = this.#logonError;
        if (isVenuekitError(refused) && refused.category === 'authentication') {
          reject(refused);
          return;
        }
        reject(
          new NetworkError({
            message: `${method}: the WebSocket API connection did not open within ${timeoutMs} ms; nothing was sent`,
            context: { exchange: this.#exchange, operation: method, sent: false },
          }),
        );
      }, timeoutMs);
    });
    // Nobody may be waiting when it rejects.
    aborted.catch(() => undefined);
    budget.catch(() => undefined);
    try {
      await Promise.race([this.#ready.promise, timeout, aborted, budget]);
    } finally {
      this.#clock.clearTimeout(timer);
      if (onAbort) signal?.removeEventListener('abort', onAbort);
      if (onBudget) this.#budgetListeners.delete(onBudget);
    }
  }

  #budgetError(method: string, until: number): VenuekitError {
    const budget = this.#options.attemptBudget;
    const retryAfterMs = Math.max(1, until - this.#clock.now());
    const context = { exchange: this.#exchange, operation: method, connectionId: this.#connection.id };
    if (budget) return budget.exhaustedError(retryAfterMs, context);
    return new NetworkError({
      message: `${method}: the WebSocket API connection cannot be opened for ${retryAfterMs} ms; nothing was sent`,
      context: { ...context, sent: false },
    });
  }

  #onAttemptDeferred(event: AttemptDeferredEvent): void {
    const until = this.#clock.now() + event.retryInMs;
    for (const listener of [...this.#budgetListeners]) listener(until);
    try {
      this.#options.handlers?.waiting?.({
        retryInMs: event.retryInMs,
        reason: this.#options.attemptBudget?.describe() ?? 'connection attempt budget spent',
      });
    } catch (error) {
      this.#logger.errorWithException('waiting handler threw', error);
    }
  }

  #send(
    method: string,
    params: Record<string, BinanceParamValue> | undefined,
    timeoutMs: number,
    weight: number,
    account: string | undefined = this.#options.account,
    onResult?: (result: unknown) => void,
  ): Promise<WsApiResponseFrame> {
    const id = this.#nextId++;
    const text = JSON.stringify(
      params && Object.keys(params).length > 0 ? { id, method, params } : { id, method },
    );
    return new Promise<WsApiResponseFrame>((resolve, reject) => {
      const startedAt = this.#clock.now();
      const timer = this.#clock.setTimeout(() => {
        if (!this.#pending.delete(id)) return;
        const error = new TimeoutError({
          message: `${method}: no answer within ${timeoutMs} ms`,
          context: { exchange: this.#exchange, operation: method },
        });
        this.#rejected(method, startedAt, undefined, undefined, error);
        reject(error);
      }, timeoutMs);
      this.#pending.set(id, { method, startedAt, weight, account, onResult, resolve, reject, timer });
      if (!this.#connection.send(text)) {
        this.#pending.delete(id);
        this.#clock.clearTimeout(timer);
        reject(
          new NetworkError({
            message: `${method}: the WebSocket API connection is not open; nothing was sent`,
            context: { exchange: this.#exchange, operation: method, sent: false },
          }),
        );
      }
    });
  }

  #onMessage(text: string, receivedAt: number): void {
    let frame: WsApiResponseFrame | WsApiEventFrame;
    try {
      frame = JSON.parse(text) as WsApiResponseFrame | WsApiEventFrame;
    } catch {
      this.#discard('unparsable frame');
      return;
    }
    if (typeof frame !== 'object' || frame === null) {
      this.#discard('unexpected frame');
      return;
    }
    if ('event' in frame && frame.event && typeof frame.event === 'object') {
      if (this.#options.userId !== undefined && telemetry.rawMessage.hasSubscribers) {
        // A connection of one account names its user here; a shared one leaves it to its router.
        telemetry.rawMessage.publish({
          exchange: this.#exchange,
          connectionId: this.#connection.id,
          kind: 'user',
          ...(this.#options.userId === undefined ? {} : { userId: this.#options.userId }),
          payload: text,
          receivedAt,
        });
      }
      try {
        this.#options.handlers?.event?.(frame, receivedAt, text);
      } catch (error) {
        this.#logger.errorWithException('user data handler threw', error);
      }
      return;
    }
    const response = frame as WsApiResponseFrame;
    if (typeof response.id === 'number') {
      const pending = this.#pending.get(response.id);
      if (pending) {
        this.#pending.delete(response.id);
        this.#clock.clearTimeout(pending.timer);
        this.#settle(pending, response);
        return;
      }
    }
    if (response.id === null && response.status === 401 && response.error) {
      const error = mapBinanceError({
        status: 401,
        code: response.error.code,
        msg: response.error.msg,
        context: { operation: 'session' },
      });
      this.#logger.error('the venue revoked the API key of this WebSocket API session', {
        code: response.error.code,
      });
      this.#options.handlers?.revoked?.(error);
      return;
    }
    this.#discard('answer to no pending request');
  }

  #settle(pending: Pending, frame: WsApiResponseFrame): void {
    const error = frame.error;
    const retryAfterAt = error?.data?.retryAfter;
    const serverTime = error?.data?.serverTime ?? this.#venueNow();
    const retryAfterMs =
      typeof retryAfterAt === 'number' ? Math.max(0, retryAfterAt - serverTime) : undefined;
    const headers = frame.rateLimits ? headersFromRateLimits(frame.rateLimits) : {};
    if (retryAfterMs !== undefined) headers['retry-after'] = String(Math.ceil(retryAfterMs / 1000));
    try {
      this.#options.gate.observe({
        status: frame.status,
        headers,
        ...(pending.account === undefined ? {} : { account: pending.account }),
        ...(error ? { code: error.code, message: error.msg } : {}),
        ...(frame.status === 418 && typeof retryAfterAt === 'number' ? { bannedUntil: retryAfterAt } : {}),
      });
    } catch (observeError) {
      this.#logger.errorWithException('request gate observe failed', observeError);
    }
    if (frame.status === 200 && !error) {
      if (telemetry.requestResolved.hasSubscribers) {
        telemetry.requestResolved.publish({
          exchange: this.#exchange,
          transport: 'websocket',
          method: 'WS',
          path: pending.method,
          status: frame.status,
          weight: pending.weight,
          durationMs: this.#clock.now() - pending.startedAt,
        });
      }
      if (pending.onResult) {
        try {
          pending.onResult(frame.result);
        } catch (error) {
          this.#logger.errorWithException('WebSocket API result handler threw', error);
        }
      }
      pending.resolve(frame);
      return;
    }
    const mapped = mapBinanceError({
      status: frame.status,
      ...(error ? { code: error.code, msg: error.msg } : {}),
      body: JSON.stringify(error ?? {}).slice(0, 2000),
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      context: { operation: pending.method },
    });
    this.#rejected(pending.method, pending.startedAt, frame.status, error?.code, mapped);
    pending.reject(mapped);
  }

  #onOpen(reconnected: boolean): void {
    if (this.#closed) return;
    if (!this.#logon || !this.#options.signer) {
      this.#becomeReady(reconnected);
      return;
    }
    // Log on before anything else goes out; requests wait for it. The logon's weight (2) passes the
    // shared rate governor like any request, ahead of background work; it is signed once admitted,
    // so its timestamp is fresh, and dropped if this connection closed meanwhile.
    const signer = this.#options.signer;
    const opened = ++this.#opened;
    const account = this.#options.account;
    this.#options.gate
      .acquire({ weight: 2, kind: 'read', ...(account === undefined ? {} : { account }) })
      .then(
        () => {
          if (this.#closed || opened !== this.#opened) return;
          this.#logOn(signer, reconnected);
        },
        (error: unknown) => {
          if (this.#closed || opened !== this.#opened) return;
          this.#logonFailed(error);
        },
      );
  }

  #logOn(signer: BinanceSigner, reconnected: boolean): void {
    const timestamp = Math.round(this.#venueNow());
    const params = signWsApiParams(signer, {
      apiKey: signer.apiKey(),
      recvWindow: this.#recvWindowMs,
      timestamp,
    });
    this.#send('session.logon', params, this.#timeoutMs, 2).then(
      (frame) => {
        const status = frame.result as WsApiSessionStatus | undefined;
        this.#loggedOn = true;
        this.#logonError = undefined;
        this.#logger.info('WebSocket API session logged on', {
          authorizedSince: status?.authorizedSince ?? null,
        });
        this.#becomeReady(reconnected);
      },
      (error: unknown) => this.#logonFailed(error),
    );
  }

  #logonFailed(error: unknown): void {
    this.#logonError = error;
    this.#logger.error('session.logon failed; recycling the WebSocket API connection', {
      error: error instanceof Error ? error.message : String(error),
    });
    this.#connection.recycle('session.logon failed');
  }

  #becomeReady(reconnected: boolean): void {
    this.#isReady = true;
    this.#ready.resolve();
    try {
      this.#options.handlers?.ready?.({ reconnected });
    } catch (error) {
      this.#logger.errorWithException('ready handler threw', error);
    }
  }

  #onClose(reason: string, willReconnect: boolean): void {
    this.#opened++; // a logon still waiting at the governor is for this connection: dropped
    const wasReady = this.#isReady;
    this.#isReady = false;
    this.#loggedOn = false;
    if (wasReady) this.#ready = deferred();
    if (!willReconnect) this.#ready.reject(this.#closedError());
    this.#failPending(
      (method) =>
        new NetworkError({
          message: `${method}: the WebSocket API connection closed before the answer (${reason}); the outcome is unknown`,
          context: { exchange: this.#exchange, operation: method },
        }),
    );
    try {
      this.#options.handlers?.disconnected?.({ reason, willReconnect });
    } catch (error) {
      this.#logger.errorWithException('disconnected handler threw', error);
    }
  }

  #failPending(makeError: (method: string) => VenuekitError): void {
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const entry of pending) {
      this.#clock.clearTimeout(entry.timer);
      const error = makeError(entry.method);
      this.#rejected(entry.method, entry.startedAt, undefined, undefined, error);
      entry.reject(error);
    }
  }

  #rejected(
    method: string,
    startedAt: number,
    status: number | undefined,
    venueCode: number | undefined,
    error: VenuekitError,
  ): void {
    if (!telemetry.requestRejected.hasSubscribers) return;
    telemetry.requestRejected.publish({
      exchange: this.#exchange,
      transport: 'websocket',
      method: 'WS',
      path: method,
      ...(status === undefined ? {} : { status }),
      ...(venueCode === undefined ? {} : { venueCode }),
      durationMs: this.#clock.now() - startedAt,
      errorCode: error.code,
    });
  }

  #discard(reason: string): void {
    if (telemetry.messageDiscarded.hasSubscribers) {
      telemetry.messageDiscarded.publish({
        exchange: this.#exchange,
        connectionId: this.#connection.id,
        reason,
      });
    }
  }

  #closedError(): ClosedError {
    return new ClosedError({
      message: 'the WebSocket API client was closed',
      context: { exchange: this.#exchange, connectionId: this.#connection.id },
    });
  }
}

/** A request its owner gave up on (the account closed) before it was sent. */
function notSent(method: string, signal: AbortSignal): VenuekitError {
  const reason: unknown = signal.reason;
  return new ClosedError({
    message: `${method}: not sent, ${isVenuekitError(reason) ? reason.message : 'the request was aborted'}`,
    context: { operation: method, sent: false },
  });
}

function compact(params: BinanceParams): Record<string, BinanceParamValue> {
  const out: Record<string, BinanceParamValue> = {};
  for (const key in params) {
    const value = params[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}
