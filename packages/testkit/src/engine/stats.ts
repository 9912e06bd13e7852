import type { Decimal } from '@venuekit/core';
import { ZERO } from './book';
import type {
  AggTradeQuery,
  AggTradeRecord,
  AveragePrice,
  KlineIntervalName,
  KlineQuery,
  KlineRecord,
  TradeRecord,
} from './types';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
// 1970-01-05 was a Monday: Binance's weekly candles open on Mondays 00:00 UTC.
const MONDAY_OFFSET = 4 * DAY;

const FIXED: Record<Exclude<KlineIntervalName, '1M'>, number> = {
  '1s': SECOND,
  '1m': MINUTE,
  '3m': 3 * MINUTE,
  '5m': 5 * MINUTE,
  '15m': 15 * MINUTE,
  '30m': 30 * MINUTE,
  '1h': HOUR,
  '2h': 2 * HOUR,
  '4h': 4 * HOUR,
  '6h': 6 * HOUR,
  '8h': 8 * HOUR,
  '12h': 12 * HOUR,
  '1d': DAY,
  '3d': 3 * DAY,
  '1w': 7 * DAY,
};

export const KLINE_INTERVAL_NAMES: readonly KlineIntervalName[] = [
  ...Object.keys(FIXED),
  '1M',
] as KlineIntervalName[];

export function isKlineInterval(value: string): value is KlineIntervalName {
  return (KLINE_INTERVAL_NAMES as readonly string[]).includes(value);
}

/** Open time of the candle containing `time`. */
export function bucketStart(interval: KlineIntervalName, time: number): number {
  if (interval === '1M') {
    const date = new Date(time);
    return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
  }
  const size = FIXED[interval];
  const offset = interval === '1w' ? MONDAY_OFFSET : 0;
  return Math.floor((time - offset) / size) * size + offset;
}

export function nextBucket(interval: KlineIntervalName, start: number): number {
  if (interval === '1M') {
    const date = new Date(start);
    return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
  }
  return start + FIXED[interval];
}

function previousBucket(interval: KlineIntervalName, start: number): number {
  if (interval === '1M') {
    const date = new Date(start);
    return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() - 1, 1);
  }
  return start - FIXED[interval];
}

interface Candle {
  openTime: number;
  open: Decimal;
  high: Decimal;
  low: Decimal;
  close: Decimal;
  volume: Decimal;
  quoteVolume: Decimal;
  trades: number;
  takerBuyBase: Decimal;
  takerBuyQuote: Decimal;
  firstTradeId: number;
  lastTradeId: number;
}

/** Candles kept per interval; 1m keeps a day and a bit for the 24-hour statistics. */
const CANDLES_KEPT = 1000;
const MINUTE_CANDLES_KEPT = 1500;

/** Trades, aggregate trades and candles of one symbol, all built from its trades. */
export class SymbolStats {
  readonly symbol: string;
  readonly #tradeLimit: number;
  readonly #trades: TradeRecord[] = [];
  /** Trades forgotten from the front of #trades (absolute index of #trades[0]). */
  #dropped = 0;
  readonly #windows = new Map<number, { start: number; volume: Decimal; quote: Decimal }>();
  readonly #aggTrades: AggTradeRecord[] = [];
  readonly #candles = new Map<KlineIntervalName, Candle[]>();
  #last: TradeRecord | undefined;

  constructor(symbol: string, tradeLimit: number) {
    this.symbol = symbol;
    this.#tradeLimit = Math.max(1, tradeLimit);
    for (const interval of KLINE_INTERVAL_NAMES) this.#candles.set(interval, []);
  }

  get lastTrade(): TradeRecord | undefined {
    return this.#last;
  }

  addTrade(trade: TradeRecord): void {
    this.#last = trade;
    this.#trades.push(trade);
    for (const window of this.#windows.values()) {
      window.volume = window.volume.plus(trade.qty);
      window.quote = window.quote.plus(trade.quoteQty);
    }
    if (this.#trades.length > this.#tradeLimit + Math.ceil(this.#tradeLimit / 4)) {
      const excess = this.#trades.length - this.#tradeLimit;
      // Forgotten trades leave the average-price windows too.
      for (const window of this.#windows.values()) {
        while (window.start < this.#dropped + excess) {
          const old = this.#trades[window.start - this.#dropped] as TradeRecord;
          window.volume = window.volume.minus(old.qty);
          window.quote = window.quote.minus(old.quoteQty);
          window.start++;
        }
      }
      this.#trades.splice(0, excess);
      this.#dropped += excess;
    }
    const takerBuy = !trade.isBuyerMaker;
    for (const [interval, candles] of this.#candles) {
      const start = bucketStart(interval, trade.time);
      let candle = candles[candles.length - 1];
      if (!candle || candle.openTime < start) {
        candle = {
          openTime: start,
          open: trade.price,
          high: trade.price,
          low: trade.price,
          close: trade.price,
          volume: ZERO,
          quoteVolume: ZERO,
          trades: 0,
          takerBuyBase: ZERO,
          takerBuyQuote: ZERO,
          firstTradeId: trade.id,
          lastTradeId: trade.id,
        };
        push(candles, candle, interval === '1m' ? MINUTE_CANDLES_KEPT : CANDLES_KEPT);
      }
      // A candle opening after `start` means the clock went backwards (a test set it):
      // the trade counts in the open candle.
      if (trade.price.gt(candle.high)) candle.high = trade.price;
      if (trade.price.lt(candle.low)) candle.low = trade.price;
      candle.close = trade.price;
      candle.volume = candle.volume.plus(trade.qty);
      candle.quoteVolume = candle.quoteVolume.plus(trade.quoteQty);
      candle.trades++;
      candle.lastTradeId = trade.id;
      if (takerBuy) {
        candle.takerBuyBase = candle.takerBuyBase.plus(trade.qty);
        candle.takerBuyQuote = candle.takerBuyQuote.plus(trade.quoteQty);
      }
    }
  }

  addAggTrade(aggTrade: AggTradeRecord): void {
    push(this.#aggTrades, aggTrade, this.#tradeLimit);
  }

  /** The most recent `limit` trades, oldest first. */
  recentTrades(limit: number): TradeRecord[] {
    return this.#trades.slice(Math.max(0, this.#trades.length - limit));
  }

  /** Up to `limit` trades from the one with id `fromId` on, oldest first (from the oldest kept when it is older). */
  tradesFrom(fromId: number, limit: number): TradeRecord[] {
    const trades = this.#trades;
    let low = 0;
    let high = trades.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((trades[middle] as TradeRecord).id < fromId) low = middle + 1;
      else high = middle;
    }
    return trades.slice(low, low + limit);
  }

  aggTrades(query: AggTradeQuery, limit: number): AggTradeRecord[] {
    const all = this.#aggTrades;
    if (query.fromId !== undefined) {
      const fromId = query.fromId;
      const out: AggTradeRecord[] = [];
      for (const agg of all) {
        if (agg.id >= fromId) out.push(agg);
        if (out.length >= limit) break;
      }
      return out;
    }
    if (query.startTime !== undefined || query.endTime !== undefined) {
      const start = query.startTime ?? Number.NEGATIVE_INFINITY;
      const end = query.endTime ?? Number.POSITIVE_INFINITY;
      const out: AggTradeRecord[] = [];
      for (const agg of all) {
        if (agg.time >= start && agg.time <= end) out.push(agg);
        if (out.length >= limit) break;
      }
      return out;
    }
    return all.slice(Math.max(0, all.length - limit));
  }

  /** Candles, with flat zero-volume candles for intervals without trades after the first trade. */
  klines(interval: KlineIntervalName, query: KlineQuery, limit: number, now: number): KlineRecord[] {
    const candles = this.#candles.get(interval) as Candle[];
    const firstCandle = candles[0];
    if (!firstCandle || limit <= 0) return [];
    const first = firstCandle.openTime;
    const end = bucketStart(interval, Math.min(query.endTime ?? now, now));
    let start: number;
    if (query.startTime !== undefined) {
      const aligned = bucketStart(interval, query.startTime);
      start = Math.max(first, aligned === query.startTime ? aligned : nextBucket(interval, aligned));
    } else {
      start = end;
      for (let i = 1; i < limit && start > first; i++) start = previousBucket(interval, start);
      start = Math.max(start, first);
    }
    let index = lowerBound(candles, start);
    let previousClose = index > 0 ? (candles[index - 1] as Candle).close : firstCandle.open;
    const out: KlineRecord[] = [];
    for (let open = start; open <= end && out.length < limit; open = nextBucket(interval, open)) {
      const candle = candles[index];
      if (candle && candle.openTime === open) {
        out.push(this.#record(interval, candle, now));
        previousClose = candle.close;
        index++;
      } else {
        out.push(this.#record(interval, flat(open, previousClose), now));
      }
    }
    return out;
  }

  /** The candle open at `now`; undefined before the first trade. */
  currentKline(interval: KlineIntervalName, now: number): KlineRecord | undefined {
    const candles = this.#candles.get(interval) as Candle[];
    const last = candles[candles.length - 1];
    if (!last) return undefined;
    const start = bucketStart(interval, now);
    return this.#record(interval, last.openTime >= start ? last : flat(start, last.close), now);
  }

  /** 24-hour statistics from the minute candles (the window's start is aligned to a minute). */
  rolling24h(now: number): {
    open: Decimal;
    high: Decimal;
    low: Decimal;
    close: Decimal;
    prevClose: Decimal;
    volume: Decimal;
    quoteVolume: Decimal;
    firstId: number;
    lastId: number;
    count: number;
    openTime: number;
  } {
    const candles = this.#candles.get('1m') as Candle[];
    const windowStart = bucketStart('1m', now - DAY);
    const from = lowerBound(candles, windowStart);
    const before = from > 0 ? (candles[from - 1] as Candle) : undefined;
    const last = this.#last?.price ?? ZERO;
    if (from >= candles.length) {
      return {
        open: last,
        high: last,
        low: last,
        close: last,
        prevClose: before?.close ?? ZERO,
        volume: ZERO,
        quoteVolume: ZERO,
        firstId: -1,
        lastId: -1,
        count: 0,
        openTime: now - DAY,
      };
    }
    const first = candles[from] as Candle;
    let high = first.high;
    let low = first.low;
    let volume = ZERO;
    let quoteVolume = ZERO;
    let count = 0;
    let lastCandle = first;
    for (let i = from; i < candles.length; i++) {
      const candle = candles[i] as Candle;
      if (candle.high.gt(high)) high = candle.high;
      if (candle.low.lt(low)) low = candle.low;
      volume = volume.plus(candle.volume);
      quoteVolume = quoteVolume.plus(candle.quoteVolume);
      count += candle.trades;
      lastCandle = candle;
    }
    return {
      open: first.open,
      high,
      low,
      close: lastCandle.close,
      prevClose: before?.close ?? ZERO,
      volume,
      quoteVolume,
      firstId: first.firstTradeId,
      lastId: lastCandle.lastTradeId,
      count,
      openTime: windowStart,
    };
  }

  /** Volume-weighted price of the trades in the last `mins` minutes; the last price when none (0 = last price). */
  averagePrice(mins: number, now: number): AveragePrice | undefined {
    const last = this.#last;
    if (!last) return undefined;
    if (mins > 0) {
      const window = this.#window(mins);
      // Trades leave the window as time passes: O(1) amortised, whatever the trade rate.
      const since = now - mins * MINUTE;
      while (window.start < this.#dropped + this.#trades.length) {
        const trade = this.#trades[window.start - this.#dropped] as TradeRecord;
        if (trade.time >= since) break;
        window.volume = window.volume.minus(trade.qty);
        window.quote = window.quote.minus(trade.quoteQty);
        window.start++;
      }
      if (window.volume.gt(0)) return { mins, price: window.quote.div(window.volume), closeTime: last.time };
    }
    return { mins, price: last.price, closeTime: last.time };
  }

  /** The running sums of one average-price window; new trades are added as they happen. */
  #window(mins: number): { start: number; volume: Decimal; quote: Decimal } {
    let window = this.#windows.get(mins);
    if (!window) {
      window = { start: this.#dropped, volume: ZERO, quote: ZERO };
      for (const trade of this.#trades) {
        window.volume = window.volume.plus(trade.qty);
        window.quote = window.quote.plus(trade.quoteQty);
      }
      this.#windows.set(mins, window);
    }
    return window;
  }

  #record(interval: KlineIntervalName, candle: Candle, now: number): KlineRecord {
    const closeTime = nextBucket(interval, candle.openTime) - 1;
    return {
      symbol: this.symbol,
      interval,
      openTime: candle.openTime,
      closeTime,
      open: candle.open,
      high: candle.high,
      low: candle.low,
      close: candle.close,
      volume: candle.volume,
      quoteVolume: candle.quoteVolume,
      trades: candle.trades,
      takerBuyBaseVolume: candle.takerBuyBase,
      takerBuyQuoteVolume: candle.takerBuyQuote,
      firstTradeId: candle.firstTradeId,
      lastTradeId: candle.lastTradeId,
      closed: closeTime < now,
    };
  }
}

function flat(openTime: number, price: Decimal): Candle {
  return {
    openTime,
    open: price,
    high: price,
    low: price,
    close: price,
    volume: ZERO,
    quoteVolume: ZERO,
    trades: 0,
    takerBuyBase: ZERO,
    takerBuyQuote: ZERO,
    firstTradeId: -1,
    lastTradeId: -1,
  };
}

function lowerBound(candles: readonly Candle[], openTime: number): number {
  let lo = 0;
  let hi = candles.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((candles[mid] as Candle).openTime < openTime) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Appends, dropping the oldest quarter when the array outgrows `limit` (amortised O(1)). */
function push<T>(array: T[], item: T, limit: number): void {
  array.push(item);
  if (array.length > limit + Math.ceil(limit / 4)) array.splice(0, array.length - limit);
}
