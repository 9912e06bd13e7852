import type {
  AdapterStatus,
  ExchangeAdapter,
  ExchangeId,
  HealthStatus,
  RateLimitStatus,
} from '@venuekit/core';
import { scrubSecrets } from '@venuekit/core';
import { worse } from '../status';
import type { VenueObservationSource } from './venue-observations';

/** Every adapter's status, read once per check so that the components agree with each other. */
export interface AdapterSnapshot {
  readonly statuses: readonly AdapterStatus[];
  /** Adapters whose `status()` threw: the components cannot vouch for them. */
  readonly failures: readonly { readonly exchange: ExchangeId; readonly error: string }[];
}

export function takeSnapshot(
  adapters: readonly ExchangeAdapter[],
  observations?: VenueObservationSource,
): AdapterSnapshot {
  const statuses: AdapterStatus[] = [];
  const failures: { exchange: ExchangeId; error: string }[] = [];
  const seen = new Set<ExchangeId>();
  for (const adapter of adapters) {
    seen.add(adapter.id);
    try {
      const status = adapter.status();
      seen.add(status.exchange);
      statuses.push(observations ? withObservations(status, observations) : status);
    } catch (error) {
      failures.push({
        exchange: adapter.id,
        error: scrubSecrets(error instanceof Error ? error.message : String(error)),
      });
    }
  }
  // Exchanges heard of only through telemetry (e.g. an account client used on its own).
  for (const exchange of observations?.exchanges() ?? []) {
    if (seen.has(exchange)) continue;
    statuses.push(
      withObservations({ exchange, connections: [], streams: [] }, observations as VenueObservationSource),
    );
  }
  return { statuses, failures };
}

/**
 * The adapter's own report wins; telemetry fills what it leaves out: the clock when it reports
 * none, and a ban or backoff its rate-limit report does not carry.
 */
function withObservations(status: AdapterStatus, observations: VenueObservationSource): AdapterStatus {
  const clock = status.clock ?? observations.clock(status.exchange);
  const observed = observations.rateLimit(status.exchange);
  let rateLimit: RateLimitStatus | undefined = status.rateLimit ?? observed;
  if (status.rateLimit && observed) {
    const bannedUntil = later(status.rateLimit.bannedUntil, observed.bannedUntil);
    const backoffUntil = later(status.rateLimit.backoffUntil, observed.backoffUntil);
    rateLimit = {
      ...status.rateLimit,
      ...(bannedUntil === undefined ? {} : { bannedUntil }),
      ...(backoffUntil === undefined ? {} : { backoffUntil }),
    };
  }
  if (clock === status.clock && rateLimit === status.rateLimit) return status;
  return { ...status, ...(clock ? { clock } : {}), ...(rateLimit ? { rateLimit } : {}) };
}

function later(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.max(a, b);
}

/**
 * A component computed from the adapters that answered; when some did not, it is at least
 * `unknown` (it cannot be healthy for adapters it could not see) and lists them.
 */
export function withFailures<T extends { status: HealthStatus }>(
  snapshot: AdapterSnapshot,
  component: T,
): T | (T & { adapterErrors: AdapterSnapshot['failures'] }) {
  if (snapshot.failures.length === 0) return component;
  return { ...component, status: worse(component.status, 'unknown'), adapterErrors: snapshot.failures };
}
