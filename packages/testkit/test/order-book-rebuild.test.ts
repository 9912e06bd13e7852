import { Decimal, ManualClock } from '@venuekit/core';
import { describe, expect, it } from 'vitest';
import { startFakeBinance } from '../src/start';
import { RestClient } from './support/rest-client';
import { waitFor } from './support/wait';
import { TestSocket } from './support/ws-client';

// The acceptance test of the depth stream: a client that follows Binance's recipe
// (web-socket-streams.md "How to manage a local order book correctly") over real sockets ends
// with exactly the engine's book after thousands of simulated changes.

interface DepthUpdate {
  e: 'depthUpdate';
  U: number;
  u: number;
  b: [string, string][];
  a: [string, string][];
}

class LocalBook {
  readonly bids = new Map<string, string>();
  readonly asks = new Map<string, string>();
  updateId = 0;
  applied = 0;

  load(snapshot: { lastUpdateId: number; bids: [string, string][]; asks: [string, string][] }): void {
    for (const [price, qty] of snapshot.bids) this.bids.set(new Decimal(price).toString(), qty);
    for (const [price, qty] of snapshot.asks) this.asks.set(new Decimal(price).toString(), qty);
    this.updateId = snapshot.lastUpdateId;
  }

  /** Applies one event; throws on a gap (the test fails: the fake must never skip ids unasked). */
  apply(event: DepthUpdate): void {
    if (event.u <= this.updateId) return;
    if (event.U > this.updateId + 1)
      throw new Error(`gap: book at ${this.updateId}, event starts at ${event.U}`);
    for (const [side, levels] of [
      [this.bids, event.b],
      [this.asks, event.a],
    ] as const) {
      for (const [price, qty] of levels) {
        const key = new Decimal(price).toString();
        if (new Decimal(qty).isZero()) side.delete(key);
        else side.set(key, qty);
      }
    }
    this.updateId = event.u;
    this.applied++;
  }
}

function asMap(levels: ReadonlyArray<readonly [Decimal, Decimal]>): Map<string, string> {
  return new Map(levels.map(([price, qty]) => [price.toString(), qty.toFixed(8)]));
}

function normalized(side: Map<string, string>): Map<string, string> {
  return new Map([...side].map(([price, qty]) => [price, new Decimal(qty).toFixed(8)]));
}

describe('order book from REST snapshot + diff stream', () => {
  it('equals the engine book after thousands of simulated changes', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1, 12, 0, 0));
    const fake = await startFakeBinance({
      clock,
      symbols: ['BTCUSDT'],
      seed: 42,
      simulation: { rate: 400, depth: 15 },
    });
    const socket = await TestSocket.open(`${fake.streamsUrl}/ws/btcusdt@depth@100ms`);
    try {
      let changes = 0;
      const off = fake.handle.engine.on('depth', () => {
        changes++;
      });
      // 1. Buffer the stream, 2. take the snapshot, 3-4. drop what it already contains.
      await fake.handle.advance(300);
      const snapshot = await new RestClient(fake.restUrl).get<{
        lastUpdateId: number;
        bids: [string, string][];
        asks: [string, string][];
      }>('/api/v3/depth', { symbol: 'BTCUSDT', limit: 5000 });
      const book = new LocalBook();
      book.load(snapshot.body);
      let consumed = 0;
      const drain = () => {
        const events = socket.received.slice(consumed);
        consumed = socket.received.length;
        for (const message of events) {
          const event = message.json as DepthUpdate;
          if (event.e === 'depthUpdate') book.apply(event);
        }
      };
      // 5-6. Apply buffered then live events while the market moves for 20 virtual seconds.
      for (let step = 0; step < 200; step++) {
        await fake.handle.advance(100);
        drain();
      }
      fake.handle.simulation!.pause();
      await fake.handle.advance(200);
      const truth = fake.handle.book('BTCUSDT');
      await waitFor(
        () => {
          drain();
          return book.updateId === truth.lastUpdateId;
        },
        { what: `the stream to reach update id ${truth.lastUpdateId}` },
      );
      off();
      expect(changes).toBeGreaterThan(2000);
      expect(book.applied).toBeGreaterThan(150);
      expect(normalized(book.bids)).toEqual(asMap(truth.bids));
      expect(normalized(book.asks)).toEqual(asMap(truth.asks));
      expect(truth.bids.length).toBeGreaterThan(5);
    } finally {
      await socket.close();
      await fake.close();
    }
  });
});
