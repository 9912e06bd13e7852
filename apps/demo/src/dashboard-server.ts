import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type Logger, toVenuekitError, ValidationError, type VenuekitError } from '@venuekit/core';
import { type WebSocket, WebSocketServer } from 'ws';
import type { ApiAnswer, ClientWatch, ServerMessage, WireError } from './wire';

/** What the page can ask of the demo. Each verb validates its input and throws venuekit errors. */
export interface DashboardApi {
  /** The first messages of every live connection: who we are, then the current picture. */
  hello(): readonly ServerMessage[];
  /** A market's full picture, when the page starts watching it (validates symbol and interval). */
  watch(symbol: unknown, interval: unknown): ServerMessage;
  /** `GET /api/state`: the current picture, for scripts and tests. */
  state(): unknown;
  placeOrder(body: unknown): Promise<unknown>;
  cancelOrder(body: unknown): Promise<unknown>;
  injectFault(body: unknown): Promise<unknown>;
}

export interface DashboardServerOptions {
  readonly api: DashboardApi;
  /** The static page: index.html, app.js, charts.js, style.css, favicon.svg. */
  readonly publicDir: string;
  /** Serves `/ops/*` (venuekit's health endpoints), when given. */
  readonly opsHandler?: (request: IncomingMessage, response: ServerResponse, next: () => void) => void;
  readonly logger: Logger;
}

/** The page's watch, per live connection. */
export interface ClientView {
  readonly symbol: string;
  readonly interval: string;
}

const STATIC_FILES: Readonly<Record<string, { readonly file: string; readonly type: string }>> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/charts.js': { file: 'charts.js', type: 'text/javascript; charset=utf-8' },
  '/format.js': { file: 'format.js', type: 'text/javascript; charset=utf-8' },
  '/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
  '/favicon.svg': { file: 'favicon.svg', type: 'image/svg+xml' },
};

const MAX_BODY_BYTES = 16 * 1024;
/** A client that has this much unsent data gets no market updates until it catches up. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

const SECURITY_HEADERS = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy':
    "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
} as const;

/**
 * The demo's web server on 127.0.0.1: the static dashboard, a small JSON API for orders and
 * faults, venuekit's health endpoints under `/ops`, and a WebSocket at `/ws` that pushes the
 * live picture. Only same-origin pages may call the API or open the socket.
 */
export class DashboardServer {
  readonly #options: DashboardServerOptions;
  readonly #server: Server;
  readonly #wss: WebSocketServer;
  readonly #clients = new Map<WebSocket, ClientView | undefined>();
  readonly #cache = new Map<string, Buffer>();
  #url: string | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: DashboardServerOptions) {
    this.#options = options;
    this.#server = createServer((request, response) => {
      this.#handle(request, response).catch((error: unknown) => {
        options.logger.errorWithException('a dashboard request failed', error);
        if (!response.headersSent) this.#json(response, 500, failure(toVenuekitError(error)));
        else response.destroy();
      });
    });
    this.#server.on('clientError', (_error, socket) => socket.destroy());
    this.#wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
    this.#server.on('upgrade', (request, socket, head) => {
      const path = (request.url ?? '').split('?')[0];
      if (path !== '/ws' || !this.#sameOrigin(request)) {
        socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
        return;
      }
      this.#wss.handleUpgrade(request, socket, head, (ws) => this.#accept(ws));
    });
  }

  /** The page's address, once listening. */
  get url(): string {
    if (!this.#url) throw new Error('the dashboard server is not listening');
    return this.#url;
  }

  get clientCount(): number {
    return this.#clients.size;
  }

  async listen(port: number, host: string): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      this.#server.once('error', onError);
      this.#server.listen(port, host, () => {
        this.#server.off('error', onError);
        resolve();
      });
    });
    this.#server.on('error', (error) =>
      this.#options.logger.errorWithException('dashboard server error', error),
    );
    const address = this.#server.address() as AddressInfo;
    const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    this.#url = `http://${shown}:${address.port}/`;
    return this.#url;
  }

  /** Sends each live client what `build` makes of its view; `undefined` sends nothing. */
  push(build: (view: ClientView | undefined) => ServerMessage | undefined): void {
    for (const [ws, view] of this.#clients) {
      if (ws.readyState !== ws.OPEN) continue;
      // A page that cannot keep up skips updates rather than making the server buffer them.
      if (ws.bufferedAmount > MAX_BUFFERED_BYTES) continue;
      const message = build(view);
      if (message) ws.send(JSON.stringify(message));
    }
  }

  /** Closes the sockets and the server. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      for (const ws of this.#clients.keys()) ws.terminate();
      this.#clients.clear();
      await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
      if (this.#server.listening) {
        this.#server.closeAllConnections();
        await new Promise<void>((resolve) => this.#server.close(() => resolve()));
      }
    })();
    return this.#closing;
  }

  #accept(ws: WebSocket): void {
    this.#clients.set(ws, undefined);
    ws.on('error', () => ws.terminate());
    ws.on('close', () => this.#clients.delete(ws));
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      let message: Partial<ClientWatch>;
      try {
        message = JSON.parse(data.toString()) as Partial<ClientWatch>;
      } catch {
        return;
      }
      if (message?.type !== 'watch') return;
      try {
        const snapshot = this.#options.api.watch(message.symbol, message.interval);
        this.#clients.set(ws, { symbol: String(message.symbol), interval: String(message.interval) });
        ws.send(JSON.stringify(snapshot));
      } catch (error) {
        ws.send(JSON.stringify({ type: 'error', error: wireError(toVenuekitError(error)) }));
      }
    });
    for (const message of this.#options.api.hello()) ws.send(JSON.stringify(message));
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (path.startsWith('/ops/') && this.#options.opsHandler) {
      this.#options.opsHandler(request, response, () => this.#notFound(response));
      return;
    }
    if (path.startsWith('/api/')) {
      await this.#api(request, response, path);
      return;
    }
    const entry = STATIC_FILES[path];
    if (!entry || (request.method !== 'GET' && request.method !== 'HEAD')) {
      this.#notFound(response);
      return;
    }
    let body = this.#cache.get(entry.file);
    if (!body) {
      body = await readFile(join(this.#options.publicDir, entry.file));
      this.#cache.set(entry.file, body);
    }
    response.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': entry.type,
      'Content-Length': body.length,
    });
    response.end(request.method === 'HEAD' ? undefined : body);
  }

  async #api(request: IncomingMessage, response: ServerResponse, path: string): Promise<void> {
    const { api } = this.#options;
    if (request.method === 'GET' && path === '/api/state') {
      this.#json(response, 200, { ok: true, result: api.state() });
      return;
    }
    const verbs: Record<string, (body: unknown) => Promise<unknown>> = {
      '/api/orders': (body) => api.placeOrder(body),
      '/api/orders/cancel': (body) => api.cancelOrder(body),
      '/api/faults': (body) => api.injectFault(body),
    };
    const verb = verbs[path];
    if (!verb) {
      this.#notFound(response);
      return;
    }
    if (request.method !== 'POST') {
      response.writeHead(405, { ...SECURITY_HEADERS, Allow: 'POST' });
      response.end();
      return;
    }
    if (!this.#sameOrigin(request)) {
      this.#json(
        response,
        403,
        failure(
          new ValidationError('INVALID_PARAMETER', { field: 'Origin', rule: 'must be this dashboard' }),
        ),
      );
      return;
    }
    // JSON only: a cross-site form cannot send it without a CORS preflight, which this server never grants.
    if (!(request.headers['content-type'] ?? '').startsWith('application/json')) {
      this.#json(
        response,
        415,
        failure(
          new ValidationError('INVALID_PARAMETER', {
            field: 'Content-Type',
            rule: 'must be application/json',
          }),
        ),
      );
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(await readBody(request));
    } catch (error) {
      const rule = error instanceof BodyTooLarge ? `must be at most ${MAX_BODY_BYTES} bytes` : 'must be JSON';
      this.#json(response, 400, failure(new ValidationError('INVALID_PARAMETER', { field: 'body', rule })));
      return;
    }
    try {
      const result = await verb(body);
      this.#json(response, 200, { ok: true, result });
    } catch (error) {
      const venuekitError = toVenuekitError(error);
      this.#json(response, statusOf(venuekitError), failure(venuekitError));
    }
  }

  #sameOrigin(request: IncomingMessage): boolean {
    const origin = request.headers.origin;
    // Scripts and tests send no Origin; browsers always do on cross-site requests.
    if (origin === undefined) return true;
    return origin === `http://${request.headers.host}`;
  }

  #notFound(response: ServerResponse): void {
    this.#json(
      response,
      404,
      failure(new ValidationError('INVALID_PARAMETER', { field: 'path', rule: 'is not served here' })),
    );
  }

  #json(response: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    response.writeHead(status, {
      ...SECURITY_HEADERS,
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(text),
    });
    response.end(text);
  }
}

class BodyTooLarge extends Error {}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        // Stop keeping it, let the rest drain, and answer.
        request.removeAllListeners('data');
        request.resume();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

export function wireError(error: VenuekitError): WireError {
  return {
    code: error.code,
    category: error.category,
    userMessage: error.userMessage,
    message: error.message,
    ...(error.context.field !== undefined ? { field: String(error.context.field) } : {}),
    ...(error.context.rule !== undefined ? { rule: String(error.context.rule) } : {}),
    retryable: error.retryable,
    recoverySuggestions: [...error.recoverySuggestions],
  };
}

function failure(error: VenuekitError): ApiAnswer<never> {
  return { ok: false, error: wireError(error) };
}

function statusOf(error: VenuekitError): number {
  if (error.category === 'validation') return 400;
  if (error.category === 'internal') return 500;
  if (error.category === 'order_state_unknown') return 202;
  if (error.retryable) return 503;
  return 422;
}
