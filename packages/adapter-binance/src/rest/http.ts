import {
  type Clock,
  ClosedError,
  ExchangeUnavailableError,
  type Logger,
  NetworkError,
  silentLogger,
  systemClock,
  TimeoutError,
  telemetry,
  type VenuekitError,
} from '@venuekit/core';
import ky, { type KyInstance } from 'ky';
import { type BinanceParams, encodeParams } from '../credentials';
import { mapBinanceError } from '../errors';
import { nodeHttpFetch } from './node-fetch';
import { parseRetryAfter } from './rate-governor';
import { openGate, type RequestGate } from './request-gate';
import { linkSignals } from './signals';

export interface BinanceHttpRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path under the REST base, e.g. `/api/v3/depth`. */
  readonly path: string;
  /**
   * Parameters to percent-encode in order, or a query string already encoded
   * (signed requests pass exactly the string they signed).
   */
  readonly query?: BinanceParams | string;
  /** An `application/x-www-form-urlencoded` body, already encoded. */
  readonly body?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** The endpoint's request weight (rest-api.md), charged at the gate before sending. */
  readonly weight: number;
  /** Default `read`. Order placements also count against the account's order limits. */
  readonly kind?: 'read' | 'order' | 'cancel';
  /** The opaque per-credentials key for order counts. */
  readonly account?: string;
  readonly signal?: AbortSignal;
  /** Overrides the client's timeout. */
  readonly timeoutMs?: number;
}

export interface BinanceHttpResponse<T> {
  readonly data: T;
  readonly status: number;
  /** The X-MBX-* and Retry-After headers, names lower-cased. */
  readonly headers: Readonly<Record<string, string>>;
}

export interface BinanceHttpClientOptions {
  /** REST base url, e.g. `https://api.binance.com`. */
  readonly baseUrl: string;
  /** Every request waits here first; Binance counts weight per IP, so share one gate per adapter. */
  readonly gate?: RequestGate;
  /** Default 10 000 ms. */
  readonly timeoutMs?: number;
  readonly exchange?: string;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /**
   * A ky instance to send requests with (e.g. with hooks). Default: ky over `nodeHttpFetch`
   * (`node:http`/`node:https` with Node's keep-alive global agent). An instance of your own uses
   * Node's built-in fetch unless created with `fetch: nodeHttpFetch`.
   */
  readonly ky?: KyInstance;
  /**
   * The owner's lifetime: once aborted, requests waiting at the gate or in flight end with a
   * ClosedError and no new one is sent (the adapter aborts it on close).
   */
  readonly signal?: AbortSignal;
}

/** The used weight the venue last reported, for health when no rate governor is plugged in. */
export interface ObservedWeight {
  readonly usedWeight: number;
  readonly interval: string;
  readonly at: number;
}

/** One HTTP exchange, as the client needs it. */
interface HttpExchange {
  readonly method: BinanceHttpRequest['method'];
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly signal?: AbortSignal;
  readonly timeoutMs: number;
}

interface HttpAnswer {
  readonly status: number;
  /** The X-MBX-* and Retry-After headers, names lower-cased. */
  readonly headers: Record<string, string>;
  /** The body ('' if it could not be read). */
  readonly text: string;
}

/** The default ky instance: ky over `node:http` (see `nodeHttpFetch`), not Node's built-in fetch. */
const defaultKy: KyInstance = ky.create({ fetch: nodeHttpFetch });

/** One exchange through ky: no retries, no throwing on HTTP errors, the timeout given. */
async function send(client: KyInstance, exchange: HttpExchange): Promise<HttpAnswer> {
  const response = await client(exchange.url, {
    method: exchange.method,
    retry: 0,
    throwHttpErrors: false,
    timeout: exchange.timeoutMs,
    headers: exchange.headers,
    ...(exchange.body === undefined ? {} : { body: exchange.body }),
    ...(exchange.signal === undefined ? {} : { signal: exchange.signal }),
  });
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    const lower = name.toLowerCase();
    if (lower.startsWith('x-mbx-') || lower === 'retry-after') headers[lower] = value;
  });
  const text = await response.text().catch(() => '');
  return { status: response.status, headers, text };
}

/**
 * The Binance REST transport: one request = gate (weight) → HTTP (ky, over
 * `node:http` unless given an instance of its own; with a timeout, no automatic retries) → headers
 * back to the gate → JSON, or a core error mapped from Binance's `{code, msg}`
 * by `mapBinanceError`. It never retries: whether a failed request may be
 * repeated is the caller's decision (a read may, an order must be reconciled
 * instead).
 */
export class BinanceHttpClient {
  readonly baseUrl: string;
  #gate: RequestGate;
  readonly #timeoutMs: number;
  readonly #exchange: string;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #ky: KyInstance;
  readonly #lifetime: AbortSignal | undefined;
  #observed: ObservedWeight | undefined;

  constructor(options: BinanceHttpClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#gate = options.gate ?? openGate;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#exchange = options.exchange ?? 'binance';
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? silentLogger;
    this.#ky = options.ky ?? defaultKy;
    this.#lifetime = options.signal;
  }

  get gate(): RequestGate {
    return this.#gate;
  }

  /** Plugs in another gate (the rate governor); requests already waiting keep theirs. */
  setGate(gate: RequestGate): void {
    this.#gate = gate;
  }

  /** The last `X-MBX-USED-WEIGHT-*` the venue reported. */
  get observedWeight(): ObservedWeight | undefined {
    return this.#observed;
  }

  async request<T>(request: BinanceHttpRequest): Promise<BinanceHttpResponse<T>> {
    if (this.#lifetime?.aborted) throw this.#closed(request, false);
    const linked = linkSignals([request.signal, this.#lifetime]);
    try {
      return await this.#request<T>(request, linked.signal);
    } finally {
      linked.dispose();
    }
  }

  async #request<T>(
    request: BinanceHttpRequest,
    signal: AbortSignal | undefined,
  ): Promise<BinanceHttpResponse<T>> {
    const kind = request.kind ?? 'read';
    try {
      await this.#gate.acquire({
        weight: request.weight,
        kind,
        ...(request.account === undefined ? {} : { account: request.account }),
        ...(signal === undefined ? {} : { signal }),
      });
    } catch (error) {
      if (this.#lifetime?.aborted) throw this.#closed(request, false);
      throw error;
    }
    const query = typeof request.query === 'string' ? request.query : encodeParams(request.query ?? {});
    const url = `${this.baseUrl}${request.path}${query ? `?${query}` : ''}`;
    const started = this.#clock.now();
    const operation = { exchange: this.#exchange, operation: `${request.method} ${request.path}` };
    const timeoutMs = request.timeoutMs ?? this.#timeoutMs;
    const exchange: HttpExchange = {
      method: request.method,
      url,
      headers:
        request.body === undefined
          ? (request.headers ?? {})
          : { ...request.headers, 'content-type': 'application/x-www-form-urlencoded' },
      ...(request.body === undefined ? {} : { body: request.body }),
      ...(signal === undefined ? {} : { signal }),
      timeoutMs,
    };
    let answer: HttpAnswer;
    try {
      answer = await send(this.#ky, exchange);
    } catch (error) {
      if (this.#lifetime?.aborted) throw this.#closed(request, true);
      if (request.signal?.aborted) throw request.signal.reason;
      const failure =
        error instanceof Error && error.name === 'TimeoutError'
          ? new TimeoutError({
              message: `${request.method} ${request.path} timed out after ${timeoutMs} ms`,
              context: operation,
              cause: error,
            })
          : new NetworkError({
              message: `${request.method} ${request.path} failed: ${error instanceof Error ? error.message : String(error)}`,
              context: operation,
              cause: error,
            });
      this.#rejected(request, started, undefined, undefined, failure);
      throw failure;
    }

    const { headers, text } = answer;
    const response = { status: answer.status, ok: answer.status >= 200 && answer.status < 300 };
    if (this.#lifetime?.aborted) throw this.#closed(request, true);
    let body: unknown;
    let parsed = false;
    if (text.length > 0) {
      try {
        body = JSON.parse(text);
        parsed = true;
      } catch {
        parsed = false;
      }
    }
    const venueCode =
      parsed && typeof (body as { code?: unknown })?.code === 'number'
        ? (body as { code: number }).code
        : undefined;
    const venueMessage =
      parsed && typeof (body as { msg?: unknown })?.msg === 'string'
        ? (body as { msg: string }).msg
        : undefined;
    this.#observe(response.status, headers, venueCode, venueMessage, request.account);

    if (!response.ok) {
      // 429 and 418 say how long to stay away (seconds, or an HTTP date): the caller gets it.
      const retryAfterMs = parseRetryAfter(headers, this.#clock.now());
      const error = mapBinanceError({
        status: response.status,
        ...(venueCode === undefined ? {} : { code: venueCode }),
        ...(venueMessage === undefined ? {} : { msg: venueMessage }),
        body: text.slice(0, 2_000),
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
        context: { operation: operation.operation },
      });
      this.#rejected(request, started, response.status, venueCode, error);
      throw error;
    }
    if (!parsed) {
      const error = new ExchangeUnavailableError({
        code: 'EXCHANGE_ERROR',
        message: `${request.method} ${request.path}: the response is not JSON`,
        // A success status: the venue may have acted on the request (an order placed), so a
        // placement or cancel is looked up rather than reported refused (trading.ts isAmbiguous).
        context: { ...operation, answer: 'malformed' },
        venue: { status: response.status, body: text.slice(0, 2_000) },
      });
      this.#rejected(request, started, response.status, undefined, error);
      throw error;
    }
    if (telemetry.requestResolved.hasSubscribers) {
      telemetry.requestResolved.publish({
        exchange: this.#exchange,
        transport: 'rest',
        method: request.method,
        path: request.path,
        status: response.status,
        weight: request.weight,
        durationMs: this.#clock.now() - started,
      });
    }
    return { data: body as T, status: response.status, headers };
  }

  #closed(request: BinanceHttpRequest, sent: boolean): ClosedError {
    return new ClosedError({
      message: `${request.method} ${request.path}: ${sent ? 'abandoned' : 'not sent'}, the client was closed`,
      context: { exchange: this.#exchange, operation: `${request.method} ${request.path}`, sent },
    });
  }

  #observe(
    status: number,
    headers: Record<string, string>,
    code: number | undefined,
    message: string | undefined,
    account: string | undefined,
  ) {
    for (const name in headers) {
      if (name.startsWith('x-mbx-used-weight-')) {
        const value = Number(headers[name]);
        if (Number.isFinite(value)) {
          this.#observed = {
            usedWeight: value,
            interval: name.slice('x-mbx-used-weight-'.length),
            at: this.#clock.now(),
          };
        }
      }
    }
    try {
      this.#gate.observe({
        status,
        headers,
        ...(account === undefined ? {} : { account }),
        ...(code === undefined ? {} : { code }),
        ...(message === undefined ? {} : { message }),
      });
    } catch (error) {
      this.#logger.errorWithException('request gate observe failed', error);
    }
  }

  #rejected(
    request: BinanceHttpRequest,
    started: number,
    status: number | undefined,
    venueCode: number | undefined,
    error: VenuekitError,
  ): void {
    if (!telemetry.requestRejected.hasSubscribers) return;
    telemetry.requestRejected.publish({
      exchange: this.#exchange,
      transport: 'rest',
      method: request.method,
      path: request.path,
      ...(status === undefined ? {} : { status }),
      ...(venueCode === undefined ? {} : { venueCode }),
      durationMs: this.#clock.now() - started,
      errorCode: error.code,
    });
  }
}
