import { ManualClock, telemetry } from '@venuekit/core';
import { afterEach, describe, expect, it } from 'vitest';
import { parsePrometheusText, sampleValue } from '../../test/support/prometheus-text';
import { MetricsRegistry } from './metrics-registry';
import { TelemetryMetrics } from './telemetry-metrics';

const opened: TelemetryMetrics[] = [];
afterEach(() => {
  for (const m of opened.splice(0)) m.close();
});

function setup(clock = new ManualClock()) {
  const registry = new MetricsRegistry();
  const metrics = new TelemetryMetrics(registry, { clock });
  opened.push(metrics);
  return { registry, metrics, clock, scrape: () => parsePrometheusText(registry.render()) };
}

describe('TelemetryMetrics', () => {
  it('counts connections, reconnects, circuit changes, messages and drops from core telemetry', () => {
    const { scrape } = setup();
    telemetry.connectionStarted.publish({
      exchange: 'binance',
      connectionId: 'c1',
      kind: 'market',
      url: 'wss://x',
    });
    telemetry.connectionReconnecting.publish({
      exchange: 'binance',
      connectionId: 'c1',
      kind: 'market',
      attempt: 1,
      delayMs: 500,
      reason: 'silence',
    });
    telemetry.connectionClosed.publish({
      exchange: 'binance',
      connectionId: 'c1',
      kind: 'market',
      code: 1006,
      reason: 'abnormal',
      initiatedBy: 'server',
      durationMs: 65_000,
    });
    telemetry.circuitState.publish({ exchange: 'binance', connectionId: 'c1', state: 'open' });
    for (let i = 0; i < 3; i++) {
      telemetry.messageReceived.publish({
        exchange: 'binance',
        connectionId: 'c1',
        stream: 'btcusdt@trade',
        receivedAt: i,
      });
    }
    telemetry.messageReceived.publish({
      exchange: 'binance',
      connectionId: 'c1',
      stream: 'ethusdt@trade',
      receivedAt: 9,
    });
    telemetry.messageDiscarded.publish({ exchange: 'binance', connectionId: 'c1', reason: 'malformed' });
    telemetry.subscriberDrop.publish({
      topic: 'binance:BTC/USDT:trades',
      subscriberId: 's',
      dropped: 7,
      policy: 'drop_oldest',
    });
    telemetry.streamGap.publish({
      exchange: 'binance',
      symbol: 'BTC/USDT',
      stream: 'btcusdt@depth',
      fromId: '10',
      toId: '12',
      backfilled: false,
    });
    telemetry.bookResync.publish({ exchange: 'binance', symbol: 'BTC/USDT', reason: 'gap' });
    const m = scrape();
    expect(
      sampleValue(m, 'venuekit_ws_connections_opened_total', { exchange: 'binance', kind: 'market' }),
    ).toBe(1);
    expect(sampleValue(m, 'venuekit_ws_reconnects_total', { exchange: 'binance' })).toBe(1);
    expect(
      sampleValue(m, 'venuekit_ws_connections_closed_total', { code: '1006', initiated_by: 'server' }),
    ).toBe(1);
    expect(sampleValue(m, 'venuekit_ws_connection_lifetime_seconds_bucket', { le: '60' })).toBe(0);
    expect(sampleValue(m, 'venuekit_ws_connection_lifetime_seconds_bucket', { le: '600' })).toBe(1);
    expect(sampleValue(m, 'venuekit_ws_circuit_transitions_total', { state: 'open' })).toBe(1);
    expect(sampleValue(m, 'venuekit_ws_messages_received_total', { stream: 'btcusdt@trade' })).toBe(3);
    expect(sampleValue(m, 'venuekit_ws_messages_received_total', { stream: 'ethusdt@trade' })).toBe(1);
    expect(sampleValue(m, 'venuekit_ws_messages_discarded_total', { reason: 'malformed' })).toBe(1);
    expect(sampleValue(m, 'venuekit_subscriber_dropped_messages_total', { policy: 'drop_oldest' })).toBe(7);
    expect(sampleValue(m, 'venuekit_stream_gaps_total', { backfilled: 'false' })).toBe(1);
    expect(sampleValue(m, 'venuekit_book_resyncs_total', { reason: 'gap' })).toBe(1);
  });

  it('records request outcomes, latency, weight and error codes, and order outcomes', () => {
    const { scrape } = setup();
    telemetry.requestResolved.publish({
      exchange: 'binance',
      transport: 'rest',
      method: 'GET',
      path: '/api/v3/depth',
      status: 200,
      weight: 5,
      durationMs: 42,
    });
    telemetry.requestRejected.publish({
      exchange: 'binance',
      transport: 'rest',
      method: 'POST',
      path: '/api/v3/order',
      status: 400,
      venueCode: -2010,
      errorCode: 'INSUFFICIENT_FUNDS',
      durationMs: 80,
    });
    telemetry.order.publish({ exchange: 'binance', symbol: 'BTC/USDT', clientOrderId: 'a', event: 'sent' });
    telemetry.order.publish({
      exchange: 'binance',
      symbol: 'BTC/USDT',
      clientOrderId: 'a',
      event: 'accepted',
      durationMs: 30,
    });
    telemetry.order.publish({
      exchange: 'binance',
      symbol: 'BTC/USDT',
      clientOrderId: 'b',
      event: 'unknown',
    });
    const m = scrape();
    expect(
      sampleValue(m, 'venuekit_requests_total', {
        path: '/api/v3/depth',
        outcome: 'resolved',
        status: '200',
      }),
    ).toBe(1);
    expect(
      sampleValue(m, 'venuekit_requests_total', {
        path: '/api/v3/order',
        outcome: 'rejected',
        status: '400',
      }),
    ).toBe(1);
    expect(
      sampleValue(m, 'venuekit_request_duration_seconds_bucket', { path: '/api/v3/depth', le: '0.05' }),
    ).toBe(1);
    expect(
      sampleValue(m, 'venuekit_request_duration_seconds_bucket', { path: '/api/v3/order', le: '0.05' }),
    ).toBe(0);
    expect(sampleValue(m, 'venuekit_request_weight_total', { exchange: 'binance' })).toBe(5);
    expect(
      sampleValue(m, 'venuekit_request_errors_total', {
        error_code: 'INSUFFICIENT_FUNDS',
        venue_code: '-2010',
      }),
    ).toBe(1);
    expect(sampleValue(m, 'venuekit_orders_total', { event: 'sent' })).toBe(1);
    expect(sampleValue(m, 'venuekit_orders_total', { event: 'accepted' })).toBe(1);
    expect(sampleValue(m, 'venuekit_orders_total', { event: 'unknown' })).toBe(1);
    expect(sampleValue(m, 'venuekit_order_duration_seconds_count', { event: 'accepted' })).toBe(1);
  });

  it('shows a ban while it lasts and clears it when it ends, with weight, clock and session gauges', async () => {
    const { scrape, clock } = setup();
    const now = clock.now();
    telemetry.rateLimit.publish({
      exchange: 'binance',
      usedWeight: 5990,
      weightLimit: 6000,
      retryAfterMs: 1000,
    });
    telemetry.rateLimit.publish({
      exchange: 'binance',
      usedWeight: 6100,
      weightLimit: 6000,
      bannedUntil: now + 120_000,
    });
    telemetry.clockSync.publish({ exchange: 'binance', offsetMs: -1500, roundTripMs: 40 });
    telemetry.userSession.publish({ exchange: 'binance', userId: 'u1', event: 'connected' });
    telemetry.userSession.publish({ exchange: 'binance', userId: 'u2', event: 'connected' });
    telemetry.userSession.publish({ exchange: 'binance', userId: 'u1', event: 'disconnected' });
    let m = scrape();
    expect(sampleValue(m, 'venuekit_rate_limit_used_weight', { exchange: 'binance' })).toBe(6100);
    expect(sampleValue(m, 'venuekit_rate_limit_weight_limit', { exchange: 'binance' })).toBe(6000);
    expect(sampleValue(m, 'venuekit_rate_limit_ip_banned', { exchange: 'binance' })).toBe(1);
    expect(sampleValue(m, 'venuekit_rate_limit_events_total', { kind: 'backoff' })).toBe(1);
    expect(sampleValue(m, 'venuekit_rate_limit_events_total', { kind: 'ban' })).toBe(1);
    expect(sampleValue(m, 'venuekit_clock_offset_seconds', { exchange: 'binance' })).toBe(-1.5);
    expect(sampleValue(m, 'venuekit_user_sessions_active', { exchange: 'binance' })).toBe(1);
    expect(sampleValue(m, 'venuekit_user_sessions_total', { event: 'connected' })).toBe(2);
    await clock.advance(120_001);
    m = scrape();
    expect(sampleValue(m, 'venuekit_rate_limit_ip_banned', { exchange: 'binance' })).toBe(0);
  });

  it('never throws into a publisher on a malformed event, and stops counting once closed', () => {
    const { scrape, metrics } = setup();
    expect(() => telemetry.subscriberDrop.publish(null as never)).not.toThrow();
    expect(() => telemetry.rateLimit.publish({} as never)).not.toThrow();
    expect(() => scrape()).not.toThrow();
    metrics.close();
    telemetry.connectionStarted.publish({
      exchange: 'late',
      connectionId: 'c',
      kind: 'market',
      url: 'wss://x',
    });
    expect(
      sampleValue(scrape(), 'venuekit_ws_connections_opened_total', { exchange: 'late' }),
    ).toBeUndefined();
  });

  it('leaves the per-message channel unobserved when message counting is off', () => {
    const registry = new MetricsRegistry();
    const before = telemetry.messageReceived.hasSubscribers;
    const metrics = new TelemetryMetrics(registry, { countMessages: false });
    opened.push(metrics);
    expect(telemetry.messageReceived.hasSubscribers).toBe(before);
  });
});
