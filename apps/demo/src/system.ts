import { randomBytes } from 'node:crypto';
import {
  BINANCE_MARKET_DATA_ONLY_URLS,
  type BinanceConfigInput,
  binanceConfigFromEnv,
  binanceModule,
} from '@venuekit/adapter-binance';
import {
  createCredentials,
  createVenuekit,
  type Logger,
  type MessageBus,
  type StreamKind,
} from '@venuekit/core';
import { healthModule } from '@venuekit/health';
import { RedisBus, streamsModule } from '@venuekit/streams';
import { type FakeBinance, startFakeBinance } from '@venuekit/testkit';
import { tradingModule } from '@venuekit/trading';
import { type Env, testnetUsersFromEnv } from './env';
import { toBinanceSymbol } from './faults';
import type { MarketStreams } from './market-view';
import type { DemoOptions, DemoVenue } from './options';
import type { DemoUserKeys } from './user-desk';
import { WarmupClock } from './warmup-clock';

/** Market history the fake venue has when the demo opens: the 1 s chart's width. */
export const DEFAULT_HISTORY_MS = 150_000;

/** The two users of the fake venue and what their accounts hold at the start. */
export const FAKE_USERS: readonly { readonly userId: string; readonly balances: Record<string, string> }[] = [
  { userId: 'alice', balances: { BTC: '2', ETH: '25', BNB: '200', USDT: '150000' } },
  { userId: 'bob', balances: { BTC: '0.75', ETH: '10', BNB: '50', USDT: '40000' } },
];

/**
 * Against the fake, the demo watches its connections closely so an injected fault shows
 * within seconds (production defaults are gentler: 10 s pings, 30 s silence).
 */
const FAKE_BINANCE_CONFIG: BinanceConfigInput = {
  streams: {
    pingIntervalMs: 2_000,
    pongTimeoutMs: 5_000,
    silenceTimeoutMs: 8_000,
    reconnect: { initialDelayMs: 250, maxDelayMs: 5_000 },
  },
  orderBook: { snapshotLimit: 1000, resyncInitialDelayMs: 250, resyncMaxDelayMs: 5_000 },
};

/** Quiet time after which the health panel calls a stream stale, for the fake's push rates. */
const FAKE_STALE_AFTER_MS: Partial<Record<StreamKind, number>> = {
  ticker: 4_000,
  miniTicker: 4_000,
  depth: 4_000,
  orderBook: 5_000,
  bookTicker: 5_000,
  klines: 5_000,
  trades: 30_000,
  aggTrades: 30_000,
};

function modules(binance: BinanceConfigInput, fake: boolean, gateway: boolean) {
  return [
    binanceModule(binance),
    streamsModule({
      gateway,
      ...(fake ? { staleAfterMs: 30_000, staleAfterMsByKind: FAKE_STALE_AFTER_MS } : {}),
    }),
    tradingModule(),
    healthModule({
      basePath: '/ops',
      ...(fake ? { marketData: { staleAfterMs: FAKE_STALE_AFTER_MS } } : {}),
    }),
  ];
}

function assemble(binance: BinanceConfigInput, fake: boolean, logger: Logger, bus?: MessageBus) {
  return createVenuekit({
    logger,
    ...(bus ? { bus } : {}),
    modules: modules(binance, fake, bus !== undefined),
  });
}

/** venuekit as the demo assembles it: Binance adapter, streams, trading with users, health. */
export type DemoVenuekit = ReturnType<typeof assemble>;

export interface DemoSystem {
  readonly venue: DemoVenue;
  /** `in-process` or `redis`. */
  readonly busKind: string;
  readonly venuekit: DemoVenuekit;
  /** Where the dashboard's market data comes from: `venuekit.streams`, or a Redis consumer's. */
  readonly marketStreams: MarketStreams;
  /** The bus that market data reaches the dashboard through. */
  readonly marketBus: MessageBus;
  /** The embedded fake Binance (fake venue only). */
  readonly fake?: FakeBinance;
  /** The users the dashboard trades for. */
  readonly users: readonly DemoUserKeys[];
  /** Why there is no trading, when there is none. */
  readonly tradingNote?: string;
  /** Closes everything it started, in reverse order. */
  close(): Promise<void>;
}

export interface AssembleOptions extends Pick<DemoOptions, 'venue' | 'symbols' | 'redisUrl' | 'seed'> {
  readonly logger: Logger;
  readonly env?: Env;
  /**
   * Fake venue: how much market history the simulation runs (as fast as it can) before venuekit
   * connects, so the charts are not empty when the page opens. Default 150 s; 0 for none.
   */
  readonly historyMs?: number;
}

/**
 * Starts what the chosen venue needs and assembles venuekit through `createVenuekit`.
 * Everything started is closed again if a later step fails.
 */
export async function assembleSystem(options: AssembleOptions): Promise<DemoSystem> {
  const env = options.env ?? process.env;
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const close of closers.splice(0).reverse()) {
      await close().catch((error: unknown) => {
        options.logger.warn('the demo could not close one of its parts', { error: String(error) });
      });
    }
  };
  try {
    let binance: BinanceConfigInput;
    let fake: FakeBinance | undefined;
    let users: DemoUserKeys[] = [];
    let tradingNote: string | undefined;
    switch (options.venue) {
      case 'fake': {
        // The fake generates each account's key and HMAC secret (throwaway, marked VKFAKE…).
        const accounts = FAKE_USERS.map((user) => ({ id: user.userId, balances: user.balances }));
        const clock = new WarmupClock(options.historyMs ?? DEFAULT_HISTORY_MS);
        const started = await startFakeBinance({
          clock,
          symbols: options.symbols.map(toBinanceSymbol),
          accounts,
          ...(options.seed !== undefined ? { seed: options.seed } : {}),
          simulation: { rate: 6, depth: 24, volatility: 3 },
        });
        fake = started;
        closers.push(() => started.close());
        // The other participants trade for a while before anyone is watching.
        await clock.catchUp();
        users = started.handle
          .accounts()
          .filter((account) => FAKE_USERS.some((user) => user.userId === account.id))
          .map((account) => {
            const secret = account.hmacSecret();
            if (secret === undefined)
              throw new TypeError(`the fake account ${account.id} has no HMAC secret`);
            return { userId: account.id, credentials: createCredentials({ apiKey: account.apiKey, secret }) };
          });
        binance = {
          ...FAKE_BINANCE_CONFIG,
          urls: { rest: started.restUrl, streams: started.streamsUrl, wsApi: started.wsApiUrl },
        };
        break;
      }
      case 'live':
        // Public market data only: Binance's market-data hosts need no key and carry no trading.
        binance = {
          ...binanceConfigFromEnv(env),
          environment: 'prod',
          urls: { ...BINANCE_MARKET_DATA_ONLY_URLS },
        };
        tradingNote =
          'Live market data from Binance production: trading is off (run with --testnet to trade).';
        break;
      case 'testnet':
        binance = { ...binanceConfigFromEnv(env), environment: 'testnet' };
        users = testnetUsersFromEnv(env);
        if (users.length === 0) {
          tradingNote =
            'No testnet keys in the environment: set BINANCE_TESTNET_API_KEY and BINANCE_TESTNET_SECRET_KEY to trade.';
        }
        break;
    }

    const isFake = options.venue === 'fake';
    let venuekit: DemoVenuekit;
    let marketStreams: MarketStreams;
    let marketBus: MessageBus;
    let busKind = 'in-process';
    if (options.redisUrl !== undefined) {
      // A gateway holds the venue's connections and publishes on Redis; the dashboard reads
      // market data as a consumer process would, through its own Redis connections.
      const prefix = `venuekit-demo-${randomBytes(4).toString('hex')}`;
      const gatewayBus = new RedisBus({ url: options.redisUrl, prefix, logger: options.logger });
      venuekit = assemble(binance, isFake, options.logger, gatewayBus);
      closers.push(() => venuekit.close());
      await venuekit.streams.serve();
      const consumer = createVenuekit({
        logger: options.logger,
        bus: new RedisBus({ url: options.redisUrl, prefix, logger: options.logger }),
        modules: [streamsModule({ defaultExchange: 'binance' })],
      });
      closers.push(() => consumer.close());
      marketStreams = consumer.streams;
      marketBus = consumer.bus;
      busKind = 'redis';
    } else {
      venuekit = assemble(binance, isFake, options.logger);
      closers.push(() => venuekit.close());
      marketStreams = venuekit.streams;
      marketBus = venuekit.bus;
    }
    // Resolve the facades now: a bad configuration fails here, not on the first click.
    void venuekit.health;
    void venuekit.trading;

    return {
      venue: options.venue,
      busKind,
      venuekit,
      marketStreams,
      marketBus,
      ...(fake ? { fake } : {}),
      users,
      ...(tradingNote !== undefined ? { tradingNote } : {}),
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
