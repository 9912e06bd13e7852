import type { Clock } from '@venuekit/core';
import type { ExchangeEngine } from '../engine/engine';
import type { AccountEvent } from '../engine/types';
import type { RateLimiter } from './rate-limits';

/**
 * Binance's unfilled order count (faqs/order_count_decrement.md): each order placed adds one to
 * the account's ORDERS counts (10 seconds and day); when an order is filled for the first time,
 * partially or fully, the *current* counts go down, never below zero: by one for a first fill as
 * taker, by `makerFirstFillCredit` (the FAQ's example: 5) for a first fill as maker. Cancels,
 * expiries and later fills change nothing. Binance applies the decrement "a short delay" after
 * the fill; here the answer to the order that filled still counts it, and the decrement follows
 * right after. Binance also gives more for "orders that fill large quantities" without saying
 * how much: the fake does not.
 */
export class UnfilledOrderCount {
  readonly #engine: ExchangeEngine;
  readonly #limiter: RateLimiter;
  readonly #clock: Clock;
  /** The accounts whose fills are followed: those that placed an order through the servers. */
  readonly #watched = new Map<string, () => void>();
  readonly #pending: { readonly accountId: string; readonly amount: number }[] = [];
  #placing = false;

  constructor(engine: ExchangeEngine, limiter: RateLimiter, clock: Clock) {
    this.#engine = engine;
    this.#limiter = limiter;
    this.#clock = clock;
  }

  /**
   * Runs an order request of an account that passed `admitOrder`: counts its `orders`, takes the
   * counts its answer reports, then applies the decrements its fills earned.
   */
  place<T>(
    accountId: string,
    orders: number,
    run: () => T,
  ): { readonly result: T; readonly counts: { readonly tenSeconds: number; readonly day: number } } {
    this.#watch(accountId);
    this.#placing = true;
    try {
      const result = run();
      const now = this.#clock.now();
      this.#limiter.countOrder(accountId, orders, now);
      return { result, counts: this.#limiter.orderCounts(accountId, now) };
    } finally {
      this.#placing = false;
      this.#applyPending();
    }
  }

  /** Stops following fills. */
  close(): void {
    for (const off of this.#watched.values()) off();
    this.#watched.clear();
    this.#pending.length = 0;
  }

  #watch(accountId: string): void {
    if (this.#watched.has(accountId)) return;
    this.#watched.set(
      accountId,
      this.#engine.onAccount(accountId, (event) => this.#onEvent(event)),
    );
  }

  #onEvent(event: AccountEvent): void {
    if (event.type !== 'execution' || event.data.executionType !== 'TRADE') return;
    const report = event.data;
    // The order's first fill: everything it executed so far is this trade.
    if (!report.order.executedQty.eq(report.lastExecutedQty)) return;
    const amount = report.isMaker ? this.#limiter.settings.makerFirstFillCredit : 1;
    if (amount <= 0) return;
    if (this.#placing) this.#pending.push({ accountId: report.accountId, amount });
    else this.#limiter.creditOrders(report.accountId, amount, this.#clock.now());
  }

  #applyPending(): void {
    if (this.#pending.length === 0) return;
    const now = this.#clock.now();
    for (const { accountId, amount } of this.#pending.splice(0)) {
      this.#limiter.creditOrders(accountId, amount, now);
    }
  }
}
