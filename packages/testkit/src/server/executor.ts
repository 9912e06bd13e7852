import type { Clock } from '@venuekit/core';
import type { ExchangeEngine } from '../engine/engine';
import type { AccountInfo } from '../engine/types';
import { BinanceApiError, Errors, isRejectionLike } from './api-error';
import type { Authenticator } from './auth';
import type { Operation, ResponsePayloads } from './operations';
import type { UnfilledOrderCount } from './order-count';
import type { RequestParams } from './params';
import type { RateLimiter } from './rate-limits';

export interface ExecutorDeps {
  readonly engine: ExchangeEngine;
  readonly clock: Clock;
  readonly limiter: RateLimiter;
  readonly authenticator: Authenticator;
  readonly wire: ResponsePayloads;
  readonly orderCount: UnfilledOrderCount;
}

export interface Execution {
  readonly result: unknown;
  /** The account's ORDERS counts after a successful order request. */
  readonly orderCounts?: { readonly tenSeconds: number; readonly day: number };
}

/**
 * The steps every request goes through, in Binance's order: request weight (429 / 418), then
 * authentication (`authenticate`, transport-specific), the account's order rate (-1015), then the
 * operation. Failed order requests are charged their listed weight afterwards.
 */
export function execute(
  deps: ExecutorDeps,
  operation: Operation,
  params: RequestParams,
  ip: string,
  authenticate: () => AccountInfo,
): Execution {
  const { clock, limiter } = deps;
  const weight = operation.weight(params);
  // An IP over its limit is refused even an order; a successful order is then charged nothing.
  limiter.admit(ip, weight, clock.now(), operation.freeOnSuccess ? 0 : weight);
  let account: AccountInfo | undefined;
  try {
    if (operation.security === 'SIGNED') account = authenticate();
    const run = () =>
      operation.run({
        params,
        account,
        now: clock.now(),
        engine: deps.engine,
        limiter,
        wire: deps.wire,
      });
    if (account && operation.orders) {
      limiter.admitOrder(account.id, operation.orders, clock.now());
      const placed = deps.orderCount.place(account.id, operation.orders, run);
      return { result: placed.result, orderCounts: placed.counts };
    }
    return { result: run() };
  } catch (error) {
    if (operation.freeOnSuccess) limiter.charge(ip, weight, clock.now());
    throw error;
  }
}

/** Any thrown value as a Binance error answer; unexpected exceptions become -1000 (HTTP 500). */
export function toApiError(error: unknown): BinanceApiError {
  if (error instanceof BinanceApiError) return error;
  if (isRejectionLike(error)) return new BinanceApiError(error.httpStatus, error.code, error.msg);
  return Errors.unknown();
}
