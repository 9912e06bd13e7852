import {
  type Clock,
  KLINE_INTERVALS,
  type Kline,
  type KlineInterval,
  type MarketDataRestClient,
  normalizeSymbol,
  type OrderBookSnapshot,
  systemClock,
  type Ticker,
  type Trade,
  ExchangeUnavailableError,
  type UnifiedSymbol,
  ValidationError,
} from '@venuekit/core';
import {
  parseDepthSnapshot,
  parseRestKline,
  parseRestTicker,
  parseRestTrade,
  type WireRestAggTrade,
  type WireRestKline,
  type WireRestTicker,
  type WireRestTrade,
} from '../parsing/market-data';
import type { WireExchangeInfo } from '../parsing/instruments';
import {
  isRestAggTrades,
  isRestDepth,
  isRestKlines,
  isRestTicker,
  isRestTickers,
  isRestTrades,
  isServerTime,
} from '../parsing/wire-checks';
import type { WirePartialDepth } from '../ws/wire';
import type { BinanceHttpClient } from './http';

/** Request weights of the public endpoints (binance-protocol.md §3.7, rest-api.md). */
export const PUBLIC_WEIGHTS = {
  time: 1,
  exchangeInfo: 20,
  trades: 25,
  aggTrades: 4,
  klines: 2,
  depth(limit: number): number {
    if (limit <= 100) return 5;
    if (limit <= 500) return 25;
    if (limit <= 1000) return 50;
    return 250;
  },
  ticker24hr(symbols: number | 'all'): number {
    if (symbols === 'all') return 80;
    if (symbols <= 20) return 2;
    if (symbols <= 100) return 40;
    return 80;
  },
} as const;

/**
 * The raw public endpoints, named after Binance's and returning its wire
 * payloads. Symbols here are Binance's (`BTCUSDT`).
 */
export class BinancePublicApi {
  readonly http: BinanceHttpClient;

  constructor(http: BinanceHttpClient) {
    this.http = http;
  }

  async getTime(signal?: AbortSignal): Promise<{ serverTime: number }> {
    const data = (
      await this.http.request<{ serverTime: number }>({
        method: 'GET',
        path: '/api/v3/time',
        weight: PUBLIC_WEIGHTS.time,
        ...(signal ? { signal } : {}),
      })
    ).data;
    return checked(data, isServerTime, '/api/v3/time');
  }

  async getExchangeInfo(
    options: { symbols?: readonly string[]; signal?: AbortSignal } = {},
  ): Promise<WireExchangeInfo> {
    return (
      await this.http.request<WireExchangeInfo>({
        method: 'GET',
        path: '/api/v3/exchangeInfo',
        query: options.symbols?.length ? { symbols: JSON.stringify(options.symbols) } : {},
        weight: PUBLIC_WEIGHTS.exchangeInfo,
        ...(options.signal ? { signal: options.signal } : {}),
      })
    ).data;
  }

  async getDepth(symbol: string, limit: number, signal?: AbortSignal): Promise<WirePartialDepth> {
    const data = (
      await this.http.request<WirePartialDepth>({
        method: 'GET',
        path: '/api/v3/depth',
        query: { symbol, limit },
        weight: PUBLIC_WEIGHTS.depth(limit),
        ...(signal ? { signal } : {}),
      })
    ).data;
    return checked(data, isRestDepth, '/api/v3/depth');
  }

  /** The most recent trades (up to 1000). */
  async getTrades(symbol: string, limit: number, signal?: AbortSignal): Promise<WireRestTrade[]> {
    const data = (
      await this.http.request<WireRestTrade[]>({
        method: 'GET',
        path: '/api/v3/trades',
        query: { symbol, limit },
        weight: PUBLIC_WEIGHTS.trades,
        ...(signal ? { signal } : {}),
      })
    ).data;
    return checked(data, isRestTrades, '/api/v3/trades');
  }

  async getAggTrades(params: {
    symbol: string;
    fromId?: number;
    startTime?: number;
    endTime?: number;
    limit?: number;
    signal?: AbortSignal;
  }): Promise<WireRestAggTrade[]> {
    const { signal, ...query } = params;
    const data = (
      await this.http.request<WireRestAggTrade[]>({
        method: 'GET',
        path: '/api/v3/aggTrades',
        query,
        weight: PUBLIC_WEIGHTS.aggTrades,
        ...(signal ? { signal } : {}),
      })
    ).data;
    return checked(data, isRestAggTrades, '/api/v3/aggTrades');
  }

  async getKlines(params: {
    symbol: string;
    interval: KlineInterval;
    startTime?: number;
    endTime?: number;
    limit?: number;
    signal?: AbortSignal;
  }): Promise<WireRestKline[]> {
    const { signal, ...query } = params;
    const data = (
      await this.http.request<WireRestKline[]>({
        method: 'GET',
        path: '/api/v3/klines',
        query,
        weight: PUBLIC_WEIGHTS.klines,
        ...(signal ? { signal } : {}),
      })
    ).data;
    return checked(data, isRestKlines, '/api/v3/klines');
  }

  /** One symbol → one object; several or none → an array. */
  async getTicker24hr(symbol: string, signal?: AbortSignal): Promise<WireRestTicker> {
    const data = (
      await this.http.request<WireRestTicker>({
        method: 'GET',
        path: '/api/v3/ticker/24hr',
        query: { symbol },
        weight: PUBLIC_WEIGHTS.ticker24hr(1),
        ...(signal ? { signal } : {}),
      })
    ).data;
    return checked(data, isRestTicker, '/api/v3/ticker/24hr');
  }

  async getTickers24hr(symbols?: readonly string[], signal?: AbortSignal): Promise<WireRestTicker[]> {
    const data = (
      await this.http.request<WireRestTicker[]>({
        method: 'GET',
        path: '/api/v3/ticker/24hr',
        query: symbols ? { symbols: JSON.stringify(symbols) } : {},
        weight: PUBLIC_WEIGHTS.ticker24hr(symbols ? symbols.length : 'all'),
        ...(signal ? { signal } : {}),
      })
    ).data;
    return checked(data, isRestTickers, '/api/v3/ticker/24hr');
  }
}

/** How the REST client maps symbols; implemented by BinanceInstruments. */
export interface SymbolResolver {
  /** `BTC/USDT` → `BTCUSDT`; throws a ValidationError for a malformed symbol. */
  nativeSymbol(symbol: UnifiedSymbol): string;
  /** `BTCUSDT` → `BTC/USDT`, from exchangeInfo; undefined for a symbol Binance does not list. */
  unifiedSymbol(native: string): Promise<UnifiedSymbol | undefined>;
  /** Whether Binance lists the symbol, if known without a request (undefined before the first load). */
  listed?(symbol: UnifiedSymbol): boolean | undefined;
}

const MAX_KLINES_PER_REQUEST = 1000;
/** A guard against unbounded history requests: one call returns at most this many candles. */
export const MAX_KLINES_PER_CALL = 100_000;

/**
 * Public market data in core's terms. Bad input is refused with a
 * ValidationError naming the field before anything is sent.
 */
export class BinanceMarketDataRest implements MarketDataRestClient {
  readonly api: BinancePublicApi;
  readonly #symbols: SymbolResolver;
  readonly #clock: Clock;

  constructor(api: BinancePublicApi, symbols: SymbolResolver, clock: Clock = systemClock) {
    this.api = api;
    this.#symbols = symbols;
    this.#clock = clock;
  }

  async fetchTime(): Promise<number> {
    return (await this.api.getTime()).serverTime;
  }

  async fetchOrderBook(symbol: UnifiedSymbol, limit = 100): Promise<OrderBookSnapshot> {
    const native = this.#symbols.nativeSymbol(symbol);
    checkInt(limit, 'limit', 1, 5000);
    const wire = await this.api.getDepth(native, limit);
    return parseDepthSnapshot(wire, normalizeSymbol(symbol), this.#clock.now());
  }

  async fetchTrades(symbol: UnifiedSymbol, options: { limit?: number } = {}): Promise<Trade[]> {
    const native = this.#symbols.nativeSymbol(symbol);
    const limit = options.limit ?? 500;
    checkInt(limit, 'limit', 1, 1000);
    const wire = await this.api.getTrades(native, limit);
    const name = normalizeSymbol(symbol);
    return wire.map((w) => parseRestTrade(w, name));
  }

  /**
   * Candles in time order. With `since`/`until` the range is paged through
   * 1000 at a time (each page costs weight 2); `limit` caps the total. Without
   * a range: the latest `limit` (default 500) candles.
   */
  async fetchKlines(
    symbol: UnifiedSymbol,
    interval: KlineInterval,
    options: { since?: number; until?: number; limit?: number } = {},
  ): Promise<Kline[]> {
    const native = this.#symbols.nativeSymbol(symbol);
    if (!(KLINE_INTERVALS as readonly string[]).includes(interval)) {
      throw new ValidationError('INVALID_PARAMETER', {
        field: 'interval',
        rule: `must be one of ${KLINE_INTERVALS.join(', ')}`,
      });
    }
    const { since, until } = options;
    if (since !== undefined) checkInt(since, 'since', 0, Number.MAX_SAFE_INTEGER);
    if (until !== undefined) checkInt(until, 'until', 0, Number.MAX_SAFE_INTEGER);
    if (since !== undefined && until !== undefined && since > until) {
      throw new ValidationError('INVALID_PARAMETER', { field: 'since', rule: 'must not be after until' });
    }
    const ranged = since !== undefined;
    const total = options.limit ?? (ranged ? MAX_KLINES_PER_CALL : 500);
    checkInt(total, 'limit', 1, MAX_KLINES_PER_CALL);
    const name = normalizeSymbol(symbol);
    const now = this.#clock.now();
    const out: Kline[] = [];

    if (ranged) {
      let start = since;
      while (out.length < total) {
        const want = Math.min(MAX_KLINES_PER_REQUEST, total - out.length);
        const page = await this.api.getKlines({
          symbol: native,
          interval,
          startTime: start,
          ...(until === undefined ? {} : { endTime: until }),
          limit: want,
        });
        for (const row of page) out.push(parseRestKline(row, name, interval, now));
        const last = page.at(-1);
        if (page.length < want || last === undefined) break;
        start = last[0] + 1;
        if (until !== undefined && start > until) break;
      }
      return out;
    }

    // Latest candles, paging backwards from `until` (or now) when more than one page is asked for.
    let end = until;
    const pages: Kline[][] = [];
    let count = 0;
    while (count < total) {
      const want = Math.min(MAX_KLINES_PER_REQUEST, total - count);
      const page = await this.api.getKlines({
        symbol: native,
        interval,
        ...(end === undefined ? {} : { endTime: end }),
        limit: want,
      });
      pages.push(page.map((row) => parseRestKline(row, name, interval, now)));
      count += page.length;
      const first = page[0];
      if (page.length < want || first === undefined) break;
      end = first[0] - 1;
      if (end < 0) break;
    }
    for (let i = pages.length - 1; i >= 0; i--) out.push(...(pages[i] as Kline[]));
    return out;
  }

  async fetchTicker(symbol: UnifiedSymbol): Promise<Ticker> {
    const native = this.#symbols.nativeSymbol(symbol);
    const wire = await this.api.getTicker24hr(native);
    return parseRestTicker(wire, normalizeSymbol(symbol));
  }

  /** The given symbols' tickers, or every symbol's (weight 80) when none are given. */
  async fetchTickers(symbols?: readonly UnifiedSymbol[]): Promise<Ticker[]> {
    if (symbols !== undefined && !Array.isArray(symbols)) {
      throw new ValidationError('INVALID_PARAMETER', {
        field: 'symbols',
        rule: 'must be an array of symbols',
      });
    }
    if (symbols?.length === 0) return [];
    const byNative = new Map<string, UnifiedSymbol>();
    if (symbols) {
      symbols.forEach((symbol, i) => {
        const field = `symbols[${i}]`;
        byNative.set(
          this.#symbols.nativeSymbol(normalizeSymbol(symbol, field)),
          normalizeSymbol(symbol, field),
        );
      });
    }
    const wire = await this.api.getTickers24hr(symbols ? [...byNative.keys()] : undefined);
    const out: Ticker[] = [];
    for (const w of wire) {
      const symbol = byNative.get(w.symbol) ?? (await this.#symbols.unifiedSymbol(w.symbol));
      // A ticker for a symbol exchangeInfo does not (or no longer) list cannot be named: skip it.
      if (symbol !== undefined) out.push(parseRestTicker(w, symbol));
    }
    return out;
  }
}

function checkInt(value: unknown, field: string, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError('INVALID_PARAMETER', {
      field,
      rule: `must be an integer from ${min} to ${max}`,
    });
  }
}

/**
 * The body when it has the shape the adapter reads; otherwise a typed EXCHANGE_ERROR. A broken
 * answer (a proxy's page, a truncated or changed payload) must not become a book, a trade, a candle, a ticker or a time.
 */
function checked<T>(data: T, check: (body: unknown) => boolean, path: string): T {
  if (check(data)) return data;
  throw new ExchangeUnavailableError({
    code: 'EXCHANGE_ERROR',
    message: `GET ${path}: the answer does not have the documented shape`,
    context: { exchange: 'binance', operation: `GET ${path}` },
    venue: { status: 200, body: safeText(data) },
  });
}

function safeText(data: unknown): string {
  try {
    return (JSON.stringify(data) ?? String(data)).slice(0, 2_000);
  } catch {
    return String(data).slice(0, 2_000);
  }
}
