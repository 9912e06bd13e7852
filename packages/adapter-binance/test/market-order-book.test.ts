import { type OrderBookUpdate, type ReadonlyOrderBook, type StreamStatus, telemetry } from '@venuekit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Market, startMarket, waitFor } from './support/harness';

// The local order book against the fake Binance's engine book, through every fault the fake can
// inject on the way: sequence gaps, reordered, dropped and duplicated diffs, closed and dropped
// connections, and a connection that goes silent. After each phase the local book must equal
// the engine's, level for level, at the same update id.

const STREAM = 'btcusdt@depth@100ms';
let market: Market;
let book: ReadonlyOrderBook | undefined;
const updates: OrderBookUpdate[] = [];
const statuses: StreamStatus[] = [];
const errors: unknown[] = [];
let changes = 0;
let unsubscribe: () => Promise<void>;

function same(): boolean {
  if (!book) return false;
  const truth = market.fake.handle.book('BTCUSDT');
  if (book.updateId !== String(truth.lastUpdateId)) return false;
  const bids = book.bids();
  const asks = book.asks();
  if (bids.length !== truth.bids.length || asks.length !== truth.asks.length) return false;
  const eq = (
    local: { price: unknown; quantity: unknown }[],
    remote: readonly (readonly [unknown, unknown])[],
  ) =>
    local.every(
      (level, i) =>
        String(level.price) === String(remote[i]?.[0]) && String(level.quantity) === String(remote[i]?.[1]),
    );
  return eq(bids, truth.bids) && eq(asks, truth.asks);
}

function diffMessages(): number {
  return market.adapter.marketData.streamStats().find((s) => s.key.endsWith(STREAM))?.messages ?? 0;
}

/** Changes the engine book `count` times, letting the fake push its diffs as it goes. */
async function churn(count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    market.driver.bookChange();
    changes++;
    if (i % 10 === 9) {
      const before = diffMessages();
      await waitFor(
        () => diffMessages() > before,
        `the next diff push (${JSON.stringify(market.adapter.marketData.connections().map((c) => [c.state, c.reconnects, c.messagesReceived]))} ${JSON.stringify(statuses.slice(-3))} ${book?.updateId} ${market.fake.handle.book('BTCUSDT').lastUpdateId})`,
        20_000,
      );
    }
  }
}

/** Pauses the other participants so the book holds still, and waits for the local copy to match it. */
async function converged(phase: string): Promise<void> {
  const simulation = market.fake.handle.simulation;
  simulation?.pause();
  try {
    await waitFor(same, `the local book to equal the engine book after ${phase}`, 60_000);
  } finally {
    simulation?.resume();
  }
}

beforeAll(async () => {
  market = await startMarket(
    {
      streams: { silenceTimeoutMs: 3_000, pingIntervalMs: 500, pongTimeoutMs: 1_000, reorderWindowMs: 200 },
      orderBook: { resyncInitialDelayMs: 20, resyncMaxDelayMs: 500 },
    },
    // The fake's participants trade too (100 actions a second), on top of this test's own changes.
    { streamTimings: { fastMs: 20, slowMs: 100 }, simulation: { rate: 100, symbols: ['BTCUSDT'] } },
  );
  for (let i = 0; i < 100; i++) market.driver.bookChange();
  const subscription = market.adapter.marketData.subscribe(
    { kind: 'orderBook', symbol: 'BTC/USDT' },
    {
      next: (update) => {
        book = update.book;
        updates.push(update);
      },
      status: (status) => statuses.push(status),
      error: (error) => errors.push(error),
    },
  );
  unsubscribe = () => subscription.unsubscribe();
  await subscription.ready;
});

afterAll(async () => {
  await unsubscribe?.();
  await market?.close();
});

describe('the local order book against the fake Binance', () => {
  it('starts from the snapshot and follows the diffs exactly', async () => {
    await churn(10);
    await converged('the start');
    expect(updates[0]?.resynced).toBe(true);
    await churn(500);
    await converged('500 clean changes');
    expect(statuses.filter((s) => s.type === 'stale')).toHaveLength(0);
  });

  it('sequence gaps: stale, resync from a new snapshot, resynced, exact again', async () => {
    const resyncsBefore = resyncs();
    market.fake.handle.faults.depthGap('BTCUSDT', { times: 3 });
    await churn(500);
    await converged('injected gaps');
    expect(resyncs()).toBeGreaterThan(resyncsBefore);
    expect(statuses.some((s) => s.type === 'stale' && s.reason === 'gap')).toBe(true);
    expect(statuses.at(-1)?.type).toBe('resynced');
  });

  it('reordered and duplicated diffs are absorbed without a resync', async () => {
    const resyncsBefore = resyncs();
    market.fake.handle.faults.messages({ stream: STREAM, action: { type: 'reorder' }, times: 20 });
    market.fake.handle.faults.messages({ stream: STREAM, action: { type: 'duplicate' }, skip: 5, times: 20 });
    await churn(500);
    await converged('reorders and duplicates');
    expect(resyncs()).toBe(resyncsBefore);
  });

  it('dropped diffs are noticed and repaired', async () => {
    const resyncsBefore = resyncs();
    market.fake.handle.faults.messages({ stream: STREAM, action: { type: 'drop' }, skip: 3, times: 3 });
    await churn(500);
    await converged('dropped diffs');
    expect(resyncs()).toBeGreaterThan(resyncsBefore);
  });

  it('closed and dropped connections: reconnect, resubscribe, resync', async () => {
    const reconnectsBefore = market.adapter.marketData.connections()[0]?.reconnects ?? 0;
    market.fake.handle.faults.closeConnection({ kind: 'streams' }, 1011, 'restarting');
    await churn(300);
    await converged('a closed connection');
    market.fake.handle.faults.dropConnection({ kind: 'streams' });
    await churn(300);
    await converged('a dropped connection');
    expect(market.adapter.marketData.connections()[0]?.reconnects).toBeGreaterThanOrEqual(
      reconnectsBefore + 2,
    );
    expect(statuses.filter((s) => s.type === 'resubscribed').length).toBeGreaterThanOrEqual(2);
  });

  it('a stalled connection is recycled by the watchdog and the book recovers', async () => {
    const reconnectsBefore = market.adapter.marketData.connections()[0]?.reconnects ?? 0;
    market.fake.handle.faults.silence({ kind: 'streams' });
    await churn(300);
    await converged('a stall');
    expect(market.adapter.marketData.connections()[0]?.reconnects).toBeGreaterThan(reconnectsBefore);
    expect(statuses.some((s) => s.type === 'stale' && s.reason.startsWith('disconnected'))).toBe(true);
  });

  it('a diff that follows on but is broken is discarded whole, and the book stays exact', async () => {
    // Frames in the layout the fake (and Binance) send, so that they reach the book's fast path
    // (read from the text, no JSON.parse), with the next update id: a malformed level, a zero price,
    // or text after the frame. None may touch the book or take its id.
    const simulation = market.fake.handle.simulation;
    simulation?.pause();
    const discarded: string[] = [];
    const stop = telemetry.messageDiscarded.subscribe((event) => discarded.push(event.reason));
    try {
      await waitFor(same, 'the local book to equal the engine book', 60_000);
      const id = Number(book?.updateId);
      const diff = (asks: string) =>
        `{"stream":"${STREAM}","data":{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":${id + 1},"u":${id + 1},"b":[["1.00000000","5.00000000"]],"a":${asks}}}`;
      const frames = [
        diff('[["abc","1.00000000"]]'),
        diff('[["0.00000000","1.00000000"]]'),
        `${diff('[]')}x`,
      ];
      for (const frame of frames) market.fake.handle.faults.sendMalformed({ kind: 'streams' }, frame);
      await waitFor(() => discarded.length >= frames.length, 'the broken diffs to be discarded');
      expect(discarded).toEqual([
        `${STREAM}: malformed depth update`,
        `${STREAM}: malformed depth update`,
        'malformed JSON frame',
      ]);
      expect(book?.updateId).toBe(String(id));
      expect(same()).toBe(true);
    } finally {
      stop();
      simulation?.resume();
    }
    await churn(100);
    await converged('broken diffs');
  });

  it('went through thousands of changes and never surfaced an error', () => {
    expect(changes).toBeGreaterThanOrEqual(2_900);
    expect(errors).toEqual([]);
    expect(updates.length).toBeGreaterThan(100);
    // Every delivered update left the book uncrossed.
    expect(book?.isCrossed()).toBe(false);
  });
});

function resyncs(): number {
  return market.adapter.marketData.streamStats().find((s) => s.key.endsWith(STREAM))?.resyncs ?? 0;
}
