import type { HealthStatus, StreamKind } from '@venuekit/core';
import type { MarketDataHealth, StaleStream } from '../types';
import { type AdapterSnapshot, withFailures } from './adapter-snapshot';

/**
 * How long each kind of stream may stay quiet before it counts as stale, ms. Binance pushes
 * tickers every 1 s, klines every 2 s, partial depth every 1 s or 100 ms; trades, aggregate
 * trades, book tickers and book diffs only when the market moves, so they get more slack.
 */
export const DEFAULT_STALE_AFTER_MS: Readonly<Record<StreamKind, number>> = {
  ticker: 10_000,
  miniTicker: 10_000,
  klines: 15_000,
  depth: 10_000,
  orderBook: 30_000,
  bookTicker: 30_000,
  trades: 60_000,
  aggTrades: 60_000,
};

export interface MarketDataCheckOptions {
  /** Quiet time after which a stream is stale, per stream kind, ms. Missing kinds use the defaults. */
  readonly staleAfterMs?: Partial<Record<StreamKind, number>>;
}

const LISTED = 20;

/**
 * `marketData`: a stream is stale when it has been quiet (since its last message, or since it was
 * subscribed if none came yet) longer than the threshold of its kind. Rules:
 * - unhealthy: there are streams and every one of them is stale;
 * - degraded: some stream is stale;
 * - healthy: none is stale, or there are no streams.
 */
export function checkMarketData(
  snapshot: AdapterSnapshot,
  now: number,
  options: MarketDataCheckOptions = {},
): MarketDataHealth {
  let streams = 0;
  let awaitingFirstMessage = 0;
  const stale: StaleStream[] = [];
  for (const status of snapshot.statuses) {
    for (const stream of status.streams) {
      streams++;
      const thresholdMs = options.staleAfterMs?.[stream.kind] ?? DEFAULT_STALE_AFTER_MS[stream.kind];
      const since = stream.lastMessageAt ?? stream.subscribedAt;
      const quietMs = Math.max(0, now - since);
      if (quietMs > thresholdMs) {
        stale.push({
          key: stream.key,
          exchange: stream.exchange,
          symbol: stream.symbol,
          kind: stream.kind,
          quietMs,
          thresholdMs,
          everReceived: stream.lastMessageAt !== undefined,
        });
      } else if (stream.lastMessageAt === undefined) {
        awaitingFirstMessage++;
      }
    }
  }
  let health: HealthStatus = 'healthy';
  if (streams > 0 && stale.length === streams) health = 'unhealthy';
  else if (stale.length > 0) health = 'degraded';
  stale.sort((a, b) => b.quietMs - b.thresholdMs - (a.quietMs - a.thresholdMs));
  return withFailures(snapshot, {
    status: health,
    streams,
    fresh: streams - stale.length,
    stale: stale.length,
    awaitingFirstMessage,
    staleStreams: stale.slice(0, LISTED),
  });
}
