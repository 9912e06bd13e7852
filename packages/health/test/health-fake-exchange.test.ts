import { type ManualClock, normalizeOrderRequest } from '@venuekit/core';
import { FakeExchange } from '@venuekit/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { HealthMonitor } from '../src/health-monitor';

// The in-memory FakeExchange on a ManualClock: health checks a user can unit-test
// deterministically, moving time instead of waiting for it.

let fake: FakeExchange | undefined;
let monitor: HealthMonitor | undefined;
afterEach(async () => {
  await monitor?.close();
  await fake?.close();
  monitor = undefined;
  fake = undefined;
});

describe('health over the in-memory FakeExchange', () => {
  it('sees a trade stream fresh after a trade and stale once the market stays quiet past the threshold', async () => {
    fake = new FakeExchange();
    const clock = fake.market.clock as ManualClock;
    monitor = new HealthMonitor({ adapters: [fake], clock, exclude: ['application'], telemetry: false });
    const trades: string[] = [];
    const sub = fake.marketData.subscribe(
      { kind: 'trades', symbol: 'BTC/USDT' },
      { next: (t) => trades.push(t.id) },
    );
    await sub.ready;
    expect(await monitor.checkComponent('marketData')).toMatchObject({
      status: 'healthy',
      streams: 1,
      awaitingFirstMessage: 1,
    });

    const maker = fake.addAccount({ balances: { BTC: '1' } });
    const taker = fake.addAccount({ balances: { USDT: '100000' } });
    await fake.createAccount(maker.credentials).placeOrder(
      normalizeOrderRequest({
        symbol: 'BTC/USDT',
        side: 'sell',
        type: 'limit',
        price: '60000',
        quantity: '0.1',
      }),
    );
    await fake
      .createAccount(taker.credentials)
      .placeOrder(
        normalizeOrderRequest({ symbol: 'BTC/USDT', side: 'buy', type: 'market', quantity: '0.05' }),
      );
    expect(trades).toHaveLength(1);
    expect(await monitor.checkComponent('marketData')).toMatchObject({
      status: 'healthy',
      fresh: 1,
      awaitingFirstMessage: 0,
    });

    await fake.market.advance(60_000);
    expect((await monitor.checkComponent('marketData')).status).toBe('healthy');
    await fake.market.advance(1);
    const stale = await monitor.checkSystem();
    expect(stale).toMatchObject({
      status: 'unhealthy',
      components: {
        marketData: {
          status: 'unhealthy',
          staleStreams: [{ kind: 'trades', symbol: 'BTC/USDT', quietMs: 60_001, thresholdMs: 60_000 }],
        },
        websocketConnections: { status: 'healthy', connected: 1 },
      },
    });
  });
});
