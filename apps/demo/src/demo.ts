import { fileURLToPath } from 'node:url';
import {
  isVenuekitError,
  type KlineInterval,
  type Logger,
  type OrderRequestInput,
  silentLogger,
  type TimerHandle,
  type UnifiedSymbol,
  ValidationError,
} from '@venuekit/core';
import { DashboardServer } from './dashboard-server';
import type { Env } from './env';
import { FAULTS, FaultInjector, type InjectedFault } from './faults';
import { HealthView } from './health-view';
import { IncidentLog, recordTelemetry } from './incidents';
import { MarketView } from './market-view';
import { DEFAULT_PORT, DEFAULT_SYMBOLS, type DemoOptions } from './options';
import { assembleSystem, type DemoSystem } from './system';
import { orderView, UserDesk } from './user-desk';
import type { ServerMessage, WireBook, WireOrder, WireUpdate, WireUser } from './wire';

export const CANDLE_INTERVALS: readonly KlineInterval[] = ['1s', '1m'];

export interface StartDemoOptions extends Partial<DemoOptions> {
  /** Default: warnings and errors only, on stdout. */
  readonly logger?: Logger;
  readonly env?: Env;
  /** How often changes are pushed to the page. Default 250 ms. */
  readonly flushIntervalMs?: number;
  /** How often the health panel is re-checked. Default 1000 ms. */
  readonly healthIntervalMs?: number;
  /** How long to wait for the venue's streams before serving the page anyway. Default 20 s. */
  readonly startTimeoutMs?: number;
  /** Fake venue: market history run before venuekit connects. Default 150 s. */
  readonly historyMs?: number;
}

/** A running demo: the dashboard's address and everything behind it. */
export interface Demo {
  readonly url: string;
  readonly system: DemoSystem;
  readonly market: MarketView;
  readonly users: readonly UserDesk[];
  readonly incidents: IncidentLog;
  /** Whether every stream was confirmed before the page was served. */
  readonly marketReady: boolean;
  /** Stops the page, venuekit and the fake exchange; idempotent. */
  close(): Promise<void>;
}

/**
 * Starts the whole demo: the venue (the embedded fake Binance by default), venuekit assembled
 * through `createVenuekit`, the two users, and the dashboard server on 127.0.0.1.
 */
export async function startDemo(options: StartDemoOptions = {}): Promise<Demo> {
  const logger = options.logger ?? silentLogger;
  const venue = options.venue ?? 'fake';
  const symbols = options.symbols ?? DEFAULT_SYMBOLS;
  const system = await assembleSystem({
    venue,
    symbols,
    logger,
    ...(options.redisUrl !== undefined ? { redisUrl: options.redisUrl } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.env ? { env: options.env } : {}),
    ...(options.historyMs !== undefined ? { historyMs: options.historyMs } : {}),
  });
  const { venuekit } = system;
  const clock = venuekit.clock;
  const startedAt = clock.now();
  const incidents = new IncidentLog(clock);
  const stopTelemetry = recordTelemetry(incidents, { exchange: 'binance' });
  const timers: TimerHandle[] = [];
  // Ends the start-up wait for the venue's streams (its timer must not outlive the start).
  const startWait = new AbortController();
  let usersChanged = true;
  let healthChanged = false;
  const market = new MarketView({
    streams: system.marketStreams,
    ...(venuekit.exchange().rest ? { rest: venuekit.exchange().rest } : {}),
    symbols,
    intervals: CANDLE_INTERVALS,
    logger,
    onIncident: (level, text) => incidents.add(level, text),
  });
  const desks = system.users.map(
    (keys) =>
      new UserDesk({
        trading: venuekit.trading,
        keys,
        symbols,
        logger,
        onChange: () => {
          usersChanged = true;
        },
        onIncident: (level, text) => incidents.add(level, text),
      }),
  );
  const faults = system.fake ? new FaultInjector(system.fake.handle.faults) : undefined;
  const healthView = new HealthView({
    health: venuekit.health,
    adapters: () => venuekit.registry.list(),
    clock,
    logger,
  });

  const userViews = (): WireUser[] => desks.map((desk) => desk.view());
  const deskOf = (body: Record<string, unknown>): UserDesk => {
    const desk = desks.find((candidate) => candidate.userId === body.user);
    if (!desk) {
      throw new ValidationError('INVALID_PARAMETER', {
        field: 'user',
        rule:
          desks.length === 0
            ? 'cannot be used: this demo has no trading users'
            : `must be one of ${desks.map((d) => d.userId).join(', ')}`,
      });
    }
    return desk;
  };

  const server = new DashboardServer({
    publicDir: fileURLToPath(new URL('../public', import.meta.url)),
    logger,
    opsHandler: venuekit.health.handler,
    api: {
      hello: (): ServerMessage[] => [
        {
          type: 'hello',
          venue: system.venue,
          bus: system.busKind,
          symbols: [...symbols],
          intervals: [...CANDLE_INTERVALS],
          faults: faults ? FAULTS : [],
          trading: desks.length > 0,
          ...(system.tradingNote !== undefined ? { tradingNote: system.tradingNote } : {}),
          startedAt: startedAt,
        },
        {
          type: 'update',
          tickers: market.tickers(),
          users: userViews(),
          ...(healthView.last ? { health: healthView.last } : {}),
          incidents: incidents.recent(),
        },
      ],
      watch: (symbol, interval) => {
        if (typeof symbol !== 'string' || !market.symbols.includes(symbol)) {
          throw new ValidationError('INVALID_PARAMETER', {
            field: 'symbol',
            rule: `must be one of ${market.symbols.join(', ')}`,
          });
        }
        if (typeof interval !== 'string' || !market.intervals.includes(interval as KlineInterval)) {
          throw new ValidationError('INVALID_PARAMETER', {
            field: 'interval',
            rule: `must be one of ${market.intervals.join(', ')}`,
          });
        }
        return market.snapshot(symbol, interval as KlineInterval);
      },
      state: () => ({
        venue: system.venue,
        bus: system.busKind,
        symbols: market.symbols,
        tickers: market.tickers(),
        users: userViews(),
        health: healthView.last,
        incidents: incidents.recent(),
      }),
      placeOrder: async (body): Promise<WireOrder> => {
        const input = objectBody(body);
        const desk = deskOf(input);
        const request = orderInput(input);
        try {
          const order = await desk.placeOrder(request);
          usersChanged = true;
          incidents.add(
            'info',
            `${desk.userId}: ${order.side} ${order.type} ${order.quantity.toString()} ${order.symbol}${
              order.price ? ` @ ${order.price.toString()}` : ''
            } → ${order.status}`,
          );
          return orderView(order);
        } catch (error) {
          usersChanged = true;
          const message = isVenuekitError(error) ? error.userMessage : String(error);
          incidents.add('error', `${desk.userId}: order refused: ${message}`);
          throw error;
        }
      },
      cancelOrder: async (body): Promise<WireOrder> => {
        const input = objectBody(body);
        const desk = deskOf(input);
        const symbol = stringField(input, 'symbol');
        const orderId = stringField(input, 'orderId');
        try {
          const order = await desk.cancelOrder(symbol, orderId);
          usersChanged = true;
          incidents.add('info', `${desk.userId}: order ${order.id} on ${order.symbol} → ${order.status}`);
          return orderView(order);
        } catch (error) {
          usersChanged = true;
          const message = isVenuekitError(error) ? error.userMessage : String(error);
          incidents.add('error', `${desk.userId}: cancel refused: ${message}`);
          throw error;
        }
      },
      injectFault: async (body): Promise<InjectedFault> => {
        const input = objectBody(body);
        if (!faults) {
          throw new ValidationError('NOT_SUPPORTED', {
            field: 'fault',
            rule: 'can only be injected into the embedded fake exchange (not with --live or --testnet)',
          });
        }
        const symbol = input.symbol === undefined ? symbols[0] : input.symbol;
        if (typeof symbol !== 'string' || !market.symbols.includes(symbol)) {
          throw new ValidationError('INVALID_PARAMETER', {
            field: 'symbol',
            rule: `must be one of ${market.symbols.join(', ')}`,
          });
        }
        const injected = faults.inject(input.fault, symbol as UnifiedSymbol);
        incidents.add('warn', `fault injected: ${injected.text}`);
        return injected;
      },
    },
  });

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      startWait.abort();
      for (const timer of timers) clock.clearInterval(timer);
      stopTelemetry();
      await server.close();
      await Promise.allSettled([market.close(), ...desks.map((desk) => desk.close())]);
      await system.close();
    })();
    return closing;
  };

  try {
    const startTimeoutMs = options.startTimeoutMs ?? 20_000;
    let marketReady = false;
    const marketStarted = market.start().then(() => {
      marketReady = true;
    });
    // A refused stream is reported, not fatal: the page shows what works and the health panel the rest.
    marketStarted.catch((error: unknown) => {
      incidents.add('error', `market data: ${isVenuekitError(error) ? error.userMessage : String(error)}`);
    });
    await Promise.all([
      Promise.race([
        marketStarted.catch(() => undefined),
        clock.sleep(startTimeoutMs, startWait.signal).catch(() => undefined),
      ]).finally(() => startWait.abort()),
      ...desks.map((desk) => desk.connect()),
    ]);
    if (!marketReady) {
      incidents.add('warn', `market data not confirmed after ${Math.round(startTimeoutMs / 1000)} s`);
    }
    await healthView.refresh().catch(() => undefined);

    const bookCache = new Map<string, WireBook | undefined>();
    const flush = () => {
      const changes = market.takeChanges();
      const users = usersChanged ? userViews() : undefined;
      usersChanged = false;
      const health = healthChanged ? healthView.last : undefined;
      healthChanged = false;
      const fresh = incidents.takeNew();
      bookCache.clear();
      server.push((view) => {
        const own = view ? changes.symbols.get(view.symbol) : undefined;
        const candles = view && own ? own.candles.get(view.interval as KlineInterval) : undefined;
        let book: WireBook | undefined;
        if (view && own?.bookChanged) {
          if (!bookCache.has(view.symbol)) bookCache.set(view.symbol, market.book(view.symbol));
          book = bookCache.get(view.symbol);
        }
        const update: WireUpdate = {
          type: 'update',
          ...(changes.tickers.length > 0 ? { tickers: changes.tickers } : {}),
          ...(view ? { symbol: view.symbol } : {}),
          ...(candles && candles.length > 0 ? { candles } : {}),
          ...(own && own.trades.length > 0 ? { trades: own.trades } : {}),
          ...(book ? { book } : {}),
          ...(users ? { users } : {}),
          ...(health ? { health } : {}),
          ...(fresh.length > 0 ? { incidents: fresh } : {}),
        };
        return Object.keys(update).length > (view ? 2 : 1) ? update : undefined;
      });
    };
    timers.push(clock.setInterval(flush, options.flushIntervalMs ?? 250));
    timers.push(
      clock.setInterval(() => {
        healthView
          .refresh()
          .then(() => {
            healthChanged = true;
          })
          .catch((error: unknown) => logger.warn('health check failed', { error: String(error) }));
      }, options.healthIntervalMs ?? 1000),
    );
    const url = await server.listen(options.port ?? DEFAULT_PORT, options.host ?? '127.0.0.1');
    return { url, system, market, users: desks, incidents, marketReady, close };
  } catch (error) {
    await close();
    throw error;
  }
}

function objectBody(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ValidationError('INVALID_PARAMETER', { field: 'body', rule: 'must be a JSON object' });
  }
  return body as Record<string, unknown>;
}

function stringField(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ValidationError('MISSING_PARAMETER', { field, rule: 'must be a non-empty string' });
  }
  return value.trim();
}

const ORDER_FIELDS = [
  'symbol',
  'side',
  'type',
  'quantity',
  'quoteQuantity',
  'price',
  'stopPrice',
  'timeInForce',
] as const;

/** The page's order form as venuekit's order input: strings only (decimals stay exact). */
function orderInput(body: Record<string, unknown>): OrderRequestInput {
  const input: Record<string, string> = {};
  for (const field of ORDER_FIELDS) {
    const value = body[field];
    if (value === undefined || value === null || value === '') continue;
    if (typeof value !== 'string') {
      throw new ValidationError('INVALID_PARAMETER', {
        field,
        rule: 'must be a string (decimals are sent as text so they stay exact)',
      });
    }
    input[field] = value.trim();
  }
  // normalizeOrderRequest (in the session) checks every field and names the one at fault.
  return input as unknown as OrderRequestInput;
}
