import type { AdapterStatus, Clock, ComponentHealth, HealthStatus, Logger } from '@venuekit/core';
import type { HealthEndpoints } from '@venuekit/health';
import type { WireComponent, WireConnection, WireHealth, WireStreamFreshness } from './wire';

export interface HealthViewOptions {
  readonly health: Pick<HealthEndpoints, 'checkSystem'>;
  /** The adapters whose connections and streams the panel lists. */
  readonly adapters: () => readonly { status(): AdapterStatus }[];
  readonly clock: Clock;
  readonly logger: Logger;
}

/**
 * The health panel's content: venuekit's own `checkSystem()` (components, roll-up rule) plus
 * the adapters' connections and per-stream freshness, so a fault is visible where it lands.
 */
export class HealthView {
  readonly #options: HealthViewOptions;
  #last: WireHealth | undefined;
  #running: Promise<WireHealth> | undefined;

  constructor(options: HealthViewOptions) {
    this.#options = options;
  }

  get last(): WireHealth | undefined {
    return this.#last;
  }

  /** Runs a check; concurrent callers share one. */
  refresh(): Promise<WireHealth> {
    this.#running ??= this.#check().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #check(): Promise<WireHealth> {
    const { health, clock } = this.#options;
    const system = await health.checkSystem();
    const now = clock.now();
    const connections: WireConnection[] = [];
    const streams: WireStreamFreshness[] = [];
    let totalReconnects = 0;
    for (const adapter of this.#options.adapters()) {
      let status: AdapterStatus;
      try {
        status = adapter.status();
      } catch (error) {
        this.#options.logger.warn('an adapter status could not be read', { error: String(error) });
        continue;
      }
      for (const connection of status.connections) {
        totalReconnects += connection.reconnects;
        connections.push({
          id: connection.id,
          kind: connection.kind,
          state: connection.state,
          reconnects: connection.reconnects,
          streams: connection.streams.length,
          messages: connection.messagesReceived,
          ...(connection.lastMessageAt !== undefined
            ? { quietMs: Math.max(0, now - connection.lastMessageAt) }
            : {}),
        });
      }
      for (const stream of status.streams) {
        streams.push({
          symbol: stream.symbol,
          kind: stream.kind,
          messages: stream.messages,
          reconnects: stream.reconnects,
          resyncs: stream.resyncs,
          ...(stream.sync === 'stale' ? { rebuilding: true } : {}),
          ...(stream.lastMessageAt !== undefined ? { quietMs: Math.max(0, now - stream.lastMessageAt) } : {}),
        });
      }
    }
    streams.sort((a, b) => a.symbol.localeCompare(b.symbol) || a.kind.localeCompare(b.kind));
    const components: WireComponent[] = [];
    for (const [name, component] of Object.entries(system.components)) {
      if (!component) continue;
      components.push({ name, status: component.status, summary: summarize(name, component) });
    }
    const view: WireHealth = {
      status: system.status,
      rule: system.reason.rule,
      causes: [...system.reason.causes],
      components,
      connections,
      streams,
      totalReconnects,
      checkedAt: system.timestamp,
    };
    this.#last = view;
    return view;
  }
}

function num(component: ComponentHealth, key: string): number | undefined {
  const value = component[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function text(component: ComponentHealth, key: string): string | undefined {
  const value = component[key];
  return typeof value === 'string' ? value : undefined;
}

function ms(value: number): string {
  if (value < 1000) return `${Math.round(value)} ms`;
  if (value < 120_000) return `${(value / 1000).toFixed(1)} s`;
  return `${Math.round(value / 60_000)} min`;
}

/** One line per component, from the figures each one reports (see the health package's README). */
export function summarize(name: string, component: ComponentHealth): string {
  const reason = text(component, 'reason');
  const error = text(component, 'error');
  if (component.status === 'unknown' && error) return error;
  switch (name) {
    case 'application': {
      const uptime = num(component, 'uptimeMs');
      const heap = num(component, 'heapUsedMb');
      const loop = num(component, 'eventLoopDelayMs');
      return [
        uptime !== undefined ? `up ${ms(uptime)}` : undefined,
        heap !== undefined ? `heap ${heap.toFixed(0)} MB` : undefined,
        loop !== undefined ? `event loop ${ms(loop)}` : undefined,
      ]
        .filter(Boolean)
        .join(' · ');
    }
    case 'websocketConnections': {
      const connected = num(component, 'connected') ?? 0;
      const total = num(component, 'total') ?? 0;
      const reconnects = num(component, 'totalReconnects') ?? 0;
      const circuit = text(component, 'circuitBreakerState') ?? 'closed';
      return `${connected}/${total} open · circuit ${circuit} · ${reconnects} reconnect${reconnects === 1 ? '' : 's'}`;
    }
    case 'marketData': {
      const streams = num(component, 'streams') ?? 0;
      const fresh = num(component, 'fresh') ?? 0;
      const stale = num(component, 'stale') ?? 0;
      const rebuilding = num(component, 'resyncing') ?? 0;
      const waiting = num(component, 'awaitingFirstMessage') ?? 0;
      return `${fresh}/${streams} fresh${rebuilding ? ` · ${rebuilding} rebuilding` : ''}${stale ? ` · ${stale} stale` : ''}${waiting ? ` · ${waiting} waiting` : ''}`;
    }
    case 'marketDataStreams': {
      const streams = num(component, 'streams') ?? 0;
      const stale = num(component, 'staleStreams') ?? 0;
      const rebuilding = num(component, 'resyncing') ?? 0;
      const flowing = stale || rebuilding ? '' : ' · all flowing';
      return `${streams} shared stream${streams === 1 ? '' : 's'}${rebuilding ? ` · ${rebuilding} rebuilding` : ''}${stale ? ` · ${stale} stale` : ''}${flowing}`;
    }
    case 'rateLimits': {
      const usage = num(component, 'usage') ?? 0;
      return component.banned === true
        ? 'IP banned by the venue'
        : `weight ${(usage * 100).toFixed(1)} % of the limit`;
    }
    case 'clockSkew': {
      const offset = num(component, 'offsetMs');
      return offset === undefined ? 'not measured yet' : `offset ${ms(Math.abs(offset))}`;
    }
    case 'tradingSystem': {
      const users = num(component, 'totalUsers') ?? 0;
      const active = num(component, 'activeConnections') ?? 0;
      return `${active}/${users} users can trade${reason ? ` · ${reason}` : ''}`;
    }
    case 'userConnections': {
      const total = num(component, 'total') ?? 0;
      const connected = num(component, 'userDataConnected') ?? 0;
      const reconnects = num(component, 'totalReconnects') ?? 0;
      const unknown = num(component, 'unknownOrders') ?? 0;
      return `${connected}/${total} user streams up · ${reconnects} reconnect${reconnects === 1 ? '' : 's'}${unknown ? ` · ${unknown} reconciling` : ''}`;
    }
    default:
      return reason ?? statusWord(component.status);
  }
}

function statusWord(status: HealthStatus): string {
  return status === 'healthy' ? 'ok' : status;
}
