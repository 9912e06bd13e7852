import { randomBytes } from 'node:crypto';
import {
  type BusEvent,
  type BusSubscription,
  type Clock,
  ClosedError,
  type ExchangeId,
  type Logger,
  type MessageBus,
  type TimerHandle,
  TimeoutError,
  toVenuekitError,
  ValidationError,
} from '@venuekit/core';
import { errorFromJSON } from './remote-error';
import { resolveRequest, specOf, validateExchange } from './spec';
import type { ResolvedRequest } from './types';

/**
 * The control protocol between consumer processes and the gateway holding the
 * exchange connections, carried on the bus itself:
 *
 * - a consumer sends `acquire` (one stream, with a lease) and gets `acquired` or `refused` on its reply topic;
 * - it sends `renew` with every stream it holds before its leases run out (this also re-acquires them
 *   from a gateway that restarted and forgot them);
 * - it sends `release` when its last local subscriber of a stream leaves.
 *
 * The gateway publishes a stream while anybody holds a lease on it, so a consumer that crashes frees its
 * exchange subscriptions when its leases expire.
 */
export const CONTROL_TOPIC = 'streams.control';

export function replyTopic(consumerId: string): string {
  return `${CONTROL_TOPIC}.${consumerId}`;
}

const CONSUMER_ID = /^[\w-]{1,64}$/;
export const MIN_LEASE_MS = 1000;
export const MAX_LEASE_MS = 600_000;

type WireRequest = ReturnType<typeof specOf> & { readonly exchange: ExchangeId };

function wire(request: ResolvedRequest): WireRequest {
  return { ...specOf(request), exchange: request.exchange };
}

// ---------------------------------------------------------------------------
// The consumer's side

export interface Hold {
  /** Resolves when a gateway confirmed it publishes the stream; rejects if refused or nobody answered. */
  readonly ready: Promise<void>;
  release(): void;
}

interface HeldStream {
  readonly request: ResolvedRequest;
  count: number;
  readonly ready: Promise<void>;
}

interface Pending {
  resolve(): void;
  reject(error: unknown): void;
  timer: TimerHandle;
}

export interface GatewayClientOptions {
  readonly bus: MessageBus;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly leaseMs: number;
  readonly acquireTimeoutMs: number;
}

/** Asks gateways for streams and keeps the leases alive; one per consumer StreamManager. */
export class GatewayClient {
  readonly consumerId = `c-${randomBytes(8).toString('hex')}`;
  readonly #options: GatewayClientOptions;
  readonly #held = new Map<string, HeldStream>();
  readonly #pending = new Map<string, Pending>();
  #replies: Promise<BusSubscription> | undefined;
  #renewTimer: TimerHandle | undefined;
  #nextRequest = 1;
  #closed = false;

  constructor(options: GatewayClientOptions) {
    this.#options = options;
  }

  /** Reference counted per topic: only the first hold sends `acquire`, only the last release sends `release`. */
  hold(request: ResolvedRequest): Hold {
    if (this.#closed) {
      const ready = Promise.reject(new ClosedError({ message: 'the stream manager is closed' }));
      ready.catch(() => {});
      return { ready, release: () => {} };
    }
    let held = this.#held.get(request.topic);
    if (held === undefined) {
      const ready = this.#acquire(request);
      const entry: HeldStream = { request, count: 0, ready };
      ready.catch(() => {
        if (this.#held.get(request.topic) === entry) this.#forget(request.topic);
      });
      held = entry;
      this.#held.set(request.topic, entry);
      this.#renewTimer ??= this.#options.clock.setInterval(
        this.#renew,
        Math.max(250, this.#options.leaseMs / 3),
      );
    }
    const entry = held;
    entry.count++;
    let released = false;
    return {
      ready: entry.ready,
      release: () => {
        if (released) return;
        released = true;
        entry.count--;
        if (entry.count > 0 || this.#held.get(request.topic) !== entry) return;
        this.#forget(request.topic);
        this.#send('release', request.exchange, { consumerId: this.consumerId, topics: [request.topic] });
      },
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const topics = [...this.#held.keys()];
    this.#held.clear();
    this.#options.clock.clearInterval(this.#renewTimer);
    this.#renewTimer = undefined;
    for (const pending of this.#pending.values()) {
      this.#options.clock.clearTimeout(pending.timer);
      pending.reject(new ClosedError({ message: 'the stream manager closed while waiting for a gateway' }));
    }
    this.#pending.clear();
    if (topics.length > 0) this.#send('release', '*', { consumerId: this.consumerId, topics });
    const replies = this.#replies;
    this.#replies = undefined;
    if (replies) await replies.then((s) => s.unsubscribe()).catch(() => {});
  }

  #forget(topic: string): void {
    this.#held.delete(topic);
    if (this.#held.size === 0) {
      this.#options.clock.clearInterval(this.#renewTimer);
      this.#renewTimer = undefined;
    }
  }

  async #acquire(request: ResolvedRequest): Promise<void> {
    this.#replies ??= this.#options.bus.subscribe(replyTopic(this.consumerId), this.#onReply);
    // If the reply topic cannot be subscribed, the next hold tries again.
    this.#replies.catch(() => {
      this.#replies = undefined;
    });
    await this.#replies;
    if (this.#closed) throw new ClosedError({ message: 'the stream manager is closed' });
    const requestId = `${this.#nextRequest++}`;
    const { acquireTimeoutMs, clock } = this.#options;
    await new Promise<void>((resolve, reject) => {
      const timer = clock.setTimeout(() => {
        this.#pending.delete(requestId);
        reject(
          new TimeoutError({
            message: `no stream gateway answered for ${request.topic} within ${acquireTimeoutMs} ms: run a StreamManager with gateway: true, holding the ${request.exchange} adapter, on the same bus`,
            context: { exchange: request.exchange, symbol: request.symbol, operation: 'acquireStream' },
          }),
        );
      }, acquireTimeoutMs);
      this.#pending.set(requestId, { resolve, reject, timer });
      this.#send('acquire', request.exchange, {
        requestId,
        consumerId: this.consumerId,
        leaseMs: this.#options.leaseMs,
        request: wire(request),
      });
    });
  }

  readonly #onReply = (event: BusEvent): void => {
    const data = event.data as { requestId?: unknown; error?: unknown } | null;
    const requestId = typeof data?.requestId === 'string' ? data.requestId : undefined;
    const pending = requestId === undefined ? undefined : this.#pending.get(requestId);
    if (pending === undefined || requestId === undefined) return;
    this.#pending.delete(requestId);
    this.#options.clock.clearTimeout(pending.timer);
    if (event.type === 'acquired') pending.resolve();
    else pending.reject(errorFromJSON(data?.error));
  };

  readonly #renew = (): void => {
    if (this.#held.size === 0) return;
    const requests: WireRequest[] = [];
    for (const held of this.#held.values()) requests.push(wire(held.request));
    this.#send('renew', '*', { consumerId: this.consumerId, leaseMs: this.#options.leaseMs, requests });
  };

  #send(type: string, exchange: ExchangeId, data: unknown): void {
    this.#options.bus.publish({
      topic: CONTROL_TOPIC,
      type,
      exchange,
      data,
      publishedAt: this.#options.clock.now(),
    });
  }
}

// ---------------------------------------------------------------------------
// The gateway's side

/** What the gateway needs from the stream manager that owns the publications. */
export interface GatewayHost {
  /** True when this process holds an adapter for the exchange. */
  serves(exchange: ExchangeId): boolean;
  /** Starts (or keeps) publishing the stream for this consumer until `expiresAt`; resolves when it is live. */
  lease(consumerId: string, request: ResolvedRequest, expiresAt: number): Promise<void>;
  release(consumerId: string, topic: string): void;
  /** Drops the leases that expired before `now`. */
  expire(now: number): void;
}

export interface StreamGatewayOptions {
  readonly bus: MessageBus;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly host: GatewayHost;
  /** How often expired leases are looked for. Default 1000 ms. */
  readonly sweepMs?: number;
}

/** Serves consumer processes' stream requests from this process's adapters. */
export class StreamGateway {
  readonly #options: StreamGatewayOptions;
  #subscription: Promise<BusSubscription> | undefined;
  #sweep: TimerHandle | undefined;
  #closed = false;

  constructor(options: StreamGatewayOptions) {
    this.#options = options;
  }

  /** Resolves once the gateway listens for requests. Idempotent. */
  start(): Promise<void> {
    if (this.#closed) return Promise.reject(new ClosedError({ message: 'the stream gateway is closed' }));
    if (this.#subscription === undefined) {
      this.#subscription = this.#options.bus.subscribe(CONTROL_TOPIC, this.#onControl);
      const { clock, host } = this.#options;
      this.#sweep = clock.setInterval(() => host.expire(clock.now()), this.#options.sweepMs ?? 1000);
    }
    return this.#subscription.then(() => undefined);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#options.clock.clearInterval(this.#sweep);
    const subscription = this.#subscription;
    this.#subscription = undefined;
    if (subscription) await subscription.then((s) => s.unsubscribe()).catch(() => {});
  }

  readonly #onControl = (event: BusEvent): void => {
    if (this.#closed) return;
    const data = event.data as Record<string, unknown> | null;
    const consumerId = data?.consumerId;
    if (typeof consumerId !== 'string' || !CONSUMER_ID.test(consumerId)) return;
    switch (event.type) {
      case 'acquire':
        this.#acquire(consumerId, data as Record<string, unknown>);
        break;
      case 'renew': {
        const requests = (data as { requests?: unknown }).requests;
        const leaseMs = clampLease((data as { leaseMs?: unknown }).leaseMs);
        if (!Array.isArray(requests) || leaseMs === undefined) return;
        for (const raw of requests) {
          const request = this.#read(raw);
          if (request === undefined) continue;
          this.#options.host.lease(consumerId, request, this.#options.clock.now() + leaseMs).catch(() => {});
        }
        break;
      }
      case 'release': {
        const topics = (data as { topics?: unknown }).topics;
        if (!Array.isArray(topics)) return;
        for (const topic of topics)
          if (typeof topic === 'string') this.#options.host.release(consumerId, topic);
        break;
      }
    }
  };

  #acquire(consumerId: string, data: Record<string, unknown>): void {
    const requestId = data.requestId;
    if (typeof requestId !== 'string') return;
    const reply = (type: 'acquired' | 'refused', exchange: string, body: Record<string, unknown>): void => {
      if (this.#closed) return;
      this.#options.bus.publish({
        topic: replyTopic(consumerId),
        type,
        exchange,
        data: { requestId, ...body },
        publishedAt: this.#options.clock.now(),
      });
    };
    const raw = data.request as { exchange?: unknown } | null;
    const exchange = typeof raw?.exchange === 'string' ? raw.exchange : undefined;
    // Requests for exchanges this process does not hold are another gateway's to answer.
    if (exchange === undefined || !this.#options.host.serves(exchange)) return;
    let request: ResolvedRequest;
    let leaseMs: number;
    try {
      request = resolveRequest(raw, validateExchange(exchange));
      const lease = clampLease(data.leaseMs);
      if (lease === undefined) {
        throw new ValidationError('INVALID_PARAMETER', {
          field: 'leaseMs',
          rule: `must be a number of ms from ${MIN_LEASE_MS} to ${MAX_LEASE_MS}`,
        });
      }
      leaseMs = lease;
    } catch (error) {
      reply('refused', exchange, { error: toVenuekitError(error).toJSON() });
      return;
    }
    this.#options.host.lease(consumerId, request, this.#options.clock.now() + leaseMs).then(
      () => reply('acquired', exchange, { topic: request.topic }),
      (error: unknown) => {
        this.#options.logger.warn('a consumer asked for a stream the gateway could not open', {
          topic: request.topic,
          consumerId,
          error: error instanceof Error ? error.message : String(error),
        });
        reply('refused', exchange, { error: toVenuekitError(error).toJSON() });
      },
    );
  }

  #read(raw: unknown): ResolvedRequest | undefined {
    const exchange = (raw as { exchange?: unknown } | null)?.exchange;
    if (typeof exchange !== 'string' || !this.#options.host.serves(exchange)) return undefined;
    try {
      return resolveRequest(raw, exchange);
    } catch {
      return undefined;
    }
  }
}

function clampLease(value: unknown): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  if (value < MIN_LEASE_MS || value > MAX_LEASE_MS) return undefined;
  return value;
}
