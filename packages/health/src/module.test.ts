import {
  bindExchangeAdapter,
  CoreTokens,
  createVenuekit,
  type HealthContributor,
  ManualClock,
  silentLogger,
  telemetry,
  VenuekitModule,
} from '@venuekit/core';
import { describe, expect, it } from 'vitest';
import { ControlledAdapter, connection } from '../test/support/controlled-adapter';
import { parsePrometheusText, sampleValue } from '../test/support/prometheus-text';
import { healthModule } from './module';
import { HealthTokens } from './tokens';

function tradingLikeModule(users: { total: number; active: number }) {
  return new VenuekitModule('tradingLike', ({ bind }) => {
    bind<HealthContributor>(CoreTokens.HealthContributor).toConstantValue({
      component: 'tradingSystem',
      check: () => ({
        status: users.active === users.total ? 'healthy' : 'degraded',
        totalUsers: users.total,
        activeConnections: users.active,
      }),
    });
    bind<HealthContributor>(CoreTokens.HealthContributor).toConstantValue({
      component: 'userConnections',
      check: async () => ({ status: 'healthy', connected: users.active }),
    });
  });
}

describe('healthModule', () => {
  it('gives venuekit.health with the adapters of the registry and every contributed component', async () => {
    const clock = new ManualClock();
    const adapter = new ControlledAdapter('binance', {
      connections: [connection('c1', 'open', 'closed', { reconnects: 1 })],
    });
    const users = { total: 3, active: 3 };
    const venuekit = createVenuekit({
      modules: [
        new VenuekitModule('binance', ({ bind }) => bindExchangeAdapter(bind, () => adapter)),
        tradingLikeModule(users),
        healthModule({ exclude: ['application'] }),
      ],
      logger: silentLogger,
      clock,
    });
    try {
      const health = await venuekit.health.checkSystem();
      expect(health).toMatchObject({
        status: 'healthy',
        timestamp: clock.now(),
        components: {
          tradingSystem: { status: 'healthy', totalUsers: 3, activeConnections: 3 },
          userConnections: { status: 'healthy', connected: 3 },
          websocketConnections: {
            status: 'healthy',
            connected: 1,
            circuitBreakerState: 'closed',
            totalReconnects: 1,
          },
        },
      });
      users.active = 2;
      expect(await venuekit.health.checkComponent('tradingSystem')).toMatchObject({ status: 'degraded' });
      expect(venuekit.get(HealthTokens.Health)).toBe(venuekit.health);
    } finally {
      await venuekit.close();
    }
    expect(adapter.closed).toBe(true);
  });

  it('counts telemetry from the moment the system is assembled, and stops when it closes', async () => {
    const venuekit = createVenuekit({
      modules: [healthModule({ exclude: ['application'] })],
      logger: silentLogger,
    });
    // Published before anyone touched venuekit.health.
    telemetry.connectionStarted.publish({
      exchange: 'early',
      connectionId: 'c',
      kind: 'market',
      url: 'wss://x',
    });
    const registry = venuekit.get(HealthTokens.MetricsRegistry);
    const server = await venuekit.health.listen();
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(
      sampleValue(parsePrometheusText(text), 'venuekit_ws_connections_opened_total', { exchange: 'early' }),
    ).toBe(1);
    await venuekit.close();
    telemetry.connectionStarted.publish({
      exchange: 'early',
      connectionId: 'c',
      kind: 'market',
      url: 'wss://x',
    });
    expect(
      sampleValue(parsePrometheusText(registry.render()), 'venuekit_ws_connections_opened_total', {
        exchange: 'early',
      }),
    ).toBe(1);
    await expect(fetch(`${server.url}/live`)).rejects.toThrow();
  });

  it('works without any adapter or contributor', async () => {
    const venuekit = createVenuekit({ modules: [healthModule()], logger: silentLogger });
    try {
      const health = await venuekit.health.checkSystem();
      expect(health.components.application?.status).toBeDefined();
      expect(health.components.websocketConnections).toMatchObject({ status: 'healthy', total: 0 });
    } finally {
      await venuekit.close();
    }
  });
});
