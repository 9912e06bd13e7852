import { normalizeOrderRequest, type RawMessageEvent, type Trade, telemetry } from '@venuekit/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type Market, startMarket, waitFor } from './support/harness';
import { collector, type Harness, SECRETS, startHarness } from './trading-harness';

// The raw tap (`telemetry.rawMessage`): frames exactly as the fake Binance sent them, with the
// connection that carried them and their receive time, for recorders.
let market: Market | undefined;
let harness: Harness | undefined;
let unsubscribe: (() => void) | undefined;

afterEach(async () => {
  unsubscribe?.();
  unsubscribe = undefined;
  await market?.close();
  market = undefined;
  await harness?.close();
  harness = undefined;
});

function tap(): RawMessageEvent[] {
  const frames: RawMessageEvent[] = [];
  unsubscribe = telemetry.rawMessage.subscribe((frame) => frames.push(frame));
  return frames;
}

describe('raw frames on telemetry.rawMessage', () => {
  it('market frames: the combined-stream text as received, its stream key, connection and receive time', async () => {
    market = await startMarket();
    const md = market.adapter.marketData;
    const trades: Trade[] = [];
    const spec = { kind: 'trades', symbol: 'BTC/USDT' } as const;
    const sub = md.subscribe(spec, { next: (trade) => trades.push(trade) });
    await sub.ready;
    const frames = tap();
    const before = Date.now();
    for (let i = 0; i < 5; i++) market.driver.trade();
    await waitFor(() => trades.length === 5 && frames.length >= 5, 'five trades and their raw frames');

    const connection = md.connections()[0];
    expect(frames).toHaveLength(5);
    for (const [i, frame] of frames.entries()) {
      expect(frame).toMatchObject({
        exchange: 'binance',
        kind: 'market',
        stream: 'btcusdt@trade',
        streamKey: md.streamKey(spec),
        connectionId: connection?.id,
      });
      expect(frame.receivedAt).toBeGreaterThanOrEqual(before);
      const parsed = JSON.parse(frame.payload) as {
        stream: string;
        data: { e: string; t: number; p: string };
      };
      expect(parsed.stream).toBe('btcusdt@trade');
      expect(parsed.data.e).toBe('trade');
      expect(String(parsed.data.t)).toBe(trades[i]?.id);
      expect(parsed.data.p).toBe(trades[i]?.price.toFixed(8));
    }
    await sub.unsubscribe();
  });

  it('user data frames name the user and carry no credential', async () => {
    harness = await startHarness();
    const feed = collector();
    await harness.account.subscribeUserData(feed.observer);
    const frames = tap();
    await harness.account.placeOrder(
      normalizeOrderRequest({
        symbol: 'BTC/USDT',
        side: 'sell',
        type: 'limit',
        quantity: '0.01',
        price: '70000',
      }),
    );
    await feed.until(() => feed.orders().length >= 1);
    await waitFor(
      () => frames.some((f) => f.payload.includes('executionReport')),
      'the execution report frame',
    );

    const users = frames.filter((f) => f.kind === 'user');
    expect(users.length).toBeGreaterThan(0);
    for (const frame of users) {
      expect(frame.userId).toBe('alice');
      expect(frame.connectionId).toMatch(/\S/);
      const parsed = JSON.parse(frame.payload) as { subscriptionId: number; event: { e: string } };
      expect(typeof parsed.subscriptionId).toBe('number');
      for (const secret of SECRETS) expect(frame.payload).not.toContain(secret);
    }
    // Request answers are not tapped: they are not venue data and may carry keys.
    expect(frames.every((f) => f.kind === 'user' && !f.payload.includes('"result"'))).toBe(true);
  });
});
