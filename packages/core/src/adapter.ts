import type { Credentials } from './credentials';
import type { VenuekitError } from './errors';
import type { Logger } from './logging';
import type {
  AggTrade,
  BookTicker,
  ExchangeId,
  Instrument,
  Kline,
  KlineInterval,
  MiniTicker,
  OrderBookSnapshot,
  Ticker,
  Trade,
} from './market';
import type { ReadonlyOrderBook } from './order-book';
import type { CircuitState } from './resilience';
import type { UnifiedSymbol } from './symbols';
import type { ConnectionKind } from './telemetry';
import type {
  Balance,
  Fill,
  HistoryQuery,
  OcoOrderRequest,
  Order,
  OrderList,
  OrderRef,
  OrderRequest,
} from './trading';
import type { Decimal } from './decimal';

// ---------------------------------------------------------------------------
// Capabilities

export const CAPABILITIES = [
  'fetchInstruments',
  'fetchTime',
  'fetchOrderBook',
  'fetchTrades',
  'fetchKlines',
  'fetchTicker',
  'watchTicker',
  'watchMiniTicker',
  'watchBookTicker',
  'watchTrades',
  'watchAggTrades',
  'watchKlines',
  'watchDepth',
  'watchOrderBook',
  'createOrder',
  'createOrderWs',
  'cancelOrderWs',
  'createOcoOrder',
  'testOrder',
  'cancelOrder',
  'cancelAllOrders',
  'fetchOrder',
  'fetchOpenOrders',
  'fetchOrders',
  'fetchMyTrades',
  'fetchBalance',
  'watchUserData',
] as const;
export type Capability = (typeof CAPABILITIES)[number];
/** What an adapter supports, e.g. `adapter.has.watchOrderBook`. */
export type Capabilities = Readonly<Record<Capability, boolean>>;

/** Builds a capability map: everything false except what is listed. */
export function capabilities(supported: readonly Capability[]): Capabilities {
  const has = {} as Record<Capability, boolean>;
  for (const name of CAPABILITIES) has[name] = supported.includes(name);
  return Object.freeze(has);
}

// ---------------------------------------------------------------------------
// Market data streams

export type DepthLevels = 5 | 10 | 20;
export type UpdateSpeedMs = 100 | 1000;

export type StreamSpec =
  | { readonly kind: 'ticker'; readonly symbol: UnifiedSymbol }
  | { readonly kind: 'miniTicker'; readonly symbol: UnifiedSymbol }
  | { readonly kind: 'bookTicker'; readonly symbol: UnifiedSymbol }
  | { readonly kind: 'trades'; readonly symbol: UnifiedSymbol }
  | { readonly kind: 'aggTrades'; readonly symbol: UnifiedSymbol }
  | { readonly kind: 'klines'; readonly symbol: UnifiedSymbol; readonly interval: KlineInterval }
  /** Partial book: the top `levels` per side, each message a full snapshot of them. */
  | {
      readonly kind: 'depth';
      readonly symbol: UnifiedSymbol;
      readonly levels: DepthLevels;
      readonly updateSpeedMs?: UpdateSpeedMs;
    }
  /** Full local order book kept from snapshot + diffs. */
  | { readonly kind: 'orderBook'; readonly symbol: UnifiedSymbol; readonly updateSpeedMs?: UpdateSpeedMs };

/** Delivered for `orderBook` streams after each applied update. `book` is live: read it now or copy it. */
export interface OrderBookUpdate {
  readonly exchange: ExchangeId;
  readonly symbol: UnifiedSymbol;
  readonly book: ReadonlyOrderBook;
  readonly updateId: string;
  readonly timestamp: number;
  /** True on the first delivery after a (re)synchronisation from a snapshot. */
  readonly resynced: boolean;
}

export interface StreamDataMap {
  ticker: Ticker;
  miniTicker: MiniTicker;
  bookTicker: BookTicker;
  trades: Trade;
  aggTrades: AggTrade;
  klines: Kline;
  depth: OrderBookSnapshot;
  orderBook: OrderBookUpdate;
}
export type StreamKind = keyof StreamDataMap;
export type StreamSpecOf<K extends StreamKind> = Extract<StreamSpec, { kind: K }>;

/** Signals about a stream's health, alongside its data. None of them needs handling. */
export type StreamStatus =
  | { readonly type: 'subscribed' }
  | {
      readonly type: 'reconnecting';
      readonly reason: string;
      readonly attempt: number;
      readonly delayMs: number;
    }
  | { readonly type: 'resubscribed' }
  /** Data may be missing or wrong until the next `resynced`/`resubscribed` (a book being rebuilt, a stalled connection). */
  | { readonly type: 'stale'; readonly reason: string }
  | { readonly type: 'resynced'; readonly updateId: string }
  /** Ids fromId..toId (inclusive) were missed; when backfilled they were delivered late, in order. */
  | { readonly type: 'gap'; readonly fromId: string; readonly toId: string; readonly backfilled: boolean }
  | { readonly type: 'circuit_open'; readonly retryInMs: number };

export interface StreamObserver<T> {
  next(value: T): void;
  status?(status: StreamStatus): void;
  /** A terminal error (e.g. the venue rejected the stream); no more values follow. */
  error?(error: VenuekitError): void;
}

export interface MarketDataSubscription {
  /** The stream's canonical key (equal specs share it). */
  readonly key: string;
  /** Resolves when the venue confirmed the subscription; rejects with a typed error if it refused. */
  readonly ready: Promise<void>;
  unsubscribe(): Promise<void>;
}

export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closing' | 'closed';

export interface ConnectionInfo {
  readonly id: string;
  readonly exchange: ExchangeId;
  readonly kind: ConnectionKind;
  /** Without credentials or tokens. */
  readonly url: string;
  readonly state: ConnectionState;
  readonly circuitState: CircuitState;
  readonly streams: readonly string[];
  /** Control messages waiting for the rate limiter or for the venue's reply. */
  readonly queuedMessages: number;
  readonly connectedAt?: number;
  readonly lastMessageAt?: number;
  /**
   * Set while the connection waits for the venue's connection attempt budget (Binance: 300 per 5
   * minutes per IP): when its next attempt may be made (clock ms).
   */
  readonly attemptBudgetUntil?: number;
  readonly reconnects: number;
  readonly messagesReceived: number;
}

/**
 * Whether the data of a stream built from a snapshot (a local order book) can be trusted:
 * `syncing` until it is first built, `synced` while it can be, `stale` from a `stale` status to the
 * next `resynced` (being rebuilt), however many messages arrive meanwhile.
 */
export type StreamSyncState = 'syncing' | 'synced' | 'stale';

export interface StreamStats {
  readonly key: string;
  readonly exchange: ExchangeId;
  readonly symbol: UnifiedSymbol;
  readonly kind: StreamKind;
  readonly connectionId?: string;
  readonly subscribers: number;
  readonly subscribedAt: number;
  readonly firstMessageAt?: number;
  readonly lastMessageAt?: number;
  readonly timeToFirstMessageMs?: number;
  readonly largestGapMs: number;
  readonly messages: number;
  readonly reconnects: number;
  readonly resyncs: number;
  /** Reported by streams built from a snapshot (a local order book); absent for the others. */
  readonly sync?: StreamSyncState;
  /** While `sync` is `stale`: since when, epoch ms. */
  readonly staleSince?: number;
  /** While `sync` is `stale`: the reason of the `stale` status. */
  readonly staleReason?: string;
}

export interface MarketDataStreamClient {
  /**
   * Subscribes an observer. Several observers of the same spec share one venue
   * subscription; the venue subscription ends when the last one unsubscribes.
   */
  subscribe<K extends StreamKind>(
    spec: StreamSpecOf<K>,
    observer: StreamObserver<StreamDataMap[K]>,
  ): MarketDataSubscription;
  /** The canonical key of a spec: equal for specs that share a venue subscription. */
  streamKey(spec: StreamSpec): string;
  connections(): ConnectionInfo[];
  streamStats(): StreamStats[];
  /** Closes one connection; its streams reconnect and resubscribe on a new one. */
  closeConnection(connectionId: string): Promise<void>;
  /** Ends every subscription and connection. */
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------
// Instruments and public REST

export interface InstrumentsClient {
  /** Cached after the first call; `refresh` fetches again. */
  list(options?: { refresh?: boolean }): Promise<Instrument[]>;
  /** Throws a ValidationError (UNKNOWN_SYMBOL) for a market the venue does not list. */
  get(symbol: UnifiedSymbol): Promise<Instrument>;
}

export interface MarketDataRestClient {
  /** The venue's clock, epoch ms. */
  fetchTime(): Promise<number>;
  fetchOrderBook(symbol: UnifiedSymbol, limit?: number): Promise<OrderBookSnapshot>;
  fetchTrades(symbol: UnifiedSymbol, options?: { limit?: number }): Promise<Trade[]>;
  /** Paginates over long ranges. */
  fetchKlines(
    symbol: UnifiedSymbol,
    interval: KlineInterval,
    options?: { since?: number; until?: number; limit?: number },
  ): Promise<Kline[]>;
  fetchTicker(symbol: UnifiedSymbol): Promise<Ticker>;
  fetchTickers(symbols?: readonly UnifiedSymbol[]): Promise<Ticker[]>;
}

// ---------------------------------------------------------------------------
// Trading and user data

export interface PlaceOrderOptions {
  /** `websocket` uses the venue's lower-latency WebSocket API where it has one. Default `rest`. */
  readonly transport?: 'rest' | 'websocket';
  /** Round price and quantity to the instrument's tick and step sizes instead of rejecting. Default false. */
  readonly round?: boolean;
}

export interface TradingClient {
  /**
   * Places an order. Never resent blindly: if the outcome is ambiguous (timeout,
   * dropped connection, venue "unknown" errors) the order is reconciled by its
   * client order id; if that cannot finish in time the call rejects with an
   * OrderStateUnknownError and reconciliation continues in the background.
   */
  placeOrder(request: OrderRequest, options?: PlaceOrderOptions): Promise<Order>;
  /** Validates an order with the venue without placing it. */
  testOrder(request: OrderRequest): Promise<void>;
  placeOcoOrder(request: OcoOrderRequest): Promise<OrderList>;
  cancelOrder(ref: OrderRef, options?: { transport?: 'rest' | 'websocket' }): Promise<Order>;
  cancelAllOrders(symbol: UnifiedSymbol): Promise<Order[]>;
  getOrder(ref: OrderRef): Promise<Order>;
  getOpenOrders(symbol?: UnifiedSymbol): Promise<Order[]>;
  getOrderHistory(symbol: UnifiedSymbol, query?: HistoryQuery): Promise<Order[]>;
  getTrades(symbol: UnifiedSymbol, query?: HistoryQuery): Promise<Fill[]>;
  getBalances(): Promise<Balance[]>;
}

export type ExecutionType =
  | 'new'
  | 'trade'
  | 'canceled'
  | 'rejected'
  | 'expired'
  | 'replaced'
  | 'trade_prevention';

export type UserDataEvent =
  | {
      readonly type: 'order';
      readonly order: Order;
      readonly executionType: ExecutionType;
      readonly rejectReason?: string;
      readonly timestamp: number;
    }
  /** Each fill exactly once, including fills found by reconciliation after a reconnect. */
  | { readonly type: 'fill'; readonly fill: Fill; readonly timestamp: number }
  /** New free/locked amounts of the assets that changed. */
  | { readonly type: 'balances'; readonly balances: readonly Balance[]; readonly timestamp: number }
  /** A deposit, withdrawal or transfer. */
  | {
      readonly type: 'balance_delta';
      readonly asset: string;
      readonly delta: Decimal;
      readonly timestamp: number;
    };

export interface UserDataSubscription {
  unsubscribe(): Promise<void>;
}

export interface AccountStatus {
  readonly userDataConnected: boolean;
  readonly userDataReconnects: number;
  readonly lastUserDataEventAt?: number;
  /** Orders whose outcome is still being reconciled. */
  readonly unknownOrders: number;
}

/** One account's trading and user data. Its credentials are used for nothing else. */
export interface AccountClient extends TradingClient {
  readonly exchange: ExchangeId;
  /** Checks the credentials with a cheap signed call; throws AuthenticationError/PermissionError if refused. */
  verifyCredentials(): Promise<void>;
  subscribeUserData(observer: StreamObserver<UserDataEvent>): Promise<UserDataSubscription>;
  status(): AccountStatus;
  /** Stops this account's streams, timers and background reconciliation. */
  close(): Promise<void>;
}

export interface AccountOptions {
  /** For error context and logs. */
  readonly userId?: string;
  /** Prefix of generated client order ids. */
  readonly clientOrderIdPrefix?: string;
  readonly logger?: Logger;
}

// ---------------------------------------------------------------------------
// The adapter

export interface RateLimitStatus {
  readonly usedWeight: number;
  readonly weightLimit: number;
  /** Requests waiting for weight. */
  readonly queued: number;
  /** Set while the venue has banned this IP (epoch ms). */
  readonly bannedUntil?: number;
  /** Set while backing off after a 429 (epoch ms). */
  readonly backoffUntil?: number;
}

export interface ClockSyncStatus {
  /** Venue time minus local time, ms. */
  readonly offsetMs: number;
  readonly roundTripMs: number;
  readonly lastSyncAt?: number;
}

export interface AdapterStatus {
  readonly exchange: ExchangeId;
  readonly connections: readonly ConnectionInfo[];
  readonly streams: readonly StreamStats[];
  readonly rateLimit?: RateLimitStatus;
  readonly clock?: ClockSyncStatus;
}

/**
 * An exchange plugin. Streams, trading and health depend only on this
 * interface, so a new venue drops in as one more adapter package.
 */
export interface ExchangeAdapter {
  readonly id: ExchangeId;
  readonly name: string;
  readonly has: Capabilities;
  readonly instruments: InstrumentsClient;
  readonly marketData?: MarketDataStreamClient;
  readonly rest?: MarketDataRestClient;
  /** One account's client; each user gets their own. */
  createAccount?(credentials: Credentials, options?: AccountOptions): AccountClient;
  status(): AdapterStatus;
  close(): Promise<void>;
}
