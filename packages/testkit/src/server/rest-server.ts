import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from '@venuekit/core';
import { BinanceApiError, Errors } from './api-error';
import { checkTiming, readTiming } from './auth';
import { type ExecutorDeps, execute, toApiError } from './executor';
import type { FaultPlan, RequestFaultAction } from './faults';
import { closeServer, listen, remoteAddress, trackedServer } from './http-util';
import { REST_OPERATIONS } from './operations';
import { RequestParams } from './params';
import { type RateLimiter, retryAfterSeconds, withRetryAfter } from './rate-limits';
import { splitRestSignature } from './signing';

const MAX_BODY_BYTES = 1024 * 1024;
const KNOWN_PATHS = new Set([...REST_OPERATIONS.values()].map((operation) => operation.rest!.path));

export interface RestServerOptions extends ExecutorDeps {
  readonly faults: FaultPlan;
  readonly logger: Logger;
}

/**
 * Binance's REST API under `/api/v3` (rest-api.md): the public and signed endpoints of
 * operations.ts, `X-MBX-USED-WEIGHT-<intervalNum><letter>` of the weight window on every answer
 * (`-1M` with Binance's window), `X-MBX-ORDER-COUNT-10S/1D` on accepted orders, 429 / 418 with
 * `Retry-After`, and the scripted request faults.
 */
export class RestServer {
  readonly #options: RestServerOptions;
  readonly #http: Server;
  readonly #sockets: Set<Socket>;
  #port = 0;

  constructor(options: RestServerOptions) {
    this.#options = options;
    const { server, sockets } = trackedServer();
    this.#http = server;
    this.#sockets = sockets;
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      this.#onRequest(request, response).catch((error: unknown) => {
        this.#options.logger.errorWithException('fake binance: REST request failed', error);
        if (!response.headersSent && !response.destroyed)
          this.#sendError(response, Errors.unknown(), 'unknown');
      });
    });
  }

  async start(port = 0): Promise<string> {
    this.#port = await listen(this.#http, port);
    return `http://127.0.0.1:${this.#port}`;
  }

  get port(): number {
    return this.#port;
  }

  async close(): Promise<void> {
    await closeServer(this.#http, this.#sockets);
  }

  async #onRequest(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const rawBody = await readBody(request);
    if (rawBody === undefined) {
      response.writeHead(413).end();
      return;
    }
    const url = request.url ?? '/';
    const queryAt = url.indexOf('?');
    const path = queryAt < 0 ? url : url.slice(0, queryAt);
    const rawQuery = queryAt < 0 ? '' : url.slice(queryAt + 1);
    const method = request.method ?? 'GET';
    const endpoint = `${method} ${path}`;
    const ip = remoteAddress(request);
    const operation = REST_OPERATIONS.get(endpoint);
    if (!operation) {
      // Binance answers an unknown path with 404 and an empty body (HTML only for Accept: text/html).
      response.writeHead(KNOWN_PATHS.has(path) ? 405 : 404, this.#headers(ip));
      response.end();
      return;
    }

    const { faults, clock } = this.#options;
    let fault: RequestFaultAction | undefined = faults.requestFault({ transport: 'rest', endpoint, path });
    if (fault?.type === 'delay') {
      await clock.sleep(fault.ms);
      fault = undefined;
    }
    if (fault?.type === 'error') {
      this.#sendError(response, faultError(fault, clock.now(), this.#options.limiter), ip);
      return;
    }
    if (
      fault &&
      (fault.type === 'noResponse' || fault.type === 'dropConnection') &&
      fault.execute === false
    ) {
      this.#withhold(request, fault.type);
      return;
    }

    let execution: ReturnType<typeof execute>;
    try {
      const params = RequestParams.fromForm(rawQuery, rawBody);
      execution = execute(this.#options, operation, params, ip, () => {
        const apiKey = request.headers['x-mbx-apikey'];
        const account = this.#options.authenticator.account(Array.isArray(apiKey) ? apiKey[0] : apiKey);
        const timing = readTiming(params);
        params.consume('signature');
        const split = splitRestSignature(rawQuery, rawBody);
        if (split.duplicated) throw Errors.duplicateParam();
        this.#options.authenticator.verify(account, split.payload, split.signature);
        checkTiming(timing, clock.now());
        return account;
      });
    } catch (error) {
      const apiError = toApiError(error);
      if (apiError.code === -1000)
        this.#options.logger.errorWithException('fake binance: unexpected error', error);
      if (fault?.type === 'unknownOutcome') this.#sendUnknown(response, fault, ip);
      else if (fault?.type === 'answer') this.#sendAnswer(response, fault.result, ip);
      else if (fault) this.#withhold(request, fault.type as 'noResponse' | 'dropConnection');
      else this.#sendError(response, apiError, ip);
      return;
    }

    if (fault?.type === 'unknownOutcome') {
      this.#sendUnknown(response, fault, ip);
      return;
    }
    if (fault?.type === 'answer') {
      this.#sendAnswer(response, fault.result, ip);
      return;
    }
    if (fault) {
      this.#withhold(request, fault.type as 'noResponse' | 'dropConnection');
      return;
    }
    const headers = this.#headers(ip);
    if (execution.orderCounts) {
      headers['X-MBX-ORDER-COUNT-10S'] = String(execution.orderCounts.tenSeconds);
      headers['X-MBX-ORDER-COUNT-1D'] = String(execution.orderCounts.day);
    }
    const body = JSON.stringify(execution.result);
    headers['Content-Length'] = String(Buffer.byteLength(body));
    response.writeHead(200, headers).end(body);
  }

  #headers(ip: string): Record<string, string> {
    return {
      'Content-Type': 'application/json;charset=UTF-8',
      [this.#options.limiter.weightHeader]: String(
        this.#options.limiter.usedWeight(ip, this.#options.clock.now()),
      ),
    };
  }

  #sendError(response: ServerResponse, error: BinanceApiError, ip: string): void {
    const headers = this.#headers(ip);
    const retryAfter = retryAfterSeconds(error, this.#options.clock.now());
    // An order-count 429 (-1015) has no Retry-After (rest-api.md "Order Rate Limits").
    if (retryAfter !== undefined && error.code !== -1015) headers['Retry-After'] = String(retryAfter);
    const body = JSON.stringify({ code: error.code, msg: error.msg });
    headers['Content-Length'] = String(Buffer.byteLength(body));
    response.writeHead(error.httpStatus, headers).end(body);
  }

  #sendUnknown(
    response: ServerResponse,
    fault: Extract<RequestFaultAction, { type: 'unknownOutcome' }>,
    ip: string,
  ): void {
    const status = fault.status ?? 503;
    const body = fault.body ?? 'timeout';
    if (body === 'empty') {
      response.writeHead(status, { ...this.#headers(ip), 'Content-Length': '0' }).end();
      return;
    }
    const error = body === 'timeout' ? Errors.timeout() : Errors.unexpectedResponse();
    this.#sendError(response, new BinanceApiError(status, error.code, error.msg), ip);
  }

  /** An `answer` fault: status 200 with the chosen body. */
  #sendAnswer(response: ServerResponse, result: unknown, ip: string): void {
    const body = JSON.stringify(result) ?? '';
    const headers = this.#headers(ip);
    headers['Content-Length'] = String(Buffer.byteLength(body));
    response.writeHead(200, headers).end(body);
  }

  #withhold(request: IncomingMessage, kind: 'noResponse' | 'dropConnection'): void {
    // noResponse: the socket stays open, unanswered, until the client gives up or the server closes.
    if (kind === 'dropConnection') request.socket.destroy();
  }
}

/** The answer of an `error` request fault (a 429's default message names the configured weight limit). */
export function faultError(
  fault: Extract<RequestFaultAction, { type: 'error' }>,
  now: number,
  limiter: RateLimiter,
): BinanceApiError {
  const { status } = fault;
  let base: BinanceApiError;
  if (status === 429) base = Errors.tooMuchWeight(limiter.settings.requestWeight, limiter.weightWindowText());
  else if (status === 418) base = Errors.banned(now + (fault.retryAfterSeconds ?? 120) * 1000);
  else if (status === 503) base = Errors.serverBusy();
  else if (status >= 500) base = Errors.disconnected();
  else base = Errors.unknown();
  const error = new BinanceApiError(status, fault.code ?? base.code, fault.msg ?? base.msg);
  if (status === 429 || status === 418) {
    return withRetryAfter(error, (fault.retryAfterSeconds ?? (status === 429 ? 1 : 120)) * 1000, now);
  }
  return error;
}

function readBody(request: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    request.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks).toString('utf8')));
    request.on('error', () => resolve(undefined));
  });
}
