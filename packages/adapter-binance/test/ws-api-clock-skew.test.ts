import { Decimal, type UserDataEvent } from '@venuekit/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './trading-harness';

// A -1021 (timestamp outside recvWindow) on the WebSocket API: the venue clock is measured again
// and a read — subscribing the user data stream — is sent again, as over REST. Without it, a clock
// estimate gone wrong kept every user data subscription refused until the periodic resync.

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

describe('clock skew on the WebSocket API', () => {
  it('a user data subscription refused for its timestamp resyncs the venue clock and subscribes', async () => {
    // The adapter measures the venue's clock while it is 7 s ahead, then the venue's clock comes
    // back: every signed request now carries a timestamp 7 s in the future (recvWindow is 5 s).
    h.fake.handle.faults.skewClock(7000);
    await h.timeSync.resync();
    expect(h.timeSync.offsetMs).toBeGreaterThan(5000);
    h.fake.handle.faults.skewClock(0);

    const events: UserDataEvent[] = [];
    const subscription = await h.account.subscribeUserData({ next: (event) => events.push(event) });
    try {
      expect(Math.abs(h.timeSync.offsetMs)).toBeLessThan(1000);
      // The subscription works: an order of the account is reported on it.
      h.makerOrder('SELL', '60000', '1');
      h.fake.handle.engine.placeOrder('trader', {
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'LIMIT',
        timeInForce: 'GTC',
        price: new Decimal('40000'),
        quantity: new Decimal('0.001'),
      });
      await expect.poll(() => events.some((event) => event.type === 'order'), { timeout: 10_000 }).toBe(true);
    } finally {
      await subscription.unsubscribe();
    }
  });
});
