/**
 * What the demo server sends the dashboard (over the `/live` WebSocket) and what its HTTP API
 * answers. Decimals travel as their exact strings; the page parses them only to draw.
 */
import type { HealthStatus } from '@venuekit/core';
import type { DemoVenue } from './options';

export type DecimalText = string;

export interface WireTicker {
  readonly symbol: string;
  readonly last: DecimalText;
  readonly changePercent: DecimalText;
  readonly high: DecimalText;
  readonly low: DecimalText;
  readonly volume: DecimalText;
  readonly quoteVolume: DecimalText;
  readonly timestamp: number;
}

export interface WireCandle {
  /** Open time, epoch ms. */
  readonly t: number;
  readonly o: DecimalText;
  readonly h: DecimalText;
  readonly l: DecimalText;
  readonly c: DecimalText;
  readonly v: DecimalText;
  readonly closed: boolean;
}

export interface WireTrade {
  readonly id: string;
  readonly price: DecimalText;
  readonly quantity: DecimalText;
  readonly side: 'buy' | 'sell';
  readonly timestamp: number;
}

/** A book level: [price, quantity]. */
export type WireLevel = readonly [DecimalText, DecimalText];

export type BookState = 'waiting' | 'synced' | 'resyncing';

export interface WireBook {
  readonly symbol: string;
  readonly state: BookState;
  readonly updateId: string;
  readonly bids: readonly WireLevel[];
  readonly asks: readonly WireLevel[];
  /** Times the local book was rebuilt from a snapshot after a gap or reconnect. */
  readonly resyncs: number;
  readonly updates: number;
  readonly timestamp: number;
}

export interface WireOrder {
  readonly id: string;
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly type: string;
  readonly status: string;
  readonly price?: DecimalText;
  readonly quantity: DecimalText;
  readonly filledQuantity: DecimalText;
  readonly averagePrice?: DecimalText;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface WireFill {
  readonly tradeId: string;
  readonly orderId: string;
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly price: DecimalText;
  readonly quantity: DecimalText;
  readonly fee: DecimalText;
  readonly feeAsset: string;
  readonly isMaker: boolean;
  readonly timestamp: number;
}

export interface WireBalance {
  readonly asset: string;
  readonly free: DecimalText;
  readonly locked: DecimalText;
}

export interface WireUser {
  readonly id: string;
  /** `connecting`, `ready`, or `unavailable` (then `problem` says why). */
  readonly state: 'connecting' | 'ready' | 'unavailable';
  readonly problem?: string;
  /** The session's own view: `active`, `unauthorized`… and its user data stream state. */
  readonly session?: string;
  readonly userData?: string;
  readonly balances: readonly WireBalance[];
  readonly openOrders: readonly WireOrder[];
  readonly fills: readonly WireFill[];
}

export interface WireConnection {
  readonly id: string;
  readonly kind: string;
  readonly state: string;
  readonly reconnects: number;
  readonly streams: number;
  readonly messages: number;
  /** ms since the last frame, when one arrived. */
  readonly quietMs?: number;
}

export interface WireStreamFreshness {
  readonly symbol: string;
  readonly kind: string;
  readonly quietMs?: number;
  readonly messages: number;
  readonly reconnects: number;
  readonly resyncs: number;
  /** A local order book being rebuilt (its adapter reports it `stale`): its data cannot be trusted. */
  readonly rebuilding?: boolean;
}

export interface WireComponent {
  readonly name: string;
  readonly status: HealthStatus;
  /** One line explaining the status, built from the component's figures. */
  readonly summary: string;
}

export interface WireHealth {
  readonly status: HealthStatus;
  readonly rule?: string;
  readonly causes: readonly string[];
  readonly components: readonly WireComponent[];
  readonly connections: readonly WireConnection[];
  readonly streams: readonly WireStreamFreshness[];
  readonly totalReconnects: number;
  readonly checkedAt: number;
}

export type IncidentLevel = 'info' | 'warn' | 'error' | 'ok';

export interface WireIncident {
  readonly id: number;
  readonly at: number;
  readonly level: IncidentLevel;
  readonly text: string;
}

export interface WireFaultInfo {
  readonly id: FaultName;
  readonly label: string;
  readonly description: string;
}

export type FaultName = 'drop' | 'stall' | 'depthGap' | 'dropUserData' | 'ambiguousOrder';

export interface WireHello {
  readonly type: 'hello';
  readonly venue: DemoVenue;
  readonly bus: string;
  readonly symbols: readonly string[];
  readonly intervals: readonly string[];
  readonly faults: readonly WireFaultInfo[];
  readonly trading: boolean;
  readonly tradingNote?: string;
  readonly startedAt: number;
}

export interface WireMarketSnapshot {
  readonly type: 'market';
  readonly symbol: string;
  readonly interval: string;
  readonly candles: readonly WireCandle[];
  readonly trades: readonly WireTrade[];
  readonly book?: WireBook;
}

/** One flush: everything that changed since the previous one, for the symbol this client watches. */
export interface WireUpdate {
  readonly type: 'update';
  readonly tickers?: readonly WireTicker[];
  readonly symbol?: string;
  readonly candles?: readonly WireCandle[];
  readonly trades?: readonly WireTrade[];
  readonly book?: WireBook;
  readonly users?: readonly WireUser[];
  readonly health?: WireHealth;
  readonly incidents?: readonly WireIncident[];
}

export type ServerMessage = WireHello | WireMarketSnapshot | WireUpdate;

/** The browser's messages: which market and candle interval it looks at. */
export interface ClientWatch {
  readonly type: 'watch';
  readonly symbol: string;
  readonly interval: string;
}

/** The error part of an HTTP answer: the venuekit error as a user should see it. */
export interface WireError {
  readonly code: string;
  readonly category: string;
  readonly userMessage: string;
  readonly message: string;
  readonly field?: string;
  readonly rule?: string;
  readonly retryable: boolean;
  readonly recoverySuggestions: readonly string[];
}

export type ApiAnswer<T> =
  | { readonly ok: true; readonly result: T }
  | { readonly ok: false; readonly error: WireError };
