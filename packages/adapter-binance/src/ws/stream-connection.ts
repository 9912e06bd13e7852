import {
  type Clock,
  type ConnectionInfo,
  type Logger,
  type TimerHandle,
  telemetry,
  ValidationError,
  type VenuekitError,
} from '@venuekit/core';
import type { BinanceStreamsConfig } from '../config';
import { type ConnectionAttemptBudget, WsConnection, type WsReconnectEvent } from './connection';
import type { WireControlError } from './wire';

/** How a subscription came to be confirmed, so the stream can tell its subscribers (or stay silent). */
export type SubscribeMode = 'new' | 'resubscribe' | 'moved';

/** The receiving end of one venue stream (one per stream name, shared by connections during a rotation). */
export interface StreamSink {
  /** The stream's canonical key (`MarketDataStreamClient.streamKey`), carried by raw frame telemetry. */
  readonly key?: string;
  /** The `data` of a combined-stream frame. The hot path. `source` tells connections apart. */
  data(payload: unknown, receivedAt: number, source: number): void;
  /**
   * A faster hot path, for sinks that can read their payload from the frame's text: `text` is a
   * combined-stream frame of this stream whose payload starts at `at` and is followed by the
   * frame's closing `}`, which ends the text. True if the sink took the frame; false if it did
   * nothing, and the frame is then parsed and handed to `data`.
   */
  dataText?(text: string, at: number, receivedAt: number, source: number): boolean;
  /** Binance confirmed the stream on `connectionId`. */
  subscribed(connectionId: string, mode: SubscribeMode): void;
  /** Binance refused the stream; it is no longer subscribed anywhere. */
  rejected(error: VenuekitError): void;
  /** The connection carrying the stream dropped; it will be resubscribed. */
  interrupted(reason: string): void;
  reconnecting(event: WsReconnectEvent): void;
  circuitOpen(retryInMs: number): void;
}

export interface StreamConnectionEvents {
  serverShutdown(connection: BinanceStreamConnection): void;
  lifetimeReached(connection: BinanceStreamConnection): void;
  /** A retiring connection dropped before its replacement took over. */
  retiredEarly(connection: BinanceStreamConnection, reason: string): void;
}

export interface StreamConnectionOptions {
  /** Full url of the combined endpoint, e.g. `wss://stream.binance.com:9443/stream`. */
  readonly url: string;
  readonly serial: number;
  readonly config: BinanceStreamsConfig;
  readonly events: StreamConnectionEvents;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly attemptBudget: ConnectionAttemptBudget;
  readonly exchange?: string;
}

type EntryState = 'pending' | 'subscribing' | 'active';

interface Entry {
  readonly sink: StreamSink;
  state: EntryState;
  mode: SubscribeMode;
  requestId: number;
}

interface ControlRequest {
  readonly method: 'SUBSCRIBE' | 'UNSUBSCRIBE';
  readonly names: readonly string[];
  readonly sentAt: number;
}

// Margin on Binance's one-second window: messages sent 1 s apart may arrive closer together.
const WINDOW_MARGIN_MS = 100;

/**
 * One combined-stream connection (`/stream`) and the streams it carries: live
 * SUBSCRIBE/UNSUBSCRIBE batched into as few messages as the budget allows
 * (never more than `maxControlMessagesPerSecond`, pings and pongs included),
 * every request id tracked until Binance answers (an unanswered one recycles
 * the connection), a rejected batch split until the refused stream is found,
 * and everything resubscribed after a reconnect.
 */
export class BinanceStreamConnection {
  readonly serial: number;
  readonly ws: WsConnection;
  /** Set when a replacement is taking over; a retiring connection never reconnects. */
  retiring = false;
  readonly #config: BinanceStreamsConfig;
  readonly #events: StreamConnectionEvents;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #exchange: string;
  readonly #entries = new Map<string, Entry>();
  /** The routing table for frames: streams we want data of. */
  readonly #sinks = new Map<string, StreamSink>();
  // For sinks that read text (dataText): how their frames start, `{"stream":"<name>","data":`,
  // built once when the stream is added (routing switches between streams on every frame).
  readonly #prefixes = new Map<string, string>();
  // The last stream a frame was routed to, and its sink. Frames of one stream come in runs; comparing
  // a frame's stream name with the last one is cheaper than hashing the fresh string for the map.
  // Forgotten whenever the table changes.
  #lastStream = '';
  #lastSink: StreamSink | undefined;
  // When the last sink reads text (dataText): its frame prefix (see #prefixes).
  #lastPrefix = '';
  readonly #toSubscribe = new Set<string>();
  readonly #toUnsubscribe = new Set<string>();
  #retryBatches: string[][] = [];
  readonly #requests = new Map<number, ControlRequest>();
  readonly #unsubscribeWaiters = new Map<string, (() => void)[]>();
  readonly #settledWaiters: (() => void)[] = [];
  #nextId = 1;
  #flushTimer: TimerHandle | undefined;
  #flushAt = Number.POSITIVE_INFINITY;
  #requestTimer: TimerHandle | undefined;
  #closed = false;

  constructor(options: StreamConnectionOptions) {
    this.serial = options.serial;
    this.#config = options.config;
    this.#events = options.events;
    this.#clock = options.clock;
    this.#exchange = options.exchange ?? 'binance';
    const config = options.config;
    this.ws = new WsConnection({
      url: options.url,
      kind: 'market',
      exchange: this.#exchange,
      id: `${this.#exchange}-market-${options.serial}`,
      clock: options.clock,
      logger: options.logger,
      connectTimeoutMs: config.connectTimeoutMs,
      silenceTimeoutMs: config.silenceTimeoutMs,
      pingIntervalMs: config.pingIntervalMs,
      pongTimeoutMs: config.pongTimeoutMs,
      maxLifetimeMs: config.maxLifetimeMs,
      backoff: { initialMs: config.reconnect.initialDelayMs, maxMs: config.reconnect.maxDelayMs },
      circuit: {
        failureThreshold: config.reconnect.circuitFailureThreshold,
        openMs: config.reconnect.circuitOpenMs,
      },
      outgoingLimit: {
        messages: config.maxControlMessagesPerSecond,
        intervalMs: 1_000 + WINDOW_MARGIN_MS,
        reserve: 1,
      },
      attemptBudget: options.attemptBudget,
      handlers: {
        message: (text, receivedAt) => this.#onMessage(text, receivedAt),
        open: () => this.#onOpen(),
        close: ({ willReconnect, reason }) => this.#onClose(willReconnect, reason),
        reconnecting: (event) => {
          if (this.retiring) return;
          for (const entry of this.#entries.values()) entry.sink.reconnecting(event);
        },
        circuitOpen: ({ retryInMs }) => {
          if (this.retiring) return;
          for (const entry of this.#entries.values()) entry.sink.circuitOpen(retryInMs);
        },
        lifetimeReached: () => this.#events.lifetimeReached(this),
      },
    });
    this.#logger = options.logger.child({ connectionId: this.ws.id });
  }

  get id(): string {
    return this.ws.id;
  }

  /** Streams assigned here (what counts against the 1024 limit). */
  get size(): number {
    return this.#entries.size;
  }

  has(name: string): boolean {
    return this.#entries.has(name);
  }

  streams(): string[] {
    return [...this.#entries.keys()];
  }

  sinks(): [string, StreamSink][] {
    return [...this.#entries].map(([name, entry]) => [name, entry.sink]);
  }

  /** Control requests waiting to be sent or answered. */
  get pendingControl(): number {
    return (
      this.#toSubscribe.size + this.#toUnsubscribe.size + this.#retryBatches.length + this.#requests.size
    );
  }

  /** Whether every stream here is confirmed (or was refused and dropped). */
  get settled(): boolean {
    for (const entry of this.#entries.values()) if (entry.state !== 'active') return false;
    return true;
  }

  info(): ConnectionInfo {
    return this.ws.info(this.streams(), this.pendingControl);
  }

  start(): void {
    this.ws.start();
  }

  /** Resolves once every stream here is confirmed, or the connection is closed. */
  whenSettled(): Promise<void> {
    if (this.#closed || this.settled) return Promise.resolve();
    return new Promise((resolve) => this.#settledWaiters.push(resolve));
  }

  add(name: string, sink: StreamSink, mode: SubscribeMode): void {
    if (this.#closed) return;
    if (this.#entries.size >= this.#config.maxStreamsPerConnection && !this.#entries.has(name)) {
      throw new ValidationError('INVALID_PARAMETER', {
        field: 'streams',
        rule: `at most ${this.#config.maxStreamsPerConnection} streams per connection`,
      });
    }
    this.#entries.set(name, { sink, state: 'pending', mode, requestId: 0 });
    this.#sinks.set(name, sink);
    if (sink.dataText !== undefined) this.#prefixes.set(name, `{"stream":${JSON.stringify(name)},"data":`);
    this.#forgetLastSink();
    this.#toSubscribe.add(name);
    this.#scheduleFlush(0);
  }

  /** Stops routing the stream here; resolves when Binance confirmed the UNSUBSCRIBE (or nothing was subscribed). */
  remove(name: string): Promise<void> {
    const entry = this.#entries.get(name);
    if (!entry) return Promise.resolve();
    this.#entries.delete(name);
    this.#sinks.delete(name);
    this.#prefixes.delete(name);
    this.#forgetLastSink();
    const neverSent = this.#toSubscribe.delete(name) && entry.state === 'pending';
    if (neverSent || !this.ws.isOpen || this.#closed) {
      this.#checkSettled();
      return Promise.resolve();
    }
    this.#toUnsubscribe.add(name);
    this.#scheduleFlush(0);
    this.#checkSettled();
    return new Promise((resolve) => {
      const waiters = this.#unsubscribeWaiters.get(name);
      if (waiters) waiters.push(resolve);
      else this.#unsubscribeWaiters.set(name, [resolve]);
    });
  }

  /** Marks streams not yet confirmed here as interrupted (their previous connection died early). */
  interruptUnconfirmed(reason: string): void {
    for (const entry of this.#entries.values()) {
      if (entry.state === 'active') continue;
      if (entry.mode === 'moved') entry.mode = 'resubscribe';
      entry.sink.interrupted(reason);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) {
      await this.ws.close();
      return;
    }
    this.#closed = true;
    this.#clock.clearTimeout(this.#flushTimer);
    this.#clock.clearTimeout(this.#requestTimer);
    this.#flushTimer = this.#requestTimer = undefined;
    this.#sinks.clear();
    this.#prefixes.clear();
    this.#forgetLastSink();
    this.#entries.clear();
    this.#toSubscribe.clear();
    this.#toUnsubscribe.clear();
    this.#retryBatches = [];
    this.#requests.clear();
    this.#resolveUnsubscribes();
    for (const resolve of this.#settledWaiters.splice(0)) resolve();
    await this.ws.close(1000, this.retiring ? 'rotated' : 'no streams left');
  }

  // -------------------------------------------------------------------------
  // Frames

  #onMessage(text: string, receivedAt: number): void {
    // Another frame of the stream routed last, to a sink that reads the payload from the text: no
    // JSON.parse unless it declines. (Not while the raw tap listens: it is given each frame once.)
    const last = this.#lastSink;
    if (
      last?.dataText !== undefined &&
      text.startsWith(this.#lastPrefix) &&
      !telemetry.rawMessage.hasSubscribers &&
      last.dataText(text, this.#lastPrefix.length, receivedAt, this.serial)
    ) {
      return;
    }
    let message: { stream?: string; data?: unknown; id?: unknown; e?: string };
    try {
      message = JSON.parse(text);
    } catch {
      this.#discard('malformed JSON frame');
      return;
    }
    if (message === null || typeof message !== 'object') {
      this.#discard('frame is not an object');
      return;
    }
    const stream = message.stream;
    if (stream !== undefined) {
      let sink: StreamSink | undefined;
      if (stream === this.#lastStream) {
        sink = this.#lastSink;
      } else {
        sink = this.#sinks.get(stream);
        if (sink !== undefined) {
          this.#lastStream = stream;
          this.#lastSink = sink;
          this.#lastPrefix = this.#prefixes.get(stream) ?? '';
        }
      }
      if (sink !== undefined) {
        if (telemetry.rawMessage.hasSubscribers) this.#tap(stream, sink, text, receivedAt);
        sink.data(message.data, receivedAt, this.serial);
        return;
      }
      const data = message.data as { e?: unknown } | undefined;
      if (stream === '!serverShutdown' || data?.e === 'serverShutdown') {
        this.#logger.info('serverShutdown received: rotating');
        this.#events.serverShutdown(this);
        return;
      }
      this.#discard(`data for a stream not subscribed here: ${stream}`);
      return;
    }
    if (message.e === 'serverShutdown') {
      this.#logger.info('serverShutdown received: rotating');
      this.#events.serverShutdown(this);
      return;
    }
    if ('id' in message || 'error' in message || 'code' in message) {
      this.#onControl(message as WireControlError & { result?: unknown });
      return;
    }
    this.#discard('unexpected frame');
  }

  #forgetLastSink(): void {
    this.#lastStream = '';
    this.#lastSink = undefined;
    this.#lastPrefix = '';
  }

  /** The raw tap: the frame as received, for recorders. Built only while someone listens. */
  #tap(stream: string, sink: StreamSink, text: string, receivedAt: number): void {
    telemetry.rawMessage.publish({
      exchange: this.#exchange,
      connectionId: this.id,
      kind: 'market',
      stream,
      ...(sink.key === undefined ? {} : { streamKey: sink.key }),
      payload: text,
      receivedAt,
    });
  }

  #discard(reason: string): void {
    if (telemetry.messageDiscarded.hasSubscribers) {
      telemetry.messageDiscarded.publish({ exchange: this.#exchange, connectionId: this.id, reason });
    }
  }

  #onControl(message: WireControlError & { result?: unknown }): void {
    const id = typeof message.id === 'number' ? message.id : Number(message.id);
    const request = Number.isFinite(id) ? this.#requests.get(id) : undefined;
    const error =
      message.error ??
      (typeof message.code === 'number' ? { code: message.code, msg: message.msg ?? '' } : undefined);
    if (!request) {
      if (error) this.#logger.warn('unattributed control error', { code: error.code, msg: error.msg });
      return;
    }
    this.#requests.delete(id);
    this.#armRequestTimer();
    if (request.method === 'UNSUBSCRIBE') {
      if (error)
        this.#logger.warn('UNSUBSCRIBE refused', {
          code: error.code,
          msg: error.msg,
          streams: request.names.length,
        });
      for (const name of request.names) this.#resolveUnsubscribe(name);
      return;
    }
    if (!error) {
      const confirmed: string[] = [];
      for (const name of request.names) {
        const entry = this.#entries.get(name);
        if (!entry || entry.requestId !== id || entry.state !== 'subscribing') continue;
        entry.state = 'active';
        confirmed.push(name);
        entry.sink.subscribed(this.id, entry.mode);
      }
      if (confirmed.length > 0 && telemetry.subscriptionConfirmed.hasSubscribers) {
        telemetry.subscriptionConfirmed.publish({
          exchange: this.#exchange,
          connectionId: this.id,
          streams: confirmed,
        });
      }
      this.#checkSettled();
      return;
    }
    // Refused. Binance answers for the whole message, so split it until the refused stream is alone.
    const live = request.names.filter((name) => this.#entries.get(name)?.requestId === id);
    if (live.length > 1) {
      const half = Math.ceil(live.length / 2);
      for (const name of live) (this.#entries.get(name) as Entry).state = 'pending';
      this.#retryBatches.push(live.slice(0, half), live.slice(half));
      this.#scheduleFlush(0);
      return;
    }
    for (const name of live) {
      const entry = this.#entries.get(name) as Entry;
      this.#entries.delete(name);
      this.#sinks.delete(name);
      this.#prefixes.delete(name);
      this.#forgetLastSink();
      const rejection = new ValidationError('STREAM_REJECTED', {
        field: 'stream',
        rule: 'must be a stream Binance offers',
        message: `Binance refused the stream ${name}: ${error.msg} (code ${error.code})`,
        context: { exchange: this.#exchange, stream: name, connectionId: this.id },
        venue: { code: error.code, message: error.msg },
      });
      if (telemetry.subscriptionFailed.hasSubscribers) {
        telemetry.subscriptionFailed.publish({
          exchange: this.#exchange,
          connectionId: this.id,
          streams: [name],
          error: { code: rejection.code, message: rejection.message },
        });
      }
      this.#logger.warn('stream refused', { stream: name, code: error.code, msg: error.msg });
      entry.sink.rejected(rejection);
    }
    this.#checkSettled();
  }

  // -------------------------------------------------------------------------
  // Connection life

  #onOpen(): void {
    this.#requests.clear();
    this.#retryBatches = [];
    this.#toUnsubscribe.clear();
    this.#resolveUnsubscribes();
    for (const [name, entry] of this.#entries) {
      entry.state = 'pending';
      entry.requestId = 0;
      this.#toSubscribe.add(name);
    }
    this.#scheduleFlush(0);
  }

  #onClose(willReconnect: boolean, reason: string): void {
    this.#clock.clearTimeout(this.#requestTimer);
    this.#requestTimer = undefined;
    this.#requests.clear();
    this.#retryBatches = [];
    this.#toUnsubscribe.clear();
    this.#resolveUnsubscribes();
    if (this.#closed || !willReconnect) return;
    if (this.retiring) {
      // Its replacement carries the streams now; never reconnect this one.
      this.#events.retiredEarly(this, reason);
      void this.close();
      return;
    }
    for (const entry of this.#entries.values()) {
      if (entry.state !== 'pending') {
        entry.mode = 'resubscribe';
        entry.sink.interrupted(reason);
      }
      entry.state = 'pending';
      entry.requestId = 0;
    }
  }

  // -------------------------------------------------------------------------
  // Control messages

  #scheduleFlush(delayMs: number): void {
    if (this.#closed) return;
    const at = this.#clock.now() + delayMs;
    if (this.#flushTimer !== undefined && this.#flushAt <= at) return;
    this.#clock.clearTimeout(this.#flushTimer);
    this.#flushAt = at;
    // Deferred even at 0 ms, so a burst of subscribe() calls becomes one message.
    this.#flushTimer = this.#clock.setTimeout(() => {
      this.#flushTimer = undefined;
      this.#flushAt = Number.POSITIVE_INFINITY;
      this.#flush();
    }, delayMs);
  }

  #flush(): void {
    if (this.#closed || !this.ws.isOpen) return;
    const max = this.#config.maxStreamsPerMessage;
    // Unsubscribes first: Binance counts streams per connection, so free slots before taking new ones.
    while (this.#toUnsubscribe.size > 0) {
      const names = take(this.#toUnsubscribe, max);
      if (!this.#send('UNSUBSCRIBE', names)) {
        for (const name of names) this.#toUnsubscribe.add(name);
        this.#retryFlushLater();
        return;
      }
    }
    while (this.#retryBatches.length > 0) {
      const batch = (this.#retryBatches[0] as string[]).filter(
        (name) => this.#entries.get(name)?.state === 'pending',
      );
      if (batch.length === 0) {
        this.#retryBatches.shift();
        continue;
      }
      if (!this.#send('SUBSCRIBE', batch)) {
        this.#retryFlushLater();
        return;
      }
      this.#retryBatches.shift();
    }
    while (this.#toSubscribe.size > 0) {
      const names = take(this.#toSubscribe, max).filter(
        (name) => this.#entries.get(name)?.state === 'pending',
      );
      if (names.length === 0) continue;
      if (!this.#send('SUBSCRIBE', names)) {
        for (const name of names) this.#toSubscribe.add(name);
        this.#retryFlushLater();
        return;
      }
    }
  }

  #retryFlushLater(): void {
    const delay = this.ws.sendDelayMs();
    if (Number.isFinite(delay)) this.#scheduleFlush(Math.max(1, delay));
  }

  #send(method: 'SUBSCRIBE' | 'UNSUBSCRIBE', names: readonly string[]): boolean {
    const id = this.#nextId++;
    if (!this.ws.trySend(JSON.stringify({ method, params: names, id }))) return false;
    this.#requests.set(id, { method, names, sentAt: this.#clock.now() });
    if (method === 'SUBSCRIBE') {
      for (const name of names) {
        const entry = this.#entries.get(name) as Entry;
        entry.state = 'subscribing';
        entry.requestId = id;
      }
    }
    this.#armRequestTimer();
    return true;
  }

  #armRequestTimer(): void {
    if (this.#requestTimer !== undefined) return;
    let oldest = Number.POSITIVE_INFINITY;
    for (const request of this.#requests.values()) oldest = Math.min(oldest, request.sentAt);
    if (oldest === Number.POSITIVE_INFINITY) return;
    const timeout = this.#config.requestTimeoutMs;
    this.#requestTimer = this.#clock.setTimeout(
      () => {
        this.#requestTimer = undefined;
        const now = this.#clock.now();
        for (const [id, request] of this.#requests) {
          if (now - request.sentAt >= timeout) {
            this.ws.recycle(`no reply to ${request.method} ${id} within ${timeout} ms`);
            return;
          }
        }
        this.#armRequestTimer();
      },
      Math.max(0, oldest + timeout - this.#clock.now()),
    );
  }

  #resolveUnsubscribe(name: string): void {
    const waiters = this.#unsubscribeWaiters.get(name);
    if (!waiters) return;
    this.#unsubscribeWaiters.delete(name);
    for (const resolve of waiters) resolve();
  }

  #resolveUnsubscribes(): void {
    const all = [...this.#unsubscribeWaiters.values()];
    this.#unsubscribeWaiters.clear();
    for (const waiters of all) for (const resolve of waiters) resolve();
  }

  #checkSettled(): void {
    if (this.#settledWaiters.length === 0 || !this.settled) return;
    for (const resolve of this.#settledWaiters.splice(0)) resolve();
  }
}

function take(set: Set<string>, max: number): string[] {
  const out: string[] = [];
  for (const name of set) {
    if (out.length >= max) break;
    out.push(name);
  }
  for (const name of out) set.delete(name);
  return out;
}
