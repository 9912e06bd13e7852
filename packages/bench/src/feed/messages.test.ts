import { OrderBook } from '@venuekit/core';
import * as docs from '@venuekit/testkit/docs-examples';
import { describe, expect, it } from 'vitest';
import { combined, DepthFeed, TradeFeed } from './messages';

// `docs`: the official examples (binance-spot-api-docs, web-socket-streams.md and rest-api.md)
// the feed's payloads must have the shape of, from the testkit's one copy.
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.length === 0 ? [] : [shape(value[0])];
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, shape(v)]));
  }
  return typeof value;
}

const DECIMAL_8 = /^\d+\.\d{8}$/;

describe('TradeFeed', () => {
  it('sends the documented trade payload with consecutive ids, eight-decimal strings and the send time', () => {
    const feed = new TradeFeed(1, 100);
    expect(feed.plan(3)).toEqual({ firstId: 100, lastId: 102 });
    const trades = [feed.next(5), feed.next(6), feed.next(7)].map((text) => JSON.parse(text));
    for (const trade of trades) {
      expect(shape(trade)).toEqual(shape(docs.tradeEvent));
      expect(trade.s).toBe('BTCUSDT');
      expect(trade.p).toMatch(DECIMAL_8);
      expect(trade.q).toMatch(DECIMAL_8);
      expect(Number(trade.q)).toBeGreaterThan(0);
    }
    expect(trades.map((t) => t.t)).toEqual([100, 101, 102]);
    expect(trades.map((t) => [t.E, t.T])).toEqual([
      [5, 5],
      [6, 6],
      [7, 7],
    ]);
  });

  it('is the same market for the same seed', () => {
    const a = new TradeFeed(3);
    const b = new TradeFeed(3);
    for (let i = 0; i < 100; i++) expect(a.next(i)).toBe(b.next(i));
  });

  it('wraps events in the combined-stream form', () => {
    const text = combined('btcusdt@trade', new TradeFeed().next(1));
    const message = JSON.parse(text);
    expect(Object.keys(message)).toEqual(['stream', 'data']);
    expect(message.stream).toBe('btcusdt@trade');
    expect(message.data.e).toBe('trade');
  });
});

describe('DepthFeed', () => {
  it('sends the documented diff payload, each diff following the previous one', () => {
    const feed = new DepthFeed({ firstUpdateId: 1000 });
    expect(feed.plan(2)).toEqual({ firstId: 1000, lastId: 1019 });
    const diffs = Array.from({ length: 50 }, (_, i) => JSON.parse(feed.next(i)));
    for (const diff of diffs) expect(shape(diff)).toEqual(shape(docs.depthUpdateEvent));
    expect(diffs[0].U).toBe(1000);
    expect(diffs[1].u).toBe(1019);
    for (let i = 1; i < diffs.length; i++) expect(diffs[i].U).toBe(diffs[i - 1].u + 1);
    for (const diff of diffs) {
      expect(diff.b).toHaveLength(5);
      expect(diff.a).toHaveLength(5);
      expect(new Set(diff.b.map((l: string[]) => l[0])).size).toBe(5);
      for (const [price, quantity] of [...diff.b, ...diff.a]) {
        expect(price).toMatch(DECIMAL_8);
        expect(quantity).toMatch(DECIMAL_8);
      }
    }
  });

  it('rebuilds exactly from a snapshot plus the diffs after it, and is never crossed', () => {
    const feed = new DepthFeed({ levels: 300 });
    for (let i = 0; i < 200; i++) feed.next(i);
    const snapshot = feed.snapshot(5000);
    const book = new OrderBook('binance', 'BTC/USDT');
    book.reset(snapshot.bids, snapshot.asks, snapshot.lastUpdateId, 0);
    let removals = 0;
    for (let i = 0; i < 5000; i++) {
      const diff = JSON.parse(feed.next(i));
      expect(diff.U).toBe(book.sequence + 1);
      for (const [, quantity] of [...diff.b, ...diff.a]) if (Number(quantity) === 0) removals++;
      book.apply(diff.b, diff.a, diff.u, diff.E);
      expect(book.isCrossed()).toBe(false);
    }
    const truth = feed.snapshot(5000);
    expect(book.sequence).toBe(truth.lastUpdateId);
    expect(book.bids().map((l) => [l.price.toFixed(8), l.quantity.toFixed(8)])).toEqual(truth.bids);
    expect(book.asks().map((l) => [l.price.toFixed(8), l.quantity.toFixed(8)])).toEqual(truth.asks);
    // Levels come and go, not only change.
    expect(removals).toBeGreaterThan(5000);
  });

  it('answers a depth request with the best levels first, within the limit', () => {
    const feed = new DepthFeed({ levels: 50 });
    const snapshot = feed.snapshot(10);
    expect(shape(snapshot)).toEqual(shape(docs.depth));
    expect(snapshot.bids).toHaveLength(10);
    const bids = snapshot.bids.map((l) => Number(l[0]));
    const asks = snapshot.asks.map((l) => Number(l[0]));
    expect(bids).toEqual([...bids].sort((a, b) => b - a));
    expect(asks).toEqual([...asks].sort((a, b) => a - b));
    expect(bids[0]).toBeLessThan(asks[0] as number);
  });
});
