import { type ConnectionClosedEvent, type StreamStatus, telemetry, type Trade } from '@venuekit/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type Market, startMarket, waitFor } from './support/harness';

// A connection that stops talking without closing (the failure peers let hang forever) is
// noticed by the watchdog and replaced, and the stream carries on.

let market: Market | undefined;
let stop: (() => void) | undefined;
afterEach(async () => {
  stop?.();
  await market?.close();
  market = undefined;
});

function watchCloses(): ConnectionClosedEvent[] {
  const closes: ConnectionClosedEvent[] = [];
  stop = telemetry.connectionClosed.subscribe((event) => closes.push(event));
  return closes;
}

describe('liveness', () => {
  it('a silent connection (no data, no pings, no pongs) is recycled once silenceTimeoutMs has passed', async () => {
    const silenceTimeoutMs = 2_000;
    // No pings of ours: only the silence watchdog can notice. The fake's own pings are slow.
    market = await startMarket(
      { streams: { silenceTimeoutMs, pingIntervalMs: 600_000 } },
      { limits: { pingIntervalMs: 600_000 } },
    );
    const m = market;
    const closes = watchCloses();
    const trades: Trade[] = [];
    const statuses: StreamStatus[] = [];
    const subscription = m.adapter.marketData.subscribe(
      { kind: 'trades', symbol: 'BTC/USDT' },
      { next: (t) => trades.push(t), status: (s) => statuses.push(s) },
    );
    await subscription.ready;
    m.driver.trade();
    await waitFor(() => trades.length === 1, 'a trade');
    const lastFrameAt = m.adapter.marketData.connections()[0]?.lastMessageAt as number;
    const silencedAt = Date.now();
    m.fake.handle.faults.silence({ kind: 'streams' });
    // Trades keep happening; the silent socket carries none of them.
    m.driver.trade();
    await waitFor(() => closes.length === 1, 'the watchdog to recycle the connection', 30_000);
    const detectedAt = Date.now();
    const close = closes[0] as ConnectionClosedEvent;
    expect(close.initiatedBy).toBe('client');
    expect(close.reason).toMatch(/^silence: no frame for \d+ ms$/);
    // Not early: a full silenceTimeoutMs without any frame.
    expect(detectedAt - lastFrameAt).toBeGreaterThanOrEqual(silenceTimeoutMs);
    await waitFor(() => statuses.some((s) => s.type === 'resubscribed'), 'the resubscription');
    // The trade made during the silence is recovered, and the stream carries on.
    m.driver.trade();
    await waitFor(() => trades.length === 3, 'all three trades');
    expect(trades.map((t) => Number(t.id))).toEqual([0, 1, 2].map((i) => Number(trades[0]?.id) + i));
    expect(statuses.map((s) => s.type)).toEqual(['subscribed', 'reconnecting', 'resubscribed', 'gap']);
    // For the record, not asserted (the machine is shared): how long detection took.
    console.info(
      `silence detected ${detectedAt - lastFrameAt} ms after the last frame, ${detectedAt - silencedAt} ms after the fault (timeout ${silenceTimeoutMs} ms)`,
    );
  });

  it('an idle connection is pinged; a missing pong recycles it', async () => {
    market = await startMarket(
      { streams: { silenceTimeoutMs: 600_000, pingIntervalMs: 500, pongTimeoutMs: 1_000 } },
      { limits: { pingIntervalMs: 600_000 } },
    );
    const m = market;
    const closes = watchCloses();
    const statuses: StreamStatus[] = [];
    const subscription = m.adapter.marketData.subscribe(
      { kind: 'trades', symbol: 'BTC/USDT' },
      { next() {}, status: (s) => statuses.push(s) },
    );
    await subscription.ready;
    // Answered pings keep an idle connection: wait past several ping intervals first.
    const openedAt = m.adapter.marketData.connections()[0]?.connectedAt as number;
    await waitFor(() => Date.now() - openedAt > 2_500, 'a few answered pings');
    expect(closes).toEqual([]);
    m.fake.handle.faults.silence({ kind: 'streams' });
    await waitFor(() => closes.length === 1, 'the missing pong to be noticed');
    expect(closes[0]?.reason).toBe('no pong within 1000 ms');
    await waitFor(() => statuses.some((s) => s.type === 'resubscribed'), 'the resubscription');
  });
});
