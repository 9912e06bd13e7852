import { Decimal } from '@venuekit/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as docs from '../src/docs-examples';
import { startTestExchange, type TestExchange } from './support/fake';
import { shapeDiff } from './support/shape';
import { TestSocket } from './support/ws-client';

// Market streams over real sockets (web-socket-streams.md): URL forms, live control messages and
// their errors, every stream's payload against the docs' example, and the connection rules.

const FAST = { slowMs: 40, fastMs: 20, klineMs: 40, kline1sMs: 40 };

let t: TestExchange;
const sockets: TestSocket[] = [];

async function open(path: string, options?: { autoPong?: boolean }): Promise<TestSocket> {
  const socket = await TestSocket.open(`${t.fake.streamsUrl}${path}`, options);
  sockets.push(socket);
  return socket;
}

/** A taker trade against the maker's book: trades, aggTrades, depth, bookTicker, tickers, klines. */
function trade(side: 'BUY' | 'SELL' = 'BUY', quantity = '0.01'): void {
  t.engine.placeOrder('alice', { symbol: 'BTCUSDT', side, type: 'MARKET', quantity: new Decimal(quantity) });
}

beforeAll(async () => {
  t = await startTestExchange({ streamTimings: FAST });
});

afterEach(async () => {
  await Promise.all(sockets.splice(0).map((socket) => socket.close()));
});

afterAll(async () => {
  await t.close();
});

describe('stream URLs', () => {
  it('raw /ws/<stream> sends bare payloads', async () => {
    const socket = await open('/ws/btcusdt@trade');
    trade();
    const event = await socket.next<{ e: string }>((json) => json.e === 'trade');
    expect(shapeDiff(event, docs.tradeEvent, ['$.b', '$.a'])).toEqual([]);
  });

  it('combined /stream?streams=a/b wraps payloads as {stream, data}', async () => {
    const socket = await open('/stream?streams=btcusdt@trade/btcusdt@aggTrade');
    trade();
    const wrapped = await socket.next<{ stream: string; data: unknown }>(
      (json) => json.stream === 'btcusdt@aggTrade',
    );
    expect(Object.keys(wrapped).sort()).toEqual(['data', 'stream']);
    expect(shapeDiff(wrapped.data, docs.aggTradeEvent)).toEqual([]);
    await socket.next<{ stream: string }>((json) => json.stream === 'btcusdt@trade');
  });

  it('refuses a handshake to an unknown path or stream', async () => {
    expect(await TestSocket.refused(`${t.fake.streamsUrl}/nope`)).toBe(404);
    expect(await TestSocket.refused(`${t.fake.streamsUrl}/ws/btcusdt@nonsense`)).toBe(400);
  });
});

describe('live control messages', () => {
  it('SUBSCRIBE, LIST_SUBSCRIPTIONS, UNSUBSCRIBE on a bare /ws', async () => {
    const socket = await open('/ws');
    expect(
      await socket.request({ method: 'SUBSCRIBE', params: ['btcusdt@aggTrade', 'btcusdt@depth'], id: 1 }),
    ).toEqual({
      result: null,
      id: 1,
    });
    expect(await socket.request({ method: 'LIST_SUBSCRIPTIONS', id: 3 })).toEqual({
      result: ['btcusdt@aggTrade', 'btcusdt@depth'],
      id: 3,
    });
    expect(await socket.request({ method: 'UNSUBSCRIBE', params: ['btcusdt@depth'], id: 312 })).toEqual({
      result: null,
      id: 312,
    });
    expect(await socket.request({ method: 'LIST_SUBSCRIPTIONS', id: 'abc-1' })).toEqual({
      result: ['btcusdt@aggTrade'],
      id: 'abc-1',
    });
    trade();
    const event = await socket.next<{ e: string }>((json) => json.e === 'aggTrade');
    expect(event).not.toHaveProperty('stream');
  });

  it('SET_PROPERTY / GET_PROPERTY combined switches the wrapping', async () => {
    const socket = await open('/ws/btcusdt@trade');
    expect(await socket.request({ method: 'GET_PROPERTY', params: ['combined'], id: 2 })).toEqual({
      result: false,
      id: 2,
    });
    expect(await socket.request({ method: 'SET_PROPERTY', params: ['combined', true], id: 5 })).toEqual({
      result: null,
      id: 5,
    });
    expect(await socket.request({ method: 'GET_PROPERTY', params: ['combined'], id: 6 })).toEqual({
      result: true,
      id: 6,
    });
    trade();
    await socket.next<{ stream?: string }>((json) => json.stream === 'btcusdt@trade');
  });

  it('answers bad control messages with the wrapped error form', async () => {
    const socket = await open('/ws');
    const from = socket.received.length;
    socket.send('{not json');
    const invalid = await socket.next<{ error: { code: number; msg: string }; id: null }>(
      (json) => 'error' in json,
      { from },
    );
    expect(invalid.error.code).toBe(3);
    expect(invalid.error.msg).toMatch(/^Invalid JSON: expected value at line \d+ column \d+$/);
    expect(invalid.id).toBeNull();
    expect(await socket.request({ method: 'SUBSCRIPTION', params: [], id: 7 })).toEqual({
      error: {
        code: 2,
        msg: 'Invalid request: unknown variant `SUBSCRIPTION`, expected one of `SUBSCRIBE`, `UNSUBSCRIBE`, `LIST_SUBSCRIPTIONS`, `SET_PROPERTY`, `GET_PROPERTY` at line 1 column 28',
      },
      id: 7,
    });
    // A fresh connection for the next messages: at most 5 incoming messages per second.
    const second = await open('/ws');
    expect(await second.request({ method: 'SET_PROPERTY', params: ['wrapped', true], id: 8 })).toEqual({
      error: { code: 0, msg: 'Unknown property' },
      id: 8,
    });
    expect(await second.request({ method: 'SET_PROPERTY', params: ['combined', 'yes'], id: 9 })).toEqual({
      error: { code: 1, msg: 'Invalid value type: expected Boolean' },
      id: 9,
    });
    expect(await second.request({ method: 'GET_PROPERTY', params: [7], id: 10 })).toEqual({
      error: { code: 2, msg: 'Invalid request: property name must be a string' },
      id: 10,
    });
    expect(await second.request({ method: 'SUBSCRIBE', params: ['btcusdt@nonsense'], id: 11 })).toEqual({
      error: { code: 2, msg: 'Invalid request: invalid stream' },
      id: 11,
    });
    const third = await open('/ws');
    third.send({ method: 'LIST_SUBSCRIPTIONS', id: { nested: true } });
    expect(await third.next((json) => 'error' in json)).toEqual({
      error: { code: 2, msg: 'Invalid request: request ID must be an unsigned integer' },
      id: null,
    });
  });
});

describe('stream payloads, against the docs', () => {
  it('every stream kind arrives in its documented shape', async () => {
    const names = [
      'btcusdt@kline_1m',
      'btcusdt@ticker',
      'btcusdt@miniTicker',
      'btcusdt@bookTicker',
      'btcusdt@depth5',
      'btcusdt@depth10@100ms',
      'btcusdt@depth',
      'btcusdt@depth@100ms',
      'btcusdt@avgPrice',
    ];
    const socket = await open(`/stream?streams=${names.join('/')}`);
    trade('BUY');
    trade('SELL');
    const data = async (stream: string) =>
      (await socket.next<{ stream: string; data: unknown }>((json) => json.stream === stream)).data;
    expect(shapeDiff(await data('btcusdt@kline_1m'), docs.klineEvent)).toEqual([]);
    expect(shapeDiff(await data('btcusdt@ticker'), docs.tickerEvent)).toEqual([]);
    expect(shapeDiff(await data('btcusdt@miniTicker'), docs.miniTickerEvent)).toEqual([]);
    expect(shapeDiff(await data('btcusdt@bookTicker'), docs.bookTickerEvent)).toEqual([]);
    const depth5 = (await data('btcusdt@depth5')) as { bids: unknown[] };
    expect(shapeDiff(depth5, docs.partialDepthEvent)).toEqual([]);
    expect(depth5.bids.length).toBeLessThanOrEqual(5);
    expect(shapeDiff(await data('btcusdt@depth10@100ms'), docs.partialDepthEvent)).toEqual([]);
    expect(shapeDiff(await data('btcusdt@depth'), docs.depthUpdateEvent)).toEqual([]);
    expect(shapeDiff(await data('btcusdt@depth@100ms'), docs.depthUpdateEvent)).toEqual([]);
    // web-socket-streams.md "Average Price".
    expect(
      shapeDiff(await data('btcusdt@avgPrice'), {
        e: 'avgPrice',
        E: 1693907033000,
        s: 'BTCUSDT',
        i: '5m',
        w: '25776.86000000',
        T: 1693907032213,
      }),
    ).toEqual([]);
  });
});

describe('partial depth', () => {
  it('is pushed every interval, even when the book did not change', async () => {
    const socket = await open('/ws/btcusdt@depth5@100ms');
    const snapshots = await socket.next<{ lastUpdateId: number }>(
      () => socket.matching((json) => 'lastUpdateId' in json).length >= 3,
    );
    const pushed = socket.matching<{ lastUpdateId: number; bids: unknown[] }>(
      (json) => 'lastUpdateId' in json,
    );
    expect(snapshots).toBeDefined();
    expect(new Set(pushed.map((p) => p.lastUpdateId)).size).toBe(1);
    expect(pushed[0]!.bids).toHaveLength(5);
  });
});

describe('connection rules', () => {
  it('closes with 1008 "Too many requests" past 5 incoming messages per second', async () => {
    const socket = await open('/ws');
    for (let i = 0; i < 6; i++) socket.send({ method: 'LIST_SUBSCRIPTIONS', id: i });
    expect(await socket.waitForClose()).toEqual({ code: 1008, reason: 'Too many requests' });
  });

  it('counts ping frames against the limit too', async () => {
    const socket = await open('/ws');
    for (let i = 0; i < 6; i++) socket.socket.ping();
    expect((await socket.waitForClose()).code).toBe(1008);
  });
});

describe('connection rules with shrunken limits', () => {
  let small: TestExchange;
  const mine: TestSocket[] = [];
  const openSmall = async (path: string, options?: { autoPong?: boolean }) => {
    const socket = await TestSocket.open(`${small.fake.streamsUrl}${path}`, options);
    mine.push(socket);
    return socket;
  };

  beforeAll(async () => {
    small = await startTestExchange({
      limits: {
        maxStreamsPerConnection: 3,
        // 4 pings (and so 4 pongs) a second stays under the 5 incoming messages per second.
        pingIntervalMs: 250,
        pongTimeoutMs: 400,
        maxConnectionLifetimeMs: 1500,
        connectionAttempts: 1000,
      },
    });
  });

  afterEach(async () => {
    await Promise.all(mine.splice(0).map((socket) => socket.close()));
  });

  afterAll(async () => {
    await small.close();
  });

  it('refuses more streams than the per-connection limit', async () => {
    const socket = await openSmall('/ws');
    expect(
      await socket.request({
        method: 'SUBSCRIBE',
        params: ['btcusdt@trade', 'btcusdt@aggTrade', 'btcusdt@depth'],
        id: 1,
      }),
    ).toEqual({ result: null, id: 1 });
    expect(await socket.request({ method: 'SUBSCRIBE', params: ['btcusdt@ticker'], id: 2 })).toEqual({
      error: { code: 4, msg: 'Too many subscriptions' },
      id: 2,
    });
    expect(
      await TestSocket.refused(`${small.fake.streamsUrl}/stream?streams=a@trade/b@trade/c@trade/d@trade`),
    ).toBe(400);
  });

  it('pings, and drops a connection that does not answer within the pong deadline', async () => {
    const socket = await openSmall('/ws', { autoPong: false });
    const ping = await socket.waitForPing();
    expect(ping.length).toBeGreaterThan(0);
    // Unsolicited pongs (not the ping's payload) do not count.
    socket.socket.pong(Buffer.from('unsolicited'));
    const closed = await socket.waitForClose();
    expect(closed.code).toBe(1006);
  });

  it('keeps a connection that answers its pings', async () => {
    const socket = await openSmall('/ws');
    await socket.waitForPing(4);
    // Past the pong deadline of the first ping, and still open.
    expect(socket.closed).toBeUndefined();
    expect(await socket.request({ method: 'LIST_SUBSCRIPTIONS', id: 1 })).toEqual({ result: [], id: 1 });
  });

  it('ends a connection at its maximum lifetime', async () => {
    const socket = await openSmall('/ws');
    const opened = Date.now();
    expect(await socket.waitForClose()).toEqual({ code: 1001, reason: 'Connection lifetime exceeded' });
    expect(Date.now() - opened).toBeGreaterThanOrEqual(1400);
  });
});

describe('connection attempts per IP', () => {
  it('refuses handshakes past the limit with HTTP 429', async () => {
    const limited = await startTestExchange({ limits: { connectionAttempts: 2 } });
    try {
      const a = await TestSocket.open(`${limited.fake.streamsUrl}/ws`);
      const b = await TestSocket.open(`${limited.fake.streamsUrl}/ws`);
      expect(await TestSocket.refused(`${limited.fake.streamsUrl}/ws`)).toBe(429);
      await Promise.all([a.close(), b.close()]);
    } finally {
      await limited.close();
    }
  });
});
