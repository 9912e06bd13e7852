// Each library under test, in this process, against the local server over 127.0.0.1: it must receive
// every message of a burst (or, for a book that conflates, end on the last update) and its book must
// be the server's. This is what makes the side-by-side figures the same work for every library.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BinanceSdkClient } from '../src/clients/binance-sdk';
import { CcxtProClient } from '../src/clients/ccxt-pro';
import { FloorClient } from '../src/clients/floor';
import type { LibraryClient } from '../src/clients/library';
import { Sink } from '../src/clients/sink';
import { VenuekitClient } from '../src/clients/venuekit';
import { type FeedKind, FeedServer } from '../src/server/feed-server';

let server: FeedServer;
let client: LibraryClient | undefined;

beforeEach(async () => {
  server = new FeedServer();
  await server.listen();
});

afterEach(async () => {
  await client?.close();
  client = undefined;
  await server.close();
});

async function primeAndBurst(library: LibraryClient, kind: FeedKind, count: number) {
  client = library;
  const sink = new Sink();
  await library.start(kind, { rest: server.restUrl, streams: server.streamsUrl }, sink);
  await server.waitForSubscriber(kind);
  sink.arm({ fromId: 0, toId: 0, latency: false, capacity: 0 });
  server.startPriming(kind, 2);
  await sink.reached();
  await server.stopPriming();
  const range = server.plan(kind, count);
  sink.arm({ fromId: range.firstId, toId: range.lastId, latency: true, capacity: count });
  const sent = await server.burst(kind, count);
  const reached = await sink.reached();
  expect(sent.messages).toBe(count);
  expect(reached.doneUs).toBeGreaterThanOrEqual(sent.firstSendUs);
  return reached;
}

const libraries: [string, () => LibraryClient, { conflatesBook: boolean; keepsBook: boolean }][] = [
  ['the floor', () => new FloorClient(), { conflatesBook: false, keepsBook: false }],
  ['venuekit', () => new VenuekitClient(), { conflatesBook: false, keepsBook: true }],
  [
    'venuekit, reading values',
    () => new VenuekitClient({ read: true }),
    { conflatesBook: false, keepsBook: true },
  ],
  ['the binance SDK', () => new BinanceSdkClient(), { conflatesBook: false, keepsBook: false }],
  ['ccxt Pro', () => new CcxtProClient(), { conflatesBook: true, keepsBook: true }],
];

describe.each(libraries)('%s against the local server', (_name, create, traits) => {
  it('hands the subscriber every trade of a burst', async () => {
    const reached = await primeAndBurst(create(), 'trades', 2000);
    expect(reached.delivered).toBe(2000);
    expect(reached.latency?.samples).toBe(2000);
    expect(reached.latency?.p50).toBeGreaterThanOrEqual(0);
  });

  it('follows the diff depth stream to its last update', async () => {
    const reached = await primeAndBurst(create(), 'depth', 2000);
    if (traits.conflatesBook) expect(reached.delivered).toBeGreaterThan(0);
    else expect(reached.delivered).toBe(2000);
    const top = client?.top();
    if (!traits.keepsBook) {
      expect(top).toBeUndefined();
      return;
    }
    const truth = server.depth.top();
    expect(top?.lastUpdateId).toBe(truth.lastUpdateId);
    expect(top?.bestBid).toBe(truth.bestBid);
    expect(top?.bestAsk).toBe(truth.bestAsk);
  });
});

describe('the local server', () => {
  it('answers SUBSCRIBE as Binance documents and sends only subscribed streams, in the combined form', async () => {
    const { default: WebSocket } = await import('ws');
    const ws = new WebSocket(`${server.streamsUrl}/stream`);
    const messages: { stream?: string; data?: { t?: number }; result?: unknown; id?: unknown }[] = [];
    ws.on('message', (data: Buffer) => messages.push(JSON.parse(data.toString())));
    await new Promise((resolve) => ws.once('open', resolve));
    ws.send(JSON.stringify({ method: 'SUBSCRIBE', params: ['btcusdt@trade'], id: 7 }));
    await server.waitForSubscriber('trades');
    await server.burst('depth', 10);
    const range = server.plan('trades', 3);
    await server.burst('trades', 3);
    const deadline = Date.now() + 10_000;
    while (messages.length < 4 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect(messages[0]).toEqual({ result: null, id: 7 });
    expect(messages.slice(1).map((m) => [m.stream, m.data?.t])).toEqual([
      ['btcusdt@trade', range.firstId],
      ['btcusdt@trade', range.firstId + 1],
      ['btcusdt@trade', range.lastId],
    ]);
    await new Promise((resolve) => {
      ws.once('close', resolve);
      ws.close();
    });
  });

  it('paces messages at the rate asked', async () => {
    const { default: WebSocket } = await import('ws');
    const ws = new WebSocket(`${server.streamsUrl}/stream?streams=btcusdt@trade`);
    let received = 0;
    ws.on('message', () => received++);
    await new Promise((resolve) => ws.once('open', resolve));
    const sent = await server.paced('trades', 200, 2000);
    // 200 messages at 2000/s take about 100 ms: never less than the schedule allows.
    expect(sent.lastSendUs - sent.firstSendUs).toBeGreaterThanOrEqual(99_000);
    const deadline = Date.now() + 10_000;
    while (received < 200 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(received).toBe(200);
    await new Promise((resolve) => {
      ws.once('close', resolve);
      ws.close();
    });
  });
});
