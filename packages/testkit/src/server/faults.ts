/**
 * Scripted faults: deterministic, counted, removable. A fault matches requests (REST or WebSocket
 * API) or outgoing WebSocket messages; it fires on the matches after `skip`, `times` times (default
 * once; `Infinity` for every match), then retires. Connection-level faults (close, go silent, end
 * at lifetime, server shutdown) are imperative calls on the handle.
 */

export type RequestTransport = 'rest' | 'wsApi';

export type RequestFaultAction =
  /**
   * Answer with this error instead of executing. Defaults by status: 429 → -1003 with
   * `Retry-After`, 418 → -1003 ban, 5xx → -1001/-1008, others -1000.
   */
  | {
      readonly type: 'error';
      readonly status: number;
      readonly code?: number;
      readonly msg?: string;
      /** Seconds for `Retry-After` / `retryAfter` (429 and 418). Default 1 (429) or 120 (418). */
      readonly retryAfterSeconds?: number;
    }
  /** Wait, then handle the request normally. */
  | { readonly type: 'delay'; readonly ms: number }
  /**
   * Execute the request (the order IS placed / canceled), then answer as if the outcome were
   * unknown: status 503 by default, body -1007 "Timeout waiting for response from backend
   * server. Send status unknown; execution status unknown." (or -1006, or an empty body).
   */
  | {
      readonly type: 'unknownOutcome';
      readonly status?: number;
      readonly body?: 'timeout' | 'unexpectedResponse' | 'empty';
    }
  /**
   * Execute the request (an order IS placed / canceled when it is valid), then answer status 200
   * with `result` in place of the real answer, whatever that was: the WebSocket API answer's
   * `result`, or the REST body (`result` as JSON; `undefined` sends an empty body). For tests of
   * how a client reads a broken or unexpected answer.
   */
  | { readonly type: 'answer'; readonly result: unknown }
  /** Execute (unless `execute: false`), then never answer. The REST socket stays open until close. */
  | { readonly type: 'noResponse'; readonly execute?: boolean }
  /** Execute (unless `execute: false`), then drop the TCP connection without an answer. */
  | { readonly type: 'dropConnection'; readonly execute?: boolean };

export interface RequestFaultSpec {
  /** Default: both. */
  readonly transport?: RequestTransport;
  /**
   * REST: `'POST /api/v3/order'` or just the path `'/api/v3/order'`; WebSocket API: the method,
   * e.g. `'order.place'`. Default: every request.
   */
  readonly endpoint?: string;
  /** Only requests on this WebSocket API connection. */
  readonly connectionId?: string;
  /** Let this many matching requests through first. Default 0. */
  readonly skip?: number;
  /** How many matching requests it affects. Default 1. */
  readonly times?: number;
  readonly action: RequestFaultAction;
}

export type MessageFaultAction =
  | { readonly type: 'drop' }
  | { readonly type: 'duplicate' }
  | { readonly type: 'delay'; readonly ms: number }
  /** Hold the message and send it after the next one on the same connection. */
  | { readonly type: 'reorder' }
  /** Replace the message with a truncated, unparsable copy. */
  | { readonly type: 'corrupt' };

export type ConnectionKind = 'streams' | 'wsApi';

export interface MessageFaultSpec {
  readonly connectionId?: string;
  readonly kind?: ConnectionKind;
  /**
   * Market streams: the stream name (`'btcusdt@depth'`) or a RegExp over it. WebSocket API: the
   * user-data event type (`'executionReport'`) or `'response'` for request answers.
   */
  readonly stream?: string | RegExp;
  readonly skip?: number;
  readonly times?: number;
  readonly action: MessageFaultAction;
}

/** A fault in force: how often it fired, a way to wait for it, and to remove it. */
export interface Fault {
  readonly hits: number;
  readonly active: boolean;
  /** Resolves once the fault has fired `count` times (default 1). */
  whenHit(count?: number): Promise<void>;
  remove(): void;
}

class FaultEntry<Spec extends { skip?: number; times?: number }> implements Fault {
  readonly spec: Spec;
  #seen = 0;
  #hits = 0;
  #removed = false;
  readonly #waiters: Array<{ count: number; resolve: () => void }> = [];
  readonly #owner: Set<FaultEntry<Spec>>;

  constructor(spec: Spec, owner: Set<FaultEntry<Spec>>) {
    this.spec = spec;
    this.#owner = owner;
  }

  get hits(): number {
    return this.#hits;
  }

  get active(): boolean {
    return !this.#removed && this.#hits < (this.spec.times ?? 1);
  }

  /** Called on a match: true when the fault fires this time. */
  take(): boolean {
    if (!this.active) return false;
    this.#seen++;
    if (this.#seen <= (this.spec.skip ?? 0)) return false;
    this.#hits++;
    for (let i = this.#waiters.length - 1; i >= 0; i--) {
      const waiter = this.#waiters[i]!;
      if (this.#hits >= waiter.count) {
        this.#waiters.splice(i, 1);
        waiter.resolve();
      }
    }
    if (!this.active) this.#owner.delete(this);
    return true;
  }

  whenHit(count = 1): Promise<void> {
    if (this.#hits >= count) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ count, resolve }));
  }

  remove(): void {
    this.#removed = true;
    this.#owner.delete(this);
  }
}

export interface RequestTarget {
  readonly transport: RequestTransport;
  /** `'POST /api/v3/order'` or `'order.place'`. */
  readonly endpoint: string;
  /** REST path, for path-only specs. */
  readonly path?: string;
  readonly connectionId?: string;
}

export interface MessageTarget {
  readonly connectionId: string;
  readonly kind: ConnectionKind;
  /** Stream name, user-data event type, or `'response'`. */
  readonly stream: string;
}

/** The registry of scripted request and message faults. */
export class FaultPlan {
  readonly #requests = new Set<FaultEntry<RequestFaultSpec>>();
  readonly #messages = new Set<FaultEntry<MessageFaultSpec>>();

  addRequestFault(spec: RequestFaultSpec): Fault {
    const entry = new FaultEntry(spec, this.#requests);
    this.#requests.add(entry);
    return entry;
  }

  addMessageFault(spec: MessageFaultSpec): Fault {
    const entry = new FaultEntry(spec, this.#messages);
    this.#messages.add(entry);
    return entry;
  }

  get hasMessageFaults(): boolean {
    return this.#messages.size > 0;
  }

  /** The action of the first request fault that fires for this request, if any. */
  requestFault(target: RequestTarget): RequestFaultAction | undefined {
    if (this.#requests.size === 0) return undefined;
    for (const entry of this.#requests) {
      const spec = entry.spec;
      if (spec.transport !== undefined && spec.transport !== target.transport) continue;
      if (spec.connectionId !== undefined && spec.connectionId !== target.connectionId) continue;
      if (spec.endpoint !== undefined && spec.endpoint !== target.endpoint && spec.endpoint !== target.path)
        continue;
      if (entry.take()) return spec.action;
    }
    return undefined;
  }

  /** The action of the first message fault that fires for this message, if any. */
  messageFault(target: MessageTarget): MessageFaultAction | undefined {
    if (this.#messages.size === 0) return undefined;
    for (const entry of this.#messages) {
      const spec = entry.spec;
      if (spec.connectionId !== undefined && spec.connectionId !== target.connectionId) continue;
      if (spec.kind !== undefined && spec.kind !== target.kind) continue;
      if (spec.stream !== undefined) {
        let matches: boolean;
        if (typeof spec.stream === 'string') matches = spec.stream === target.stream;
        else {
          spec.stream.lastIndex = 0;
          matches = spec.stream.test(target.stream);
        }
        if (!matches) continue;
      }
      if (entry.take()) return spec.action;
    }
    return undefined;
  }

  clear(): void {
    for (const entry of [...this.#requests]) entry.remove();
    for (const entry of [...this.#messages]) entry.remove();
  }
}
