import type { ExchangeId } from './market';

/** An event on the bus: what streams and trading publish and subscribers receive. */
export interface BusEvent<T = unknown> {
  readonly topic: string;
  /** e.g. `ticker`, `trade`, `depth`, `order`, `fill`, `balances`, `status`. */
  readonly type: string;
  readonly exchange: ExchangeId;
  readonly symbol?: string;
  readonly userId?: string;
  readonly data: T;
  /** Epoch ms at publish. */
  readonly publishedAt: number;
}

export type BusHandler = (event: BusEvent) => void;

export interface BusSubscription {
  unsubscribe(): Promise<void>;
}

/**
 * Named topics with fan-out, in the spirit of Phoenix.PubSub. In-process by
 * default; the streams package also provides a Redis bus for many processes.
 */
export interface MessageBus {
  readonly kind: string;
  /** Delivery order is kept per topic. */
  publish(event: BusEvent): void;
  /** Resolves once the subscription is active (for remote buses, once the server confirmed it). */
  subscribe(topic: string, handler: BusHandler): Promise<BusSubscription>;
  close(): Promise<void>;
}

/** Topic names shared by every package. */
export const topics = {
  /** e.g. `market.binance.BTC/USDT.ticker`, `market.binance.BTC/USDT.depth.10`. */
  market(exchange: ExchangeId, symbol: string, kind: string, variant?: string | number): string {
    return variant === undefined
      ? `market.${exchange}.${symbol}.${kind}`
      : `market.${exchange}.${symbol}.${kind}.${variant}`;
  },
  /** e.g. `user.alice.orders`, `user.alice.fills`, `user.alice.balances`. */
  user(userId: string, kind: 'orders' | 'fills' | 'balances' | 'status'): string {
    return `user.${userId}.${kind}`;
  },
} as const;
