import { type Clock, Decimal, systemClock, type TimerHandle } from '@venuekit/core';
import { type FakeBinance, type FakeBinanceOptions, startFakeBinance } from '@venuekit/testkit';
import { BinanceAdapter } from '../../src/adapter';
import type { BinanceConfigInput } from '../../src/config';

/** The system clock, counting the timers still pending: a leak check for "nothing left behind". */
export class TrackingClock implements Clock {
  readonly #inner: Clock;
  readonly #timeouts = new Set<TimerHandle>();
  readonly #intervals = new Set<TimerHandle>();

  constructor(inner: Clock = systemClock) {
    this.#inner = inner;
  }

  get pendingTimers(): number {
    return this.#timeouts.size + this.#intervals.size;
  }

  now(): number {
    return this.#inner.now();
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const handle: TimerHandle = this.#inner.setTimeout(() => {
      this.#timeouts.delete(handle);
      callback();
    }, ms);
    this.#timeouts.add(handle);
    return handle;
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    if (handle === undefined) return;
    this.#timeouts.delete(handle);
    this.#inner.clearTimeout(handle);
  }

  setInterval(callback: () => void, ms: number): TimerHandle {
    const handle = this.#inner.setInterval(callback, ms);
    this.#intervals.add(handle);
    return handle;
  }

  clearInterval(handle: TimerHandle | undefined): void {
    if (handle === undefined) return;
    this.#intervals.delete(handle);
    this.#inner.clearInterval(handle);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = () => {
        this.clearTimeout(handle);
        reject(signal?.reason);
      };
      const handle = this.setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

/** Polls a condition with a generous deadline (the machine is shared): never a fixed sleep. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export const MAKER = 'maker';
export const TAKER = 'taker';

export interface Market {
  readonly fake: FakeBinance;
  readonly adapter: BinanceAdapter;
  readonly clock: TrackingClock;
  readonly driver: MarketDriver;
  close(): Promise<void>;
}

/**
 * A fake Binance with two trading accounts and an adapter pointed at it. The fake's own market
 * simulation is off unless asked for, so a test knows every trade and book change.
 */
export async function startMarket(
  config: BinanceConfigInput = {},
  fakeOptions: FakeBinanceOptions = {},
  /** The streams url to give the adapter, e.g. a proxy in front of the fake's. */
  streamsUrl?: (fake: FakeBinance) => string | Promise<string>,
): Promise<Market> {
  const fake = await startFakeBinance({
    accounts: [
      { id: MAKER, balances: { BTC: '100000', ETH: '1000000', USDT: '100000000000' } },
      { id: TAKER, balances: { BTC: '100000', ETH: '1000000', USDT: '100000000000' } },
    ],
    simulation: false,
    ...fakeOptions,
  });
  const clock = new TrackingClock();
  const adapter = new BinanceAdapter(
    {
      ...config,
      urls: {
        rest: fake.restUrl,
        streams: streamsUrl ? await streamsUrl(fake) : fake.streamsUrl,
        wsApi: fake.wsApiUrl,
        ...config.urls,
      },
    },
    { clock },
  );
  return {
    fake,
    adapter,
    clock,
    driver: new MarketDriver(fake, 'BTCUSDT'),
    close: async () => {
      await adapter.close();
      await fake.close();
    },
  };
}

/**
 * Moves the fake's market through its engine: resting orders placed and
 * canceled (book changes) and crossing orders (trades), deterministic from a seed.
 */
export class MarketDriver {
  readonly #fake: FakeBinance;
  readonly symbol: string;
  #seed: number;
  readonly #open: number[] = [];

  constructor(fake: FakeBinance, symbol: string, seed = 42) {
    this.#fake = fake;
    this.symbol = symbol;
    this.#seed = seed;
  }

  random(): number {
    this.#seed = (this.#seed * 16807) % 2147483647;
    return this.#seed / 2147483647;
  }

  get #engine() {
    return this.#fake.handle.engine;
  }

  /** One book change: a resting order placed away from the touch, or one canceled. */
  bookChange(): void {
    if (this.#open.length > 150 || (this.#open.length > 20 && this.random() < 0.4)) {
      const index = Math.floor(this.random() * this.#open.length);
      const [orderId] = this.#open.splice(index, 1);
      try {
        this.#engine.cancelOrder(MAKER, { symbol: this.symbol, orderId: orderId as number });
      } catch {
        // filled meanwhile
      }
      return;
    }
    const bid = this.random() < 0.5;
    const offset = 1 + Math.floor(this.random() * 400) / 10;
    const price = bid ? 59_990 - offset : 60_010 + offset;
    const quantity = (0.001 + Math.floor(this.random() * 100) / 1000).toFixed(5);
    const result = this.#engine.placeOrder(MAKER, {
      symbol: this.symbol,
      side: bid ? 'BUY' : 'SELL',
      type: 'LIMIT',
      timeInForce: 'GTC',
      price: new Decimal(price.toFixed(2)),
      quantity: new Decimal(quantity),
    });
    this.#open.push(result.order.orderId);
  }

  /** One trade: the maker rests a small sell at 60 000, the taker buys it at market. */
  trade(): void {
    this.#engine.placeOrder(MAKER, {
      symbol: this.symbol,
      side: 'SELL',
      type: 'LIMIT',
      timeInForce: 'GTC',
      price: new Decimal('60000.00'),
      quantity: new Decimal('0.00100'),
    });
    this.#engine.placeOrder(TAKER, {
      symbol: this.symbol,
      side: 'BUY',
      type: 'MARKET',
      quantity: new Decimal('0.00100'),
    });
  }
}
