import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ManualClock } from '@venuekit/core';
import { afterEach, describe, expect, it } from 'vitest';
import { ControlledAdapter, connection, stream } from '../../test/support/controlled-adapter';
import { parsePrometheusText, sampleValue } from '../../test/support/prometheus-text';
import { HealthMonitor, type HealthMonitorOptions } from '../health-monitor';
import { MetricsRegistry } from '../metrics/metrics-registry';
import { createHealthHandler } from './health-handler';
import { HealthServer } from './health-server';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function started(options: HealthMonitorOptions) {
  const monitor = new HealthMonitor({ exclude: ['application'], ...options });
  cleanups.push(() => monitor.close());
  const server = await monitor.listen();
  return { monitor, server, url: server.url };
}

async function get(url: string, init?: RequestInit) {
  const response = await fetch(url, init);
  const text = await response.text();
  return { status: response.status, headers: response.headers, text };
}

describe('HTTP endpoints of a HealthMonitor', () => {
  it('serves /health with 200 while healthy or degraded and 503 when unhealthy, with the JSON detail', async () => {
    const clock = new ManualClock();
    const adapter = new ControlledAdapter('binance', { connections: [connection('c1')] });
    const { url } = await started({ adapters: [adapter], clock });

    let res = await get(`${url}/health`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(JSON.parse(res.text)).toMatchObject({
      status: 'healthy',
      timestamp: clock.now(),
      components: {
        websocketConnections: { status: 'healthy', connected: 1, circuitBreakerState: 'closed' },
      },
    });

    adapter.set({ connections: [connection('c1'), connection('c2', 'reconnecting', 'half_open')] });
    res = await get(`${url}/health`);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toMatchObject({ status: 'degraded', reason: { rule: 'R4' } });

    adapter.set({ connections: [connection('c1', 'reconnecting', 'open')] });
    res = await get(`${url}/health`);
    expect(res.status).toBe(503);
    expect(JSON.parse(res.text)).toMatchObject({
      status: 'unhealthy',
      components: { websocketConnections: { status: 'unhealthy', circuitBreakerState: 'open' } },
    });
  });

  it('serves one component at /health/<name>, and 404 for a name it does not know', async () => {
    const clock = new ManualClock();
    const adapter = new ControlledAdapter('binance', {
      streams: [stream('btcusdt@ticker', { kind: 'ticker', lastMessageAt: clock.now() - 60_000 })],
    });
    const { url } = await started({ adapters: [adapter], clock });
    const res = await get(`${url}/health/marketData`);
    expect(res.status).toBe(503);
    expect(JSON.parse(res.text)).toMatchObject({ component: 'marketData', status: 'unhealthy', stale: 1 });
    const missing = await get(`${url}/health/nope`);
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.text).error).toContain('marketData');
  });

  it('answers /ready 200 while the system serves, 503 when unhealthy or draining, and /live always', async () => {
    const adapter = new ControlledAdapter('binance', { connections: [connection('c1')] });
    const { url, monitor } = await started({ adapters: [adapter] });
    expect(await get(`${url}/ready`)).toMatchObject({ status: 200 });
    adapter.set({ connections: [connection('c1', 'reconnecting')] });
    const down = await get(`${url}/ready`);
    expect(down.status).toBe(503);
    expect(JSON.parse(down.text)).toMatchObject({
      ready: false,
      status: 'unhealthy',
      reasons: ['websocketConnections'],
    });
    adapter.set({ connections: [connection('c1')] });
    monitor.drain();
    const draining = await get(`${url}/ready`);
    expect(draining.status).toBe(503);
    expect(JSON.parse(draining.text)).toMatchObject({
      ready: false,
      status: 'healthy',
      reasons: ['draining'],
    });
    const live = await get(`${url}/live`);
    expect(live.status).toBe(200);
    expect(JSON.parse(live.text)).toMatchObject({ status: 'alive' });
  });

  it('serves /metrics as Prometheus text, with component health and adapter gauges', async () => {
    const clock = new ManualClock();
    const adapter = new ControlledAdapter('binance', {
      connections: [connection('c1'), connection('c2', 'reconnecting', 'open', { kind: 'user' })],
      streams: [stream('btcusdt@trade', { lastMessageAt: clock.now() - 2500 })],
    });
    const { url } = await started({ adapters: [adapter], clock });
    const res = await get(`${url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const m = parsePrometheusText(res.text);
    expect(sampleValue(m, 'venuekit_health_status', { component: 'system', status: 'degraded' })).toBe(1);
    expect(sampleValue(m, 'venuekit_health_status', { component: 'system', status: 'healthy' })).toBe(0);
    expect(
      sampleValue(m, 'venuekit_health_status', { component: 'websocketConnections', status: 'degraded' }),
    ).toBe(1);
    expect(sampleValue(m, 'venuekit_ws_connections', { kind: 'market', state: 'open' })).toBe(1);
    expect(sampleValue(m, 'venuekit_ws_connections', { kind: 'user', state: 'reconnecting' })).toBe(1);
    expect(sampleValue(m, 'venuekit_ws_circuit_breakers', { state: 'open' })).toBe(1);
    expect(sampleValue(m, 'venuekit_stream_last_message_age_seconds', { stream: 'btcusdt@trade' })).toBe(2.5);
    expect(sampleValue(m, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    // Families from telemetry are declared even before any event.
    expect(m.get('venuekit_orders_total')?.type).toBe('counter');
    expect(m.get('venuekit_request_duration_seconds')?.type).toBe('histogram');
  });

  it('answers HEAD without a body, 405 for other methods, 404 elsewhere, and a hung check within its timeout', async () => {
    const { url } = await started({
      timeoutMs: 200,
      contributors: [{ component: 'hung', check: () => new Promise(() => {}) }],
    });
    const head = await get(`${url}/health`, { method: 'HEAD' });
    expect(head.text).toBe('');
    const post = await get(`${url}/health`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expect((await get(`${url}/elsewhere`)).status).toBe(404);
    const res = await get(`${url}/health/hung`);
    expect(res.status).toBe(503);
    expect(JSON.parse(res.text)).toMatchObject({ status: 'unknown', timedOut: true });
  });

  it('answers 500 with the error when a check cannot run at all, and keeps serving', async () => {
    const failing = {
      checkSystem: () => Promise.reject(new Error('boom')),
      checkComponent: () => Promise.reject(new Error('boom')),
      readiness: () => Promise.reject(new Error('boom')),
      metricsText: () => Promise.reject(new Error('boom')),
    };
    const server = new HealthServer(createHealthHandler(failing));
    cleanups.push(() => server.close());
    await server.listen();
    const res = await get(`${server.url}/metrics`);
    expect(res.status).toBe(500);
    expect(JSON.parse(res.text)).toEqual({ status: 'unknown', error: 'boom' });
    expect((await get(`${server.url}/live`)).status).toBe(200);
  });

  it('mounts in an application server under a base path, handing other paths to next()', async () => {
    const monitor = new HealthMonitor({ exclude: ['application'], basePath: '/ops' });
    cleanups.push(() => monitor.close());
    const handler = monitor.handler;
    const app: Server = createServer((req, res) =>
      handler(req, res, () => {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end('app');
      }),
    );
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          app.closeAllConnections();
          app.close(() => resolve());
        }),
    );
    const base = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
    expect(JSON.parse((await get(`${base}/ops/health`)).text)).toMatchObject({ status: 'healthy' });
    expect((await get(`${base}/ops/ready?probe=k8s`)).status).toBe(200);
    expect((await get(`${base}/health`)).text).toBe('app');
    expect((await get(`${base}/other`)).text).toBe('app');
  });

  it('closes its servers, including idle keep-alive connections, when the monitor closes', async () => {
    const monitor = new HealthMonitor({ exclude: ['application'] });
    const server = await monitor.listen({ port: 0 });
    // A keep-alive client that stays connected.
    const agentDone = new Promise<void>((resolve) => {
      const req = httpRequest(`${server.url}/live`, { headers: { Connection: 'keep-alive' } }, (res) => {
        res.resume();
        res.on('end', () => resolve());
      });
      req.end();
    });
    await agentDone;
    await monitor.close();
    await expect(fetch(`${server.url}/live`)).rejects.toThrow();
    expect((await monitor.readiness()).ready).toBe(false);
  });

  it('refuses a second monitor on the same metrics registry, leaving nothing behind', () => {
    const registry = new MetricsRegistry();
    const first = new HealthMonitor({ metricsRegistry: registry });
    cleanups.push(() => first.close());
    expect(() => new HealthMonitor({ metricsRegistry: registry })).toThrow(/clashes/);
    expect(() => new HealthMonitor({ basePath: 'ops' })).toThrow(
      expect.objectContaining({ field: 'basePath' }),
    );
  });

  it('refuses a bad port and rejects listen when the port is taken', async () => {
    expect(() => new HealthServer(() => {}, { port: 70_000 })).toThrow(
      expect.objectContaining({ field: 'port' }),
    );
    const { server, monitor } = await started({});
    await expect(monitor.listen({ port: server.port })).rejects.toThrow(/EADDRINUSE/);
  });
});
