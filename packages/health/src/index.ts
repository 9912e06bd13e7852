export { HealthChecker, type AdapterSource, type HealthCheckerOptions } from './health-checker';
export { HealthMonitor, type Health, type HealthMonitorOptions, type ListenOptions } from './health-monitor';
export {
  createHealthHandler,
  httpStatusOf,
  type HealthEndpoints,
  type HealthHandlerOptions,
  type HealthRequestHandler,
} from './http/health-handler';
export { HealthServer, type HealthServerOptions } from './http/health-server';
export {
  Counter,
  type CounterSeries,
  Gauge,
  Histogram,
  type HistogramOptions,
  type MetricOptions,
  MetricsRegistry,
  type MetricType,
  PROMETHEUS_CONTENT_TYPE,
} from './metrics/metrics-registry';
export { TelemetryMetrics, type TelemetryMetricsOptions } from './metrics/telemetry-metrics';
export type { ApplicationCheckOptions } from './components/application';
export type { ClockSkewCheckOptions } from './components/clock-skew';
export { DEFAULT_STALE_AFTER_MS, type MarketDataCheckOptions } from './components/market-data';
export type { RateLimitsCheckOptions } from './components/rate-limits';
export { type VenueObservationSource, VenueObservations } from './components/venue-observations';
export { HEALTH_STATUSES, type RollUp, rollUp, worse } from './status';
export {
  type ApplicationHealth,
  BUILTIN_COMPONENTS,
  type BuiltinComponent,
  type CheckFailure,
  type ClockSkewHealth,
  type ExchangeClock,
  type ExchangeConnections,
  type ExchangeRateLimit,
  type HealthComponents,
  type MarketDataHealth,
  type RateLimitsHealth,
  type Readiness,
  type ResyncingStream,
  type StaleStream,
  type SystemHealth,
  type TradingSystemHealth,
  type WebsocketConnectionsHealth,
} from './types';
export type { ComponentHealth, HealthContributor, HealthStatus } from '@venuekit/core';
export { type HealthModuleOptions, healthModule } from './module';
export { HealthTokens } from './tokens';
