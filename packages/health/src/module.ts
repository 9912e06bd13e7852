import {
  type Clock,
  CoreTokens,
  type ExchangeRegistry,
  type HealthContributor,
  type Lifecycle,
  type Logger,
  resolve,
  VenuekitModule,
} from '@venuekit/core';
import { type Health, HealthMonitor, type HealthMonitorOptions } from './health-monitor';
import { VenueObservations } from './components/venue-observations';
import { MetricsRegistry } from './metrics/metrics-registry';
import { TelemetryMetrics } from './metrics/telemetry-metrics';
import { HealthTokens } from './tokens';

export type HealthModuleOptions = Omit<
  HealthMonitorOptions,
  'adapters' | 'contributors' | 'clock' | 'logger' | 'metricsRegistry' | 'observations'
>;

/**
 * The health package's module: `createVenuekit({ modules: [..., healthModule()] })` gives
 * `venuekit.health`. Telemetry metrics are subscribed as soon as the module is loaded, so
 * connections and requests made before anyone reads the facade are counted.
 */
export function healthModule(options: HealthModuleOptions = {}): VenuekitModule<'health', Health> {
  const { telemetry, ...monitorOptions } = options;
  return new VenuekitModule(
    'health',
    ({ bind, onActivation }) => {
      const registry = new MetricsRegistry();
      const observations = new VenueObservations();
      const metrics =
        telemetry === false
          ? undefined
          : new TelemetryMetrics(registry, typeof telemetry === 'object' ? telemetry : {});
      bind(HealthTokens.MetricsRegistry).toConstantValue(registry);
      // The lifecycle is resolved as the system is assembled: the subscriptions close with it.
      onActivation(CoreTokens.Lifecycle, (_context, lifecycle: Lifecycle) => {
        lifecycle.add('health venue observations', observations);
        if (metrics) lifecycle.add('health telemetry metrics', metrics);
        return lifecycle;
      });
      bind(HealthTokens.Health)
        .toDynamicValue((context) => {
          const monitor = new HealthMonitor({
            ...monitorOptions,
            adapters: context.get<ExchangeRegistry>(CoreTokens.ExchangeRegistry),
            contributors:
              context.getAll<HealthContributor>(CoreTokens.HealthContributor, { optional: true }) ?? [],
            clock: context.get<Clock>(CoreTokens.Clock),
            logger: context.get<Logger>(CoreTokens.Logger),
            metricsRegistry: registry,
            observations,
            telemetry: false,
          });
          const clock = context.get<Clock>(CoreTokens.Clock);
          metrics?.useClock(clock);
          observations.useClock(clock);
          context.get<Lifecycle>(CoreTokens.Lifecycle).add('health', monitor);
          return monitor;
        })
        .inSingletonScope();
    },
    (container) => resolve(container, HealthTokens.Health),
  );
}
