import {
  type AccountClient,
  type AdapterStatus,
  type Capabilities,
  type Capability,
  type Clock,
  ClosedError,
  capabilities,
  type Credentials,
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
import { BinanceRateGovernor, rulesFromRateLimits } from './rest/rate-governor';
import type { RequestGate } from './rest/request-gate';
import { lifetimeController } from './rest/signals';
import { BinanceTimeSync } from './rest/time-sync';
import { BINANCE_TRADING_CAPABILITIES, BinanceAccount, type BinanceAccountOptions } from './trading';
import { ConnectionAttemptBudget } from './ws/connection';
import { BinanceWsApiPool } from './ws-api/pool';

export interface BinanceAdapterOptions {
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** The gate every REST request passes; default: the adapter's own (see below). */
  readonly gate?: RequestGate;
  /** A ky instance for REST (e.g. with hooks); default ky over `nodeHttpFetch`. */
  readonly ky?: KyInstance;
  /** Defaults for every account's trading settings (recvWindow, timeouts, reconciliation…). */
  readonly trading?: Omit<BinanceAccountOptions, 'userId' | 'logger'>;
  /**
   * User data subscriptions one shared WebSocket API connection carries before the next one is
   * opened. Default 1000, Binance's limit per connection.
   */
  readonly wsApiSubscriptionsPerConnection?: number;
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
  /** The one rate governor of this adapter: every request of every account on this IP. */
  readonly governor: BinanceRateGovernor;
  /** The venue clock estimate signed requests take their timestamp from. */
  readonly timeSync: BinanceTimeSync;
  /** The WebSocket API connections every account shares (orders, cancels, user data by subscriptionId). */
  readonly wsApi: BinanceWsApiPool;
  readonly #trading: Omit<BinanceAccountOptions, 'userId' | 'logger'>;
  readonly #accounts = new Set<BinanceAccount>();
  /** Aborted on close: REST requests still waiting or in flight (an exchangeInfo load…) end with it. */
  readonly #lifetime = lifetimeController();
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
    // TRADING (part 2): the rate governor, fed by exchangeInfo's rateLimits, so
    // public and signed requests of every account share one gate.
    this.governor = new BinanceRateGovernor({
      exchange: this.id,
      clock: this.clock,
      logger: this.logger,
      offsetMs: () => this.timeSync.offsetMs,
    });
    const gate = options.gate ?? this.governor;
    // ---------------------------------------------------------------------

    this.http = new BinanceHttpClient({
      baseUrl: this.config.urls.rest,
      gate,
      timeoutMs: this.config.rest.timeoutMs,
      exchange: this.id,
      clock: this.clock,
      logger: this.logger,
      signal: this.#lifetime.signal,
      ...(options.ky ? { ky: options.ky } : {}),
    });
    this.publicApi = new BinancePublicApi(this.http);
    this.instruments = new BinanceInstruments(this.publicApi, {
      ttlMs: this.config.instruments.ttlMs,
      clock: this.clock,
      onRateLimits: (limits) => this.governor.configure(rulesFromRateLimits(limits)),
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
    // TRADING (part 2): the venue clock, the trading capabilities and `createAccount`.
    this.timeSync = new BinanceTimeSync({
      fetchServerTime: async () => (await this.publicApi.getTime()).serverTime,
      exchange: this.id,
      clock: this.clock,
      logger: this.logger,
    });
    this.#trading = options.trading ?? {};
    this.wsApi = new BinanceWsApiPool({
      url: this.config.urls.wsApi,
      gate,
      venueClock: this.timeSync,
      attemptBudget: this.connectionAttempts,
      exchange: this.id,
      clock: this.clock,
      logger: this.logger,
      ...(this.#trading.requestTimeoutMs === undefined
        ? {}
        : { requestTimeoutMs: this.#trading.requestTimeoutMs }),
      ...(this.#trading.wsApiConnection ? { connection: this.#trading.wsApiConnection } : {}),
      ...(options.wsApiSubscriptionsPerConnection === undefined
        ? {}
        : { maxSubscriptionsPerConnection: options.wsApiSubscriptionsPerConnection }),
    });
    this.has = capabilities([...BINANCE_MARKET_DATA_CAPABILITIES, ...BINANCE_TRADING_CAPABILITIES]);
    // ---------------------------------------------------------------------
  }

  /**
   * One account's trading and user data, signed with its own credentials; all accounts share
   * this adapter's rate governor and clock. Closed with the adapter.
   */
  createAccount(credentials: Credentials, options: BinanceAccountOptions = {}): AccountClient {
    if (this.#closing) throw new ClosedError({ message: 'the Binance adapter was closed' });
    this.timeSync.start();
    const account = new BinanceAccount(
      credentials,
      {
        restUrl: this.config.urls.rest,
        wsApiUrl: this.config.urls.wsApi,
        gate: this.http.gate,
        instruments: this.instruments,
        wsApi: this.wsApi,
        venueClock: this.timeSync,
        clock: this.clock,
        logger: this.logger,
      },
      { ...this.#trading, ...options },
      () => this.#accounts.delete(account),
    );
    this.#accounts.add(account);
    return account;
  }

  status(): AdapterStatus {
    const rateLimit = this.#rateLimitStatus();
    return {
      exchange: this.id,
      connections: [...this.marketData.connections(), ...this.wsApi.connections()],
      streams: this.marketData.streamStats(),
      ...(rateLimit ? { rateLimit } : {}),
      ...(this.timeSync.synced ? { clock: this.timeSync.status() } : {}),
    };
  }

  /** Closes accounts, streams and connections; idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      // The shared connections close at once below: accounts need not unsubscribe one by one.
      this.wsApi.beginClose();
      await Promise.all([...this.#accounts].map((account) => account.close()));
      await this.wsApi.close();
      this.#lifetime.abort(new ClosedError({ message: 'the Binance adapter was closed' }));
      this.timeSync.close();
      this.governor.close();
      await this.marketData.close();
    })();
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
