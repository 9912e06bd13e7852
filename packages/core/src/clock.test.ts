import { describe, expect, it } from 'vitest';
import { ManualClock, SystemClock } from './clock';
import { CircuitBreaker, ExponentialBackoff } from './resilience';

describe('ManualClock', () => {
  it('fires timers in order as time advances, intervals repeatedly', async () => {
    const clock = new ManualClock(1000);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push(`b@${clock.now()}`), 200);
    clock.setTimeout(() => fired.push(`a@${clock.now()}`), 100);
    const every = clock.setInterval(() => fired.push(`i@${clock.now()}`), 150);
    await clock.advance(320);
    expect(fired).toEqual(['a@1100', 'i@1150', 'b@1200', 'i@1300']);
    clock.clearInterval(every);
    await clock.advance(1000);
    expect(fired).toHaveLength(4);
    expect(clock.now()).toBe(2320);
    expect(clock.pendingTimers).toBe(0);
  });

  it('sleep resolves on time and rejects when aborted', async () => {
    const clock = new ManualClock();
    let done = false;
    const sleeping = clock.sleep(50).then(() => {
      done = true;
    });
    await clock.advance(49);
    expect(done).toBe(false);
    await clock.advance(1);
    await sleeping;
    expect(done).toBe(true);
    const controller = new AbortController();
    const aborted = clock.sleep(1000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(aborted).rejects.toThrow('stop');
    expect(clock.pendingTimers).toBe(0);
  });

  it('SystemClock sleeps on real time', async () => {
    const clock = new SystemClock();
    const start = clock.now();
    await clock.sleep(5);
    expect(clock.now() - start).toBeGreaterThanOrEqual(4);
  });
});

describe('ExponentialBackoff', () => {
  it('grows by the factor up to the maximum, within the jitter band', () => {
    const none = new ExponentialBackoff({ initialMs: 100, maxMs: 1000, jitter: 'none' });
    expect([1, 2, 3, 4, 5, 6].map(() => none.next())).toEqual([100, 200, 400, 800, 1000, 1000]);
    none.reset();
    expect(none.next()).toBe(100);
    const equal = new ExponentialBackoff({ initialMs: 100, maxMs: 10_000, random: () => 0.999 });
    const low = new ExponentialBackoff({ initialMs: 100, maxMs: 10_000, random: () => 0 });
    for (let i = 0; i < 5; i++) {
      const ceiling = 100 * 2 ** i;
      expect(equal.next()).toBeLessThanOrEqual(ceiling);
      expect(low.next()).toBe(ceiling / 2);
    }
  });
});

describe('CircuitBreaker', () => {
  it('opens after the threshold, half-opens after openMs, closes on a successful probe', async () => {
    const clock = new ManualClock();
    const states: string[] = [];
    const breaker = new CircuitBreaker({
      clock,
      failureThreshold: 3,
      openMs: 1000,
      onStateChange: (s) => states.push(s),
    });
    breaker.recordFailure();
    breaker.recordFailure();
    expect(breaker.canAttempt()).toBe(true);
    breaker.recordFailure();
    expect(breaker.state).toBe('open');
    expect(breaker.canAttempt()).toBe(false);
    expect(breaker.retryInMs).toBe(1000);
    await clock.advance(1000);
    expect(breaker.state).toBe('half_open');
    breaker.recordFailure();
    expect(breaker.state).toBe('open');
    await clock.advance(1000);
    expect(breaker.canAttempt()).toBe(true);
    breaker.recordSuccess();
    expect(breaker.state).toBe('closed');
    expect(states).toEqual(['open', 'half_open', 'open', 'half_open', 'closed']);
    expect(breaker.opens).toBe(2);
  });
});
