import { type ClockSyncEvent, ManualClock, NetworkError, telemetry } from '@venuekit/core';
import { afterEach, describe, expect, it } from 'vitest';
import { BinanceTimeSync } from './time-sync';

let sync: BinanceTimeSync | undefined;
afterEach(() => sync?.close());

/** A venue whose clock is `skewMs` ahead and whose answers take `legs[i]` ms out and back. */
function venue(clock: ManualClock, skewMs: number, legs: Array<[number, number]>) {
  let call = 0;
  return async () => {
    const [out, back] = legs[call++ % legs.length]!;
    await clock.advance(out);
    const serverTime = clock.now() + skewMs;
    await clock.advance(back);
    return serverTime;
  };
}

describe('BinanceTimeSync', () => {
  it('estimates the offset from the round-trip midpoint', async () => {
    const clock = new ManualClock();
    sync = new BinanceTimeSync({ clock, samples: 1, fetchServerTime: venue(clock, 2500, [[40, 40]]) });
    const status = await sync.resync();
    expect(status).toMatchObject({ offsetMs: 2500, roundTripMs: 80 });
    expect(sync.now()).toBe(clock.now() + 2500);
  });

  it('keeps the median of several samples, so one asymmetric round trip does not move it', async () => {
    const clock = new ManualClock();
    const legs: Array<[number, number]> = [
      [10, 10],
      [900, 10], // a slow request leg: its midpoint is 445 ms off
      [12, 12],
      [10, 10],
      [11, 11],
    ];
    sync = new BinanceTimeSync({ clock, samples: 5, fetchServerTime: venue(clock, -700, legs) });
    const status = await sync.resync();
    expect(status.offsetMs).toBe(-700);
    expect(status.lastSyncAt).toBe(clock.now());
  });

  it('publishes each measurement on the clockSync channel', async () => {
    const clock = new ManualClock();
    const events: ClockSyncEvent[] = [];
    const unsubscribe = telemetry.clockSync.subscribe((event) => events.push(event));
    try {
      sync = new BinanceTimeSync({ clock, samples: 3, fetchServerTime: venue(clock, 100, [[5, 5]]) });
      await sync.resync();
      expect(events).toEqual([{ exchange: 'binance', offsetMs: 100, roundTripMs: 10 }]);
    } finally {
      unsubscribe();
    }
  });

  it('shares one measurement between concurrent callers', async () => {
    const clock = new ManualClock();
    let calls = 0;
    sync = new BinanceTimeSync({
      clock,
      samples: 2,
      fetchServerTime: async () => {
        calls++;
        return clock.now();
      },
    });
    await Promise.all([sync.resync(), sync.resync(), sync.ensureSynced()]);
    expect(calls).toBe(2);
    await sync.ensureSynced();
    expect(calls).toBe(2);
  });

  it('keeps the previous offset when every sample fails, and rejects with a typed error', async () => {
    const clock = new ManualClock();
    let fail = false;
    sync = new BinanceTimeSync({
      clock,
      samples: 2,
      fetchServerTime: async () => {
        if (fail) throw new NetworkError({ message: 'unreachable' });
        return clock.now() + 300;
      },
    });
    await sync.resync();
    fail = true;
    await expect(sync.resync()).rejects.toBeInstanceOf(NetworkError);
    expect(sync.offsetMs).toBe(300);
  });

  it('resynchronises periodically once started, and stops when closed', async () => {
    const clock = new ManualClock();
    let skew = 0;
    sync = new BinanceTimeSync({
      clock,
      samples: 1,
      resyncIntervalMs: 60_000,
      fetchServerTime: async () => clock.now() + skew,
    });
    sync.start();
    skew = 1234;
    await clock.advance(60_000);
    expect(sync.offsetMs).toBe(1234);
    sync.close();
    expect(clock.pendingTimers).toBe(0);
  });
});
