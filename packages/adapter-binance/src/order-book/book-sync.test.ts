import { ManualClock, type OrderBookUpdate, type StreamStatus } from '@venuekit/core';
import { afterEach, describe, expect, it } from 'vitest';
import { depth as depthResponse, depthUpdateEvent } from '@venuekit/testkit/docs-examples';
import type { WireDepthUpdate, WirePartialDepth } from '../ws/wire';
import { BinanceBookSync } from './book-sync';

// A venue's book as the truth: each change gets the next update id, diffs carry
// contiguous [U, u] ranges and the snapshot is taken at the current id, exactly
// as web-socket-streams.md describes. Events have the official depthUpdate shape.
class Venue {
  bids = new Map<string, string>();
  asks = new Map<string, string>();
  id = 1000;
  #seed = 7;

  random(): number {
    this.#seed = (this.#seed * 16807) % 2147483647;
    return this.#seed / 2147483647;
  }

  /** One diff event with 1–3 level changes, keeping bids below 100 and asks above it. */
  next(): WireDepthUpdate {
    const U = this.id + 1;
    const changes = 1 + Math.floor(this.random() * 3);
    const b: [string, string][] = [];
    const a: [string, string][] = [];
    for (let i = 0; i < changes; i++) {
      const bid = this.random() < 0.5;
      const price = bid
        ? (90 + Math.floor(this.random() * 100) / 10).toFixed(2)
        : (100.1 + Math.floor(this.random() * 100) / 10).toFixed(2);
      const qty =
        this.random() < 0.3 ? '0.00000000' : (1 + Math.floor(this.random() * 1000) / 100).toFixed(8);
      (bid ? b : a).push([price, qty]);
      const side = bid ? this.bids : this.asks;
      if (Number(qty) === 0) side.delete(price);
      else side.set(price, qty);
      this.id++;
    }
    return { ...depthUpdateEvent, E: this.id, U, u: this.id, b, a };
  }

  snapshot(): WirePartialDepth {
    return {
      lastUpdateId: this.id,
      bids: [...this.bids].sort((x, y) => Number(y[0]) - Number(x[0])),
      asks: [...this.asks].sort((x, y) => Number(x[0]) - Number(y[0])),
    };
  }
}

function levels(book: BinanceBookSync['book']) {
  const text = (l: { price: unknown; quantity: unknown }) => [String(l.price), String(l.quantity)];
  return { bids: book.bids().map(text), asks: book.asks().map(text) };
}

function truth(venue: Venue) {
  const snap = venue.snapshot();
  const text = ([p, q]: readonly [string, string]) => [String(Number(p)), String(Number(q))];
  return { bids: snap.bids.map(text), asks: snap.asks.map(text) };
}

const syncs: BinanceBookSync[] = [];
afterEach(() => {
  for (const sync of syncs.splice(0)) sync.close();
});

function setup(
  options: { reorderWindowMs?: number; snapshot?: () => Promise<WirePartialDepth>; clock?: ManualClock } = {},
) {
  const clock = options.clock ?? new ManualClock();
  const venue = new Venue();
  const updates: OrderBookUpdate[] = [];
  const statuses: StreamStatus[] = [];
  const requests: { resolve: (s: WirePartialDepth) => void; reject: (e: Error) => void }[] = [];
  const counts = { malformed: 0, accepted: 0 };
  const sync = new BinanceBookSync({
    symbol: 'BNB/BTC',
    clock,
    reorderWindowMs: options.reorderWindowMs ?? 500,
    fetchSnapshot: () =>
      options.snapshot?.() ??
      new Promise<WirePartialDepth>((resolve, reject) => requests.push({ resolve, reject })),
    listener: {
      update: (u) => updates.push(u),
      status: (s) => statuses.push(s),
      accepted: () => void counts.accepted++,
      malformed: () => void counts.malformed++,
    },
  });
  syncs.push(sync);
  return { clock, venue, sync, updates, statuses, requests, counts };
}

describe('BinanceBookSync', () => {
  it('buffers, starts from the snapshot, drops what it covers and applies the rest', async () => {
    const { venue, sync, updates, requests } = setup();
    // Seed the venue's book, then stream.
    for (let i = 0; i < 50; i++) venue.next();
    const before = [venue.next(), venue.next()];
    for (const event of before) sync.onDiff(event);
    expect(requests).toHaveLength(1);
    expect(sync.state).toBe('buffering');
    const snapshot = venue.snapshot();
    const after = [venue.next(), venue.next(), venue.next()];
    for (const event of after) sync.onDiff(event);
    requests[0]?.resolve(snapshot);
    await Promise.resolve();
    expect(sync.state).toBe('synced');
    expect(updates).toHaveLength(1);
    expect(updates[0]).toMatchObject({ resynced: true, updateId: String(venue.id), symbol: 'BNB/BTC' });
    expect(levels(sync.book)).toEqual(truth(venue));
    for (let i = 0; i < 500; i++) sync.onDiff(venue.next());
    expect(updates).toHaveLength(501);
    expect(updates.at(-1)?.resynced).toBe(false);
    expect(levels(sync.book)).toEqual(truth(venue));
    expect(sync.resyncs).toBe(0);
  });

  it('accepts a snapshot whose id equals the end of a buffered event (next event starts at id + 1)', async () => {
    const { venue, sync, requests } = setup();
    const first = venue.next();
    sync.onDiff(first);
    const snapshot = venue.snapshot(); // lastUpdateId === first.u
    const second = venue.next();
    sync.onDiff(second);
    requests[0]?.resolve(snapshot);
    await Promise.resolve();
    expect(sync.state).toBe('synced');
    expect(sync.book.sequence).toBe(second.u);
  });

  it('fetches again when the snapshot is older than the first buffered event', async () => {
    const { clock, venue, sync, requests } = setup();
    const old = venue.snapshot();
    venue.next(); // never seen by the client
    sync.onDiff(venue.next());
    requests[0]?.resolve(old);
    await Promise.resolve();
    expect(sync.state).toBe('buffering');
    await clock.advance(1_000);
    expect(requests).toHaveLength(2);
    requests[1]?.resolve(venue.snapshot());
    await Promise.resolve();
    expect(sync.state).toBe('synced');
    expect(levels(sync.book)).toEqual(truth(venue));
  });

  it('a dropped update: stale, automatic resync, resynced, and the book equals the venue again', async () => {
    const { clock, venue, sync, updates, statuses, requests } = setup();
    sync.onDiff(venue.next());
    requests[0]?.resolve(venue.snapshot());
    await Promise.resolve();
    venue.next(); // dropped on the way
    sync.onDiff(venue.next());
    expect(statuses).toEqual([]); // waits for a late arrival first
    await clock.advance(500);
    expect(statuses).toEqual([{ type: 'stale', reason: 'gap' }]);
    expect(sync.resyncs).toBe(1);
    sync.onDiff(venue.next());
    expect(requests).toHaveLength(2);
    requests[1]?.resolve(venue.snapshot());
    await Promise.resolve();
    expect(statuses.at(-1)).toEqual({ type: 'resynced', updateId: String(venue.id) });
    expect(updates.at(-1)?.resynced).toBe(true);
    expect(levels(sync.book)).toEqual(truth(venue));
  });

  it('reordered updates inside the window are applied in order without a resync', async () => {
    const { venue, sync, requests, statuses } = setup();
    sync.onDiff(venue.next());
    requests[0]?.resolve(venue.snapshot());
    await Promise.resolve();
    const [a, b, c] = [venue.next(), venue.next(), venue.next()];
    sync.onDiff(c as WireDepthUpdate);
    sync.onDiff(b as WireDepthUpdate);
    sync.onDiff(a as WireDepthUpdate);
    sync.onDiff(b as WireDepthUpdate); // and a duplicate
    expect(sync.resyncs).toBe(0);
    expect(statuses).toEqual([]);
    expect(sync.buffered).toBe(0);
    expect(sync.busy).toBe(false);
    expect(levels(sync.book)).toEqual(truth(venue));
  });

  it('a crossed book is resynced', async () => {
    const { venue, sync, requests, statuses } = setup();
    for (let i = 0; i < 50; i++) venue.next();
    sync.onDiff(venue.next());
    requests[0]?.resolve(venue.snapshot());
    await Promise.resolve();
    expect(sync.book.askCount).toBeGreaterThan(0);
    const id = venue.id;
    // A bid above every ask: the venue would never produce this book.
    sync.onDiff({ ...depthUpdateEvent, U: id + 1, u: id + 1, b: [['1000.00', '1']], a: [] });
    expect(statuses).toEqual([{ type: 'stale', reason: 'crossed' }]);
    expect(sync.state).toBe('buffering');
  });

  it('discards a diff with a malformed level whole, wherever the level is, and applies the real one after it', async () => {
    const { venue, sync, requests, statuses, updates, counts } = setup();
    sync.onDiff(venue.next());
    requests[0]?.resolve(venue.snapshot());
    await Promise.resolve();
    for (let i = 0; i < 20; i++) sync.onDiff(venue.next());
    const before = levels(sync.book);
    const delivered = updates.length;
    const id = venue.id;
    const best = sync.book.bestBid()?.price.toString() as string;
    const broken: WireDepthUpdate['b'][] = [
      [['abc', '1']],
      // Well-formed levels first, the broken one last: none of them may be applied.
      [
        [best, '0'],
        ['95.00', '7'],
        ['96.00', '-1'],
      ],
      [
        [best, '0.5'],
        ['1e2', '1'],
      ],
      [
        [best, '0'],
        ['0.00', '1'],
      ],
      [
        [best, '0'],
        ['95.', '1'],
      ],
      [[best, '0'], ['95.00'] as unknown as [string, string]],
      [[best, '0'], [95, '1'] as unknown as [string, string]],
      [[best, '0'], null as unknown as [string, string]],
    ];
    for (const b of broken) {
      expect(() => sync.onDiff({ ...depthUpdateEvent, U: id + 1, u: id + 1, b, a: [] })).not.toThrow();
      expect(levels(sync.book)).toEqual(before);
      expect(sync.book.updateId).toBe(String(id));
    }
    expect(counts.malformed).toBe(broken.length);
    expect(updates).toHaveLength(delivered);
    expect(statuses).toEqual([]);
    expect(sync.state).toBe('synced');
    // The real diff with those ids follows: applied as usual.
    sync.onDiff(venue.next());
    expect(levels(sync.book)).toEqual(truth(venue));
    expect(updates).toHaveLength(delivered + 1);
    expect(sync.resyncs).toBe(0);
  });

  it('checks diffs it keeps for later before keeping them', async () => {
    const { venue, sync, requests, updates, counts } = setup();
    sync.onDiff(venue.next());
    const snapshot = venue.snapshot();
    // While the snapshot is on its way: a broken diff is not buffered (the real one is).
    const next = venue.next();
    sync.onDiff({ ...next, a: [['101.00', 'x']] });
    sync.onDiff(next);
    requests[0]?.resolve(snapshot);
    await Promise.resolve();
    expect(levels(sync.book)).toEqual(truth(venue));
    // Out of order (held for the reorder window): the broken one is not held.
    const first = venue.next();
    const second = venue.next();
    sync.onDiff({ ...second, b: [['', '1']] });
    sync.onDiff(second);
    sync.onDiff(first);
    expect(levels(sync.book)).toEqual(truth(venue));
    expect(sync.book.updateId).toBe(String(venue.id));
    expect(counts).toEqual({ malformed: 2, accepted: 4 }); // one per frame taken, held or not
    expect(updates.at(-1)?.updateId).toBe(String(venue.id));
    expect(sync.resyncs).toBe(0);
  });

  it('after a reconnect keeps the book when the stream follows on, resyncs when it does not', async () => {
    const { venue, sync, requests, statuses, updates } = setup();
    sync.onDiff(venue.next());
    requests[0]?.resolve(venue.snapshot());
    await Promise.resolve();
    sync.onDisconnect('server closed');
    expect(statuses).toEqual([{ type: 'stale', reason: 'disconnected: server closed' }]);
    sync.onDiff(venue.next());
    expect(statuses.at(-1)).toMatchObject({ type: 'resynced' });
    expect(updates.at(-1)?.resynced).toBe(true);
    expect(requests).toHaveLength(1);

    sync.onDisconnect('server closed');
    venue.next(); // missed during the outage
    sync.onDiff(venue.next());
    expect(sync.state).toBe('buffering');
    expect(requests).toHaveLength(2);
    requests[1]?.resolve(venue.snapshot());
    await Promise.resolve();
    expect(levels(sync.book)).toEqual(truth(venue));
  });

  it('retries a failing snapshot with backoff and never throws', async () => {
    const { clock, venue, sync, requests } = setup();
    sync.onDiff(venue.next());
    requests[0]?.reject(new Error('HTTP 503'));
    await Promise.resolve();
    await Promise.resolve();
    expect(requests).toHaveLength(1);
    await clock.advance(30_000);
    expect(requests).toHaveLength(2);
    requests[1]?.resolve(venue.snapshot());
    await Promise.resolve();
    expect(sync.state).toBe('synced');
  });

  it('keeps the book exact through thousands of changes with drops, duplicates and reorders', async () => {
    const { clock, venue, sync, requests } = setup();
    let served = 0;
    const serve = async () => {
      while (requests.length > served) {
        (requests[served] as { resolve: (s: WirePartialDepth) => void }).resolve(venue.snapshot());
        served++;
        await Promise.resolve();
      }
    };
    const held: WireDepthUpdate[] = [];
    for (let i = 0; i < 5_000; i++) {
      const event = venue.next();
      const r = venue.random();
      if (r < 0.003) continue; // dropped
      if (r > 0.99) {
        held.push(event); // delivered late, after the next one
        continue;
      }
      sync.onDiff(event);
      for (const late of held.splice(0)) sync.onDiff(late);
      if (r > 0.985) sync.onDiff(event); // duplicated
      await serve();
      if (i % 97 === 0) await clock.advance(600);
    }
    // Let any resync in progress finish while the venue keeps streaming.
    for (let round = 0; round < 20 && sync.state !== 'synced'; round++) {
      await clock.advance(31_000);
      sync.onDiff(venue.next());
      await serve();
    }
    expect(sync.resyncs).toBeGreaterThan(0);
    expect(sync.state).toBe('synced');
    expect(levels(sync.book)).toEqual(truth(venue));
  });

  it('close stops timers and ignores a late snapshot', async () => {
    const { clock, venue, sync, requests, updates } = setup();
    sync.onDiff(venue.next());
    sync.close();
    requests[0]?.resolve(venue.snapshot());
    await Promise.resolve();
    expect(updates).toHaveLength(0);
    expect(clock.pendingTimers).toBe(0);
    expect(sync.busy).toBe(false);
  });

  it('reads the official snapshot example', async () => {
    const { sync } = setup({ snapshot: async () => depthResponse });
    sync.onDiff({ ...depthUpdateEvent, U: 1027024, u: 1027025, b: [], a: [] });
    await Promise.resolve();
    await Promise.resolve();
    expect(sync.state).toBe('synced');
    expect(String(sync.book.bestBid()?.price)).toBe('4');
    expect(String(sync.book.bestAsk()?.price)).toBe('4.000002');
  });

  it('takes a frame from its text exactly as it takes the parsed payload, whatever the frame', async () => {
    // Two books on one venue's stream: one handed every frame parsed (onDiff), one handed the text
    // first (tryDiffText) and the parsed payload only when it declines, as the connection does.
    // Frames in order, duplicated, reordered, skipped, with a malformed level, and laid out otherwise.
    const parsed = setup();
    const text = setup({ clock: parsed.clock });
    const venue = parsed.venue;
    const start = '{"stream":"bnbbtc@depth","data":';
    let declined = 0;
    const send = (payload: string) => {
      const frame = `${start}${payload}}`;
      parsed.sync.onDiff(JSON.parse(frame).data);
      if (!text.sync.tryDiffText(frame, start.length, '}}')) {
        declined++;
        text.sync.onDiff(JSON.parse(frame).data);
      }
    };
    const same = () => {
      expect(levels(text.sync.book)).toEqual(levels(parsed.sync.book));
      expect(text.sync.book.updateId).toBe(parsed.sync.book.updateId);
      // Delivered alike: as many updates, the latest with the same id, time and resync flag.
      const last = (u: OrderBookUpdate | undefined) => u && [u.updateId, u.timestamp, u.resynced];
      expect(text.updates.length).toBe(parsed.updates.length);
      expect(last(text.updates.at(-1))).toEqual(last(parsed.updates.at(-1)));
      expect(text.statuses).toEqual(parsed.statuses);
      expect(text.counts).toEqual(parsed.counts);
      expect(text.sync.state).toBe(parsed.sync.state);
    };
    // Lets the reorder window run out and a resync fetch its snapshot, on both books alike (each
    // round longer than any resync delay, which is jittered).
    const settle = async () => {
      for (let round = 0; round < 3; round++) {
        await parsed.clock.advance(40_000);
        await Promise.resolve();
        const snap = venue.snapshot();
        parsed.requests.at(-1)?.resolve(snap);
        text.requests.at(-1)?.resolve(snap);
        await Promise.resolve();
      }
    };
    send(JSON.stringify(venue.next()));
    const snapshot = venue.snapshot();
    send(JSON.stringify(venue.next()));
    parsed.requests[0]?.resolve(snapshot);
    text.requests[0]?.resolve(snapshot);
    await Promise.resolve();
    same();
    let held: WireDepthUpdate | undefined;
    for (let i = 0; i < 2000; i++) {
      const r = venue.random();
      const event = venue.next();
      if (r < 0.6) {
        send(JSON.stringify(event));
      } else if (r < 0.65) {
        send(JSON.stringify(event));
        send(JSON.stringify(event)); // a duplicate
      } else if (r < 0.7 && held === undefined) {
        held = event; // sent after the next one
        continue;
      } else if (r < 0.75) {
        // A malformed level somewhere, then the real frame.
        const where = venue.random() < 0.5 ? 'b' : 'a';
        const kind = Math.floor(venue.random() * 6);
        const broken = kind === 5 ? ['0.00', '1'] : ['95.00', ['abc', '-1', '1e2', '', '5.'][kind] as string];
        send(JSON.stringify({ ...event, [where]: [...event[where], broken] }));
        send(JSON.stringify(event));
      } else if (r < 0.8) {
        send(JSON.stringify(event, null, 1)); // another layout: the parsed path
      } else if (r < 0.82) {
        // A skipped id range: a gap, then a resync from a snapshot both books get.
        send(JSON.stringify(venue.next()));
        await settle();
      } else {
        send(JSON.stringify(event));
      }
      if (held !== undefined && held !== event) {
        send(JSON.stringify(held));
        held = undefined;
      }
      same();
    }
    if (held !== undefined) send(JSON.stringify(held));
    await settle();
    for (let i = 0; i < 5; i++) send(JSON.stringify(venue.next()));
    same();
    expect(text.sync.state).toBe('synced');
    expect(text.sync.book.sequence).toBe(venue.id);
    expect(levels(text.sync.book)).toEqual(truth(venue));
    expect(parsed.sync.resyncs).toBeGreaterThan(5);
    expect(parsed.counts.malformed).toBeGreaterThan(50);
    // Most frames were taken from their text; the rest went the parsed way.
    expect(declined).toBeGreaterThan(300);
    expect(text.sync.updatesApplied - declined).toBeGreaterThan(1000);
  });
});
