import { type Clock, telemetry } from '@venuekit/core';
import type { IncidentLevel, WireIncident } from './wire';

/**
 * What happened to the system, in words, for the dashboard's incident log: connections
 * lost and restored, books rebuilt, faults injected, orders reconciled. Bounded.
 */
export class IncidentLog {
  readonly #clock: Clock;
  readonly #max: number;
  readonly #entries: WireIncident[] = [];
  #nextId = 1;
  #unsent: WireIncident[] = [];

  constructor(clock: Clock, max = 80) {
    this.#clock = clock;
    this.#max = max;
  }

  add(level: IncidentLevel, text: string): WireIncident {
    const incident: WireIncident = { id: this.#nextId++, at: this.#clock.now(), level, text };
    this.#entries.push(incident);
    if (this.#entries.length > this.#max) this.#entries.shift();
    this.#unsent.push(incident);
    if (this.#unsent.length > this.#max) this.#unsent.shift();
    return incident;
  }

  /** Newest last. */
  recent(): WireIncident[] {
    return [...this.#entries];
  }

  /** Incidents added since the previous call. */
  takeNew(): WireIncident[] {
    const out = this.#unsent;
    this.#unsent = [];
    return out;
  }
}

const KIND_NAMES: Record<string, string> = {
  market: 'market data',
  user: 'user data',
  api: 'WebSocket API',
};

/**
 * Turns venuekit's telemetry channels into incident log lines. Returns the function that
 * stops listening. Channels are process-wide: `exchange` filters to one venue's events.
 */
export function recordTelemetry(log: IncidentLog, options: { readonly exchange?: string } = {}): () => void {
  const mine = (event: { exchange: string }) =>
    options.exchange === undefined || event.exchange === options.exchange;
  // Connections that closed: when one opens again, that is a recovery worth a line.
  const lost = new Set<string>();
  let bannedUntil: number | undefined;
  const stops = [
    telemetry.connectionStarted.subscribe((event) => {
      if (!mine(event) || !lost.delete(event.connectionId)) return;
      log.add('ok', `${KIND_NAMES[event.kind] ?? event.kind} connection ${event.connectionId} open again`);
    }),
    telemetry.connectionClosed.subscribe((event) => {
      if (!mine(event)) return;
      lost.add(event.connectionId);
      const kind = KIND_NAMES[event.kind] ?? event.kind;
      const why = event.reason ? `: ${event.reason}` : '';
      const by = event.initiatedBy === 'server' ? 'closed by the venue' : 'closed by venuekit';
      log.add('warn', `${kind} connection ${event.connectionId} ${by} (code ${event.code}${why})`);
    }),
    telemetry.connectionReconnecting.subscribe((event) => {
      if (!mine(event)) return;
      const kind = KIND_NAMES[event.kind] ?? event.kind;
      log.add(
        'warn',
        `${kind} reconnecting in ${Math.round(event.delayMs)} ms (attempt ${event.attempt}): ${event.reason}`,
      );
    }),
    telemetry.circuitState.subscribe((event) => {
      if (!mine(event)) return;
      log.add(
        event.state === 'closed' ? 'ok' : 'error',
        `circuit breaker ${event.state} on ${event.connectionId}`,
      );
    }),
    telemetry.bookResync.subscribe((event) => {
      if (!mine(event) || event.reason === 'start') return;
      log.add('warn', `${event.symbol} order book resynchronising: ${event.reason}`);
    }),
    telemetry.streamGap.subscribe((event) => {
      if (!mine(event)) return;
      log.add(
        event.backfilled ? 'info' : 'warn',
        `${event.symbol} ${event.stream}: ids ${event.fromId}–${event.toId} missed${event.backfilled ? ', backfilled' : ''}`,
      );
    }),
    telemetry.order.subscribe((event) => {
      if (!mine(event)) return;
      if (event.event === 'unknown') {
        log.add(
          'warn',
          `${event.userId ?? 'a user'}: order ${event.clientOrderId} outcome unknown, reconciling`,
        );
      } else if (event.event === 'reconciled') {
        log.add(
          'ok',
          `${event.userId ?? 'a user'}: order ${event.clientOrderId} reconciled (${event.status ?? 'known'})`,
        );
      }
    }),
    telemetry.rateLimit.subscribe((event) => {
      if (!mine(event) || event.bannedUntil === undefined || event.bannedUntil === bannedUntil) return;
      bannedUntil = event.bannedUntil;
      log.add('error', `the venue banned this IP (418) until ${new Date(bannedUntil).toISOString()}`);
    }),
  ];
  return () => {
    for (const stop of stops) stop();
  };
}
