import {
  ExchangeUnavailableError,
  NetworkError,
  OrderStateUnknownError,
  RateLimitError,
  TimeoutError,
  type VenuekitError,
} from '@venuekit/core';

/** The AccountClient calls a fault can target. */
export type AccountOperation =
  | 'verifyCredentials'
  | 'placeOrder'
  | 'testOrder'
  | 'placeOcoOrder'
  | 'cancelOrder'
  | 'cancelAllOrders'
  | 'getOrder'
  | 'getOpenOrders'
  | 'getOrderHistory'
  | 'getTrades'
  | 'getBalances';

export interface RequestFault {
  readonly operation: AccountOperation;
  /**
   * How the call fails: `timeout` (TimeoutError), `network` (NetworkError), `unavailable`
   * (ExchangeUnavailableError, like a 5xx), `rate_limit` (RateLimitError, retry after 1 s),
   * `unknown` (OrderStateUnknownError: the venue may have executed it), or a given error.
   */
  readonly error: 'timeout' | 'network' | 'unavailable' | 'rate_limit' | 'unknown' | VenuekitError;
  /** The venue executes the call, and only its answer is lost (the order exists). Default false. */
  readonly afterExecution?: boolean;
  /** How many matching calls fail. Default 1. */
  readonly times?: number;
  /** Only calls of this engine account. Default: every account. */
  readonly accountId?: string;
}

/** A scripted fault; `cancel()` removes what is left of it. */
export interface ActiveFault {
  /** Calls it will still fail. */
  readonly remaining: number;
  cancel(): void;
}

interface Rule {
  readonly fault: RequestFault;
  remaining: number;
}

/** The failure a call must show, when a fault matches it. */
export interface FaultHit {
  readonly afterExecution: boolean;
  error(clientOrderId: string | undefined): VenuekitError;
}

/**
 * Scripted failures of the in-memory adapter's account calls, for tests of the
 * code above it (retries, reconciliation of orders whose outcome is unknown).
 */
export class InMemoryFaults {
  readonly #rules: Rule[] = [];

  failNext(fault: RequestFault): ActiveFault {
    const rule: Rule = { fault, remaining: Math.max(1, Math.floor(fault.times ?? 1)) };
    this.#rules.push(rule);
    return {
      get remaining() {
        return rule.remaining;
      },
      cancel: () => {
        rule.remaining = 0;
        this.#forget(rule);
      },
    };
  }

  clear(): void {
    for (const rule of this.#rules) rule.remaining = 0;
    this.#rules.length = 0;
  }

  /** Consumes the first fault matching the call, if any. */
  take(operation: AccountOperation, accountId: string | undefined): FaultHit | undefined {
    const rule = this.#rules.find(
      (candidate) =>
        candidate.fault.operation === operation &&
        (candidate.fault.accountId === undefined || candidate.fault.accountId === accountId),
    );
    if (!rule) return undefined;
    rule.remaining--;
    if (rule.remaining <= 0) this.#forget(rule);
    const { error } = rule.fault;
    return {
      afterExecution: rule.fault.afterExecution === true,
      error: (clientOrderId) => {
        const message = `injected fault: ${operation}`;
        switch (error) {
          case 'timeout':
            return new TimeoutError({ message, venue: { code: -1007, status: 408 } });
          case 'network':
            return new NetworkError({ message });
          case 'unavailable':
            return new ExchangeUnavailableError({ message, venue: { status: 503 } });
          case 'rate_limit':
            return new RateLimitError({ message, retryAfterMs: 1000, venue: { code: -1003, status: 429 } });
          case 'unknown':
            return new OrderStateUnknownError(clientOrderId ?? '', {
              message,
              venue: { code: -1007, status: 408 },
            });
          default:
            return error;
        }
      },
    };
  }

  #forget(rule: Rule): void {
    const index = this.#rules.indexOf(rule);
    if (index >= 0) this.#rules.splice(index, 1);
  }
}
