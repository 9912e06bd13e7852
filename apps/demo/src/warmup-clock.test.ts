import { describe, expect, it } from 'vitest';
import { WarmupClock } from './warmup-clock';

function waitUntil(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + timeoutMs;
    const poll = () => {
      if (condition()) resolve();
      else if (Date.now() > deadline) reject(new Error('condition not met in time'));
      else setTimeout(poll, 5);
    };
    poll();
  });
}

describe('WarmupClock', () => {
  it('runs the history in time order, intervals included, then tells real time', async () => {
    const started = Date.now();
    const clock = new WarmupClock(60_000);
    expect(clock.now()).toBeLessThanOrEqual(started - 60_000 + 5);
    const fired: [string, number][] = [];
    clock.setInterval(() => fired.push(['tick', clock.now()]), 10_000);
    clock.setTimeout(() => fired.push(['once', clock.now()]), 25_000);
    const origin = clock.now();
    await clock.catchUp();
    expect(clock.live).toBe(true);
    expect(fired.map(([name, at]) => [name, at - origin])).toEqual([
      ['tick', 10_000],
      ['tick', 20_000],
      ['once', 25_000],
      ['tick', 30_000],
      ['tick', 40_000],
      ['tick', 50_000],
      ['tick', 60_000],
    ]);
    // A minute of history took far less than a minute.
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(Math.abs(clock.now() - Date.now())).toBeLessThan(50);
  });

  it('carries pending timers over to real time, and they can still be cleared', async () => {
    const clock = new WarmupClock(1_000);
    const fired: string[] = [];
    const soon = clock.setTimeout(() => fired.push('soon'), 1_050); // due just after the catch-up
    const never = clock.setTimeout(() => fired.push('never'), 1_100);
    let ticks = 0;
    const interval = clock.setInterval(() => {
      ticks++;
    }, 400);
    await clock.catchUp();
    expect(ticks).toBe(2); // at 400 and 800 ms of the history
    clock.clearTimeout(never);
    await waitUntil(() => fired.includes('soon') && ticks >= 4);
    clock.clearInterval(interval);
    // Nothing is left to fire: the cleared timer and interval are gone from real time too.
    expect(clock.pendingTimers).toBe(0);
    expect(fired).toEqual(['soon']);
    clock.clearTimeout(soon); // clearing a fired timer is harmless
  });

  it('sleeps in virtual time during the history and stops sleeping when aborted', async () => {
    const clock = new WarmupClock(5_000);
    const origin = clock.now();
    let wokeAt = 0;
    void clock.sleep(2_000).then(() => {
      wokeAt = clock.now();
    });
    const controller = new AbortController();
    const aborted = clock.sleep(60_000, controller.signal);
    await clock.catchUp();
    expect(wokeAt - origin).toBe(2_000);
    controller.abort(new Error('stop'));
    await expect(aborted).rejects.toThrow('stop');
  });
});
