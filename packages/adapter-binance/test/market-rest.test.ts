import { ManualClock, RateLimitError, ValidationError } from '@venuekit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GateRequest, GateResponse, RequestGate } from '../src/rest/request-gate';
import { type Market, startMarket } from './support/harness';

// Public REST and instruments against the fake Binance, whose clock the test moves so a long
// kline history exists.

let market: Market;
const fakeClock = new ManualClock(Date.UTC(2026, 5, 1));
let firstTradeAt = 0;

/** A gate that only records what passes: checks that every request is weighed and observed. */
class RecordingGate implements RequestGate {
  readonly acquired: GateRequest[] = [];
  readonly observed: GateResponse[] = [];
  async acquire(request: GateRequest): Promise<void> {
    this.acquired.push(request);
  }
  observe(response: GateResponse): void {
    this.observed.push(response);
  }
}
const gate = new RecordingGate();

beforeAll(async () => {
  market = await startMarket({}, { clock: fakeClock });
  market.adapter.http.setGate(gate);
  for (let i = 0; i < 30; i++) market.driver.bookChange();
  market.driver.trade();
  firstTradeAt = market.fake.handle.engine.recentTrades('BTCUSDT', 1)[0]?.time as number;
  // 2500 seconds of market: 1s candles for all of it.
  await market.fake.handle.advance(2_500_000);
  market.driver.trade();
});

afterAll(async () => {
  await market?.close();
});

describe('public REST against the fake Binance', () => {
  it('instruments come from exchangeInfo with their filters, cached until refreshed', async () => {
    const instruments = market.adapter.instruments;
    const list = await instruments.list();
    expect(list.map((i) => i.symbol).sort()).toEqual(['BNB/USDT', 'BTC/USDT', 'ETH/BTC', 'ETH/USDT']);
    const btc = await instruments.get('btc/usdt');
    expect(btc).toMatchObject({
      nativeSymbol: 'BTCUSDT',
      base: 'BTC',
      quote: 'USDT',
      status: 'trading',
      active: true,
      pricePrecision: 2,
      quantityPrecision: 5,
    });
    expect([btc.tickSize, btc.stepSize, btc.minNotional, btc.maxNotional].map(String)).toEqual([
      '0.01',
      '0.00001',
      '5',
      '9000000',
    ]);
    expect(String(btc.priceBand?.multiplierUp)).toBe('5');
    const requests = gate.acquired.length;
    await instruments.list();
    await instruments.get('ETH/BTC');
    expect(gate.acquired.length).toBe(requests);
    await instruments.list({ refresh: true });
    expect(gate.acquired.length).toBe(requests + 1);
    expect(gate.acquired.at(-1)).toMatchObject({ weight: 20, kind: 'read' });
    await expect(instruments.get('DOGE/USDT')).rejects.toMatchObject({
      code: 'UNKNOWN_SYMBOL',
      field: 'symbol',
    });
  });

  it('server time, order book, recent trades and 24h tickers', async () => {
    const rest = market.adapter.rest;
    expect(await rest.fetchTime()).toBe(market.fake.handle.clock.now());
    const book = await rest.fetchOrderBook('BTC/USDT', 10);
    const truth = market.fake.handle.book('BTCUSDT');
    expect(book.updateId).toBe(String(truth.lastUpdateId));
    expect(book.bids.map((l) => [String(l.price), String(l.quantity)])).toEqual(
      truth.bids.slice(0, 10).map(([p, q]) => [String(p), String(q)]),
    );
    expect(gate.acquired.at(-1)).toMatchObject({ weight: 5 });
    const trades = await rest.fetchTrades('BTC/USDT', { limit: 2 });
    expect(trades.map((t) => t.id)).toEqual(
      market.fake.handle.engine.recentTrades('BTCUSDT', 2).map((t) => String(t.id)),
    );
    expect(trades[0]).toMatchObject({ symbol: 'BTC/USDT', side: 'buy', buyerIsMaker: false });
    const ticker = await rest.fetchTicker('BTC/USDT');
    expect(ticker).toMatchObject({ symbol: 'BTC/USDT' });
    expect(String(ticker.last)).toBe('60000');
    const some = await rest.fetchTickers(['BTC/USDT', 'ETH/USDT']);
    expect(some.map((t) => t.symbol).sort()).toEqual(['BTC/USDT', 'ETH/USDT']);
    const all = await rest.fetchTickers();
    expect(all.map((t) => t.symbol).sort()).toEqual(['BNB/USDT', 'BTC/USDT', 'ETH/BTC', 'ETH/USDT']);
    expect(gate.acquired.at(-1)).toMatchObject({ weight: 80 });
  });

  it('klines over a long range are paged through, 1000 at a time, in order and without overlap', async () => {
    const rest = market.adapter.rest;
    const since = firstTradeAt - (firstTradeAt % 1000);
    const until = since + 2_499_999;
    const before = gate.acquired.length;
    const klines = await rest.fetchKlines('BTC/USDT', '1s', { since, until });
    expect(klines).toHaveLength(2500);
    expect(gate.acquired.length - before).toBe(3);
    expect(
      klines.every((k, i) => k.openTime === since + i * 1000 && k.closeTime === since + i * 1000 + 999),
    ).toBe(true);
    expect(klines.every((k) => k.interval === '1s' && k.closed)).toBe(true);
    expect(String(klines[0]?.open)).toBe('60000');
    // The latest candles, paging backwards when more than one page is asked for.
    const latest = await rest.fetchKlines('BTC/USDT', '1s', { limit: 1500 });
    expect(latest).toHaveLength(1500);
    expect(latest.every((k, i) => i === 0 || k.openTime === (latest[i - 1]?.openTime as number) + 1000)).toBe(
      true,
    );
    expect(latest.at(-1)?.openTime).toBe(fakeClock.now() - (fakeClock.now() % 1000));
    const capped = await rest.fetchKlines('BTC/USDT', '1m', { since, limit: 7 });
    expect(capped).toHaveLength(7);
  });

  it('used weight is read from the X-MBX-USED-WEIGHT headers and fed to the gate', async () => {
    await market.adapter.rest.fetchTime();
    const observed = gate.observed.at(-1);
    expect(observed?.status).toBe(200);
    expect(Number(observed?.headers['x-mbx-used-weight-1m'])).toBe(market.fake.handle.usedWeight());
    expect(market.adapter.http.observedWeight?.usedWeight).toBe(market.fake.handle.usedWeight());
    expect(market.adapter.status().rateLimit).toMatchObject({ usedWeight: market.fake.handle.usedWeight() });
  });

  it('bad input is refused before anything is sent; Binance errors arrive as core errors', async () => {
    const rest = market.adapter.rest;
    const weight = market.fake.handle.usedWeight();
    const requests = gate.acquired.length;
    await expect(rest.fetchOrderBook('BTC/USDT', 6000)).rejects.toMatchObject({ field: 'limit' });
    await expect(rest.fetchTrades('BTCUSDT')).rejects.toBeInstanceOf(ValidationError);
    await expect(rest.fetchKlines('BTC/USDT', '7m' as '1m')).rejects.toMatchObject({ field: 'interval' });
    await expect(rest.fetchKlines('BTC/USDT', '1m', { since: 10, until: 5 })).rejects.toMatchObject({
      field: 'since',
    });
    expect(gate.acquired.length).toBe(requests);
    expect(market.fake.handle.usedWeight()).toBe(weight);

    await expect(rest.fetchOrderBook('NOPE/USDT')).rejects.toMatchObject({
      code: 'UNKNOWN_SYMBOL',
      venue: { code: -1121, status: 400 },
    });
    market.fake.handle.faults.failRequests({
      endpoint: '/api/v3/depth',
      action: { type: 'error', status: 429, retryAfterSeconds: 7 },
    });
    const limited = await rest.fetchOrderBook('BTC/USDT').catch((error: unknown) => error);
    expect(limited).toBeInstanceOf(RateLimitError);
    expect(limited).toMatchObject({ retryAfterMs: 7_000, retryable: true });
    expect(gate.observed.at(-1)).toMatchObject({ status: 429, code: -1003 });
  });
});

describe('REST transport failures', () => {
  it('a request the venue does not answer in time fails with a TimeoutError; an unreachable venue with a NetworkError', async () => {
    const quiet = await startMarket({ rest: { timeoutMs: 300 } });
    try {
      quiet.fake.handle.faults.failRequests({ endpoint: '/api/v3/time', action: { type: 'noResponse' } });
      await expect(quiet.adapter.rest.fetchTime()).rejects.toMatchObject({
        code: 'REQUEST_TIMEOUT',
        retryable: true,
      });
      expect(await quiet.adapter.rest.fetchTime()).toBeGreaterThan(0);
    } finally {
      await quiet.close();
    }
    const { BinanceAdapter } = await import('../src/adapter');
    const gone = new BinanceAdapter({ urls: { rest: quiet.fake.restUrl } });
    await expect(gone.rest.fetchTime()).rejects.toMatchObject({ code: 'NETWORK_ERROR', retryable: true });
    await gone.close();
  });
});
