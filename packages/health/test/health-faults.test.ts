import { afterEach, describe, expect, it } from 'vitest';
import type { ClockSkewHealth, MarketDataHealth, RateLimitsHealth } from '../src/types';
import { getJson, getText, type Rig, startRig, waitFor } from './support/fault-harness';
import { parsePrometheusText, sampleValue } from './support/prometheus-text';

// Each component driven into its states by a real fault of the fake Binance, through the real
// Binance adapter over sockets on 127.0.0.1; every result read from the API and over HTTP.

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

/** No client-side recovery during the test: the fault stays visible until the test lifts it. */
const PATIENT_STREAMS = { silenceTimeoutMs: 600_000, pingIntervalMs: 600_000 } as const;

describe('market data freshness, with a stalled stream', () => {
  it('goes degraded when one stream stalls, unhealthy when all do, healthy again when they resume', {
    timeout: 120_000,
  }, async () => {
    rig = await startRig({
      // One stream per connection, so that one stream can be stalled alone.
      binance: { streams: { ...PATIENT_STREAMS, maxStreamsPerConnection: 1 } },
      // The market simulation keeps both books moving: depth is pushed whenever a book changes.
      fake: { simulation: true, limits: { pingIntervalMs: 600_000 } },
      health: { marketData: { staleAfterMs: { depth: 3_000 } } },
    });
    const { adapter, health, fake, url } = rig;
    const subscriptions = ['BTC/USDT', 'ETH/USDT'].map((symbol) =>
      adapter.marketData.subscribe(
        { kind: 'depth', symbol, levels: 5, updateSpeedMs: 100 },
        { next: () => {} },
      ),
    );
    await Promise.all(subscriptions.map((s) => s.ready));
    expect(adapter.marketData.connections()).toHaveLength(2);
    await waitFor(
      () => health.checkComponent('marketData'),
      (h) => h.status === 'healthy' && h.awaitingFirstMessage === 0,
      'both books to deliver',
    );
    expect((await getJson(`${url}/health`)).status).toBe(200);

    expect(fake.handle.faults.silence({ stream: 'btcusdt@depth5@100ms' })).toBe(1);
    const degraded = await waitFor(
      () => health.checkComponent('marketData'),
      (h) => h.status !== 'healthy',
      'the stalled BTC/USDT book to go stale',
    );
    expect(degraded).toMatchObject({ status: 'degraded', streams: 2, fresh: 1, stale: 1 });
    expect(degraded.staleStreams).toEqual([
      expect.objectContaining({ kind: 'depth', symbol: 'BTC/USDT', everReceived: true, thresholdMs: 3_000 }),
    ]);
    let http = await getJson(`${url}/health`);
    expect(http.status).toBe(200);
    expect(http.body).toMatchObject({
      status: 'degraded',
      components: { marketData: { status: 'degraded', stale: 1 } },
    });

    fake.handle.faults.silence('all');
    const unhealthy = await waitFor(
      () => health.checkComponent('marketData'),
      (h) => h.status === 'unhealthy',
      'the ETH/USDT book to go stale too',
    );
    expect(unhealthy).toMatchObject({ streams: 2, fresh: 0, stale: 2 });
    http = await getJson(`${url}/health`);
    expect(http.status).toBe(503);
    expect(http.body).toMatchObject({
      status: 'unhealthy',
      reason: { rule: 'R2', causes: ['marketData'] },
      components: { marketData: { status: 'unhealthy', stale: 2 } },
    });
    // The sockets are still open: only freshness tells the operator that nothing arrives.
    expect((await getJson(`${url}/health/websocketConnections`)).body).toMatchObject({
      status: 'healthy',
      connected: 2,
    });
    expect((await getJson(`${url}/health/marketData`)).status).toBe(503);
    expect((await getJson(`${url}/ready`)).status).toBe(503);
    const metrics = parsePrometheusText((await getText(`${url}/metrics`)).text);
    expect(
      sampleValue(metrics, 'venuekit_health_status', { component: 'marketData', status: 'unhealthy' }),
    ).toBe(1);
    const ages = metrics.get('venuekit_stream_last_message_age_seconds')?.samples ?? [];
    expect(ages).toHaveLength(2);
    for (const age of ages) expect(age.value).toBeGreaterThan(3);

    fake.handle.faults.resume('all');
    await waitFor(
      () => health.checkComponent('marketData'),
      (h) => h.status === 'healthy',
      'both books to flow again',
    );
    expect((await getJson(`${url}/ready`)).status).toBe(200);
  });
});

describe('market data freshness, with a local order book being rebuilt', () => {
  it('is degraded while the book resyncs though its diffs keep arriving, unhealthy once that lasts past the threshold, healthy when it is whole again', {
    timeout: 120_000,
  }, async () => {
    rig = await startRig({
      binance: {
        streams: { ...PATIENT_STREAMS, reorderWindowMs: 50 },
        // A small snapshot (weight 5), retried quickly: the rebuild waits on the fault, not on backoff.
        orderBook: { snapshotLimit: 100, resyncInitialDelayMs: 20, resyncMaxDelayMs: 300 },
      },
      // The simulated market keeps the book moving, so depth diffs keep coming throughout.
      fake: {
        simulation: { rate: 50, symbols: ['BTCUSDT'] },
        streamTimings: { fastMs: 20, slowMs: 100 },
        limits: { pingIntervalMs: 600_000 },
      },
      health: { marketData: { staleAfterMs: { orderBook: 4_000 } } },
    });
    const { adapter, health, fake, url } = rig;
    const sub = adapter.marketData.subscribe(
      { kind: 'orderBook', symbol: 'BTC/USDT', updateSpeedMs: 100 },
      { next: () => {} },
    );
    await sub.ready;
    await waitFor(
      () => health.checkComponent('marketData'),
      (h) => h.status === 'healthy' && h.fresh === 1 && h.awaitingFirstMessage === 0,
      'the book to be built',
    );
    const bookStats = () => adapter.marketData.streamStats().find((s) => s.kind === 'orderBook');
    expect(bookStats()?.sync).toBe('synced');

    // Every snapshot request fails, so the book cannot be rebuilt; then one diff goes missing.
    const snapshots = fake.handle.faults.failRequests({
      endpoint: '/api/v3/depth',
      times: Number.POSITIVE_INFINITY,
      action: { type: 'error', status: 503 },
    });
    fake.handle.faults.depthGap('BTCUSDT');
    const degraded = (await waitFor(
      () => health.checkComponent('marketData'),
      (h) => h.status !== 'healthy',
      'the book to be found resyncing',
    )) as MarketDataHealth;
    expect(degraded).toMatchObject({ status: 'degraded', streams: 1, fresh: 0, stale: 0, resyncing: 1 });
    expect(degraded.resyncingStreams).toEqual([
      expect.objectContaining({ kind: 'orderBook', symbol: 'BTC/USDT', reason: 'gap', thresholdMs: 4_000 }),
    ]);
    let http = await getJson(`${url}/health`);
    expect(http.status).toBe(200);
    expect(http.body).toMatchObject({
      status: 'degraded',
      reason: { rule: 'R4', causes: ['marketData'] },
      components: { marketData: { status: 'degraded', resyncing: 1, fresh: 0 } },
    });
    expect((await getJson(`${url}/ready`)).status).toBe(200);

    // Diffs keep arriving while the book is rebuilt: frames alone would have called it fresh.
    const messages = bookStats()?.messages ?? 0;
    await waitFor(
      () => bookStats()?.messages ?? 0,
      (n) => n > messages + 5,
      'diffs to keep arriving during the rebuild',
    );
    const unhealthy = (await waitFor(
      () => health.checkComponent('marketData'),
      (h) => h.status === 'unhealthy',
      'the rebuild to outlast the threshold',
    )) as MarketDataHealth;
    expect(unhealthy).toMatchObject({ streams: 1, fresh: 0, stale: 1, resyncing: 0 });
    const entry = unhealthy.staleStreams[0];
    expect(entry).toMatchObject({ cause: 'resyncing', reason: 'gap', everReceived: true });
    expect(entry?.unsyncedMs).toBeGreaterThan(4_000);
    expect(entry?.quietMs).toBeLessThan(4_000);
    expect(snapshots.hits).toBeGreaterThan(1);
    http = await getJson(`${url}/health`);
    expect(http.status).toBe(503);
    expect(http.body).toMatchObject({
      status: 'unhealthy',
      reason: { rule: 'R2', causes: ['marketData'] },
      components: { marketData: { status: 'unhealthy', stale: 1 } },
    });
    const component = await getJson(`${url}/health/marketData`);
    expect(component.status).toBe(503);
    expect(component.body).toMatchObject({
      component: 'marketData',
      staleStreams: [expect.objectContaining({ cause: 'resyncing', reason: 'gap' })],
    });
    expect((await getJson(`${url}/ready`)).status).toBe(503);

    snapshots.remove();
    await waitFor(
      () => health.checkComponent('marketData'),
      (h) => h.status === 'healthy' && h.fresh === 1,
      'the book to be rebuilt',
    );
    expect(bookStats()?.sync).toBe('synced');
    expect(bookStats()?.resyncs).toBeGreaterThanOrEqual(1);
    expect((await getJson(`${url}/ready`)).status).toBe(200);
    await sub.unsubscribe();
  });
});

describe('websocket connections, with a tripped circuit breaker', () => {
  it('goes unhealthy with circuitBreakerState open when every reconnect is refused', async () => {
    rig = await startRig({
      binance: {
        streams: {
          ...PATIENT_STREAMS,
          reconnect: {
            initialDelayMs: 20,
            maxDelayMs: 50,
            circuitFailureThreshold: 2,
            circuitOpenMs: 600_000,
          },
        },
      },
      // One connection attempt per window: every reconnect is refused.
      fake: { limits: { connectionAttempts: 1, connectionAttemptsWindowMs: 600_000 } },
    });
    const { adapter, health, fake, url } = rig;
    const sub = adapter.marketData.subscribe(
      { kind: 'depth', symbol: 'BTC/USDT', levels: 5, updateSpeedMs: 100 },
      { next: () => {} },
    );
    await sub.ready;
    expect(await health.checkComponent('websocketConnections')).toMatchObject({
      status: 'healthy',
      connected: 1,
      circuitBreakerState: 'closed',
      totalReconnects: 0,
    });

    expect(fake.handle.faults.dropConnection('all')).toBe(1);
    const tripped = await waitFor(
      () => health.checkComponent('websocketConnections'),
      (h) => h.circuitBreakerState === 'open',
      'the circuit breaker to open',
    );
    expect(tripped).toMatchObject({ status: 'unhealthy', connected: 0, total: 1 });

    const http = await getJson(`${url}/health`);
    expect(http.status).toBe(503);
    expect(http.body).toMatchObject({
      status: 'unhealthy',
      components: {
        websocketConnections: { status: 'unhealthy', circuitBreakerState: 'open', connected: 0 },
      },
    });
    const ready = await getJson(`${url}/ready`);
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({
      ready: false,
      reasons: expect.arrayContaining(['websocketConnections']),
    });

    const metrics = parsePrometheusText((await getText(`${url}/metrics`)).text);
    expect(sampleValue(metrics, 'venuekit_ws_circuit_breakers', { exchange: 'binance', state: 'open' })).toBe(
      1,
    );
    expect(
      sampleValue(metrics, 'venuekit_ws_circuit_transitions_total', { exchange: 'binance', state: 'open' }),
    ).toBe(1);
    expect(
      sampleValue(metrics, 'venuekit_ws_reconnects_total', { exchange: 'binance', kind: 'market' }),
    ).toBeGreaterThanOrEqual(1);
    expect(sampleValue(metrics, 'venuekit_ws_connections_opened_total', { exchange: 'binance' })).toBe(1);
    expect(sampleValue(metrics, 'venuekit_health_status', { component: 'system', status: 'unhealthy' })).toBe(
      1,
    );
  });
});

describe('rate limits, with a 429 and an IP ban', () => {
  it('goes degraded while backing off after a 429', async () => {
    rig = await startRig();
    const { adapter, health, fake, url } = rig;
    await adapter.rest.fetchTime();
    expect(await health.checkComponent('rateLimits')).toMatchObject({ status: 'healthy', banned: false });

    fake.handle.faults.failRequests({
      endpoint: '/api/v3/time',
      action: { type: 'error', status: 429, retryAfterSeconds: 60 },
    });
    // The governor holds traffic for a minute: the call settles when the adapter closes.
    const held = adapter.rest.fetchTime().catch((error: unknown) => error);
    const backingOff = await waitFor(
      () => health.checkComponent('rateLimits'),
      (h) => h.status !== 'healthy',
      'the 429 backoff',
    );
    expect(backingOff).toMatchObject({
      status: 'degraded',
      banned: false,
      exchanges: { binance: { backingOff: true, backoffUntil: expect.any(Number) } },
    });
    const http = await getJson(`${url}/health`);
    expect(http.status).toBe(200);
    expect(http.body).toMatchObject({
      status: 'degraded',
      components: { rateLimits: { status: 'degraded' } },
    });
    const metrics = parsePrometheusText((await getText(`${url}/metrics`)).text);
    expect(
      sampleValue(metrics, 'venuekit_rate_limit_events_total', { exchange: 'binance', kind: 'backoff' }),
    ).toBe(1);
    expect(
      sampleValue(metrics, 'venuekit_requests_total', {
        path: '/api/v3/time',
        outcome: 'rejected',
        status: '429',
      }),
    ).toBe(1);
    await rig.close();
    rig = undefined;
    await held;
  });

  it('goes unhealthy while the venue bans the IP (418), over the API and over HTTP', async () => {
    rig = await startRig();
    const { adapter, health, fake, url } = rig;
    await adapter.rest.fetchTime();
    const before = await health.checkComponent('rateLimits');
    expect(before).toMatchObject({
      status: 'healthy',
      exchanges: { binance: { usedWeight: expect.any(Number) } },
    });

    fake.handle.faults.ban(120_000);
    await expect(adapter.rest.fetchTime()).rejects.toMatchObject({ code: 'IP_BANNED' });
    const banned = await health.checkComponent('rateLimits');
    expect(banned).toMatchObject({
      status: 'unhealthy',
      banned: true,
      exchanges: { binance: { banned: true, bannedUntil: expect.any(Number) } },
    });
    const until = (banned as RateLimitsHealth).exchanges.binance?.bannedUntil;
    expect(until).toBeGreaterThan(Date.now() + 60_000);

    const http = await getJson(`${url}/health`);
    expect(http.status).toBe(503);
    expect(http.body).toMatchObject({
      status: 'unhealthy',
      reason: { rule: 'R2', causes: ['rateLimits'] },
      components: { rateLimits: { status: 'unhealthy', banned: true } },
    });
    expect((await getJson(`${url}/health/rateLimits`)).status).toBe(503);
    expect((await getJson(`${url}/ready`)).status).toBe(503);
    const metrics = parsePrometheusText((await getText(`${url}/metrics`)).text);
    expect(sampleValue(metrics, 'venuekit_rate_limit_ip_banned', { exchange: 'binance' })).toBe(1);
    expect(
      sampleValue(metrics, 'venuekit_rate_limit_events_total', { exchange: 'binance', kind: 'ban' }),
    ).toBe(1);
    expect(
      sampleValue(metrics, 'venuekit_health_status', { component: 'rateLimits', status: 'unhealthy' }),
    ).toBe(1);
  });
});

describe('clock skew, with the venue clock moved', () => {
  it('goes degraded beyond 1 s and unhealthy beyond 5 s of measured offset', async () => {
    rig = await startRig();
    const { adapter, health, fake, url } = rig;
    await adapter.timeSync.resync();
    expect(await health.checkComponent('clockSkew')).toMatchObject({ status: 'healthy' });

    fake.handle.faults.skewClock(3_000);
    await adapter.timeSync.resync();
    const degraded = await health.checkComponent('clockSkew');
    expect(degraded.status).toBe('degraded');
    expect((degraded as ClockSkewHealth).offsetMs).toBeGreaterThanOrEqual(2_500);
    expect((degraded as ClockSkewHealth).offsetMs).toBeLessThan(3_500);
    expect((await getJson(`${url}/health`)).body).toMatchObject({ status: 'degraded' });

    fake.handle.faults.skewClock(-8_000);
    await adapter.timeSync.resync();
    const unhealthy = await health.checkComponent('clockSkew');
    expect(unhealthy).toMatchObject({
      status: 'unhealthy',
      exchanges: { binance: { offsetMs: expect.any(Number), lastSyncAt: expect.any(Number) } },
    });
    expect((unhealthy as ClockSkewHealth).exchanges.binance?.offsetMs).toBeLessThan(-7_500);
    const http = await getJson(`${url}/health/clockSkew`);
    expect(http.status).toBe(503);
    expect(http.body).toMatchObject({ component: 'clockSkew', status: 'unhealthy' });
    expect((await getJson(`${url}/health`)).status).toBe(503);
    const metrics = parsePrometheusText((await getText(`${url}/metrics`)).text);
    expect(sampleValue(metrics, 'venuekit_clock_offset_seconds', { exchange: 'binance' })).toBeLessThan(-7.5);
  });
});
