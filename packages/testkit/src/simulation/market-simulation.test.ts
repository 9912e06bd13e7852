import { Decimal, ManualClock, OrderBook } from '@venuekit/core';
import { describe, expect, it } from 'vitest';
import { ExchangeEngine } from '../engine/engine';
import type { DepthDiffEvent, TradeRecord } from '../engine/types';
import { FakeMarket } from './fake-market';
import { MarketSimulation, type MarketSimulationOptions } from './market-simulation';
import { Prng } from './prng';

const START = Date.UTC(2026, 0, 1);

function fingerprint(seed: number, rounds: number): string {
  const engine = new ExchangeEngine({ clock: new ManualClock(START) });
  const simulation = new MarketSimulation(engine, { seed, paused: true });
  simulation.step(rounds);
  const trades = engine
    .recentTrades('BTCUSDT', 1000)
    .map((t) => `${t.id}:${t.price}:${t.qty}:${t.isBuyerMaker}`);
  const depth = engine.depth('ETHUSDT');
  return JSON.stringify({
    trades,
    bids: depth.bids.map(([p, q]) => `${p}:${q}`),
    asks: depth.asks.map(([p, q]) => `${p}:${q}`),
    id: depth.lastUpdateId,
  });
}

describe('Prng', () => {
  it('repeats a sequence for a seed and differs between seeds', () => {
    const a = new Prng(42);
    const b = new Prng(42);
    const c = new Prng(43);
    const first = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(first);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(first);
    expect(first.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});

describe('MarketSimulation', () => {
  it('produces the same market from the same seed, and another from another seed', () => {
    const one = fingerprint(7, 300);
    expect(fingerprint(7, 300)).toBe(one);
    expect(fingerprint(8, 300)).not.toBe(one);
    expect(JSON.parse(one).trades.length).toBeGreaterThan(10);
  });

  it('keeps a book that snapshot plus diffs rebuild exactly, over thousands of changes', () => {
    const engine = new ExchangeEngine({ clock: new ManualClock(START) });
    const simulation = new MarketSimulation(engine, {
      seed: 3,
      paused: true,
      symbols: ['BTCUSDT', 'ETHBTC'],
    });
    simulation.step(50);
    const books = new Map<string, OrderBook>();
    const next = new Map<string, number>();
    for (const symbol of simulation.symbols) {
      const snapshot = engine.depth(symbol);
      const book = new OrderBook('fake', symbol);
      const raw = (levels: readonly (readonly [Decimal, Decimal])[]) =>
        levels.map(([p, q]) => [p.toString(), q.toString()] as const);
      book.reset(raw(snapshot.bids), raw(snapshot.asks), snapshot.lastUpdateId, 0);
      books.set(symbol, book);
      next.set(symbol, snapshot.lastUpdateId + 1);
    }
    let changes = 0;
    let gaps = 0;
    engine.on('depth', (diff: DepthDiffEvent) => {
      if (diff.firstUpdateId !== next.get(diff.symbol)) gaps++;
      next.set(diff.symbol, diff.finalUpdateId + 1);
      changes += diff.finalUpdateId - diff.firstUpdateId + 1;
      books.get(diff.symbol)?.apply(
        diff.bids.map(([p, q]) => [p.toString(), q.toString()]),
        diff.asks.map(([p, q]) => [p.toString(), q.toString()]),
        diff.finalUpdateId,
        diff.eventTime,
      );
    });
    simulation.step(4000);
    expect(gaps).toBe(0);
    expect(changes).toBeGreaterThan(5000);
    for (const symbol of simulation.symbols) {
      const truth = engine.depth(symbol);
      const book = books.get(symbol) as OrderBook;
      expect(book.sequence).toBe(truth.lastUpdateId);
      const text = (levels: readonly { price: Decimal; quantity: Decimal }[]) =>
        levels.map((l) => `${l.price.toString()}@${l.quantity.toString()}`);
      expect(text(book.bids())).toEqual(truth.bids.map(([p, q]) => `${p}@${q}`));
      expect(text(book.asks())).toEqual(truth.asks.map(([p, q]) => `${p}@${q}`));
      expect(book.isCrossed()).toBe(false);
    }
  });

  it('keeps trades, klines, tickers and balances consistent with each other', async () => {
    const clock = new ManualClock(START);
    const engine = new ExchangeEngine({ clock, accounts: [{ id: 'user', balances: { USDT: '1000' } }] });
    const totals = () => {
      const sums = new Map<string, Decimal>();
      for (const account of engine.accounts()) {
        for (const balance of engine.balances(account.id, true)) {
          sums.set(
            balance.asset,
            (sums.get(balance.asset) ?? new Decimal(0)).plus(balance.free).plus(balance.locked),
          );
        }
      }
      for (const fee of engine.feesCollected())
        sums.set(fee.asset, (sums.get(fee.asset) ?? new Decimal(0)).plus(fee.free));
      return [...sums].map(([asset, total]) => `${asset}=${total.toString()}`).sort();
    };
    const simulation = new MarketSimulation(engine, { seed: 11, rate: 20, symbols: ['BTCUSDT'] });
    const before = totals();
    const trades: TradeRecord[] = [...engine.recentTrades('BTCUSDT')];
    expect(trades).toHaveLength(1);
    engine.on('trade', (trade) => trades.push(trade));
    await clock.advance(5 * 60_000);
    simulation.close();
    expect(simulation.stats.actions).toBeGreaterThan(5000);
    expect(trades.length).toBeGreaterThan(100);
    // Nothing is created or lost: every asset's total over accounts and fees is unchanged.
    expect(totals()).toEqual(before);
    const volume = trades.reduce((sum, t) => sum.plus(t.qty), new Decimal(0));
    const klines = engine.klines('BTCUSDT', '1m', { limit: 1000 });
    const klineTrades = klines.reduce((sum, k) => sum + k.trades, 0);
    const klineVolume = klines.reduce((sum, k) => sum.plus(k.volume), new Decimal(0));
    const ticker = engine.ticker24h('BTCUSDT');
    expect(klineTrades).toBe(trades.length);
    expect(ticker.count).toBe(trades.length);
    expect(klineVolume.eq(volume)).toBe(true);
    expect(ticker.volume.eq(volume)).toBe(true);
    expect(ticker.lastPrice.eq((trades.at(-1) as TradeRecord).price)).toBe(true);
    const top = engine.bookTicker('BTCUSDT');
    const depth = engine.depth('BTCUSDT', 1);
    expect(top.bidPrice.eq(depth.bids[0]?.[0] ?? 0)).toBe(true);
    expect(top.askPrice.eq(depth.asks[0]?.[0] ?? 0)).toBe(true);
    expect(top.bidPrice.lt(top.askPrice)).toBe(true);
  });

  it('runs on the clock at its rate, pauses, resumes and leaves no timer after close', async () => {
    const clock = new ManualClock(START);
    const engine = new ExchangeEngine({ clock });
    const simulation = new MarketSimulation(engine, { seed: 5, rate: 10, symbols: ['BTCUSDT'] });
    await clock.advance(1000);
    expect(simulation.stats.actions).toBe(10);
    simulation.pause();
    await clock.advance(1000);
    expect(simulation.stats.actions).toBe(10);
    simulation.resume();
    simulation.setRate(2);
    await clock.advance(1000);
    expect(simulation.stats.actions).toBe(12);
    simulation.close();
    expect(clock.pendingTimers).toBe(0);
    expect(() => simulation.setRate(0)).toThrow(RangeError);
  });
});

/** An hour of BTCUSDT at `rate` rounds per second, the clock moved a second at a time. */
function hourOf(options: { seed: number; volatility?: MarketSimulationOptions['volatility'] }) {
  const clock = new ManualClock(START);
  const engine = new ExchangeEngine({ clock });
  const rate = 2;
  const simulation = new MarketSimulation(engine, { ...options, rate, paused: true, symbols: ['BTCUSDT'] });
  const fair: number[] = [];
  for (let second = 0; second < 3600; second++) {
    simulation.step(rate);
    clock.set(clock.now() + 1000);
    fair.push(simulation.fairPrice('BTCUSDT').toNumber());
  }
  const candles = engine.klines('BTCUSDT', '1m', { startTime: START, limit: 1000 });
  const high = Math.max(...candles.map((candle) => candle.high.toNumber()));
  const low = Math.min(...candles.map((candle) => candle.low.toNumber()));
  const open = (candles[0] as { open: Decimal }).open.toNumber();
  return { engine, simulation, candles, fair, rangePercent: ((high - low) / open) * 100 };
}

describe('MarketSimulation volatility', () => {
  it('moves candles by about the hourly percent asked, the same way for the same seed', () => {
    const ranges: number[] = [];
    for (const seed of [1, 2, 3]) {
      const { engine, simulation, candles, rangePercent } = hourOf({ seed });
      expect(simulation.volatility.hourly).toBe(0.01); // the default: 1 % per hour
      expect(candles).toHaveLength(61);
      ranges.push(rangePercent);
      // Visible over minutes, far from a runaway: a 1 %/hour walk spans about 1-2 % in an hour.
      expect(rangePercent).toBeGreaterThan(0.4);
      expect(rangePercent).toBeLessThan(5);
      // The book followed the walk: not crossed, and the last trade near the fair price.
      const top = engine.bookTicker('BTCUSDT');
      expect(top.bidPrice.lt(top.askPrice)).toBe(true);
      const last = engine.lastPrice('BTCUSDT')?.price.toNumber() ?? 0;
      const fair = simulation.fairPrice('BTCUSDT').toNumber();
      expect(Math.abs(last - fair) / fair).toBeLessThan(0.005);
    }
    expect(new Set(ranges).size).toBe(3);
    const closes = (seed: number) => hourOf({ seed }).candles.map((candle) => candle.close.toString());
    expect(closes(2)).toEqual(closes(2));
  });

  it('grows with the option, holds still at 0, and jumps as often as asked', () => {
    const calm = hourOf({ seed: 4, volatility: 0.5 }).rangePercent;
    const lively = hourOf({ seed: 4, volatility: 4 }).rangePercent;
    expect(lively).toBeGreaterThan(calm * 3);
    // 0: only the tick-sized drift of the quiet market (a few cents on 60 000).
    expect(hourOf({ seed: 4, volatility: 0 }).rangePercent).toBeLessThan(0.02);
    // Only jumps: the fair price keeps still between about 40 moves of 0.5-1.5 %.
    const { fair } = hourOf({ seed: 4, volatility: { hourlyPercent: 0, jumpsPerHour: 40, jumpPercent: 1 } });
    let jumps = 0;
    let still = 0;
    for (let i = 1; i < fair.length; i++) {
      const move = Math.abs((fair[i] as number) / (fair[i - 1] as number) - 1);
      if (move >= 0.004) jumps++;
      else if (move === 0) still++;
    }
    expect(jumps).toBeGreaterThan(20);
    expect(jumps).toBeLessThan(70);
    expect(still).toBeGreaterThan(3000);
  });

  it('trends with driftPercentPerHour and refuses figures out of range', () => {
    const up = hourOf({ seed: 5, volatility: { hourlyPercent: 0.2, driftPercentPerHour: 3 } });
    const change = (up.fair.at(-1) as number) / (up.fair[0] as number) - 1;
    expect(change).toBeGreaterThan(0.02);
    expect(change).toBeLessThan(0.04);
    const engine = new ExchangeEngine({ clock: new ManualClock(START) });
    expect(() => new MarketSimulation(engine, { volatility: -1 })).toThrow(
      'volatility must be a number from 0 to 100',
    );
    expect(() => new MarketSimulation(engine, { volatility: { jumpsPerHour: Number.NaN } })).toThrow(
      'volatility.jumpsPerHour must be a number from 0 to 3600',
    );
  });
});

describe('FakeMarket', () => {
  it('moves the price, triggering the stops in the way', async () => {
    const market = new FakeMarket({
      accounts: [{ id: 'user', balances: { BTC: '1', USDT: '100000' } }],
      simulation: { seed: 9, symbols: ['BTCUSDT'], rate: 10 },
    });
    await market.advance(2000);
    const last = market.engine.lastPrice('BTCUSDT')?.price as Decimal;
    const stopPrice = last.times('0.95').toDecimalPlaces(2);
    const stop = market.engine.placeOrder('user', {
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'STOP_LOSS',
      quantity: new Decimal('0.01'),
      stopPrice,
    });
    const target = last.times('0.9').toDecimalPlaces(2);
    market.setPrice('BTCUSDT', target);
    // A trade printed at the target; the stop it triggered then sold into the bids below it.
    const recent = market.engine.recentTrades('BTCUSDT', 50);
    expect(recent.some((trade) => trade.price.eq(target))).toBe(true);
    expect(market.engine.lastPrice('BTCUSDT')?.price.lte(target)).toBe(true);
    expect(market.engine.getOrder('user', { symbol: 'BTCUSDT', orderId: stop.order.orderId }).status).toBe(
      'FILLED',
    );
    expect(market.balance('user', 'BTC').free.toString()).toBe('0.99');
    expect(market.orders('user')).toEqual([]);
    await market.advance(2000);
    const book = market.book('BTCUSDT');
    expect(book.bids.length).toBeGreaterThan(0);
    expect(book.asks.length).toBeGreaterThan(0);
    market.setPrice('BTCUSDT', last.times('1.1').toDecimalPlaces(2));
    expect(market.engine.ticker24h('BTCUSDT').highPrice.gte(last.times('1.1').toDecimalPlaces(2))).toBe(true);
    market.close();
  });

  it('places participant orders and revokes keys', () => {
    const market = new FakeMarket({ simulation: { symbols: ['ETHUSDT'], paused: true } });
    const result = market.placeParticipantOrder('ETHUSDT', {
      side: 'SELL',
      type: 'LIMIT',
      timeInForce: 'GTC',
      price: new Decimal('3500'),
      quantity: new Decimal('2'),
    });
    expect(result.order.status).toBe('NEW');
    expect(market.book('ETHUSDT').asks.some(([p]) => p.eq(3500))).toBe(true);
    const account = market.createAccount({ apiKey: 'k1' });
    market.revokeApiKey('k1');
    expect(market.engine.accountByApiKey('k1')?.revoked).toBe(true);
    expect(account.revoked).toBe(true);
    expect(() => new FakeMarket({ simulation: false }).setPrice('BTCUSDT', '1')).toThrow(TypeError);
  });
});
