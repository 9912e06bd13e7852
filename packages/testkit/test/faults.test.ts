import { Decimal } from '@venuekit/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ALICE_KEY, ALICE_SECRET, startTestExchange, type TestExchange } from './support/fake';
import { hmacHex, wsPayload } from './support/signing';
import { waitFor } from './support/wait';
import { TestSocket } from './support/ws-client';

// Every fault of the handle, over real sockets: what a client sees when Binance misbehaves.

let t: TestExchange;
const sockets: TestSocket[] = [];

async function stream(path: string): Promise<TestSocket> {
  const socket = await TestSocket.open(`${t.fake.streamsUrl}${path}`);
  sockets.push(socket);
  return socket;
}

async function wsApi(): Promise<TestSocket> {
  const socket = await TestSocket.open(t.fake.wsApiUrl);
  sockets.push(socket);
  return socket;
}

/** One taker trade; returns its trade id. */
function trade(): number {
  const placed = t.engine.placeOrder('alice', {
    symbol: 'BTCUSDT',
    side: 'BUY',
    type: 'MARKET',
    quantity: new Decimal('0.001'),
  });
  return placed.fills[0]!.tradeId;
}

const tradeIds = (socket: TestSocket) =>
  socket.matching<{ e: string; t: number }>((json) => json.e === 'trade').map((json) => json.t);

beforeAll(async () => {
  t = await startTestExchange({ streamTimings: { slowMs: 40, fastMs: 20, klineMs: 40, kline1sMs: 40 } });
  // Plenty of liquidity for many small trades.
  for (let i = 0; i < 20; i++) {
    t.engine.placeOrder('maker', {
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: new Decimal('1'),
      price: new Decimal(60010 + i),
    });
  }
});

afterEach(async () => {
  t.fake.handle.faults.clear();
  t.fake.handle.faults.skewClock(0);
  await Promise.all(sockets.splice(0).map((socket) => socket.close()));
});

afterAll(async () => {
  await t.close();
});

describe('connection faults', () => {
  it('closes a connection with a given code and reason', async () => {
    const socket = await stream('/ws/btcusdt@trade');
    const [info] = t.fake.handle.connections('streams');
    expect(t.fake.handle.faults.closeConnection(info!.id, 4000, 'scripted close')).toBe(1);
    expect(await socket.waitForClose()).toEqual({ code: 4000, reason: 'scripted close' });
  });

  it('drops a connection without a close frame', async () => {
    const socket = await stream('/ws/btcusdt@trade');
    expect(t.fake.handle.faults.dropConnection({ kind: 'streams' })).toBe(1);
    expect((await socket.waitForClose()).code).toBe(1006);
  });

  it('goes silent without closing: no data, no pongs, until resumed', async () => {
    const socket = await stream('/ws/btcusdt@trade');
    const pongs: string[] = [];
    socket.socket.on('pong', (data) => pongs.push(data.toString()));
    t.fake.handle.faults.silence({ stream: 'btcusdt@trade' });
    expect(t.fake.handle.connections('streams')[0]!.silent).toBe(true);
    const missed = trade();
    socket.socket.ping('while-silent');
    await waitFor(() => t.fake.handle.connections('streams')[0]!.framesReceived === 1, {
      what: 'the ping to arrive',
    });
    t.fake.handle.faults.resume('all');
    const seen = trade();
    socket.socket.ping('after-resume');
    await socket.next<{ t: number }>((json) => json.t === seen);
    await waitFor(() => pongs.includes('after-resume'), { what: 'the pong after resume' });
    expect(tradeIds(socket)).not.toContain(missed);
    expect(pongs).toEqual(['after-resume']);
    expect(socket.closed).toBeUndefined();
  });

  it('ends a connection as at its maximum lifetime', async () => {
    const socket = await stream('/ws');
    t.fake.handle.faults.expireConnection({ kind: 'streams' });
    expect(await socket.waitForClose()).toEqual({ code: 1001, reason: 'Connection lifetime exceeded' });
  });

  it('sends a malformed frame', async () => {
    const socket = await stream('/ws/btcusdt@trade');
    expect(t.fake.handle.faults.sendMalformed({ kind: 'streams' })).toBe(1);
    const [frame] = await socket.waitForFrames(1);
    expect(() => JSON.parse(frame!.text)).toThrow();
  });

  it('announces serverShutdown on streams (raw and combined) and the WebSocket API, then closes', async () => {
    const raw = await stream('/ws/btcusdt@trade');
    const combined = await stream('/stream?streams=btcusdt@trade');
    const api = await wsApi();
    t.fake.handle.faults.serverShutdown({ closeAfterMs: 50 });
    expect(await raw.next((json) => json.e === 'serverShutdown')).toEqual({
      e: 'serverShutdown',
      E: expect.any(Number),
    });
    expect(await combined.next((json) => json.stream === '!serverShutdown')).toEqual({
      stream: '!serverShutdown',
      data: { e: 'serverShutdown', E: expect.any(Number) },
    });
    expect(await api.next((json) => 'event' in json)).toEqual({
      event: { e: 'serverShutdown', E: expect.any(Number) },
    });
    for (const socket of [raw, combined, api]) expect((await socket.waitForClose()).code).toBe(1001);
  });
});

describe('message faults', () => {
  it('drops the next message of a stream', async () => {
    const socket = await stream('/ws/btcusdt@trade');
    const fault = t.fake.handle.faults.messages({ stream: 'btcusdt@trade', action: { type: 'drop' } });
    const dropped = trade();
    const kept = trade();
    await socket.next<{ t: number }>((json) => json.t === kept);
    expect(tradeIds(socket)).toEqual([kept]);
    expect([fault.hits, fault.active, dropped < kept]).toEqual([1, false, true]);
  });

  it('duplicates, delays and reorders messages', async () => {
    const socket = await stream('/ws/btcusdt@trade');
    t.fake.handle.faults.messages({ kind: 'streams', action: { type: 'duplicate' } });
    const a = trade();
    await socket.next<{ t: number }>((json) => json.t === a);
    t.fake.handle.faults.messages({ kind: 'streams', action: { type: 'reorder' } });
    const b = trade();
    const c = trade();
    await socket.next<{ t: number }>((json) => json.t === b);
    const delay = t.fake.handle.faults.messages({ kind: 'streams', action: { type: 'delay', ms: 150 } });
    const d = trade();
    const e = trade();
    await socket.next<{ t: number }>((json) => json.t === d);
    expect(delay.hits).toBe(1);
    expect(tradeIds(socket)).toEqual([a, a, c, b, e, d]);
  });

  it('corrupts a message into an unparsable frame', async () => {
    const socket = await stream('/ws/btcusdt@trade');
    t.fake.handle.faults.messages({ stream: /@trade$/, action: { type: 'corrupt' } });
    trade();
    const next = trade();
    await socket.next<{ t: number }>((json) => json.t === next);
    expect(socket.received).toHaveLength(2);
    expect(socket.received[0]!.json).toBeUndefined();
  });

  it('opens a sequence gap in the diff depth stream', async () => {
    const socket = await stream('/ws/btcusdt@depth@100ms');
    // The client's snapshot, taken after subscribing (web-socket-streams.md "How to manage a local order book").
    const snapshot = await t.public.get<{ lastUpdateId: number }>('/api/v3/depth', {
      symbol: 'BTCUSDT',
      limit: 10,
    });
    const gap = t.fake.handle.faults.depthGap('BTCUSDT');
    trade();
    await gap.whenHit();
    trade();
    const first = await socket.next<{ e: string; U: number; u: number }>((json) => json.e === 'depthUpdate');
    // The ids right after the snapshot never arrive: U > lastUpdateId + 1, the resync condition.
    expect(first.U).toBeGreaterThan(snapshot.body.lastUpdateId + 1);
    trade();
    const second = await socket.next<{ e: string; U: number }>(
      (json) => json.e === 'depthUpdate' && json.U > first.u,
    );
    // After the gap the pushes are contiguous again.
    expect(second.U).toBe(first.u + 1);
  });
});

describe('request faults', () => {
  const order = (clientOrderId: string, signal?: AbortSignal) => {
    const params = new URLSearchParams({
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.001',
      price: '50000',
      newClientOrderId: clientOrderId,
      timestamp: String(Date.now()),
    }).toString();
    return fetch(`${t.fake.restUrl}/api/v3/order`, {
      method: 'POST',
      headers: { 'X-MBX-APIKEY': ALICE_KEY, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `${params}&signature=${hmacHex(ALICE_SECRET, params)}`,
      ...(signal && { signal }),
    });
  };
  const exists = (clientOrderId: string) =>
    t.fake.handle.orders('alice').some((o) => o.clientOrderId === clientOrderId);

  afterEach(() => {
    if (t.fake.handle.orders('alice').length > 0) t.engine.cancelOpenOrders('alice', undefined);
  });

  it('answers 5xx, 429 and 418 without executing, for the next N requests of one endpoint', async () => {
    const fault = t.fake.handle.faults.failRequests({
      endpoint: 'POST /api/v3/order',
      times: 2,
      action: { type: 'error', status: 503 },
    });
    const ping = await t.public.get('/api/v3/ping');
    expect(ping.status).toBe(200);
    const first = await order('f-503-a');
    expect([first.status, await first.json()]).toEqual([
      503,
      {
        code: -1008,
        msg: 'Server is currently overloaded with other requests. Please try again in a few minutes.',
      },
    ]);
    expect((await order('f-503-b')).status).toBe(503);
    expect((await order('f-503-c')).status).toBe(200);
    expect(fault.hits).toBe(2);
    expect([exists('f-503-a'), exists('f-503-b'), exists('f-503-c')]).toEqual([false, false, true]);

    t.fake.handle.faults.failRequests({
      endpoint: '/api/v3/ping',
      action: { type: 'error', status: 429, retryAfterSeconds: 7 },
    });
    const limited = await t.public.get('/api/v3/ping');
    expect([
      limited.status,
      limited.headers.get('retry-after'),
      (limited.body as { code: number }).code,
    ]).toEqual([429, '7', -1003]);
    t.fake.handle.faults.failRequests({ transport: 'rest', action: { type: 'error', status: 418 } });
    const banned = await t.public.get('/api/v3/time');
    expect([banned.status, banned.headers.get('retry-after')]).toEqual([418, '120']);
  });

  it('accepts an order, then answers -1007 (execution status unknown)', async () => {
    t.fake.handle.faults.failRequests({ endpoint: 'POST /api/v3/order', action: { type: 'unknownOutcome' } });
    const answer = await order('f-unknown');
    expect([answer.status, await answer.json()]).toEqual([
      503,
      {
        code: -1007,
        msg: 'Timeout waiting for response from backend server. Send status unknown; execution status unknown.',
      },
    ]);
    // It went through: a client that reconciles finds it.
    expect(exists('f-unknown')).toBe(true);
    const query = await t.alice.signed<{ status: string }>('GET', '/api/v3/order', {
      symbol: 'BTCUSDT',
      origClientOrderId: 'f-unknown',
    });
    expect(query.body.status).toBe('NEW');
  });

  it('accepts an order, then never answers, or drops the connection', async () => {
    t.fake.handle.faults.failRequests({ endpoint: 'POST /api/v3/order', action: { type: 'noResponse' } });
    await expect(order('f-silent', AbortSignal.timeout(300))).rejects.toThrow();
    expect(exists('f-silent')).toBe(true);
    t.fake.handle.faults.failRequests({ endpoint: 'POST /api/v3/order', action: { type: 'dropConnection' } });
    await expect(order('f-dropped')).rejects.toThrow();
    expect(exists('f-dropped')).toBe(true);
    t.fake.handle.faults.failRequests({
      endpoint: 'POST /api/v3/order',
      action: { type: 'dropConnection', execute: false },
    });
    await expect(order('f-not-sent')).rejects.toThrow();
    expect(exists('f-not-sent')).toBe(false);
  });

  it('accepts an order, then answers with a chosen body', async () => {
    t.fake.handle.faults.failRequests({
      endpoint: 'POST /api/v3/order',
      action: { type: 'answer', result: { orderId: 'broken' } },
    });
    const answer = await order('f-answer');
    expect([answer.status, await answer.json()]).toEqual([200, { orderId: 'broken' }]);
    expect(exists('f-answer')).toBe(true);
    t.fake.handle.faults.failRequests({
      endpoint: 'POST /api/v3/order',
      action: { type: 'answer', result: undefined },
    });
    const empty = await order('f-empty');
    expect([empty.status, await empty.text()]).toEqual([200, '']);
    expect(exists('f-empty')).toBe(true);
  });

  it('delays an answer', async () => {
    t.fake.handle.faults.failRequests({ endpoint: '/api/v3/time', action: { type: 'delay', ms: 200 } });
    const started = Date.now();
    const answer = await t.public.get('/api/v3/time');
    expect(answer.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('does the same to WebSocket API requests', async () => {
    const socket = await wsApi();
    const signed = (clientOrderId: string) => {
      const params = {
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'LIMIT',
        timeInForce: 'GTC',
        quantity: '0.001',
        price: '50000',
        newClientOrderId: clientOrderId,
        apiKey: ALICE_KEY,
        timestamp: Date.now(),
      };
      return { ...params, signature: hmacHex(ALICE_SECRET, wsPayload(params)) };
    };
    t.fake.handle.faults.failRequests({
      transport: 'wsApi',
      endpoint: 'order.place',
      action: { type: 'unknownOutcome' },
    });
    const unknown = await socket.request<{ status: number; error: { code: number } }>({
      id: 1,
      method: 'order.place',
      params: signed('ws-unknown'),
    });
    expect([unknown.status, unknown.error.code]).toEqual([503, -1007]);
    expect(exists('ws-unknown')).toBe(true);

    const silent = t.fake.handle.faults.failRequests({
      endpoint: 'order.place',
      action: { type: 'noResponse' },
    });
    socket.send({ id: 2, method: 'order.place', params: signed('ws-silent') });
    await silent.whenHit();
    expect(await socket.request({ id: 3, method: 'ping', params: { returnRateLimits: false } })).toEqual({
      id: 3,
      status: 200,
      result: {},
    });
    expect(socket.matching((json) => json.id === 2)).toEqual([]);
    expect(exists('ws-silent')).toBe(true);

    t.fake.handle.faults.failRequests({
      endpoint: 'order.place',
      action: { type: 'answer', result: [{ orderId: -1 }] },
    });
    expect(await socket.request({ id: 5, method: 'order.place', params: signed('ws-answer') })).toMatchObject(
      {
        id: 5,
        status: 200,
        result: [{ orderId: -1 }],
      },
    );
    expect(exists('ws-answer')).toBe(true);

    t.fake.handle.faults.failRequests({ endpoint: 'order.place', action: { type: 'dropConnection' } });
    socket.send({ id: 4, method: 'order.place', params: signed('ws-dropped') });
    expect((await socket.waitForClose()).code).toBe(1006);
    expect(exists('ws-dropped')).toBe(true);
  });
});

describe('bans', () => {
  it('bans the IP: REST answers 418 with the ban end, the WebSocket API refuses to connect', async () => {
    t.fake.handle.faults.ban(120_000);
    try {
      const banned = await t.public.get<{ code: number; msg: string }>('/api/v3/ping');
      expect([banned.status, banned.body.code, banned.headers.get('retry-after')]).toEqual([
        418,
        -1003,
        '120',
      ]);
      expect(banned.body.msg).toMatch(/^Way too much request weight used; IP banned until \d+\./);
      expect(await TestSocket.refused(t.fake.wsApiUrl)).toBe(418);
    } finally {
      t.fake.handle.faults.resetRateLimits();
    }
    expect((await t.public.get('/api/v3/ping')).status).toBe(200);
  });
});

describe('clock skew', () => {
  it('moves the server time and with it the recvWindow check', async () => {
    t.fake.handle.faults.skewClock(-10_000);
    const time = await t.public.get<{ serverTime: number }>('/api/v3/time');
    expect(Date.now() - time.body.serverTime).toBeGreaterThan(9000);
    const ahead = await t.alice.signed('GET', '/api/v3/account');
    expect(ahead.body).toEqual({
      code: -1021,
      msg: "Timestamp for this request was 1000ms ahead of the server's time.",
    });
    t.fake.handle.faults.skewClock(10_000);
    const behind = await t.alice.signed('GET', '/api/v3/account');
    expect(behind.body).toEqual({
      code: -1021,
      msg: 'Timestamp for this request is outside of the recvWindow.',
    });
    // A client that syncs to serverTime is fine again.
    const synced = await t.alice.signed('GET', '/api/v3/account', { timestamp: t.fake.handle.clock.now() });
    expect(synced.status).toBe(200);
  });
});
