import { type Clock, Decimal, type Logger, ManualClock } from '@venuekit/core';
import { ExchangeEngine } from '../engine/engine';
import type {
  AccountDefinition,
  AccountInfo,
  BalanceView,
  DepthSnapshot,
  OrderView,
  PlaceOrderResult,
  SymbolDefinition,
} from '../engine/types';
import { MarketSimulation, type MarketSimulationOptions, type ParticipantOrder } from './market-simulation';

export interface FakeMarketOptions {
  /** Default: a ManualClock (time moves only with `advance`). Pass `systemClock` for a live market. */
  readonly clock?: Clock;
  /** Default: DEFAULT_SYMBOLS. */
  readonly symbols?: readonly SymbolDefinition[];
  readonly accounts?: readonly AccountDefinition[];
  /** Other participants trading; `false` for an empty, quiet market. Default: a simulation with seed 1. */
  readonly simulation?: false | Omit<MarketSimulationOptions, 'clock' | 'logger'>;
  readonly logger?: Logger;
  /** How much finished history the engine keeps (see ExchangeEngineOptions). Default 10 000 of each. */
  readonly history?: { readonly trades?: number; readonly perAccount?: number };
}

/**
 * An exchange for tests: the engine, the participants' simulation and the
 * clock behind them, with the handle tests use to see the truth and steer it.
 */
export class FakeMarket {
  readonly engine: ExchangeEngine;
  readonly clock: Clock;
  readonly simulation: MarketSimulation | undefined;

  constructor(options: FakeMarketOptions = {}) {
    this.clock = options.clock ?? new ManualClock();
    this.engine = new ExchangeEngine({
      clock: this.clock,
      ...(options.symbols ? { symbols: options.symbols } : {}),
      ...(options.accounts ? { accounts: options.accounts } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.history?.trades === undefined ? {} : { tradeHistory: options.history.trades }),
      ...(options.history?.perAccount === undefined ? {} : { accountHistory: options.history.perAccount }),
    });
    this.simulation =
      options.simulation === false
        ? undefined
        : new MarketSimulation(this.engine, {
            ...options.simulation,
            clock: this.clock,
            ...(options.logger ? { logger: options.logger } : {}),
          });
  }

  /** The engine's whole book, best first, with its update id: the truth a client's book must equal. */
  book(symbol: string): DepthSnapshot {
    return this.engine.depth(symbol);
  }

  /** An account's open orders (of one symbol when given). */
  orders(accountId: string, symbol?: string): OrderView[] {
    return this.engine.openOrders(accountId, symbol);
  }

  /** An account's balances (every asset it has held). */
  balances(accountId: string): BalanceView[] {
    return this.engine.balances(accountId, true);
  }

  /** One asset's balance; zeros when the account never held it. */
  balance(accountId: string, asset: string): { readonly free: Decimal; readonly locked: Decimal } {
    const found = this.engine.balances(accountId, true).find((balance) => balance.asset === asset);
    return found ?? { free: new Decimal(0), locked: new Decimal(0) };
  }

  createAccount(definition?: AccountDefinition): AccountInfo {
    return this.engine.createAccount(definition);
  }

  /** Places an order as one of the simulated participants (needs the simulation). */
  placeParticipantOrder(symbol: string, order: ParticipantOrder): PlaceOrderResult {
    return this.#simulation().placeOrder(symbol, order);
  }

  /** Moves the market so the last trade is at `price` (needs the simulation). */
  setPrice(symbol: string, price: string | Decimal): void {
    this.#simulation().setPrice(symbol, price);
  }

  /** Moves the virtual clock forward, running the simulation's due actions (needs a ManualClock). */
  async advance(ms: number): Promise<void> {
    if (!(this.clock instanceof ManualClock)) {
      throw new TypeError('advance() needs a ManualClock: this market runs on another clock');
    }
    await this.clock.advance(ms);
  }

  /** Every later request with the key is refused with -2015. */
  revokeApiKey(apiKey: string): void {
    this.engine.revokeApiKey(apiKey);
  }

  pause(): void {
    this.simulation?.pause();
  }

  resume(): void {
    this.simulation?.resume();
  }

  /** Stops the simulation's timers. */
  close(): void {
    this.simulation?.close();
  }

  #simulation(): MarketSimulation {
    if (!this.simulation) throw new TypeError('this market runs without a simulation (simulation: false)');
    return this.simulation;
  }
}
