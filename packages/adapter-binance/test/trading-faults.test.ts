import {
  isVenuekitError,
  normalizeOrderRequest,
  type Order,
  type OrderEvent,
  OrderStateUnknownError,
  type OrderRequestInput,
  telemetry,
} from '@venuekit/core';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { collector, eventually, type Harness, leakedSecrets, startHarness } from './trading-harness';

const FAST = {
  requestTimeoutMs: 1500,
  recvWindowMs: 2000,
  reconcileInitialDelayMs: 100,
  reconcileMaxDelayMs: 800,
  reconcileSettleMarginMs: 1000,
  unknownOrderTimeoutMs: 20_000,
} as const;
const ROOMY_LIMITS = {
  ordersPer10s: 1_000_000,
  ordersPerDay: 10_000_000,
  requestWeight: 10_000_000,
} as const;

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});
afterAll(() => {
  expect(leakedSecrets()).toEqual([]);
});

async function start(account: Record<string, unknown> = {}) {
  h = await startHarness({ fake: { limits: ROOMY_LIMITS }, account: { ...FAST, ...account } });
  return h;
}

const order = (input: Partial<OrderRequestInput> = {}) =>
  normalizeOrderRequest({
    symbol: 'BTC/USDT',
    side: 'buy',
    type: 'limit',
    quantity: '0.001',
    price: '40000',
    ...input,
  });

/** The trader's orders at the fake with this client order id, whatever their state. */
function atVenue(harness: Harness, clientOrderId: string) {
  return harness.allOrders().filter((o) => o.clientOrderId === clientOrderId);
}

describe('an order whose answer is lost is settled, never resent', () => {
  it.each([
    ['503 -1007 after executing', { type: 'unknownOutcome' } as const],
    [
      '500 -1006 after executing',
      { type: 'unknownOutcome', status: 500, body: 'unexpectedResponse' } as const,
    ],
    ['no answer at all (timeout)', { type: 'noResponse' } as const],
    ['a dropped connection', { type: 'dropConnection' } as const],
  ])('%s: the caller gets the true order', async (_, action) => {
    const harness = await start();
    const fault = harness.fake.handle.faults.failRequests({ endpoint: 'POST /api/v3/order', action });
    const placed = await harness.account.placeOrder(order({ clientOrderId: 'lost-answer-1' }));
    expect(fault.hits).toBe(1);
    const venue = atVenue(harness, 'lost-answer-1');
    expect(venue).toHaveLength(1);
    expect(placed).toMatchObject({
      id: String(venue[0]?.orderId),
      clientOrderId: 'lost-answer-1',
      status: 'new',
    });
    // Sent once, then only asked about.
    expect(harness.requests.filter((r) => r.method === 'POST').length).toBe(1);
    expect(
      harness.requests.filter((r) => r.path === '/api/v3/order' && r.method === 'GET').length,
    ).toBeGreaterThan(0);
    expect(harness.account.status().unknownOrders).toBe(0);
  });

  it.each([
    ['no answer', { type: 'noResponse', execute: false } as const, 'REQUEST_TIMEOUT'],
    ['a dropped connection', { type: 'dropConnection', execute: false } as const, 'NETWORK_ERROR'],
  ])(
    'an order that never reached the engine (%s) is proven not placed once its recvWindow passed',
    async (_, action, code) => {
      const harness = await start();
      harness.fake.handle.faults.failRequests({ endpoint: 'POST /api/v3/order', action });
      const started = Date.now();
      const error = await harness.failure(() =>
        harness.account.placeOrder(order({ clientOrderId: 'never-placed-1' })),
      );
      expect(error).toMatchObject({ code, context: { placed: false, clientOrderId: 'never-placed-1' } });
      expect(Date.now() - started).toBeGreaterThanOrEqual(FAST.recvWindowMs);
      expect(atVenue(harness, 'never-placed-1')).toHaveLength(0);
      expect(harness.requests.filter((r) => r.method === 'POST').length).toBe(1);
    },
  );

  it('over the WebSocket API: a connection dropped mid-request is reconciled the same way', async () => {
    const harness = await start();
    await harness.account.placeOrder(order({ price: '30000' }), { transport: 'websocket' });
    harness.fake.handle.faults.failRequests({
      transport: 'wsApi',
      endpoint: 'order.place',
      action: { type: 'dropConnection' },
    });
    const placed = await harness.account.placeOrder(order({ clientOrderId: 'ws-lost-1' }), {
      transport: 'websocket',
    });
    const venue = atVenue(harness, 'ws-lost-1');
    expect(venue).toHaveLength(1);
    expect(placed.id).toBe(String(venue[0]?.orderId));
    harness.fake.handle.faults.failRequests({
      transport: 'wsApi',
      endpoint: 'order.place',
      action: { type: 'unknownOutcome' },
    });
    const second = await harness.account.placeOrder(order({ clientOrderId: 'ws-lost-2' }), {
      transport: 'websocket',
    });
    expect(second.id).toBe(String(atVenue(harness, 'ws-lost-2')[0]?.orderId));
  });

  it('an OCO whose answer is lost is found by its list client order id', async () => {
    const harness = await start();
    harness.fake.handle.faults.failRequests({
      endpoint: 'POST /api/v3/orderList/oco',
      action: { type: 'noResponse' },
    });
    const list = await harness.account.placeOcoOrder({
      symbol: 'BTC/USDT',
      side: 'sell',
      quantity: order().quantity!,
      price: order({ price: '62000' }).price!,
      stopPrice: order({ price: '58000' }).price!,
      listClientOrderId: 'lost-oco-1',
    });
    expect(list).toMatchObject({
      listClientOrderId: 'lost-oco-1',
      contingencyType: 'OCO',
      status: 'executing',
    });
    const legs = harness.fake.handle.orders('trader');
    expect(legs).toHaveLength(2);
    expect(list.orders.map((o) => o.id).sort()).toEqual(legs.map((o) => String(o.orderId)).sort());
    expect(harness.requests.filter((r) => r.path === '/api/v3/orderList/oco')).toHaveLength(1);
  });

  it('an OCO answered with a broken body, or with no JSON at all, is looked up, not reported refused', async () => {
    const harness = await start();
    const place = (listClientOrderId: string) =>
      harness.account.placeOcoOrder({
        symbol: 'BTC/USDT',
        side: 'sell',
        quantity: order().quantity!,
        price: order({ price: '62000' }).price!,
        stopPrice: order({ price: '58000' }).price!,
        listClientOrderId,
      });
    for (const [id, result] of [
      ['broken-oco-1', { orderListId: 'x' }],
      ['broken-oco-2', undefined],
    ] as const) {
      harness.fake.handle.faults.failRequests({
        endpoint: 'POST /api/v3/orderList/oco',
        action: { type: 'answer', result },
      });
      const list = await place(id);
      expect(list).toMatchObject({ listClientOrderId: id, contingencyType: 'OCO', status: 'executing' });
      const legs = harness.fake.handle.orders('trader').filter((o) => o.orderListId === Number(list.id));
      expect(list.orders.map((o) => o.id).sort()).toEqual(legs.map((o) => String(o.orderId)).sort());
      expect(legs).toHaveLength(2);
    }
    expect(harness.requests.filter((r) => r.path === '/api/v3/orderList/oco')).toHaveLength(2);
  });

  it('closing the account while an order is out answers OrderStateUnknownError, not a plain failure', async () => {
    const harness = await start();
    await harness.account.placeOrder(order({ price: '30000' }), { transport: 'websocket' });
    const fault = harness.fake.handle.faults.failRequests({
      transport: 'wsApi',
      endpoint: 'order.place',
      action: { type: 'noResponse' },
    });
    const pending = harness.failure(() =>
      harness.account.placeOrder(order({ clientOrderId: 'closing-1' }), { transport: 'websocket' }),
    );
    await fault.whenHit();
    await harness.account.close();
    expect(await pending).toMatchObject({ code: 'ORDER_STATE_UNKNOWN', clientOrderId: 'closing-1' });
    expect(atVenue(harness, 'closing-1')).toHaveLength(1);
  });

  it('a cancel whose answer is lost returns the canceled order', async () => {
    const harness = await start();
    const placed = await harness.account.placeOrder(order());
    harness.fake.handle.faults.failRequests({
      endpoint: 'DELETE /api/v3/order',
      action: { type: 'unknownOutcome' },
    });
    const canceled = await harness.account.cancelOrder({ symbol: 'BTC/USDT', orderId: placed.id });
    expect(canceled).toMatchObject({ id: placed.id, status: 'canceled' });
    expect(harness.fake.handle.orders('trader')).toHaveLength(0);
  });

  it('when the outcome takes too long: OrderStateUnknownError with the client order id, then the truth as a user data event', async () => {
    const harness = await start({ unknownOrderTimeoutMs: 400 });
    const feed = collector();
    const subscription = await harness.account.subscribeUserData(feed.observer);
    const telemetryEvents: OrderEvent[] = [];
    const unsubscribe = telemetry.order.subscribe((event) => telemetryEvents.push(event));
    try {
      const faults = harness.fake.handle.faults;
      faults.failRequests({ endpoint: 'POST /api/v3/order', action: { type: 'noResponse' } });
      // The stream's report of the new order is lost, and the first status queries fail.
      faults.messages({ kind: 'wsApi', stream: 'executionReport', action: { type: 'drop' } });
      faults.failRequests({
        endpoint: 'GET /api/v3/order',
        times: 4,
        action: { type: 'error', status: 503 },
      });
      const error = await harness.failure(() =>
        harness.account.placeOrder(order({ clientOrderId: 'slow-truth-1' })),
      );
      expect(error).toBeInstanceOf(OrderStateUnknownError);
      expect(error).toMatchObject({
        code: 'ORDER_STATE_UNKNOWN',
        clientOrderId: 'slow-truth-1',
        retryable: false,
      });
      expect(harness.account.status().unknownOrders).toBe(1);
      await feed.until(() => feed.orders().some((e) => e.order.clientOrderId === 'slow-truth-1'));
      const reported = feed.orders().find((e) => e.order.clientOrderId === 'slow-truth-1');
      expect(reported).toMatchObject({ executionType: 'new', order: { status: 'new' } });
      expect(reported?.order.id).toBe(String(atVenue(harness, 'slow-truth-1')[0]?.orderId));
      expect(harness.account.status().unknownOrders).toBe(0);
      const mine = telemetryEvents
        .filter((e) => e.clientOrderId === 'slow-truth-1')
        .map((e) => [e.event, e.status]);
      expect(mine).toEqual([
        ['sent', undefined],
        ['unknown', undefined],
        ['reconciled', 'placed'],
      ]);
    } finally {
      unsubscribe();
      await subscription.unsubscribe();
    }
  });
});

/** A seeded PRNG, so a failing run can be replayed. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

type FaultAction = Parameters<Harness['fake']['handle']['faults']['failRequests']>[0]['action'];

interface Outcome {
  readonly clientOrderId: string;
  readonly order?: Order;
  readonly error?: unknown;
}

async function run(
  harness: Harness,
  count: number,
  transport: 'rest' | 'websocket',
  pick: () => FaultAction | undefined,
  concurrency: number,
): Promise<{ outcomes: Outcome[]; faulted: number; fired: number }> {
  const outcomes: Outcome[] = [];
  let next = 0;
  let faulted = 0;
  const faults = [] as Array<{ hits: number }>;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const clientOrderId = `run-${transport.slice(0, 2)}-${i}`;
      const action = pick();
      if (action) {
        faulted++;
        faults.push(
          harness.fake.handle.faults.failRequests(
            transport === 'rest'
              ? { transport: 'rest', endpoint: 'POST /api/v3/order', action }
              : { transport: 'wsApi', endpoint: 'order.place', action },
          ),
        );
      }
      // IOC far below the market: placed, then expired, so the symbol's open-order limit never binds.
      const request = order({ clientOrderId, price: String(20000 + (i % 500)), timeInForce: 'IOC' });
      try {
        outcomes.push({ clientOrderId, order: await harness.account.placeOrder(request, { transport }) });
      } catch (error) {
        outcomes.push({ clientOrderId, error });
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { outcomes, faulted, fired: faults.filter((f) => f.hits === 1).length };
}

/** Every order the trader has at the fake, by client order id. */
function venueOrders(harness: Harness) {
  const byId = new Map<string, number>();
  const ids = new Map<string, string>();
  let from = 0;
  for (;;) {
    const page = harness.fake.handle.engine.allOrders('trader', {
      symbol: 'BTCUSDT',
      orderId: from,
      limit: 1000,
    });
    for (const o of page) {
      byId.set(o.clientOrderId, (byId.get(o.clientOrderId) ?? 0) + 1);
      ids.set(o.clientOrderId, String(o.orderId));
    }
    if (page.length < 1000) break;
    from = page[page.length - 1]!.orderId + 1;
  }
  return { counts: byId, ids };
}

function check(harness: Harness, outcomes: Outcome[]) {
  const { counts, ids } = venueOrders(harness);
  let placed = 0;
  let notPlaced = 0;
  for (const outcome of outcomes) {
    const copies = counts.get(outcome.clientOrderId) ?? 0;
    expect(copies, `${outcome.clientOrderId} placed ${copies} times`).toBeLessThanOrEqual(1);
    if (outcome.order) {
      placed++;
      expect(outcome.order.id).toBe(ids.get(outcome.clientOrderId));
      expect(outcome.order.status).toBe('expired');
      continue;
    }
    const error = outcome.error;
    if (!isVenuekitError(error)) throw error;
    // The only failures allowed: proven not placed, or not sent at all.
    const provenAbsent = error.context.placed === false || error.context.sent === false;
    expect(provenAbsent, `${outcome.clientOrderId}: ${error.code} ${error.message}`).toBe(true);
    expect(copies, `${outcome.clientOrderId} reported not placed but exists`).toBe(0);
    notPlaced++;
  }
  expect(placed + notPlaced).toBe(outcomes.length);
  expect([...counts.values()].reduce((a, b) => a + b, 0)).toBe(placed);
  return { placed, notPlaced };
}

describe('a thousand orders through lost answers', () => {
  it('over REST: none placed twice, none left unknown', async () => {
    const harness = await start();
    const rand = random(5);
    const pick = (): FaultAction | undefined => {
      const r = rand();
      if (r < 0.08) return { type: 'unknownOutcome' };
      if (r < 0.12) return { type: 'unknownOutcome', status: 502, body: 'unexpectedResponse' };
      if (r < 0.15) return { type: 'unknownOutcome', status: 504, body: 'empty' };
      if (r < 0.19) return { type: 'noResponse' };
      if (r < 0.21) return { type: 'noResponse', execute: false };
      if (r < 0.24) return { type: 'dropConnection' };
      if (r < 0.26) return { type: 'dropConnection', execute: false };
      return undefined;
    };
    // Some status queries fail too: reconciliation must ride through them.
    harness.fake.handle.faults.failRequests({
      endpoint: 'GET /api/v3/order',
      skip: 3,
      times: 25,
      action: { type: 'error', status: 503 },
    });
    const { outcomes, faulted, fired } = await run(harness, 1000, 'rest', pick, 25);
    expect(faulted).toBeGreaterThan(200);
    expect(fired).toBe(faulted);
    await eventually(() => harness.account.status().unknownOrders === 0, 60_000, 'reconciliation');
    const { placed, notPlaced } = check(harness, outcomes);
    expect(placed).toBeGreaterThan(900);
    expect(notPlaced).toBeGreaterThan(0);
    expect(harness.requests.filter((r) => r.method === 'POST' && r.path === '/api/v3/order')).toHaveLength(
      1000,
    );
  }, 180_000);

  it('over the WebSocket API, where one dropped connection fails every request in flight', async () => {
    // Dropped connections come faster than the default circuit breaker tolerates (8 within 5 s each).
    const harness = await start({
      wsApiConnection: { backoff: { initialMs: 50, maxMs: 400 }, circuit: { failureThreshold: 100 } },
    });
    const rand = random(11);
    const pick = (): FaultAction | undefined => {
      const r = rand();
      if (r < 0.08) return { type: 'unknownOutcome' };
      if (r < 0.12) return { type: 'noResponse' };
      if (r < 0.13) return { type: 'noResponse', execute: false };
      if (r < 0.15) return { type: 'dropConnection' };
      return undefined;
    };
    const { outcomes, faulted, fired } = await run(harness, 300, 'websocket', pick, 10);
    // A dropped connection also fails requests that were waiting to go out: their faults may not fire.
    expect(fired).toBeGreaterThan(faulted / 2);
    await eventually(() => harness.account.status().unknownOrders === 0, 60_000, 'reconciliation');
    const { placed, notPlaced } = check(harness, outcomes);
    // Requests that found the connection down were not sent (and said so); the rest went through.
    expect(placed).toBeGreaterThan(250);
    expect(placed + notPlaced).toBe(300);
  }, 180_000);
});
