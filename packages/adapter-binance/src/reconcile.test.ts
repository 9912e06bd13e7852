import { ManualClock, NetworkError, type OrderEvent, TimeoutError, telemetry } from '@venuekit/core';
import { describe, expect, it } from 'vitest';
import { OrderReconciler, type ReconcileOutcome, type ReconcileTarget } from './reconcile';
import type { RequestPriority } from './rest/rate-governor';

interface FakeOrder {
  readonly id: string;
  readonly createdAt: number;
}

function setup(answers: Array<FakeOrder | undefined | Error>) {
  const clock = new ManualClock();
  const settled: Array<[string, ReconcileOutcome<unknown>, boolean]> = [];
  const reconciler = new OrderReconciler({
    clock,
    venueNow: () => clock.now(),
    initialDelayMs: 100,
    maxDelayMs: 400,
    settleMarginMs: 1000,
    onSettled: (target, outcome, abandoned) => settled.push([target.key, outcome, abandoned]),
  });
  let calls = 0;
  const priorities: RequestPriority[] = [];
  const target: ReconcileTarget<FakeOrder> = {
    key: 'vk-1',
    kind: 'order',
    symbol: 'BTC/USDT',
    recvWindowMs: 5000,
    find: async (priority) => {
      priorities.push(priority);
      const answer = answers[Math.min(calls++, answers.length - 1)];
      if (answer instanceof Error) throw answer;
      return answer;
    },
    createdAt: (order) => order.createdAt,
  };
  return { clock, reconciler, target, settled, priorities, calls: () => calls };
}

/** Runs the clock until the promise settles (or the budget runs out). */
async function settle<T>(clock: ManualClock, promise: Promise<T>, budgetMs = 60_000): Promise<T> {
  let done = false;
  promise.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  for (let spent = 0; !done && spent < budgetMs; spent += 50) await clock.advance(50);
  return promise;
}

describe('OrderReconciler', () => {
  it('finds an order the venue accepted although the answer was lost', async () => {
    const { clock, reconciler, target, settled } = setup([
      undefined,
      undefined,
      { id: '7', createdAt: Date.UTC(2026, 0, 1) },
    ]);
    reconciler.register(target);
    reconciler.sent('vk-1', clock.now());
    const outcome = await settle(clock, reconciler.reconcile<FakeOrder>('vk-1', new TimeoutError()));
    expect(outcome).toEqual({ placed: true, value: { id: '7', createdAt: Date.UTC(2026, 0, 1) } });
    expect(settled).toEqual([['vk-1', outcome, false]]);
    expect(reconciler.isTracked('vk-1')).toBe(false);
    expect(reconciler.unknown).toBe(0);
  });

  it('declares an order never placed only once its recvWindow has passed on the venue clock, twice over', async () => {
    const { clock, reconciler, target, calls } = setup([undefined]);
    reconciler.register(target);
    const sentAt = clock.now();
    reconciler.sent('vk-1', sentAt);
    const outcome = reconciler.reconcile('vk-1', new NetworkError());
    let result: unknown;
    outcome.then((value) => {
      result = value;
    });
    await clock.advance(5000 + 1000 - 1);
    expect(result).toBeUndefined();
    expect(reconciler.unknown).toBe(1);
    await settle(clock, outcome);
    expect(result).toEqual({ placed: false });
    expect(clock.now()).toBeGreaterThanOrEqual(sentAt + 6000);
    expect(calls()).toBeGreaterThan(2);
  });

  it('keeps asking through query failures', async () => {
    const { clock, reconciler, target } = setup([
      new NetworkError(),
      new NetworkError(),
      { id: '8', createdAt: Date.UTC(2026, 0, 1) },
    ]);
    reconciler.register(target);
    reconciler.sent('vk-1', clock.now());
    await expect(settle(clock, reconciler.reconcile('vk-1', new TimeoutError()))).resolves.toMatchObject({
      placed: true,
    });
  });

  it('does not mistake an older order that reused the client id for this one', async () => {
    const old = { id: '1', createdAt: Date.UTC(2025, 11, 31) };
    const { clock, reconciler, target } = setup([old]);
    reconciler.register(target);
    reconciler.sent('vk-1', clock.now());
    await expect(settle(clock, reconciler.reconcile('vk-1', new TimeoutError()))).resolves.toEqual({
      placed: false,
    });
  });

  it('settles at once when the user data stream reports the order', async () => {
    const { clock, reconciler, target, calls } = setup([undefined]);
    reconciler.register(target);
    reconciler.sent('vk-1', clock.now());
    const outcome = reconciler.reconcile('vk-1', new TimeoutError());
    await clock.advance(1);
    const reported = { id: '9', createdAt: clock.now() };
    reconciler.offer('vk-1', reported);
    await clock.advance(0);
    await expect(outcome).resolves.toEqual({ placed: true, value: reported });
    expect(calls()).toBe(1);
  });

  it('reports the outcome of an abandoned intent, and publishes telemetry', async () => {
    const events: OrderEvent[] = [];
    const unsubscribe = telemetry.order.subscribe((event) => events.push(event));
    try {
      const { clock, reconciler, target, settled } = setup([
        undefined,
        { id: '3', createdAt: Date.UTC(2026, 0, 1) },
      ]);
      reconciler.register(target);
      reconciler.sent('vk-1', clock.now());
      const outcome = reconciler.reconcile('vk-1', new TimeoutError());
      reconciler.abandon('vk-1');
      await settle(clock, outcome);
      expect(settled[0]?.[2]).toBe(true);
      expect(events.map((e) => [e.event, e.status])).toEqual([
        ['unknown', undefined],
        ['reconciled', 'placed'],
      ]);
    } finally {
      unsubscribe();
    }
  });

  it('asks as a live request while the caller waits, as a background one once it was abandoned', async () => {
    const { clock, reconciler, target, priorities } = setup([undefined]);
    reconciler.register(target);
    reconciler.sent('vk-1', clock.now());
    const outcome = reconciler.reconcile('vk-1', new TimeoutError());
    await clock.advance(1_000);
    const whileWaiting = priorities.length;
    expect(whileWaiting).toBeGreaterThan(1);
    expect(new Set(priorities)).toEqual(new Set(['live']));
    reconciler.abandon('vk-1');
    await settle(clock, outcome);
    expect(priorities.length).toBeGreaterThan(whileWaiting);
    expect(new Set(priorities.slice(whileWaiting))).toEqual(new Set(['background']));
  });

  it('refuses a client id that is still in flight', () => {
    const { reconciler, target } = setup([undefined]);
    reconciler.register(target);
    expect(() => reconciler.register(target)).toThrow(
      expect.objectContaining({ code: 'DUPLICATE_ORDER', field: 'clientOrderId' }),
    );
    reconciler.forget('vk-1');
    expect(() => reconciler.register(target)).not.toThrow();
  });

  it('stops on close and leaves no timer', async () => {
    const { clock, reconciler, target } = setup([undefined]);
    reconciler.register(target);
    reconciler.sent('vk-1', clock.now());
    const outcome = reconciler.reconcile('vk-1', new TimeoutError());
    await clock.advance(150);
    reconciler.close();
    await expect(outcome).rejects.toMatchObject({ code: 'CLOSED' });
    expect(clock.pendingTimers).toBe(0);
  });
});
