import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import {
  DEFAULT_SYMBOLS,
  ExchangeEngine,
  exchangeInfoPayload,
  type SymbolDefinition,
} from '@venuekit/testkit';
import { type WebSocket, WebSocketServer } from 'ws';
import { nowUs } from '../clock';
import { combined, DepthFeed, type Feed, type IdRange, TradeFeed } from '../feed/messages';

export type FeedKind = 'trades' | 'depth';

export interface FeedServerOptions {
  readonly seed?: number;
  /**
   * Extra symbols listed by exchangeInfo (`SYM0USDT`, `SYM1USDT`…, with BTCUSDT's filters), for the
   * memory-per-stream measure. Their streams are accepted and stay silent.
   */
  readonly extraSymbols?: number;
  /** Diff depth: levels per side and changes per message (see DepthFeed). */
  readonly depthLevels?: number;
  readonly depthChangesPerMessage?: number;
}

export interface SendResult {
  readonly messages: number;
  /** Monotonic µs when the first message was stamped, and when the last one was written. */
  readonly firstSendUs: number;
  readonly lastSendUs: number;
}

interface Client {
  readonly ws: WebSocket;
  readonly socket: Socket;
  readonly streams: Set<string>;
}

/** Bytes of one server-to-client text frame (RFC 6455: FIN + text, unmasked) around an ASCII payload, as latin1 text. */
function frame(payload: string): string {
  const n = payload.length;
  if (n < 126) return `\x81${String.fromCharCode(n)}${payload}`;
  if (n < 65_536) return `\x81\x7e${String.fromCharCode(n >> 8, n & 255)}${payload}`;
  throw new RangeError('bench payloads stay below 64 KiB');
}

const CHUNK_BYTES = 64 * 1024;
// Atomics.wait on a value that never changes: a sleep with sub-millisecond timeouts.
const SLEEPER = new Int32Array(new SharedArrayBuffer(4));
// The kernel wakes a sleeping thread up to ~50 µs late (timer slack): wake that much early.
const SLEEP_MARGIN_US = 60;

/**
 * A local server that speaks enough of Binance spot for market-data clients: the combined-stream
 * WebSocket (any path; `SUBSCRIBE`, `UNSUBSCRIBE`, `LIST_SUBSCRIPTIONS` answered as
 * web-socket-streams.md shows; every event wrapped as `{"stream","data"}`), and the REST calls a
 * client makes before streaming: `exchangeInfo` (the testkit's payload, checked against the docs),
 * `depth` (a snapshot consistent with the diff stream), `time`, `ping`.
 *
 * Messages are sent on command: as fast as the socket takes them (frames batched into 64 KiB
 * writes, waiting for 'drain'), or paced at a fixed rate with each frame written on its own the
 * moment it is due. The handshake and the control answers go through `ws`; data frames are written
 * to the socket directly, so that the server is never what limits a client.
 */
export class FeedServer {
  readonly trades: TradeFeed;
  readonly depth: DepthFeed;
  readonly #http: Server;
  readonly #wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  readonly #clients = new Set<Client>();
  readonly #exchangeInfo: string;
  readonly #subscribeWaiters: (() => void)[] = [];
  #port = 0;
  #priming: { stop: boolean; done: Promise<void> } | undefined;

  constructor(options: FeedServerOptions = {}) {
    const seed = options.seed ?? 1;
    this.trades = new TradeFeed(seed);
    this.depth = new DepthFeed({
      seed: seed + 1,
      ...(options.depthLevels === undefined ? {} : { levels: options.depthLevels }),
      ...(options.depthChangesPerMessage === undefined
        ? {}
        : { changesPerMessage: options.depthChangesPerMessage }),
    });
    const btc = DEFAULT_SYMBOLS.find((s) => s.symbol === 'BTCUSDT') as SymbolDefinition;
    const symbols: SymbolDefinition[] = [...DEFAULT_SYMBOLS];
    for (let i = 0; i < (options.extraSymbols ?? 0); i++) {
      symbols.push({ ...btc, symbol: `SYM${i}USDT`, baseAsset: `SYM${i}` });
    }
    const engine = new ExchangeEngine({ symbols });
    this.#exchangeInfo = JSON.stringify(exchangeInfoPayload(engine.symbols(), Date.now()));
    this.#http = createServer((req, res) => this.#rest(req, res));
    this.#http.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
      socket.setNoDelay(true);
      this.#wss.handleUpgrade(req, socket, head, (ws) => this.#onConnection(ws, socket, req));
    });
  }

  async listen(port = 0): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.#http.once('error', reject);
      this.#http.listen(port, '127.0.0.1', () => resolve());
    });
    this.#port = (this.#http.address() as AddressInfo).port;
    return this.#port;
  }

  get restUrl(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  get streamsUrl(): string {
    return `ws://127.0.0.1:${this.#port}`;
  }

  /** Connections and the streams each subscribed. */
  connections(): string[][] {
    return [...this.#clients].map((client) => [...client.streams]);
  }

  feed(kind: FeedKind): Feed {
    return kind === 'trades' ? this.trades : this.depth;
  }

  plan(kind: FeedKind, count: number): IdRange {
    return this.feed(kind).plan(count);
  }

  /** Resolves once some connection subscribed a stream of `kind`. */
  async waitForSubscriber(kind: FeedKind, timeoutMs = 60_000): Promise<void> {
    const ready = () => this.#targets(this.feed(kind)).length > 0;
    const deadline = Date.now() + timeoutMs;
    while (!ready()) {
      if (Date.now() > deadline) throw new Error(`no client subscribed to ${kind} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        this.#subscribeWaiters.push(resolve);
        setTimeout(resolve, 100).unref();
      });
    }
  }

  /** Sends `count` messages as fast as the subscribed sockets take them. */
  async burst(kind: FeedKind, count: number): Promise<SendResult> {
    const feed = this.feed(kind);
    const targets = this.#targets(feed);
    let sent = 0;
    let firstSendUs = 0;
    while (sent < count) {
      const stamp = nowUs();
      if (sent === 0) firstSendUs = stamp;
      const texts = targets.map(() => '');
      let bytes = 0;
      while (sent < count && bytes < CHUNK_BYTES) {
        const data = feed.next(stamp);
        for (let i = 0; i < targets.length; i++) {
          const f = frame(combined((targets[i] as [Client, string])[1], data));
          texts[i] += f;
          if (i === 0) bytes += f.length;
        }
        sent++;
      }
      const waits: Promise<void>[] = [];
      for (let i = 0; i < targets.length; i++) {
        const socket = (targets[i] as [Client, string])[0].socket;
        if (socket.destroyed) continue;
        if (!socket.write(Buffer.from(texts[i] as string, 'latin1'))) {
          waits.push(new Promise((resolve) => socket.once('drain', () => resolve())));
        }
      }
      if (waits.length > 0) await Promise.all(waits);
    }
    return { messages: sent, firstSendUs, lastSendUs: nowUs() };
  }

  /**
   * Sends `count` messages at `perSecond`, each written on its own the moment it is due and stamped
   * with the time it is written. Between messages the thread sleeps on a futex (Atomics.wait, which
   * takes fractions of a millisecond) instead of spinning, so it leaves the CPU to the client; every
   * millisecond it yields to the event loop so that sockets flush.
   */
  async paced(kind: FeedKind, count: number, perSecond: number): Promise<SendResult> {
    const feed = this.feed(kind);
    const targets = this.#targets(feed);
    const start = nowUs();
    const intervalUs = 1e6 / perSecond;
    let sent = 0;
    let firstSendUs = 0;
    let yieldAt = start + 1000;
    while (sent < count) {
      const now = nowUs();
      const due = Math.min(count, Math.floor((now - start) / intervalUs) + 1);
      while (sent < due) {
        const stamp = nowUs();
        if (sent === 0) firstSendUs = stamp;
        const data = feed.next(stamp);
        for (const [client, stream] of targets) {
          if (!client.socket.destroyed)
            client.socket.write(Buffer.from(frame(combined(stream, data)), 'latin1'));
        }
        sent++;
      }
      if (sent >= count) break;
      const after = nowUs();
      if (after >= yieldAt) {
        yieldAt = after + 1000;
        await new Promise((resolve) => setImmediate(resolve));
        continue;
      }
      const waitUs = start + sent * intervalUs - after - SLEEP_MARGIN_US;
      if (waitUs > 0) Atomics.wait(SLEEPER, 0, 0, waitUs / 1000);
    }
    return { messages: sent, firstSendUs, lastSendUs: nowUs() };
  }

  /** Sends one message every `intervalMs` until `stopPriming()`: lets clients sync before the measure. */
  startPriming(kind: FeedKind, intervalMs = 5): void {
    if (this.#priming) return;
    const state = { stop: false, done: Promise.resolve() };
    state.done = (async () => {
      while (!state.stop) {
        await this.paced(kind, 1, 1_000_000);
        await new Promise((resolve) => setTimeout(resolve, intervalMs));
      }
    })();
    this.#priming = state;
  }

  async stopPriming(): Promise<void> {
    const priming = this.#priming;
    if (!priming) return;
    priming.stop = true;
    await priming.done;
    this.#priming = undefined;
  }

  async close(): Promise<void> {
    await this.stopPriming();
    for (const client of this.#clients) client.socket.destroy();
    this.#clients.clear();
    this.#wss.close();
    await new Promise<void>((resolve) => this.#http.close(() => resolve()));
  }

  #targets(feed: Feed): [Client, string][] {
    const out: [Client, string][] = [];
    for (const client of this.#clients) {
      for (const stream of client.streams) if (feed.matches(stream)) out.push([client, stream]);
    }
    return out;
  }

  #onConnection(ws: WebSocket, socket: Socket, req: IncomingMessage): void {
    const client: Client = { ws, socket, streams: new Set() };
    const query = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams.get('streams');
    if (query) for (const name of query.split('/')) if (name) client.streams.add(name);
    this.#clients.add(client);
    this.#notifySubscribers();
    ws.on('message', (data) => this.#onControl(client, data.toString()));
    ws.on('close', () => this.#clients.delete(client));
    ws.on('error', () => this.#clients.delete(client));
  }

  #onControl(client: Client, text: string): void {
    let message: { method?: unknown; params?: unknown; id?: unknown };
    try {
      message = JSON.parse(text);
    } catch {
      client.ws.send('{"code":3,"msg":"Invalid JSON: expected value at line 1 column 1"}');
      return;
    }
    const id = message.id ?? null;
    const params = Array.isArray(message.params) ? message.params.filter((p) => typeof p === 'string') : [];
    switch (message.method) {
      case 'SUBSCRIBE':
        for (const name of params) client.streams.add(name);
        client.ws.send(JSON.stringify({ result: null, id }));
        this.#notifySubscribers();
        return;
      case 'UNSUBSCRIBE':
        for (const name of params) client.streams.delete(name);
        client.ws.send(JSON.stringify({ result: null, id }));
        return;
      case 'LIST_SUBSCRIPTIONS':
        client.ws.send(JSON.stringify({ result: [...client.streams], id }));
        return;
      default:
        client.ws.send(
          JSON.stringify({
            error: {
              code: 2,
              msg: 'Invalid request: unknown variant, expected one of SUBSCRIBE, UNSUBSCRIBE',
            },
            id,
          }),
        );
    }
  }

  #notifySubscribers(): void {
    for (const resolve of this.#subscribeWaiters.splice(0)) resolve();
  }

  #rest(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const send = (status: number, body: string) => {
      res.writeHead(status, {
        'content-type': 'application/json;charset=UTF-8',
        'x-mbx-used-weight-1m': '1',
      });
      res.end(body);
    };
    switch (url.pathname) {
      case '/api/v3/ping':
        send(200, '{}');
        return;
      case '/api/v3/time':
        send(200, JSON.stringify({ serverTime: Date.now() }));
        return;
      case '/api/v3/exchangeInfo':
        send(200, this.#exchangeInfo);
        return;
      case '/api/v3/depth': {
        if (url.searchParams.get('symbol') !== 'BTCUSDT') {
          send(400, '{"code":-1121,"msg":"Invalid symbol."}');
          return;
        }
        const limit = Math.min(5000, Number(url.searchParams.get('limit') ?? 100) || 100);
        send(200, JSON.stringify(this.depth.snapshot(limit)));
        return;
      }
      default:
        send(404, JSON.stringify({ code: -1100, msg: `Not served by the bench server: ${url.pathname}` }));
    }
  }
}
