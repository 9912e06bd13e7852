import type { HealthStatus } from '@venuekit/core';
import type { ClockSkewHealth, ExchangeClock } from '../types';
import { type AdapterSnapshot, withFailures } from './adapter-snapshot';

export interface ClockSkewCheckOptions {
  /**
   * `degraded` from this absolute offset, ms. Default 1000: Binance refuses a signed request stamped
   * more than 1000 ms ahead of its clock, so beyond it every request depends on the offset correction.
   */
  readonly degradedMs?: number;
  /** `unhealthy` from this absolute offset, ms. Default 5000, Binance's default `recvWindow`. */
  readonly unhealthyMs?: number;
  /** `degraded` when an exchange's last measurement is older than this, ms. Default: no limit. */
  readonly maxSyncAgeMs?: number;
}

/**
 * `clockSkew`: the offset between the local clock and each venue's, as the adapters measured it.
 * Rules: unhealthy from `unhealthyMs`; degraded from `degradedMs` or when a measurement is older
 * than `maxSyncAgeMs`; healthy otherwise, including when no adapter has measured its venue's clock.
 */
export function checkClockSkew(
  snapshot: AdapterSnapshot,
  now: number,
  options: ClockSkewCheckOptions = {},
): ClockSkewHealth {
  const { degradedMs = 1000, unhealthyMs = 5000, maxSyncAgeMs } = options;
  const exchanges: Record<string, ExchangeClock> = {};
  let offsetMs = 0;
  let health: HealthStatus = 'healthy';
  for (const status of snapshot.statuses) {
    const clock = status.clock;
    if (!clock) continue;
    const syncAgeMs = clock.lastSyncAt === undefined ? undefined : Math.max(0, now - clock.lastSyncAt);
    exchanges[status.exchange] = {
      offsetMs: clock.offsetMs,
      roundTripMs: clock.roundTripMs,
      ...(clock.lastSyncAt === undefined ? {} : { lastSyncAt: clock.lastSyncAt, syncAgeMs }),
    };
    const skew = Math.abs(clock.offsetMs);
    offsetMs = Math.max(offsetMs, skew);
    if (skew >= unhealthyMs) health = 'unhealthy';
    else if (
      health === 'healthy' &&
      (skew >= degradedMs ||
        (maxSyncAgeMs !== undefined && syncAgeMs !== undefined && syncAgeMs > maxSyncAgeMs))
    ) {
      health = 'degraded';
    }
  }
  return withFailures(snapshot, { status: health, offsetMs, exchanges });
}
