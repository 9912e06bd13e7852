// The README's example tests, kept runnable so the documentation cannot drift from the code.
import { createVenuekit, Decimal, ManualClock, normalizeOrderRequest, silentLogger } from '@venuekit/core';
import { afterEach, expect, it } from 'vitest';
import { ExchangeEngine } from '../engine/engine';
import { fakeExchangeModule } from '../module';
import { startFakeBinance } from '../start';
import { FakeExchange } from './fake-exchange';

const fake = new FakeExchange();
afterEach(() => fake.close());

it('buys from the book and pays the taker fee in BTC', async () => {
  const maker = fake.addAccount({ balances: { BTC: '1' } });
  const me = fake.addAccount({ balances: { USDT: '10000' } });
  const seller = fake.createAccount(maker.credentials);
  const account = fake.createAccount(me.credentials);

  await seller.placeOrder(
    normalizeOrderRequest({
      symbol: 'BTC/USDT',
      side: 'sell',
      type: 'limit',
      price: '60000',
      quantity: '0.1',
    }),
  );
  const order = await account.placeOrder(
    normalizeOrderRequest({ symbol: 'BTC/USDT', side: 'buy', type: 'market', quantity: '0.05' }),
  );

  expect(order.status).toBe('filled');
  expect(order.averagePrice?.toString()).toBe('60000');
  expect(fake.market.balance(me.accountId, 'BTC').free.toString()).toBe('0.04995'); // 0.1 % fee
});

it('runs a seeded market on the clock', async () => {
  const live = new FakeExchange({ simulation: { seed: 42, rate: 20 } });
  try {
    const ids: string[] = [];
    const sub = live.marketData.subscribe(
      { kind: 'orderBook', symbol: 'BTC/USDT' },
      { next: (u) => ids.push(u.updateId) },
    );
    await sub.ready;
    await live.market.advance(10_000);
    live.market.setPrice('BTCUSDT', '55000');
    expect(ids.length).toBeGreaterThan(10);
    expect(live.engine.ticker24h('BTCUSDT').lowPrice.lte(55000)).toBe(true);
  } finally {
    await live.close();
  }
});

it('registers in the container and scripts the engine directly', async () => {
  const venuekit = createVenuekit({
    modules: [fakeExchangeModule({ id: 'paper' })],
    clock: new ManualClock(),
    logger: silentLogger,
  });
  expect(venuekit.exchange('paper')).toBe(venuekit.fakeExchange);
  await venuekit.close();

  const engine = new ExchangeEngine({
    clock: new ManualClock(),
    accounts: [{ id: 'a', balances: { USDT: '1000' } }],
  });
  const seen: string[] = [];
  engine.on('execution', (report) => seen.push(`${report.executionType}/${report.order.status}`));
  engine.placeOrder('a', {
    symbol: 'BTCUSDT',
    side: 'BUY',
    type: 'LIMIT',
    timeInForce: 'GTC',
    price: new Decimal('50000'),
    quantity: new Decimal('0.01'),
  });
  expect(seen).toEqual(['NEW/NEW']);
});

it('serves the order book over REST', async () => {
  const binance = await startFakeBinance({ seed: 7 });
  try {
    const response = await fetch(`${binance.restUrl}/api/v3/depth?symbol=BTCUSDT&limit=5`);
    const depth = (await response.json()) as { lastUpdateId: number; bids: unknown[] };
    expect(depth.lastUpdateId).toBeGreaterThan(0);
    expect(depth.bids).toHaveLength(5);
  } finally {
    await binance.close();
  }
});
