import {
  type AggTrade,
  type BookTicker,
  type Clock,
  ClosedError,
  type ConnectionInfo,
  KLINE_INTERVALS,
  type Kline,
  type Logger,
  type MarketDataStreamClient,
  type MarketDataSubscription,
  type MiniTicker,
  normalizeSymbol,
  type OrderBookSnapshot,
  type OrderBookUpdate,
  type StreamDataMap,
  type StreamKind,
  type StreamObserver,
  type StreamSpec,
  type StreamSpecOf,
  type StreamStats,
  type StreamStatus,
  silentLogger,
  systemClock,
  type Ticker,
  type TimerHandle,
  type Trade,
  telemetry,
  type UnifiedSymbol,
  ValidationError,
  type VenuekitError,
} from '@venuekit/core';
import type { BinanceConfig } from './config';
import { BinanceBookSync } from './order-book/book-sync';
import {
  DecimalCache,
  EXCHANGE,
  parseAggTrade,
  parseBookTicker,
  parseDepthSnapshot,
  parseKline,
  parseMiniTicker,
  parseRestAggTrade,
  parseRestTrade,
  parseTicker,
  parseTrade,
  type TradeDecimalCaches,
} from './parsing/market-data';
import {
  isWireAggTrade,
  isWireBookTicker,
  isWireDepthHeader,
  isWireKline,
  isWireMiniTicker,
  isWirePartialDepth,
  isWireTicker,
  isWireTrade,
} from './parsing/wire-checks';
import type { BinancePublicApi, SymbolResolver } from './rest/public';
import type { ConnectionAttemptBudget, WsReconnectEvent } from './ws/connection';
import type { StreamSink, SubscribeMode } from './ws/stream-connection';
import { BinanceStreamManager } from './ws/stream-manager';
import type {
  WireAggTrade,
  WireBookTicker,
  WireKline,
  WireMiniTicker,
  WirePartialDepth,
  WireTicker,
  WireTrade,
} from './ws/wire';

export interface BinanceMarketDataOptions {
  readonly config: BinanceConfig;
  /** Depth snapshots and trade backfills. */
  readonly api: BinancePublicApi;
  readonly symbols: SymbolResolver;
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly attemptBudget?: ConnectionAttemptBudget;
}

const KINDS: readonly StreamKind[] = [
  'ticker',
  'miniTicker',
  'bookTicker',
  'trades',
  'aggTrades',
  'klines',
  'depth',
  'orderBook',
];

interface Described {
  readonly key: string;
  readonly stream: string;
  readonly kind: StreamKind;
  readonly symbol: UnifiedSymbol;
  readonly native: string;
}

interface RouteContext {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly config: BinanceConfig;
  readonly api: BinancePublicApi;
  readonly manager: BinanceStreamManager;
  /** The route was refused by the venue: forget it. */
  rejected(route: Route<unknown>): void;
}

interface ReadyWaiter {
  resolve(): void;
  reject(error: VenuekitError): void;
}

/**
 * One venue stream and everyone who watches it. Subclasses turn payloads into
 * core values; this base fans them out, keeps the statistics and turns the
 * connection's events into the subscribers' statuses.
 */
abstract class Route<T> implements StreamSink {
  readonly described: Described;
  protected readonly ctx: RouteContext;
  observers: StreamObserver<T>[] = [];
  readonly subscribedAt: number;
  firstMessageAt: number | undefined;
  lastMessageAt: number | undefined;
  largestGapMs = 0;
  messages = 0;
  reconnects = 0;
  confirmed = false;
  closed = false;
  #waiters: ReadyWaiter[] = [];
  #observerErrors = 0;
  #discards = 0;

  constructor(described: Described, ctx: RouteContext) {
    this.described = described;
    this.ctx = ctx;
    this.subscribedAt = ctx.clock.now();
  }

  abstract data(payload: unknown, receivedAt: number, source: number): void;

  get key(): string {
    return this.described.key;
  }

  get resyncs(): number {
    return 0;
  }

  addObserver(observer: StreamObserver<T>): Promise<void> {
    this.observers = [...this.observers, observer];
    if (this.confirmed) {
      safeStatus(observer, { type: 'subscribed' }, this);
      this.onLateObserver(observer);
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  removeObserver(observer: StreamObserver<T>): void {
    this.observers = this.observers.filter((o) => o !== observer);
  }

  /** A late observer of a confirmed stream (the book route hands it the current book). */
  protected onLateObserver(_observer: StreamObserver<T>): void {}

  protected tick(receivedAt: number): void {
    const last = this.lastMessageAt;
    if (last === undefined) this.firstMessageAt = receivedAt;
    else if (receivedAt - last > this.largestGapMs) this.largestGapMs = receivedAt - last;
    this.lastMessageAt = receivedAt;
    this.messages++;
    if (telemetry.messageReceived.hasSubscribers) {
      telemetry.messageReceived.publish({
        exchange: EXCHANGE,
        connectionId: this.ctx.manager.connectionIdOf(this.described.stream) ?? '',
        stream: this.described.stream,
        receivedAt,
      });
    }
  }

  protected emit(value: T): void {
    const observers = this.observers;
    for (let i = 0; i < observers.length; i++) {
      try {
        (observers[i] as StreamObserver<T>).next(value);
      } catch (error) {
        this.observerFailed(error);
      }
    }
  }

  emitStatus(status: StreamStatus): void {
    for (const observer of this.observers) safeStatus(observer, status, this);
  }

  observerFailed(error: unknown): void {
    // An observer's bug must not stop the stream; log the first few, count the rest.
    if (this.#observerErrors++ < 3) {
      this.ctx.logger.errorWithException('a stream observer threw', error, { stream: this.described.stream });
    }
  }

  protected discard(reason: string): void {
    // Counted on the telemetry channel; the first few logged, so a broken feed shows in the log
    // without flooding it.
    if (this.#discards++ < 3) {
      this.ctx.logger.warn('discarded a malformed stream payload', {
        stream: this.described.stream,
        reason,
        discarded: this.#discards,
      });
    }
    if (telemetry.messageDiscarded.hasSubscribers) {
      telemetry.messageDiscarded.publish({
        exchange: EXCHANGE,
        reason: `${this.described.stream}: ${reason}`,
      });
    }
  }

  subscribed(_connectionId: string, mode: SubscribeMode): void {
    if (this.closed) return;
    if (!this.confirmed) {
      this.confirmed = true;
      this.emitStatus({ type: 'subscribed' });
      for (const waiter of this.#waiters.splice(0)) waiter.resolve();
      return;
    }
    if (mode === 'resubscribe') {
      this.emitStatus({ type: 'resubscribed' });
      this.onResubscribed();
    }
  }

  protected onResubscribed(): void {}

  rejected(error: VenuekitError): void {
    if (this.closed) return;
    for (const waiter of this.#waiters.splice(0)) waiter.reject(error);
    for (const observer of this.observers) {
      try {
        observer.error?.(error);
      } catch (thrown) {
        this.observerFailed(thrown);
      }
    }
    this.ctx.rejected(this as Route<unknown>);
  }

  interrupted(_reason: string): void {
    if (this.closed) return;
    this.reconnects++;
    this.onInterrupted(_reason);
  }

  protected onInterrupted(_reason: string): void {}

  reconnecting(event: WsReconnectEvent): void {
    if (this.closed) return;
    this.emitStatus({
      type: 'reconnecting',
      reason: event.reason,
      attempt: event.attempt,
      delayMs: event.delayMs,
    });
  }

  circuitOpen(retryInMs: number): void {
    if (this.closed) return;
    this.emitStatus({ type: 'circuit_open', retryInMs });
  }

  /** Stops everything this route runs; pending `ready` promises reject with a ClosedError. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const error = new ClosedError({
      message: `stream ${this.described.stream} was closed before Binance confirmed it`,
      context: { exchange: EXCHANGE, stream: this.described.stream },
    });
    for (const waiter of this.#waiters.splice(0)) waiter.reject(error);
    this.observers = [];
    this.onClose();
  }

  protected onClose(): void {}

  stats(): StreamStats {
    const connectionId = this.ctx.manager.connectionIdOf(this.described.stream);
    return {
      key: this.described.key,
      exchange: EXCHANGE,
      symbol: this.described.symbol,
      kind: this.described.kind,
      ...(connectionId === undefined ? {} : { connectionId }),
      subscribers: this.observers.length,
      subscribedAt: this.subscribedAt,
      ...(this.firstMessageAt === undefined ? {} : { firstMessageAt: this.firstMessageAt }),
      ...(this.lastMessageAt === undefined ? {} : { lastMessageAt: this.lastMessageAt }),
      ...(this.firstMessageAt === undefined
        ? {}
        : { timeToFirstMessageMs: this.firstMessageAt - this.subscribedAt }),
      largestGapMs: this.largestGapMs,
      messages: this.messages,
      reconnects: this.reconnects,
      resyncs: this.resyncs,
    };
  }
}

function safeStatus<T>(observer: StreamObserver<T>, status: StreamStatus, route: Route<T>): void {
  try {
    observer.status?.(status);
  } catch (error) {
    route.observerFailed(error);
  }
}

/**
 * Streams whose messages each carry the full current value (tickers, klines,
 * book ticker, partial depth). During a rotation both connections deliver the
 * same messages: an older one is dropped, and so is an equal one from the
 * other connection. A payload is checked (parsing/wire-checks) before its
 * ordering key is read: a broken one is a counted discard, and cannot hold back
 * the real messages after it with a huge event time or update id.
 */
class SnapshotRoute<W, T> extends Route<T> {
  readonly #isValid: (payload: unknown) => payload is W;
  readonly #parse: (w: W, symbol: UnifiedSymbol, receivedAt: number) => T;
  readonly #order: (w: W) => number;
  #lastKey = Number.NEGATIVE_INFINITY;
  #lastSource = 0;

  constructor(
    described: Described,
    ctx: RouteContext,
    isValid: (payload: unknown) => payload is W,
    parse: (w: W, symbol: UnifiedSymbol, receivedAt: number) => T,
    order: (w: W) => number,
  ) {
    super(described, ctx);
    this.#isValid = isValid;
    this.#parse = parse;
    this.#order = order;
  }

  data(payload: unknown, receivedAt: number, source: number): void {
    if (!this.#isValid(payload)) {
      this.discard('malformed payload');
      return;
    }
    const w = payload;
    const key = this.#order(w);
    if (key < this.#lastKey || (key === this.#lastKey && source !== this.#lastSource)) return;
    let value: T;
    try {
      value = this.#parse(w, this.described.symbol, receivedAt);
    } catch {
      this.discard('malformed payload');
      return;
    }
    this.#lastKey = key;
    this.#lastSource = source;
    this.tick(receivedAt);
    this.emit(value);
  }
}

/**
 * Trades and aggregate trades: ids follow one another, so a skipped id is a
 * lost message. Out-of-order ids wait `reorderWindowMs` for the missing ones;
 * after a reconnect (or when the wait runs out) the missing ids are fetched
 * from REST and delivered late, in order, with a `gap` status naming the exact
 * range and whether it was backfilled. Duplicates (rotation overlap) are dropped.
 */
abstract class SequencedRoute<W, T> extends Route<T> {
  #hasLast = false;
  #last = 0;
  #held: W[] = [];
  #timer: TimerHandle | undefined;
  #backfilling = false;
  #resumed = false;
  #abort: AbortController | undefined;

  protected abstract idOf(w: W): number;
  /** Whether a payload has every field the route reads, well formed (see parsing/wire-checks). */
  protected abstract isValid(payload: unknown): payload is W;
  protected abstract parse(w: W): T;
  /** The ids from..to (inclusive) that REST still has, in id order, parsed. */
  protected abstract fetchRange(
    from: number,
    to: number,
    signal: AbortSignal,
  ): Promise<{ id: number; value: T }[]>;

  data(payload: unknown, receivedAt: number, _source: number): void {
    // Checked before its id is taken: a broken frame must not stand in for the real one.
    if (!this.isValid(payload)) {
      this.discard('malformed payload');
      return;
    }
    const w = payload;
    const id = this.idOf(w);
    if (!this.#hasLast || (id === this.#last + 1 && !this.#backfilling)) {
      let value: T;
      try {
        value = this.parse(w);
      } catch {
        this.discard('malformed payload');
        return;
      }
      this.#hasLast = true;
      this.#last = id;
      this.#resumed = false;
      this.tick(receivedAt);
      this.emit(value);
      if (this.#held.length > 0) this.#drain();
      return;
    }
    if (id <= this.#last) return; // duplicate: already delivered
    this.#hold(w, id);
    this.tick(receivedAt);
    if (this.#backfilling) return;
    if (this.#resumed || this.ctx.config.streams.reorderWindowMs === 0 || this.#held.length > 10_000) {
      this.#startBackfill();
    } else if (this.#timer === undefined) {
      this.#timer = this.ctx.clock.setTimeout(() => {
        this.#timer = undefined;
        if (!this.#backfilling && this.#held.length > 0) this.#startBackfill();
      }, this.ctx.config.streams.reorderWindowMs);
    }
  }

  protected override onResubscribed(): void {
    // Nothing else can fill a hole now: the next message tells whether ids were missed.
    this.#resumed = true;
  }

  protected override onClose(): void {
    this.ctx.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#abort?.abort();
    this.#held = [];
  }

  /** Held messages and timers, for leak checks. */
  get pending(): number {
    return this.#held.length + (this.#timer === undefined ? 0 : 1) + (this.#backfilling ? 1 : 0);
  }

  #hold(w: W, id: number): void {
    const held = this.#held;
    let i = held.length;
    while (i > 0 && this.idOf(held[i - 1] as W) > id) i--;
    if (i > 0 && this.idOf(held[i - 1] as W) === id) return;
    held.splice(i, 0, w);
  }

  /** Delivers held messages that now follow on. */
  #drain(): void {
    const held = this.#held;
    while (held.length > 0) {
      const w = held[0] as W;
      const id = this.idOf(w);
      if (id <= this.#last) {
        held.shift();
        continue;
      }
      if (id !== this.#last + 1) break;
      held.shift();
      this.#last = id;
      try {
        this.emit(this.parse(w));
      } catch {
        this.discard('malformed payload');
      }
    }
    if (held.length === 0) {
      this.ctx.clock.clearTimeout(this.#timer);
      this.#timer = undefined;
    } else if (this.#timer === undefined && !this.#backfilling) {
      this.#timer = this.ctx.clock.setTimeout(() => {
        this.#timer = undefined;
        if (!this.#backfilling && this.#held.length > 0) this.#startBackfill();
      }, this.ctx.config.streams.reorderWindowMs);
    }
  }

  #startBackfill(): void {
    const first = this.#held[0];
    if (first === undefined || this.closed) return;
    const from = this.#last + 1;
    const to = this.idOf(first) - 1;
    this.ctx.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#backfilling = true;
    this.#resumed = false;
    this.#backfill(from, to).catch((error: unknown) =>
      this.ctx.logger.errorWithException('trade backfill failed', error, { stream: this.described.stream }),
    );
  }

  async #backfill(from: number, to: number): Promise<void> {
    let recovered: { id: number; value: T }[] = [];
    if (this.ctx.config.streams.backfillTrades) {
      const controller = new AbortController();
      this.#abort = controller;
      try {
        recovered = await this.fetchRange(from, to, controller.signal);
        // REST may lag the stream by a moment: ask once more for a missing tail.
        const lastRecovered = recovered.at(-1)?.id ?? from - 1;
        if (lastRecovered < to && !this.closed) {
          await this.ctx.clock.sleep(250, controller.signal);
          const more = await this.fetchRange(lastRecovered + 1, to, controller.signal);
          recovered = recovered.concat(more);
        }
      } catch (error) {
        if (this.closed) return;
        this.ctx.logger.warn('trade backfill failed', {
          stream: this.described.stream,
          from,
          to,
          error: error instanceof Error ? error.message : String(error),
        });
      } finally {
        this.#abort = undefined;
      }
    }
    if (this.closed) return;
    // Report each missing range exactly: backfilled runs and lost runs.
    let cursor = from;
    let run: { id: number; value: T }[] = [];
    const flushRun = () => {
      if (run.length === 0) return;
      this.#gap((run[0] as { id: number }).id, (run.at(-1) as { id: number }).id, true);
      for (const item of run) this.emit(item.value);
      run = [];
    };
    for (const item of recovered) {
      if (item.id < cursor || item.id > to) continue;
      if (item.id > cursor) {
        flushRun();
        this.#gap(cursor, item.id - 1, false);
      }
      run.push(item);
      cursor = item.id + 1;
    }
    flushRun();
    if (cursor <= to) this.#gap(cursor, to, false);
    this.#last = to;
    this.#backfilling = false;
    this.#drain();
  }

  #gap(fromId: number, toId: number, backfilled: boolean): void {
    const status: StreamStatus = { type: 'gap', fromId: String(fromId), toId: String(toId), backfilled };
    this.emitStatus(status);
    if (telemetry.streamGap.hasSubscribers) {
      telemetry.streamGap.publish({
        exchange: EXCHANGE,
        symbol: this.described.symbol,
        stream: this.described.stream,
        fromId: status.fromId,
        toId: status.toId,
        backfilled,
      });
    }
  }
}

class TradeRoute extends SequencedRoute<WireTrade, Trade> {
  protected isValid(payload: unknown): payload is WireTrade {
    return isWireTrade(payload);
  }

  readonly #cache: TradeDecimalCaches = { price: new DecimalCache(), quantity: new DecimalCache() };

  protected idOf(w: WireTrade): number {
    return w.t;
  }

  protected parse(w: WireTrade): Trade {
    return parseTrade(w, this.described.symbol, this.#cache);
  }

  protected async fetchRange(
    from: number,
    to: number,
    signal: AbortSignal,
  ): Promise<{ id: number; value: Trade }[]> {
    // GET /api/v3/trades has the latest 1000 trades; older ones are beyond a public backfill.
    const trades = await this.ctx.api.getTrades(this.described.native, 1000, signal);
    return trades
      .filter((t) => t.id >= from && t.id <= to)
      .sort((a, b) => a.id - b.id)
      .map((t) => ({ id: t.id, value: parseRestTrade(t, this.described.symbol) }));
  }
}

class AggTradeRoute extends SequencedRoute<WireAggTrade, AggTrade> {
  protected isValid(payload: unknown): payload is WireAggTrade {
    return isWireAggTrade(payload);
  }

  readonly #cache: TradeDecimalCaches = { price: new DecimalCache(), quantity: new DecimalCache() };

  protected idOf(w: WireAggTrade): number {
    return w.a;
  }

  protected parse(w: WireAggTrade): AggTrade {
    return parseAggTrade(w, this.described.symbol, this.#cache);
  }

  protected async fetchRange(
    from: number,
    to: number,
    signal: AbortSignal,
  ): Promise<{ id: number; value: AggTrade }[]> {
    const out: { id: number; value: AggTrade }[] = [];
    let next = from;
    while (next <= to) {
      const page = await this.ctx.api.getAggTrades({
        symbol: this.described.native,
        fromId: next,
        limit: Math.min(1000, to - next + 1),
        signal,
      });
      const inRange = page.filter((t) => t.a >= next && t.a <= to).sort((a, b) => a.a - b.a);
      if (inRange.length === 0) break;
      for (const t of inRange) out.push({ id: t.a, value: parseRestAggTrade(t, this.described.symbol) });
      next = (inRange.at(-1) as WireAggTrade).a + 1;
    }
    return out;
  }
}

/** The full local order book, kept by BinanceBookSync. */
class BookRoute extends Route<OrderBookUpdate> {
  readonly sync: BinanceBookSync;
  // When the diff being handed to the sync arrived (its `accepted` ticks the statistics with it).
  #receivedAt = 0;
  // From a `stale` status to the next `resynced`: the book is being rebuilt (for stats()).
  #staleSince: number | undefined;
  #staleReason = '';

  constructor(described: Described, ctx: RouteContext) {
    super(described, ctx);
    const config = ctx.config.orderBook;
    this.sync = new BinanceBookSync({
      symbol: described.symbol,
      clock: ctx.clock,
      logger: ctx.logger,
      snapshotLimit: config.snapshotLimit,
      maxBuffered: config.maxBufferedUpdates,
      reorderWindowMs: ctx.config.streams.reorderWindowMs,
      resyncInitialDelayMs: config.resyncInitialDelayMs,
      resyncMaxDelayMs: config.resyncMaxDelayMs,
      fetchSnapshot: (limit, signal) => ctx.api.getDepth(described.native, limit, signal),
      listener: {
        update: (update) => this.emit(update),
        status: (status) => {
          if (status.type === 'stale') {
            this.#staleSince = ctx.clock.now();
            this.#staleReason = status.reason;
          } else if (status.type === 'resynced') this.#staleSince = undefined;
          this.emitStatus(status);
        },
        failed: (error) => this.rejected(error),
        accepted: () => this.tick(this.#receivedAt),
        malformed: () => this.discard('malformed depth update'),
      },
    });
  }

  override get resyncs(): number {
    return this.sync.resyncs;
  }

  override stats(): StreamStats {
    const stats = super.stats();
    if (this.#staleSince !== undefined) {
      return { ...stats, sync: 'stale', staleSince: this.#staleSince, staleReason: this.#staleReason };
    }
    return { ...stats, sync: this.sync.snapshots === 0 ? 'syncing' : 'synced' };
  }

  data(payload: unknown, receivedAt: number, _source: number): void {
    // A broken update applied (or its ids taken) would leave a wrong book that says it is in sync.
    // The ids are checked here, the levels by the sync as it applies them (all or nothing): a
    // malformed diff comes back as `malformed`, a discard, and is not counted as a message.
    if (!isWireDepthHeader(payload)) {
      this.discard('malformed depth update');
      return;
    }
    this.#receivedAt = receivedAt;
    this.sync.onDiff(payload);
  }

  /** The frame's text, for a diff that follows on from the synced book (see BinanceBookSync.tryDiffText). */
  dataText(text: string, at: number, receivedAt: number, _source: number): boolean {
    this.#receivedAt = receivedAt;
    return this.sync.tryDiffText(text, at, '}}');
  }

  protected override onLateObserver(observer: StreamObserver<OrderBookUpdate>): void {
    if (this.sync.state !== 'synced') return;
    const book = this.sync.book;
    try {
      observer.next({
        exchange: EXCHANGE,
        symbol: this.described.symbol,
        book,
        updateId: book.updateId,
        timestamp: book.timestamp,
        resynced: true,
      });
    } catch (error) {
      this.observerFailed(error);
    }
  }

  protected override onInterrupted(reason: string): void {
    this.sync.onDisconnect(reason);
  }

  protected override onClose(): void {
    this.sync.close();
  }
}

/**
 * Binance market streams as core's MarketDataStreamClient: every stream type
 * parsed to core values, shared by all subscribers of the same spec, on
 * combined-stream connections managed by BinanceStreamManager.
 *
 * Subscribers never need to handle an exception: the venue refusing a stream
 * arrives as `error` (STREAM_REJECTED) and a rejected `ready`; everything else
 * (reconnects, resyncs, gaps, an open circuit) arrives as `status`.
 */
export class BinanceMarketDataClient implements MarketDataStreamClient {
  readonly #config: BinanceConfig;
  readonly #symbols: SymbolResolver;
  readonly #manager: BinanceStreamManager;
  readonly #routes = new Map<string, Route<unknown>>();
  readonly #ctx: RouteContext;
  readonly #logger: Logger;
  #closed = false;

  constructor(options: BinanceMarketDataOptions) {
    this.#config = options.config;
    this.#symbols = options.symbols;
    const clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? silentLogger;
    this.#manager = new BinanceStreamManager({
      streamsUrl: options.config.urls.streams,
      config: options.config.streams,
      clock,
      logger: this.#logger,
      ...(options.attemptBudget ? { attemptBudget: options.attemptBudget } : {}),
    });
    this.#ctx = {
      clock,
      logger: this.#logger,
      config: options.config,
      api: options.api,
      manager: this.#manager,
      rejected: (route) => {
        if (this.#routes.get(route.described.key) === route) this.#routes.delete(route.described.key);
        route.close();
        this.#manager
          .remove(route.described.stream)
          .catch((error: unknown) =>
            this.#logger.errorWithException('removing a refused stream failed', error),
          );
      },
    };
  }

  /** Rotations so far (lifetime, serverShutdown, closeConnection). */
  get rotations(): number {
    return this.#manager.rotations;
  }

  streamKey(spec: StreamSpec): string {
    return this.#describe(spec).key;
  }

  subscribe<K extends StreamKind>(
    spec: StreamSpecOf<K>,
    observer: StreamObserver<StreamDataMap[K]>,
  ): MarketDataSubscription {
    if (this.#closed) throw new ClosedError({ message: 'the Binance market data client is closed' });
    if (typeof observer !== 'object' || observer === null || typeof observer.next !== 'function') {
      throw new ValidationError('INVALID_PARAMETER', {
        field: 'observer',
        rule: 'must have a next(value) function',
      });
    }
    const described = this.#describe(spec);
    let route = this.#routes.get(described.key) as Route<StreamDataMap[K]> | undefined;
    const created = route === undefined;
    if (!route) {
      route = this.#createRoute(described) as Route<StreamDataMap[K]>;
      this.#routes.set(described.key, route as Route<unknown>);
    }
    const ready = route.addObserver(observer);
    // `ready` is for whoever wants it; a refusal also reaches observer.error, so never leave it unhandled.
    ready.catch(() => {});
    if (created) {
      this.#manager.add(described.stream, route as Route<unknown>);
      if (this.#symbols.listed?.(described.symbol) === undefined) this.#verifySymbol(route as Route<unknown>);
    }
    const owner = route;
    let done: Promise<void> | undefined;
    return {
      key: described.key,
      ready,
      unsubscribe: () => {
        done ??= this.#unsubscribe(owner as Route<unknown>, observer as StreamObserver<unknown>);
        return done;
      },
    };
  }

  connections(): ConnectionInfo[] {
    return this.#manager.connections();
  }

  streamStats(): StreamStats[] {
    return [...this.#routes.values()].map((route) => route.stats());
  }

  /** Moves the connection's streams to a new connection (no gap), then closes it. */
  closeConnection(connectionId: string): Promise<void> {
    return this.#manager.rotate(connectionId, 'closeConnection');
  }

  async close(): Promise<void> {
    this.#closed = true;
    const routes = [...this.#routes.values()];
    this.#routes.clear();
    for (const route of routes) route.close();
    await this.#manager.close();
  }

  /** Held messages, outstanding timers and books being synced: 0 when nothing is subscribed. */
  pendingWork(): number {
    let pending = 0;
    for (const route of this.#routes.values()) {
      if (route instanceof SequencedRoute) pending += route.pending;
      if (route instanceof BookRoute) pending += route.sync.buffered + (route.sync.busy ? 1 : 0);
    }
    return pending;
  }

  // -------------------------------------------------------------------------

  async #unsubscribe(route: Route<unknown>, observer: StreamObserver<unknown>): Promise<void> {
    route.removeObserver(observer);
    if (route.observers.length > 0 || route.closed) return;
    if (this.#routes.get(route.described.key) === route) this.#routes.delete(route.described.key);
    route.close();
    await this.#manager.remove(route.described.stream);
  }

  /**
   * Binance accepts a stream of any symbol and then sends nothing. Once exchangeInfo is known
   * (one cached request), a stream of a market it does not list ends with UNKNOWN_SYMBOL.
   */
  #verifySymbol(route: Route<unknown>): void {
    const { symbol, native } = route.described;
    this.#symbols.unifiedSymbol(native).then(
      (found) => {
        if (found !== undefined || route.closed) return;
        route.rejected(
          new ValidationError('UNKNOWN_SYMBOL', {
            field: 'spec.symbol',
            rule: 'must be a market Binance lists',
            message: `Binance does not list ${symbol}`,
            context: { exchange: EXCHANGE, symbol, stream: route.described.stream },
          }),
        );
      },
      (error: unknown) => {
        // No exchangeInfo now: the stream stays; the check runs again with the next new stream.
        this.#logger.warn('could not check the symbol against exchangeInfo', {
          symbol,
          error: error instanceof Error ? error.message : String(error),
        });
      },
    );
  }

  #createRoute(d: Described): Route<unknown> {
    const ctx = this.#ctx;
    switch (d.kind) {
      case 'trades':
        return new TradeRoute(d, ctx) as Route<unknown>;
      case 'aggTrades':
        return new AggTradeRoute(d, ctx) as Route<unknown>;
      case 'orderBook':
        return new BookRoute(d, ctx) as Route<unknown>;
      case 'ticker':
        return new SnapshotRoute<WireTicker, Ticker>(
          d,
          ctx,
          isWireTicker,
          parseTicker,
          (w) => w.E,
        ) as Route<unknown>;
      case 'miniTicker':
        return new SnapshotRoute<WireMiniTicker, MiniTicker>(
          d,
          ctx,
          isWireMiniTicker,
          parseMiniTicker,
          (w) => w.E,
        ) as Route<unknown>;
      case 'klines':
        return new SnapshotRoute<WireKline, Kline>(
          d,
          ctx,
          isWireKline,
          parseKline,
          (w) => w.E,
        ) as Route<unknown>;
      case 'bookTicker':
        return new SnapshotRoute<WireBookTicker, BookTicker>(
          d,
          ctx,
          isWireBookTicker,
          parseBookTicker,
          (w) => w.u,
        ) as Route<unknown>;
      default:
        return new SnapshotRoute<WirePartialDepth, OrderBookSnapshot>(
          d,
          ctx,
          isWirePartialDepth,
          parseDepthSnapshot,
          (w) => w.lastUpdateId,
        ) as Route<unknown>;
    }
  }

  /** Validates a spec and names its venue stream. Throws ValidationError naming the field. */
  #describe(spec: StreamSpec): Described {
    if (typeof spec !== 'object' || spec === null) {
      throw new ValidationError('INVALID_PARAMETER', { field: 'spec', rule: 'must be a stream spec object' });
    }
    const kind = (spec as { kind?: unknown }).kind;
    if (!KINDS.includes(kind as StreamKind)) {
      throw new ValidationError('INVALID_PARAMETER', {
        field: 'spec.kind',
        rule: `must be one of ${KINDS.join(', ')}`,
      });
    }
    const symbol = normalizeSymbol(spec.symbol, 'spec.symbol');
    if (this.#symbols.listed?.(symbol) === false) {
      // Binance would accept the stream and never send anything: refuse it instead of a silent stream.
      throw new ValidationError('UNKNOWN_SYMBOL', {
        field: 'spec.symbol',
        rule: 'must be a market Binance lists',
        message: `Binance does not list ${symbol}`,
        context: { exchange: EXCHANGE, symbol },
      });
    }
    const native = this.#symbols.nativeSymbol(symbol);
    const s = native.toLowerCase();
    let stream: string;
    switch (spec.kind) {
      case 'ticker':
        stream = `${s}@ticker`;
        break;
      case 'miniTicker':
        stream = `${s}@miniTicker`;
        break;
      case 'bookTicker':
        stream = `${s}@bookTicker`;
        break;
      case 'trades':
        stream = `${s}@trade`;
        break;
      case 'aggTrades':
        stream = `${s}@aggTrade`;
        break;
      case 'klines':
        if (!(KLINE_INTERVALS as readonly string[]).includes(spec.interval)) {
          throw new ValidationError('INVALID_PARAMETER', {
            field: 'spec.interval',
            rule: `must be one of ${KLINE_INTERVALS.join(', ')}`,
          });
        }
        stream = `${s}@kline_${spec.interval}`;
        break;
      case 'depth': {
        if (spec.levels !== 5 && spec.levels !== 10 && spec.levels !== 20) {
          throw new ValidationError('INVALID_PARAMETER', {
            field: 'spec.levels',
            rule: 'must be 5, 10 or 20',
          });
        }
        const speed = checkSpeed(spec.updateSpeedMs, 1000);
        stream = `${s}@depth${spec.levels}${speed === 100 ? '@100ms' : ''}`;
        break;
      }
      default: {
        const speed = checkSpeed((spec as { updateSpeedMs?: unknown }).updateSpeedMs, 100);
        stream = `${s}@depth${speed === 100 ? '@100ms' : ''}`;
        break;
      }
    }
    return { key: `binance:${spec.kind}:${stream}`, stream, kind: spec.kind, symbol, native };
  }
}

function checkSpeed(value: unknown, fallback: 100 | 1000): 100 | 1000 {
  if (value === undefined) return fallback;
  if (value !== 100 && value !== 1000) {
    throw new ValidationError('INVALID_PARAMETER', {
      field: 'spec.updateSpeedMs',
      rule: 'must be 100 or 1000',
    });
  }
  return value;
}
