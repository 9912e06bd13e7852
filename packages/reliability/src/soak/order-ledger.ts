import { isVenuekitError, type Order, OrderStateUnknownError } from '@venuekit/core';
import type { ExchangeEngine, ExecutionReportEvent } from '@venuekit/testkit';

/** What the exchange knows of one client order id: the orders it created under it and the last state. */
interface ExchangeOrder {
  readonly orderIds: Set<number>;
  status: string;
  executedQty: string;
  lastChangeAt: number;
}

/** An order intent: a user asked for one order, with this client order id. */
export interface OrderIntent {
  readonly userId: string;
  readonly accountId: string;
  readonly symbol: string;
  readonly nativeSymbol: string;
  readonly clientOrderId: string;
  readonly transport: 'rest' | 'websocket';
  readonly sentAt: number;
  /** How the call ended: the order, or the error's class and code; undefined while pending. */
  /** What happened to it, at the exchange and in the session, for the report of a divergence. */
  readonly history: string[];
  outcome?:
    | { readonly type: 'order'; readonly order: Order }
    | { readonly type: 'unknown' }
    | { readonly type: 'error'; readonly code: string; readonly placed: boolean | undefined };
  settledAt?: number;
}

/** The tracked view of an order, as a session reports it (without a request). */
export type TrackedOrderLookup = (intent: OrderIntent) => Order | undefined;

export interface OrderFigures {
  readonly intents: number;
  readonly resolved: number;
  readonly rejected: number;
  /** Calls that ended with OrderStateUnknownError (reconciled afterwards). */
  readonly unknown: number;
  /** Calls that failed and Binance never had the order. */
  readonly notPlaced: number;
  /** Orders that reached the exchange whose call had failed (ambiguous answers settled by reconciliation). */
  readonly placedDespiteError: number;
  /** Client order ids the exchange created more than one order for. */
  readonly doubled: number;
  /** Orders whose final tracked state differs from the exchange's. */
  readonly divergent: number;
  readonly verified: number;
}

/**
 * Every order intent of the soak and what the exchange did with it. An intent is verified when its
 * call has settled and the dust has settled too: placed at most once, and the session's tracked
 * state equal to the exchange's (status and filled quantity); or, when the exchange never had it,
 * the caller was never told it was placed. Verified intents are forgotten (memory stays flat);
 * an intent that does not match yet is checked again, and counts as divergent only at the end.
 */
export class OrderLedger {
  readonly #exchange = new Map<string, ExchangeOrder>();
  readonly #pending = new Map<string, OrderIntent>();
  readonly #off: () => void;
  readonly problems: string[] = [];
  readonly #started = Date.now();
  #figures = {
    intents: 0,
    resolved: 0,
    rejected: 0,
    unknown: 0,
    notPlaced: 0,
    placedDespiteError: 0,
    doubled: 0,
    divergent: 0,
    verified: 0,
  };

  readonly #context: ((from: number, to: number) => string) | undefined;

  /** `context` describes what else happened in a time window (the faults), for problem reports. */
  constructor(
    engine: ExchangeEngine,
    accountIds: ReadonlySet<string>,
    context?: (from: number, to: number) => string,
  ) {
    this.#context = context;
    this.#off = engine.on('execution', (event: ExecutionReportEvent) => {
      if (!accountIds.has(event.accountId)) return;
      const key = `${event.accountId}|${event.order.clientOrderId}`;
      let entry = this.#exchange.get(key);
      if (!entry) {
        entry = { orderIds: new Set(), status: '', executedQty: '0', lastChangeAt: 0 };
        this.#exchange.set(key, entry);
      }
      if (!entry.orderIds.has(event.order.orderId)) {
        entry.orderIds.add(event.order.orderId);
        if (entry.orderIds.size === 2) {
          this.#figures.doubled++;
          this.#problem(`${event.order.clientOrderId}: the exchange has more than one order under it`);
        }
      }
      entry.status = event.order.status;
      entry.executedQty = event.order.executedQty.toString();
      entry.lastChangeAt = Date.now();
      this.#pending
        .get(key)
        ?.history.push(
          `${this.#elapsed()} exchange ${event.executionType} → ${event.order.status} ${entry.executedQty}`,
        );
    });
  }

  get figures(): OrderFigures {
    return { ...this.#figures };
  }

  get pending(): number {
    return this.#pending.size;
  }

  /** Held exchange records (for the heap figures). */
  get held(): number {
    return this.#exchange.size;
  }

  add(intent: OrderIntent): void {
    this.#figures.intents++;
    this.#pending.set(`${intent.accountId}|${intent.clientOrderId}`, intent);
  }

  /** A change the session published for one of the account's orders (its `orders` events). */
  noteTracked(accountId: string, order: Order, source: string): void {
    this.#pending
      .get(`${accountId}|${order.clientOrderId}`)
      ?.history.push(
        `${this.#elapsed()} session (${source}) → ${order.status} ${order.filledQuantity.toString()}`,
      );
  }

  settle(intent: OrderIntent, result: { order: Order } | { error: unknown }): void {
    intent.settledAt = Date.now();
    intent.history.push(
      `${this.#elapsed()} call → ${'order' in result ? result.order.status : describeError(result.error)}`,
    );
    if ('order' in result) {
      intent.outcome = { type: 'order', order: result.order };
      this.#figures.resolved++;
      return;
    }
    const error = result.error;
    if (error instanceof OrderStateUnknownError) {
      intent.outcome = { type: 'unknown' };
      this.#figures.unknown++;
      return;
    }
    this.#figures.rejected++;
    const code = isVenuekitError(error) ? error.code : 'NOT_A_VENUEKIT_ERROR';
    const placed = isVenuekitError(error) ? (error.context as { placed?: boolean }).placed : undefined;
    intent.outcome = { type: 'error', code, placed };
    if (!isVenuekitError(error))
      this.#problem(`${intent.clientOrderId}: the call failed with an untyped error`);
  }

  /**
   * Verifies the settled intents older than `minAgeMs` (all of them when `final`). Returns how many
   * are still waiting. In the final pass a mismatch is a divergence; before it, it is checked again.
   */
  verify(
    lookup: TrackedOrderLookup,
    options: { readonly minAgeMs: number; readonly final: boolean },
  ): number {
    const now = Date.now();
    for (const [key, intent] of this.#pending) {
      if (intent.outcome === undefined || intent.settledAt === undefined) {
        if (options.final) this.#problem(`${intent.clientOrderId}: the call never settled`);
        else continue;
      }
      if (!options.final && now - (intent.settledAt ?? now) < options.minAgeMs) continue;
      const exchange = this.#exchange.get(key);
      if (!options.final && exchange && now - exchange.lastChangeAt < options.minAgeMs) continue;
      const mismatch = this.#mismatch(intent, exchange, lookup(intent));
      if (mismatch === undefined || options.final) {
        if (mismatch !== undefined) {
          this.#figures.divergent++;
          const around = this.#context?.(intent.sentAt - 5000, (intent.settledAt ?? now) + 10_000);
          this.#problem(
            `${intent.clientOrderId} (${intent.transport}): ${mismatch} — ${intent.history.slice(0, 12).join('; ')}${around ? ` — around it: ${around}` : ''}`,
          );
        } else {
          this.#figures.verified++;
          if (exchange && intent.outcome?.type === 'error') this.#figures.placedDespiteError++;
          if (!exchange && intent.outcome?.type !== 'order') this.#figures.notPlaced++;
        }
        this.#pending.delete(key);
      }
    }
    // Exchange records nobody waits for are kept a minute (a late second order under the same id
    // would still be seen), then forgotten.
    for (const [key, entry] of this.#exchange) {
      if (!this.#pending.has(key) && now - entry.lastChangeAt > 60_000) this.#exchange.delete(key);
    }
    return this.#pending.size;
  }

  close(): void {
    this.#off();
    this.#pending.clear();
    this.#exchange.clear();
  }

  #mismatch(
    intent: OrderIntent,
    exchange: ExchangeOrder | undefined,
    tracked: Order | undefined,
  ): string | undefined {
    const outcome = intent.outcome;
    if (exchange === undefined) {
      if (outcome?.type === 'order') return 'the call returned an order the exchange never had';
      if (outcome?.type === 'error' && outcome.placed === true)
        return 'the error says placed; the exchange never had it';
      if (tracked !== undefined && tracked.status !== 'rejected') {
        return `tracked as ${tracked.status}; the exchange never had it`;
      }
      return undefined;
    }
    if (outcome?.type === 'error' && outcome.placed === false)
      return `the error (${outcome.code}) says not placed; it was`;
    if (tracked === undefined)
      return `the exchange has it (${exchange.status}); the session does not track it`;
    const status = exchange.status.toLowerCase();
    if (tracked.status !== status) return `tracked as ${tracked.status}, ${status} at the exchange`;
    if (!sameDecimal(tracked.filledQuantity.toString(), exchange.executedQty)) {
      return `tracked filled ${tracked.filledQuantity.toString()}, ${exchange.executedQty} at the exchange`;
    }
    return undefined;
  }

  #elapsed(): string {
    return elapsedSince(this.#started, Date.now());
  }

  #problem(text: string): void {
    if (this.problems.length < 30) this.problems.push(text);
  }
}

function sameDecimal(a: string, b: string): boolean {
  const trim = (text: string) => (text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text);
  return trim(a) === trim(b);
}

function describeError(error: unknown): string {
  if (!isVenuekitError(error)) return String(error);
  const placed = (error.context as { placed?: boolean }).placed;
  return `${error.code}${placed === undefined ? '' : ` placed=${placed}`}`;
}

function elapsedSince(start: number, at: number): string {
  return `${((at - start) / 1000).toFixed(2)}s`;
}
