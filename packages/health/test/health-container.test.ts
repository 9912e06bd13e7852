import { binanceModule } from '@venuekit/adapter-binance';
import { createVenuekit, silentLogger } from '@venuekit/core';
import { type FakeBinance, startFakeBinance } from '@venuekit/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { healthModule } from '../src/module';
import { getJson, getText, waitFor } from './support/fault-harness';
import { parsePrometheusText, sampleValue } from './support/prometheus-text';

// The way users assemble it: binanceModule + healthModule in createVenuekit, the adapter found
// through the registry, telemetry counted from the start, everything closed by venuekit.close().

let fake: FakeBinance | undefined;
let closeVenuekit: (() => Promise<void>) | undefined;
afterEach(async () => {
  await closeVenuekit?.();
  await fake?.close();
  closeVenuekit = undefined;
  fake = undefined;
});

describe('healthModule with binanceModule against the fake Binance', () => {
  it('watches the registry’s Binance adapter and reports a ban on /health and /metrics', async () => {
    fake = await startFakeBinance({ simulation: true });
    const venuekit = createVenuekit({
      modules: [
        binanceModule({ urls: { rest: fake.restUrl, streams: fake.streamsUrl, wsApi: fake.wsApiUrl } }),
        healthModule({ exclude: ['application'] }),
      ],
      logger: silentLogger,
    });
    closeVenuekit = () => venuekit.close();
    const binance = venuekit.exchange('binance');
    const depth = binance.marketData?.subscribe(
      { kind: 'depth', symbol: 'BTC/USDT', levels: 5, updateSpeedMs: 100 },
      { next: () => {} },
    );
    await depth?.ready;
    const server = await venuekit.health.listen();

    const healthy = await waitFor(
      () => venuekit.health.checkSystem(),
      (h) =>
        h.components.marketData?.status === 'healthy' &&
        (h.components.marketData as { awaitingFirstMessage: number }).awaitingFirstMessage === 0,
      'the book stream to deliver',
    );
    expect(healthy).toMatchObject({
      status: 'healthy',
      components: {
        websocketConnections: { status: 'healthy', connected: 1, circuitBreakerState: 'closed' },
      },
    });

    fake.handle.faults.ban(120_000);
    await expect(binance.rest?.fetchTime()).rejects.toMatchObject({ code: 'IP_BANNED' });
    const http = await getJson(`${server.url}/health`);
    expect(http.status).toBe(503);
    expect(http.body).toMatchObject({ status: 'unhealthy', components: { rateLimits: { banned: true } } });
    const metrics = parsePrometheusText((await getText(`${server.url}/metrics`)).text);
    // Counted from the first connection, before anyone touched venuekit.health.
    expect(
      sampleValue(metrics, 'venuekit_ws_connections_opened_total', { exchange: 'binance', kind: 'market' }),
    ).toBe(1);
    expect(
      sampleValue(metrics, 'venuekit_ws_messages_received_total', { exchange: 'binance' }),
    ).toBeGreaterThan(0);
    expect(sampleValue(metrics, 'venuekit_rate_limit_ip_banned', { exchange: 'binance' })).toBe(1);

    await venuekit.close();
    closeVenuekit = undefined;
    await expect(fetch(`${server.url}/live`)).rejects.toThrow();
  });
});
