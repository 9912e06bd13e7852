import { describe, expect, it } from 'vitest';
import { ErrorEntry, StatusEntry, SubscriberQueue } from './subscriber-queue';

function drain<T>(queue: SubscriberQueue<T>): unknown[] {
  const out: unknown[] = [];
  for (let entry = queue.shift(); entry !== undefined; entry = queue.shift()) out.push(entry);
  return out;
}

describe('SubscriberQueue', () => {
  it('drop_oldest keeps the newest values in order and counts what it dropped', () => {
    const queue = new SubscriberQueue<number>('drop_oldest', 3);
    const dropped = [1, 2, 3, 4, 5].map((n) => queue.push(n));
    expect(dropped).toEqual([false, false, false, true, true]);
    expect(queue.dropped).toBe(2);
    expect(drain(queue)).toEqual([3, 4, 5]);
  });

  it('grows its ring past the initial slots without losing order, then bounds it', () => {
    const queue = new SubscriberQueue<number>('drop_oldest', 100);
    for (let i = 0; i < 30; i++) queue.push(i);
    expect(queue.shift()).toBe(0);
    for (let i = 30; i < 150; i++) queue.push(i);
    expect(queue.size).toBe(100);
    expect(drain(queue)).toEqual(Array.from({ length: 100 }, (_, i) => i + 50));
    expect(queue.dropped).toBe(49);
  });

  it('conflate keeps only the latest value', () => {
    const queue = new SubscriberQueue<string>('conflate', 16);
    queue.push('a');
    queue.push('b');
    queue.push('c');
    expect(queue.dropped).toBe(2);
    expect(drain(queue)).toEqual(['c']);
  });

  it('conflate never replaces a status signal, so it is seen between the values around it', () => {
    const queue = new SubscriberQueue<string>('conflate', 16);
    queue.push('a');
    const stale = new StatusEntry({ type: 'stale', reason: 'rebuilding' });
    queue.pushSignal(stale);
    queue.push('b');
    queue.push('c');
    expect(drain(queue)).toEqual(['a', stale, 'c']);
    expect(queue.dropped).toBe(1);
  });

  it('conflate keeps what the merge function carries over', () => {
    const queue = new SubscriberQueue<{ v: number; flag: boolean }>('conflate', 4, (older, newer) => ({
      v: newer.v,
      flag: older.flag || newer.flag,
    }));
    queue.push({ v: 1, flag: true });
    queue.push({ v: 2, flag: false });
    expect(drain(queue)).toEqual([{ v: 2, flag: true }]);
  });

  it('a full queue drops its oldest entry for a signal too', () => {
    const queue = new SubscriberQueue<number>('drop_oldest', 2);
    queue.push(1);
    queue.push(2);
    const error = new ErrorEntry(new (class extends Error {})() as never);
    expect(queue.pushSignal(error)).toBe(true);
    expect(drain(queue)).toEqual([2, error]);
  });

  it('clear empties it', () => {
    const queue = new SubscriberQueue<number>('drop_oldest', 4);
    queue.push(1);
    queue.clear();
    expect(queue.size).toBe(0);
    expect(queue.shift()).toBeUndefined();
  });
});
