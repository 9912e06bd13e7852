import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import type { Clock } from '@venuekit/core';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ConnectionRegistry } from './connection-registry';
import type { FaultPlan } from './faults';
import { closeServer, listen, rejectUpgrade, remoteAddress, trackedServer } from './http-util';
import { FixedWindowCounter } from './rate-limits';
import type { FakeBinanceLimits } from './settings';
import type { StreamClient, StreamHub } from './stream-hub';
import { parseStreamName, type StreamKey } from './stream-names';
import { ServerConnection } from './ws-connection';

const METHODS = ['SUBSCRIBE', 'UNSUBSCRIBE', 'LIST_SUBSCRIPTIONS', 'SET_PROPERTY', 'GET_PROPERTY'] as const;
type ControlId = number | string | null;

/** The error form Binance sends on stream connections (fact sheet §2.2: wrapped, with the id). */
function errorFrame(code: number, msg: string, id: ControlId): string {
  return JSON.stringify({ error: { code, msg }, id });
}

class StreamSession implements StreamClient {
  readonly connection: ServerConnection;
  combined: boolean;
  readonly streams = new Map<string, StreamKey>();

  constructor(connection: ServerConnection, combined: boolean) {
    this.connection = connection;
    this.combined = combined;
  }
}

export interface StreamsServerOptions {
  readonly clock: Clock;
  readonly limits: FakeBinanceLimits;
  readonly hub: StreamHub;
  readonly faults: FaultPlan;
  readonly registry: ConnectionRegistry;
}

/**
 * Binance's market-stream endpoint (web-socket-streams.md): raw `/ws/<stream>` and `/ws`,
 * combined `/stream?streams=a/b` and `/stream`, the live control messages, and the connection
 * rules (5 incoming messages per second then close 1008, 1024 streams, connection attempts per IP,
 * ping frames with a pong deadline, maximum lifetime).
 */
export class StreamsServer {
  readonly #options: StreamsServerOptions;
  readonly #http: Server;
  readonly #sockets: Set<Socket>;
  readonly #wss: WebSocketServer;
  readonly #attempts: FixedWindowCounter;
  readonly #sessions = new Map<ServerConnection, StreamSession>();
  #port = 0;

  constructor(options: StreamsServerOptions) {
    this.#options = options;
    const { server, sockets } = trackedServer();
    this.#http = server;
    this.#sockets = sockets;
    this.#wss = new WebSocketServer({ noServer: true, autoPong: false, maxPayload: 64 * 1024 });
    this.#wss.on('error', () => {});
    this.#attempts = new FixedWindowCounter(options.limits.connectionAttemptsWindowMs);
    server.on('request', (_request, response) => {
      response.writeHead(404, { 'Content-Type': 'application/json' });
      response.end();
    });
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.#onUpgrade(request, socket as Socket, head),
    );
  }

  async start(port = 0): Promise<string> {
    this.#port = await listen(this.#http, port);
    return `ws://127.0.0.1:${this.#port}`;
  }

  get port(): number {
    return this.#port;
  }

  /** Sends Binance's `serverShutdown` event to every stream connection. */
  announceShutdown(eventTime: number): void {
    const raw = JSON.stringify({ e: 'serverShutdown', E: eventTime });
    const wrapped = `{"stream":"!serverShutdown","data":${raw}}`;
    for (const session of this.#sessions.values()) {
      session.connection.send(session.combined ? wrapped : raw, '!serverShutdown');
    }
  }

  async close(): Promise<void> {
    for (const session of this.#sessions.values()) session.connection.terminate();
    this.#sessions.clear();
    this.#wss.close();
    await closeServer(this.#http, this.#sockets);
  }

  #onUpgrade(request: IncomingMessage, socket: Socket, head: Buffer): void {
    const { clock, limits } = this.#options;
    const ip = remoteAddress(request);
    const attempts = this.#attempts.add(ip, 1, clock.now());
    if (attempts > limits.connectionAttempts) {
      rejectUpgrade(socket, 429, 'Too Many Requests');
      return;
    }
    const url = new URL(request.url ?? '/', 'ws://localhost');
    let combined: boolean;
    let names: string[];
    if (url.pathname === '/ws' || url.pathname === '/ws/') {
      combined = false;
      names = [];
    } else if (url.pathname.startsWith('/ws/')) {
      combined = false;
      names = url.pathname.slice(4).split('/').filter(Boolean).map(decodeURIComponent);
    } else if (url.pathname === '/stream' || url.pathname === '/stream/') {
      combined = true;
      const streams = url.searchParams.get('streams');
      names = streams ? streams.split('/').filter(Boolean) : [];
    } else {
      rejectUpgrade(socket, 404, 'Not Found');
      return;
    }
    const keys: Array<[string, StreamKey]> = [];
    for (const name of names) {
      const key = parseStreamName(name);
      if (!key) {
        rejectUpgrade(
          socket,
          400,
          'Bad Request',
          JSON.stringify({ code: -1121, msg: `Invalid stream: ${name}` }),
        );
        return;
      }
      keys.push([name, key]);
    }
    if (new Set(names).size > limits.maxStreamsPerConnection) {
      rejectUpgrade(socket, 400, 'Bad Request', JSON.stringify({ code: 4, msg: 'Too many subscriptions' }));
      return;
    }
    this.#wss.handleUpgrade(request, socket, head, (ws) => this.#onConnection(ws, request, combined, keys));
  }

  #onConnection(
    ws: WebSocket,
    request: IncomingMessage,
    combined: boolean,
    keys: Array<[string, StreamKey]>,
  ): void {
    const { clock, limits, faults, registry, hub } = this.#options;
    const connection = new ServerConnection({
      id: registry.nextId('streams'),
      kind: 'streams',
      path: request.url ?? '/',
      remoteAddress: remoteAddress(request),
      socket: ws,
      clock,
      faults,
      timings: {
        pingIntervalMs: limits.pingIntervalMs,
        pongTimeoutMs: limits.pongTimeoutMs,
        maxLifetimeMs: limits.maxConnectionLifetimeMs,
        incomingPerSecond: limits.incomingMessagesPerSecond,
      },
      hooks: {
        onClose: (closed) => {
          const session = this.#sessions.get(closed);
          if (session) for (const name of session.streams.keys()) hub.unsubscribe(session, name);
          this.#sessions.delete(closed);
          registry.remove(closed);
        },
      },
    });
    const session = new StreamSession(connection, combined);
    connection.streams = () => [...session.streams.keys()];
    this.#sessions.set(connection, session);
    for (const [name, key] of keys) {
      if (session.streams.has(name)) continue;
      session.streams.set(name, key);
      hub.subscribe(session, name, key);
    }
    ws.on('message', (data, isBinary) => {
      if (!connection.countIncoming()) return;
      this.#onControl(session, isBinary ? '' : data.toString());
    });
    registry.add(connection);
  }

  #onControl(session: StreamSession, text: string): void {
    const reply = (frame: string) => session.connection.send(frame, 'response');
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch (error) {
      reply(
        errorFrame(3, `Invalid JSON: expected value at line 1 column ${jsonErrorColumn(error, text)}`, null),
      );
      return;
    }
    if (typeof message !== 'object' || message === null || Array.isArray(message)) {
      reply(errorFrame(2, `Invalid request: missing field \`method\` at line 1 column ${text.length}`, null));
      return;
    }
    const request = message as Record<string, unknown>;
    const id = request.id;
    if (!isValidId(id)) {
      reply(errorFrame(2, 'Invalid request: request ID must be an unsigned integer', null));
      return;
    }
    const method = request.method;
    if (method === undefined) {
      reply(errorFrame(2, `Invalid request: missing field \`method\` at line 1 column ${text.length}`, id));
      return;
    }
    if (typeof method !== 'string' || !(METHODS as readonly string[]).includes(method)) {
      reply(
        errorFrame(
          2,
          `Invalid request: unknown variant \`${String(method)}\`, expected one of \`SUBSCRIBE\`, \`UNSUBSCRIBE\`, \`LIST_SUBSCRIPTIONS\`, \`SET_PROPERTY\`, \`GET_PROPERTY\` at line 1 column 28`,
          id,
        ),
      );
      return;
    }
    const params = request.params;
    if (params !== undefined && !Array.isArray(params)) {
      reply(errorFrame(2, 'Invalid request: invalid type: expected a sequence', id));
      return;
    }
    const list = (params ?? []) as unknown[];
    switch (method as (typeof METHODS)[number]) {
      case 'SUBSCRIBE':
      case 'UNSUBSCRIBE':
        this.#onSubscription(session, method === 'SUBSCRIBE', list, id, reply);
        return;
      case 'LIST_SUBSCRIPTIONS':
        if (list.length > 0) {
          reply(errorFrame(2, 'Invalid request: too many parameters', id));
          return;
        }
        reply(JSON.stringify({ result: [...session.streams.keys()], id }));
        return;
      case 'SET_PROPERTY':
      case 'GET_PROPERTY':
        reply(propertyFrame(session, method === 'SET_PROPERTY', list, id));
        return;
    }
  }

  #onSubscription(
    session: StreamSession,
    subscribe: boolean,
    names: unknown[],
    id: ControlId,
    reply: (frame: string) => void,
  ): void {
    const parsed: Array<[string, StreamKey]> = [];
    for (const name of names) {
      const key = typeof name === 'string' ? parseStreamName(name) : undefined;
      if (!key) {
        reply(errorFrame(2, 'Invalid request: invalid stream', id));
        return;
      }
      parsed.push([name as string, key]);
    }
    const hub = this.#options.hub;
    if (subscribe) {
      const total = new Set([...session.streams.keys(), ...parsed.map(([name]) => name)]).size;
      if (total > this.#options.limits.maxStreamsPerConnection) {
        reply(errorFrame(4, 'Too many subscriptions', id));
        return;
      }
      for (const [name, key] of parsed) {
        if (session.streams.has(name)) continue;
        session.streams.set(name, key);
        hub.subscribe(session, name, key);
      }
    } else {
      for (const [name] of parsed) {
        if (session.streams.delete(name)) hub.unsubscribe(session, name);
      }
    }
    reply(JSON.stringify({ result: null, id }));
  }
}

/** SET_PROPERTY / GET_PROPERTY: `combined` is the only property (web-socket-streams.md). */
function propertyFrame(session: StreamSession, set: boolean, params: unknown[], id: ControlId): string {
  if (params.length > (set ? 2 : 1)) return errorFrame(2, 'Invalid request: too many parameters', id);
  const [name, value] = params;
  if (typeof name !== 'string') return errorFrame(2, 'Invalid request: property name must be a string', id);
  if (name !== 'combined') return errorFrame(0, 'Unknown property', id);
  if (!set) return JSON.stringify({ result: session.combined, id });
  if (typeof value !== 'boolean') return errorFrame(1, 'Invalid value type: expected Boolean', id);
  session.combined = value;
  return JSON.stringify({ result: null, id });
}

/** Binance accepts a 64-bit signed integer, an alphanumeric string of at most 36 characters, or null. */
function isValidId(id: unknown): id is ControlId {
  if (id === null) return true;
  if (typeof id === 'number') return Number.isInteger(id);
  if (typeof id === 'string') return /^[A-Za-z0-9_-]{1,36}$/.test(id);
  return false;
}

function jsonErrorColumn(error: unknown, text: string): number {
  const match = error instanceof Error ? /position (\d+)/.exec(error.message) : null;
  return match ? Number(match[1]) + 1 : text.length;
}
