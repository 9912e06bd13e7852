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
import { MetricsRegistry } from './metrics/metrics-registry';
import { TelemetryMetrics } from './metrics/telemetry-metrics';
import { HealthTokens } from './tokens';

export type HealthModuleOptions = Omit<
  HealthMonitorOptions,
  'adapters' | 'contributors' | 'clock' | 'logger' | 'metricsRegistry'
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
      const metrics =
        telemetry === false
          ? undefined
          : new TelemetryMetrics(registry, typeof telemetry === 'object' ? telemetry : {});
      bind(HealthTokens.MetricsRegistry).toConstantValue(registry);
      if (metrics) {
        // The lifecycle is resolved as the system is assembled: the subscription closes with it.
        onActivation(CoreTokens.Lifecycle, (_context, lifecycle: Lifecycle) => {
          lifecycle.add('health telemetry metrics', metrics);
          return lifecycle;
        });
      }
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
            telemetry: false,
          });
          metrics?.useClock(context.get<Clock>(CoreTokens.Clock));
          context.get<Lifecycle>(CoreTokens.Lifecycle).add('health', monitor);
          return monitor;
        })
        .inSingletonScope();
    },
    (container) => resolve(container, HealthTokens.Health),
  );
}
