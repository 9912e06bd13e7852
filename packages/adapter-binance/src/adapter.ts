import {
  type AdapterStatus,
  type Capabilities,
  type Capability,
  type Clock,
  capabilities,
  type ExchangeAdapter,
  type Logger,
  type RateLimitStatus,
  silentLogger,
  systemClock,
} from '@venuekit/core';
import type { KyInstance } from 'ky';
import { type BinanceConfig, type BinanceConfigInput, resolveBinanceConfig } from './config';
import { BinanceInstruments } from './instruments';
import { BinanceMarketDataClient } from './market-data';
import { BinanceHttpClient } from './rest/http';
import { BinanceMarketDataRest, BinancePublicApi } from './rest/public';
import { openGate, type RequestGate } from './rest/request-gate';
import { ConnectionAttemptBudget } from './ws/connection';

export interface BinanceAdapterOptions {
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** The gate every REST request passes; default: the adapter's own (see below). */
  readonly gate?: RequestGate;
  /** A ky instance for REST (e.g. with a custom fetch). */
  readonly ky?: KyInstance;
}

/** What the market-data part supports. */
export const BINANCE_MARKET_DATA_CAPABILITIES: readonly Capability[] = [
  'fetchInstruments',
  'fetchTime',
  'fetchOrderBook',
  'fetchTrades',
  'fetchKlines',
  'fetchTicker',
  'watchTicker',
  'watchMiniTicker',
  'watchBookTicker',
  'watchTrades',
  'watchAggTrades',
  'watchKlines',
  'watchDepth',
  'watchOrderBook',
];

/**
 * The Binance spot adapter: instruments, public REST and market streams, plus
 * (part 2) one AccountClient per user. Usable with plain `new`:
 *
 * ```ts
 * const binance = new BinanceAdapter({ environment: 'testnet' });
 * const sub = binance.marketData.subscribe({ kind: 'trades', symbol: 'BTC/USDT' }, { next: console.log });
 * await sub.ready;
 * ```
 */
export class BinanceAdapter implements ExchangeAdapter {
  readonly id = 'binance';
  readonly name = 'Binance';
  readonly has: Capabilities;
  readonly config: BinanceConfig;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The REST transport every request (public and signed) goes through. */
  readonly http: BinanceHttpClient;
  /** Binance's public endpoints, raw. */
  readonly publicApi: BinancePublicApi;
  readonly instruments: BinanceInstruments;
  readonly rest: BinanceMarketDataRest;
  readonly marketData: BinanceMarketDataClient;
  /** Connection attempts to Binance's WebSocket hosts, shared by every connection of this adapter. */
  readonly connectionAttempts: ConnectionAttemptBudget;
  #closing: Promise<void> | undefined;

  constructor(config: BinanceConfigInput = {}, options: BinanceAdapterOptions = {}) {
    this.config = resolveBinanceConfig(config);
    this.clock = options.clock ?? systemClock;
    this.logger = (options.logger ?? silentLogger).child({ exchange: this.id });
    this.connectionAttempts = new ConnectionAttemptBudget(
      this.config.streams.maxConnectionAttempts,
      this.config.streams.connectionAttemptWindowMs,
    );

    // ---------------------------------------------------------------------
    // TRADING (part 2): the rate governor. Replace `openGate` with the
    // BinanceRateGovernor (rest/rate-governor.ts) here, fed by
    // `instruments.rateLimits`, so public and signed requests share one gate.
    const gate = options.gate ?? openGate;
    // ---------------------------------------------------------------------

    this.http = new BinanceHttpClient({
      baseUrl: this.config.urls.rest,
      gate,
      timeoutMs: this.config.rest.timeoutMs,
      exchange: this.id,
      clock: this.clock,
      logger: this.logger,
      ...(options.ky ? { ky: options.ky } : {}),
    });
    this.publicApi = new BinancePublicApi(this.http);
    this.instruments = new BinanceInstruments(this.publicApi, {
      ttlMs: this.config.instruments.ttlMs,
      clock: this.clock,
    });
    this.rest = new BinanceMarketDataRest(this.publicApi, this.instruments, this.clock);
    this.marketData = new BinanceMarketDataClient({
      config: this.config,
      api: this.publicApi,
      symbols: this.instruments,
      clock: this.clock,
      logger: this.logger,
      attemptBudget: this.connectionAttempts,
    });

    // ---------------------------------------------------------------------
    // TRADING (part 2): add the trading capabilities and `createAccount` here.
    this.has = capabilities([...BINANCE_MARKET_DATA_CAPABILITIES]);
    // ---------------------------------------------------------------------
  }

  status(): AdapterStatus {
    const rateLimit = this.#rateLimitStatus();
    return {
      exchange: this.id,
      connections: this.marketData.connections(),
      streams: this.marketData.streamStats(),
      ...(rateLimit ? { rateLimit } : {}),
    };
  }

  /** Closes streams and connections; idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.marketData.close();
    return this.#closing;
  }

  #rateLimitStatus(): RateLimitStatus | undefined {
    const gate = this.http.gate as RequestGate & { status?: () => RateLimitStatus };
    if (typeof gate.status === 'function') return gate.status();
    const observed = this.http.observedWeight;
    if (!observed) return undefined;
    const limit = this.instruments.rateLimits.find((l) => l.rateLimitType === 'REQUEST_WEIGHT');
    return { usedWeight: observed.usedWeight, weightLimit: limit?.limit ?? 6000, queued: 0 };
  }
}
