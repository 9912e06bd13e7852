import { type DropEvent, ManualClock, silentLogger, telemetry, ValidationError } from '@venuekit/core';
import { afterEach, describe, expect, it } from 'vitest';
import { CallbackSubscriber, IteratorSubscriber, type Subscriber } from './subscriber';

const clock = new ManualClock();
const context = { clock, logger: silentLogger };

/** Resolves when `check` is true, polling each macrotask; fails after the deadline. */
async function until(check: () => boolean, deadlineMs = 10_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met before the deadline');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function gate(): { promise: Promise<void>; open(): void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

const ended: { end(): void }[] = [];
// biome-ignore lint/suspicious/noExplicitAny: any element type of subscriber under test
function track<T extends Subscriber<any>>(subscriber: T): T {
  ended.push(subscriber);
  subscriber.attach({ remove: () => {} });
  return subscriber;
}
afterEach(() => {
  for (const subscriber of ended.splice(0)) subscriber.end();
});

describe('CallbackSubscriber', () => {
  it('never calls the handler inside the producer, and delivers in order', async () => {
    const seen: number[] = [];
    const sub = track(
      new CallbackSubscriber<number>(
        { id: 's', topic: 't', policy: 'drop_oldest', capacity: 100 },
        context,
        (v) => {
          seen.push(v);
        },
      ),
    );
    for (let i = 0; i < 50; i++) sub.offer(i);
    expect(seen).toEqual([]);
    await until(() => seen.length === 50);
    expect(seen).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(sub.figures()).toMatchObject({ delivered: 50, dropped: 0, queued: 0, style: 'callback' });
  });

  it('a slow async consumer loses its oldest values (drop_oldest) while a fast one gets everything', async () => {
    const slowGate = gate();
    const slowSeen: number[] = [];
    const fastSeen: number[] = [];
    const slow = track(
      new CallbackSubscriber<number>(
        { id: 'slow', topic: 't', policy: 'drop_oldest', capacity: 5 },
        context,
        (v) => {
          slowSeen.push(v);
          return v === 0 ? slowGate.promise : undefined;
        },
      ),
    );
    const fast = track(
      new CallbackSubscriber<number>(
        { id: 'fast', topic: 't', policy: 'drop_oldest', capacity: 1000 },
        context,
        (v) => {
          fastSeen.push(v);
        },
      ),
    );
    // The producer offers one value per macrotask, as a socket reader would.
    for (let i = 0; i < 40; i++) {
      slow.offer(i);
      fast.offer(i);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(slowSeen).toEqual([0]);
    expect(fastSeen).toHaveLength(40);
    expect(slow.figures()).toMatchObject({ queued: 5, dropped: 34 });
    slowGate.open();
    await until(() => slowSeen.length === 6);
    expect(slowSeen).toEqual([0, 35, 36, 37, 38, 39]);
    expect(slow.figures()).toMatchObject({ delivered: 6, dropped: 34, queued: 0 });
  });

  it('conflate hands a slow consumer only the latest value', async () => {
    const first = gate();
    const seen: string[] = [];
    const sub = track(
      new CallbackSubscriber<string>(
        { id: 'c', topic: 't', policy: 'conflate', capacity: 16 },
        context,
        (v) => {
          seen.push(v);
          return v === 'a' ? first.promise : undefined;
        },
      ),
    );
    sub.offer('a');
    await until(() => seen.length === 1);
    for (const v of ['b', 'c', 'd', 'e']) sub.offer(v);
    first.open();
    await until(() => seen.length === 2);
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual(['a', 'e']);
    expect(sub.figures().dropped).toBe(3);
  });

  it('publishes its drops on telemetry.subscriberDrop', async () => {
    const events: DropEvent[] = [];
    const unsubscribe = telemetry.subscriberDrop.subscribe((event) => events.push(event));
    try {
      const block = gate();
      const sub = track(
        new CallbackSubscriber<number>(
          { id: 'dropper', topic: 'market.x.BTC/USDT.trades', policy: 'drop_oldest', capacity: 2 },
          context,
          () => block.promise,
        ),
      );
      sub.offer(1);
      await new Promise((resolve) => setImmediate(resolve));
      for (let i = 2; i < 10; i++) sub.offer(i);
      block.open();
      await until(() => events.reduce((n, e) => n + e.dropped, 0) === 6);
      expect(events[0]).toMatchObject({
        topic: 'market.x.BTC/USDT.trades',
        subscriberId: 'dropper',
        policy: 'drop_oldest',
      });
    } finally {
      unsubscribe();
    }
  });

  it('keeps delivering after a handler throws or rejects, and counts the failures', async () => {
    const seen: number[] = [];
    const sub = track(
      new CallbackSubscriber<number>(
        { id: 'e', topic: 't', policy: 'drop_oldest', capacity: 10 },
        context,
        (v) => {
          seen.push(v);
          if (v === 1) throw new Error('boom');
          if (v === 2) return Promise.reject(new Error('async boom'));
          return undefined;
        },
      ),
    );
    for (const v of [1, 2, 3]) sub.offer(v);
    await until(() => seen.length === 3);
    await until(() => sub.figures().errors === 2);
  });

  it('delivers status signals and a terminal error to an observer, in order, then ends', async () => {
    const log: string[] = [];
    const sub = track(
      new CallbackSubscriber<number>({ id: 'o', topic: 't', policy: 'drop_oldest', capacity: 10 }, context, {
        next: (v) => {
          log.push(`next ${v}`);
        },
        status: (s) => log.push(`status ${s.type}`),
        error: (e) => log.push(`error ${e.code}`),
      }),
    );
    sub.offer(1);
    sub.offerStatus({ type: 'stale', reason: 'x' });
    sub.offer(2);
    sub.offerError(new ValidationError('STREAM_REJECTED', { message: 'refused' }));
    sub.offer(3);
    await until(() => !sub.active);
    expect(log).toEqual(['next 1', 'status stale', 'next 2', 'error STREAM_REJECTED']);
  });

  it('ends when its AbortSignal fires, and drops what was queued', async () => {
    const controller = new AbortController();
    let removed = 0;
    const seen: number[] = [];
    const sub = new CallbackSubscriber<number>(
      { id: 'a', topic: 't', policy: 'drop_oldest', capacity: 10, signal: controller.signal },
      context,
      (v) => {
        seen.push(v);
      },
    );
    sub.attach({ remove: () => removed++ });
    sub.offer(1);
    controller.abort();
    sub.offer(2);
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual([]);
    expect(removed).toBe(1);
    expect(sub.active).toBe(false);
  });
});

describe('IteratorSubscriber', () => {
  it('yields values in order with for await, and return() ends it', async () => {
    const it = track(
      new IteratorSubscriber<number>({ id: 'i', topic: 't', policy: 'drop_oldest', capacity: 100 }, context),
    );
    const seen: number[] = [];
    const consumer = (async () => {
      for await (const v of it) {
        seen.push(v);
        if (seen.length === 5) break;
      }
    })();
    for (let i = 0; i < 3; i++) it.offer(i);
    await new Promise((resolve) => setImmediate(resolve));
    for (let i = 3; i < 8; i++) it.offer(i);
    await consumer;
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    expect(it.active).toBe(false);
    expect(await it.next()).toEqual({ value: undefined, done: true });
  });

  it('a pending next() resolves with done when the signal aborts', async () => {
    const controller = new AbortController();
    const it = track(
      new IteratorSubscriber<number>(
        { id: 'i2', topic: 't', policy: 'drop_oldest', capacity: 10, signal: controller.signal },
        context,
      ),
    );
    const pending = it.next();
    controller.abort();
    expect(await pending).toEqual({ value: undefined, done: true });
  });

  it('a slow for-await loop gets the newest values of a conflated stream, and statuses in order', async () => {
    const statuses: string[] = [];
    const it = track(
      new IteratorSubscriber<string>(
        { id: 'i3', topic: 't', policy: 'conflate', capacity: 16 },
        context,
        (s) => statuses.push(s.type),
      ),
    );
    for (const v of ['a', 'b', 'c']) it.offer(v);
    it.offerStatus({ type: 'resynced', updateId: '7' });
    it.offer('d');
    it.offer('e');
    expect(await it.next()).toEqual({ value: 'c', done: false });
    expect(statuses).toEqual([]);
    expect(await it.next()).toEqual({ value: 'e', done: false });
    expect(statuses).toEqual(['resynced']);
    expect(it.figures().dropped).toBe(3);
  });

  it('throws the terminal error from for await after the values before it', async () => {
    const it = track(
      new IteratorSubscriber<number>({ id: 'i4', topic: 't', policy: 'drop_oldest', capacity: 10 }, context),
    );
    it.offer(1);
    it.offerError(new ValidationError('UNKNOWN_SYMBOL', { message: 'no such market' }));
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const v of it) seen.push(v);
      })(),
    ).rejects.toMatchObject({ code: 'UNKNOWN_SYMBOL' });
    expect(seen).toEqual([1]);
  });

  it('keeps the order of concurrent next() calls', async () => {
    const it = track(
      new IteratorSubscriber<number>({ id: 'i5', topic: 't', policy: 'drop_oldest', capacity: 10 }, context),
    );
    const a = it.next();
    const b = it.next();
    it.offer(1);
    it.offer(2);
    expect((await a).value).toBe(1);
    expect((await b).value).toBe(2);
  });
});
