import type { AdapterStatus } from '@venuekit/core';
import { describe, expect, it } from 'vitest';
import { connection, stream } from '../../test/support/controlled-adapter';
import { type AdapterSnapshot, takeSnapshot } from './adapter-snapshot';
import { ApplicationCheck } from './application';
import { checkClockSkew } from './clock-skew';
import { checkMarketData, DEFAULT_STALE_AFTER_MS } from './market-data';
import { checkRateLimits } from './rate-limits';
import { checkWebsocketConnections } from './websocket-connections';

const NOW = 1_800_000_000_000;

function snap(...statuses: Partial<AdapterStatus>[]): AdapterSnapshot {
  return {
    statuses: statuses.map((s, i) => ({ exchange: `ex${i}`, connections: [], streams: [], ...s })),
    failures: [],
  };
}

describe('websocketConnections', () => {
  it('is healthy with no connection, and with every connection open behind a closed circuit', () => {
    expect(checkWebsocketConnections(snap()).status).toBe('healthy');
    const health = checkWebsocketConnections(
      snap(
        { connections: [connection('a', 'open', 'closed', { reconnects: 2 })] },
        { connections: [connection('b', 'open', 'closed', { reconnects: 1, kind: 'user' })] },
      ),
    );
    expect(health).toMatchObject({
      status: 'healthy',
      connected: 2,
      total: 2,
      circuitBreakerState: 'closed',
      totalReconnects: 3,
      byKind: { market: 1, user: 1 },
      exchanges: { ex0: { connected: 1, totalReconnects: 2 }, ex1: { connected: 1, totalReconnects: 1 } },
    });
  });

  it('is degraded when one connection reconnects while another is open', () => {
    const health = checkWebsocketConnections(
      snap({ connections: [connection('a'), connection('b', 'reconnecting')] }),
    );
    expect(health).toMatchObject({
      status: 'degraded',
      connected: 1,
      total: 2,
      byState: { open: 1, reconnecting: 1 },
    });
  });

  it('is degraded while a circuit is half open, and reports the worst circuit', () => {
    const health = checkWebsocketConnections(
      snap(
        { connections: [connection('a'), connection('b', 'open', 'half_open')] },
        { connections: [connection('c')] },
      ),
    );
    expect(health).toMatchObject({ status: 'degraded', circuitBreakerState: 'half_open' });
  });

  it('is unhealthy when no connection is open, e.g. the only one held by an open circuit', () => {
    const health = checkWebsocketConnections(
      snap({ connections: [connection('a', 'reconnecting', 'open')] }),
    );
    expect(health).toMatchObject({
      status: 'unhealthy',
      connected: 0,
      total: 1,
      circuitBreakerState: 'open',
    });
  });

  it('cannot be healthy for an adapter whose status() threw: unknown, naming it', () => {
    const snapshot = takeSnapshot([
      {
        id: 'broken',
        status: () => {
          throw new Error('status exploded');
        },
      } as never,
    ]);
    expect(checkWebsocketConnections(snapshot)).toMatchObject({
      status: 'unknown',
      adapterErrors: [{ exchange: 'broken', error: 'status exploded' }],
    });
  });
});

describe('marketData freshness', () => {
  it('is healthy without streams and with every stream inside its threshold', () => {
    expect(checkMarketData(snap(), NOW).status).toBe('healthy');
    const health = checkMarketData(
      snap({
        streams: [
          stream('t', { kind: 'ticker', lastMessageAt: NOW - 9_000 }),
          stream('n', { kind: 'trades', subscribedAt: NOW - 1_000 }),
        ],
      }),
      NOW,
    );
    expect(health).toMatchObject({
      status: 'healthy',
      streams: 2,
      fresh: 2,
      stale: 0,
      awaitingFirstMessage: 1,
    });
  });

  it('is degraded when one stream is quiet past its kind threshold, and lists it', () => {
    const health = checkMarketData(
      snap({
        streams: [
          stream('btcusdt@ticker', { kind: 'ticker', lastMessageAt: NOW - 11_000 }),
          stream('btcusdt@trade', { kind: 'trades', lastMessageAt: NOW - 11_000 }),
        ],
      }),
      NOW,
    );
    expect(health).toMatchObject({ status: 'degraded', stale: 1, fresh: 1 });
    expect(health.staleStreams).toEqual([
      {
        key: 'btcusdt@ticker',
        exchange: 'test',
        symbol: 'BTC/USDT',
        kind: 'ticker',
        cause: 'quiet',
        quietMs: 11_000,
        thresholdMs: DEFAULT_STALE_AFTER_MS.ticker,
        everReceived: true,
      },
    ]);
  });

  it('is unhealthy when every stream is stale, counting a stream that never delivered from its subscription', () => {
    const health = checkMarketData(
      snap({
        streams: [
          stream('a', { kind: 'depth', subscribedAt: NOW - 20_000 }),
          stream('b', { kind: 'bookTicker', lastMessageAt: NOW - 31_000 }),
        ],
      }),
      NOW,
    );
    expect(health).toMatchObject({ status: 'unhealthy', stale: 2 });
    expect(health.staleStreams.map((s) => [s.key, s.everReceived])).toEqual([
      ['a', false],
      ['b', true],
    ]);
  });

  it('takes the threshold per stream kind from the options', () => {
    const s = snap({ streams: [stream('x', { kind: 'trades', lastMessageAt: NOW - 2_000 })] });
    expect(checkMarketData(s, NOW).status).toBe('healthy');
    expect(checkMarketData(s, NOW, { staleAfterMs: { trades: 1_500 } }).status).toBe('unhealthy');
  });

  it('does not count a book being rebuilt as fresh, though its diffs keep arriving: degraded, listed with its reason', () => {
    const health = checkMarketData(
      snap({
        streams: [
          stream('btcusdt@depth', {
            kind: 'orderBook',
            lastMessageAt: NOW - 100,
            sync: 'stale',
            staleSince: NOW - 2_000,
            staleReason: 'gap',
          }),
          stream('btcusdt@trade', { kind: 'trades', lastMessageAt: NOW - 1_000 }),
        ],
      }),
      NOW,
    );
    expect(health).toMatchObject({ status: 'degraded', streams: 2, fresh: 1, stale: 0, resyncing: 1 });
    expect(health.resyncingStreams).toEqual([
      {
        key: 'btcusdt@depth',
        exchange: 'test',
        symbol: 'BTC/USDT',
        kind: 'orderBook',
        resyncingMs: 2_000,
        thresholdMs: DEFAULT_STALE_AFTER_MS.orderBook,
        reason: 'gap',
      },
    ]);
    // A book rebuilt in a moment is a blip: even as the only stream it does not make the component unhealthy.
    const alone = checkMarketData(
      snap({
        streams: [stream('b', { kind: 'orderBook', lastMessageAt: NOW, sync: 'stale', staleSince: NOW })],
      }),
      NOW,
    );
    expect(alone).toMatchObject({ status: 'degraded', fresh: 0, resyncing: 1, stale: 0 });
  });

  it('counts a book rebuilt for longer than its threshold as stale: unhealthy when it is every stream', () => {
    const rebuilding = stream('btcusdt@depth', {
      kind: 'orderBook',
      lastMessageAt: NOW - 50,
      sync: 'stale',
      staleSince: NOW - 31_000,
      staleReason: 'disconnected: server closed',
    });
    const health = checkMarketData(snap({ streams: [rebuilding] }), NOW);
    expect(health).toMatchObject({ status: 'unhealthy', fresh: 0, stale: 1, resyncing: 0 });
    expect(health.staleStreams).toEqual([
      expect.objectContaining({
        cause: 'resyncing',
        quietMs: 50,
        unsyncedMs: 31_000,
        thresholdMs: 30_000,
        everReceived: true,
        reason: 'disconnected: server closed',
      }),
    ]);
    const beside = checkMarketData(
      snap({ streams: [rebuilding, stream('t', { kind: 'ticker', lastMessageAt: NOW })] }),
      NOW,
    );
    expect(beside).toMatchObject({ status: 'degraded', fresh: 1, stale: 1 });
    expect(
      checkMarketData(snap({ streams: [rebuilding] }), NOW, { staleAfterMs: { orderBook: 60_000 } }),
    ).toMatchObject({
      status: 'degraded',
      resyncing: 1,
    });
  });

  it('treats a book not yet built like a stream awaiting its first message, stale once past its threshold', () => {
    const building = (subscribedAt: number) =>
      snap({
        streams: [stream('b', { kind: 'orderBook', subscribedAt, lastMessageAt: NOW - 10, sync: 'syncing' })],
      });
    expect(checkMarketData(building(NOW - 1_000), NOW)).toMatchObject({
      status: 'healthy',
      fresh: 1,
      awaitingFirstMessage: 1,
    });
    const late = checkMarketData(building(NOW - 40_000), NOW);
    expect(late).toMatchObject({ status: 'unhealthy', stale: 1, awaitingFirstMessage: 0 });
    expect(late.staleStreams[0]).toMatchObject({ cause: 'syncing', unsyncedMs: 40_000, everReceived: true });
  });

  it('counts a synced book like any stream, by its messages', () => {
    const health = checkMarketData(
      snap({ streams: [stream('b', { kind: 'orderBook', lastMessageAt: NOW - 1_000, sync: 'synced' })] }),
      NOW,
    );
    expect(health).toMatchObject({ status: 'healthy', fresh: 1, resyncing: 0, awaitingFirstMessage: 0 });
  });
});

describe('rateLimits', () => {
  const limit = { usedWeight: 100, weightLimit: 6000, queued: 0 };

  it('is healthy with no rate limit reported and with low usage', () => {
    expect(checkRateLimits(snap(), NOW).status).toBe('healthy');
    expect(checkRateLimits(snap({ rateLimit: limit }), NOW)).toMatchObject({
      status: 'healthy',
      usage: 0.017,
      banned: false,
      exchanges: { ex0: { usedWeight: 100, weightLimit: 6000, banned: false, backingOff: false } },
    });
  });

  it('is degraded at 80% of the weight limit (configurable) and while backing off after a 429', () => {
    expect(checkRateLimits(snap({ rateLimit: { ...limit, usedWeight: 4800 } }), NOW).status).toBe('degraded');
    expect(
      checkRateLimits(snap({ rateLimit: { ...limit, usedWeight: 4800 } }), NOW, { degradedUsage: 0.9 })
        .status,
    ).toBe('healthy');
    expect(checkRateLimits(snap({ rateLimit: { ...limit, backoffUntil: NOW + 1000 } }), NOW)).toMatchObject({
      status: 'degraded',
      exchanges: { ex0: { backingOff: true, backoffUntil: NOW + 1000 } },
    });
    expect(checkRateLimits(snap({ rateLimit: { ...limit, backoffUntil: NOW - 1 } }), NOW).status).toBe(
      'healthy',
    );
  });

  it('is unhealthy while an IP ban lasts, and healthy again when it has ended', () => {
    expect(checkRateLimits(snap({ rateLimit: { ...limit, bannedUntil: NOW + 120_000 } }), NOW)).toMatchObject(
      {
        status: 'unhealthy',
        banned: true,
        exchanges: { ex0: { banned: true, bannedUntil: NOW + 120_000 } },
      },
    );
    expect(checkRateLimits(snap({ rateLimit: { ...limit, bannedUntil: NOW - 1 } }), NOW)).toMatchObject({
      status: 'healthy',
      banned: false,
    });
  });
});

describe('clockSkew', () => {
  const clock = (offsetMs: number, lastSyncAt = NOW - 1000) => ({ offsetMs, roundTripMs: 12, lastSyncAt });

  it('is healthy within 1 s, degraded from 1 s, unhealthy from 5 s, whichever the sign', () => {
    expect(checkClockSkew(snap(), NOW).status).toBe('healthy');
    expect(checkClockSkew(snap({ clock: clock(-999) }), NOW)).toMatchObject({
      status: 'healthy',
      offsetMs: 999,
    });
    expect(checkClockSkew(snap({ clock: clock(1000) }), NOW).status).toBe('degraded');
    expect(checkClockSkew(snap({ clock: clock(-5000) }), NOW)).toMatchObject({
      status: 'unhealthy',
      offsetMs: 5000,
      exchanges: { ex0: { offsetMs: -5000, roundTripMs: 12, syncAgeMs: 1000 } },
    });
  });

  it('is degraded when the last measurement is older than maxSyncAgeMs', () => {
    const s = snap({ clock: clock(10, NOW - 7_200_000) });
    expect(checkClockSkew(s, NOW).status).toBe('healthy');
    expect(checkClockSkew(s, NOW, { maxSyncAgeMs: 3_600_000 }).status).toBe('degraded');
  });
});

describe('application', () => {
  it('reports uptime, memory and event-loop delay, and applies the memory thresholds', () => {
    const plain = new ApplicationCheck();
    const tight = new ApplicationCheck({ memoryDegradedMb: 1 });
    const tighter = new ApplicationCheck({ memoryDegradedMb: 1, memoryUnhealthyMb: 2 });
    try {
      const health = plain.check();
      expect(health.status).toBe('healthy');
      expect(health.uptimeMs).toBeGreaterThan(0);
      expect(health.memoryMb).toBeGreaterThan(2);
      expect(health.heapUsedMb).toBeGreaterThan(0);
      expect(health.eventLoopDelayMs).toBeGreaterThanOrEqual(0);
      expect(tight.check().status).toBe('degraded');
      expect(tighter.check().status).toBe('unhealthy');
    } finally {
      plain.close();
      tight.close();
      tighter.close();
    }
  });

  it('is degraded after the event loop was blocked longer than the threshold', async () => {
    const check = new ApplicationCheck({ eventLoopDelayDegradedMs: 50 });
    try {
      // Let the sampler take a few samples, then block the loop.
      await new Promise((resolve) => setTimeout(resolve, 100));
      const until = Date.now() + 200;
      while (Date.now() < until) {
        // busy: the loop is blocked
      }
      await new Promise((resolve) => setTimeout(resolve, 60));
      const health = check.check();
      expect(health.eventLoopDelayMs).toBeGreaterThanOrEqual(50);
      expect(health.status).toBe('degraded');
    } finally {
      check.close();
    }
  });
});
