import {
  type Clock,
  ClosedError,
  ExponentialBackoff,
  IpBannedError,
  type Logger,
  type UnifiedSymbol,
  ValidationError,
  silentLogger,
  systemClock,
  telemetry,
  toVenuekitError,
} from '@venuekit/core';
import type { RequestPriority } from './rest/rate-governor';

/**
 * What one ambiguous placement (an order, or an OCO order list) is reconciled against: its
 * client id, and how to ask the venue about it.
 */
export interface ReconcileTarget<T> {
  /** The client order id (or list client order id) the intent was sent with. */
  readonly key: string;
  readonly kind: 'order' | 'orderList';
  readonly symbol: UnifiedSymbol;
  /** The recvWindow the request was sent with (ms). */
  readonly recvWindowMs: number;
  /**
   * The venue's view now: the order (list), or undefined when the venue does not know the id.
   * `priority` is `live` while the caller waits for the outcome, `background` once the caller was
   * given an OrderStateUnknownError (the query then waits behind live requests at the rate governor).
   */
  readonly find: (priority: RequestPriority) => Promise<T | undefined>;
  /** When the venue created it (venue ms); tells an older order that reused the id apart. */
  readonly createdAt: (value: T) => number;
}

export type ReconcileOutcome<T> =
  | { readonly placed: true; readonly value: T }
  /** Proven never placed: the venue does not know it, and can no longer accept the request. */
  | { readonly placed: false };

export interface OrderReconcilerOptions {
  /** The venue's time by our estimate (ms). */
  readonly venueNow: () => number;
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly exchange?: string;
  readonly userId?: string;
  /** First pause between queries. Default 200 ms, doubling (with jitter) to `maxDelayMs`. */
  readonly initialDelayMs?: number;
  /** Default 5000 ms. */
  readonly maxDelayMs?: number;
  /**
   * Slack added to `timestamp + recvWindow` before "not found" can mean "never placed": covers
   * our clock estimate's error. Default 2000 ms.
   */
  readonly settleMarginMs?: number;
  /** "Not found" answers needed after that deadline. Default 2. */
  readonly confirmations?: number;
  /**
   * Called once per reconciled intent with its outcome. `abandoned` is true when the caller had
   * already been given an OrderStateUnknownError: the outcome must reach it another way.
   */
  readonly onSettled?: (
    target: ReconcileTarget<unknown>,
    outcome: ReconcileOutcome<unknown>,
    abandoned: boolean,
  ) => void;
}

interface Entry {
  readonly target: ReconcileTarget<unknown>;
  readonly registeredAt: number;
  sentAt: number | undefined;
  /** What the user data stream reported for this id, if anything. */
  seen: unknown;
  reconciling: Promise<ReconcileOutcome<unknown>> | undefined;
  abandoned: boolean;
  wake: (() => void) | undefined;
}

/**
 * Settles order intents whose placement answer was lost. Every intent is registered under its
 * client id before it is sent; if the answer is a timeout, a dropped connection, -1006/-1007 or
 * a 5xx, `reconcile` asks the venue by client id, with backoff, until it knows: the order exists
 * (it is returned), or the venue does not know it and the request's `timestamp + recvWindow` has
 * passed on the venue's clock, after which Binance's matching engine can no longer accept it (it
 * was never placed). Nothing is ever resent. A user data event for the id settles it at once.
 */
export class OrderReconciler {
  readonly #options: OrderReconcilerOptions;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #entries = new Map<string, Entry>();
  #closed = false;

  constructor(options: OrderReconcilerOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? silentLogger;
  }

  /** Intents being reconciled now (their outcome is not known yet). */
  get unknown(): number {
    let count = 0;
    for (const entry of this.#entries.values()) if (entry.reconciling) count++;
    return count;
  }

  /** Whether an intent with this client id is in flight or being reconciled. */
  isTracked(key: string): boolean {
    return this.#entries.has(key);
  }

  /** Registers an intent before it is sent. A client id already in flight is refused. */
  register<T>(target: ReconcileTarget<T>): void {
    if (this.#closed) throw new ClosedError({ message: 'the account is closed' });
    if (this.#entries.has(target.key)) {
      throw new ValidationError('DUPLICATE_ORDER', {
        field: target.kind === 'order' ? 'clientOrderId' : 'listClientOrderId',
        rule: 'must differ from every order still in flight or being reconciled',
        context: { clientOrderId: target.key },
      });
    }
    this.#entries.set(target.key, {
      target: target as ReconcileTarget<unknown>,
      registeredAt: this.#options.venueNow(),
      sentAt: undefined,
      seen: undefined,
      reconciling: undefined,
      abandoned: false,
      wake: undefined,
    });
  }

  /** The request went out with this `timestamp` (venue ms). */
  sent(key: string, timestamp: number): void {
    const entry = this.#entries.get(key);
    if (entry) entry.sentAt = timestamp;
  }

  /** The venue answered definitively (accepted or rejected): nothing to reconcile. */
  forget(key: string): void {
    const entry = this.#entries.get(key);
    if (entry && !entry.reconciling) this.#entries.delete(key);
  }

  /** The user data stream reported this id: settles a reconciliation at once. */
  offer(key: string, value: unknown): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    entry.seen = value;
    entry.wake?.();
  }

  /** Whether the user data stream reported this id while it was tracked. */
  seen(key: string): boolean {
    return this.#entries.get(key)?.seen !== undefined;
  }

  /** The caller gave up waiting: the outcome will be reported through `onSettled`. */
  abandon(key: string): void {
    const entry = this.#entries.get(key);
    if (entry) entry.abandoned = true;
  }

  /** Settles the intent by querying the venue; resolves when the outcome is known. */
  reconcile<T>(key: string, cause: unknown): Promise<ReconcileOutcome<T>> {
    const entry = this.#entries.get(key);
    if (!entry) return Promise.reject(new ClosedError({ message: `no order intent ${key} to reconcile` }));
    if (!entry.reconciling) {
      const { target } = entry;
      this.#logger.warn('order outcome unknown; reconciling by client order id', {
        clientOrderId: key,
        symbol: target.symbol,
        cause: toVenuekitError(cause).code,
      });
      this.#publish(target, 'unknown');
      entry.reconciling = this.#loop(entry);
      // The loop never rejects except on close; the caller handles that.
      entry.reconciling.catch(() => undefined);
    }
    return entry.reconciling as Promise<ReconcileOutcome<T>>;
  }

  /** Stops every reconciliation; their promises reject with a ClosedError. */
  close(): void {
    this.#closed = true;
    for (const entry of this.#entries.values()) entry.wake?.();
  }

  async #loop(entry: Entry): Promise<ReconcileOutcome<unknown>> {
    const { target } = entry;
    const backoff = new ExponentialBackoff({
      initialMs: this.#options.initialDelayMs ?? 200,
      maxMs: this.#options.maxDelayMs ?? 5000,
    });
    const margin = this.#options.settleMarginMs ?? 2000;
    const confirmations = this.#options.confirmations ?? 2;
    const started = this.#clock.now();
    let notFound = 0;
    let queries = 0;
    for (;;) {
      if (this.#closed)
        throw new ClosedError({ message: `reconciliation of ${target.key} stopped: the account closed` });
      let outcome: ReconcileOutcome<unknown> | undefined;
      let pauseMs: number | undefined;
      const sentAt = entry.sentAt ?? entry.registeredAt;
      // The venue only accepts a request within [timestamp - 1000, timestamp + recvWindow] of its
      // clock: an order created before that reused the client id and is not this one.
      const ours = (value: unknown) =>
        value !== undefined && target.createdAt(value) >= sentAt - 1000 - margin;
      if (ours(entry.seen)) outcome = { placed: true, value: entry.seen };
      else {
        try {
          queries++;
          // Nobody waits for an abandoned reconciliation: its queries give way to live requests.
          const found = await target.find(entry.abandoned ? 'background' : 'live');
          if (ours(found)) {
            outcome = { placed: true, value: found };
          } else if (ours(entry.seen)) {
            outcome = { placed: true, value: entry.seen };
          } else if (this.#options.venueNow() >= sentAt + target.recvWindowMs + margin) {
            notFound++;
            if (notFound >= confirmations) outcome = { placed: false };
          }
        } catch (error) {
          const failure = toVenuekitError(error);
          if (failure instanceof IpBannedError) pauseMs = failure.retryAfterMs;
          this.#logger.debug('reconciliation query failed; trying again', {
            clientOrderId: target.key,
            error: failure.code,
          });
        }
      }
      if (outcome) {
        this.#entries.delete(target.key);
        this.#logger.info('order outcome reconciled', {
          clientOrderId: target.key,
          placed: outcome.placed,
          queries,
          durationMs: this.#clock.now() - started,
        });
        this.#publish(
          target,
          'reconciled',
          outcome.placed ? 'placed' : 'not_placed',
          this.#clock.now() - started,
        );
        try {
          this.#options.onSettled?.(target, outcome, entry.abandoned);
        } catch (error) {
          this.#logger.errorWithException('reconciliation listener threw', error);
        }
        return outcome;
      }
      await this.#pause(entry, pauseMs ?? backoff.next());
    }
  }

  #pause(entry: Entry, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = this.#clock.setTimeout(done, ms);
      function done() {
        entry.wake = undefined;
        resolve();
      }
      entry.wake = () => {
        this.#clock.clearTimeout(timer);
        done();
      };
    });
  }

  #publish(
    target: ReconcileTarget<unknown>,
    event: 'unknown' | 'reconciled',
    status?: string,
    durationMs?: number,
  ): void {
    if (!telemetry.order.hasSubscribers) return;
    telemetry.order.publish({
      exchange: this.#options.exchange ?? 'binance',
      ...(this.#options.userId === undefined ? {} : { userId: this.#options.userId }),
      symbol: target.symbol,
      clientOrderId: target.key,
      event,
      ...(status === undefined ? {} : { status }),
      ...(durationMs === undefined ? {} : { durationMs }),
    });
  }
}
