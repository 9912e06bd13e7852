import type {
  Kline,
  KlineInterval,
  Logger,
  MarketDataRestClient,
  OrderBookLevel,
  OrderBookUpdate,
  StreamStatus,
  Ticker,
  Trade,
  UnifiedSymbol,
} from '@venuekit/core';
import type { StreamManager, StreamSubscription } from '@venuekit/streams';
import type {
  BookState,
  IncidentLevel,
  WireBook,
  WireCandle,
  WireLevel,
  WireMarketSnapshot,
  WireTicker,
  WireTrade,
} from './wire';

/** The slice of `venuekit.streams` the market view uses. */
export type MarketStreams = Pick<StreamManager, 'subscribe'>;

export interface MarketViewOptions {
  readonly streams: MarketStreams;
  /** Candle history to start the chart with (candles before the page was opened). */
  readonly rest?: MarketDataRestClient;
  readonly symbols: readonly UnifiedSymbol[];
  readonly intervals: readonly KlineInterval[];
  readonly logger: Logger;
  /** Book problems and recoveries, for the dashboard's incident log. */
  readonly onIncident?: (level: IncidentLevel, text: string) => void;
  /** Candles kept per symbol and interval. Default 150. */
  readonly maxCandles?: number;
  /** Trades kept per symbol. Default 60. */
  readonly maxTrades?: number;
  /** Book levels per side sent to the page. Default 40. */
  readonly bookLevels?: number;
}

interface BookEntry {
  latest: OrderBookUpdate | undefined;
  state: BookState;
  resyncs: number;
  updates: number;
}

interface SymbolState {
  readonly symbol: UnifiedSymbol;
  ticker: WireTicker | undefined;
  readonly candles: Map<KlineInterval, WireCandle[]>;
  readonly trades: WireTrade[];
  readonly book: BookEntry;
  // What changed since the last flush.
  readonly pendingTrades: WireTrade[];
  readonly pendingCandles: Map<KlineInterval, Map<number, WireCandle>>;
  bookDirty: boolean;
}

/** What changed for one symbol since the previous `takeChanges()`. */
export interface SymbolChanges {
  readonly trades: readonly WireTrade[];
  readonly candles: ReadonlyMap<KlineInterval, readonly WireCandle[]>;
  readonly bookChanged: boolean;
}

export interface MarketChanges {
  readonly tickers: readonly WireTicker[];
  readonly symbols: ReadonlyMap<UnifiedSymbol, SymbolChanges>;
}

/**
 * The dashboard's picture of the market, kept current from venuekit's shared streams:
 * 24 h tickers, candles, the trade tape and the local order book of every symbol. The
 * server reads what changed at each flush, so a burst of updates costs one push.
 */
export class MarketView {
  readonly symbols: readonly UnifiedSymbol[];
  readonly intervals: readonly KlineInterval[];
  readonly #options: MarketViewOptions;
  readonly #state = new Map<UnifiedSymbol, SymbolState>();
  readonly #subscriptions: StreamSubscription[] = [];
  readonly #dirtyTickers = new Set<UnifiedSymbol>();
  readonly #maxCandles: number;
  readonly #maxTrades: number;
  readonly #bookLevels: number;
  #closed = false;

  constructor(options: MarketViewOptions) {
    this.#options = options;
    this.symbols = [...options.symbols];
    this.intervals = [...options.intervals];
    this.#maxCandles = options.maxCandles ?? 150;
    this.#maxTrades = options.maxTrades ?? 60;
    this.#bookLevels = options.bookLevels ?? 40;
    for (const symbol of this.symbols) {
      this.#state.set(symbol, {
        symbol,
        ticker: undefined,
        candles: new Map(this.intervals.map((interval) => [interval, []])),
        trades: [],
        book: { latest: undefined, state: 'waiting', resyncs: 0, updates: 0 },
        pendingTrades: [],
        pendingCandles: new Map(this.intervals.map((interval) => [interval, new Map()])),
        bookDirty: false,
      });
    }
  }

  /**
   * Subscribes every stream and loads candle history. Resolves when every stream is
   * confirmed; rejects with the first stream the venue refused (the others keep running
   * until `close`).
   */
  async start(): Promise<void> {
    const { streams } = this.#options;
    for (const state of this.#state.values()) {
      const { symbol } = state;
      this.#subscriptions.push(
        streams.subscribe({ kind: 'ticker', symbol }, (ticker) => this.#onTicker(state, ticker)),
        streams.subscribe({ kind: 'trades', symbol }, (trade) => this.#onTrade(state, trade)),
        streams.subscribe(
          { kind: 'orderBook', symbol },
          {
            next: (update) => this.#onBook(state, update),
            status: (status) => this.#onBookStatus(state, status),
            error: (error) =>
              this.#options.onIncident?.('error', `${symbol} order book failed: ${error.userMessage}`),
          },
        ),
      );
      for (const interval of this.intervals) {
        this.#subscriptions.push(
          streams.subscribe({ kind: 'klines', symbol, interval }, (kline) => this.#onKline(state, kline)),
        );
      }
    }
    await Promise.all([
      ...this.#subscriptions.map((subscription) => subscription.ready),
      this.#loadHistory().catch((error: unknown) => {
        // History is a nicety: the chart fills from the live stream anyway.
        this.#options.logger.warn('candle history could not be loaded', { error: String(error) });
      }),
    ]);
  }

  /** Everything the page needs to draw one market from scratch. */
  snapshot(symbol: UnifiedSymbol, interval: KlineInterval): WireMarketSnapshot {
    const state = this.#require(symbol);
    const book = this.book(symbol);
    return {
      type: 'market',
      symbol,
      interval,
      candles: [...(state.candles.get(interval) ?? [])],
      trades: [...state.trades],
      ...(book ? { book } : {}),
    };
  }

  tickers(): WireTicker[] {
    const out: WireTicker[] = [];
    for (const state of this.#state.values()) if (state.ticker) out.push(state.ticker);
    return out;
  }

  /** The book as the page shows it: the top levels per side, with its sync state. */
  book(symbol: UnifiedSymbol): WireBook | undefined {
    const entry = this.#require(symbol).book;
    const latest = entry.latest;
    if (!latest) return undefined;
    const { book } = latest;
    return {
      symbol,
      state: entry.state,
      updateId: book.updateId,
      bids: book.bids(this.#bookLevels).map(level),
      asks: book.asks(this.#bookLevels).map(level),
      resyncs: entry.resyncs,
      updates: entry.updates,
      timestamp: book.timestamp,
    };
  }

  /** What changed since the previous call; clears the record. */
  takeChanges(): MarketChanges {
    const tickers: WireTicker[] = [];
    for (const symbol of this.#dirtyTickers) {
      const ticker = this.#state.get(symbol)?.ticker;
      if (ticker) tickers.push(ticker);
    }
    this.#dirtyTickers.clear();
    const symbols = new Map<UnifiedSymbol, SymbolChanges>();
    for (const state of this.#state.values()) {
      const candles = new Map<KlineInterval, WireCandle[]>();
      for (const [interval, pending] of state.pendingCandles) {
        if (pending.size > 0) candles.set(interval, [...pending.values()]);
        pending.clear();
      }
      const trades = state.pendingTrades.splice(0);
      const bookChanged = state.bookDirty;
      state.bookDirty = false;
      if (trades.length > 0 || candles.size > 0 || bookChanged) {
        symbols.set(state.symbol, { trades, candles, bookChanged });
      }
    }
    return { tickers, symbols };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.allSettled(this.#subscriptions.map((subscription) => subscription.unsubscribe()));
  }

  #require(symbol: UnifiedSymbol): SymbolState {
    const state = this.#state.get(symbol);
    if (!state) throw new RangeError(`the demo does not follow ${symbol}`);
    return state;
  }

  async #loadHistory(): Promise<void> {
    const rest = this.#options.rest;
    if (!rest) return;
    const jobs: Promise<void>[] = [];
    for (const state of this.#state.values()) {
      for (const interval of this.intervals) {
        jobs.push(
          rest.fetchKlines(state.symbol, interval, { limit: this.#maxCandles }).then((klines) => {
            const candles = state.candles.get(interval) ?? [];
            const live = new Map(candles.map((candle) => [candle.t, candle]));
            // Streamed candles are newer than fetched ones with the same open time.
            const merged = new Map(klines.map((kline) => [kline.openTime, candle(kline)]));
            for (const [t, value] of live) merged.set(t, value);
            const sorted = [...merged.values()].sort((a, b) => a.t - b.t).slice(-this.#maxCandles);
            state.candles.set(interval, sorted);
          }),
        );
      }
    }
    for (const state of this.#state.values()) {
      jobs.push(
        rest.fetchTrades(state.symbol, { limit: this.#maxTrades }).then((trades) => {
          // Streamed trades are newer than the fetched ones; keep each trade once, oldest first.
          const streamed = new Set(state.trades.map((trade) => trade.id));
          const older = trades.filter((trade) => !streamed.has(trade.id)).map(tradeView);
          state.trades.unshift(...older);
          if (state.trades.length > this.#maxTrades)
            state.trades.splice(0, state.trades.length - this.#maxTrades);
        }),
        rest.fetchTicker(state.symbol).then((ticker) => {
          if (!state.ticker) this.#onTicker(state, ticker);
        }),
      );
    }
    await Promise.all(jobs);
  }

  #onTicker(state: SymbolState, ticker: Ticker): void {
    state.ticker = {
      symbol: state.symbol,
      last: ticker.last.toString(),
      changePercent: ticker.changePercent.toString(),
      high: ticker.high.toString(),
      low: ticker.low.toString(),
      volume: ticker.baseVolume.toString(),
      quoteVolume: ticker.quoteVolume.toString(),
      timestamp: ticker.timestamp,
    };
    this.#dirtyTickers.add(state.symbol);
  }

  #onTrade(state: SymbolState, trade: Trade): void {
    const wire = tradeView(trade);
    state.trades.push(wire);
    if (state.trades.length > this.#maxTrades) state.trades.splice(0, state.trades.length - this.#maxTrades);
    state.pendingTrades.push(wire);
    if (state.pendingTrades.length > this.#maxTrades) state.pendingTrades.shift();
  }

  #onKline(state: SymbolState, kline: Kline): void {
    const candles = state.candles.get(kline.interval);
    if (!candles) return;
    const wire = candle(kline);
    const last = candles[candles.length - 1];
    if (last && last.t === wire.t) candles[candles.length - 1] = wire;
    else if (!last || last.t < wire.t) {
      candles.push(wire);
      if (candles.length > this.#maxCandles) candles.shift();
    } else {
      const index = candles.findIndex((existing) => existing.t === wire.t);
      if (index >= 0) candles[index] = wire;
      else return; // older than everything kept
    }
    state.pendingCandles.get(kline.interval)?.set(wire.t, wire);
  }

  #onBook(state: SymbolState, update: OrderBookUpdate): void {
    const entry = state.book;
    entry.latest = update;
    entry.updates++;
    if (update.resynced && entry.state === 'resyncing') {
      this.#options.onIncident?.(
        'ok',
        `${state.symbol} order book rebuilt from a snapshot (update ${update.updateId})`,
      );
    }
    entry.state = 'synced';
    state.bookDirty = true;
  }

  #onBookStatus(state: SymbolState, status: StreamStatus): void {
    const entry = state.book;
    switch (status.type) {
      case 'stale':
        if (entry.state !== 'resyncing') {
          entry.state = 'resyncing';
          entry.resyncs++;
          this.#options.onIncident?.('warn', `${state.symbol} order book stale: ${status.reason}`);
        }
        state.bookDirty = true;
        break;
      case 'gap':
        this.#options.onIncident?.(
          'warn',
          `${state.symbol} order book missed updates ${status.fromId}–${status.toId}`,
        );
        break;
      case 'reconnecting':
        if (entry.state !== 'resyncing') {
          entry.state = 'resyncing';
          entry.resyncs++;
        }
        state.bookDirty = true;
        break;
      default:
        break;
    }
  }
}

function tradeView(trade: Trade): WireTrade {
  return {
    id: trade.id,
    price: trade.price.toString(),
    quantity: trade.quantity.toString(),
    side: trade.side,
    timestamp: trade.timestamp,
  };
}

function level(entry: OrderBookLevel): WireLevel {
  return [entry.price.toString(), entry.quantity.toString()];
}

function candle(kline: Kline): WireCandle {
  return {
    t: kline.openTime,
    o: kline.open.toString(),
    h: kline.high.toString(),
    l: kline.low.toString(),
    c: kline.close.toString(),
    v: kline.volume.toString(),
    closed: kline.closed,
  };
}
