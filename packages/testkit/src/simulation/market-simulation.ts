import { type Clock, Decimal, type Logger, type TimerHandle } from '@venuekit/core';
import type { ExchangeEngine } from '../engine/engine';
import { isBinanceRejection } from '../engine/errors';
import type {
  AccountInfo,
  EngineTimeInForce,
  NewOrderRequest,
  OrderSide,
  PlaceOrderResult,
  SymbolInfo,
} from '../engine/types';
import { Prng } from './prng';

export interface MarketSimulationOptions {
  /** Same seed, same market (given the same clock ticks). Default 1. */
  readonly seed?: number;
  /** Symbols to animate. Default: every listed symbol with an `initialPrice`. */
  readonly symbols?: readonly string[];
  /** Actions per second per symbol (new orders, cancels, takers, price moves). Default 5. */
  readonly rate?: number;
  /** Start without running (a test then calls `step()` or `resume()`). Default false. */
  readonly paused?: boolean;
  /** Number of participant accounts. Default 3. */
  readonly participants?: number;
  /** Price levels per side put on the book at the start. Default 10. */
  readonly depth?: number;
  /** Resting participant orders per symbol above which the oldest are canceled. Default 120. */
  readonly maxOrders?: number;
  /** Where an unexpected failure of a simulated action is reported. */
  readonly logger?: Logger;
  /** The clock that paces it. Default: the engine's. */
  readonly clock?: Clock;
  /**
   * How much the fair price moves: a seeded random walk plus occasional larger moves (jumps).
   * A number is the walk's standard deviation over an hour in percent, with jumps scaled to it
   * (two per hour of about 0.3 × that percent); `0` keeps the fair price still but for tick-sized
   * drift. Default 1 (% per hour), which moves candles visibly over minutes.
   */
  readonly volatility?: number | VolatilityOptions;
}

/** The fair price's moves; every figure is in simulated time (`rate` rounds make a second). */
export interface VolatilityOptions {
  /** Standard deviation of the random walk over one hour, in percent. Default 1. */
  readonly hourlyPercent?: number;
  /** A steady trend, in percent per hour (negative: down). Default 0. */
  readonly driftPercentPerHour?: number;
  /** Expected number of larger moves per hour. Default 2 (0 when `hourlyPercent` is 0). */
  readonly jumpsPerHour?: number;
  /** A larger move's typical size in percent: each is 0.5 to 1.5 times this, up or down. Default 0.3 × `hourlyPercent`. */
  readonly jumpPercent?: number;
}

/** Volatility with every default filled in, as fractions (0.01 is 1 %). */
export interface ResolvedVolatility {
  readonly hourly: number;
  readonly driftPerHour: number;
  readonly jumpsPerHour: number;
  readonly jump: number;
}

export const DEFAULT_VOLATILITY_PERCENT = 1;

/** A participant order placed through the simulation. `account` picks a participant (default: the first). */
export type ParticipantOrder = Omit<NewOrderRequest, 'symbol'> & { readonly account?: number };

interface SymbolRun {
  readonly info: SymbolInfo;
  readonly tick: Decimal;
  readonly step: Decimal;
  readonly minNotional: Decimal;
  fair: Decimal;
  /** The fair price before rounding to the tick: the random walk's state (not money, never quoted). */
  anchor: number;
  /** Price distance between quote levels beyond the first: about one second's move, at least a tick. */
  spacing: Decimal;
  /** Resting participant orders, oldest first. */
  readonly resting: { readonly orderId: number; readonly accountId: string }[];
}

const PARTICIPANT_BALANCE = '1000000000';

/**
 * Other market participants: a deterministic, seeded stream of limit orders,
 * cancels, marketable orders and price moves, all placed through the engine,
 * so trades, tickers, klines and depth changes are consistent with the book.
 * Paced by a Clock (SystemClock in real use, ManualClock in tests); `step()`
 * runs actions without any clock.
 */
export class MarketSimulation {
  readonly engine: ExchangeEngine;
  readonly clock: Clock;
  readonly #prng: Prng;
  readonly #participants: AccountInfo[] = [];
  readonly #runs = new Map<string, SymbolRun>();
  readonly #logger: Logger | undefined;
  readonly #depth: number;
  readonly #maxOrders: number;
  readonly #volatility: ResolvedVolatility;
  readonly #walking: boolean;
  #rate: number;
  #timer: TimerHandle | undefined;
  #paused: boolean;
  #closed = false;
  #actions = 0;
  #rejected = 0;

  constructor(engine: ExchangeEngine, options: MarketSimulationOptions = {}) {
    this.engine = engine;
    this.clock = options.clock ?? engine.clock;
    this.#prng = new Prng(options.seed ?? 1);
    this.#logger = options.logger;
    this.#rate = positive(options.rate ?? 5, 'rate');
    this.#depth = Math.max(1, Math.floor(options.depth ?? 10));
    this.#maxOrders = Math.max(4, Math.floor(options.maxOrders ?? 120));
    this.#paused = options.paused ?? false;
    this.#volatility = resolveVolatility(options.volatility);
    const { hourly, driftPerHour, jumpsPerHour } = this.#volatility;
    this.#walking = hourly > 0 || driftPerHour !== 0 || jumpsPerHour > 0;
    const count = Math.max(2, Math.floor(options.participants ?? 3));
    const symbols =
      options.symbols ??
      engine
        .symbols()
        .filter((s) => s.initialPrice !== undefined)
        .map((s) => s.symbol);
    const assets = new Set<string>();
    for (const symbol of symbols) {
      const info = engine.symbol(symbol);
      assets.add(info.baseAsset);
      assets.add(info.quoteAsset);
    }
    const balances = Object.fromEntries([...assets].map((asset) => [asset, PARTICIPANT_BALANCE]));
    const prefix = `sim-${engine.accounts().length}`;
    for (let i = 0; i < count; i++) {
      this.#participants.push(
        engine.createAccount({
          id: `${prefix}-participant-${i + 1}`,
          balances,
          makerCommission: '0',
          takerCommission: '0',
        }),
      );
    }
    for (const symbol of symbols) this.#runs.set(symbol, this.#prepare(engine.symbol(symbol)));
    for (const run of this.#runs.values()) this.#prime(run);
    this.#schedule();
  }

  /** The participants' account ids. */
  get participants(): readonly string[] {
    return this.#participants.map((account) => account.id);
  }

  get symbols(): readonly string[] {
    return [...this.#runs.keys()];
  }

  get paused(): boolean {
    return this.#paused;
  }

  get rate(): number {
    return this.#rate;
  }

  /** The fair price's random walk and jumps, as fractions (0.01 is 1 %). */
  get volatility(): ResolvedVolatility {
    return this.#volatility;
  }

  /** Actions run so far, and how many the engine refused (a refused action is skipped). */
  get stats(): { readonly actions: number; readonly rejected: number } {
    return { actions: this.#actions, rejected: this.#rejected };
  }

  /** The price the participants quote around. */
  fairPrice(symbol: string): Decimal {
    return this.#run(symbol).fair;
  }

  pause(): void {
    this.#paused = true;
    this.#unschedule();
  }

  resume(): void {
    if (this.#closed) return;
    this.#paused = false;
    this.#schedule();
  }

  /** Actions per second per symbol. */
  setRate(rate: number): void {
    this.#rate = positive(rate, 'rate');
    this.#unschedule();
    this.#schedule();
  }

  /** Runs `count` rounds now (each round: one action per symbol), whatever the clock and pause state. */
  step(count = 1): void {
    for (let i = 0; i < count; i++) {
      for (const run of this.#runs.values()) this.#act(run);
    }
  }

  /**
   * Moves the market to `price`: the participants' orders in the way are
   * canceled, a trade prints at `price` (so the last price, tickers and stop
   * triggers follow) and fresh quotes are placed around it. A user's resting
   * orders in the way trade against the move, as they would on a real venue.
   */
  setPrice(symbol: string, price: string | Decimal): void {
    const run = this.#run(symbol);
    const target = roundTo(new Decimal(price), run.tick);
    if (target.lte(0)) throw new RangeError(`price must be positive (got ${price.toString()})`);
    for (const entry of [...run.resting]) this.#cancel(run, entry);
    const [buyer, seller] = this.#participants as [AccountInfo, AccountInfo];
    const quantity = this.#minQuantity(run, target).times(2);
    // Sweep whatever else rests between the old and the new price, then print a trade at it.
    const up = target.gt(run.fair);
    this.#try(() =>
      this.engine.placeOrder((up ? buyer : seller).id, {
        symbol,
        side: up ? 'BUY' : 'SELL',
        type: 'LIMIT',
        timeInForce: 'IOC',
        price: target,
        quantity: this.#sweepQuantity(run, up, target).plus(quantity),
      }),
    );
    // Fresh quotes first, so the stops the print triggers find liquidity around the new price.
    this.#setFair(run, target);
    this.#quoteAround(run);
    this.#try(() => this.#limit(run, seller, 'SELL', target, quantity, 'GTC'));
    this.#try(() => this.#limit(run, buyer, 'BUY', target, quantity, 'IOC'));
  }

  /** Places an order for a participant (e.g. liquidity a test needs); returns the engine's result. */
  placeOrder(symbol: string, order: ParticipantOrder): PlaceOrderResult {
    const run = this.#run(symbol);
    const { account = 0, ...request } = order;
    const participant = this.#participants[account];
    if (!participant)
      throw new RangeError(`there are ${this.#participants.length} participants (got ${account})`);
    const result = this.engine.placeOrder(participant.id, { ...request, symbol });
    if (result.order.status === 'NEW' || result.order.status === 'PARTIALLY_FILLED') {
      run.resting.push({ orderId: result.order.orderId, accountId: participant.id });
    }
    return result;
  }

  /** Stops the timers; the engine and its state stay. */
  close(): void {
    this.#closed = true;
    this.#unschedule();
  }

  // -- internals --------------------------------------------------------------

  #run(symbol: string): SymbolRun {
    const run = this.#runs.get(symbol);
    if (!run) throw new RangeError(`the simulation does not run ${symbol}`);
    return run;
  }

  #prepare(info: SymbolInfo): SymbolRun {
    let tick = new Decimal('0.00000001');
    let step = new Decimal('0.00000001');
    let minNotional = new Decimal(0);
    for (const filter of info.filters) {
      if (filter.filterType === 'PRICE_FILTER' && new Decimal(filter.tickSize).gt(0))
        tick = new Decimal(filter.tickSize);
      if (filter.filterType === 'LOT_SIZE' && new Decimal(filter.stepSize).gt(0))
        step = new Decimal(filter.stepSize);
      if (filter.filterType === 'NOTIONAL' || filter.filterType === 'MIN_NOTIONAL') {
        minNotional = new Decimal(filter.minNotional);
      }
    }
    const last = this.engine.lastPrice(info.symbol)?.price;
    const fair = roundTo(last ?? new Decimal(info.initialPrice ?? '100'), tick);
    const run: SymbolRun = {
      info,
      tick,
      step,
      minNotional,
      fair,
      anchor: fair.toNumber(),
      spacing: tick,
      resting: [],
    };
    this.#respace(run);
    return run;
  }

  /** Quotes a ladder around the fair price and prints a first trade there, so a last price exists. */
  #prime(run: SymbolRun): void {
    const [first, second] = this.#participants as [AccountInfo, AccountInfo];
    if (!this.engine.lastPrice(run.info.symbol)) {
      const quantity = this.#minQuantity(run, run.fair);
      this.#try(() => this.#limit(run, first, 'SELL', run.fair, quantity, 'GTC'));
      this.#try(() => this.#limit(run, second, 'BUY', run.fair, quantity, 'IOC'));
    }
    this.#quoteAround(run);
  }

  #quoteAround(run: SymbolRun): void {
    for (let level = 1; level <= this.#depth; level++) {
      for (const side of ['BUY', 'SELL'] as const) {
        const account = this.#prng.pick(this.#participants) as AccountInfo;
        const price = this.#priceAt(run, side, level);
        this.#try(() => this.#limit(run, account, side, price, this.#randomQuantity(run, price), 'GTC'));
      }
    }
  }

  /** One random action: mostly new quotes, some cancels, some marketable orders, some price drift. */
  #act(run: SymbolRun): void {
    this.#actions++;
    if (this.#walking) this.#walk(run);
    const roll = this.#prng.next();
    const account = this.#prng.pick(this.#participants) as AccountInfo;
    if (run.resting.length > this.#maxOrders) {
      this.#cancel(run, run.resting[0] as { orderId: number; accountId: string });
      return;
    }
    if (roll < 0.45) {
      const side: OrderSide = this.#prng.chance(0.5) ? 'BUY' : 'SELL';
      const level = 1 + Math.floor(-Math.log(1 - this.#prng.next()) * 3);
      const price = this.#priceAt(run, side, level);
      this.#try(() => this.#limit(run, account, side, price, this.#randomQuantity(run, price), 'GTC'));
    } else if (roll < 0.7) {
      const entry = this.#prng.pick(run.resting);
      if (entry) this.#cancel(run, entry);
    } else if (roll < 0.9) {
      // A taker crossing the spread: an IOC limit a few ticks through the best price.
      const side: OrderSide = this.#prng.chance(0.5) ? 'BUY' : 'SELL';
      const top = this.engine.bookTicker(run.info.symbol);
      const best = side === 'BUY' ? top.askPrice : top.bidPrice;
      if (best.isZero()) return;
      const through = run.tick.times(this.#prng.int(0, 3));
      const price = side === 'BUY' ? best.plus(through) : Decimal.max(run.tick, best.minus(through));
      this.#try(() => this.#limit(run, account, side, price, this.#randomQuantity(run, price), 'IOC'));
    } else if (!this.#walking) {
      // Without the random walk, the fair price drifts by a few ticks now and then.
      const move = run.tick.times(this.#prng.int(1, 5));
      const next = this.#prng.chance(0.5) ? run.fair.plus(move) : run.fair.minus(move);
      if (next.gt(run.tick.times(10))) run.fair = next;
    }
  }

  /**
   * One round's move of the fair price: a Gaussian step scaled so that the steps of an hour add up
   * to `hourly`, the trend's share, and now and then a jump. The Gaussian is the sum of four
   * uniform draws: only + - × ÷ and √, which IEEE 754 rounds alike everywhere, so a seed gives the
   * same walk on any machine. The quotes
   * follow the new fair price; those left on the wrong side are taken by the next ones, which is
   * how the move prints trades, through the engine like every other order.
   */
  #walk(run: SymbolRun): void {
    const { hourly, driftPerHour, jumpsPerHour, jump } = this.#volatility;
    const stepsPerHour = this.#rate * 3600;
    const prng = this.#prng;
    const gaussian = (prng.next() + prng.next() + prng.next() + prng.next() - 2) * SQRT_3;
    let change = (hourly / Math.sqrt(stepsPerHour)) * gaussian + driftPerHour / stepsPerHour;
    if (jumpsPerHour > 0 && prng.chance(jumpsPerHour / stepsPerHour)) {
      const size = jump * (0.5 + prng.next());
      change += prng.chance(0.5) ? size : -size;
    }
    const next = run.anchor * (1 + change);
    if (!(next > run.tick.toNumber() * 10) || !Number.isFinite(next)) return;
    run.anchor = next;
    const fair = roundTo(new Decimal(next), run.tick);
    if (!fair.eq(run.fair)) {
      run.fair = fair;
      this.#respace(run);
    }
  }

  #setFair(run: SymbolRun, price: Decimal): void {
    run.fair = price;
    run.anchor = price.toNumber();
    this.#respace(run);
  }

  /** Quote levels about one second's move apart (at least a tick), so the book spans the moves. */
  #respace(run: SymbolRun): void {
    const perSecond = this.#volatility.hourly / 60;
    if (perSecond === 0) return;
    const spacing = roundTo(run.fair.times(perSecond), run.tick);
    run.spacing = spacing.gt(run.tick) ? spacing : run.tick;
  }

  #priceAt(run: SymbolRun, side: OrderSide, level: number): Decimal {
    // The first level a tick from the fair price; the deeper ones `spacing` apart.
    const offset = level <= 1 ? run.tick.times(level) : run.tick.plus(run.spacing.times(level - 1));
    const price = side === 'BUY' ? run.fair.minus(offset) : run.fair.plus(offset);
    return Decimal.max(run.tick, price);
  }

  #minQuantity(run: SymbolRun, price: Decimal): Decimal {
    const min = run.minNotional.gt(0) ? run.minNotional.div(price).times('1.1') : run.step;
    return Decimal.max(run.step, min.div(run.step).ceil().times(run.step));
  }

  #randomQuantity(run: SymbolRun, price: Decimal): Decimal {
    return this.#minQuantity(run, price).times(this.#prng.int(1, 100));
  }

  /** Quantity resting on the far side between the fair price and `target`. */
  #sweepQuantity(run: SymbolRun, up: boolean, target: Decimal): Decimal {
    const depth = this.engine.depth(run.info.symbol);
    let total = new Decimal(0);
    for (const [price, quantity] of up ? depth.asks : depth.bids) {
      if (up ? price.gt(target) : price.lt(target)) break;
      total = total.plus(quantity);
    }
    return total;
  }

  #limit(
    run: SymbolRun,
    account: AccountInfo,
    side: OrderSide,
    price: Decimal,
    quantity: Decimal,
    timeInForce: EngineTimeInForce,
  ): void {
    const result = this.engine.placeOrder(account.id, {
      symbol: run.info.symbol,
      side,
      type: 'LIMIT',
      timeInForce,
      price,
      quantity,
      newOrderRespType: 'ACK',
    });
    if (result.order.status === 'NEW' || result.order.status === 'PARTIALLY_FILLED') {
      run.resting.push({ orderId: result.order.orderId, accountId: account.id });
    }
  }

  #cancel(run: SymbolRun, entry: { readonly orderId: number; readonly accountId: string }): void {
    const index = run.resting.indexOf(entry);
    if (index >= 0) run.resting.splice(index, 1);
    this.#try(() =>
      this.engine.cancelOrder(entry.accountId, { symbol: run.info.symbol, orderId: entry.orderId }),
    );
  }

  /** Runs an action; a refusal by the engine (an order already filled, a filter) just skips it. */
  #try(action: () => unknown): void {
    try {
      action();
    } catch (error) {
      if (isBinanceRejection(error)) {
        this.#rejected++;
        return;
      }
      this.#logger?.errorWithException('a simulated market action failed', error);
    }
  }

  #schedule(): void {
    if (this.#paused || this.#closed || this.#timer !== undefined) return;
    const interval = Math.max(1, Math.round(1000 / this.#rate));
    this.#timer = this.clock.setInterval(() => {
      if (!this.#paused && !this.#closed) this.step(1);
    }, interval);
  }

  #unschedule(): void {
    if (this.#timer === undefined) return;
    this.clock.clearInterval(this.#timer);
    this.#timer = undefined;
  }
}

const SQRT_3 = Math.sqrt(3);

/**
 * Fills the defaults of `volatility`. A bad figure is a RangeError whose `field` and `rule` say
 * what is wrong (`volatility.hourlyPercent`, "must be a number from 0 to 100").
 */
export function resolveVolatility(volatility: number | VolatilityOptions | undefined): ResolvedVolatility {
  const options = typeof volatility === 'number' ? { hourlyPercent: volatility } : (volatility ?? {});
  const field = typeof volatility === 'number' ? () => 'volatility' : (name: string) => `volatility.${name}`;
  const hourlyPercent = inRange(
    options.hourlyPercent ?? DEFAULT_VOLATILITY_PERCENT,
    0,
    100,
    field('hourlyPercent'),
  );
  const drift = inRange(options.driftPercentPerHour ?? 0, -100, 100, field('driftPercentPerHour'));
  const jumpsPerHour = inRange(
    options.jumpsPerHour ?? (hourlyPercent > 0 ? 2 : 0),
    0,
    3600,
    field('jumpsPerHour'),
  );
  const jumpPercent = inRange(options.jumpPercent ?? hourlyPercent * 0.3, 0, 50, field('jumpPercent'));
  return { hourly: hourlyPercent / 100, driftPerHour: drift / 100, jumpsPerHour, jump: jumpPercent / 100 };
}

/** A simulation option out of its range; `field` and `rule` name it for a ValidationError. */
export class SimulationOptionError extends RangeError {
  readonly field: string;
  readonly rule: string;

  constructor(field: string, rule: string) {
    super(`${field} ${rule}`);
    this.name = 'SimulationOptionError';
    this.field = field;
    this.rule = rule;
  }
}

function inRange(value: number, min: number, max: number, field: string): number {
  if (typeof value !== 'number' || !(value >= min && value <= max)) {
    throw new SimulationOptionError(field, `must be a number from ${min} to ${max}`);
  }
  return value;
}

function positive(value: number, name: string): number {
  if (!(value > 0) || !Number.isFinite(value))
    throw new SimulationOptionError(name, `must be a positive number (got ${value})`);
  return value;
}

function roundTo(value: Decimal, tick: Decimal): Decimal {
  return value.div(tick).toDecimalPlaces(0, Decimal.ROUND_HALF_UP).times(tick);
}
