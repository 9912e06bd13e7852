import { token } from '@venuekit/core';
import type { Health } from './health-monitor';
import type { MetricsRegistry } from './metrics/metrics-registry';

export const HealthTokens = {
  /** The health facade: checks, readiness, metrics, HTTP endpoints. */
  Health: token<Health>('@venuekit/health/Health'),
  /** The Prometheus registry; add your own metrics to it and they appear on /metrics. */
  MetricsRegistry: token<MetricsRegistry>('@venuekit/health/MetricsRegistry'),
} as const;
