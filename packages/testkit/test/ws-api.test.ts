import { Decimal } from '@venuekit/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as docs from '../src/docs-examples';
import { ALICE_KEY, ALICE_SECRET, ED_KEY, startTestExchange, type TestExchange } from './support/fake';
import { shapeDiff } from './support/shape';
import { ed25519Base64, hmacHex, wsPayload } from './support/signing';
import { waitFor } from './support/wait';
import { TestSocket } from './support/ws-client';

// The WebSocket API over real sockets (web-socket-api.md, user-data-stream.md): the envelope with
// rateLimits, signed requests, Ed25519 session logon and user data subscriptions.

interface Envelope<T = unknown> {
  id: unknown;
  status: number;
  result?: T;
  error?: { code: number; msg: string; data?: Record<string, unknown> };
  rateLimits?: Array<{
    rateLimitType: string;
    interval: string;
    intervalNum: number;
    limit: number;
    count: number;
  }>;
}

let t: TestExchange;
const sockets: TestSocket[] = [];
let nextId = 1;

async function connect(query = ''): Promise<TestSocket> {
  const socket = await TestSocket.open(`${t.fake.wsApiUrl}${query}`);
  sockets.push(socket);
  return socket;
}

function call<T = unknown>(
  socket: TestSocket,
  method: string,
  params?: Record<string, unknown>,
): Promise<Envelope<T>> {
  return socket.request<Envelope<T>>({ id: `req-${nextId++}`, method, ...(params && { params }) });
}

/** Signs like a client: sorted params, HMAC hex. */
function hmacSigned(
  params: Record<string, string | number | boolean>,
  apiKey = ALICE_KEY,
  secret = ALICE_SECRET,
) {
  const withKey = { ...params, apiKey, timestamp: params.timestamp ?? Date.now() };
  return { ...withKey, signature: hmacHex(secret, wsPayload(withKey)) };
}

function edSigned(params: Record<string, string | number | boolean>) {
  const withKey = { ...params, apiKey: ED_KEY, timestamp: params.timestamp ?? Date.now() };
  return { ...withKey, signature: ed25519Base64(t.edPrivateKey, wsPayload(withKey)) };
}

const LIMIT_BUY = {
  symbol: 'BTCUSDT',
  side: 'BUY',
  type: 'LIMIT',
  timeInForce: 'GTC',
  quantity: '0.01',
  price: '50000',
};

beforeAll(async () => {
  t = await startTestExchange();
});

afterEach(async () => {
  await Promise.all(sockets.splice(0).map((socket) => socket.close()));
  for (const account of ['alice', 'ed']) {
    if (t.fake.handle.orders(account).length > 0) t.engine.cancelOpenOrders(account, undefined);
  }
});

afterAll(async () => {
  await t.close();
});

describe('the envelope', () => {
  it('answers {id, status, result, rateLimits}, hides rateLimits on request, accepts the v3/ prefix', async () => {
    const socket = await connect();
    const time = await call<{ serverTime: number }>(socket, 'time');
    expect(Object.keys(time).sort()).toEqual(['id', 'rateLimits', 'result', 'status']);
    expect(time.status).toBe(200);
    expect(Object.keys(time.result!)).toEqual(['serverTime']);
    expect(time.rateLimits).toEqual([
      {
        rateLimitType: 'REQUEST_WEIGHT',
        interval: 'MINUTE',
        intervalNum: 1,
        limit: 6000,
        count: expect.any(Number),
      },
    ]);
    const ping = await call(socket, 'v3/ping', { returnRateLimits: false });
    expect(ping).toEqual({ id: ping.id, status: 200, result: {} });
    const quiet = await connect('?returnRateLimits=false');
    expect((await call(quiet, 'ping')).rateLimits).toBeUndefined();
    expect((await call(quiet, 'ping', { returnRateLimits: true })).rateLimits).toHaveLength(1);
  });

  it('serves the public requests with the REST bodies', async () => {
    const socket = await connect();
    const depth = await call(socket, 'depth', { symbol: 'BTCUSDT', limit: 5 });
    const rest = await t.public.get('/api/v3/depth', { symbol: 'BTCUSDT', limit: 5 });
    expect(depth.result).toEqual(rest.body);
    const price = await call(socket, 'ticker.price', { symbol: 'BTCUSDT' });
    expect(shapeDiff(price.result, docs.tickerPrice)).toEqual([]);
    // A trade to look up (the maker's book, the engine's own account).
    t.engine.placeOrder('maker', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'MARKET',
      quantity: new Decimal('0.001'),
    });
    const historical = await call<unknown[]>(socket, 'trades.historical', {
      symbol: 'BTCUSDT',
      fromId: 0,
      limit: 3,
    });
    expect(historical.result?.length).toBeGreaterThan(0);
    const restHistorical = await t.public.get('/api/v3/historicalTrades', {
      symbol: 'BTCUSDT',
      fromId: 0,
      limit: 3,
    });
    expect([historical.status, historical.result]).toEqual([200, restHistorical.body]);
  });

  it('answers errors as {id, status, error:{code,msg}} with rateLimits', async () => {
    const socket = await connect();
    const bad = await call(socket, 'depth', { symbol: 'NOPE' });
    expect([bad.status, bad.error]).toEqual([400, { code: -1121, msg: 'Invalid symbol.' }]);
    expect(bad.rateLimits).toHaveLength(1);
    const unknown = await call(socket, 'orders.teleport');
    expect(unknown.error?.code).toBe(-1020);
    const from = socket.received.length;
    socket.send('{"id":');
    const invalid = await socket.next<Envelope>((json) => json.status === 400, { from });
    expect([invalid.id, invalid.error?.code]).toEqual([null, -1135]);
  });
});

describe('signed requests', () => {
  it('places an order with an HMAC signature over the sorted params, with ORDERS in rateLimits', async () => {
    const socket = await connect();
    const placed = await call<{ status: string; orderId: number }>(
      socket,
      'order.place',
      hmacSigned(LIMIT_BUY),
    );
    expect(placed.status).toBe(200);
    expect(shapeDiff(placed.result, docs.orderFull)).toEqual([]);
    expect(placed.rateLimits?.map((l) => `${l.rateLimitType} ${l.intervalNum} ${l.interval}`)).toEqual([
      'ORDERS 10 SECOND',
      'ORDERS 1 DAY',
      'REQUEST_WEIGHT 1 MINUTE',
    ]);
    const status = await call<{ orderId: number }>(
      socket,
      'order.status',
      hmacSigned({ symbol: 'BTCUSDT', orderId: placed.result!.orderId }),
    );
    expect(status.result?.orderId).toBe(placed.result!.orderId);
    const open = await call<unknown[]>(socket, 'openOrders.status', hmacSigned({ symbol: 'BTCUSDT' }));
    expect(open.result).toHaveLength(1);
    const cancel = await call<{ status: string }>(
      socket,
      'order.cancel',
      hmacSigned({ symbol: 'BTCUSDT', orderId: placed.result!.orderId }),
    );
    expect(cancel.result?.status).toBe('CANCELED');
    const account = await call(socket, 'account.status', hmacSigned({}));
    expect(shapeDiff(account.result, docs.account)).toEqual([]);
  });

  it('rejects a tampered parameter (-1022) and a stale timestamp (-1021)', async () => {
    const socket = await connect();
    const signed = hmacSigned(LIMIT_BUY);
    const tampered = await call(socket, 'order.place', { ...signed, price: '49000' });
    expect([tampered.status, tampered.error]).toEqual([
      400,
      { code: -1022, msg: 'Signature for this request is not valid.' },
    ]);
    const stale = await call(
      socket,
      'order.place',
      hmacSigned({ ...LIMIT_BUY, timestamp: Date.now() - 10_000 }),
    );
    expect(stale.error).toEqual({
      code: -1021,
      msg: 'Timestamp for this request is outside of the recvWindow.',
    });
    expect(t.fake.handle.orders('alice')).toHaveLength(0);
  });
});

describe('session logon', () => {
  it('logs on with Ed25519, then signs nothing but still sends timestamps', async () => {
    const socket = await connect();
    const logon = await call<Record<string, unknown>>(socket, 'session.logon', edSigned({}));
    expect(logon.status).toBe(200);
    expect(Object.keys(logon.result!).sort()).toEqual([
      'apiKey',
      'authorizedSince',
      'connectedSince',
      'returnRateLimits',
      'serverTime',
      'userDataStream',
    ]);
    expect(logon.result!.apiKey).toBe(ED_KEY);
    const placed = await call<{ status: string }>(socket, 'order.place', {
      ...LIMIT_BUY,
      timestamp: Date.now(),
    });
    expect(placed.result?.status).toBe('NEW');
    expect(t.fake.handle.orders('ed')).toHaveLength(1);
    const noTimestamp = await call(socket, 'account.status', {});
    expect(noTimestamp.error?.code).toBe(-1102);
    const status = await call<Record<string, unknown>>(socket, 'session.status');
    expect(status.result?.apiKey).toBe(ED_KEY);
    const logout = await call<Record<string, unknown>>(socket, 'session.logout');
    expect(logout.result?.apiKey).toBeNull();
    const after = await call(socket, 'account.status', { timestamp: Date.now() });
    expect(after.error?.code).toBe(-1102);
  });

  it('refuses to log on with an HMAC key (-1022)', async () => {
    const socket = await connect();
    const logon = await call(socket, 'session.logon', hmacSigned({}));
    expect(logon.error).toEqual({ code: -1022, msg: 'Signature for this request is not valid.' });
  });
});

describe('user data stream', () => {
  type Wrapped = { subscriptionId: number; event: Record<string, unknown> & { e: string } };

  it('subscribes after logon and delivers executionReport and outboundAccountPosition', async () => {
    const socket = await connect();
    const refused = await call(socket, 'userDataStream.subscribe');
    expect([refused.status, refused.error?.code]).toEqual([401, -1002]);
    await call(socket, 'session.logon', edSigned({}));
    const subscribed = await call<{ subscriptionId: number }>(socket, 'userDataStream.subscribe');
    expect(subscribed.result).toEqual({ subscriptionId: 0 });
    const twice = await call(socket, 'userDataStream.subscribe');
    expect(twice.error).toEqual({ code: -2035, msg: 'User Data Stream subscription already active.' });

    const from = socket.received.length;
    await t.ed.signed('POST', '/api/v3/order', { ...LIMIT_BUY });
    const report = await socket.next<Wrapped>((json) => json.event?.e === 'executionReport', { from });
    expect(Object.keys(report).sort()).toEqual(['event', 'subscriptionId']);
    expect(report.subscriptionId).toBe(0);
    // `v` (prevented match id) is in the docs' example but sent only for an order expired by STP.
    expect(shapeDiff(report.event, docs.executionReport, ['$.v'])).toEqual([]);
    expect([report.event.x, report.event.X]).toEqual(['NEW', 'NEW']);
    const position = await socket.next<Wrapped>((json) => json.event?.e === 'outboundAccountPosition', {
      from,
    });
    expect(shapeDiff(position.event, docs.outboundAccountPosition)).toEqual([]);
    // Nothing from other accounts.
    await t.alice.signed('POST', '/api/v3/order', { ...LIMIT_BUY });
    expect(socket.matching<Wrapped>((json) => json.event?.e === 'executionReport')).toHaveLength(1);
  });

  it('delivers balanceUpdate and listStatus, and ends with eventStreamTerminated on unsubscribe', async () => {
    const socket = await connect();
    const subscribed = await call<{ subscriptionId: number }>(
      socket,
      'userDataStream.subscribe.signature',
      hmacSigned({}),
    );
    const id = subscribed.result!.subscriptionId;
    const from = socket.received.length;
    t.engine.adjustBalance('alice', 'USDT', '25');
    const balance = await socket.next<Wrapped>((json) => json.event?.e === 'balanceUpdate', { from });
    expect(balance.subscriptionId).toBe(id);
    expect(shapeDiff(balance.event, docs.balanceUpdate)).toEqual([]);
    await t.alice.signed('POST', '/api/v3/orderList/oco', {
      symbol: 'BTCUSDT',
      side: 'SELL',
      quantity: '0.01',
      aboveType: 'LIMIT_MAKER',
      abovePrice: '65000',
      belowType: 'STOP_LOSS',
      belowStopPrice: '55000',
    });
    const list = await socket.next<Wrapped>((json) => json.event?.e === 'listStatus', { from });
    expect(shapeDiff(list.event, docs.listStatus)).toEqual([]);
    const subscriptions = await call(socket, 'session.subscriptions');
    expect(subscriptions.result).toEqual([{ subscriptionId: id }]);
    const unsubscribed = await call(socket, 'userDataStream.unsubscribe', { subscriptionId: id });
    expect(unsubscribed.result).toEqual({});
    const terminated = await socket.next<Wrapped>((json) => json.event?.e === 'eventStreamTerminated', {
      from,
    });
    expect(terminated).toEqual({
      subscriptionId: id,
      event: { e: 'eventStreamTerminated', E: expect.any(Number) },
    });
    const again = await call(socket, 'userDataStream.unsubscribe', { subscriptionId: id });
    expect(again.error).toEqual({ code: -2036, msg: 'User Data Stream subscription not active.' });
  });

  it("routes an account's events to that account's subscriptions only", async () => {
    const before = t.engine.listenerCounts().accountListeners;
    const [first, second, other] = [await connect(), await connect(), await connect()];
    const ids: number[] = [];
    for (const socket of [first, second]) {
      const subscribed = await call<{ subscriptionId: number }>(
        socket,
        'userDataStream.subscribe.signature',
        hmacSigned({}),
      );
      ids.push(subscribed.result!.subscriptionId);
    }
    await call(other, 'session.logon', edSigned({}));
    await call(other, 'userDataStream.subscribe');
    // One engine listener per subscribed account, none on every account's events.
    const counts = t.engine.listenerCounts();
    expect(counts.accountListeners).toBe(before + 2);
    for (const name of ['execution', 'accountPosition', 'balanceUpdate', 'listStatus'] as const) {
      expect(counts.byEvent[name], name).toBeUndefined();
    }
    const from = [first, second, other].map((socket) => socket.received.length);
    await t.alice.signed('POST', '/api/v3/order', { ...LIMIT_BUY });
    const reports = await Promise.all(
      [first, second].map((socket, i) =>
        socket.next<Wrapped>((json) => json.event?.e === 'executionReport', { from: from[i] }),
      ),
    );
    expect(reports.map((report) => report.subscriptionId)).toEqual(ids);
    await t.ed.signed('POST', '/api/v3/order', { ...LIMIT_BUY });
    await other.next<Wrapped>((json) => json.event?.e === 'executionReport', { from: from[2] });
    // Frames keep their order on a socket: had alice's report been sent here, it would have come first.
    const seen = other.matching<Wrapped>((json) => json.event?.e === 'executionReport');
    expect(seen).toHaveLength(1);
    await Promise.all(sockets.splice(0).map((socket) => socket.close()));
    await waitFor(() => t.engine.listenerCounts().accountListeners === before, {
      timeoutMs: 10_000,
      what: 'the routes of the closed sessions removed',
    });
  });

  it('tells the session when its api key is revoked', async () => {
    const fresh = await startTestExchange();
    try {
      const socket = await TestSocket.open(fresh.fake.wsApiUrl);
      const subscribed = await socket.request<Envelope<{ subscriptionId: number }>>({
        id: 1,
        method: 'userDataStream.subscribe.signature',
        params: hmacSigned({}),
      });
      expect(subscribed.status).toBe(200);
      fresh.fake.handle.revokeApiKey(ALICE_KEY);
      const terminated = await socket.next<Wrapped>((json) => json.event?.e === 'eventStreamTerminated');
      expect(terminated.subscriptionId).toBe(0);
      const unsolicited = await socket.next<Envelope>((json) => json.id === null && json.status === 401);
      expect(unsolicited.error).toEqual({
        code: -2015,
        msg: 'Invalid API-key, IP, or permissions for action.',
      });
      const refused = await fresh.alice.signed('GET', '/api/v3/account');
      expect(refused.status).toBe(401);
      await socket.close();
    } finally {
      await fresh.close();
    }
  });
});

describe('WebSocket API rate limits', () => {
  it('answers 429 with data.retryAfter, then 418 and disconnects', async () => {
    const limited = await startTestExchange({ limits: { requestWeight: 10, requestsAfter429BeforeBan: 0 } });
    try {
      // Connecting costs 2; four 2-weight requests bring the IP to 10.
      const socket = await TestSocket.open(limited.fake.wsApiUrl);
      for (let i = 0; i < 4; i++) {
        expect(
          (await socket.request<Envelope>({ id: i, method: 'avgPrice', params: { symbol: 'BTCUSDT' } }))
            .status,
        ).toBe(200);
      }
      const limitedAnswer = await socket.request<Envelope>({ id: 'x', method: 'ping' });
      expect(limitedAnswer.status).toBe(429);
      expect(limitedAnswer.error?.code).toBe(-1003);
      expect(Object.keys(limitedAnswer.error?.data ?? {}).sort()).toEqual(['retryAfter', 'serverTime']);
      const banned = await socket.request<Envelope>({ id: 'y', method: 'ping' });
      expect(banned.status).toBe(418);
      expect(banned.error?.msg).toMatch(/^Way too much request weight used; IP banned until \d+\./);
      await socket.waitForClose();
      expect(await TestSocket.refused(limited.fake.wsApiUrl)).toBe(418);
    } finally {
      await limited.close();
    }
  });
});
