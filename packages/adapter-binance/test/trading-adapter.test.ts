import { createCredentials, createVenuekit, normalizeOrderRequest } from '@venuekit/core';
import { type FakeBinance, startFakeBinance } from '@venuekit/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { BinanceAdapter } from '../src/adapter';
import { binanceModule } from '../src/module';
import { collector, eventually, TRADER_API_KEY, TRADER_SECRET } from './trading-harness';

let fake: FakeBinance | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function startFake() {
  fake = await startFakeBinance({
    symbols: ['BTCUSDT'],
    accounts: [
      { id: 'trader', apiKey: TRADER_API_KEY, secretKey: TRADER_SECRET, balances: { USDT: '10000' } },
    ],
  });
  return fake;
}

const order = normalizeOrderRequest({
  symbol: 'BTC/USDT',
  side: 'buy',
  type: 'limit',
  quantity: '0.001',
  price: '40000',
});

describe('accounts from the adapter', () => {
  it('trade through the adapter’s governor and clock, and close with it', async () => {
    const venue = await startFake();
    const adapter = new BinanceAdapter({
      urls: { rest: venue.restUrl, streams: venue.streamsUrl, wsApi: venue.wsApiUrl },
    });
    try {
      expect(adapter.has.createOrder && adapter.has.watchUserData && adapter.has.createOrderWs).toBe(true);
      const account = adapter.createAccount(
        createCredentials({ apiKey: TRADER_API_KEY, secret: TRADER_SECRET }),
        {
          userId: 'alice',
          clientOrderIdPrefix: 'alice-',
        },
      );
      const feed = collector();
      await account.subscribeUserData(feed.observer);
      const placed = await account.placeOrder(order);
      expect(placed.clientOrderId.startsWith('alice-')).toBe(true);
      await feed.until(() => feed.orders().some((e) => e.order.id === placed.id));
      const status = adapter.status();
      expect(status.rateLimit?.weightLimit).toBe(6000);
      expect(status.rateLimit?.usedWeight).toBeGreaterThan(0);
      expect(status.clock?.lastSyncAt).toBeGreaterThan(0);
      expect(Math.abs(status.clock?.offsetMs ?? Number.NaN)).toBeLessThan(1000);
      await adapter.close();
      await expect(account.getOpenOrders()).rejects.toMatchObject({ code: 'CLOSED' });
      await eventually(
        () => venue.handle.connections('wsApi').length === 0,
        10_000,
        'the WebSocket API connection to close',
      );
    } finally {
      await adapter.close();
    }
  });

  it('from the container: the registry’s Binance adapter creates accounts', async () => {
    const venue = await startFake();
    const venuekit = createVenuekit({
      modules: [
        binanceModule({ urls: { rest: venue.restUrl, streams: venue.streamsUrl, wsApi: venue.wsApiUrl } }),
      ],
    });
    try {
      const account = venuekit
        .exchange('binance')
        .createAccount?.(createCredentials({ apiKey: TRADER_API_KEY, secret: TRADER_SECRET }));
      expect(account).toBeDefined();
      const balances = await account!.getBalances();
      expect(balances.map((b) => [b.asset, b.free.toString()])).toEqual([['USDT', '10000']]);
    } finally {
      await venuekit.close();
    }
  });
});
