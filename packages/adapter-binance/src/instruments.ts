import {
  type Clock,
  type Instrument,
  type InstrumentsClient,
  normalizeSymbol,
  parseSymbol,
  systemClock,
  type UnifiedSymbol,
  ValidationError,
} from '@venuekit/core';
import { parseExchangeInfo, type WireRateLimit } from './parsing/instruments';
import type { BinancePublicApi, SymbolResolver } from './rest/public';

export interface BinanceInstrumentsOptions {
  /** Re-fetch when the cached list is older than this; 0 keeps it until `list({ refresh: true })`. */
  readonly ttlMs?: number;
  readonly clock?: Clock;
  /** Called with exchangeInfo's `rateLimits` on every load (the rate governor reads them). */
  readonly onRateLimits?: (limits: readonly WireRateLimit[]) => void;
}

interface Catalogue {
  readonly list: Instrument[];
  readonly bySymbol: Map<UnifiedSymbol, Instrument>;
  readonly byNative: Map<string, Instrument>;
  readonly loadedAt: number;
}

/**
 * Binance's instruments from exchangeInfo (weight 20), cached. Concurrent
 * callers share one request; a failed load is not cached.
 */
export class BinanceInstruments implements InstrumentsClient, SymbolResolver {
  readonly #api: BinancePublicApi;
  readonly #ttlMs: number;
  readonly #clock: Clock;
  readonly #onRateLimits: ((limits: readonly WireRateLimit[]) => void) | undefined;
  #catalogue: Catalogue | undefined;
  #loading: Promise<Catalogue> | undefined;
  #rateLimits: readonly WireRateLimit[] = [];

  constructor(api: BinancePublicApi, options: BinanceInstrumentsOptions = {}) {
    this.#api = api;
    this.#ttlMs = options.ttlMs ?? 0;
    this.#clock = options.clock ?? systemClock;
    this.#onRateLimits = options.onRateLimits;
  }

  /** exchangeInfo's rate limits from the last load. */
  get rateLimits(): readonly WireRateLimit[] {
    return this.#rateLimits;
  }

  /** When the cached list was loaded (clock ms). */
  get loadedAt(): number | undefined {
    return this.#catalogue?.loadedAt;
  }

  async list(options: { refresh?: boolean } = {}): Promise<Instrument[]> {
    return [...(await this.#load(options.refresh === true)).list];
  }

  async get(symbol: UnifiedSymbol): Promise<Instrument> {
    const name = normalizeSymbol(symbol);
    const instrument = (await this.#load(false)).bySymbol.get(name);
    if (!instrument) {
      throw new ValidationError('UNKNOWN_SYMBOL', {
        field: 'symbol',
        rule: 'must be a market Binance lists',
        message: `Binance does not list ${name}`,
        context: { exchange: 'binance', symbol: name },
      });
    }
    return instrument;
  }

  /** `BTC/USDT` → `BTCUSDT`. Needs no request: known symbols come from the cache, others are concatenated. */
  nativeSymbol(symbol: UnifiedSymbol): string {
    const { base, quote } = parseSymbol(symbol);
    return this.#catalogue?.bySymbol.get(`${base}/${quote}`)?.nativeSymbol ?? `${base}${quote}`;
  }

  listed(symbol: UnifiedSymbol): boolean | undefined {
    const catalogue = this.#catalogue;
    if (!catalogue) return undefined;
    const { base, quote } = parseSymbol(symbol);
    return catalogue.bySymbol.has(`${base}/${quote}`);
  }

  async unifiedSymbol(native: string): Promise<UnifiedSymbol | undefined> {
    return (await this.#load(false)).byNative.get(native)?.symbol;
  }

  #load(refresh: boolean): Promise<Catalogue> {
    const cached = this.#catalogue;
    const fresh = cached && (this.#ttlMs === 0 || this.#clock.now() - cached.loadedAt < this.#ttlMs);
    if (cached && fresh && !refresh) return Promise.resolve(cached);
    if (this.#loading) return this.#loading;
    const loading = this.#api.getExchangeInfo().then(
      (wire) => {
        const { instruments, rateLimits } = parseExchangeInfo(wire);
        const catalogue: Catalogue = {
          list: instruments,
          bySymbol: new Map(instruments.map((i) => [i.symbol, i])),
          byNative: new Map(instruments.map((i) => [i.nativeSymbol, i])),
          loadedAt: this.#clock.now(),
        };
        this.#catalogue = catalogue;
        this.#rateLimits = rateLimits;
        this.#loading = undefined;
        this.#onRateLimits?.(rateLimits);
        return catalogue;
      },
      (error: unknown) => {
        this.#loading = undefined;
        throw error;
      },
    );
    this.#loading = loading;
    return loading;
  }
}
