import {
  type AggTrade,
  type BookTicker,
  type Clock,
  ClosedError,
  type ConnectionInfo,
  type ExchangeId,
  type Kline,
  KLINE_INTERVALS,
  type Logger,
  type MarketDataSubscription,
  type MarketDataStreamClient,
  type MiniTicker,
  OrderBook,
  type OrderBookSnapshot,
  type RawLevel,
  type StreamDataMap,
  type StreamKind,
  type StreamObserver,
  type StreamSpec,
  type StreamSpecOf,
  type StreamStats,
  type StreamStatus,
  type Ticker,
  type TimerHandle,
  type Trade,
  ValidationError,
  type VenuekitError,
} from '@venuekit/core';
import type { ExchangeEngine } from '../engine/engine';
import type { DepthLevel, DepthSnapshot, KlineRecord, SymbolInfo, TickerStats } from '../engine/types';
import { type SymbolMap, toVenueError } from './mapping';

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

type AnyObserver = StreamObserver<unknown>;

interface Stream {
  readonly key: string;
  readonly spec: StreamSpec;
  readonly info: SymbolInfo;
  readonly unified: string;
  readonly observers: Set<AnyObserver>;
  detach: () => void;
  /** Values waiting for the next delivery (real-time kinds). */
  readonly pending: unknown[];
  /** Snapshot kinds: recompute once at the next delivery. */
  dirty: boolean;
  scheduled: boolean;
  book: OrderBook | undefined;
  resynced: boolean;
  lastKlineOpen: number | undefined;
  /** Klines: fires when the open candle closes, so its closing update is sent without waiting for a trade. */
  closeTimer: TimerHandle | undefined;
  readonly subscribedAt: number;
  firstMessageAt: number | undefined;
  lastMessageAt: number | undefined;
  largestGapMs: number;
  messages: number;
  reconnects: number;
  resyncs: number;
}

/**
 * Market data streams straight from the engine's events: every StreamSpec kind,
 * delivered asynchronously (a microtask after the engine changed), as a venue's
 * messages would be. Real-time kinds (trades, aggTrades, bookTicker) deliver
 * every event; snapshot kinds (ticker, miniTicker, klines, depth, orderBook)
 * deliver the latest state once per burst of changes. `updateSpeedMs` is
 * accepted and ignored: updates come as they happen.
 */
export class InMemoryMarketDataClient implements MarketDataStreamClient {
  readonly #exchange: ExchangeId;
  readonly #engine: ExchangeEngine;
  readonly #symbols: SymbolMap;
  readonly #clock: Clock;
  readonly #logger: Logger | undefined;
  readonly #streams = new Map<string, Stream>();
  readonly #connectionId: string;
  readonly #connectedAt: number;
  #reconnects = 0;
  #messages = 0;
  #lastMessageAt: number | undefined;
  #closed = false;
  /** Diffs to lose per native symbol (a fault), and the diffs lost. */
  readonly #gaps = new Map<string, number>();
  readonly #lost = new WeakSet<object>();

  constructor(
    exchange: ExchangeId,
    engine: ExchangeEngine,
    symbols: SymbolMap,
    clock: Clock,
    logger?: Logger,
  ) {
    this.#exchange = exchange;
    this.#engine = engine;
    this.#symbols = symbols;
    this.#clock = clock;
    this.#logger = logger;
    this.#connectionId = `${exchange}-memory-market`;
    this.#connectedAt = clock.now();
  }

  subscribe<K extends StreamKind>(
    spec: StreamSpecOf<K>,
    observer: StreamObserver<StreamDataMap[K]>,
  ): MarketDataSubscription {
    const target = observer as AnyObserver;
    let stream: Stream | undefined;
    let key = '';
    let failure: VenuekitError | undefined;
    try {
      if (this.#closed) throw new ClosedError({ message: 'this market data client is closed' });
      key = this.streamKey(spec);
      stream = this.#streams.get(key) ?? this.#open(key, spec);
      stream.observers.add(target);
    } catch (error) {
      failure = toVenueError(error);
    }
    const ready = new Promise<void>((resolve, reject) => {
      queueMicrotask(() => {
        if (failure || !stream) {
          this.#call(() => target.error?.(failure as VenuekitError));
          reject(failure);
          return;
        }
        if (!stream.observers.has(target)) {
          resolve();
          return;
        }
        this.#call(() => target.status?.({ type: 'subscribed' }));
        this.#greet(stream, target);
        resolve();
      });
    });
    // Callers may ignore `ready`: a refused stream must not become an unhandled rejection.
    ready.catch(() => undefined);
    let active = true;
    return {
      key,
      ready,
      unsubscribe: async () => {
        if (!active || !stream) return;
        active = false;
        stream.observers.delete(target);
        if (stream.observers.size === 0) this.#drop(stream);
      },
    };
  }

  streamKey(spec: StreamSpec): string {
    if (typeof spec !== 'object' || spec === null || !KINDS.includes(spec.kind)) {
      throw new ValidationError('INVALID_PARAMETER', {
        field: 'spec.kind',
        rule: `must be one of ${KINDS.join(', ')}`,
      });
    }
    const info = this.#symbols.info(spec.symbol, 'spec.symbol');
    const symbol = `${info.baseAsset}/${info.quoteAsset}`;
    switch (spec.kind) {
      case 'klines':
        if (!(KLINE_INTERVALS as readonly string[]).includes(spec.interval)) {
          throw new ValidationError('INVALID_PARAMETER', {
            field: 'spec.interval',
            rule: `must be one of ${KLINE_INTERVALS.join(', ')}`,
          });
        }
        return `${symbol}|klines|${spec.interval}`;
      case 'depth':
        if (![5, 10, 20].includes(spec.levels)) {
          throw new ValidationError('INVALID_PARAMETER', {
            field: 'spec.levels',
            rule: 'must be 5, 10 or 20',
          });
        }
        return `${symbol}|depth|${spec.levels}|${spec.updateSpeedMs ?? 1000}`;
      case 'orderBook':
        return `${symbol}|orderBook|${spec.updateSpeedMs ?? 1000}`;
      default:
        return `${symbol}|${spec.kind}`;
    }
  }

  connections(): ConnectionInfo[] {
    return [
      {
        id: this.#connectionId,
        exchange: this.#exchange,
        kind: 'market',
        url: `memory://${this.#exchange}/market`,
        state: this.#closed ? 'closed' : 'open',
        circuitState: 'closed',
        streams: [...this.#streams.keys()],
        queuedMessages: 0,
        connectedAt: this.#connectedAt,
        ...(this.#lastMessageAt === undefined ? {} : { lastMessageAt: this.#lastMessageAt }),
        reconnects: this.#reconnects,
        messagesReceived: this.#messages,
      },
    ];
  }

  streamStats(): StreamStats[] {
    return [...this.#streams.values()].map((stream) => ({
      key: stream.key,
      exchange: this.#exchange,
      symbol: stream.unified,
      kind: stream.spec.kind,
      connectionId: this.#connectionId,
      subscribers: stream.observers.size,
      subscribedAt: stream.subscribedAt,
      ...(stream.firstMessageAt === undefined
        ? {}
        : {
            firstMessageAt: stream.firstMessageAt,
            timeToFirstMessageMs: stream.firstMessageAt - stream.subscribedAt,
          }),
      ...(stream.lastMessageAt === undefined ? {} : { lastMessageAt: stream.lastMessageAt }),
      largestGapMs: stream.largestGapMs,
      messages: stream.messages,
      reconnects: stream.reconnects,
      resyncs: stream.resyncs,
    }));
  }

  /**
   * Simulates a dropped connection: every stream reports `reconnecting` then
   * `resubscribed`; order books resynchronise from a fresh snapshot.
   */
  async closeConnection(connectionId: string): Promise<void> {
    if (this.#closed || connectionId !== this.#connectionId) return;
    this.#reconnects++;
    const streams = [...this.#streams.values()];
    for (const stream of streams) {
      stream.reconnects++;
      this.#status(stream, { type: 'reconnecting', reason: 'connection closed', attempt: 1, delayMs: 0 });
    }
    await Promise.resolve();
    for (const stream of streams) {
      if (!this.#streams.has(stream.key)) continue;
      if (stream.book) this.#resync(stream);
      this.#status(stream, { type: 'resubscribed' });
      if (stream.book) this.#mark(stream);
    }
  }

  /**
   * A fault for tests: the next `count` depth diffs of the symbol are lost on
   * the way, so order book streams see a sequence gap (`gap` status) and
   * resynchronise from a snapshot (`resynced`), as after a lost venue message.
   */
  depthGap(symbol: string, count = 1): void {
    const native = this.#symbols.info(symbol).symbol;
    this.#gaps.set(native, (this.#gaps.get(native) ?? 0) + Math.max(1, Math.floor(count)));
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const stream of [...this.#streams.values()]) this.#drop(stream);
  }

  // -- internals --------------------------------------------------------------

  /**
   * Whether a depth diff is lost to a `depthGap` fault: the first order book stream to see a diff
   * of a symbol with a gap pending decides, and every other stream sees the same answer. (No
   * listener of its own: the engine builds depth diffs only while a stream needs them.)
   */
  #isLost(diff: object & { readonly symbol: string }): boolean {
    if (this.#lost.has(diff)) return true;
    const left = this.#gaps.get(diff.symbol);
    if (left === undefined) return false;
    this.#lost.add(diff);
    if (left <= 1) this.#gaps.delete(diff.symbol);
    else this.#gaps.set(diff.symbol, left - 1);
    return true;
  }

  #open(key: string, spec: StreamSpec): Stream {
    const info = this.#symbols.info(spec.symbol, 'spec.symbol');
    const stream: Stream = {
      key,
      spec,
      info,
      unified: `${info.baseAsset}/${info.quoteAsset}`,
      observers: new Set(),
      detach: () => undefined,
      pending: [],
      dirty: false,
      scheduled: false,
      book: undefined,
      resynced: false,
      lastKlineOpen: undefined,
      closeTimer: undefined,
      subscribedAt: this.#clock.now(),
      firstMessageAt: undefined,
      lastMessageAt: undefined,
      largestGapMs: 0,
      messages: 0,
      reconnects: 0,
      resyncs: 0,
    };
    const native = info.symbol;
    const engine = this.#engine;
    switch (spec.kind) {
      case 'trades':
        stream.detach = engine.on('trade', (trade) => {
          if (trade.symbol !== native) return;
          const value: Trade = {
            exchange: this.#exchange,
            symbol: stream.unified,
            id: String(trade.id),
            price: trade.price,
            quantity: trade.qty,
            timestamp: trade.time,
            side: trade.isBuyerMaker ? 'sell' : 'buy',
            buyerIsMaker: trade.isBuyerMaker,
          };
          this.#push(stream, value);
        });
        break;
      case 'aggTrades':
        stream.detach = engine.on('aggTrade', (agg) => {
          if (agg.symbol !== native) return;
          const value: AggTrade = {
            exchange: this.#exchange,
            symbol: stream.unified,
            id: String(agg.id),
            price: agg.price,
            quantity: agg.qty,
            firstTradeId: String(agg.firstTradeId),
            lastTradeId: String(agg.lastTradeId),
            timestamp: agg.time,
            side: agg.isBuyerMaker ? 'sell' : 'buy',
            buyerIsMaker: agg.isBuyerMaker,
          };
          this.#push(stream, value);
        });
        break;
      case 'bookTicker':
        stream.detach = engine.on('bookTicker', (top) => {
          if (top.symbol !== native) return;
          const value: BookTicker = {
            exchange: this.#exchange,
            symbol: stream.unified,
            timestamp: this.#clock.now(),
            updateId: String(top.updateId),
            bid: top.bidPrice,
            bidQuantity: top.bidQty,
            ask: top.askPrice,
            askQuantity: top.askQty,
          };
          this.#push(stream, value);
        });
        break;
      case 'ticker':
      case 'miniTicker':
      case 'klines':
        stream.detach = engine.on('trade', (trade) => {
          if (trade.symbol === native) this.#mark(stream);
        });
        break;
      case 'depth':
        stream.detach = engine.on('depth', (diff) => {
          if (diff.symbol === native) this.#mark(stream);
        });
        break;
      case 'orderBook': {
        stream.book = new OrderBook(this.#exchange, stream.unified);
        this.#resync(stream);
        stream.detach = engine.on('depth', (diff) => {
          if (diff.symbol !== native || !stream.book || this.#isLost(diff)) return;
          // The venue's rule: each diff starts right after the last one applied; otherwise resync.
          if (diff.finalUpdateId <= stream.book.sequence) return;
          if (diff.firstUpdateId !== stream.book.sequence + 1) {
            const fromId = String(stream.book.sequence + 1);
            this.#status(stream, {
              type: 'gap',
              fromId,
              toId: String(diff.firstUpdateId - 1),
              backfilled: false,
            });
            this.#resync(stream);
          } else {
            stream.book.apply(raw(diff.bids), raw(diff.asks), diff.finalUpdateId, diff.eventTime);
          }
          this.#mark(stream);
        });
        break;
      }
    }
    this.#streams.set(key, stream);
    return stream;
  }

  /** First data for a new observer: the current state of snapshot kinds. */
  #greet(stream: Stream, observer: AnyObserver): void {
    const value = this.#snapshotValue(stream, true);
    if (value !== undefined) this.#call(() => observer.next(value));
    if (stream.spec.kind === 'orderBook' && stream.book) {
      this.#call(() =>
        observer.status?.({ type: 'resynced', updateId: (stream.book as OrderBook).updateId }),
      );
    }
  }

  #resync(stream: Stream): void {
    const book = stream.book as OrderBook;
    const snapshot = this.#engine.depth(stream.info.symbol);
    book.reset(raw(snapshot.bids), raw(snapshot.asks), snapshot.lastUpdateId, this.#clock.now());
    stream.resynced = true;
    stream.resyncs++;
    if (stream.messages > 0) this.#status(stream, { type: 'resynced', updateId: book.updateId });
  }

  #push(stream: Stream, value: unknown): void {
    stream.pending.push(value);
    this.#schedule(stream);
  }

  #mark(stream: Stream): void {
    stream.dirty = true;
    this.#schedule(stream);
  }

  #schedule(stream: Stream): void {
    if (stream.scheduled) return;
    stream.scheduled = true;
    queueMicrotask(() => this.#flush(stream));
  }

  #flush(stream: Stream): void {
    stream.scheduled = false;
    if (!this.#streams.has(stream.key)) return;
    const values = stream.pending.splice(0);
    if (stream.dirty) {
      stream.dirty = false;
      if (stream.spec.kind === 'klines') values.push(...this.#klineValues(stream));
      else {
        const value = this.#snapshotValue(stream, false);
        if (value !== undefined) values.push(value);
      }
    }
    for (const value of values) {
      this.#count(stream);
      for (const observer of [...stream.observers]) this.#call(() => observer.next(value));
    }
  }

  #count(stream: Stream): void {
    const now = this.#clock.now();
    if (stream.lastMessageAt !== undefined)
      stream.largestGapMs = Math.max(stream.largestGapMs, now - stream.lastMessageAt);
    stream.firstMessageAt ??= now;
    stream.lastMessageAt = now;
    stream.messages++;
    this.#messages++;
    this.#lastMessageAt = now;
  }

  /** The current value of a snapshot kind (undefined when there is none yet, e.g. no trade). */
  #snapshotValue(stream: Stream, greeting: boolean): unknown {
    const native = stream.info.symbol;
    const spec = stream.spec;
    switch (spec.kind) {
      case 'ticker':
      case 'miniTicker': {
        if (!this.#engine.lastPrice(native)) return undefined;
        const stats = this.#engine.ticker24h(native);
        return spec.kind === 'ticker' ? this.#ticker(stream, stats) : this.#miniTicker(stream, stats);
      }
      case 'klines': {
        const current = this.#engine.currentKline(native, spec.interval);
        if (!current) return undefined;
        if (greeting && stream.lastKlineOpen === undefined) {
          stream.lastKlineOpen = current.openTime;
          this.#scheduleClose(stream, current.closeTime);
        }
        return this.#kline(stream, current);
      }
      case 'depth':
        return this.#snapshot(stream, this.#engine.depth(native, spec.levels));
      case 'orderBook': {
        const book = stream.book as OrderBook;
        const resynced = stream.resynced;
        stream.resynced = false;
        return {
          exchange: this.#exchange,
          symbol: stream.unified,
          book,
          updateId: book.updateId,
          timestamp: book.timestamp,
          resynced: greeting || resynced,
        };
      }
      default:
        return undefined;
    }
  }

  /** The current candle; first the previous one, closed, when a new candle has opened since. */
  #klineValues(stream: Stream): Kline[] {
    if (stream.spec.kind !== 'klines') return [];
    const interval = stream.spec.interval;
    const native = stream.info.symbol;
    const current = this.#engine.currentKline(native, interval);
    if (!current) return [];
    const out: Kline[] = [];
    const previous = stream.lastKlineOpen;
    if (previous !== undefined && current.openTime > previous) {
      const closed = this.#engine.klines(native, interval, { startTime: previous, limit: 1 })[0];
      if (closed && closed.openTime === previous) out.push(this.#kline(stream, closed));
    }
    stream.lastKlineOpen = current.openTime;
    out.push(this.#kline(stream, current));
    this.#scheduleClose(stream, current.closeTime);
    return out;
  }

  #scheduleClose(stream: Stream, closeTime: number): void {
    this.#clock.clearTimeout(stream.closeTimer);
    stream.closeTimer = this.#clock.setTimeout(
      () => {
        stream.closeTimer = undefined;
        this.#mark(stream);
      },
      Math.max(0, closeTime + 1 - this.#clock.now()),
    );
  }

  #ticker(stream: Stream, stats: TickerStats): Ticker {
    return {
      exchange: this.#exchange,
      symbol: stream.unified,
      timestamp: stats.closeTime,
      last: stats.lastPrice,
      lastQuantity: stats.lastQty,
      open: stats.openPrice,
      high: stats.highPrice,
      low: stats.lowPrice,
      change: stats.priceChange,
      changePercent: stats.priceChangePercent,
      vwap: stats.weightedAvgPrice,
      baseVolume: stats.volume,
      quoteVolume: stats.quoteVolume,
      ...(stats.bidPrice.gt(0) ? { bid: stats.bidPrice, bidQuantity: stats.bidQty } : {}),
      ...(stats.askPrice.gt(0) ? { ask: stats.askPrice, askQuantity: stats.askQty } : {}),
      openTime: stats.openTime,
      closeTime: stats.closeTime,
      ...(stats.firstId >= 0
        ? { firstTradeId: String(stats.firstId), lastTradeId: String(stats.lastId) }
        : {}),
      tradeCount: stats.count,
    };
  }

  #miniTicker(stream: Stream, stats: TickerStats): MiniTicker {
    return {
      exchange: this.#exchange,
      symbol: stream.unified,
      timestamp: stats.closeTime,
      last: stats.lastPrice,
      open: stats.openPrice,
      high: stats.highPrice,
      low: stats.lowPrice,
      baseVolume: stats.volume,
      quoteVolume: stats.quoteVolume,
    };
  }

  #kline(stream: Stream, kline: KlineRecord): Kline {
    return toKline(this.#exchange, stream.unified, kline);
  }

  #snapshot(stream: Stream, depth: DepthSnapshot): OrderBookSnapshot {
    return toSnapshot(this.#exchange, stream.unified, depth, this.#clock.now());
  }

  #status(stream: Stream, status: StreamStatus): void {
    for (const observer of [...stream.observers]) this.#call(() => observer.status?.(status));
  }

  #drop(stream: Stream): void {
    this.#clock.clearTimeout(stream.closeTimer);
    stream.closeTimer = undefined;
    stream.detach();
    stream.observers.clear();
    this.#streams.delete(stream.key);
  }

  /** Calls an observer; its exceptions are logged, never thrown into the engine. */
  #call(callback: () => void): void {
    try {
      callback();
    } catch (error) {
      this.#logger?.errorWithException('a market data observer threw', error);
    }
  }
}

function raw(levels: readonly DepthLevel[]): RawLevel[] {
  return levels.map(([price, quantity]) => [price.toString(), quantity.toString()] as const);
}

export function toKline(exchange: ExchangeId, symbol: string, kline: KlineRecord): Kline {
  return {
    exchange,
    symbol,
    interval: kline.interval,
    openTime: kline.openTime,
    closeTime: kline.closeTime,
    open: kline.open,
    high: kline.high,
    low: kline.low,
    close: kline.close,
    volume: kline.volume,
    quoteVolume: kline.quoteVolume,
    tradeCount: kline.trades,
    takerBuyBaseVolume: kline.takerBuyBaseVolume,
    takerBuyQuoteVolume: kline.takerBuyQuoteVolume,
    closed: kline.closed,
  };
}

export function toSnapshot(
  exchange: ExchangeId,
  symbol: string,
  depth: DepthSnapshot,
  timestamp: number,
): OrderBookSnapshot {
  const levels = (side: readonly DepthLevel[]) => side.map(([price, quantity]) => ({ price, quantity }));
  return {
    exchange,
    symbol,
    bids: levels(depth.bids),
    asks: levels(depth.asks),
    updateId: String(depth.lastUpdateId),
    timestamp,
  };
}
