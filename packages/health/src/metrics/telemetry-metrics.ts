import { type Clock, type RequestEvent, systemClock, telemetry } from '@venuekit/core';
import type { CounterSeries, MetricsRegistry } from './metrics-registry';

export interface TelemetryMetricsOptions {
  /**
   * Count every received data frame per stream (`venuekit_ws_messages_received_total`). This makes
   * adapters publish one small event per frame; turn it off to save that on very busy feeds. Default true.
   */
  readonly countMessages?: boolean;
  /** Decides whether a reported ban is still on. Default: the system clock. */
  readonly clock?: Clock;
}

/** Request and order latencies, seconds. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** How long connections live, seconds: from a flapping link to Binance's 24 h limit. */
const LIFETIME_BUCKETS = [1, 10, 60, 600, 3600, 21_600, 86_400];

/** A label value that is never `undefined` even when a publisher left a field out. */
function str(value: unknown): string {
  return value === undefined || value === null ? '' : String(value);
}

/**
 * Prometheus metrics fed by core's telemetry channels. Subscribes on construction, unsubscribes
 * on `close()`. Every listener is guarded: a malformed event can never throw into a publisher.
 */
export class TelemetryMetrics {
  readonly #unsubscribes: (() => void)[] = [];
  #clock: Clock;

  constructor(registry: MetricsRegistry, options: TelemetryMetricsOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    const now = () => this.#clock.now();

    const opened = registry.counter({
      name: 'venuekit_ws_connections_opened_total',
      help: 'WebSocket connections opened.',
      labelNames: ['exchange', 'kind'],
    });
    const closed = registry.counter({
      name: 'venuekit_ws_connections_closed_total',
      help: 'WebSocket connections closed, by close code and by which side closed.',
      labelNames: ['exchange', 'kind', 'code', 'initiated_by'],
    });
    const lifetime = registry.histogram({
      name: 'venuekit_ws_connection_lifetime_seconds',
      help: 'How long WebSocket connections stayed open.',
      labelNames: ['exchange', 'kind'],
      buckets: LIFETIME_BUCKETS,
    });
    const reconnects = registry.counter({
      name: 'venuekit_ws_reconnects_total',
      help: 'Reconnects scheduled after a connection was lost.',
      labelNames: ['exchange', 'kind'],
    });
    const circuit = registry.counter({
      name: 'venuekit_ws_circuit_transitions_total',
      help: 'Circuit breaker state changes, by the state entered.',
      labelNames: ['exchange', 'state'],
    });
    const messages = registry.counter({
      name: 'venuekit_ws_messages_received_total',
      help: 'Data frames received, by stream.',
      labelNames: ['exchange', 'stream'],
      maxSeries: 5000,
    });
    const discarded = registry.counter({
      name: 'venuekit_ws_messages_discarded_total',
      help: 'Malformed or unexpected frames dropped.',
      labelNames: ['exchange', 'reason'],
    });
    const confirmed = registry.counter({
      name: 'venuekit_stream_subscriptions_confirmed_total',
      help: 'Streams the venue confirmed.',
      labelNames: ['exchange'],
    });
    const refused = registry.counter({
      name: 'venuekit_stream_subscriptions_failed_total',
      help: 'Streams the venue refused.',
      labelNames: ['exchange', 'error_code'],
    });
    const requests = registry.counter({
      name: 'venuekit_requests_total',
      help: 'REST and WebSocket API requests, by outcome and HTTP status.',
      labelNames: ['exchange', 'transport', 'method', 'path', 'outcome', 'status'],
    });
    const requestLatency = registry.histogram({
      name: 'venuekit_request_duration_seconds',
      help: 'REST and WebSocket API request latency.',
      labelNames: ['exchange', 'transport', 'path', 'outcome'],
      buckets: LATENCY_BUCKETS,
    });
    const requestWeight = registry.counter({
      name: 'venuekit_request_weight_total',
      help: 'Request weight spent, as the venue counts it.',
      labelNames: ['exchange', 'transport'],
    });
    const requestErrors = registry.counter({
      name: 'venuekit_request_errors_total',
      help: 'Failed requests, by venuekit error code and venue error code.',
      labelNames: ['exchange', 'error_code', 'venue_code'],
    });
    const orders = registry.counter({
      name: 'venuekit_orders_total',
      help: 'Order intents by what happened to them: sent, accepted, rejected, unknown, reconciled, canceled, filled, updated.',
      labelNames: ['exchange', 'event'],
    });
    const orderLatency = registry.histogram({
      name: 'venuekit_order_duration_seconds',
      help: 'Time from sending an order intent to the event, when the event carries it.',
      labelNames: ['exchange', 'event'],
      buckets: LATENCY_BUCKETS,
    });
    const resyncs = registry.counter({
      name: 'venuekit_book_resyncs_total',
      help: 'Local order book resynchronisations, by reason.',
      labelNames: ['exchange', 'symbol', 'reason'],
    });
    const gaps = registry.counter({
      name: 'venuekit_stream_gaps_total',
      help: 'Sequence gaps detected on streams, and whether they were backfilled.',
      labelNames: ['exchange', 'symbol', 'stream', 'backfilled'],
    });
    const drops = registry.counter({
      name: 'venuekit_subscriber_dropped_messages_total',
      help: 'Messages a slow subscriber lost to its queue policy.',
      labelNames: ['topic', 'policy'],
    });
    const usedWeight = registry.gauge({
      name: 'venuekit_rate_limit_used_weight',
      help: 'Request weight used in the current window, as last reported.',
      labelNames: ['exchange'],
    });
    const weightLimit = registry.gauge({
      name: 'venuekit_rate_limit_weight_limit',
      help: 'Request weight allowed per window.',
      labelNames: ['exchange'],
    });
    const banned = registry.gauge({
      name: 'venuekit_rate_limit_ip_banned',
      help: '1 while the venue bans this IP, else 0.',
      labelNames: ['exchange'],
    });
    const limitEvents = registry.counter({
      name: 'venuekit_rate_limit_events_total',
      help: 'Rate limit hits: backoff (429) and ban (418).',
      labelNames: ['exchange', 'kind'],
    });
    const clockOffset = registry.gauge({
      name: 'venuekit_clock_offset_seconds',
      help: 'Venue clock minus local clock, as last measured.',
      labelNames: ['exchange'],
    });
    const clockRoundTrip = registry.gauge({
      name: 'venuekit_clock_round_trip_seconds',
      help: 'Round trip of the last clock measurement.',
      labelNames: ['exchange'],
    });
    const sessions = registry.counter({
      name: 'venuekit_user_sessions_total',
      help: 'User session events: connected, disconnected, failed.',
      labelNames: ['exchange', 'event'],
    });
    const activeSessions = registry.gauge({
      name: 'venuekit_user_sessions_active',
      help: 'User sessions currently connected.',
      labelNames: ['exchange'],
    });

    const bannedUntil = new Map<string, number>();
    const active = new Map<string, Set<string>>();
    const byStream = new Map<string, Map<string, CounterSeries>>();

    const on = <T>(
      channel: { subscribe(listener: (message: T) => void): () => void },
      fn: (m: T) => void,
    ) => {
      this.#unsubscribes.push(
        channel.subscribe((message) => {
          try {
            fn(message);
          } catch {
            // A malformed event is not worth a crash of the publisher; it is simply not counted.
          }
        }),
      );
    };

    on(telemetry.connectionStarted, (m) => opened.inc([str(m.exchange), str(m.kind)]));
    on(telemetry.connectionClosed, (m) => {
      closed.inc([str(m.exchange), str(m.kind), str(m.code), str(m.initiatedBy)]);
      if (typeof m.durationMs === 'number')
        lifetime.observe([str(m.exchange), str(m.kind)], m.durationMs / 1000);
    });
    on(telemetry.connectionReconnecting, (m) => reconnects.inc([str(m.exchange), str(m.kind)]));
    on(telemetry.circuitState, (m) => circuit.inc([str(m.exchange), str(m.state)]));
    if (options.countMessages !== false) {
      // The hot path: two map lookups and an addition per frame, no allocation once a stream is seen.
      on(telemetry.messageReceived, (m) => {
        let streams = byStream.get(m.exchange);
        if (!streams) {
          streams = new Map();
          byStream.set(m.exchange, streams);
        }
        let series = streams.get(m.stream);
        if (!series) {
          series = messages.bind([str(m.exchange), str(m.stream)]);
          streams.set(m.stream, series);
        }
        series.inc();
      });
    }
    on(telemetry.messageDiscarded, (m) => discarded.inc([str(m.exchange), str(m.reason)]));
    on(telemetry.subscriptionConfirmed, (m) => confirmed.inc([str(m.exchange)], m.streams?.length ?? 0));
    on(telemetry.subscriptionFailed, (m) =>
      refused.inc([str(m.exchange), str(m.error?.code)], m.streams?.length ?? 0),
    );
    const request = (outcome: 'resolved' | 'rejected') => (m: RequestEvent) => {
      requests.inc([str(m.exchange), str(m.transport), str(m.method), str(m.path), outcome, str(m.status)]);
      if (typeof m.durationMs === 'number') {
        requestLatency.observe(
          [str(m.exchange), str(m.transport), str(m.path), outcome],
          m.durationMs / 1000,
        );
      }
      if (typeof m.weight === 'number' && m.weight > 0)
        requestWeight.inc([str(m.exchange), str(m.transport)], m.weight);
      if (outcome === 'rejected') requestErrors.inc([str(m.exchange), str(m.errorCode), str(m.venueCode)]);
    };
    on(telemetry.requestResolved, request('resolved'));
    on(telemetry.requestRejected, request('rejected'));
    on(telemetry.order, (m) => {
      orders.inc([str(m.exchange), str(m.event)]);
      if (typeof m.durationMs === 'number')
        orderLatency.observe([str(m.exchange), str(m.event)], m.durationMs / 1000);
    });
    on(telemetry.bookResync, (m) => resyncs.inc([str(m.exchange), str(m.symbol), str(m.reason)]));
    on(telemetry.streamGap, (m) =>
      gaps.inc([str(m.exchange), str(m.symbol), str(m.stream), str(m.backfilled)]),
    );
    on(telemetry.subscriberDrop, (m) => drops.inc([str(m.topic), str(m.policy)], m.dropped));
    on(telemetry.rateLimit, (m) => {
      const exchange = str(m.exchange);
      usedWeight.set([exchange], m.usedWeight);
      weightLimit.set([exchange], m.weightLimit);
      if (m.bannedUntil !== undefined) {
        if (bannedUntil.get(exchange) !== m.bannedUntil) limitEvents.inc([exchange, 'ban']);
        bannedUntil.set(exchange, m.bannedUntil);
        banned.set([exchange], m.bannedUntil > now() ? 1 : 0);
      } else if (m.retryAfterMs !== undefined) {
        limitEvents.inc([exchange, 'backoff']);
      }
    });
    on(telemetry.clockSync, (m) => {
      clockOffset.set([str(m.exchange)], m.offsetMs / 1000);
      clockRoundTrip.set([str(m.exchange)], m.roundTripMs / 1000);
    });
    on(telemetry.userSession, (m) => {
      const exchange = str(m.exchange);
      sessions.inc([exchange, str(m.event)]);
      let users = active.get(exchange);
      if (!users) {
        users = new Set();
        active.set(exchange, users);
      }
      if (m.event === 'connected') users.add(str(m.userId));
      else users.delete(str(m.userId));
      activeSessions.set([exchange], users.size);
    });

    // A ban ends on its own: refresh the gauge at every scrape.
    this.#unsubscribes.push(
      registry.addCollector(() => {
        const at = now();
        for (const [exchange, until] of bannedUntil) banned.set([exchange], until > at ? 1 : 0);
      }),
    );
  }

  /** The clock that decides whether a reported ban is still on (the container's, once it is known). */
  useClock(clock: Clock): void {
    this.#clock = clock;
  }

  /** Stops listening; the metrics keep their values. */
  close(): void {
    for (const unsubscribe of this.#unsubscribes.splice(0)) unsubscribe();
  }
}
