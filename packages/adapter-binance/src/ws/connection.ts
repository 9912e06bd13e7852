import {
  type BackoffOptions,
  CircuitBreaker,
  type CircuitState,
  type Clock,
  ClosedError,
  type ConnectionInfo,
  type ConnectionKind,
  type ConnectionState,
  type ErrorContext,
  ExponentialBackoff,
  type Logger,
  RateLimitError,
  runWithoutContext,
  silentLogger,
  systemClock,
  type TimerHandle,
  telemetry,
  ValidationError,
} from '@venuekit/core';
import WebSocket from 'ws';
import { redactUrl } from '../urls';

/**
 * One WebSocket to a venue that stays up by itself: bounded, backed-off
 * reconnects behind a circuit breaker, liveness checks, rotation before the
 * venue's maximum connection age, and an outgoing message budget. It never
 * emits 'error' and never rejects a promise nobody asked for.
 *
 * Used by the market-stream connections and by the WebSocket API client. The
 * owner receives text frames through `handlers.message` (the hot path: called
 * once per frame with the frame's text and its receive time) and decides what
 * to resend after a reconnect (`handlers.open` with `reconnected: true`).
 *
 * ```ts
 * const connection = new WsConnection({
 *   url: 'wss://stream.binance.com:9443/stream',
 *   kind: 'market',
 *   handlers: {
 *     message: (text) => route(JSON.parse(text)),
 *     open: ({ reconnected }) => { if (reconnected) resubscribeEverything(); },
 *   },
 * });
 * connection.start();
 * await connection.whenOpen();
 * connection.trySend('{"method":"SUBSCRIBE","params":["btcusdt@trade"],"id":1}');
 * await connection.close();
 * ```
 *
 * Liveness: every frame (data, ping, pong) counts as a sign of life. After
 * `pingIntervalMs` without one we send a ping; if no frame arrives within
 * `pongTimeoutMs` of it, or none at all for `silenceTimeoutMs`, the socket is
 * recycled (terminated and reopened). Server pings are answered at once with
 * their payload. Nothing is done per message beyond storing the receive time.
 */
export interface WsConnectionOptions {
  /** The url to open; a function is called before each attempt (e.g. to pick up a new url). */
  readonly url: string | (() => string);
  readonly kind: ConnectionKind;
  readonly handlers: WsConnectionHandlers;
  /** Default `binance`. */
  readonly exchange?: string;
  /** Default `<exchange>-<kind>-<n>`. */
  readonly id?: string;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Handshake deadline of one attempt. Default 10 000 ms. */
  readonly connectTimeoutMs?: number;
  /** Recycle after this long without any frame; 0 disables. Default 30 000 ms. */
  readonly silenceTimeoutMs?: number;
  /** Ping after this long without any frame; 0 disables. Default 10 000 ms. */
  readonly pingIntervalMs?: number;
  /** Recycle when our ping gets no frame back within this. Default 10 000 ms. */
  readonly pongTimeoutMs?: number;
  /**
   * Age at which `handlers.lifetimeReached` is called (the owner opens a
   * replacement and then closes this one); without that handler the socket is
   * recycled. 0 disables. Default 0.
   */
  readonly maxLifetimeMs?: number;
  /** How long a clean close may take before the socket is terminated. Default 2 000 ms. */
  readonly closeTimeoutMs?: number;
  /** A connection that stayed open this long counts as a success (resets backoff, closes the circuit). Default 5 000 ms. */
  readonly stableAfterMs?: number;
  /** Reconnect after an unexpected close. Default true. */
  readonly reconnect?: boolean;
  /** Reconnect delays. Default 250 ms doubling to 30 000 ms, equal jitter. */
  readonly backoff?: BackoffOptions;
  /** Consecutive failed attempts that open the circuit, and how long it stays open. Default 8 and 30 000 ms. */
  readonly circuit?: { readonly failureThreshold?: number; readonly openMs?: number };
  /** How long to stay away after the venue refuses the handshake with 429 or 418. Default 60 000 ms. */
  readonly refusedRetryMs?: number;
  /**
   * Every frame we send (messages, pings, pongs) counts against this budget.
   * `reserve` slots are kept for answering server pings, which cannot wait.
   * Unlimited when omitted.
   */
  readonly outgoingLimit?: OutgoingLimit;
  /** Shared across the connections to one host: bounds connection attempts per window. */
  readonly attemptBudget?: ConnectionAttemptBudget;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface OutgoingLimit {
  readonly messages: number;
  readonly intervalMs: number;
  readonly reserve?: number;
}

export interface WsOpenEvent {
  /** False on the first open, true after every reconnect. */
  readonly reconnected: boolean;
}

export interface WsCloseEvent {
  readonly code: number;
  readonly reason: string;
  readonly initiatedBy: 'client' | 'server';
  /** Whether a reconnect is scheduled. */
  readonly willReconnect: boolean;
  /** How long the socket was open (0 if it never opened). */
  readonly durationMs: number;
}

export interface WsReconnectEvent {
  readonly attempt: number;
  readonly delayMs: number;
  readonly reason: string;
}

export interface WsConnectionHandlers {
  /** Each text frame with its receive time (clock ms). Exceptions are caught and logged. */
  message(text: string, receivedAt: number): void;
  open?(event: WsOpenEvent): void;
  close?(event: WsCloseEvent): void;
  reconnecting?(event: WsReconnectEvent): void;
  circuitOpen?(event: { readonly retryInMs: number }): void;
  /**
   * An attempt to connect was put off because the shared connection attempt budget is spent; the
   * next one is made in `retryInMs`. Also announced as `reconnecting`, with the budget as reason.
   */
  attemptDeferred?(event: AttemptDeferredEvent): void;
  /** `maxLifetimeMs` was reached; the socket stays open until the owner closes it. */
  lifetimeReached?(): void;
}

export interface AttemptDeferredEvent {
  readonly retryInMs: number;
  /** The budget: `limit` attempts per `windowMs`. */
  readonly limit: number;
  readonly windowMs: number;
}

export type WsConnectionState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closing' | 'closed';

let nextConnectionNumber = 1;

/**
 * Bounds connection attempts to one host (Binance: 300 per 5 minutes per IP,
 * streams and WebSocket API alike). Share one instance between connections.
 */
export class ConnectionAttemptBudget {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #attempts: number[] = [];

  constructor(limit = 300, windowMs = 300_000) {
    this.#limit = limit;
    this.#windowMs = windowMs;
  }

  /** Attempts allowed per window. */
  get limit(): number {
    return this.#limit;
  }

  get windowMs(): number {
    return this.#windowMs;
  }

  /** Why an attempt waits, for logs and statuses: names the budget. */
  describe(): string {
    const attempts = this.#limit === 1 ? 'attempt' : 'attempts';
    return `connection attempt budget spent (${this.#limit} ${attempts} per ${formatMs(this.#windowMs)} per IP)`;
  }

  /**
   * The typed error for a caller that cannot wait `retryAfterMs` for the budget: nothing was sent,
   * and the context names the budget.
   */
  exhaustedError(retryAfterMs: number, context: ErrorContext = {}): RateLimitError {
    return new RateLimitError({
      code: 'CONNECTION_ATTEMPTS_EXHAUSTED',
      message: `${context.operation === undefined ? '' : `${context.operation}: `}no connection can be opened for ${formatMs(retryAfterMs)}: ${this.describe()}; nothing was sent`,
      retryAfterMs,
      context: { ...context, attemptLimit: this.#limit, attemptWindowMs: this.#windowMs, sent: false },
    });
  }

  /** Records an attempt and returns 0 if one is allowed at `now`; otherwise the ms to wait (nothing recorded). */
  reserve(now: number): number {
    const attempts = this.#attempts;
    while (attempts.length > 0 && (attempts[0] as number) <= now - this.#windowMs) attempts.shift();
    if (attempts.length < this.#limit) {
      attempts.push(now);
      return 0;
    }
    return (attempts[0] as number) + this.#windowMs - now;
  }

  /** Attempts inside the current window. */
  get used(): number {
    return this.#attempts.length;
  }
}

/** A sliding window of the times frames were sent. */
class SendWindow {
  readonly #times: number[] = [];
  readonly #capacity: number;
  readonly #intervalMs: number;

  constructor(capacity: number, intervalMs: number) {
    this.#capacity = capacity;
    this.#intervalMs = intervalMs;
  }

  #prune(now: number): void {
    const times = this.#times;
    while (times.length > 0 && (times[0] as number) <= now - this.#intervalMs) times.shift();
  }

  /** Free slots at `now`, minus `reserve`. */
  free(now: number, reserve: number): number {
    this.#prune(now);
    return this.#capacity - reserve - this.#times.length;
  }

  record(now: number): void {
    this.#times.push(now);
  }

  /** Ms until one more slot (beyond `reserve`) frees up; 0 if one is free now. */
  waitMs(now: number, reserve: number): number {
    this.#prune(now);
    const over = this.#times.length - (this.#capacity - reserve - 1);
    if (over <= 0) return 0;
    return Math.max(1, (this.#times[over - 1] as number) + this.#intervalMs - now + 1);
  }

  clear(): void {
    this.#times.length = 0;
  }
}

const UNEXPECTED_RESPONSE = /Unexpected server response: (\d+)/;

export class WsConnection {
  readonly id: string;
  readonly kind: ConnectionKind;
  readonly exchange: string;
  readonly #options: WsConnectionOptions;
  readonly #handlers: WsConnectionHandlers;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #backoff: ExponentialBackoff;
  readonly #circuit: CircuitBreaker;
  readonly #window: SendWindow | undefined;
  readonly #reserve: number;
  readonly #connectTimeoutMs: number;
  readonly #silenceTimeoutMs: number;
  readonly #pingIntervalMs: number;
  readonly #pongTimeoutMs: number;
  readonly #maxLifetimeMs: number;
  readonly #closeTimeoutMs: number;
  readonly #stableAfterMs: number;
  readonly #reconnect: boolean;
  readonly #refusedRetryMs: number;

  #state: WsConnectionState = 'idle';
  #ws: WebSocket | undefined;
  #url = '';
  #opens = 0;
  #reconnects = 0;
  #attempts = 0;
  #messages = 0;
  #openedAt: number | undefined;
  #lastFrameAt = 0;
  #lastMessageAt: number | undefined;
  // The clock is read once per run of frames: the frames of one socket read are handed over in one
  // synchronous run, and share the time it arrived. A microtask after the run, it is forgotten.
  #runTime: number | undefined;
  readonly #endRun = (): void => {
    this.#runTime = undefined;
  };
  #pingSentAt: number | undefined;
  #lifetimeSignalled = false;
  #recycleReason: string | undefined;
  #lastError: string | undefined;
  /** While an attempt waits for the attempt budget: when it will be made (clock ms). */
  #budgetUntil: number | undefined;
  #queue: string[] = [];

  #connectTimer: TimerHandle | undefined;
  #reconnectTimer: TimerHandle | undefined;
  #watchdogTimer: TimerHandle | undefined;
  #flushTimer: TimerHandle | undefined;
  #closeTimer: TimerHandle | undefined;
  #openWaiters: { resolve: () => void; reject: (error: ClosedError) => void }[] = [];
  #closeWaiters: (() => void)[] = [];

  constructor(options: WsConnectionOptions) {
    this.#options = options;
    this.#handlers = options.handlers;
    this.kind = options.kind;
    this.exchange = options.exchange ?? 'binance';
    this.id = options.id ?? `${this.exchange}-${options.kind}-${nextConnectionNumber++}`;
    this.#clock = options.clock ?? systemClock;
    this.#logger = (options.logger ?? silentLogger).child({ connectionId: this.id });
    this.#connectTimeoutMs = positive(options.connectTimeoutMs, 10_000, 'connectTimeoutMs');
    this.#silenceTimeoutMs = nonNegative(options.silenceTimeoutMs, 30_000, 'silenceTimeoutMs');
    this.#pingIntervalMs = nonNegative(options.pingIntervalMs, 10_000, 'pingIntervalMs');
    this.#pongTimeoutMs = positive(options.pongTimeoutMs, 10_000, 'pongTimeoutMs');
    this.#maxLifetimeMs = nonNegative(options.maxLifetimeMs, 0, 'maxLifetimeMs');
    this.#closeTimeoutMs = positive(options.closeTimeoutMs, 2_000, 'closeTimeoutMs');
    this.#stableAfterMs = nonNegative(options.stableAfterMs, 5_000, 'stableAfterMs');
    this.#reconnect = options.reconnect ?? true;
    this.#refusedRetryMs = nonNegative(options.refusedRetryMs, 60_000, 'refusedRetryMs');
    this.#backoff = new ExponentialBackoff({ initialMs: 250, maxMs: 30_000, ...options.backoff });
    this.#circuit = new CircuitBreaker({
      clock: this.#clock,
      failureThreshold: options.circuit?.failureThreshold ?? 8,
      openMs: options.circuit?.openMs ?? 30_000,
      onStateChange: (state) => {
        if (telemetry.circuitState.hasSubscribers) {
          telemetry.circuitState.publish({ exchange: this.exchange, connectionId: this.id, state });
        }
        this.#logger.info('circuit breaker changed state', { state });
      },
    });
    if (options.outgoingLimit) {
      const { messages, intervalMs, reserve = 0 } = options.outgoingLimit;
      if (!Number.isInteger(messages) || messages < 1 || !(intervalMs > 0)) {
        throw new ValidationError('INVALID_PARAMETER', {
          field: 'outgoingLimit',
          rule: 'needs messages >= 1 and intervalMs > 0',
        });
      }
      if (!Number.isInteger(reserve) || reserve < 0 || reserve >= messages) {
        throw new ValidationError('INVALID_PARAMETER', {
          field: 'outgoingLimit.reserve',
          rule: 'must be an integer from 0 to messages - 1',
        });
      }
      this.#window = new SendWindow(messages, intervalMs);
      this.#reserve = reserve;
    } else {
      this.#window = undefined;
      this.#reserve = 0;
    }
    if (typeof options.url === 'string') checkWsUrl(options.url);
  }

  get state(): WsConnectionState {
    return this.#state;
  }

  get isOpen(): boolean {
    return this.#state === 'open';
  }

  get circuitState(): CircuitState {
    return this.#circuit.state;
  }

  /** Successful opens after the first. */
  get reconnects(): number {
    return this.#reconnects;
  }

  get messagesReceived(): number {
    return this.#messages;
  }

  /** When the current socket opened (clock ms), if it is open. */
  get connectedAt(): number | undefined {
    return this.#openedAt;
  }

  /** Time of the last data frame (not counting pings/pongs). */
  get lastMessageAt(): number | undefined {
    return this.#lastMessageAt;
  }

  /** While the next attempt waits for the shared attempt budget: when it will be made (clock ms). */
  get attemptBudgetUntil(): number | undefined {
    return this.#budgetUntil;
  }

  /** The last connection failure, for diagnostics. */
  get lastError(): string | undefined {
    return this.#lastError;
  }

  /** Frames waiting for the outgoing budget. */
  get queuedMessages(): number {
    return this.#queue.length;
  }

  /** The connection's health, in core's shape (the owner fills in `streams`). */
  info(streams: readonly string[] = [], queuedMessages = 0): ConnectionInfo {
    return {
      id: this.id,
      exchange: this.exchange,
      kind: this.kind,
      url: redactUrl(this.#url || this.#currentUrl()),
      state: publicState(this.#state),
      circuitState: this.#circuit.state,
      streams,
      queuedMessages: this.#queue.length + queuedMessages,
      ...(this.#openedAt === undefined ? {} : { connectedAt: this.#openedAt }),
      ...(this.#lastMessageAt === undefined ? {} : { lastMessageAt: this.#lastMessageAt }),
      ...(this.#budgetUntil === undefined ? {} : { attemptBudgetUntil: this.#budgetUntil }),
      reconnects: this.#reconnects,
      messagesReceived: this.#messages,
    };
  }

  /** Starts connecting. Calling it again does nothing. */
  start(): void {
    if (this.#state !== 'idle') return;
    this.#connect();
  }

  /**
   * Resolves when the socket is (next) open; rejects with a ClosedError if the
   * connection is closed first. Only call it when you will await it.
   */
  whenOpen(): Promise<void> {
    if (this.#state === 'open') return Promise.resolve();
    if (this.#state === 'closed' || this.#state === 'closing') {
      return Promise.reject(this.#closedError());
    }
    return new Promise((resolve, reject) => this.#openWaiters.push({ resolve, reject }));
  }

  /**
   * Sends now if the socket is open and the outgoing budget has a free slot;
   * returns false otherwise (nothing is queued).
   */
  trySend(text: string): boolean {
    const ws = this.#ws;
    if (this.#state !== 'open' || ws === undefined || this.#queue.length > 0) return false;
    const window = this.#window;
    if (window) {
      const now = this.#clock.now();
      if (window.free(now, this.#reserve) <= 0) return false;
      window.record(now);
    }
    ws.send(text);
    return true;
  }

  /**
   * Sends when the budget allows, in order. Returns false (and drops the frame)
   * when the socket is not open: frames are never replayed on a new socket.
   */
  send(text: string): boolean {
    if (this.#state !== 'open' || this.#ws === undefined) return false;
    if (this.#queue.length === 0 && this.trySend(text)) return true;
    this.#queue.push(text);
    this.#scheduleFlush();
    return true;
  }

  /** Ms until `trySend` can succeed (0 = now); Infinity when the socket is not open. */
  sendDelayMs(): number {
    if (this.#state !== 'open') return Number.POSITIVE_INFINITY;
    if (!this.#window) return 0;
    return this.#window.waitMs(this.#clock.now(), this.#reserve);
  }

  /** Drops the current socket and reconnects at once (e.g. a request went unanswered). */
  recycle(reason: string): void {
    const ws = this.#ws;
    if (!ws || this.#state === 'closing' || this.#state === 'closed') return;
    this.#recycleReason = reason;
    this.#logger.warn('recycling connection', { reason });
    ws.terminate();
  }

  /** Closes for good; resolves when the socket is gone and every timer is cleared. */
  close(code = 1000, reason = 'client closed'): Promise<void> {
    if (this.#state === 'closed') return Promise.resolve();
    const done = new Promise<void>((resolve) => this.#closeWaiters.push(resolve));
    if (this.#state === 'closing') return done;
    this.#state = 'closing';
    this.#clearTimers();
    this.#queue = [];
    const waiters = this.#openWaiters.splice(0);
    for (const waiter of waiters) waiter.reject(this.#closedError());
    const ws = this.#ws;
    if (!ws) {
      this.#finishClose();
      return done;
    }
    if (ws.readyState === WebSocket.OPEN) {
      try {
        ws.close(code, reason);
      } catch {
        ws.terminate();
      }
      this.#closeTimer = this.#clock.setTimeout(() => ws.terminate(), this.#closeTimeoutMs);
    } else {
      ws.terminate();
    }
    return done;
  }

  // -------------------------------------------------------------------------

  #closedError(): ClosedError {
    return new ClosedError({
      message: `connection ${this.id} was closed`,
      context: { exchange: this.exchange, connectionId: this.id },
    });
  }

  #currentUrl(): string {
    const url = this.#options.url;
    return typeof url === 'string' ? url : url();
  }

  #connect(): void {
    // A connection outlives the call that opened it and serves whoever subscribes after: its
    // socket, handlers and timers carry no caller's log context (that caller's user or request id
    // would mark every later line); its own logger says whose it is.
    runWithoutContext(() => this.#open());
  }

  #open(): void {
    if (this.#state === 'closing' || this.#state === 'closed') return;
    this.#reconnectTimer = undefined;
    if (!this.#circuit.canAttempt()) {
      const retryInMs = this.#circuit.retryInMs;
      this.#handlers.circuitOpen?.({ retryInMs });
      this.#schedule(retryInMs, 'circuit open', false);
      return;
    }
    const budget = this.#options.attemptBudget;
    const now = this.#clock.now();
    const wait = budget?.reserve(now) ?? 0;
    if (budget && wait > 0) {
      // Never silent: the wait is announced (`reconnecting` with the budget as reason, telemetry),
      // shown in info(), and callers waiting for this connection are told (attemptDeferred).
      this.#budgetUntil = now + wait;
      this.#logger.warn('connection attempt put off: the attempt budget is spent', {
        retryInMs: wait,
        limit: budget.limit,
        windowMs: budget.windowMs,
      });
      this.#schedule(wait, budget.describe(), true);
      if (this.#state !== 'reconnecting') return; // a handler closed us
      try {
        this.#handlers.attemptDeferred?.({ retryInMs: wait, limit: budget.limit, windowMs: budget.windowMs });
      } catch (error) {
        this.#logger.errorWithException('attemptDeferred handler threw', error);
      }
      return;
    }
    this.#budgetUntil = undefined;
    this.#state = 'connecting';
    this.#attempts++;
    let ws: WebSocket;
    try {
      this.#url = this.#currentUrl();
      checkWsUrl(this.#url);
      ws = new WebSocket(this.#url, {
        autoPong: false,
        followRedirects: false,
        perMessageDeflate: false,
        skipUTF8Validation: true,
        ...(this.#options.headers ? { headers: { ...this.#options.headers } } : {}),
      });
    } catch (error) {
      this.#lastError = error instanceof Error ? error.message : String(error);
      this.#afterFailure(this.#lastError);
      return;
    }
    this.#ws = ws;
    this.#connectTimer = this.#clock.setTimeout(() => {
      this.#connectTimer = undefined;
      if (this.#ws === ws && ws.readyState === WebSocket.CONNECTING) {
        this.#recycleReason = `no handshake within ${this.#connectTimeoutMs} ms`;
        ws.terminate();
      }
    }, this.#connectTimeoutMs);
    ws.on('open', () => this.#onOpen(ws));
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (this.#ws !== ws) return;
      let now = this.#runTime;
      if (now === undefined) {
        now = this.#clock.now();
        this.#runTime = now;
        queueMicrotask(this.#endRun);
      }
      this.#lastFrameAt = now;
      this.#lastMessageAt = now;
      this.#pingSentAt = undefined;
      this.#messages++;
      if (isBinary) return;
      try {
        this.#handlers.message(data.toString(), now);
      } catch (error) {
        this.#logger.errorWithException('message handler threw', error);
      }
    });
    ws.on('ping', (payload: Buffer) => {
      if (this.#ws !== ws) return;
      this.#lastFrameAt = this.#clock.now();
      this.#pingSentAt = undefined;
      // Pongs cannot wait: they may use the reserved slots.
      this.#window?.record(this.#lastFrameAt);
      try {
        ws.pong(payload);
      } catch {
        // the socket is closing; 'close' follows
      }
    });
    ws.on('pong', () => {
      if (this.#ws !== ws) return;
      this.#lastFrameAt = this.#clock.now();
      this.#pingSentAt = undefined;
    });
    ws.on('error', (error: Error) => {
      this.#lastError = error.message;
      if (this.#ws === ws) this.#logger.debug('socket error', { error: error.message });
    });
    ws.on('close', (code: number, reason: Buffer) => this.#onClose(ws, code, reason.toString()));
  }

  #onOpen(ws: WebSocket): void {
    if (this.#ws !== ws) return;
    if (this.#state === 'closing') return;
    this.#clock.clearTimeout(this.#connectTimer);
    this.#connectTimer = undefined;
    const now = this.#clock.now();
    const reconnected = this.#opens > 0;
    this.#opens++;
    if (reconnected) this.#reconnects++;
    this.#state = 'open';
    this.#openedAt = now;
    this.#lastFrameAt = now;
    this.#pingSentAt = undefined;
    this.#lifetimeSignalled = false;
    this.#recycleReason = undefined;
    this.#lastError = undefined;
    this.#window?.clear();
    if (telemetry.connectionStarted.hasSubscribers) {
      telemetry.connectionStarted.publish({
        exchange: this.exchange,
        connectionId: this.id,
        kind: this.kind,
        url: redactUrl(this.#url),
      });
    }
    this.#logger.info(reconnected ? 'connection reopened' : 'connection opened', {
      url: redactUrl(this.#url),
      attempt: this.#attempts,
    });
    this.#armWatchdog();
    const waiters = this.#openWaiters.splice(0);
    for (const waiter of waiters) waiter.resolve();
    try {
      this.#handlers.open?.({ reconnected });
    } catch (error) {
      this.#logger.errorWithException('open handler threw', error);
    }
  }

  #onClose(ws: WebSocket, code: number, reason: string): void {
    if (this.#ws !== ws) return;
    this.#ws = undefined;
    this.#clock.clearTimeout(this.#connectTimer);
    this.#clock.clearTimeout(this.#watchdogTimer);
    this.#clock.clearTimeout(this.#flushTimer);
    this.#clock.clearTimeout(this.#closeTimer);
    this.#connectTimer = this.#watchdogTimer = this.#flushTimer = this.#closeTimer = undefined;
    this.#queue = [];
    const now = this.#clock.now();
    const openedAt = this.#openedAt;
    const durationMs = openedAt === undefined ? 0 : now - openedAt;
    this.#openedAt = undefined;
    const closing = this.#state === 'closing';
    const recycleReason = this.#recycleReason;
    this.#recycleReason = undefined;
    const initiatedBy: 'client' | 'server' = closing || recycleReason !== undefined ? 'client' : 'server';
    const why = recycleReason ?? (reason || this.#lastError || `closed with code ${code}`);
    if (openedAt !== undefined && telemetry.connectionClosed.hasSubscribers) {
      telemetry.connectionClosed.publish({
        exchange: this.exchange,
        connectionId: this.id,
        kind: this.kind,
        code,
        reason: why,
        initiatedBy,
        durationMs,
      });
    }
    if (closing) {
      this.#finishClose({ code, reason: why, initiatedBy, willReconnect: false, durationMs });
      return;
    }
    if (openedAt !== undefined) {
      this.#logger.warn('connection closed', { code, reason: why, initiatedBy, durationMs });
    }
    const willReconnect = this.#reconnect;
    if (openedAt !== undefined && durationMs >= this.#stableAfterMs) {
      this.#circuit.recordSuccess();
      this.#backoff.reset();
    } else {
      this.#circuit.recordFailure();
    }
    try {
      this.#handlers.close?.({ code, reason: why, initiatedBy, willReconnect, durationMs });
    } catch (error) {
      this.#logger.errorWithException('close handler threw', error);
    }
    if (this.#state === 'closing' || this.#state === 'closed') return; // the handler closed us
    if (!willReconnect) {
      this.#finishClose();
      return;
    }
    this.#retry(why, UNEXPECTED_RESPONSE.exec(this.#lastError ?? '')?.[1]);
  }

  #afterFailure(reason: string): void {
    this.#circuit.recordFailure();
    if (!this.#reconnect) {
      this.#finishClose();
      return;
    }
    this.#retry(reason, undefined);
  }

  #retry(reason: string, httpStatus: string | undefined): void {
    let delay = this.#backoff.next();
    // A venue answering the handshake with 429/418 is asking us to stay away for a while.
    if (httpStatus === '429' || httpStatus === '418') delay = Math.max(delay, this.#refusedRetryMs);
    this.#schedule(delay, reason, true);
  }

  #schedule(delayMs: number, reason: string, announce: boolean): void {
    this.#state = 'reconnecting';
    this.#clock.clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = this.#clock.setTimeout(() => this.#connect(), delayMs);
    if (!announce) return;
    const attempt = this.#backoff.attempt;
    if (telemetry.connectionReconnecting.hasSubscribers) {
      telemetry.connectionReconnecting.publish({
        exchange: this.exchange,
        connectionId: this.id,
        kind: this.kind,
        attempt,
        delayMs,
        reason,
      });
    }
    this.#logger.info('reconnect scheduled', { attempt, delayMs, reason });
    try {
      this.#handlers.reconnecting?.({ attempt, delayMs, reason });
    } catch (error) {
      this.#logger.errorWithException('reconnecting handler threw', error);
    }
  }

  #finishClose(event?: WsCloseEvent): void {
    this.#clearTimers();
    this.#budgetUntil = undefined;
    this.#state = 'closed';
    this.#window?.clear();
    const waiters = this.#openWaiters.splice(0);
    for (const waiter of waiters) waiter.reject(this.#closedError());
    if (event) {
      try {
        this.#handlers.close?.(event);
      } catch (error) {
        this.#logger.errorWithException('close handler threw', error);
      }
    }
    for (const resolve of this.#closeWaiters.splice(0)) resolve();
  }

  #clearTimers(): void {
    const clock = this.#clock;
    clock.clearTimeout(this.#connectTimer);
    clock.clearTimeout(this.#reconnectTimer);
    clock.clearTimeout(this.#watchdogTimer);
    clock.clearTimeout(this.#flushTimer);
    this.#connectTimer = this.#reconnectTimer = this.#watchdogTimer = this.#flushTimer = undefined;
    // #closeTimer stays: it terminates a socket that does not finish its close handshake.
  }

  #armWatchdog(): void {
    this.#clock.clearTimeout(this.#watchdogTimer);
    this.#watchdogTimer = undefined;
    if (this.#state !== 'open') return;
    let due = Number.POSITIVE_INFINITY;
    const last = this.#lastFrameAt;
    if (this.#silenceTimeoutMs > 0) due = Math.min(due, last + this.#silenceTimeoutMs);
    if (this.#pingSentAt !== undefined) due = Math.min(due, this.#pingSentAt + this.#pongTimeoutMs);
    else if (this.#pingIntervalMs > 0) due = Math.min(due, last + this.#pingIntervalMs);
    if (this.#maxLifetimeMs > 0 && !this.#lifetimeSignalled && this.#openedAt !== undefined) {
      due = Math.min(due, this.#openedAt + this.#maxLifetimeMs);
    }
    if (due === Number.POSITIVE_INFINITY) return;
    this.#watchdogTimer = this.#clock.setTimeout(
      () => this.#checkLiveness(),
      Math.max(0, due - this.#clock.now()),
    );
  }

  #checkLiveness(): void {
    this.#watchdogTimer = undefined;
    const ws = this.#ws;
    if (this.#state !== 'open' || !ws) return;
    const now = this.#clock.now();
    const silentFor = now - this.#lastFrameAt;
    if (this.#silenceTimeoutMs > 0 && silentFor >= this.#silenceTimeoutMs) {
      this.recycle(`silence: no frame for ${silentFor} ms`);
      return;
    }
    if (this.#pingSentAt !== undefined && now - this.#pingSentAt >= this.#pongTimeoutMs) {
      this.recycle(`no pong within ${this.#pongTimeoutMs} ms`);
      return;
    }
    if (
      this.#maxLifetimeMs > 0 &&
      !this.#lifetimeSignalled &&
      this.#openedAt !== undefined &&
      now - this.#openedAt >= this.#maxLifetimeMs
    ) {
      this.#lifetimeSignalled = true;
      if (this.#handlers.lifetimeReached) {
        try {
          this.#handlers.lifetimeReached();
        } catch (error) {
          this.#logger.errorWithException('lifetime handler threw', error);
        }
      } else {
        this.recycle(`maximum lifetime of ${this.#maxLifetimeMs} ms reached`);
        return;
      }
      if (this.#state !== 'open') return;
    }
    if (this.#pingSentAt === undefined && this.#pingIntervalMs > 0 && silentFor >= this.#pingIntervalMs) {
      if (this.#window && this.#window.free(now, this.#reserve) <= 0) {
        // No budget now: try again shortly rather than exceed the venue's limit.
        this.#clock.clearTimeout(this.#watchdogTimer);
        this.#watchdogTimer = this.#clock.setTimeout(
          () => this.#checkLiveness(),
          this.#window.waitMs(now, this.#reserve),
        );
        return;
      }
      this.#window?.record(now);
      this.#pingSentAt = now;
      try {
        ws.ping();
      } catch {
        // closing; 'close' follows
      }
    }
    this.#armWatchdog();
  }

  #scheduleFlush(): void {
    if (this.#flushTimer !== undefined) return;
    const delay = this.#window ? this.#window.waitMs(this.#clock.now(), this.#reserve) : 0;
    this.#flushTimer = this.#clock.setTimeout(() => {
      this.#flushTimer = undefined;
      this.#flush();
    }, delay);
  }

  #flush(): void {
    const ws = this.#ws;
    if (this.#state !== 'open' || !ws) return;
    while (this.#queue.length > 0) {
      const window = this.#window;
      if (window) {
        const now = this.#clock.now();
        if (window.free(now, this.#reserve) <= 0) break;
        window.record(now);
      }
      ws.send(this.#queue.shift() as string);
    }
    if (this.#queue.length > 0) this.#scheduleFlush();
  }
}

function formatMs(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  return ms >= 1000 ? `${Math.ceil(ms / 1000)} s` : `${Math.ceil(ms)} ms`;
}

function publicState(state: WsConnectionState): ConnectionState {
  return state === 'idle' ? 'connecting' : state;
}

function checkWsUrl(url: string): void {
  let ok = false;
  try {
    const parsed = new URL(url);
    ok = parsed.protocol === 'ws:' || parsed.protocol === 'wss:';
  } catch {
    ok = false;
  }
  if (!ok)
    throw new ValidationError('INVALID_PARAMETER', { field: 'url', rule: 'must be a ws:// or wss:// url' });
}

function positive(value: number | undefined, fallback: number, field: string): number {
  if (value === undefined) return fallback;
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new ValidationError('INVALID_PARAMETER', { field, rule: 'must be a positive number of ms' });
  }
  return value;
}

function nonNegative(value: number | undefined, fallback: number, field: string): number {
  if (value === undefined) return fallback;
  if (!(value >= 0) || !Number.isFinite(value)) {
    throw new ValidationError('INVALID_PARAMETER', { field, rule: 'must be 0 or a positive number of ms' });
  }
  return value;
}
