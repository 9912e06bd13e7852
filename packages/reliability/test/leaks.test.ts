// Leak loops over real sockets: subscribing and unsubscribing streams, and connecting and
// disconnecting users, again and again against the fake Binance — running in a process of its own,
// so the heap measured here is the client's alone. After a warm-up, the open handles (sockets,
// servers, timers) and the heap — measured after forced garbage collection, which this package's
// vitest config enables with --expose-gc — must not grow with the number of rounds.
import { BinanceAdapter } from '@venuekit/adapter-binance';
import { ExchangeRegistry } from '@venuekit/core';
import { StreamManager } from '@venuekit/streams';
import { UserManager } from '@venuekit/trading';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activeResources, type ResourceCounts, resourceGrowth } from '../src/guard/resources';
import { registerTestSecret } from '../src/guard/secret-guard';
import { type FakeChild, startFakeChild } from './support/fake-child';
import { waitFor } from './support/wait';

const KEY = 'LEAKCHECKleakLoopApiKey'.padEnd(64, 'K');
const SECRET = 'LEAKCHECKleakLoopSecret'.padEnd(64, 'S');
registerTestSecret(KEY);
registerTestSecret(SECRET);

const gc = (globalThis as { gc?: () => void }).gc;

/** Heap after full collections (the least of three readings), and the open handles. */
async function measure(): Promise<{ heapMb: number; handles: ResourceCounts }> {
  let heap = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    gc?.();
    heap = Math.min(heap, process.memoryUsage().heapUsed);
  }
  return { heapMb: heap / 1048576, handles: activeResources() };
}

let fake: FakeChild;
let adapter: BinanceAdapter;

beforeAll(async () => {
  fake = await startFakeChild({
    symbols: ['BTCUSDT', 'ETHUSDT'],
    simulation: { rate: 20 },
    // Hundreds of connections and logins a minute: Binance's per-minute budgets raised accordingly.
    limits: { requestWeight: 100_000, connectionAttempts: 100_000 },
    accounts: [{ id: 'looper', apiKey: KEY, secretKey: SECRET, balances: { USDT: '1000' } }],
  });
  adapter = new BinanceAdapter({
    urls: { rest: fake.restUrl, streams: fake.streamsUrl, wsApi: fake.wsApiUrl },
    // A 100-level snapshot weighs 5, not 250: 150 books a minute stay within Binance's 6000.
    orderBook: { snapshotLimit: 100 },
    // Hundreds of connections in a minute: more than Binance's 300 attempts per 5 minutes.
    streams: { maxConnectionAttempts: 100_000 },
  });
});

afterAll(async () => {
  await adapter?.close();
  await fake?.close();
});

describe('leak loops (forced GC)', () => {
  it('has garbage collection exposed to it', () => {
    expect(typeof gc).toBe('function');
  });

  it('subscribe → data → unsubscribe, 100 rounds: no growth in handles or heap', async () => {
    const streams = new StreamManager({ registry: new ExchangeRegistry([adapter]) });
    const round = async (i: number) => {
      const symbol = i % 2 === 0 ? 'BTC/USDT' : 'ETH/USDT';
      let trades = 0;
      let books = 0;
      const a = streams.subscribe({ kind: 'trades', symbol }, () => {
        trades++;
      });
      const b = streams.subscribe({ kind: 'orderBook', symbol }, () => {
        books++;
      });
      const c = streams.subscribe({ kind: 'ticker', symbol }, () => {});
      await Promise.all([a.ready, b.ready, c.ready]);
      // Data flowed through the subscription before it ends (the simulated market trades).
      await waitFor(() => books > 0, `a book update in round ${i}`);
      await Promise.all([a.unsubscribe(), b.unsubscribe(), c.unsubscribe()]);
      return trades;
    };
    const idle = () =>
      waitFor(() => adapter.marketData.connections().length === 0, 'the idle connection to close');
    try {
      for (let i = 0; i < 20; i++) await round(i);
      await idle();
      const before = await measure();
      for (let i = 0; i < 100; i++) await round(i);
      await idle();
      const after = await measure();
      console.log(
        `subscribe/unsubscribe: heap ${before.heapMb.toFixed(2)} → ${after.heapMb.toFixed(2)} MB over 100 rounds`,
      );
      expect(resourceGrowth(before.handles, after.handles)).toEqual([]);
      expect(adapter.marketData.streamStats()).toEqual([]);
      expect(streams.figures()).toEqual([]);
      // 100 rounds leaking 15 KB each would add 1.5 MB.
      expect(after.heapMb - before.heapMb).toBeLessThan(1.5);
    } finally {
      await streams.close();
    }
  });

  it('connect → order → disconnect a user, 60 rounds: no growth in handles or heap', async () => {
    const manager = new UserManager({ adapters: adapter });
    const round = async () => {
      const session = await manager.connectUser('looper', KEY, SECRET);
      const order = await session.placeOrder({
        symbol: 'BTC/USDT',
        side: 'buy',
        type: 'limit',
        quantity: '0.0002',
        price: '30000.00',
      });
      await session.cancelOrder({ symbol: 'BTC/USDT', orderId: order.id });
      await manager.disconnectUser('looper');
    };
    try {
      for (let i = 0; i < 40; i++) await round();
      const before = await measure();
      for (let i = 0; i < 60; i++) await round();
      const after = await measure();
      console.log(
        `connect/disconnect: heap ${before.heapMb.toFixed(2)} → ${after.heapMb.toFixed(2)} MB over 60 rounds`,
      );
      expect(resourceGrowth(before.handles, after.handles)).toEqual([]);
      expect(manager.stats().totalUsers).toBe(0);
      expect(after.heapMb - before.heapMb).toBeLessThan(1);
    } finally {
      await manager.close();
    }
  });
});
