import { type Clock, type Logger, silentLogger, systemClock, ValidationError } from '@venuekit/core';
import { DEFAULT_SYMBOLS } from './engine/symbols';
import type { AccountDefinition, SymbolDefinition } from './engine/types';
import { Authenticator } from './server/auth';
import { ConnectionRegistry } from './server/connection-registry';
import { FaultPlan } from './server/faults';
import { createHandle, type FakeBinanceHandle } from './server/handle';
import { UnfilledOrderCount } from './server/order-count';
import { createPayloads } from './server/payloads';
import { isNameableWindow, RateLimiter } from './server/rate-limits';
import { RestServer } from './server/rest-server';
import {
  BINANCE_LIMITS,
  BINANCE_STREAM_TIMINGS,
  type FakeBinanceLimits,
  type StreamTimings,
} from './server/settings';
import { SkewedClock } from './server/skewed-clock';
import { StreamHub } from './server/stream-hub';
import { StreamsServer } from './server/streams-server';
import { WsApiServer } from './server/ws-api-server';
import { FakeMarket } from './simulation/fake-market';
import {
  type MarketSimulationOptions,
  resolveVolatility,
  SimulationOptionError,
} from './simulation/market-simulation';

export interface FakeBinanceOptions {
  /**
   * Markets: full definitions, or names of the default ones (`'BTCUSDT'`, `'ETHUSDT'`,
   * `'BNBUSDT'`, `'ETHBTC'`). Default: all default markets.
   */
  readonly symbols?: ReadonlyArray<SymbolDefinition | string>;
  /**
   * Accounts with their keys and balances. Default: one demo account (`demo`) holding
   * 10 BTC, 100 ETH, 1000 BNB and 1 000 000 USDT, with a generated api key and HMAC secret.
   */
  readonly accounts?: readonly AccountDefinition[];
  /**
   * The source of time and timers. Default: the system clock. With a ManualClock, time (and the
   * simulation, the pings, the periodic streams) moves only with `handle.advance(ms)`.
   */
  readonly clock?: Clock;
  /** Seed of the market simulation: same seed, same market (given the same clock ticks). Default 1. */
  readonly seed?: number;
  /**
   * Other participants trading on every market (seeded, deterministic): `false` for a quiet
   * market where only the test trades. Default: on, 5 actions per second per symbol, the fair
   * price a random walk of 1 % per hour with occasional larger moves (`volatility`).
   */
  readonly simulation?: boolean | Omit<MarketSimulationOptions, 'clock' | 'logger' | 'seed'>;
  /** Binance's limits, shrinkable for tests (ping interval, pong deadline, lifetime, weights…). */
  readonly limits?: Partial<FakeBinanceLimits>;
  /** Push intervals of the periodic streams (depth, tickers, klines). */
  readonly streamTimings?: Partial<StreamTimings>;
  /** Fixed ports; 0 or absent: an ephemeral port. */
  readonly ports?: { readonly rest?: number; readonly streams?: number; readonly wsApi?: number };
  /** Where unexpected server errors are logged. Default: silent. */
  readonly logger?: Logger;
  /**
   * Finished history the engine keeps: public trades per symbol (what `trades`/`aggTrades` can
   * return) and finished orders and trades per account. Default 10 000 of each; a long soak lowers
   * them so its memory levels off sooner.
   */
  readonly history?: { readonly trades?: number; readonly perAccount?: number };
}

export interface FakeBinance {
  /** `http://127.0.0.1:<port>`: REST under `/api/v3`. */
  readonly restUrl: string;
  /** `ws://127.0.0.1:<port>`: market streams under `/ws` and `/stream`. */
  readonly streamsUrl: string;
  /** `ws://127.0.0.1:<port>/ws-api/v3`. */
  readonly wsApiUrl: string;
  readonly handle: FakeBinanceHandle;
  /** Stops everything it started: servers, sockets, timers. */
  close(): Promise<void>;
}

export const DEMO_ACCOUNT: AccountDefinition = {
  id: 'demo',
  balances: { BTC: '10', ETH: '100', BNB: '1000', USDT: '1000000' },
};

function resolveSymbols(symbols: FakeBinanceOptions['symbols']): SymbolDefinition[] {
  if (symbols === undefined) return [...DEFAULT_SYMBOLS];
  return symbols.map((entry, index) => {
    if (typeof entry !== 'string') return entry;
    const found = DEFAULT_SYMBOLS.find((definition) => definition.symbol === entry.toUpperCase());
    if (!found) {
      throw new ValidationError('INVALID_PARAMETER', {
        field: `symbols[${index}]`,
        rule: `must be a symbol definition or one of ${DEFAULT_SYMBOLS.map((d) => d.symbol).join(', ')}`,
      });
    }
    return found;
  });
}

const POSITIVE_LIMITS: ReadonlyArray<keyof FakeBinanceLimits> = [
  'requestWeight',
  'requestWeightWindowMs',
  'rawRequests',
  'rawRequestsWindowMs',
  'ordersPer10s',
  'ordersPerDay',
  'firstBanMs',
  'maxBanMs',
  'pongTimeoutMs',
  'maxStreamsPerConnection',
  'connectionAttempts',
  'connectionAttemptsWindowMs',
  'maxUserDataSubscriptions',
];

/** Options are checked before anything starts: a ValidationError names the field and the rule. */
function validate(limits: FakeBinanceLimits, timings: StreamTimings, options: FakeBinanceOptions): void {
  const fail = (field: string, rule: string) => {
    throw new ValidationError('INVALID_PARAMETER', { field, rule });
  };
  for (const [name, value] of Object.entries(limits)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      fail(`limits.${name}`, 'must be a finite number, 0 or more');
    }
    if (POSITIVE_LIMITS.includes(name as keyof FakeBinanceLimits) && value <= 0) {
      fail(`limits.${name}`, 'must be greater than 0');
    }
  }
  // exchangeInfo and the headers name these windows in Binance's intervals (SECOND at the least).
  for (const name of ['requestWeightWindowMs', 'rawRequestsWindowMs'] as const) {
    if (!isNameableWindow(limits[name])) {
      fail(
        `limits.${name}`,
        'must be whole seconds in ms, 1000 or more: Binance names windows in SECOND, MINUTE, HOUR, DAY',
      );
    }
  }
  for (const [name, value] of Object.entries(timings)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      fail(`streamTimings.${name}`, 'must be a number of milliseconds greater than 0');
    }
  }
  for (const [name, value] of Object.entries(options.ports ?? {})) {
    if (value !== undefined && (!Number.isInteger(value) || value < 0 || value > 65535)) {
      fail(`ports.${name}`, 'must be a port number from 0 to 65535');
    }
  }
  if (options.seed !== undefined && !Number.isSafeInteger(options.seed)) fail('seed', 'must be an integer');
  for (const [name, value] of Object.entries(options.history ?? {})) {
    if (value !== undefined && (!Number.isSafeInteger(value) || value < 1)) {
      fail(`history.${name}`, 'must be a whole number, 1 or more');
    }
  }
  const simulation = options.simulation;
  if (typeof simulation === 'object' && simulation !== null) {
    const { rate } = simulation;
    if (rate !== undefined && (typeof rate !== 'number' || !Number.isFinite(rate) || rate <= 0)) {
      fail('simulation.rate', 'must be a number of actions per second greater than 0');
    }
    try {
      resolveVolatility(simulation.volatility);
    } catch (error) {
      if (error instanceof SimulationOptionError) fail(`simulation.${error.field}`, error.rule);
      throw error;
    }
  }
}

/**
 * Starts a fake Binance on 127.0.0.1: REST, market streams and the WebSocket API, over real
 * sockets, backed by the matching engine. Everything it starts, `close()` stops.
 */
export async function startFakeBinance(options: FakeBinanceOptions = {}): Promise<FakeBinance> {
  const limits: FakeBinanceLimits = { ...BINANCE_LIMITS, ...options.limits };
  const timings: StreamTimings = { ...BINANCE_STREAM_TIMINGS, ...options.streamTimings };
  validate(limits, timings, options);
  const logger = options.logger ?? silentLogger;
  const clock = new SkewedClock(options.clock ?? systemClock);
  const accounts = options.accounts ?? [DEMO_ACCOUNT];
  const simulation = options.simulation ?? true;
  const market = new FakeMarket({
    clock,
    symbols: resolveSymbols(options.symbols),
    accounts,
    logger,
    ...(options.history ? { history: options.history } : {}),
    simulation:
      simulation === false
        ? false
        : {
            ...(simulation === true ? {} : simulation),
            ...(options.seed !== undefined && { seed: options.seed }),
          },
  });
  const engine = market.engine;
  const payloads = createPayloads(engine);
  const limiter = new RateLimiter(limits);
  const faults = new FaultPlan();
  const registry = new ConnectionRegistry();
  const authenticator = new Authenticator(engine);
  const orderCount = new UnfilledOrderCount(engine, limiter, clock);
  const deps = { engine, clock, limiter, authenticator, wire: payloads.responses, orderCount };
  const hub = new StreamHub(engine, payloads.streams, clock, timings);
  const rest = new RestServer({ ...deps, faults, logger });
  const streams = new StreamsServer({ clock, limits, hub, faults, registry });
  const wsApi = new WsApiServer({ ...deps, limits, faults, registry, userData: payloads.userData, logger });
  const timers = new Set<ReturnType<Clock['setTimeout']>>();

  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    for (const timer of timers) clock.clearTimeout(timer);
    timers.clear();
    faults.clear();
    market.close();
    hub.close();
    orderCount.close();
    await Promise.all([rest.close(), streams.close(), wsApi.close()]);
  };

  try {
    const [restUrl, streamsUrl, wsApiUrl] = await Promise.all([
      rest.start(options.ports?.rest ?? 0),
      streams.start(options.ports?.streams ?? 0),
      wsApi.start(options.ports?.wsApi ?? 0),
    ]);
    const handle = createHandle({ market, clock, faults, registry, limiter, streams, wsApi, timers });
    return { restUrl, streamsUrl, wsApiUrl, handle, close };
  } catch (error) {
    await close();
    throw error;
  }
}
