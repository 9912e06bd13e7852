import { randomBytes } from 'node:crypto';
import {
  type AccountClient,
  type AccountOptions,
  type AdapterStatus,
  type Capabilities,
  CAPABILITIES,
  type Clock,
  capabilities,
  ClosedError,
  type Credentials,
  createCredentials,
  type ExchangeAdapter,
  type ExchangeId,
  type Instrument,
  type InstrumentsClient,
  type Kline,
  type KlineInterval,
  type Logger,
  type MarketDataRestClient,
  type OrderBookSnapshot,
  type Ticker,
  type Trade,
  type UnifiedSymbol,
  ValidationError,
} from '@venuekit/core';
import type { ExchangeEngine } from '../engine/engine';
import type { AccountDefinition, SymbolDefinition, SymbolInfo } from '../engine/types';
import { FakeMarket } from '../simulation/fake-market';
import type { MarketSimulationOptions } from '../simulation/market-simulation';
import { InMemoryAccountClient } from './account';
import { type ActiveFault, InMemoryFaults, type RequestFault } from './faults';
import { SymbolMap, toInstrument, toVenueError } from './mapping';
import { InMemoryMarketDataClient, toKline, toSnapshot } from './market-data';

export interface FakeExchangeOptions {
  /** The adapter id, so it can sit beside the real Binance adapter in one registry. Default `fake`. */
  readonly id?: ExchangeId;
  readonly name?: string;
  /** An existing market to put the adapter on (e.g. shared with startFakeBinance); the other options are then ignored. */
  readonly market?: FakeMarket;
  /** Default: a ManualClock (the market moves with `fake.market.advance(ms)`). */
  readonly clock?: Clock;
  /** Default: DEFAULT_SYMBOLS (BTCUSDT, ETHUSDT, BNBUSDT, ETHBTC). */
  readonly symbols?: readonly SymbolDefinition[];
  readonly accounts?: readonly AccountDefinition[];
  /** Other participants; `false` (the default) for a quiet market that only your orders move. */
  readonly simulation?: false | Omit<MarketSimulationOptions, 'clock' | 'logger'>;
  readonly logger?: Logger;
}

/** What `addAccount` returns: the engine's account id and credentials for `createAccount`. */
export interface FakeAccountHandle {
  readonly accountId: string;
  readonly credentials: Credentials;
}

/**
 * An ExchangeAdapter implemented directly on the testkit's exchange engine: no
 * sockets, no timers of its own. For unit tests of strategies and of code
 * written against core's interfaces. Orders match, fill, pay fees and move
 * balances as on the venue; market data streams come from the same book.
 */
export class FakeExchange implements ExchangeAdapter {
  readonly id: ExchangeId;
  readonly name: string;
  readonly has: Capabilities = capabilities([...CAPABILITIES]);
  /** The market behind the adapter: the engine, its simulation and clock, and the test handle. */
  readonly market: FakeMarket;
  readonly instruments: InstrumentsClient;
  readonly marketData: InMemoryMarketDataClient;
  readonly rest: MarketDataRestClient;
  readonly #symbols: SymbolMap;
  readonly #logger: Logger | undefined;
  readonly #accounts = new Set<AccountClient>();
  readonly #faults = new InMemoryFaults();
  readonly #ownsMarket: boolean;
  #closed = false;

  constructor(options: FakeExchangeOptions = {}) {
    this.id = options.id ?? 'fake';
    this.name = options.name ?? 'Fake exchange (in memory)';
    this.#logger = options.logger;
    this.#ownsMarket = options.market === undefined;
    this.market =
      options.market ??
      new FakeMarket({
        ...(options.clock ? { clock: options.clock } : {}),
        ...(options.symbols ? { symbols: options.symbols } : {}),
        ...(options.accounts ? { accounts: options.accounts } : {}),
        simulation: options.simulation ?? false,
        ...(options.logger ? { logger: options.logger } : {}),
      });
    this.#symbols = new SymbolMap(this.market.engine.symbols());
    this.instruments = new InMemoryInstruments(this.id, this.#symbols, () => this.#assertOpen());
    this.marketData = new InMemoryMarketDataClient(
      this.id,
      this.engine,
      this.#symbols,
      this.market.clock,
      this.#logger,
    );
    this.rest = new InMemoryRest(this.id, this.engine, this.#symbols, this.market.clock, () =>
      this.#assertOpen(),
    );
  }

  get engine(): ExchangeEngine {
    return this.market.engine;
  }

  /**
   * Opens an account on the exchange (balances, commission) and returns its id
   * and credentials; pass the credentials to `createAccount`.
   */
  addAccount(
    definition: Omit<AccountDefinition, 'ed25519PublicKey' | 'rsaPublicKey'> = {},
  ): FakeAccountHandle {
    const apiKey = definition.apiKey ?? randomBytes(32).toString('hex');
    const secretKey = definition.secretKey ?? randomBytes(32).toString('hex');
    const account = this.engine.createAccount({ ...definition, apiKey, secretKey });
    return { accountId: account.id, credentials: createCredentials({ apiKey, secret: secretKey }) };
  }

  createAccount(credentials: Credentials, options: AccountOptions = {}): AccountClient {
    this.#assertOpen();
    const client = new InMemoryAccountClient(
      this.id,
      this.engine,
      this.#symbols,
      this.market.clock,
      credentials,
      {
        ...options,
        ...(options.logger || !this.#logger ? {} : { logger: this.#logger }),
      },
      this.#faults,
    );
    this.#accounts.add(client);
    return client;
  }

  /**
   * Makes the next matching account call fail (a timeout, a lost answer after
   * the order was placed, a rate limit…), for tests of retries and
   * reconciliation. `fake.marketData.depthGap(symbol)` and
   * `fake.marketData.closeConnection(id)` do the same for streams.
   */
  failNext(fault: RequestFault): ActiveFault {
    return this.#faults.failNext(fault);
  }

  /** Removes every scripted fault. */
  clearFaults(): void {
    this.#faults.clear();
  }

  status(): AdapterStatus {
    return {
      exchange: this.id,
      connections: this.marketData.connections(),
      streams: this.marketData.streamStats(),
    };
  }

  /** Closes the streams and accounts; stops the simulation when this adapter created the market. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.marketData.close();
    await Promise.allSettled([...this.#accounts].map((account) => account.close()));
    this.#accounts.clear();
    if (this.#ownsMarket) this.market.close();
  }

  #assertOpen(): void {
    if (this.#closed) throw new ClosedError({ message: `the ${this.id} adapter is closed` });
  }
}

class InMemoryInstruments implements InstrumentsClient {
  readonly #exchange: ExchangeId;
  readonly #symbols: SymbolMap;
  readonly #assertOpen: () => void;

  constructor(exchange: ExchangeId, symbols: SymbolMap, assertOpen: () => void) {
    this.#exchange = exchange;
    this.#symbols = symbols;
    this.#assertOpen = assertOpen;
  }

  async list(): Promise<Instrument[]> {
    this.#assertOpen();
    return this.#symbols.list().map((info) => toInstrument(this.#exchange, info));
  }

  async get(symbol: UnifiedSymbol): Promise<Instrument> {
    this.#assertOpen();
    return toInstrument(this.#exchange, this.#symbols.info(symbol));
  }
}

class InMemoryRest implements MarketDataRestClient {
  readonly #exchange: ExchangeId;
  readonly #engine: ExchangeEngine;
  readonly #symbols: SymbolMap;
  readonly #clock: Clock;
  readonly #assertOpen: () => void;

  constructor(
    exchange: ExchangeId,
    engine: ExchangeEngine,
    symbols: SymbolMap,
    clock: Clock,
    assertOpen: () => void,
  ) {
    this.#exchange = exchange;
    this.#engine = engine;
    this.#symbols = symbols;
    this.#clock = clock;
    this.#assertOpen = assertOpen;
  }

  async fetchTime(): Promise<number> {
    this.#assertOpen();
    return this.#clock.now();
  }

  async fetchOrderBook(symbol: UnifiedSymbol, limit = 100): Promise<OrderBookSnapshot> {
    return this.#run(() => {
      const info = this.#symbols.info(symbol);
      checkLimit(limit, 5000);
      return toSnapshot(
        this.#exchange,
        unified(info),
        this.#engine.depth(info.symbol, limit),
        this.#clock.now(),
      );
    });
  }

  async fetchTrades(symbol: UnifiedSymbol, options: { limit?: number } = {}): Promise<Trade[]> {
    return this.#run(() => {
      const info = this.#symbols.info(symbol);
      const limit = options.limit ?? 500;
      checkLimit(limit, 1000);
      return this.#engine.recentTrades(info.symbol, limit).map((trade) => ({
        exchange: this.#exchange,
        symbol: unified(info),
        id: String(trade.id),
        price: trade.price,
        quantity: trade.qty,
        timestamp: trade.time,
        side: trade.isBuyerMaker ? 'sell' : 'buy',
        buyerIsMaker: trade.isBuyerMaker,
      }));
    });
  }

  /** Pages through the engine's klines (1000 per page) between `since` and `until`. */
  async fetchKlines(
    symbol: UnifiedSymbol,
    interval: KlineInterval,
    options: { since?: number; until?: number; limit?: number } = {},
  ): Promise<Kline[]> {
    return this.#run(() => {
      const info = this.#symbols.info(symbol);
      const limit = options.limit ?? 500;
      if (!Number.isSafeInteger(limit) || limit < 1) {
        throw new ValidationError('INVALID_PARAMETER', {
          field: 'limit',
          rule: 'must be a positive integer',
        });
      }
      if (options.since === undefined) {
        const page = this.#engine.klines(info.symbol, interval, {
          limit: Math.min(limit, 1000),
          ...(options.until === undefined ? {} : { endTime: options.until }),
        });
        return page.map((kline) => toKline(this.#exchange, unified(info), kline));
      }
      const out: Kline[] = [];
      let since = options.since;
      while (out.length < limit) {
        const page = this.#engine.klines(info.symbol, interval, {
          startTime: since,
          limit: Math.min(1000, limit - out.length),
          ...(options.until === undefined ? {} : { endTime: options.until }),
        });
        for (const kline of page) out.push(toKline(this.#exchange, unified(info), kline));
        const last = page[page.length - 1];
        if (!last || page.length < 1000) break;
        since = last.closeTime + 1;
      }
      return out;
    });
  }

  async fetchTicker(symbol: UnifiedSymbol): Promise<Ticker> {
    return this.#run(() => this.#ticker(this.#symbols.info(symbol)));
  }

  async fetchTickers(symbols?: readonly UnifiedSymbol[]): Promise<Ticker[]> {
    return this.#run(() => {
      const infos =
        symbols === undefined ? this.#symbols.list() : symbols.map((symbol) => this.#symbols.info(symbol));
      return infos.map((info) => this.#ticker(info));
    });
  }

  #ticker(info: SymbolInfo): Ticker {
    const stats = this.#engine.ticker24h(info.symbol);
    return {
      exchange: this.#exchange,
      symbol: unified(info),
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

  async #run<T>(run: () => T): Promise<T> {
    this.#assertOpen();
    try {
      return run();
    } catch (error) {
      throw toVenueError(error, { exchange: this.#exchange });
    }
  }
}

function unified(info: SymbolInfo): UnifiedSymbol {
  return `${info.baseAsset}/${info.quoteAsset}`;
}

function checkLimit(limit: number, max: number): void {
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > max) {
    throw new ValidationError('INVALID_PARAMETER', {
      field: 'limit',
      rule: `must be an integer from 1 to ${max}`,
    });
  }
}
