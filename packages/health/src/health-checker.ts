import {
  type Clock,
  type ComponentHealth,
  type ExchangeAdapter,
  type HealthContributor,
  redact,
  scrubSecrets,
  systemClock,
  ValidationError,
} from '@venuekit/core';
import { type AdapterSnapshot, takeSnapshot } from './components/adapter-snapshot';
import { ApplicationCheck, type ApplicationCheckOptions } from './components/application';
import { type ClockSkewCheckOptions, checkClockSkew } from './components/clock-skew';
import {
  checkMarketData,
  DEFAULT_STALE_AFTER_MS,
  type MarketDataCheckOptions,
} from './components/market-data';
import { checkRateLimits, type RateLimitsCheckOptions } from './components/rate-limits';
import type { VenueObservationSource } from './components/venue-observations';
import { checkWebsocketConnections } from './components/websocket-connections';
import { isHealthStatus, rollUp } from './status';
import { BUILTIN_COMPONENTS, type BuiltinComponent, type CheckFailure, type SystemHealth } from './types';

/** Where the adapters come from; an ExchangeRegistry is one. Read on every check, so late registrations count. */
export interface AdapterSource {
  list(): readonly ExchangeAdapter[];
}

export interface HealthCheckerOptions {
  /** The adapters to watch: an ExchangeRegistry, or any `{ list() }`. Default: none. */
  readonly adapters?: AdapterSource | readonly ExchangeAdapter[];
  /**
   * What the venues reported through telemetry (clock measurements, bans), used where an
   * adapter's `status()` is silent. HealthMonitor provides one.
   */
  readonly observations?: VenueObservationSource;
  /** Components contributed by other packages (or by the application). */
  readonly contributors?: readonly HealthContributor[];
  /** Time source for freshness, bans and timeouts. Default: the system clock. */
  readonly clock?: Clock;
  /** How long one component's check may take before it reports `unknown`, ms. Default 750. */
  readonly timeoutMs?: number;
  /** Components whose `unhealthy` only makes the system `degraded` (roll-up rule R4). */
  readonly nonCritical?: readonly string[];
  /** Built-in components to leave out. */
  readonly exclude?: readonly BuiltinComponent[];
  readonly application?: ApplicationCheckOptions;
  readonly marketData?: MarketDataCheckOptions;
  readonly rateLimits?: RateLimitsCheckOptions;
  readonly clockSkew?: ClockSkewCheckOptions;
}

type Run = (snapshot: () => AdapterSnapshot) => ComponentHealth | Promise<ComponentHealth>;

interface Check {
  readonly name: string;
  readonly run: Run;
  /** Contributed results are validated and scrubbed; built-in ones are ours. */
  readonly contributed: boolean;
}

interface InFlight {
  readonly startedAt: number;
  readonly waiters: Set<(health: ComponentHealth) => void>;
}

/**
 * Runs the health checks: the built-in components read from the adapters' `status()`, plus
 * every contributed component. Each check is bounded by `timeoutMs` (a hung check reports
 * `unknown`, it never hangs the caller) and runs at most once at a time: callers arriving while
 * it runs share its answer, so a hung check never piles up.
 */
export class HealthChecker {
  readonly #clock: Clock;
  readonly #timeoutMs: number;
  readonly #adapters: () => readonly ExchangeAdapter[];
  readonly #observations: VenueObservationSource | undefined;
  readonly #nonCritical: ReadonlySet<string>;
  readonly #builtins: Check[] = [];
  readonly #contributed: Check[] = [];
  readonly #inflight = new Map<string, InFlight>();
  readonly #application: ApplicationCheck | undefined;

  constructor(options: HealthCheckerOptions = {}) {
    validateOptions(options);
    this.#clock = options.clock ?? systemClock;
    this.#timeoutMs = options.timeoutMs ?? 750;
    this.#nonCritical = new Set(options.nonCritical ?? []);
    this.#observations = options.observations;
    const source = options.adapters;
    this.#adapters =
      source === undefined ? () => [] : isAdapterList(source) ? () => source : () => source.list();
    const excluded = new Set<string>(options.exclude ?? []);
    const clock = this.#clock;
    if (!excluded.has('application')) {
      const application = new ApplicationCheck(options.application);
      this.#application = application;
      this.#builtins.push({ name: 'application', run: () => application.check(), contributed: false });
    }
    const builtins: Record<Exclude<BuiltinComponent, 'application'>, Run> = {
      websocketConnections: (snapshot) => checkWebsocketConnections(snapshot()),
      marketData: (snapshot) => checkMarketData(snapshot(), clock.now(), options.marketData),
      rateLimits: (snapshot) => checkRateLimits(snapshot(), clock.now(), options.rateLimits),
      clockSkew: (snapshot) => checkClockSkew(snapshot(), clock.now(), options.clockSkew),
    };
    for (const [name, run] of Object.entries(builtins)) {
      if (!excluded.has(name)) this.#builtins.push({ name, run, contributed: false });
    }
    for (const contributor of options.contributors ?? []) this.addContributor(contributor);
  }

  /** Every component name `checkComponent` accepts, in the order `checkSystem` reports them. */
  componentNames(): string[] {
    return this.#checks().map((check) => check.name);
  }

  /**
   * Adds a component. A contributor with a built-in's name replaces the built-in; two contributors
   * with the same name are a ValidationError. Returns a function that removes it.
   */
  addContributor(contributor: HealthContributor): () => void {
    const name = contributor?.component;
    if (typeof name !== 'string' || !/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) {
      throw new ValidationError('INVALID_PARAMETER', {
        field: 'contributor.component',
        rule: 'must be a name of letters, digits and underscores, starting with a letter',
      });
    }
    if (typeof contributor.check !== 'function') {
      throw new ValidationError('INVALID_PARAMETER', {
        field: 'contributor.check',
        rule: 'must be a function',
      });
    }
    if (this.#contributed.some((check) => check.name === name)) {
      throw new ValidationError('INVALID_PARAMETER', {
        field: 'contributor.component',
        rule: `must be unique: a component named "${name}" is already contributed`,
      });
    }
    const check: Check = { name, run: () => contributor.check(), contributed: true };
    this.#contributed.push(check);
    return () => {
      const index = this.#contributed.indexOf(check);
      if (index >= 0) this.#contributed.splice(index, 1);
    };
  }

  /** Checks every component and rolls them up into the system status (rules in the README). */
  async checkSystem(): Promise<SystemHealth> {
    const timestamp = this.#clock.now();
    const snapshot = this.#snapshotOnce();
    const checks = this.#checks();
    const results = await Promise.all(checks.map((check) => this.#bounded(check, snapshot)));
    const components: Record<string, ComponentHealth> = {};
    checks.forEach((check, i) => {
      components[check.name] = results[i] as ComponentHealth;
    });
    const reason = rollUp(components, this.#nonCritical);
    return {
      status: reason.status,
      timestamp,
      durationMs: Math.max(0, this.#clock.now() - timestamp),
      reason,
      components,
    };
  }

  /** Checks one component by name (the names of `checkSystem().components`). */
  async checkComponent(name: string): Promise<ComponentHealth> {
    const check = typeof name === 'string' ? this.#checks().find((c) => c.name === name) : undefined;
    if (!check) {
      throw new ValidationError('INVALID_PARAMETER', {
        field: 'name',
        rule: `must be one of the components: ${this.componentNames().join(', ')}`,
      });
    }
    return this.#bounded(check, this.#snapshotOnce());
  }

  /** Stops the event-loop delay sampler. Checks still answer afterwards. */
  close(): void {
    this.#application?.close();
  }

  #checks(): Check[] {
    const overridden = new Set(this.#contributed.map((check) => check.name));
    return [...this.#builtins.filter((check) => !overridden.has(check.name)), ...this.#contributed];
  }

  /** The adapters' status, read at most once per call and only if a built-in component needs it. */
  #snapshotOnce(): () => AdapterSnapshot {
    let snapshot: AdapterSnapshot | undefined;
    return () => {
      snapshot ??= takeSnapshot(this.#adapters(), this.#observations);
      return snapshot;
    };
  }

  #bounded(check: Check, snapshot: () => AdapterSnapshot): Promise<ComponentHealth> {
    return new Promise((resolve) => {
      let entry = this.#inflight.get(check.name);
      if (!entry) {
        const started: InFlight = { startedAt: this.#clock.now(), waiters: new Set() };
        entry = started;
        this.#inflight.set(check.name, started);
        let result: Promise<unknown>;
        try {
          result = Promise.resolve(check.run(snapshot));
        } catch (error) {
          result = Promise.reject(error);
        }
        result
          .then(
            (value) => (check.contributed ? validated(value) : (value as ComponentHealth)),
            (error: unknown) => failure(`check failed: ${errorMessage(error)}`, false),
          )
          .then((health) => {
            if (this.#inflight.get(check.name) === started) this.#inflight.delete(check.name);
            for (const waiter of started.waiters) waiter(health);
          });
      }
      const joined = entry;
      const waiter = (health: ComponentHealth) => {
        this.#clock.clearTimeout(timer);
        resolve(health);
      };
      joined.waiters.add(waiter);
      const timer = this.#clock.setTimeout(() => {
        joined.waiters.delete(waiter);
        const pendingMs = this.#clock.now() - joined.startedAt;
        resolve({
          ...failure(`check did not answer within ${this.#timeoutMs} ms`, true),
          pendingMs,
        });
      }, this.#timeoutMs);
    });
  }
}

function failure(error: string, timedOut: boolean): CheckFailure {
  return { status: 'unknown', error, timedOut };
}

function errorMessage(error: unknown): string {
  return scrubSecrets(error instanceof Error ? error.message : String(error));
}

/** A contributed result, checked and scrubbed of secrets before anyone sees it. */
function validated(value: unknown): ComponentHealth {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return failure('check returned no component health object', false);
  }
  const status = (value as { status?: unknown }).status;
  if (!isHealthStatus(status)) {
    return failure(
      `check returned status ${JSON.stringify(status) ?? 'undefined'}, not healthy, degraded, unhealthy or unknown`,
      false,
    );
  }
  return redact(value) as ComponentHealth;
}

function isAdapterList(
  source: AdapterSource | readonly ExchangeAdapter[],
): source is readonly ExchangeAdapter[] {
  return Array.isArray(source);
}

function validateOptions(options: HealthCheckerOptions): void {
  const positive = (field: string, value: number | undefined) => {
    if (value !== undefined && !(typeof value === 'number' && Number.isFinite(value) && value > 0)) {
      throw new ValidationError('INVALID_PARAMETER', { field, rule: 'must be a finite number above 0' });
    }
  };
  positive('timeoutMs', options.timeoutMs);
  positive('application.memoryDegradedMb', options.application?.memoryDegradedMb);
  positive('application.memoryUnhealthyMb', options.application?.memoryUnhealthyMb);
  positive('application.eventLoopDelayDegradedMs', options.application?.eventLoopDelayDegradedMs);
  positive('clockSkew.degradedMs', options.clockSkew?.degradedMs);
  positive('clockSkew.unhealthyMs', options.clockSkew?.unhealthyMs);
  positive('clockSkew.maxSyncAgeMs', options.clockSkew?.maxSyncAgeMs);
  for (const [kind, value] of Object.entries(options.marketData?.staleAfterMs ?? {})) {
    if (!(kind in DEFAULT_STALE_AFTER_MS)) {
      throw new ValidationError('INVALID_PARAMETER', {
        field: `marketData.staleAfterMs.${kind}`,
        rule: `must be a stream kind: ${Object.keys(DEFAULT_STALE_AFTER_MS).join(', ')}`,
      });
    }
    positive(`marketData.staleAfterMs.${kind}`, value);
  }
  const usage = options.rateLimits?.degradedUsage;
  if (usage !== undefined && !(typeof usage === 'number' && usage > 0 && usage <= 1)) {
    throw new ValidationError('INVALID_PARAMETER', {
      field: 'rateLimits.degradedUsage',
      rule: 'must be a number in (0, 1]',
    });
  }
  for (const [i, name] of (options.exclude ?? []).entries()) {
    if (!(BUILTIN_COMPONENTS as readonly string[]).includes(name)) {
      throw new ValidationError('INVALID_PARAMETER', {
        field: `exclude[${i}]`,
        rule: `must be a built-in component: ${BUILTIN_COMPONENTS.join(', ')}`,
      });
    }
  }
}
