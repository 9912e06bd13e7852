// marketDataStreams over real sockets: the Binance adapter against the testkit's fake Binance on
// 127.0.0.1, a gateway manager sharing its streams and a consumer manager fed through the bus, with
// a local order book broken by the fake's faults (a skipped diff, failing snapshots).
import { BinanceAdapter } from '@venuekit/adapter-binance';
import { ExchangeRegistry, InProcessBus } from '@venuekit/core';
import { type FakeBinance, startFakeBinance } from '@venuekit/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { type StreamsHealthReport, StreamsHealth } from '../src/health';
import { StreamManager } from '../src/stream-manager';
import { until } from './helpers';

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** Books count as stale after 4 s of rebuilding; every other stream has ten minutes. */
const HEALTH = { staleAfterMs: 600_000, staleAfterMsByKind: { orderBook: 4_000 } } as const;

async function setup() {
  // The simulated market keeps the book moving, so depth diffs keep coming throughout.
  const fake: FakeBinance = await startFakeBinance({
    symbols: ['BTCUSDT'],
    simulation: { rate: 50, symbols: ['BTCUSDT'] },
    streamTimings: { fastMs: 20, slowMs: 100 },
    limits: { pingIntervalMs: 600_000 },
  });
  closers.push(() => fake.close());
  const adapter = new BinanceAdapter({
    urls: { rest: fake.restUrl, streams: fake.streamsUrl, wsApi: fake.wsApiUrl },
    streams: { silenceTimeoutMs: 600_000, pingIntervalMs: 600_000, reorderWindowMs: 50 },
    // A small snapshot, retried quickly: the rebuild waits on the fault, not on backoff.
    orderBook: { snapshotLimit: 100, resyncInitialDelayMs: 20, resyncMaxDelayMs: 300 },
  });
  closers.push(() => adapter.close());
  const bus = new InProcessBus();
  closers.push(() => bus.close());
  const gateway = new StreamManager({ registry: new ExchangeRegistry([adapter]), bus, gateway: true });
  closers.push(() => gateway.close());
  const consumer = new StreamManager({ bus, source: 'bus', defaultExchange: 'binance' });
  closers.push(() => consumer.close());
  return { fake, adapter, gateway, consumer };
}

function bookDetail(report: StreamsHealthReport) {
  return report.details.find((d) => d.topic.endsWith('.orderBook'));
}

describe('marketDataStreams with a local order book being rebuilt (real sockets)', () => {
  it('is degraded while the book resyncs, unhealthy once that lasts past the threshold, healthy when it is whole again, in the gateway and in a consumer', {
    timeout: 120_000,
  }, async () => {
    const { fake, gateway, consumer } = await setup();
    await gateway.serve();
    const inGateway = new StreamsHealth(gateway, HEALTH);
    const inConsumer = new StreamsHealth(consumer, HEALTH);
    let gatewayUpdates = 0;
    let consumerUpdates = 0;
    const local = gateway.subscribe({ kind: 'orderBook', symbol: 'BTC/USDT' }, () => {
      gatewayUpdates++;
    });
    const remote = consumer.subscribe({ kind: 'orderBook', symbol: 'BTC/USDT' }, () => {
      consumerUpdates++;
    });
    await Promise.all([local.ready, remote.ready]);
    await until(() => gatewayUpdates > 0 && consumerUpdates > 0, 30_000, 'the book to be built');
    for (const health of [inGateway, inConsumer]) {
      const report = health.check();
      expect(report).toMatchObject({ status: 'healthy', streams: 1, staleStreams: 0, resyncing: 0 });
      expect(bookDetail(report)).toMatchObject({ state: 'fresh', stale: false });
    }
    expect(gateway.figures()).toMatchObject([{ kind: 'orderBook', source: 'adapter', sync: 'synced' }]);
    expect(consumer.figures()).toMatchObject([{ kind: 'orderBook', source: 'bus', sync: 'synced' }]);

    // Every snapshot request fails, so the book cannot be rebuilt; then one diff goes missing.
    const snapshots = fake.handle.faults.failRequests({
      endpoint: '/api/v3/depth',
      times: Number.POSITIVE_INFINITY,
      action: { type: 'error', status: 503 },
    });
    fake.handle.faults.depthGap('BTCUSDT');
    // Within the threshold, the book counts as resyncing: not fresh, and not yet stale.
    await until(
      () => inGateway.check().status !== 'healthy' && inConsumer.check().status !== 'healthy',
      30_000,
      'the book to be found resyncing',
    );
    for (const report of [inGateway.check(), inConsumer.check()]) {
      expect(report).toMatchObject({ status: 'degraded', streams: 1, staleStreams: 0, resyncing: 1 });
      expect(bookDetail(report)).toMatchObject({ state: 'resyncing', stale: false, reason: 'gap' });
      expect(bookDetail(report)?.unsyncedMs).toBeLessThanOrEqual(4_000);
    }
    expect(gateway.figures()).toMatchObject([{ sync: 'stale', staleReason: 'gap' }]);
    expect(consumer.figures()).toMatchObject([{ sync: 'stale', staleReason: 'gap' }]);

    // Rebuilt for longer than the threshold: stale, and unhealthy since it is the only stream.
    for (const health of [inGateway, inConsumer]) {
      await until(
        () => health.check().status === 'unhealthy',
        30_000,
        'the rebuild to outlast the threshold',
      );
      const report = health.check();
      expect(report).toMatchObject({ streams: 1, staleStreams: 1, resyncing: 0 });
      expect(bookDetail(report)).toMatchObject({ state: 'stale', stale: true, reason: 'gap' });
      // No book value is delivered while it is rebuilt, so its silence may pass the threshold first.
      const detail = bookDetail(report);
      expect(['quiet', 'resyncing']).toContain(detail?.cause);
      expect(Math.max(detail?.quietMs ?? 0, detail?.unsyncedMs ?? 0)).toBeGreaterThan(4_000);
      expect(detail?.unsyncedMs).toBeGreaterThan(0);
    }
    expect(snapshots.hits).toBeGreaterThan(1);

    // Snapshots answer again: the book is rebuilt and both managers call it fresh.
    snapshots.remove();
    for (const health of [inGateway, inConsumer]) {
      await until(() => health.check().status === 'healthy', 30_000, 'the book to be rebuilt');
      expect(bookDetail(health.check())).toMatchObject({ state: 'fresh', stale: false });
    }
    for (const manager of [gateway, consumer]) {
      const [figures] = manager.figures();
      expect(figures).toMatchObject({ sync: 'synced' });
      expect(figures?.resyncs).toBeGreaterThanOrEqual(1);
    }
    expect(bookDetail(inGateway.check())).not.toHaveProperty('reason');
    await Promise.all([local.unsubscribe(), remote.unsubscribe()]);
  });
});
