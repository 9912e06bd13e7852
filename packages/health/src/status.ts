import type { HealthStatus } from '@venuekit/core';

export const HEALTH_STATUSES: readonly HealthStatus[] = ['healthy', 'degraded', 'unhealthy', 'unknown'];

export function isHealthStatus(value: unknown): value is HealthStatus {
  return typeof value === 'string' && (HEALTH_STATUSES as readonly string[]).includes(value);
}

/** How bad a status is, for "the worst of" within one component: unknown sits between healthy and degraded. */
const SEVERITY: Record<HealthStatus, number> = { healthy: 0, unknown: 1, degraded: 2, unhealthy: 3 };

/** The worse of two statuses (unhealthy > degraded > unknown > healthy). */
export function worse(a: HealthStatus, b: HealthStatus): HealthStatus {
  return SEVERITY[b] > SEVERITY[a] ? b : a;
}

/** Why the system has the status it has: which rule applied, and to which components. */
export interface RollUp {
  readonly status: HealthStatus;
  /** The roll-up rule that decided (R1…R5, see the README). */
  readonly rule: 'R1' | 'R2' | 'R3' | 'R4' | 'R5';
  /** The components that made the status worse than healthy. */
  readonly causes: readonly string[];
}

/**
 * The system status from the components' statuses. The rules, in order (the first that applies wins):
 *
 * - R1: no component was checked → `unknown` (nothing vouches for the system).
 * - R2: a critical component is `unhealthy` → `unhealthy`.
 * - R3: every component is `unknown` → `unknown`.
 * - R4: some component is `degraded`, `unknown`, or `unhealthy` but not critical → `degraded`.
 * - R5: otherwise (every component `healthy`) → `healthy`.
 *
 * Every component is critical unless named in `nonCritical`.
 */
export function rollUp(
  components: Readonly<Record<string, { readonly status: HealthStatus }>>,
  nonCritical: ReadonlySet<string> = new Set(),
): RollUp {
  const names = Object.keys(components);
  if (names.length === 0) return { status: 'unknown', rule: 'R1', causes: [] };
  const unhealthy: string[] = [];
  const notHealthy: string[] = [];
  let unknown = 0;
  for (const name of names) {
    const status = components[name]?.status;
    if (status === 'healthy') continue;
    notHealthy.push(name);
    if (status === 'unknown') unknown++;
    else if (status === 'unhealthy' && !nonCritical.has(name)) unhealthy.push(name);
  }
  if (unhealthy.length > 0) return { status: 'unhealthy', rule: 'R2', causes: unhealthy };
  if (unknown === names.length) return { status: 'unknown', rule: 'R3', causes: notHealthy };
  if (notHealthy.length > 0) return { status: 'degraded', rule: 'R4', causes: notHealthy };
  return { status: 'healthy', rule: 'R5', causes: [] };
}
