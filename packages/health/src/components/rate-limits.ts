import type { HealthStatus } from '@venuekit/core';
import type { ExchangeRateLimit, RateLimitsHealth } from '../types';
import { type AdapterSnapshot, withFailures } from './adapter-snapshot';

export interface RateLimitsCheckOptions {
  /** `degraded` from this share of the weight limit, 0…1. Default 0.8. */
  readonly degradedUsage?: number;
}

/**
 * `rateLimits`: request weight and bans, per exchange. Rules:
 * - unhealthy: an exchange has banned this IP (418) and the ban has not ended;
 * - degraded: backing off after a 429, or used weight at or above `degradedUsage` of the limit;
 * - healthy: otherwise, including when no adapter reports rate limits.
 */
export function checkRateLimits(
  snapshot: AdapterSnapshot,
  now: number,
  options: RateLimitsCheckOptions = {},
): RateLimitsHealth {
  const degradedUsage = options.degradedUsage ?? 0.8;
  const exchanges: Record<string, ExchangeRateLimit> = {};
  let usage = 0;
  let banned = false;
  let health: HealthStatus = 'healthy';
  for (const status of snapshot.statuses) {
    const limit = status.rateLimit;
    if (!limit) continue;
    const exUsage =
      limit.weightLimit > 0 ? Math.round((limit.usedWeight / limit.weightLimit) * 1000) / 1000 : 0;
    const exBanned = limit.bannedUntil !== undefined && limit.bannedUntil > now;
    const backingOff = limit.backoffUntil !== undefined && limit.backoffUntil > now;
    exchanges[status.exchange] = {
      usedWeight: limit.usedWeight,
      weightLimit: limit.weightLimit,
      usage: exUsage,
      queued: limit.queued,
      banned: exBanned,
      ...(exBanned ? { bannedUntil: limit.bannedUntil } : {}),
      backingOff,
      ...(backingOff ? { backoffUntil: limit.backoffUntil } : {}),
    };
    usage = Math.max(usage, exUsage);
    if (exBanned) {
      banned = true;
      health = 'unhealthy';
    } else if ((backingOff || exUsage >= degradedUsage) && health === 'healthy') {
      health = 'degraded';
    }
  }
  return withFailures(snapshot, { status: health, usage, banned, exchanges });
}
