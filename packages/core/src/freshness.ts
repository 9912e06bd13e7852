import type { StreamStats } from './adapter';

/**
 * How a market-data stream stands for a health check:
 * - `fresh`: messages keep arriving and its adapter trusts its data;
 * - `awaitingFirstMessage`: subscribed (or, for a book, not built yet) within its threshold; counts
 *   as fresh;
 * - `resyncing`: its adapter is rebuilding it (a local order book after a gap, a crossed book or a
 *   reconnect), for no longer than its threshold so far: not fresh, however many messages arrive,
 *   but not stale yet;
 * - `stale`: see `cause`.
 */
export type StreamFreshnessState = 'fresh' | 'awaitingFirstMessage' | 'resyncing' | 'stale';

/**
 * Which measure made a stream stale. `quiet`: no message for longer than the threshold (since it was
 * subscribed, before the first one); `resyncing`: rebuilt for longer than the threshold; `syncing`:
 * not built for longer than the threshold since it was subscribed.
 */
export type StreamStaleCause = 'quiet' | 'resyncing' | 'syncing';

export interface StreamFreshness {
  readonly state: StreamFreshnessState;
  /** Set when `state` is `stale`. */
  readonly cause?: StreamStaleCause;
  /** Time since the last message (or since subscribing, before the first one), ms. */
  readonly quietMs: number;
  /** While its adapter reports the data untrustworthy (`sync` not `synced`): for how long, ms. */
  readonly unsyncedMs?: number;
}

/** What `streamFreshness` reads of a stream: core's `StreamStats` or any figures with these fields. */
export type StreamFreshnessInput = Pick<
  StreamStats,
  'subscribedAt' | 'lastMessageAt' | 'sync' | 'staleSince'
>;

/**
 * Judges one stream against the threshold of its kind. A stream is stale when it has been quiet
 * longer than `thresholdMs`, or when its adapter has reported its data untrustworthy (`sync`: a book
 * being rebuilt since `staleSince`, or not built since it was subscribed) for longer than that. A
 * stream whose `sync` is `stale` is never fresh. Streams without `sync` are judged by their messages
 * alone. The one rule of the health package's `marketData` and the streams package's
 * `marketDataStreams`.
 */
export function streamFreshness(
  stream: StreamFreshnessInput,
  now: number,
  thresholdMs: number,
): StreamFreshness {
  const quietMs = Math.max(0, now - (stream.lastMessageAt ?? stream.subscribedAt));
  let unsyncedSince: number | undefined;
  if (stream.sync === 'stale') unsyncedSince = stream.staleSince ?? stream.subscribedAt;
  else if (stream.sync === 'syncing') unsyncedSince = stream.subscribedAt;
  const unsyncedMs = unsyncedSince === undefined ? undefined : Math.max(0, now - unsyncedSince);
  const unsynced = unsyncedMs === undefined ? {} : { unsyncedMs };
  if (quietMs > thresholdMs) return { state: 'stale', cause: 'quiet', quietMs, ...unsynced };
  if (unsyncedMs !== undefined && unsyncedMs > thresholdMs) {
    const cause = stream.sync === 'stale' ? 'resyncing' : 'syncing';
    return { state: 'stale', cause, quietMs, unsyncedMs };
  }
  if (stream.sync === 'stale') return { state: 'resyncing', quietMs, ...unsynced };
  if (stream.lastMessageAt === undefined || stream.sync === 'syncing') {
    return { state: 'awaitingFirstMessage', quietMs, ...unsynced };
  }
  return { state: 'fresh', quietMs };
}
