import {
  ClockSkewError,
  type Clock,
  ClosedError,
  isVenuekitError,
  type Logger,
  silentLogger,
  systemClock,
  toVenuekitError,
} from '@venuekit/core';
import type { KyInstance } from 'ky';
import { type BinanceParams, type BinanceSigner, encodeParams, signatureParam } from '../credentials';
import { BinanceHttpClient, type BinanceHttpResponse } from './http';
import type { GovernedRequest, RequestPriority } from './rate-governor';
import type { RequestGate } from './request-gate';
import { linkSignals } from './signals';

/** The venue clock a signed request takes its `timestamp` from (rest/time-sync.ts). */
export interface VenueClock {
  now(): number;
  /** Measures again; called after a -1021. */
  resync(): Promise<unknown>;
  /** Measures once if never measured. */
  ensureSynced(): Promise<void>;
}

export interface SignedRequest {
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly path: string;
  /** Without `timestamp`, `recvWindow` or `signature`: those are added here. */
  readonly params: BinanceParams;
  /** The endpoint's documented weight. */
  readonly weight: number;
  /** Default `read`; placements count against the account's order limits. */
  readonly kind?: 'read' | 'order' | 'cancel';
  /**
   * `background` for a read nobody is waiting for now (a user data catch-up, a reconciliation the
   * caller gave up on): it waits behind live requests at the rate governor. Default `live`.
   */
  readonly priority?: RequestPriority;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /**
   * May the request be sent again after a -1021 (timestamp outside recvWindow) and a clock
   * resync? Default: only reads (GET). A -1021 placement or cancel is rejected to the caller,
   * retryable, after the resync.
   */
  readonly retryOnClockSkew?: boolean;
  /** Called with the request's `timestamp` just before it goes out (used to settle ambiguous orders). */
  readonly onSent?: (timestamp: number) => void;
}

export interface SignedResponse<T> extends BinanceHttpResponse<T> {
  /** The `timestamp` the request carried (venue time, ms). */
  readonly timestamp: number;
}

export interface BinanceSignedClientOptions {
  /** REST base url. */
  readonly baseUrl: string;
  readonly signer: BinanceSigner;
  /** The adapter's rate governor: signed requests wait here, then are signed. */
  readonly gate: RequestGate;
  /** Opaque per-account key for order counts. */
  readonly account: string;
  readonly clock?: Clock;
  readonly venueClock?: VenueClock;
  /** Default 5000 ms (Binance's default; max 60 000). */
  readonly recvWindowMs?: number;
  readonly timeoutMs?: number;
  readonly exchange?: string;
  readonly logger?: Logger;
  /** A ky instance to send with (e.g. with hooks); default ky over `nodeHttpFetch`. */
  readonly ky?: KyInstance;
  /**
   * The account's lifetime: once aborted, requests still waiting at the rate governor (or for
   * the venue clock) end with a ClosedError (`sent: false`) and none is signed or sent after it.
   * A request already out is left to finish: cutting it off would only make its outcome unknown.
   */
  readonly signal?: AbortSignal;
}

/**
 * Signed (TRADE / USER_DATA) REST requests. Each one waits at the rate governor first and is
 * signed after, so a long wait never makes its `timestamp` stale: `timestamp` comes from the
 * venue clock estimate, `recvWindow` from the config, and the signature covers the exact
 * percent-encoded string sent (the query string for GET and DELETE, the body for POST). Errors
 * carry the request's `timestamp` and `recvWindow` in their context.
 */
export class BinanceSignedClient {
  readonly #http: BinanceHttpClient;
  readonly #gate: RequestGate;
  readonly #signer: BinanceSigner;
  readonly #account: string;
  readonly #clock: Clock;
  readonly #venueClock: VenueClock | undefined;
  readonly #recvWindowMs: number;
  readonly #logger: Logger;
  readonly #lifetime: AbortSignal | undefined;

  constructor(options: BinanceSignedClientOptions) {
    this.#lifetime = options.signal;
    this.#gate = options.gate;
    this.#signer = options.signer;
    this.#account = options.account;
    this.#clock = options.clock ?? systemClock;
    this.#venueClock = options.venueClock;
    this.#recvWindowMs = options.recvWindowMs ?? 5000;
    this.#logger = options.logger ?? silentLogger;
    const gate = this.#gate;
    // The HTTP layer reports responses to the governor; admission already happened here.
    this.#http = new BinanceHttpClient({
      baseUrl: options.baseUrl,
      gate: { acquire: async () => {}, observe: (response) => gate.observe(response) },
      clock: this.#clock,
      logger: this.#logger,
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      ...(options.exchange === undefined ? {} : { exchange: options.exchange }),
      ...(options.ky === undefined ? {} : { ky: options.ky }),
    });
  }

  get recvWindowMs(): number {
    return this.#recvWindowMs;
  }

  get account(): string {
    return this.#account;
  }

  /** The venue's time by our estimate. */
  venueNow(): number {
    return this.#venueClock ? this.#venueClock.now() : this.#clock.now();
  }

  async request<T>(request: SignedRequest): Promise<SignedResponse<T>> {
    this.#assertOpen(request);
    if (this.#venueClock) {
      try {
        await this.#venueClock.ensureSynced();
      } catch (error) {
        this.#logger.warn('could not measure the venue clock; signing with the local clock', {
          error: toVenuekitError(error).code,
        });
      }
    }
    try {
      return await this.#send<T>(request);
    } catch (error) {
      if (!(error instanceof ClockSkewError) || !this.#venueClock) throw error;
      await this.#venueClock.resync().catch(() => undefined);
      const retry = request.retryOnClockSkew ?? request.method === 'GET';
      if (!retry) throw error;
      this.#logger.info('timestamp outside recvWindow; resynchronised the clock and sending the read again', {
        path: request.path,
      });
      return this.#send<T>(request);
    }
  }

  async #send<T>(request: SignedRequest): Promise<SignedResponse<T>> {
    const kind = request.kind ?? 'read';
    this.#assertOpen(request);
    const linked = linkSignals([request.signal, this.#lifetime]);
    const admission: GovernedRequest = {
      weight: request.weight,
      kind,
      account: this.#account,
      ...(request.priority === 'background' ? { priority: 'background' } : {}),
      ...(linked.signal === undefined ? {} : { signal: linked.signal }),
    };
    try {
      await this.#gate.acquire(admission);
    } catch (error) {
      this.#assertOpen(request);
      throw error;
    } finally {
      linked.dispose();
    }
    // Admitted, but closed meanwhile (the credentials may be gone already): nothing is signed.
    this.#assertOpen(request);
    const timestamp = Math.round(this.venueNow());
    const encoded = encodeParams({ ...request.params, recvWindow: this.#recvWindowMs, timestamp });
    const signed = `${encoded}&${signatureParam(this.#signer, encoded)}`;
    const inBody = request.method === 'POST';
    request.onSent?.(timestamp);
    try {
      const response = await this.#http.request<T>({
        method: request.method,
        path: request.path,
        ...(inBody ? { body: signed } : { query: signed }),
        headers: { 'X-MBX-APIKEY': this.#signer.apiKey() },
        weight: request.weight,
        kind,
        account: this.#account,
        ...(request.signal === undefined ? {} : { signal: request.signal }),
        ...(request.timeoutMs === undefined ? {} : { timeoutMs: request.timeoutMs }),
      });
      return { ...response, timestamp };
    } catch (error) {
      if (isVenuekitError(error)) error.withContext({ timestamp, recvWindow: this.#recvWindowMs });
      throw error;
    }
  }

  #assertOpen(request: SignedRequest): void {
    if (!this.#lifetime?.aborted) return;
    throw new ClosedError({
      message: `${request.method} ${request.path}: not sent, the account was closed`,
      context: { operation: `${request.method} ${request.path}`, sent: false },
    });
  }
}
