import { describe, expect, it } from 'vitest';
import { streamFreshness } from './freshness';

const NOW = 1_000_000;

describe('streamFreshness', () => {
  it('judges a stream without sync by its messages alone', () => {
    expect(streamFreshness({ subscribedAt: NOW - 60_000, lastMessageAt: NOW - 500 }, NOW, 1_000)).toEqual({
      state: 'fresh',
      quietMs: 500,
    });
    expect(streamFreshness({ subscribedAt: NOW - 60_000, lastMessageAt: NOW - 1_500 }, NOW, 1_000)).toEqual({
      state: 'stale',
      cause: 'quiet',
      quietMs: 1_500,
    });
    expect(streamFreshness({ subscribedAt: NOW - 500 }, NOW, 1_000)).toEqual({
      state: 'awaitingFirstMessage',
      quietMs: 500,
    });
    expect(streamFreshness({ subscribedAt: NOW - 1_500 }, NOW, 1_000)).toMatchObject({
      state: 'stale',
      cause: 'quiet',
    });
  });

  it('never calls a stream being rebuilt fresh, however recent its last message', () => {
    const rebuilding = { subscribedAt: NOW - 60_000, lastMessageAt: NOW, sync: 'stale' as const };
    expect(streamFreshness({ ...rebuilding, staleSince: NOW - 400 }, NOW, 1_000)).toEqual({
      state: 'resyncing',
      quietMs: 0,
      unsyncedMs: 400,
    });
    expect(streamFreshness({ ...rebuilding, staleSince: NOW - 1_400 }, NOW, 1_000)).toEqual({
      state: 'stale',
      cause: 'resyncing',
      quietMs: 0,
      unsyncedMs: 1_400,
    });
    // Without a time of its own, the rebuild is counted from the subscription.
    expect(streamFreshness(rebuilding, NOW, 1_000)).toMatchObject({ state: 'stale', unsyncedMs: 60_000 });
  });

  it('counts a book not yet built like a stream awaiting its first message, from its subscription', () => {
    const building = { lastMessageAt: NOW, sync: 'syncing' as const };
    expect(streamFreshness({ ...building, subscribedAt: NOW - 300 }, NOW, 1_000)).toEqual({
      state: 'awaitingFirstMessage',
      quietMs: 0,
      unsyncedMs: 300,
    });
    expect(streamFreshness({ ...building, subscribedAt: NOW - 3_000 }, NOW, 1_000)).toEqual({
      state: 'stale',
      cause: 'syncing',
      quietMs: 0,
      unsyncedMs: 3_000,
    });
    expect(
      streamFreshness({ subscribedAt: NOW - 3_000, lastMessageAt: NOW - 10, sync: 'synced' }, NOW, 1_000),
    ).toEqual({ state: 'fresh', quietMs: 10 });
  });

  it('calls a quiet stream stale for its silence first, whatever its sync', () => {
    expect(
      streamFreshness(
        { subscribedAt: NOW - 9_000, lastMessageAt: NOW - 5_000, sync: 'stale', staleSince: NOW - 2_000 },
        NOW,
        1_000,
      ),
    ).toEqual({ state: 'stale', cause: 'quiet', quietMs: 5_000, unsyncedMs: 2_000 });
  });
});
