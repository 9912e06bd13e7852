import type {
  ExchangeId,
  StreamDataMap,
  StreamKind,
  StreamSpec,
  StreamSpecOf,
  StreamStatus,
  StreamSyncState,
  UnifiedSymbol,
  VenuekitError,
} from '@venuekit/core';

/**
 * What a subscriber's bounded queue does when its consumer falls behind.
 * - `conflate`: keep only the latest undelivered value (tickers, books: the old value is worthless).
 * - `drop_oldest`: keep the newest `capacity` values and drop the oldest (trades, klines).
 * Either way the number of values not delivered is counted and published on `telemetry.subscriberDrop`.
 */
export type QueuePolicy = 'conflate' | 'drop_oldest';

export interface QueueOptions {
  /** Default: `conflate` for ticker, miniTicker, bookTicker, depth and orderBook; `drop_oldest` otherwise. */
  readonly policy?: QueuePolicy;
  /** Most values held for this subscriber. Default 1024 (drop_oldest) or 16 (conflate, status signals included). */
  readonly capacity?: number;
}

/** A stream spec plus the exchange it comes from (default: the only registered one, or `defaultExchange`). */
export type StreamRequest = StreamSpec & { readonly exchange?: ExchangeId };
export type StreamRequestOf<K extends StreamKind> = StreamSpecOf<K> & { readonly exchange?: ExchangeId };

/** A validated request: exchange resolved, symbol normalised, its bus topic computed. */
export type ResolvedRequest = StreamSpec & { readonly exchange: ExchangeId; readonly topic: string };

export interface SubscribeOptions extends QueueOptions {
  /** Ends the subscription when aborted. */
  readonly signal?: AbortSignal;
  /** A label for this subscriber in figures and drop telemetry. Default: a generated id. */
  readonly id?: string;
}

export interface IterateOptions extends SubscribeOptions {
  /** Called with the stream's status signals (reconnecting, stale, resynced, gap…), in order with the data. */
  readonly onStatus?: (status: StreamStatus) => void;
}

/** A callback consumer. Returning a promise makes the next value wait for it (values queue meanwhile). */
export type StreamHandler<T> = (value: T) => void | Promise<void>;

export interface StreamConsumer<T> {
  next(value: T): void | Promise<void>;
  status?(status: StreamStatus): void;
  /** A terminal error (e.g. the venue refused the stream); nothing follows it. */
  error?(error: VenuekitError): void;
}

export interface SubscriberFigures {
  readonly id: string;
  readonly topic: string;
  readonly style: 'callback' | 'iterator' | 'topic' | 'publisher';
  readonly policy: QueuePolicy;
  readonly capacity: number;
  /** Values waiting for this subscriber now. */
  readonly queued: number;
  readonly delivered: number;
  /** Values never delivered because of the queue policy (dropped or conflated away). */
  readonly dropped: number;
  /** Times the handler threw or rejected. */
  readonly errors: number;
}

export interface StreamSubscription {
  readonly id: string;
  readonly topic: string;
  readonly exchange: ExchangeId;
  readonly symbol: UnifiedSymbol;
  readonly kind: StreamKind;
  /** Resolves when the venue (or the gateway, over a remote bus) confirmed the stream. Never unhandled. */
  readonly ready: Promise<void>;
  readonly active: boolean;
  figures(): SubscriberFigures;
  /** Ends this subscriber only; the exchange subscription ends with its last subscriber. */
  unsubscribe(): Promise<void>;
}

/** An async iterator over one stream: `for await (const trade of it)`. Ended by `return()`, `break` or the signal. */
export interface StreamIterator<T> extends AsyncIterableIterator<T> {
  readonly id: string;
  readonly topic: string;
  readonly ready: Promise<void>;
  figures(): SubscriberFigures;
  return(): Promise<IteratorResult<T, undefined>>;
}

/** A bus topic consumed through a bounded queue (see StreamManager.listen). */
export interface TopicSubscription {
  readonly id: string;
  readonly topic: string;
  /** Resolves once the bus confirmed the subscription. */
  readonly ready: Promise<void>;
  figures(): SubscriberFigures;
  unsubscribe(): Promise<void>;
}

/** Where a shared stream's events come from. */
export type StreamSourceKind = 'adapter' | 'bus';

/** The figures operators watch, per shared stream. */
export interface StreamFigures {
  readonly topic: string;
  readonly exchange: ExchangeId;
  readonly symbol: UnifiedSymbol;
  readonly kind: StreamKind;
  readonly source: StreamSourceKind;
  /** The adapter connection carrying it, when the adapter reports one. */
  readonly connectionId?: string;
  /** Local subscribers (callbacks, iterators, the bus publisher). */
  readonly subscribers: number;
  readonly subscribedAt: number;
  readonly firstMessageAt?: number;
  readonly lastMessageAt?: number;
  readonly timeToFirstMessageMs?: number;
  readonly largestGapMs: number;
  readonly messages: number;
  /** Over the last full second (or the time since the first message, when shorter). */
  readonly messagesPerSecond: number;
  readonly reconnects: number;
  readonly resyncs: number;
  /**
   * Whether the stream's data can be trusted, for streams built from a snapshot (order books):
   * `syncing` until first built, `synced`, `stale` while being rebuilt. The adapter's own report
   * (core's `StreamStats.sync`); for a book fed from the bus, from the gateway's `stale`/`resynced`
   * statuses. Absent for the other streams.
   */
  readonly sync?: StreamSyncState;
  /** While `sync` is `stale`: since when, epoch ms. */
  readonly staleSince?: number;
  /** While `sync` is `stale`: the reason of the `stale` status. */
  readonly staleReason?: string;
  /** Values dropped or conflated away across this stream's subscribers, including ones that left. */
  readonly dropped: number;
  /** Values waiting in this stream's subscriber queues now. */
  readonly queued: number;
}

export type StreamValue<K extends StreamKind> = StreamDataMap[K];
