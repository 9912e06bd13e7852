import { ClosedError, RateLimitError, ValidationError } from '@venuekit/core';
import { describe, expect, it } from 'vitest';
import { FairQueue } from './fair-queue';

/** A task whose completion the test controls, recording when it started. */
function gate() {
  const started: string[] = [];
  const pending: Array<() => void> = [];
  const task = (label: string) => () => {
    started.push(label);
    return new Promise<string>((resolve) => {
      pending.push(() => resolve(label));
    });
  };
  /** Completes the oldest running task and lets the queue dispatch the next one. */
  const finishOne = async () => {
    const next = pending.shift();
    if (!next) throw new Error('nothing is running');
    next();
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return { started, pending, task, finishOne };
}

describe('FairQueue', () => {
  it('starts a request at once when nothing waits', async () => {
    const queue = new FairQueue();
    let ran = false;
    const result = queue.run('alice', 1, async () => {
      ran = true;
      return 42;
    });
    expect(ran).toBe(true);
    await expect(result).resolves.toBe(42);
    expect(queue.stats()).toEqual({ inFlight: 0, queued: 0, lanes: 1 });
  });

  it('never has more than maxConcurrent requests in flight, nor more than maxConcurrentPerUser for one user', async () => {
    const queue = new FairQueue({ maxConcurrent: 3, maxConcurrentPerUser: 2 });
    const g = gate();
    const results = [
      ...Array.from({ length: 6 }, (_, i) => queue.run('alice', 1, g.task(`a${i}`))),
      ...Array.from({ length: 6 }, (_, i) => queue.run('bob', 1, g.task(`b${i}`))),
    ];
    expect(g.started).toEqual(['a0', 'a1', 'b0']);
    expect(queue.laneStats('alice')).toEqual({ inFlight: 2, queued: 4 });
    while (g.pending.length > 0) {
      expect(queue.stats().inFlight).toBeLessThanOrEqual(3);
      expect(queue.laneStats('alice').inFlight).toBeLessThanOrEqual(2);
      expect(queue.laneStats('bob').inFlight).toBeLessThanOrEqual(2);
      await g.finishOne();
    }
    expect(await Promise.all(results)).toHaveLength(12);
    expect(g.started).toHaveLength(12);
  });

  it('serves a user who sends one request before a greedy user’s backlog', async () => {
    const queue = new FairQueue({ maxConcurrent: 1 });
    const g = gate();
    const greedy = Array.from({ length: 50 }, (_, i) => queue.run('greedy', 1, g.task(`g${i}`)));
    const modest = Array.from({ length: 3 }, (_, i) => queue.run('modest', 1, g.task(`m${i}`)));
    while (g.pending.length > 0) await g.finishOne();
    await Promise.all([...greedy, ...modest]);
    // The modest user's three requests alternate with the greedy one's, instead of waiting for fifty.
    const positions = ['m0', 'm1', 'm2'].map((label) => g.started.indexOf(label));
    expect(positions.every((p) => p >= 0 && p <= 7)).toBe(true);
    expect(g.started.slice(0, 7).filter((l) => l.startsWith('g')).length).toBeGreaterThanOrEqual(3);
  });

  it('shares by cost: cheap requests are not stuck behind expensive ones', async () => {
    const queue = new FairQueue({ maxConcurrent: 1 });
    const g = gate();
    const all = [
      ...Array.from({ length: 5 }, (_, i) => queue.run('heavy', 20, g.task(`h${i}`))),
      ...Array.from({ length: 40 }, (_, i) => queue.run('light', 1, g.task(`l${i}`))),
    ];
    while (g.pending.length > 0) await g.finishOne();
    await Promise.all(all);
    // With costs 20 and 1, about twenty light requests run for each heavy one.
    const secondHeavy = g.started.indexOf('h1');
    const lightBefore = g.started.slice(0, secondHeavy).filter((l) => l.startsWith('l')).length;
    expect(lightBefore).toBeGreaterThanOrEqual(15);
    expect(g.started.indexOf('h2')).toBeLessThan(g.started.length - 1);
  });

  it('refuses requests beyond maxQueuedPerUser without running them, and only for that user', async () => {
    const queue = new FairQueue({ maxConcurrent: 1, maxQueuedPerUser: 2 });
    const g = gate();
    const running = queue.run('alice', 1, g.task('a0'));
    const waiting = [queue.run('alice', 1, g.task('a1')), queue.run('alice', 1, g.task('a2'))];
    const refused = queue.run('alice', 1, g.task('a3'));
    await expect(refused).rejects.toBeInstanceOf(RateLimitError);
    await expect(refused).rejects.toMatchObject({ context: { userId: 'alice', sent: false } });
    const other = queue.run('bob', 1, g.task('b0'));
    while (g.pending.length > 0) await g.finishOne();
    await Promise.all([running, ...waiting, other]);
    expect(g.started).not.toContain('a3');
    expect(g.started).toContain('b0');
  });

  it('closing a lane rejects its waiting requests and lets the others run', async () => {
    const queue = new FairQueue({ maxConcurrent: 1 });
    const g = gate();
    const first = queue.run('alice', 1, g.task('a0'));
    const waiting = queue.run('alice', 1, g.task('a1'));
    const bob = queue.run('bob', 1, g.task('b0'));
    queue.closeLane('alice');
    await expect(waiting).rejects.toBeInstanceOf(ClosedError);
    while (g.pending.length > 0) await g.finishOne();
    await expect(first).resolves.toBe('a0');
    await expect(bob).resolves.toBe('b0');
    expect(g.started).toEqual(['a0', 'b0']);
    expect(queue.stats()).toEqual({ inFlight: 0, queued: 0, lanes: 1 });
  });

  it('releases the slot of a task that throws or rejects', async () => {
    const queue = new FairQueue({ maxConcurrent: 1 });
    const thrown = queue.run('alice', 1, () => {
      throw new Error('sync failure');
    });
    await expect(thrown).rejects.toThrow('sync failure');
    await expect(queue.run('alice', 1, () => Promise.reject(new Error('async failure')))).rejects.toThrow(
      'async failure',
    );
    await expect(queue.run('bob', 1, async () => 'ok')).resolves.toBe('ok');
    expect(queue.stats().inFlight).toBe(0);
  });

  it('rejects bad limits with a ValidationError naming the field', () => {
    expect(() => new FairQueue({ maxConcurrent: 0 })).toThrow(ValidationError);
    expect(() => new FairQueue({ maxConcurrentPerUser: 1.5 })).toThrow(/maxConcurrentPerUser/);
  });
});
