import type { Clock, TimerHandle } from '@venuekit/core';
import type { ExchangeEngine } from '../engine/engine';
import type {
  AggTradeRecord,
  AveragePrice,
  BookTop,
  DepthDiffEvent,
  DepthLevel,
  DepthSnapshot,
  KlineIntervalName,
  KlineRecord,
  TickerStats,
  TradeRecord,
} from '../engine/types';
import type { StreamTimings } from './settings';
import type { StreamKey } from './stream-names';
import type { ServerConnection } from './ws-connection';

/** Engine objects → the JSON text of each stream's payload (the engine's wire formatting). */
export interface StreamPayloads {
  trade(trade: TradeRecord, eventTime: number): string;
  aggTrade(trade: AggTradeRecord, eventTime: number): string;
  bookTicker(top: BookTop): string;
  depthUpdate(diff: DepthDiffEvent): string;
  partialDepth(snapshot: DepthSnapshot): string;
  ticker(stats: TickerStats, eventTime: number): string;
  miniTicker(stats: TickerStats, eventTime: number): string;
  kline(kline: KlineRecord, eventTime: number): string;
  avgPrice(symbol: string, average: AveragePrice, eventTime: number): string;
}

/** A market-stream connection as the hub sees it. */
export interface StreamClient {
  readonly connection: ServerConnection;
  /** Wrap payloads as `{"stream":…,"data":…}`. */
  combined: boolean;
}

type TimerClass = 'slow' | 'fast' | 'kline' | 'kline1s';
type EngineFeed = 'trade' | 'aggTrade' | 'bookTicker' | 'depth';

function feedOf(key: StreamKey): EngineFeed | undefined {
  switch (key.kind) {
    case 'trade':
    case 'aggTrade':
    case 'bookTicker':
      return key.kind;
    case 'depthDiff':
      return 'depth';
    default:
      return undefined;
  }
}

interface Subscription {
  readonly name: string;
  readonly key: StreamKey;
  readonly clients: Set<StreamClient>;
  /** Periodic streams: what was last pushed, to push only changes. */
  lastSignature: string | undefined;
  /** Klines: the open time last pushed. */
  lastOpenTime: number | undefined;
}

/** Depth diffs collected between two pushes of an `@depth` stream. */
class DepthAggregate {
  first = -1;
  last = -1;
  eventTime = 0;
  readonly bids = new Map<string, DepthLevel>();
  readonly asks = new Map<string, DepthLevel>();

  add(diff: DepthDiffEvent): void {
    if (this.first < 0) this.first = diff.firstUpdateId;
    this.last = diff.finalUpdateId;
    this.eventTime = diff.eventTime;
    for (const level of diff.bids) this.bids.set(level[0].toString(), level);
    for (const level of diff.asks) this.asks.set(level[0].toString(), level);
  }

  take(symbol: string): DepthDiffEvent | undefined {
    if (this.first < 0) return undefined;
    const event: DepthDiffEvent = {
      symbol,
      eventTime: this.eventTime,
      firstUpdateId: this.first,
      finalUpdateId: this.last,
      bids: [...this.bids.values()],
      asks: [...this.asks.values()],
    };
    this.first = this.last = -1;
    this.bids.clear();
    this.asks.clear();
    return event;
  }
}

function timerClassOf(key: StreamKey): TimerClass | undefined {
  switch (key.kind) {
    case 'depthDiff':
    case 'depthPartial':
      return key.fast ? 'fast' : 'slow';
    case 'ticker':
    case 'miniTicker':
    case 'avgPrice':
      return 'slow';
    case 'kline':
      return key.interval === '1s' ? 'kline1s' : 'kline';
    default:
      return undefined;
  }
}

/**
 * Fans engine events out to market-stream connections. Real-time streams (trade, aggTrade,
 * bookTicker) are sent as the engine emits them; depth diffs are merged per push interval
 * (`U` = first id, `u` = last id of the interval, so ids stay contiguous across pushes); partial
 * depth is pushed every interval; tickers, klines and average price on their interval when they
 * changed. Each
 * payload is serialised once and shared by every subscriber.
 */
export class StreamHub {
  readonly #engine: ExchangeEngine;
  readonly #payloads: StreamPayloads;
  readonly #clock: Clock;
  readonly #timings: StreamTimings;
  readonly #subscriptions = new Map<string, Subscription>();
  readonly #byClass = new Map<TimerClass, Set<Subscription>>();
  readonly #timers = new Map<TimerClass, TimerHandle>();
  /** symbol → aggregates for the slow and fast diff streams, present while subscribed. */
  readonly #depth = new Map<string, { slow?: DepthAggregate; fast?: DepthAggregate }>();
  /**
   * Engine listeners, attached only while a stream needs them: the engine skips building events
   * nobody listens to, so a quiet server costs the matching engine nothing.
   */
  readonly #engineListeners = new Map<EngineFeed, { count: number; off: () => void }>();
  readonly #names = new Map<string, { trade: string; aggTrade: string; bookTicker: string }>();

  constructor(engine: ExchangeEngine, payloads: StreamPayloads, clock: Clock, timings: StreamTimings) {
    this.#engine = engine;
    this.#payloads = payloads;
    this.#clock = clock;
    this.#timings = timings;
  }

  #listen(feed: EngineFeed): void {
    const entry = this.#engineListeners.get(feed);
    if (entry) {
      entry.count++;
      return;
    }
    const engine = this.#engine;
    const off =
      feed === 'trade'
        ? engine.on('trade', (trade) => this.#onTrade(trade))
        : feed === 'aggTrade'
          ? engine.on('aggTrade', (trade) => this.#onAggTrade(trade))
          : feed === 'bookTicker'
            ? engine.on('bookTicker', (top) => this.#onBookTicker(top))
            : engine.on('depth', (diff) => this.#onDepth(diff));
    this.#engineListeners.set(feed, { count: 1, off });
  }

  #unlisten(feed: EngineFeed): void {
    const entry = this.#engineListeners.get(feed);
    if (!entry) return;
    entry.count--;
    if (entry.count === 0) {
      entry.off();
      this.#engineListeners.delete(feed);
    }
  }

  /** Number of streams with at least one subscriber. */
  get activeStreams(): number {
    return this.#subscriptions.size;
  }

  subscribe(client: StreamClient, name: string, key: StreamKey): void {
    let subscription = this.#subscriptions.get(name);
    if (!subscription) {
      subscription = { name, key, clients: new Set(), lastSignature: undefined, lastOpenTime: undefined };
      this.#subscriptions.set(name, subscription);
      this.#track(subscription);
    }
    subscription.clients.add(client);
  }

  unsubscribe(client: StreamClient, name: string): void {
    const subscription = this.#subscriptions.get(name);
    if (!subscription) return;
    subscription.clients.delete(client);
    if (subscription.clients.size === 0) {
      this.#subscriptions.delete(name);
      this.#untrack(subscription);
    }
  }

  close(): void {
    for (const { off } of this.#engineListeners.values()) off();
    this.#engineListeners.clear();
    for (const timer of this.#timers.values()) this.#clock.clearInterval(timer);
    this.#timers.clear();
    this.#subscriptions.clear();
    this.#byClass.clear();
    this.#depth.clear();
  }

  /** Sends `payload` (lazily built) to every subscriber of `name`. */
  #publish(name: string, build: () => string): void {
    const subscription = this.#subscriptions.get(name);
    if (!subscription) return;
    this.#publishTo(subscription, build());
  }

  #publishTo(subscription: Subscription, payload: string): void {
    let raw: Buffer | undefined;
    let wrapped: Buffer | undefined;
    for (const client of subscription.clients) {
      if (client.combined) {
        wrapped ??= Buffer.from(`{"stream":${JSON.stringify(subscription.name)},"data":${payload}}`);
        client.connection.send(wrapped, subscription.name);
      } else {
        raw ??= Buffer.from(payload);
        client.connection.send(raw, subscription.name);
      }
    }
  }

  // -- real-time streams ------------------------------------------------------

  /** Stream names per symbol, built once (no string building per event). */
  #namesOf(symbol: string): { trade: string; aggTrade: string; bookTicker: string } {
    let names = this.#names.get(symbol);
    if (!names) {
      const lower = symbol.toLowerCase();
      names = { trade: `${lower}@trade`, aggTrade: `${lower}@aggTrade`, bookTicker: `${lower}@bookTicker` };
      this.#names.set(symbol, names);
    }
    return names;
  }

  #onTrade(trade: TradeRecord): void {
    this.#publish(this.#namesOf(trade.symbol).trade, () => this.#payloads.trade(trade, this.#clock.now()));
  }

  #onAggTrade(trade: AggTradeRecord): void {
    this.#publish(this.#namesOf(trade.symbol).aggTrade, () =>
      this.#payloads.aggTrade(trade, this.#clock.now()),
    );
  }

  #onBookTicker(top: BookTop): void {
    this.#publish(this.#namesOf(top.symbol).bookTicker, () => this.#payloads.bookTicker(top));
  }

  #onDepth(diff: DepthDiffEvent): void {
    const aggregates = this.#depth.get(diff.symbol);
    if (!aggregates) return;
    aggregates.slow?.add(diff);
    aggregates.fast?.add(diff);
  }

  // -- bookkeeping ------------------------------------------------------------

  #track(subscription: Subscription): void {
    const key = subscription.key;
    const feed = feedOf(key);
    if (feed) this.#listen(feed);
    if (key.kind === 'depthDiff') {
      const aggregates = this.#depth.get(key.symbol) ?? {};
      if (key.fast) aggregates.fast ??= new DepthAggregate();
      else aggregates.slow ??= new DepthAggregate();
      this.#depth.set(key.symbol, aggregates);
    }
    const timerClass = timerClassOf(key);
    if (!timerClass) return;
    let set = this.#byClass.get(timerClass);
    if (!set) {
      set = new Set();
      this.#byClass.set(timerClass, set);
    }
    set.add(subscription);
    if (!this.#timers.has(timerClass)) {
      const every = {
        slow: this.#timings.slowMs,
        fast: this.#timings.fastMs,
        kline: this.#timings.klineMs,
        kline1s: this.#timings.kline1sMs,
      }[timerClass];
      this.#timers.set(
        timerClass,
        this.#clock.setInterval(() => this.#tick(timerClass), every),
      );
    }
  }

  #untrack(subscription: Subscription): void {
    const key = subscription.key;
    const feed = feedOf(key);
    if (feed) this.#unlisten(feed);
    if (key.kind === 'depthDiff') {
      const aggregates = this.#depth.get(key.symbol);
      if (aggregates) {
        if (key.fast) delete aggregates.fast;
        else delete aggregates.slow;
        if (!aggregates.fast && !aggregates.slow) this.#depth.delete(key.symbol);
      }
    }
    const timerClass = timerClassOf(key);
    if (!timerClass) return;
    const set = this.#byClass.get(timerClass);
    set?.delete(subscription);
    if (set && set.size === 0) {
      this.#byClass.delete(timerClass);
      this.#clock.clearInterval(this.#timers.get(timerClass));
      this.#timers.delete(timerClass);
    }
  }

  // -- periodic streams -------------------------------------------------------

  #tick(timerClass: TimerClass): void {
    const set = this.#byClass.get(timerClass);
    if (!set) return;
    const now = this.#clock.now();
    for (const subscription of [...set]) {
      try {
        this.#push(subscription, now);
      } catch {
        // A symbol the engine does not list has nothing to push (Binance sends nothing either).
      }
    }
  }

  #push(subscription: Subscription, now: number): void {
    const key = subscription.key;
    switch (key.kind) {
      case 'depthDiff': {
        const aggregate = this.#depth.get(key.symbol)?.[key.fast ? 'fast' : 'slow'];
        const diff = aggregate?.take(key.symbol);
        if (diff) this.#publishTo(subscription, this.#payloads.depthUpdate(diff));
        return;
      }
      case 'depthPartial': {
        if (!this.#engine.hasSymbol(key.symbol)) return;
        // "Top <levels> bids and asks, pushed every second" (or 100 ms): changed or not.
        this.#publishTo(
          subscription,
          this.#payloads.partialDepth(this.#engine.depth(key.symbol, key.levels)),
        );
        return;
      }
      case 'ticker':
      case 'miniTicker': {
        if (!this.#engine.hasSymbol(key.symbol)) return;
        const stats = this.#engine.ticker24h(key.symbol);
        if (stats.count === 0) return;
        const signature =
          key.kind === 'ticker'
            ? `${stats.lastId}|${stats.count}|${stats.bidPrice}|${stats.bidQty}|${stats.askPrice}|${stats.askQty}`
            : `${stats.lastId}|${stats.count}|${stats.openPrice}`;
        if (signature === subscription.lastSignature) return;
        subscription.lastSignature = signature;
        this.#publishTo(
          subscription,
          key.kind === 'ticker' ? this.#payloads.ticker(stats, now) : this.#payloads.miniTicker(stats, now),
        );
        return;
      }
      case 'avgPrice': {
        if (!this.#engine.hasSymbol(key.symbol) || !this.#engine.lastPrice(key.symbol)) return;
        const average = this.#engine.avgPrice(key.symbol);
        const signature = `${average.price}|${average.closeTime}`;
        if (signature === subscription.lastSignature) return;
        subscription.lastSignature = signature;
        this.#publishTo(subscription, this.#payloads.avgPrice(key.symbol, average, now));
        return;
      }
      case 'kline':
        this.#pushKline(subscription, key.symbol, key.interval, now);
        return;
      default:
        return;
    }
  }

  #pushKline(subscription: Subscription, symbol: string, interval: KlineIntervalName, now: number): void {
    if (!this.#engine.hasSymbol(symbol)) return;
    const current = this.#engine.currentKline(symbol, interval);
    if (!current) return;
    const previousOpen = subscription.lastOpenTime;
    if (previousOpen !== undefined && previousOpen !== current.openTime) {
      // The candle we were pushing has closed: send its final state (`x: true`) once.
      const closed = this.#engine.klines(symbol, interval, {
        startTime: previousOpen,
        endTime: previousOpen,
        limit: 1,
      });
      const last = closed[0];
      if (last && last.openTime === previousOpen) {
        this.#publishTo(subscription, this.#payloads.kline({ ...last, closed: true }, now));
      }
    }
    const signature = `${current.openTime}|${current.trades}|${current.close}|${current.volume}`;
    subscription.lastOpenTime = current.openTime;
    if (signature === subscription.lastSignature) return;
    subscription.lastSignature = signature;
    this.#publishTo(subscription, this.#payloads.kline(current, now));
  }
}
