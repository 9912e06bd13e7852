import type { HealthStatus, StreamFreshness, StreamKind, StreamStats } from '@venuekit/core';
import { scrubSecrets, streamFreshness } from '@venuekit/core';
import type { MarketDataHealth, ResyncingStream, StaleStream } from '../types';
import { type AdapterSnapshot, withFailures } from './adapter-snapshot';

/**
 * How long each kind of stream may stay quiet before it counts as stale, ms. Binance pushes
 * tickers every 1 s, klines every 2 s, partial depth every 1 s or 100 ms; trades, aggregate
 * trades, book tickers and book diffs only when the market moves, so they get more slack.
 * A book being rebuilt (or not yet built) counts as stale after the same time.
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
  /**
   * Quiet time after which a stream is stale, per stream kind, ms; also how long a stream the
   * adapter reports as being rebuilt (or not yet built) may stay so. Missing kinds use the defaults.
   */
  readonly staleAfterMs?: Partial<Record<StreamKind, number>>;
}

const LISTED = 20;

/**
 * `marketData`. A stream is stale when it has been quiet (since its last message, or since it was
 * subscribed if none came yet) longer than the threshold of its kind, or when its adapter has
 * reported its data untrustworthy (`sync`: a book being rebuilt since `staleSince`, or not built
 * since it was subscribed) for longer than that threshold. A book being rebuilt for less is
 * `resyncing`: not fresh, whatever frames arrive, but not yet stale (core's `streamFreshness`, the
 * rule the streams package's `marketDataStreams` applies too). Rules:
 * - unhealthy: there are streams and every one of them is stale;
 * - degraded: some stream is stale or resyncing;
 * - healthy: every stream is fresh (or within its threshold awaiting its first message or first
 *   build), or there are no streams.
 */
export function checkMarketData(
  snapshot: AdapterSnapshot,
  now: number,
  options: MarketDataCheckOptions = {},
): MarketDataHealth {
  let streams = 0;
  let awaitingFirstMessage = 0;
  const stale: StaleStream[] = [];
  const resyncing: ResyncingStream[] = [];
  for (const status of snapshot.statuses) {
    for (const stream of status.streams) {
      streams++;
      const thresholdMs = options.staleAfterMs?.[stream.kind] ?? DEFAULT_STALE_AFTER_MS[stream.kind];
      const judged = streamFreshness(stream, now, thresholdMs);
      if (judged.state === 'stale') {
        stale.push(staleEntry(stream, judged, thresholdMs));
      } else if (judged.state === 'resyncing') {
        resyncing.push({
          key: stream.key,
          exchange: stream.exchange,
          symbol: stream.symbol,
          kind: stream.kind,
          resyncingMs: judged.unsyncedMs ?? 0,
          thresholdMs,
          ...(stream.staleReason === undefined ? {} : { reason: scrubSecrets(stream.staleReason) }),
        });
      } else if (judged.state === 'awaitingFirstMessage') {
        awaitingFirstMessage++;
      }
    }
  }
  let health: HealthStatus = 'healthy';
  if (streams > 0 && stale.length === streams) health = 'unhealthy';
  else if (stale.length > 0 || resyncing.length > 0) health = 'degraded';
  stale.sort((a, b) => overdue(b) - overdue(a));
  resyncing.sort((a, b) => b.resyncingMs - b.thresholdMs - (a.resyncingMs - a.thresholdMs));
  return withFailures(snapshot, {
    status: health,
    streams,
    fresh: streams - stale.length - resyncing.length,
    stale: stale.length,
    resyncing: resyncing.length,
    awaitingFirstMessage,
    staleStreams: stale.slice(0, LISTED),
    resyncingStreams: resyncing.slice(0, LISTED),
  });
}

function staleEntry(stream: StreamStats, judged: StreamFreshness, thresholdMs: number): StaleStream {
  return {
    key: stream.key,
    exchange: stream.exchange,
    symbol: stream.symbol,
    kind: stream.kind,
    cause: judged.cause ?? 'quiet',
    quietMs: judged.quietMs,
    thresholdMs,
    everReceived: stream.lastMessageAt !== undefined,
    ...(judged.unsyncedMs === undefined ? {} : { unsyncedMs: judged.unsyncedMs }),
    ...(stream.sync === 'stale' && stream.staleReason !== undefined
      ? { reason: scrubSecrets(stream.staleReason) }
      : {}),
  };
}

/** How far past its threshold a stale stream is, by whichever measure made it stale. */
function overdue(entry: StaleStream): number {
  return Math.max(entry.quietMs, entry.unsyncedMs ?? 0) - entry.thresholdMs;
}
