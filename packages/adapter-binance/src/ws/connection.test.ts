import { createServer, type Server } from 'node:net';
import { ClosedError, ManualClock, telemetry, ValidationError } from '@venuekit/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import {
  ConnectionAttemptBudget,
  type WsCloseEvent,
  WsConnection,
  type WsConnectionOptions,
} from './connection';

// A local WebSocket server stands in for the venue: these tests are about the
// connection's own state machine, so the venue's protocol does not matter here.
interface TestServer {
  url: string;
  wss: WebSocketServer;
  sockets: WebSocket[];
  received: { text: string; at: number }[];
  close(): Promise<void>;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startServer(options: { autoPong?: boolean } = {}): Promise<TestServer> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, autoPong: options.autoPong ?? true });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const address = wss.address();
  if (!address || typeof address === 'string') throw new Error('unexpected address');
  const server: TestServer = {
    url: `ws://127.0.0.1:${address.port}/stream`,
    wss,
    sockets: [],
    received: [],
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of wss.clients) socket.terminate();
        wss.close(() => resolve());
      }),
  };
  wss.on('connection', (socket) => {
    server.sockets.push(socket);
    socket.on('message', (data) => server.received.push({ text: data.toString(), at: Date.now() }));
  });
  cleanups.push(() => server.close());
  return server;
}

function connect(options: Partial<WsConnectionOptions> & Pick<WsConnectionOptions, 'url'>) {
  const events = {
    messages: [] as string[],
    opens: [] as boolean[],
    closes: [] as WsCloseEvent[],
    reconnecting: [] as string[],
    circuitOpen: 0,
    lifetime: 0,
  };
  const connection = new WsConnection({
    kind: 'market',
    ...options,
    handlers: {
      message: (text) => events.messages.push(text),
      open: ({ reconnected }) => events.opens.push(reconnected),
      close: (event) => events.closes.push(event),
      reconnecting: ({ reason }) => events.reconnecting.push(reason),
      circuitOpen: () => {
        events.circuitOpen++;
      },
      lifetimeReached: () => {
        events.lifetime++;
      },
      ...options.handlers,
    },
  });
  cleanups.push(() => connection.close());
  return { connection, events };
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('WsConnection', () => {
  it('opens, delivers text frames and closes cleanly, leaving no timer behind', async () => {
    const server = await startServer();
    const clock = new ManualClock();
    const { connection, events } = connect({ url: server.url, clock });
    connection.start();
    await connection.whenOpen();
    expect(connection.state).toBe('open');
    await waitFor(() => server.sockets.length === 1, 'server socket');
    server.sockets[0]?.send('{"stream":"btcusdt@trade","data":{}}');
    await waitFor(() => events.messages.length === 1, 'a message');
    expect(events.messages[0]).toBe('{"stream":"btcusdt@trade","data":{}}');
    expect(connection.messagesReceived).toBe(1);
    expect(connection.info(['btcusdt@trade']).streams).toEqual(['btcusdt@trade']);

    await connection.close();
    expect(connection.state).toBe('closed');
    expect(clock.pendingTimers).toBe(0);
    expect(events.closes.at(-1)).toMatchObject({ initiatedBy: 'client', willReconnect: false });
    await expect(connection.whenOpen()).rejects.toBeInstanceOf(ClosedError);
  });

  it('answers server pings with their payload', async () => {
    const server = await startServer();
    const { connection } = connect({ url: server.url });
    connection.start();
    await connection.whenOpen();
    await waitFor(() => server.sockets.length === 1, 'server socket');
    const socket = server.sockets[0] as WebSocket;
    const pong = new Promise<string>((resolve) => socket.once('pong', (data) => resolve(data.toString())));
    socket.ping('payload-123');
    expect(await pong).toBe('payload-123');
  });

  it('recycles a silent connection once the silence timeout passes, not before', async () => {
    // The server neither sends data nor answers pings.
    const server = await startServer({ autoPong: false });
    const clock = new ManualClock();
    const { connection, events } = connect({
      url: server.url,
      clock,
      silenceTimeoutMs: 3_000,
      pingIntervalMs: 0,
      backoff: { initialMs: 1, maxMs: 1, jitter: 'none' },
    });
    connection.start();
    await connection.whenOpen();
    await clock.advance(2_999);
    expect(connection.state).toBe('open');
    await clock.advance(1);
    await waitFor(() => events.closes.length === 1, 'the recycle');
    expect(events.closes[0]).toMatchObject({ initiatedBy: 'client', willReconnect: true });
    expect(events.closes[0]?.reason).toMatch(/silence/);
    await clock.advance(1);
    await waitFor(() => events.opens.length === 2, 'the reconnect');
    expect(events.opens).toEqual([false, true]);
    expect(connection.reconnects).toBe(1);
    await waitFor(() => server.sockets.length === 2, 'second server socket');
  });

  it('pings when idle and recycles when the pong does not come', async () => {
    const server = await startServer({ autoPong: false });
    const clock = new ManualClock();
    const { connection, events } = connect({
      url: server.url,
      clock,
      silenceTimeoutMs: 0,
      pingIntervalMs: 1_000,
      pongTimeoutMs: 500,
      backoff: { initialMs: 1, maxMs: 1, jitter: 'none' },
    });
    connection.start();
    await connection.whenOpen();
    await waitFor(() => server.sockets.length === 1, 'server socket');
    const pinged = new Promise<void>((resolve) => server.sockets[0]?.once('ping', () => resolve()));
    await clock.advance(1_000);
    await pinged;
    await clock.advance(499);
    expect(connection.state).toBe('open');
    await clock.advance(1);
    await waitFor(() => events.closes.length === 1, 'the recycle');
    expect(events.closes[0]?.reason).toMatch(/no pong/);
  });

  it('keeps a connection whose pings are answered', async () => {
    const server = await startServer({ autoPong: true });
    const clock = new ManualClock();
    const { connection, events } = connect({
      url: server.url,
      clock,
      silenceTimeoutMs: 0,
      pingIntervalMs: 1_000,
      pongTimeoutMs: 500,
    });
    connection.start();
    await connection.whenOpen();
    await waitFor(() => server.sockets.length === 1, 'server socket');
    let pings = 0;
    server.sockets[0]?.on('ping', () => pings++);
    for (let i = 1; i <= 3; i++) {
      await clock.advance(1_000);
      await waitFor(() => pings === i, `ping ${i}`);
      // let the pong come back before the deadline
      await new Promise((resolve) => setTimeout(resolve, 20));
      await clock.advance(499);
    }
    expect(events.closes).toHaveLength(0);
    expect(connection.state).toBe('open');
  });

  it('reconnects after the server closes, with the reason and who closed it', async () => {
    const server = await startServer();
    const closed = new Promise<unknown>((resolve) => {
      const unsubscribe = telemetry.connectionClosed.subscribe((event) => {
        unsubscribe();
        resolve(event);
      });
    });
    const { connection, events } = connect({ url: server.url, backoff: { initialMs: 10, jitter: 'none' } });
    connection.start();
    await connection.whenOpen();
    await waitFor(() => server.sockets.length === 1, 'server socket');
    server.sockets[0]?.close(1001, 'going away');
    await waitFor(() => events.opens.length === 2, 'the reconnect');
    expect(events.closes[0]).toMatchObject({ code: 1001, reason: 'going away', initiatedBy: 'server' });
    expect(events.reconnecting).toEqual(['going away']);
    expect(await closed).toMatchObject({ connectionId: connection.id, code: 1001, initiatedBy: 'server' });
    expect(connection.info().reconnects).toBe(1);
  });

  it('backs off, opens the circuit after repeated failures and probes again later', async () => {
    // A port nobody listens on: every attempt fails.
    const probe: Server = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
    const address = probe.address();
    if (!address || typeof address === 'string') throw new Error('no port');
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const clock = new ManualClock();
    const { connection, events } = connect({
      url: `ws://127.0.0.1:${address.port}/stream`,
      clock,
      backoff: { initialMs: 100, maxMs: 1_000, jitter: 'none' },
      circuit: { failureThreshold: 3, openMs: 10_000 },
    });
    connection.start();
    await waitFor(() => events.reconnecting.length === 1, 'first failure');
    expect(connection.state).toBe('reconnecting');
    await clock.advance(100);
    await waitFor(() => events.reconnecting.length === 2, 'second failure');
    await clock.advance(200);
    await waitFor(() => events.reconnecting.length === 3, 'third failure');
    expect(connection.circuitState).toBe('open');
    await clock.advance(400);
    await waitFor(() => events.circuitOpen === 1, 'the circuit to hold attempts');
    expect(events.reconnecting).toHaveLength(3);
    await connection.close();
    expect(clock.pendingTimers).toBe(0);
  });

  it('aborts a handshake that never completes', async () => {
    // Accepts TCP but never answers the HTTP upgrade.
    const sockets: import('node:net').Socket[] = [];
    const tcp = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', () => resolve()));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          for (const socket of sockets) socket.destroy();
          tcp.close(() => resolve());
        }),
    );
    const address = tcp.address();
    if (!address || typeof address === 'string') throw new Error('no port');
    const clock = new ManualClock();
    const { connection, events } = connect({
      url: `ws://127.0.0.1:${address.port}/stream`,
      clock,
      connectTimeoutMs: 5_000,
    });
    connection.start();
    await waitFor(() => sockets.length === 1, 'tcp accept');
    await clock.advance(5_000);
    await waitFor(() => events.reconnecting.length === 1, 'the attempt to be abandoned');
    expect(events.reconnecting[0]).toMatch(/no handshake within 5000 ms/);
  });

  it('never sends more than the outgoing budget, keeping reserved slots for pongs', async () => {
    const server = await startServer();
    const clock = new ManualClock();
    const { connection } = connect({
      url: server.url,
      clock,
      outgoingLimit: { messages: 5, intervalMs: 1_000, reserve: 1 },
    });
    connection.start();
    await connection.whenOpen();
    const accepted = [1, 2, 3, 4, 5].map((i) => connection.trySend(`m${i}`));
    expect(accepted).toEqual([true, true, true, true, false]);
    expect(connection.sendDelayMs()).toBeGreaterThan(0);
    for (let i = 6; i <= 12; i++) connection.send(`m${i}`);
    expect(connection.queuedMessages).toBe(7);
    await waitFor(() => server.received.length === 4, 'first four');
    await clock.advance(1_001);
    await waitFor(() => server.received.length === 8, 'next four');
    expect(connection.queuedMessages).toBe(3);
    await clock.advance(1_001);
    await waitFor(() => server.received.length === 11, 'the rest');
    expect(server.received.map((m) => m.text)).toEqual([
      'm1',
      'm2',
      'm3',
      'm4',
      'm6',
      'm7',
      'm8',
      'm9',
      'm10',
      'm11',
      'm12',
    ]);
  });

  it('signals the maximum lifetime to its owner instead of dropping the socket', async () => {
    const server = await startServer();
    const clock = new ManualClock();
    const { connection, events } = connect({
      url: server.url,
      clock,
      maxLifetimeMs: 60_000,
      pingIntervalMs: 0,
      silenceTimeoutMs: 0,
    });
    connection.start();
    await connection.whenOpen();
    await clock.advance(59_999);
    expect(events.lifetime).toBe(0);
    await clock.advance(1);
    expect(events.lifetime).toBe(1);
    expect(connection.state).toBe('open');
  });

  it('recycles at the maximum lifetime when nobody handles it', async () => {
    const server = await startServer();
    const clock = new ManualClock();
    const { connection, events } = connect({
      url: server.url,
      clock,
      maxLifetimeMs: 60_000,
      pingIntervalMs: 0,
      silenceTimeoutMs: 0,
      handlers: { message: () => {}, lifetimeReached: undefined, close: (event) => closes.push(event) },
    });
    const closes: WsCloseEvent[] = [];
    connection.start();
    await connection.whenOpen();
    await clock.advance(60_000);
    await waitFor(() => closes.length === 1, 'the recycle');
    expect(closes[0]?.reason).toMatch(/maximum lifetime/);
    expect(events.lifetime).toBe(0);
  });

  it('bounds connection attempts with a shared budget', () => {
    const budget = new ConnectionAttemptBudget(3, 1_000);
    expect([budget.reserve(0), budget.reserve(10), budget.reserve(20)]).toEqual([0, 0, 0]);
    expect(budget.reserve(30)).toBe(970);
    expect(budget.reserve(1_000)).toBe(0);
    expect(budget.used).toBe(3);
  });

  it('refuses a url that is not ws:// or wss:// before connecting', () => {
    expect(
      () => new WsConnection({ url: 'http://example.com', kind: 'market', handlers: { message() {} } }),
    ).toThrow(ValidationError);
  });
});
