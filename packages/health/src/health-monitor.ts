import {
  type ComponentHealth,
  type HealthContributor,
  type HealthStatus,
  type Clock,
  type Logger,
  silentLogger,
  systemClock,
  ValidationError,
} from '@venuekit/core';
import { type VenueObservationSource, VenueObservations } from './components/venue-observations';
import { type AdapterSource, HealthChecker, type HealthCheckerOptions } from './health-checker';
import {
  createHealthHandler,
  type HealthEndpoints,
  type HealthHandlerOptions,
  type HealthRequestHandler,
} from './http/health-handler';
import { HealthServer, type HealthServerOptions } from './http/health-server';
import { type Gauge, MetricsRegistry } from './metrics/metrics-registry';
import { TelemetryMetrics, type TelemetryMetricsOptions } from './metrics/telemetry-metrics';
import { HEALTH_STATUSES, isHealthStatus } from './status';
import type { Readiness, SystemHealth } from './types';

export interface HealthMonitorOptions extends Omit<HealthCheckerOptions, 'observations'> {
  readonly logger?: Logger;
  /** System statuses in which `/ready` says ready. Default `healthy` and `degraded`. */
  readonly readyWhen?: readonly HealthStatus[];
  /** Where the metrics live. Default: a new registry. */
  readonly metricsRegistry?: MetricsRegistry;
  /**
   * Metrics from core's telemetry channels: on by default (`true` or options), `false` when the
   * registry is already fed (the container module subscribes early, at load time).
   */
  readonly telemetry?: boolean | TelemetryMetricsOptions;
  /**
   * Clock measurements and bans heard through telemetry, for adapters whose `status()` does not
   * report them. Default: the monitor subscribes its own; `false` for none.
   */
  readonly observations?: VenueObservationSource | false;
  /** Path prefix of the HTTP handler, e.g. `/ops`. */
  readonly basePath?: HealthHandlerOptions['basePath'];
}

export type ListenOptions = Omit<HealthServerOptions, 'logger'>;

/** The health facade (`venuekit.health`): checks, readiness, metrics and the HTTP endpoints. */
export interface Health extends HealthEndpoints {
  /** Every component name `checkComponent` accepts. */
  componentNames(): string[];
  /** Adds a component at run time; returns a function that removes it. */
  addContributor(contributor: HealthContributor): () => void;
  /** The Node request handler serving /health, /health/<component>, /ready, /live and /metrics. */
  readonly handler: HealthRequestHandler;
  /** Starts a server for the endpoints; it closes with the monitor. */
  listen(options?: ListenOptions): Promise<HealthServer>;
  /** From now on `/ready` answers 503 (`draining`), so orchestrators stop routing before shutdown. */
  drain(): void;
  readonly draining: boolean;
  /** Closes the servers it started and stops listening to telemetry. */
  close(): Promise<void>;
}

/**
 * Health checks, readiness and Prometheus metrics in one object, usable with plain `new`:
 *
 * ```ts
 * const health = new HealthMonitor({ adapters: registry, contributors });
 * const server = await health.listen({ port: 9464, host: '0.0.0.0' });
 * ```
 */
export class HealthMonitor implements Health {
  readonly handler: HealthRequestHandler;
  readonly #checker: HealthChecker;
  readonly #registry: MetricsRegistry;
  readonly #telemetry: TelemetryMetrics | undefined;
  #ownObservations: VenueObservations | undefined;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #readyWhen: ReadonlySet<HealthStatus>;
  readonly #adapters: AdapterSource;
  readonly #servers = new Set<HealthServer>();
  readonly #removeCollector: () => void;
  readonly #healthGauge: Gauge;
  #draining = false;
  #closing: Promise<void> | undefined;

  constructor(options: HealthMonitorOptions = {}) {
    for (const [i, status] of (options.readyWhen ?? []).entries()) {
      if (!isHealthStatus(status)) {
        throw new ValidationError('INVALID_PARAMETER', {
          field: `readyWhen[${i}]`,
          rule: `must be one of ${HEALTH_STATUSES.join(', ')}`,
        });
      }
    }
    this.handler = createHealthHandler(
      this,
      options.basePath === undefined ? {} : { basePath: options.basePath },
    );
    this.#logger = options.logger ?? silentLogger;
    this.#clock = options.clock ?? systemClock;
    this.#readyWhen = new Set(options.readyWhen ?? ['healthy', 'degraded']);
    const source = options.adapters;
    this.#adapters =
      source === undefined
        ? { list: () => [] }
        : Array.isArray(source)
          ? { list: () => source }
          : (source as AdapterSource);
    this.#registry = options.metricsRegistry ?? new MetricsRegistry();
    const { observations: given, ...checkerOptions } = options;
    if (given === undefined) {
      this.#ownObservations = new VenueObservations(options.clock ? { clock: options.clock } : {});
    }
    const observations = given === undefined ? this.#ownObservations : given === false ? undefined : given;
    try {
      this.#checker = new HealthChecker({ ...checkerOptions, ...(observations ? { observations } : {}) });
    } catch (error) {
      this.#ownObservations?.close();
      throw error;
    }
    let removeCollector: (() => void) | undefined;
    try {
      this.#healthGauge = this.#registry.gauge({
        name: 'venuekit_health_status',
        help: 'Health of the system and of each component: 1 for the current status, 0 for the others.',
        labelNames: ['component', 'status'],
      });
      removeCollector = this.#addStatusCollector();
      if (options.telemetry !== false) {
        this.#telemetry = new TelemetryMetrics(this.#registry, {
          ...(options.clock ? { clock: options.clock } : {}),
          ...(typeof options.telemetry === 'object' ? options.telemetry : {}),
        });
      }
    } catch (error) {
      // E.g. a registry already used by another monitor: leave nothing running behind.
      removeCollector?.();
      this.#checker.close();
      this.#ownObservations?.close();
      throw error;
    }
    this.#removeCollector = removeCollector;
  }

  componentNames(): string[] {
    return this.#checker.componentNames();
  }

  addContributor(contributor: HealthContributor): () => void {
    return this.#checker.addContributor(contributor);
  }

  checkSystem(): Promise<SystemHealth> {
    return this.#checker.checkSystem();
  }

  checkComponent(name: string): Promise<ComponentHealth> {
    return this.#checker.checkComponent(name);
  }

  /**
   * Ready when not draining and the system status is one of `readyWhen` (default healthy or
   * degraded: a degraded system still serves).
   */
  async readiness(): Promise<Readiness> {
    const health = await this.#checker.checkSystem();
    const ready = !this.#draining && this.#readyWhen.has(health.status);
    const reasons = this.#draining ? ['draining', ...health.reason.causes] : [...health.reason.causes];
    return { ready, status: health.status, timestamp: health.timestamp, reasons };
  }

  /** The Prometheus text exposition, with the health of every component as of now. */
  async metricsText(): Promise<string> {
    const health = await this.#checker.checkSystem();
    this.#healthGauge.reset();
    const record = (component: string, current: HealthStatus) => {
      for (const status of HEALTH_STATUSES)
        this.#healthGauge.set([component, status], status === current ? 1 : 0);
    };
    record('system', health.status);
    for (const [name, component] of Object.entries(health.components)) {
      if (component) record(name, component.status);
    }
    return this.#registry.render();
  }

  get draining(): boolean {
    return this.#draining;
  }

  drain(): void {
    this.#draining = true;
  }

  async listen(options: ListenOptions = {}): Promise<HealthServer> {
    const server = new HealthServer(this.handler, { ...options, logger: this.#logger });
    this.#servers.add(server);
    try {
      await server.listen();
    } catch (error) {
      this.#servers.delete(server);
      await server.close();
      throw error;
    }
    return server;
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#draining = true;
      await Promise.allSettled([...this.#servers].map((server) => server.close()));
      this.#servers.clear();
      this.#telemetry?.close();
      this.#ownObservations?.close();
      this.#removeCollector();
      this.#checker.close();
    })();
    return this.#closing;
  }

  /** Gauges read from the adapters' status at every scrape. */
  #addStatusCollector(): () => void {
    const connections = this.#registry.gauge({
      name: 'venuekit_ws_connections',
      help: 'WebSocket connections by state, now.',
      labelNames: ['exchange', 'kind', 'state'],
    });
    const circuits = this.#registry.gauge({
      name: 'venuekit_ws_circuit_breakers',
      help: 'Connections by circuit breaker state, now.',
      labelNames: ['exchange', 'state'],
    });
    const streamAge = this.#registry.gauge({
      name: 'venuekit_stream_last_message_age_seconds',
      help: 'Time since each stream last delivered a message (since it was subscribed, before the first).',
      labelNames: ['exchange', 'stream'],
      maxSeries: 5000,
    });
    const memory = this.#registry.gauge({
      name: 'process_resident_memory_bytes',
      help: 'Resident memory size in bytes.',
    });
    const heap = this.#registry.gauge({
      name: 'nodejs_heap_size_used_bytes',
      help: 'V8 heap in use, bytes.',
    });
    const start = this.#registry.gauge({
      name: 'process_start_time_seconds',
      help: 'Start time of the process since the epoch, seconds.',
    });
    const startedAt = Date.now() / 1000 - process.uptime();
    return this.#registry.addCollector(() => {
      connections.reset();
      circuits.reset();
      streamAge.reset();
      const now = this.#clock.now();
      for (const adapter of this.#adapters.list()) {
        let status: ReturnType<typeof adapter.status>;
        try {
          status = adapter.status();
        } catch {
          continue;
        }
        for (const connection of status.connections) {
          connections.inc([status.exchange, connection.kind, connection.state]);
          circuits.inc([status.exchange, connection.circuitState]);
        }
        for (const stream of status.streams) {
          const since = stream.lastMessageAt ?? stream.subscribedAt;
          streamAge.set([status.exchange, stream.key], Math.max(0, now - since) / 1000);
        }
      }
      const usage = process.memoryUsage();
      memory.set([], usage.rss);
      heap.set([], usage.heapUsed);
      start.set([], Math.round(startedAt));
    });
  }
}
