export type HealthStatus = 'healthy' | 'degraded' | 'unhealthy' | 'unknown';

/** A component's health: its status plus whatever figures explain it. */
export interface ComponentHealth {
  readonly status: HealthStatus;
  readonly [detail: string]: unknown;
}

/**
 * A package's contribution to health checks. Bind under `CoreTokens.HealthContributor`;
 * the health package gathers every contributor.
 */
export interface HealthContributor {
  /** The component name in `checkSystem().components`, e.g. `tradingSystem`. */
  readonly component: string;
  check(): ComponentHealth | Promise<ComponentHealth>;
}
