import { type Clock, type Decimal, ManualClock } from '@venuekit/core';
import type { ExchangeEngine } from '../engine/engine';
import type { AccountInfo, BalanceView, DepthSnapshot, OrderView, PlaceOrderResult } from '../engine/types';
import type { FakeMarket } from '../simulation/fake-market';
import type { MarketSimulation, ParticipantOrder } from '../simulation/market-simulation';
import type { ConnectionRegistry } from './connection-registry';
import type {
  ConnectionKind,
  Fault,
  FaultPlan,
  MessageFaultAction,
  MessageFaultSpec,
  RequestFaultSpec,
} from './faults';
import type { RateLimiter } from './rate-limits';
import type { SkewedClock } from './skewed-clock';
import type { StreamsServer } from './streams-server';
import type { WsApiServer } from './ws-api-server';
import type { ConnectionInfo, ServerConnection } from './ws-connection';

/**
 * Which connections an imperative fault acts on: one id, every connection of a kind, those
 * subscribed to a stream, or all of them.
 */
export type ConnectionTarget =
  | string
  | { readonly id?: string; readonly kind?: ConnectionKind; readonly stream?: string }
  | 'all';

/** The fault controls of a running fake Binance. */
export interface FakeBinanceFaults {
  /** Requests (REST and/or WebSocket API) answered with an error, delayed, or left without an answer. */
  failRequests(spec: RequestFaultSpec): Fault;
  /** Outgoing WebSocket messages dropped, duplicated, delayed, reordered or corrupted. */
  messages(spec: MessageFaultSpec): Fault;
  /** Drops the next diff-depth push(es) of a symbol: the client sees `U > previous u + 1`. */
  depthGap(symbol: string, options?: { readonly connectionId?: string; readonly times?: number }): Fault;
  /** Closes connections with a close frame. Returns how many. */
  closeConnection(target: ConnectionTarget, code?: number, reason?: string): number;
  /** Drops connections without a close frame (as a network failure would). */
  dropConnection(target: ConnectionTarget): number;
  /** No data, no pongs, no pings, the socket left open. */
  silence(target: ConnectionTarget): number;
  resume(target: ConnectionTarget): number;
  /** Ends connections now as Binance does at the maximum lifetime (24 h). */
  expireConnection(target: ConnectionTarget): number;
  /** Sends a text frame that is not valid JSON (or the given text), bypassing other faults. */
  sendMalformed(target: ConnectionTarget, text?: string): number;
  /**
   * Emits `serverShutdown` on every stream and WebSocket API connection; with `closeAfterMs`,
   * closes them that much later (on the server clock).
   */
  serverShutdown(options?: { readonly closeAfterMs?: number }): void;
  /** Moves the server clock (`serverTime`, event times, the recvWindow check) by `ms` from the real one. */
  skewClock(ms: number): void;
  /** Bans an IP now (HTTP 418 on REST, refused WebSocket API connections). Default: 127.0.0.1. */
  ban(durationMs: number, ip?: string): void;
  /** Forgets used weight, order counts and bans. */
  resetRateLimits(): void;
  /** Removes every scripted request and message fault. */
  clear(): void;
}

/** What a test can see and steer of a running fake Binance. */
export interface FakeBinanceHandle {
  /** The exchange itself: the truth behind every answer. */
  readonly engine: ExchangeEngine;
  /** The other participants (undefined with `simulation: false`): pause, resume, rate, step. */
  readonly simulation: MarketSimulation | undefined;
  /** The server clock (the given clock plus the skew fault). */
  readonly clock: Clock;
  readonly faults: FakeBinanceFaults;
  /** The accounts, with their api keys (and `hmacSecret()` for signing); the simulation's participants too. */
  accounts(): readonly AccountInfo[];
  /** Places an order as one of the simulated participants (needs the simulation). */
  placeParticipantOrder(symbol: string, order: ParticipantOrder): PlaceOrderResult;
  /** Moves the market so the last trade is at `price` (needs the simulation). */
  setPrice(symbol: string, price: string | Decimal): void;
  /** Every later request with this key is refused with -2015; WebSocket API sessions are told. */
  revokeApiKey(apiKey: string): void;
  /** Moves a ManualClock forward, running everything due (simulation, pings, stream pushes). */
  advance(ms: number): Promise<void>;
  /** The engine's book: every level, best first, with the update id. */
  book(symbol: string): DepthSnapshot;
  /** The account's open orders. */
  orders(accountId: string): readonly OrderView[];
  balances(accountId: string): readonly BalanceView[];
  connections(kind?: ConnectionKind): readonly ConnectionInfo[];
  /** Calls `listener` for every new WebSocket connection; returns the function that stops it. */
  onConnection(listener: (info: ConnectionInfo) => void): () => void;
  /** Resolves with the next connection of `kind` (or an already open one when `existing`). */
  waitForConnection(
    kind?: ConnectionKind,
    options?: { readonly existing?: boolean },
  ): Promise<ConnectionInfo>;
  /** Request weight used by an IP in the current window. */
  usedWeight(ip?: string): number;
}

export interface HandleDeps {
  readonly market: FakeMarket;
  readonly clock: SkewedClock;
  readonly faults: FaultPlan;
  readonly registry: ConnectionRegistry;
  readonly limiter: RateLimiter;
  readonly streams: StreamsServer;
  readonly wsApi: WsApiServer;
  /** Timers the handle scheduled (serverShutdown closes), cleared on close. */
  readonly timers: Set<ReturnType<Clock['setTimeout']>>;
}

export function createHandle(deps: HandleDeps): FakeBinanceHandle {
  const { market, clock, faults, registry, limiter } = deps;
  const engine = market.engine;

  const select = (target: ConnectionTarget): ServerConnection[] => {
    if (target === 'all') return registry.all();
    if (typeof target === 'string') {
      const connection = registry.get(target);
      return connection ? [connection] : [];
    }
    return registry.all(target.kind).filter((connection) => {
      if (target.id !== undefined && connection.id !== target.id) return false;
      if (target.stream !== undefined && !connection.streams().includes(target.stream)) return false;
      return true;
    });
  };
  const each = (target: ConnectionTarget, act: (connection: ServerConnection) => void): number => {
    const selected = select(target);
    for (const connection of selected) act(connection);
    return selected.length;
  };

  const faultControls: FakeBinanceFaults = {
    failRequests: (spec) => faults.addRequestFault(spec),
    messages: (spec) => faults.addMessageFault(spec),
    depthGap: (symbol, options = {}) => {
      const lower = symbol.toLowerCase();
      const drop: MessageFaultAction = { type: 'drop' };
      return faults.addMessageFault({
        kind: 'streams',
        stream: new RegExp(`^${escapeRegExp(lower)}@depth(@100ms|@1000ms)?$`),
        ...(options.connectionId !== undefined && { connectionId: options.connectionId }),
        times: options.times ?? 1,
        action: drop,
      });
    },
    closeConnection: (target, code = 1000, reason = '') => each(target, (c) => c.close(code, reason)),
    dropConnection: (target) => each(target, (c) => c.terminate()),
    silence: (target) => each(target, (c) => c.silence()),
    resume: (target) => each(target, (c) => c.resume()),
    expireConnection: (target) => each(target, (c) => c.expire()),
    sendMalformed: (target, text = '{"e":"trade","E":') => each(target, (c) => c.sendRaw(text)),
    serverShutdown: (options = {}) => {
      const now = clock.now();
      deps.streams.announceShutdown(now);
      deps.wsApi.announceShutdown(now);
      if (options.closeAfterMs !== undefined) {
        const open = registry.all();
        const timer = clock.setTimeout(() => {
          deps.timers.delete(timer);
          for (const connection of open) connection.close(1001, 'Server shutdown');
        }, options.closeAfterMs);
        deps.timers.add(timer);
      }
    },
    skewClock: (ms) => {
      clock.skewMs = ms;
    },
    ban: (durationMs, ip = '127.0.0.1') => limiter.ban(ip, durationMs, clock.now()),
    resetRateLimits: () => limiter.reset(),
    clear: () => faults.clear(),
  };

  return {
    engine,
    simulation: market.simulation,
    clock,
    faults: faultControls,
    accounts: () => engine.accounts(),
    placeParticipantOrder: (symbol, order) => market.placeParticipantOrder(symbol, order),
    setPrice: (symbol, price) => market.setPrice(symbol, price),
    revokeApiKey: (apiKey) => market.revokeApiKey(apiKey),
    advance: async (ms) => {
      if (!(clock.base instanceof ManualClock)) {
        throw new TypeError(
          'advance() needs a ManualClock: start the fake with { clock: new ManualClock() }',
        );
      }
      await clock.base.advance(ms);
    },
    book: (symbol) => engine.depth(symbol),
    orders: (accountId) => engine.openOrders(accountId),
    balances: (accountId) => engine.balances(accountId),
    connections: (kind) => registry.all(kind).map((connection) => connection.info()),
    onConnection: (listener) => registry.onConnection(listener),
    waitForConnection: (kind, options = {}) => {
      if (options.existing) {
        const open = registry.all(kind)[0];
        if (open) return Promise.resolve(open.info());
      }
      return new Promise((resolve) => {
        const off = registry.onConnection((info) => {
          if (kind !== undefined && info.kind !== kind) return;
          off();
          resolve(info);
        });
      });
    },
    usedWeight: (ip = '127.0.0.1') => limiter.usedWeight(ip, clock.now()),
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
