import { KLINE_INTERVALS, type MarketDataSubscription, type StreamSpec, telemetry } from '@venuekit/core';
import { DEFAULT_SYMBOLS, type SymbolDefinition } from '@venuekit/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { type FrameProxy, startFrameProxy } from './support/frame-proxy';
import { type Market, startMarket, waitFor } from './support/harness';

// Binance's limits by construction, measured at the server: a proxy in front of the fake
// records every frame the server receives. 2000 streams need two connections (1024 max each),
// and no connection ever sends more than 5 messages (control, ping, pong) in a second.

let market: Market | undefined;
let proxy: FrameProxy | undefined;
afterEach(async () => {
  await market?.close();
  await proxy?.close();
  market = undefined;
  proxy = undefined;
});

/** 100 more markets on the fake, like BTCUSDT: S0000/USDT … S0099/USDT. */
const MARKETS: SymbolDefinition[] = Array.from({ length: 100 }, (_, i) => ({
  ...(DEFAULT_SYMBOLS[0] as SymbolDefinition),
  symbol: `S${String(i).padStart(4, '0')}USDT`,
  baseAsset: `S${String(i).padStart(4, '0')}`,
}));
const FAKE = { symbols: [...DEFAULT_SYMBOLS, ...MARKETS], simulation: false } as const;

/** 2000 distinct, valid stream specs: 20 kinds on 100 markets. */
function specs(count: number): StreamSpec[] {
  const kinds: ((symbol: string) => StreamSpec)[] = [
    (symbol) => ({ kind: 'trades', symbol }),
    (symbol) => ({ kind: 'aggTrades', symbol }),
    (symbol) => ({ kind: 'ticker', symbol }),
    (symbol) => ({ kind: 'miniTicker', symbol }),
    ...KLINE_INTERVALS.map(
      (interval) =>
        (symbol: string): StreamSpec => ({ kind: 'klines', symbol, interval }),
    ),
  ];
  const out: StreamSpec[] = [];
  for (let i = 0; out.length < count; i++) {
    const symbol = `S${String(i).padStart(4, '0')}/USDT`;
    for (const kind of kinds) if (out.length < count) out.push(kind(symbol));
  }
  return out;
}

describe('Binance connection limits', () => {
  it('2000 streams: sharded over connections of at most 1024, never more than 5 messages a second, and nothing left after unsubscribing', async () => {
    const closes: { code: number; reason: string }[] = [];
    const stopWatching = telemetry.connectionClosed.subscribe((event) => closes.push(event));
    try {
      market = await startMarket(
        // Small batches, so the control budget is what paces the subscriptions.
        { streams: { maxStreamsPerMessage: 100 } },
        FAKE,
        async (fake) => {
          proxy = await startFrameProxy(fake.streamsUrl);
          return proxy.url;
        },
      );
      const m = market;
      const frames = proxy as unknown as FrameProxy;
      const md = m.adapter.marketData;
      const subscriptions: MarketDataSubscription[] = specs(2000).map((spec) =>
        md.subscribe(spec, { next() {} }),
      );
      // A full book and a trade stream with traffic, so their timers and buffers are part of the leak check.
      const book = md.subscribe({ kind: 'orderBook', symbol: 'BTC/USDT' }, { next() {} });
      const trades = md.subscribe({ kind: 'trades', symbol: 'BTC/USDT' }, { next() {} });
      await Promise.all([...subscriptions, book, trades].map((s) => s.ready));
      for (let i = 0; i < 20; i++) {
        m.driver.trade();
        m.driver.bookChange();
      }

      const connections = md.connections();
      expect(connections.map((c) => c.streams.length).sort((a, b) => b - a)).toEqual([1024, 978]);
      const serverSide = m.fake.handle.connections('streams');
      expect(serverSide).toHaveLength(2);
      expect(serverSide.map((c) => c.streams.length).sort((a, b) => b - a)).toEqual([1024, 978]);

      // Measured where Binance measures: frames arriving at the server.
      const subscribes = frames.frames.filter((f) => f.text?.includes('"SUBSCRIBE"'));
      expect(subscribes.length).toBeGreaterThanOrEqual(21);
      expect(subscribes.length).toBeLessThanOrEqual(24);
      expect(frames.maxFramesPerWindow(1_000)).toBeLessThanOrEqual(5);
      console.info(
        `server saw ${subscribes.length} SUBSCRIBE messages for 2002 streams; at most ${frames.maxFramesPerWindow(1_000)} frames in any second on one connection`,
      );
      expect(closes.filter((c) => c.code === 1008)).toEqual([]);
      expect(connections.every((c) => c.reconnects === 0)).toBe(true);

      // Everything unsubscribed: no connection, no timer, no held message or book buffer.
      await Promise.all([...subscriptions, book, trades].map((s) => s.unsubscribe()));
      expect(md.connections()).toEqual([]);
      expect(md.streamStats()).toEqual([]);
      expect(md.pendingWork()).toBe(0);
      await waitFor(
        () => m.fake.handle.connections('streams').length === 0,
        'the server to see every connection closed',
      );
      expect(m.clock.pendingTimers).toBe(0);
      expect(frames.maxFramesPerWindow(1_000)).toBeLessThanOrEqual(5);
    } finally {
      stopWatching();
    }
  }, 120_000);

  it('a burst of subscriptions goes out as one message per connection', async () => {
    market = await startMarket({}, FAKE, async (fake) => {
      proxy = await startFrameProxy(fake.streamsUrl);
      return proxy.url;
    });
    const md = market.adapter.marketData;
    const subscriptions = specs(300).map((spec) => md.subscribe(spec, { next() {} }));
    await Promise.all(subscriptions.map((s) => s.ready));
    expect(md.connections()).toHaveLength(1);
    const subscribes = (proxy as unknown as FrameProxy).frames.filter((f) => f.text?.includes('"SUBSCRIBE"'));
    expect(subscribes).toHaveLength(1);
    expect(JSON.parse(subscribes[0]?.text ?? '{}').params).toHaveLength(300);
    await Promise.all(subscriptions.map((s) => s.unsubscribe()));
    expect(md.connections()).toEqual([]);
  });
});
