import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from '@venuekit/core';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ExchangeEngine } from '../engine/engine';
import type {
  AccountEvent,
  AccountInfo,
  AccountPositionEvent,
  BalanceUpdateEvent,
  ExecutionReportEvent,
  ListStatusEvent,
} from '../engine/types';
import { BinanceApiError, Errors } from './api-error';
import { checkTiming, readTiming } from './auth';
import type { ConnectionRegistry } from './connection-registry';
import { type ExecutorDeps, execute, toApiError } from './executor';
import type { FaultPlan, RequestFaultAction } from './faults';
import { closeServer, listen, rejectUpgrade, remoteAddress, trackedServer } from './http-util';
import { WS_API_OPERATIONS } from './operations';
import { RequestParams } from './params';
import { FixedWindowCounter, type OrderCounts, type RateLimitReport } from './rate-limits';
import { faultError } from './rest-server';
import type { FakeBinanceLimits } from './settings';
import { wsApiSignaturePayload } from './signing';
import { ServerConnection } from './ws-connection';

/** Engine user-data events → the JSON text of Binance's events (user-data-stream.md). */
export interface UserDataPayloads {
  executionReport(event: ExecutionReportEvent): string;
  outboundAccountPosition(event: AccountPositionEvent): string;
  balanceUpdate(event: BalanceUpdateEvent): string;
  listStatus(event: ListStatusEvent): string;
}

type RequestId = number | string | null;

interface Subscription {
  readonly id: number;
  readonly account: AccountInfo;
  /** Started by `userDataStream.subscribe` on a logged-on session (ended by logout). */
  readonly viaLogon: boolean;
}

class ApiSession {
  readonly connection: ServerConnection;
  readonly ip: string;
  readonly connectedSince: number;
  /** The connection URL's `returnRateLimits` default. */
  readonly returnRateLimits: boolean;
  account: AccountInfo | undefined;
  authorizedSince: number | undefined;
  nextSubscriptionId = 0;
  readonly subscriptions = new Map<number, Subscription>();

  constructor(connection: ServerConnection, ip: string, connectedSince: number, returnRateLimits: boolean) {
    this.connection = connection;
    this.ip = ip;
    this.connectedSince = connectedSince;
    this.returnRateLimits = returnRateLimits;
  }

  subscriptionOf(accountId: string): Subscription | undefined {
    for (const subscription of this.subscriptions.values()) {
      if (subscription.account.id === accountId) return subscription;
    }
    return undefined;
  }
}

export interface WsApiServerOptions extends ExecutorDeps {
  readonly engine: ExchangeEngine;
  readonly limits: FakeBinanceLimits;
  readonly faults: FaultPlan;
  readonly registry: ConnectionRegistry;
  readonly userData: UserDataPayloads;
  readonly logger: Logger;
}

const SESSION_WEIGHT = 2;

/**
 * Binance's WebSocket API at `/ws-api/v3` (web-socket-api.md): the request / response envelope
 * with `rateLimits`, the operations shared with REST, `session.*` (Ed25519 logon) and
 * `userDataStream.*`, whose events arrive as `{"subscriptionId":N,"event":{…}}`.
 */
export class WsApiServer {
  readonly #options: WsApiServerOptions;
  readonly #http: Server;
  readonly #sockets: Set<Socket>;
  readonly #wss: WebSocketServer;
  readonly #attempts: FixedWindowCounter;
  readonly #sessions = new Map<ServerConnection, ApiSession>();
  readonly #unsubscribeEngine: Array<() => void>;
  /**
   * User data routed by account: each subscribed account's subscriptions, and its engine listener
   * (`engine.onAccount`, attached while the account has a subscription). An event reaches only its
   * account's subscribers, and the engine builds no user data for accounts nobody subscribed to.
   */
  readonly #routes = new Map<
    string,
    { readonly off: () => void; readonly targets: Map<Subscription, ApiSession> }
  >();
  #port = 0;

  constructor(options: WsApiServerOptions) {
    this.#options = options;
    const { server, sockets } = trackedServer();
    this.#http = server;
    this.#sockets = sockets;
    this.#wss = new WebSocketServer({ noServer: true, autoPong: false, maxPayload: 1024 * 1024 });
    this.#wss.on('error', () => {});
    this.#attempts = new FixedWindowCounter(options.limits.connectionAttemptsWindowMs);
    server.on('request', (_request, response) => {
      response.writeHead(404).end();
    });
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.#onUpgrade(request, socket as Socket, head),
    );
    this.#unsubscribeEngine = [
      options.engine.on('apiKeyRevoked', (event) => this.#onRevoked(event.accountId, event.apiKey)),
    ];
  }

  #route(session: ApiSession, subscription: Subscription): void {
    const accountId = subscription.account.id;
    let route = this.#routes.get(accountId);
    if (!route) {
      const targets = new Map<Subscription, ApiSession>();
      const off = this.#options.engine.onAccount(accountId, (event) => this.#onAccountEvent(targets, event));
      route = { off, targets };
      this.#routes.set(accountId, route);
    }
    route.targets.set(subscription, session);
  }

  #unroute(subscription: Subscription): void {
    const route = this.#routes.get(subscription.account.id);
    if (!route?.targets.delete(subscription) || route.targets.size > 0) return;
    route.off();
    this.#routes.delete(subscription.account.id);
  }

  #onAccountEvent(targets: ReadonlyMap<Subscription, ApiSession>, event: AccountEvent): void {
    const { userData } = this.#options;
    switch (event.type) {
      case 'execution':
        this.#deliver(targets, 'executionReport', () => userData.executionReport(event.data));
        break;
      case 'accountPosition':
        this.#deliver(targets, 'outboundAccountPosition', () => userData.outboundAccountPosition(event.data));
        break;
      case 'balanceUpdate':
        this.#deliver(targets, 'balanceUpdate', () => userData.balanceUpdate(event.data));
        break;
      case 'listStatus':
        this.#deliver(targets, 'listStatus', () => userData.listStatus(event.data));
        break;
      default:
        // apiKeyRevoked: #onRevoked ends the subscriptions and tells logged-on sessions too.
        break;
    }
  }

  async start(port = 0): Promise<string> {
    this.#port = await listen(this.#http, port);
    return `ws://127.0.0.1:${this.#port}/ws-api/v3`;
  }

  get port(): number {
    return this.#port;
  }

  /** Sends the `serverShutdown` connection event (fact sheet §6.3) to every WebSocket API connection. */
  announceShutdown(eventTime: number): void {
    const frame = JSON.stringify({ event: { e: 'serverShutdown', E: eventTime } });
    for (const session of this.#sessions.values()) session.connection.send(frame, 'serverShutdown');
  }

  async close(): Promise<void> {
    for (const off of this.#unsubscribeEngine) off();
    for (const route of this.#routes.values()) route.off();
    this.#routes.clear();
    for (const session of this.#sessions.values()) session.connection.terminate();
    this.#sessions.clear();
    this.#wss.close();
    await closeServer(this.#http, this.#sockets);
  }

  #onUpgrade(request: IncomingMessage, socket: Socket, head: Buffer): void {
    const { clock, limits, limiter } = this.#options;
    const url = new URL(request.url ?? '/', 'ws://localhost');
    if (url.pathname !== '/ws-api/v3') {
      rejectUpgrade(socket, 404, 'Not Found');
      return;
    }
    const ip = remoteAddress(request);
    const now = clock.now();
    if (this.#attempts.add(ip, 1, now) > limits.connectionAttempts) {
      rejectUpgrade(socket, 429, 'Too Many Requests');
      return;
    }
    try {
      limiter.admit(ip, limits.wsApiConnectionWeight, now);
    } catch (error) {
      const apiError = toApiError(error);
      rejectUpgrade(
        socket,
        apiError.httpStatus,
        apiError.httpStatus === 418 ? "I'm a teapot" : 'Too Many Requests',
        JSON.stringify({ code: apiError.code, msg: apiError.msg }),
      );
      return;
    }
    const returnRateLimits = url.searchParams.get('returnRateLimits') !== 'false';
    this.#wss.handleUpgrade(request, socket, head, (ws) =>
      this.#onConnection(ws, request, ip, returnRateLimits),
    );
  }

  #onConnection(ws: WebSocket, request: IncomingMessage, ip: string, returnRateLimits: boolean): void {
    const { clock, limits, faults, registry } = this.#options;
    const connection = new ServerConnection({
      id: registry.nextId('wsApi'),
      kind: 'wsApi',
      path: request.url ?? '/ws-api/v3',
      remoteAddress: ip,
      socket: ws,
      clock,
      faults,
      timings: {
        pingIntervalMs: limits.pingIntervalMs,
        pongTimeoutMs: limits.pongTimeoutMs,
        maxLifetimeMs: limits.maxConnectionLifetimeMs,
        incomingPerSecond: 0,
      },
      hooks: {
        onClose: (closed) => {
          const session = this.#sessions.get(closed);
          if (session && session.subscriptions.size > 0) {
            for (const subscription of session.subscriptions.values()) this.#unroute(subscription);
            session.subscriptions.clear();
          }
          this.#sessions.delete(closed);
          registry.remove(closed);
        },
      },
    });
    const session = new ApiSession(connection, ip, clock.now(), returnRateLimits);
    this.#sessions.set(connection, session);
    ws.on('message', (data, isBinary) => {
      connection.countIncoming();
      this.#onMessage(session, isBinary ? '' : data.toString()).catch((error: unknown) => {
        this.#options.logger.errorWithException('fake binance: WebSocket API request failed', error);
      });
    });
    registry.add(connection);
  }

  async #onMessage(session: ApiSession, text: string): Promise<void> {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      this.#reply(session, null, new BinanceApiError(400, -1135, 'Invalid JSON Request'), false, undefined);
      return;
    }
    if (typeof message !== 'object' || message === null || Array.isArray(message)) {
      this.#reply(session, null, new BinanceApiError(400, -1135, 'Invalid JSON Request'), false, undefined);
      return;
    }
    const request = message as { id?: unknown; method?: unknown; params?: unknown };
    const id = request.id;
    if (id !== null && typeof id !== 'number' && typeof id !== 'string') {
      this.#reply(session, null, Errors.mandatory('id'), false, undefined);
      return;
    }
    if (typeof request.method !== 'string' || request.method === '') {
      this.#reply(session, id, Errors.mandatory('method'), false, undefined);
      return;
    }
    const method = request.method.startsWith('v3/') ? request.method.slice(3) : request.method;
    const rawParams = request.params;
    if (
      rawParams !== undefined &&
      (typeof rawParams !== 'object' || rawParams === null || Array.isArray(rawParams))
    ) {
      this.#reply(
        session,
        id,
        new BinanceApiError(400, -1135, "JSON sent for parameter 'params' is not valid"),
        false,
        undefined,
      );
      return;
    }
    const paramsObject = (rawParams ?? {}) as Record<string, unknown>;
    let params: RequestParams;
    try {
      params = RequestParams.fromJson(paramsObject);
    } catch (error) {
      this.#reply(session, id, toApiError(error), false, undefined);
      return;
    }
    let showLimits = session.returnRateLimits;
    const requested = params.raw('returnRateLimits');
    if (requested === 'true') showLimits = true;
    else if (requested === 'false') showLimits = false;

    const { faults, clock } = this.#options;
    let fault: RequestFaultAction | undefined = faults.requestFault({
      transport: 'wsApi',
      endpoint: method,
      connectionId: session.connection.id,
    });
    if (fault?.type === 'delay') {
      await clock.sleep(fault.ms);
      fault = undefined;
    }
    if (fault?.type === 'error') {
      this.#reply(session, id, faultError(fault, clock.now(), this.#options.limiter), showLimits, undefined);
      return;
    }
    if (
      fault &&
      (fault.type === 'noResponse' || fault.type === 'dropConnection') &&
      fault.execute === false
    ) {
      if (fault.type === 'dropConnection') session.connection.terminate();
      return;
    }

    let result: unknown;
    let account: AccountInfo | undefined;
    let orderCounts: OrderCounts | undefined;
    let failure: BinanceApiError | undefined;
    try {
      const outcome = this.#run(session, method, params, paramsObject);
      result = outcome.result;
      account = outcome.account;
      orderCounts = outcome.orderCounts;
    } catch (error) {
      failure = toApiError(error);
      if (failure.code === -1000)
        this.#options.logger.errorWithException('fake binance: unexpected error', error);
      account = session.account;
    }
    if (fault?.type === 'answer') {
      this.#reply(session, id, { result: fault.result }, showLimits, account);
      return;
    }
    if (fault?.type === 'unknownOutcome') {
      const status = fault.status ?? 503;
      const body = fault.body === 'unexpectedResponse' ? Errors.unexpectedResponse() : Errors.timeout();
      this.#reply(session, id, new BinanceApiError(status, body.code, body.msg), showLimits, account);
      return;
    }
    if (fault?.type === 'noResponse') return;
    if (fault?.type === 'dropConnection') {
      session.connection.terminate();
      return;
    }
    this.#reply(
      session,
      id,
      failure ?? { result },
      showLimits,
      account,
      WS_API_OPERATIONS.get(method)?.orders,
      orderCounts,
    );
    if (failure?.httpStatus === 418) session.connection.close(1008, 'IP banned');
  }

  /** Runs a method: the session / user-data ones here, the rest through the shared operations. */
  #run(
    session: ApiSession,
    method: string,
    params: RequestParams,
    paramsObject: Readonly<Record<string, unknown>>,
  ): { result: unknown; account: AccountInfo | undefined; orderCounts?: OrderCounts } {
    const { clock, limiter } = this.#options;
    const operation = WS_API_OPERATIONS.get(method);
    if (operation) {
      let account: AccountInfo | undefined;
      const execution = execute(this.#options, operation, params, session.ip, () => {
        account = this.#authenticate(session, params, paramsObject, false);
        return account;
      });
      return {
        result: execution.result,
        account,
        ...(execution.orderCounts && { orderCounts: execution.orderCounts }),
      };
    }
    const now = clock.now();
    switch (method) {
      case 'session.logon': {
        limiter.admit(session.ip, SESSION_WEIGHT, now);
        const account = this.#authenticate(session, params, paramsObject, true);
        params.finish();
        session.account = account;
        session.authorizedSince = clock.now();
        return { result: this.#sessionStatus(session), account };
      }
      case 'session.status':
        limiter.admit(session.ip, SESSION_WEIGHT, now);
        params.finish();
        return { result: this.#sessionStatus(session), account: session.account };
      case 'session.logout': {
        limiter.admit(session.ip, SESSION_WEIGHT, now);
        params.finish();
        for (const subscription of [...session.subscriptions.values()]) {
          if (subscription.viaLogon) this.#endSubscription(session, subscription);
        }
        session.account = undefined;
        session.authorizedSince = undefined;
        return { result: this.#sessionStatus(session), account: undefined };
      }
      case 'session.subscriptions':
        limiter.admit(session.ip, SESSION_WEIGHT, now);
        params.finish();
        return {
          result: [...session.subscriptions.keys()].map((subscriptionId) => ({ subscriptionId })),
          account: session.account,
        };
      case 'userDataStream.subscribe': {
        limiter.admit(session.ip, SESSION_WEIGHT, now);
        params.finish();
        const account = session.account;
        if (!account) throw Errors.unauthorized();
        return { result: this.#subscribe(session, account, true), account };
      }
      case 'userDataStream.subscribe.signature': {
        limiter.admit(session.ip, SESSION_WEIGHT, now);
        const account = this.#signed(params, paramsObject, false);
        params.finish();
        return { result: this.#subscribe(session, account, false), account };
      }
      case 'userDataStream.unsubscribe': {
        limiter.admit(session.ip, SESSION_WEIGHT, now);
        const subscriptionId = params.optionalLong('subscriptionId');
        params.finish();
        if (subscriptionId === undefined) {
          if (session.subscriptions.size === 0) throw Errors.subscriptionInactive();
          for (const subscription of [...session.subscriptions.values()])
            this.#endSubscription(session, subscription);
        } else {
          const subscription = session.subscriptions.get(subscriptionId);
          if (!subscription) throw Errors.subscriptionInactive();
          this.#endSubscription(session, subscription);
        }
        return { result: {}, account: session.account };
      }
      default:
        limiter.admit(session.ip, 1, now);
        throw new BinanceApiError(400, -1020, 'This operation is not supported.');
    }
  }

  /** A signed request: the session's account when logged on and no apiKey is given, else apiKey + signature. */
  #authenticate(
    session: ApiSession,
    params: RequestParams,
    paramsObject: Readonly<Record<string, unknown>>,
    logon: boolean,
  ): AccountInfo {
    if (!logon && session.account && paramsObject.apiKey === undefined) {
      const timing = readTiming(params);
      params.consume('signature');
      const account = this.#options.authenticator.account(session.account.apiKey);
      checkTiming(timing, this.#options.clock.now());
      return account;
    }
    return this.#signed(params, paramsObject, logon);
  }

  #signed(
    params: RequestParams,
    paramsObject: Readonly<Record<string, unknown>>,
    ed25519Only: boolean,
  ): AccountInfo {
    const { authenticator, clock } = this.#options;
    const apiKey = params.raw('apiKey');
    if (apiKey === undefined || apiKey === '') throw Errors.mandatory('apiKey');
    const account = authenticator.account(apiKey);
    const timing = readTiming(params);
    const signature = params.raw('signature');
    authenticator.verify(account, wsApiSignaturePayload(paramsObject), signature, ed25519Only);
    checkTiming(timing, clock.now());
    return account;
  }

  #sessionStatus(session: ApiSession): Record<string, unknown> {
    return {
      apiKey: session.account?.apiKey ?? null,
      authorizedSince: session.authorizedSince ?? null,
      connectedSince: session.connectedSince,
      returnRateLimits: session.returnRateLimits,
      serverTime: this.#options.clock.now(),
      userDataStream: session.subscriptions.size > 0,
    };
  }

  #subscribe(session: ApiSession, account: AccountInfo, viaLogon: boolean): { subscriptionId: number } {
    if (session.subscriptionOf(account.id)) throw Errors.subscriptionActive();
    if (session.subscriptions.size >= this.#options.limits.maxUserDataSubscriptions) {
      throw new BinanceApiError(400, -2042, 'Maximum subscription ID reached for this connection.');
    }
    const id = session.nextSubscriptionId++;
    const subscription: Subscription = { id, account, viaLogon };
    session.subscriptions.set(id, subscription);
    this.#route(session, subscription);
    return { subscriptionId: id };
  }

  #endSubscription(session: ApiSession, subscription: Subscription): void {
    if (session.subscriptions.delete(subscription.id)) this.#unroute(subscription);
    const event = JSON.stringify({ e: 'eventStreamTerminated', E: this.#options.clock.now() });
    session.connection.send(
      `{"subscriptionId":${subscription.id},"event":${event}}`,
      'eventStreamTerminated',
    );
  }

  #deliver(targets: ReadonlyMap<Subscription, ApiSession>, eventType: string, build: () => string): void {
    let payload: string | undefined;
    for (const [subscription, session] of targets) {
      payload ??= build();
      session.connection.send(`{"subscriptionId":${subscription.id},"event":${payload}}`, eventType);
    }
  }

  #onRevoked(accountId: string, apiKey: string): void {
    this.#options.authenticator.forget(apiKey);
    const error = Errors.rejectedKey();
    const frame = JSON.stringify({
      id: null,
      status: error.httpStatus,
      error: { code: error.code, msg: error.msg },
    });
    for (const session of this.#sessions.values()) {
      const subscription = session.subscriptionOf(accountId);
      const loggedOn = session.account?.id === accountId;
      if (!subscription && !loggedOn) continue;
      if (subscription) this.#endSubscription(session, subscription);
      if (loggedOn) {
        session.account = undefined;
        session.authorizedSince = undefined;
      }
      session.connection.send(frame, 'response');
    }
  }

  #reply(
    session: ApiSession,
    id: unknown,
    outcome: BinanceApiError | { result: unknown },
    showLimits: boolean,
    account: AccountInfo | undefined,
    orders?: number,
    orderCounts?: OrderCounts,
  ): void {
    const { limiter, clock } = this.#options;
    const now = clock.now();
    let rateLimits: RateLimitReport[] | undefined;
    if (showLimits) {
      rateLimits = [];
      // An accepted order reports the counts of its answer (before its own fills' decrement).
      if (orders && account) rateLimits.push(...limiter.orderReports(account.id, now, orderCounts));
      rateLimits.push(limiter.weightReport(session.ip, now));
    }
    const frame: Record<string, unknown> = { id: id as RequestId };
    if (outcome instanceof BinanceApiError) {
      frame.status = outcome.httpStatus;
      frame.error =
        outcome.data !== undefined
          ? { code: outcome.code, msg: outcome.msg, data: outcome.data }
          : { code: outcome.code, msg: outcome.msg };
    } else {
      frame.status = 200;
      frame.result = outcome.result;
    }
    if (rateLimits) frame.rateLimits = rateLimits;
    session.connection.send(JSON.stringify(frame), 'response');
  }
}
