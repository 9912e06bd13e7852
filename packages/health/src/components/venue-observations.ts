import {
  type Clock,
  type ClockSyncStatus,
  type ExchangeId,
  type RateLimitStatus,
  systemClock,
  telemetry,
} from '@venuekit/core';

/** Binance counts request weight per minute: an older report says nothing about the current window. */
const WEIGHT_REPORT_TTL_MS = 60_000;

interface ObservedRateLimit {
  usedWeight: number;
  weightLimit: number;
  observedAt: number;
  bannedUntil?: number;
  backoffUntil?: number;
}

/** What the venues told through telemetry, for health to read beside the adapters' status. */
export interface VenueObservationSource {
  exchanges(): readonly ExchangeId[];
  clock(exchange: ExchangeId): ClockSyncStatus | undefined;
  rateLimit(exchange: ExchangeId): RateLimitStatus | undefined;
}

/**
 * The last clock measurement (`venuekit:clock:synced`) and rate-limit report
 * (`venuekit:ratelimit:update`) per exchange. Components use them where an adapter's
 * `status()` does not report a clock or a ban, and for exchanges used outside the registry
 * (an account client on its own). Both channels are low-frequency.
 */
export class VenueObservations implements VenueObservationSource {
  readonly #clocks = new Map<ExchangeId, ClockSyncStatus>();
  readonly #limits = new Map<ExchangeId, ObservedRateLimit>();
  readonly #unsubscribes: (() => void)[];
  #clock: Clock;

  constructor(options: { clock?: Clock } = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#unsubscribes = [
      telemetry.clockSync.subscribe((event) => {
        if (typeof event?.exchange !== 'string' || typeof event.offsetMs !== 'number') return;
        this.#clocks.set(event.exchange, {
          offsetMs: event.offsetMs,
          roundTripMs: typeof event.roundTripMs === 'number' ? event.roundTripMs : 0,
          lastSyncAt: this.#clock.now(),
        });
      }),
      telemetry.rateLimit.subscribe((event) => {
        if (typeof event?.exchange !== 'string') return;
        const now = this.#clock.now();
        const previous = this.#limits.get(event.exchange);
        const next: ObservedRateLimit = {
          usedWeight: typeof event.usedWeight === 'number' ? event.usedWeight : (previous?.usedWeight ?? 0),
          weightLimit:
            typeof event.weightLimit === 'number' ? event.weightLimit : (previous?.weightLimit ?? 0),
          observedAt: now,
        };
        const bannedUntil = latest(previous?.bannedUntil, event.bannedUntil);
        if (bannedUntil !== undefined) next.bannedUntil = bannedUntil;
        const backoff =
          event.bannedUntil === undefined && typeof event.retryAfterMs === 'number'
            ? now + event.retryAfterMs
            : undefined;
        const backoffUntil = latest(previous?.backoffUntil, backoff);
        if (backoffUntil !== undefined) next.backoffUntil = backoffUntil;
        this.#limits.set(event.exchange, next);
      }),
    ];
  }

  /** The clock that dates measurements and ages weight reports (the container's, once known). */
  useClock(clock: Clock): void {
    this.#clock = clock;
  }

  exchanges(): ExchangeId[] {
    return [...new Set([...this.#clocks.keys(), ...this.#limits.keys()])];
  }

  clock(exchange: ExchangeId): ClockSyncStatus | undefined {
    return this.#clocks.get(exchange);
  }

  rateLimit(exchange: ExchangeId): RateLimitStatus | undefined {
    const observed = this.#limits.get(exchange);
    if (!observed) return undefined;
    const fresh = this.#clock.now() - observed.observedAt <= WEIGHT_REPORT_TTL_MS;
    return {
      usedWeight: fresh ? observed.usedWeight : 0,
      weightLimit: observed.weightLimit,
      queued: 0,
      ...(observed.bannedUntil === undefined ? {} : { bannedUntil: observed.bannedUntil }),
      ...(observed.backoffUntil === undefined ? {} : { backoffUntil: observed.backoffUntil }),
    };
  }

  close(): void {
    for (const unsubscribe of this.#unsubscribes.splice(0)) unsubscribe();
  }
}

function latest(a: number | undefined, b: number | undefined): number | undefined {
  if (typeof b !== 'number') return a;
  if (a === undefined) return b;
  return Math.max(a, b);
}
