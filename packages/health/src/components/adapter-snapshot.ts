import type { AdapterStatus, ExchangeAdapter, ExchangeId, HealthStatus } from '@venuekit/core';
import { scrubSecrets } from '@venuekit/core';
import { worse } from '../status';

/** Every adapter's status, read once per check so that the components agree with each other. */
export interface AdapterSnapshot {
  readonly statuses: readonly AdapterStatus[];
  /** Adapters whose `status()` threw: the components cannot vouch for them. */
  readonly failures: readonly { readonly exchange: ExchangeId; readonly error: string }[];
}

export function takeSnapshot(adapters: readonly ExchangeAdapter[]): AdapterSnapshot {
  const statuses: AdapterStatus[] = [];
  const failures: { exchange: ExchangeId; error: string }[] = [];
  for (const adapter of adapters) {
    try {
      statuses.push(adapter.status());
    } catch (error) {
      failures.push({
        exchange: adapter.id,
        error: scrubSecrets(error instanceof Error ? error.message : String(error)),
      });
    }
  }
  return { statuses, failures };
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
