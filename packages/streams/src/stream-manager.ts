import {
  type BusEvent,
  type BusSubscription,
  type Clock,
  ClosedError,
  ConfigurationError,
  type DepthLevels,
  type ExchangeAdapter,
  type ExchangeId,
  ExchangeRegistry,
  InProcessBus,
  type KlineInterval,
  type Logger,
  type MarketDataStreamClient,
  type MessageBus,
  normalizeSymbol,
  type OrderBookSnapshot,
  type OrderBookUpdate,
  type StreamDataMap,
  type StreamKind,
  type StreamStatus,
  silentLogger,
  systemClock,
  toVenuekitError,
  type UnifiedSymbol,
  type UpdateSpeedMs,
  ValidationError,
  type VenuekitError,
} from '@venuekit/core';
import { ConnectionRegistry } from './connection-registry';
import { GatewayClient, type Hold, StreamGateway } from './gateway';
import { errorFromJSON } from './remote-error';
import { RemoteBook } from './remote-book';
import { SharedStream, type StreamSource } from './shared-stream';
import { KIND_INFO, resolveQueue, resolveRequest, specOf, validateExchange } from './spec';
import {
  CallbackSubscriber,
  IteratorSubscriber,
  type Subscriber,
  type SubscriberContext,
  type SubscriberInit,
  subscriberId,
} from './subscriber';
import type {
  IterateOptions,
  ResolvedRequest,
  StreamConsumer,
  StreamFigures,
  StreamHandler,
  StreamIterator,
  StreamRequest,
  StreamRequestOf,
  StreamSubscription,
  SubscribeOptions,
  TopicSubscription,
} from './types';

export interface StreamManagerOptions {
  /** The adapters streams come from. Default: none (a consumer process fed by a gateway over the bus). */
  readonly registry?: ExchangeRegistry;
  /** Where `subscribeTo…` publishes and `listen` subscribes. Default: a new in-process bus, closed with the manager. */
  readonly bus?: MessageBus;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** The exchange of requests that name none. Default: the only registered adapter. */
  readonly defaultExchange?: ExchangeId;
  /**
   * Where streams come from. `auto` (default): the local adapter when one is registered for the
   * exchange, otherwise a gateway over the bus when the bus reaches other processes.
   */
  readonly source?: 'auto' | 'adapter' | 'bus';
  /** Serve other processes' stream requests arriving on the bus from this process's adapters. Default false. */
  readonly gateway?: boolean;
  /** Consumer side: how long a gateway keeps a stream for this process without hearing from it. Default 30 s. */
  readonly leaseMs?: number;
  /** Consumer side: how long to wait for a gateway to confirm a stream. Default 10 s. */
  readonly acquireTimeoutMs?: number;
  /** Levels per side in the order-book snapshots published on the bus. Default 50. */
  readonly bookLevels?: number;
}

/** The exchange to use, for the verbs that take a symbol. */
export interface ExchangeOption {
  readonly exchange?: ExchangeId;
}
export type WatchOptions = IterateOptions & ExchangeOption;

interface Publication {
  readonly topic: string;
  readonly request: ResolvedRequest;
  /** Published because this process asked (`subscribeTo…`), until `unsubscribeFromPublicData`. */
  local: boolean;
  /** Consumer id → lease expiry, for other processes' requests (gateway mode). */
  readonly leases: Map<string, number>;
  readonly ready: Promise<void>;
  readonly detach: () => void;
}

interface Listener {
  readonly subscriber: CallbackSubscriber<BusEvent>;
  subscription: Promise<BusSubscription> | undefined;
}

const DEFAULT_LEASE_MS = 30_000;
const DEFAULT_ACQUIRE_TIMEOUT_MS = 10_000;
const DEFAULT_BOOK_LEVELS = 50;
const PUBLISHER_CAPACITY = 65_536;

/**
 * Shared market-data subscriptions with fan-out. Any number of subscribers
 * (callbacks, async iterators, bus topics) of the same stream share one
 * exchange subscription, which the last one to leave frees. Each subscriber
 * has its own bounded queue, so a slow one never holds up the socket reader or
 * the others.
 *
 * With a remote bus (RedisBus), a gateway process (`gateway: true`) holds the
 * exchange connections and consumer processes use this same API: their streams
 * are fed from the bus, reference counted by leases at the gateway.
 */
export class StreamManager {
  readonly bus: MessageBus;
  /** The adapters' market-data connections, with this manager's streams on them. */
  readonly connections: ConnectionRegistry;
  readonly #registry: ExchangeRegistry;
  readonly #ownsBus: boolean;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #context: SubscriberContext;
  readonly #options: StreamManagerOptions;
  readonly #streams = new Map<string, SharedStream>();
  readonly #publications = new Map<string, Publication>();
  readonly #listeners = new Set<Listener>();
  /** Sources being closed; `close()` waits for them. */
  readonly #closing = new Set<Promise<void>>();
  readonly #bookLevels: number;
  #client: GatewayClient | undefined;
  #gateway: StreamGateway | undefined;
  #closed: Promise<void> | undefined;

  constructor(options: StreamManagerOptions = {}) {
    this.#options = options;
    this.#registry = options.registry ?? new ExchangeRegistry();
    this.#ownsBus = options.bus === undefined;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? silentLogger;
    this.bus = options.bus ?? new InProcessBus(this.#logger);
    this.#context = { clock: this.#clock, logger: this.#logger };
    this.#bookLevels = positiveInteger(options.bookLevels ?? DEFAULT_BOOK_LEVELS, 'bookLevels', 5000);
    positiveInteger(options.leaseMs ?? DEFAULT_LEASE_MS, 'leaseMs', 600_000);
    positiveInteger(options.acquireTimeoutMs ?? DEFAULT_ACQUIRE_TIMEOUT_MS, 'acquireTimeoutMs', 600_000);
    if (options.defaultExchange !== undefined) validateExchange(options.defaultExchange);
    this.connections = new ConnectionRegistry({
      adapters: () => this.#registry.list(),
      figures: () => this.figures(),
    });
    if (options.gateway) {
      this.serve().catch((error: unknown) => {
        this.#logger.errorWithException('the stream gateway could not listen on the bus', error);
      });
    }
  }

  // -------------------------------------------------------------------------
  // Callbacks and iterators

  /**
   * Subscribes a callback (or an observer with `next`/`status`/`error`). Throws a
   * ValidationError for a bad request before anything is sent. A handler that
   * returns a promise gets the next value once it settles; meanwhile values queue
   * under the policy (see QueueOptions).
   */
  subscribe<K extends StreamKind>(
    request: StreamRequestOf<K>,
    consumer: StreamHandler<StreamDataMap[K]> | StreamConsumer<StreamDataMap[K]>,
    options: SubscribeOptions = {},
  ): StreamSubscription {
    if (typeof consumer !== 'function' && typeof (consumer as StreamConsumer<unknown>)?.next !== 'function') {
      throw new ValidationError('INVALID_PARAMETER', {
        field: 'consumer',
        rule: 'must be a function or an object with a next(value) method',
      });
    }
    const resolved = this.#resolve(request);
    const init = this.#subscriberInit<StreamDataMap[K]>(resolved, options, 'cb');
    const subscriber = new CallbackSubscriber<StreamDataMap[K]>(init, this.#context, consumer);
    const stream = this.#attach(resolved, subscriber as Subscriber<unknown>);
    return {
      id: subscriber.id,
      topic: resolved.topic,
      exchange: resolved.exchange,
      symbol: resolved.symbol,
      kind: resolved.kind,
      ready: stream.ready,
      get active() {
        return subscriber.active;
      },
      figures: () => subscriber.figures(),
      unsubscribe: async () => {
        subscriber.end();
        await this.#settled();
      },
    };
  }

  /** An async iterator over a stream: `for await (const t of streams.iterate({ kind: 'trades', symbol }))`. */
  iterate<K extends StreamKind>(
    request: StreamRequestOf<K>,
    options: IterateOptions = {},
  ): StreamIterator<StreamDataMap[K]> {
    const resolved = this.#resolve(request);
    const init = this.#subscriberInit<StreamDataMap[K]>(resolved, options, 'it');
    const subscriber = new IteratorSubscriber<StreamDataMap[K]>(init, this.#context, options.onStatus);
    const stream = this.#attach(resolved, subscriber as Subscriber<unknown>);
    const ready = stream.ready;
    return Object.assign(subscriber, { ready }) as IteratorSubscriber<StreamDataMap[K]> & {
      ready: Promise<void>;
    };
  }

  // ccxt Pro style: async iterables, one call per stream.

  watchTicker(symbol: UnifiedSymbol, options: WatchOptions = {}): StreamIterator<StreamDataMap['ticker']> {
    return this.iterate({ kind: 'ticker', symbol, ...exchangeOf(options) }, options);
  }

  watchMiniTicker(
    symbol: UnifiedSymbol,
    options: WatchOptions = {},
  ): StreamIterator<StreamDataMap['miniTicker']> {
    return this.iterate({ kind: 'miniTicker', symbol, ...exchangeOf(options) }, options);
  }

  watchBookTicker(
    symbol: UnifiedSymbol,
    options: WatchOptions = {},
  ): StreamIterator<StreamDataMap['bookTicker']> {
    return this.iterate({ kind: 'bookTicker', symbol, ...exchangeOf(options) }, options);
  }

  watchTrades(symbol: UnifiedSymbol, options: WatchOptions = {}): StreamIterator<StreamDataMap['trades']> {
    return this.iterate({ kind: 'trades', symbol, ...exchangeOf(options) }, options);
  }

  watchAggTrades(
    symbol: UnifiedSymbol,
    options: WatchOptions = {},
  ): StreamIterator<StreamDataMap['aggTrades']> {
    return this.iterate({ kind: 'aggTrades', symbol, ...exchangeOf(options) }, options);
  }

  watchKlines(
    symbol: UnifiedSymbol,
    interval: KlineInterval,
    options: WatchOptions = {},
  ): StreamIterator<StreamDataMap['klines']> {
    return this.iterate({ kind: 'klines', symbol, interval, ...exchangeOf(options) }, options);
  }

  /** The venue's partial book: the top `levels` per side, each value a snapshot. */
  watchDepth(
    symbol: UnifiedSymbol,
    levels: DepthLevels = 5,
    options: WatchOptions & { readonly updateSpeedMs?: UpdateSpeedMs } = {},
  ): StreamIterator<StreamDataMap['depth']> {
    return this.iterate(
      { kind: 'depth', symbol, levels, ...speedOf(options.updateSpeedMs), ...exchangeOf(options) },
      options,
    );
  }

  /** The full local order book, after each applied update (`book` is live: read it now or copy it). */
  watchOrderBook(
    symbol: UnifiedSymbol,
    options: WatchOptions & { readonly updateSpeedMs?: UpdateSpeedMs } = {},
  ): StreamIterator<StreamDataMap['orderBook']> {
    return this.iterate(
      { kind: 'orderBook', symbol, ...speedOf(options.updateSpeedMs), ...exchangeOf(options) },
      options,
    );
  }

  // -------------------------------------------------------------------------
  // Bus topics (the seed API)

  /** The bus topic of a stream, e.g. `market.binance.BTC/USDT.depth.10`. */
  topicOf(request: StreamRequest): string {
    return resolveRequest(request, this.#exchangeOf(request.exchange)).topic;
  }

  /**
   * Publishes a stream on its bus topic until `unsubscribeFromPublicData(symbol)`, and resolves with the
   * topic once the venue (or, from a consumer process, the gateway) confirmed it. Idempotent.
   */
  async subscribeTo(request: StreamRequest): Promise<string> {
    const resolved = this.#resolve(request);
    const publication = this.#publish(resolved);
    publication.local = true;
    await publication.ready;
    return resolved.topic;
  }

  subscribeToTicker(symbol: UnifiedSymbol, options: ExchangeOption = {}): Promise<string> {
    return this.#verb(() => this.subscribeTo({ kind: 'ticker', symbol, ...exchangeOf(options) }));
  }

  subscribeToDepth(
    symbol: UnifiedSymbol,
    levels: DepthLevels = 5,
    options: ExchangeOption = {},
  ): Promise<string> {
    return this.#verb(() => this.subscribeTo({ kind: 'depth', symbol, levels, ...exchangeOf(options) }));
  }

  subscribeToTrades(symbol: UnifiedSymbol, options: ExchangeOption = {}): Promise<string> {
    return this.#verb(() => this.subscribeTo({ kind: 'trades', symbol, ...exchangeOf(options) }));
  }

  /**
   * Ends everything this process subscribed to for the symbol: its bus publications, its callbacks and
   * iterators (they end, iterators finish), and its topic listeners. Resolves once the exchange
   * subscriptions nobody else uses are released. Other processes' leases at a gateway are theirs.
   */
  async unsubscribeFromPublicData(symbol: UnifiedSymbol, options: ExchangeOption = {}): Promise<void> {
    const normalized = normalizeSymbol(symbol, 'symbol');
    const exchange = this.#exchangeOf(options.exchange);
    for (const publication of [...this.#publications.values()]) {
      const { request } = publication;
      if (request.exchange !== exchange || request.symbol !== normalized) continue;
      publication.local = false;
      this.#maybeUnpublish(publication);
    }
    for (const stream of [...this.#streams.values()]) {
      const { request } = stream;
      if (request.exchange !== exchange || request.symbol !== normalized) continue;
      for (const subscriber of [...stream.subscribers()])
        if (subscriber.style !== 'publisher') subscriber.end();
    }
    const prefix = `market.${exchange}.${normalized}.`;
    for (const listener of [...this.#listeners]) {
      if (listener.subscriber.topic.startsWith(prefix)) listener.subscriber.end();
    }
    await this.#settled();
  }

  /**
   * Consumes a bus topic through a bounded queue (default drop_oldest, 1024): the same events whether the
   * bus is in-process or Redis. Resolves once the bus confirmed the subscription.
   */
  async listen(
    topic: string,
    handler: (event: BusEvent) => void | Promise<void>,
    options: SubscribeOptions = {},
  ): Promise<TopicSubscription> {
    this.#assertOpen();
    if (typeof topic !== 'string' || topic === '') {
      throw new ValidationError('INVALID_PARAMETER', { field: 'topic', rule: 'must be a non-empty string' });
    }
    if (typeof handler !== 'function') {
      throw new ValidationError('INVALID_PARAMETER', { field: 'handler', rule: 'must be a function' });
    }
    const { policy, capacity } = resolveQueue(options, 'drop_oldest');
    const subscriber = new CallbackSubscriber<BusEvent>(
      {
        id: options.id ?? subscriberId('topic'),
        topic,
        policy,
        capacity,
        ...(options.signal ? { signal: options.signal } : {}),
        style: 'topic',
      },
      this.#context,
      handler,
    );
    const listener: Listener = { subscriber, subscription: undefined };
    const owner = {
      remove: () => {
        this.#listeners.delete(listener);
        const subscription = listener.subscription;
        if (subscription) this.#track(subscription.then((s) => s.unsubscribe()).catch(() => {}));
      },
    };
    if (!subscriber.attach(owner))
      throw new ValidationError('INVALID_PARAMETER', { field: 'signal', rule: 'is already aborted' });
    this.#listeners.add(listener);
    const subscription = this.bus.subscribe(topic, (event) => subscriber.offer(event));
    listener.subscription = subscription;
    try {
      await subscription;
    } catch (error) {
      subscriber.end();
      throw error;
    }
    return {
      id: subscriber.id,
      topic,
      ready: Promise.resolve(),
      figures: () => subscriber.figures(),
      unsubscribe: async () => {
        subscriber.end();
        await this.#settled();
      },
    };
  }

  // -------------------------------------------------------------------------
  // Figures, gateway, lifecycle

  /** Per shared stream: time to first update, largest gap, messages per second, reconnects, drops… */
  figures(): StreamFigures[] {
    const out: StreamFigures[] = [];
    for (const stream of this.#streams.values()) out.push(stream.figures());
    return out;
  }

  /** Topics this process publishes on the bus, with who holds them. */
  publications(): { topic: string; local: boolean; remoteConsumers: number }[] {
    return [...this.#publications.values()].map((p) => ({
      topic: p.topic,
      local: p.local,
      remoteConsumers: p.leases.size,
    }));
  }

  /** Starts serving other processes' stream requests from this process's adapters. Idempotent. */
  serve(): Promise<void> {
    this.#assertOpen();
    this.#gateway ??= new StreamGateway({
      bus: this.bus,
      clock: this.#clock,
      logger: this.#logger,
      host: {
        serves: (exchange) => this.#servesLocally(exchange),
        lease: async (consumerId, request, expiresAt) => {
          const publication = this.#publish(request);
          publication.leases.set(consumerId, expiresAt);
          await publication.ready;
        },
        release: (consumerId, topic) => {
          const publication = this.#publications.get(topic);
          if (publication?.leases.delete(consumerId)) this.#maybeUnpublish(publication);
        },
        expire: (now) => {
          for (const publication of [...this.#publications.values()]) {
            let changed = false;
            for (const [consumerId, expiresAt] of publication.leases) {
              if (expiresAt < now) changed = publication.leases.delete(consumerId) || changed;
            }
            if (changed) this.#maybeUnpublish(publication);
          }
        },
      },
    });
    return this.#gateway.start();
  }

  /** Ends every subscriber, publication, listener and exchange subscription this manager opened. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      await this.#gateway?.close();
      for (const publication of [...this.#publications.values()]) {
        publication.local = false;
        publication.leases.clear();
        this.#maybeUnpublish(publication);
      }
      for (const listener of [...this.#listeners]) listener.subscriber.end();
      for (const stream of [...this.#streams.values()]) this.#release(stream);
      await this.#client?.close();
      await this.#settled();
      if (this.#ownsBus) await this.bus.close();
    })();
    return this.#closed;
  }

  get closed(): boolean {
    return this.#closed !== undefined;
  }

  // -------------------------------------------------------------------------
  // Internals

  #assertOpen(): void {
    if (this.#closed) throw new ClosedError({ message: 'the stream manager is closed' });
  }

  /** Runs a promise-returning verb so that validation errors reject instead of throwing. */
  async #verb<T>(run: () => Promise<T>): Promise<T> {
    return run();
  }

  #resolve(request: StreamRequest): ResolvedRequest {
    this.#assertOpen();
    if (request === null || typeof request !== 'object') {
      throw new ValidationError('INVALID_PARAMETER', {
        field: 'request',
        rule: 'must be an object like { kind: "trades", symbol: "BTC/USDT" }',
      });
    }
    const resolved = resolveRequest(request, this.#exchangeOf(request.exchange));
    if (this.#sourceFor(resolved.exchange) === 'adapter') this.#marketData(resolved);
    return resolved;
  }

  #exchangeOf(exchange: unknown): ExchangeId {
    if (exchange !== undefined) return validateExchange(exchange);
    if (this.#options.defaultExchange !== undefined) return this.#options.defaultExchange;
    const ids = this.#registry.ids();
    if (ids.length === 1) return ids[0] as ExchangeId;
    throw new ValidationError('MISSING_PARAMETER', {
      field: 'exchange',
      rule:
        ids.length === 0
          ? 'must be given when no adapter is registered (or set defaultExchange)'
          : `must name one of the registered exchanges (${ids.join(', ')})`,
    });
  }

  #servesLocally(exchange: ExchangeId): boolean {
    return this.#options.source !== 'bus' && this.#registry.has(exchange) && !this.#closed;
  }

  #sourceFor(exchange: ExchangeId): 'adapter' | 'bus' {
    const mode = this.#options.source ?? 'auto';
    if (mode === 'bus') return 'bus';
    if (mode === 'adapter' || this.#registry.has(exchange)) {
      this.#registry.get(exchange); // throws ADAPTER_NOT_FOUND with the registered ids
      return 'adapter';
    }
    if (this.bus.kind !== 'in-process') return 'bus';
    throw new ConfigurationError('ADAPTER_NOT_FOUND', {
      message: `no exchange adapter "${exchange}" is registered and the bus is in-process: register the adapter, or use a remote bus (RedisBus) with a gateway process`,
      context: { exchange },
    });
  }

  /** The adapter's stream client, checked against the adapter's capabilities. */
  #marketData(request: ResolvedRequest): MarketDataStreamClient {
    const adapter: ExchangeAdapter = this.#registry.get(request.exchange);
    const capability = KIND_INFO[request.kind].capability;
    if (!adapter.marketData || !adapter.has[capability]) {
      throw new ValidationError('NOT_SUPPORTED', {
        field: 'kind',
        rule: `is not supported by ${adapter.id} (${capability})`,
        message: `${adapter.id} does not stream ${request.kind}`,
        context: { exchange: adapter.id, symbol: request.symbol },
      });
    }
    return adapter.marketData;
  }

  #subscriberInit<T>(request: ResolvedRequest, options: SubscribeOptions, prefix: string): SubscriberInit<T> {
    const { policy, capacity } = resolveQueue(options, KIND_INFO[request.kind].policy);
    if (options.id !== undefined && (typeof options.id !== 'string' || options.id === '')) {
      throw new ValidationError('INVALID_PARAMETER', { field: 'id', rule: 'must be a non-empty string' });
    }
    return {
      id: options.id ?? subscriberId(prefix),
      topic: request.topic,
      policy,
      capacity,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(request.kind === 'orderBook' ? { merge: keepResynced as (older: T, newer: T) => T } : {}),
    };
  }

  /** Adds a subscriber to the shared stream of the request, opening it when it is the first. */
  #attach(request: ResolvedRequest, subscriber: Subscriber<unknown>): SharedStream {
    let stream: SharedStream;
    try {
      stream = this.#stream(request);
    } catch (error) {
      subscriber.end(); // lets go of its AbortSignal
      throw error;
    }
    if (!stream.add(subscriber)) {
      // Already ended (an aborted signal): free the stream if nobody else uses it.
      if (stream.subscriberCount === 0) this.#release(stream);
    }
    return stream;
  }

  #stream(request: ResolvedRequest): SharedStream {
    if (this.#sourceFor(request.exchange) === 'adapter') {
      const client = this.#marketData(request);
      const spec = specOf(request);
      const key = `a\u0000${request.exchange}\u0000${client.streamKey(spec)}`;
      const existing = this.#streams.get(key);
      if (existing && !existing.closed && !existing.failure) return existing;
      const stream = new SharedStream(key, request, this.#clock, this.#onEmpty);
      // May throw (the adapter's own validation): nothing is registered then.
      const subscription = client.subscribe(spec, stream.observer as never);
      stream.attachSource({
        kind: 'adapter',
        ready: subscription.ready,
        adapterStats: () => client.streamStats().find((s) => s.key === subscription.key),
        close: () => subscription.unsubscribe(),
      });
      this.#open(stream);
      return stream;
    }
    const key = `b\u0000${request.topic}`;
    const existing = this.#streams.get(key);
    if (existing && !existing.closed && !existing.failure) return existing;
    const stream = new SharedStream(key, request, this.#clock, this.#onEmpty);
    stream.attachSource(this.#busSource(request, stream));
    this.#open(stream);
    return stream;
  }

  #open(stream: SharedStream): void {
    this.#streams.set(stream.key, stream);
    stream.ready.catch((error: unknown) => stream.fail(toVenuekitError(error)));
  }

  /** A stream fed from the bus by a gateway: subscribe to the topic first, then ask for it, so nothing is missed. */
  #busSource(request: ResolvedRequest, stream: SharedStream): StreamSource {
    const client = this.#gatewayClient();
    const book = request.kind === 'orderBook' ? new RemoteBook(request.exchange, request.symbol) : undefined;
    const onEvent = (event: BusEvent): void => {
      switch (event.type) {
        case 'status':
          if (book && (event.data as StreamStatus).type === 'resynced') book.resync();
          stream.status(event.data as StreamStatus);
          return;
        case 'error':
          stream.fail(errorFromJSON(event.data));
          return;
        default:
          stream.next(book ? book.update(event.data as OrderBookSnapshot) : event.data);
      }
    };
    let closed = false;
    let subscription: BusSubscription | undefined;
    let hold: Hold | undefined;
    const ready = (async () => {
      const active = await this.bus.subscribe(request.topic, onEvent);
      if (closed) {
        await active.unsubscribe();
        return;
      }
      subscription = active;
      hold = client.hold(request);
      await hold.ready;
    })();
    return {
      kind: 'bus',
      ready,
      close: async () => {
        closed = true;
        hold?.release();
        await subscription?.unsubscribe();
      },
    };
  }

  #gatewayClient(): GatewayClient {
    this.#client ??= new GatewayClient({
      bus: this.bus,
      clock: this.#clock,
      logger: this.#logger,
      leaseMs: this.#options.leaseMs ?? DEFAULT_LEASE_MS,
      acquireTimeoutMs: this.#options.acquireTimeoutMs ?? DEFAULT_ACQUIRE_TIMEOUT_MS,
    });
    return this.#client;
  }

  readonly #onEmpty = (stream: SharedStream): void => {
    this.#release(stream);
  };

  #release(stream: SharedStream): void {
    if (this.#streams.get(stream.key) === stream) this.#streams.delete(stream.key);
    this.#track(
      stream.close().catch((error: unknown) => {
        this.#logger.warn('closing a stream failed', {
          topic: stream.request.topic,
          error: error instanceof Error ? error.message : String(error),
        });
      }),
    );
  }

  /** A bus publication of a stream, shared by this process's `subscribeTo…` and other processes' leases. */
  #publish(request: ResolvedRequest): Publication {
    const existing = this.#publications.get(request.topic);
    if (existing) return existing;
    let publication: Publication;
    if (this.#sourceFor(request.exchange) === 'adapter') {
      const info = KIND_INFO[request.kind];
      const { bus } = this;
      const clock = this.#clock;
      const { topic, exchange, symbol } = request;
      const levels = this.#bookLevels;
      const book = request.kind === 'orderBook';
      const publisher = new CallbackSubscriber<unknown>(
        {
          id: `publisher:${topic}`,
          topic,
          policy: info.policy,
          capacity: info.policy === 'conflate' ? 16 : PUBLISHER_CAPACITY,
          style: 'publisher',
        },
        this.#context,
        {
          next: (value) => {
            const data = book ? (value as OrderBookUpdate).book.snapshot(levels) : value;
            bus.publish({ topic, type: info.type, exchange, symbol, data, publishedAt: clock.now() });
          },
          status: (status) => {
            bus.publish({ topic, type: 'status', exchange, symbol, data: status, publishedAt: clock.now() });
          },
          error: (error: VenuekitError) => {
            bus.publish({
              topic,
              type: 'error',
              exchange,
              symbol,
              data: error.toJSON(),
              publishedAt: clock.now(),
            });
          },
        },
      );
      const stream = this.#stream(request);
      stream.add(publisher);
      publication = {
        topic,
        request,
        local: false,
        leases: new Map(),
        ready: stream.ready,
        detach: () => publisher.end(),
      };
    } else {
      // A consumer process: the gateway publishes; this process only holds a lease.
      const hold = this.#gatewayClient().hold(request);
      publication = {
        topic: request.topic,
        request,
        local: false,
        leases: new Map(),
        ready: hold.ready,
        detach: () => hold.release(),
      };
    }
    this.#publications.set(request.topic, publication);
    publication.ready.catch(() => {
      if (this.#publications.get(request.topic) !== publication) return;
      this.#publications.delete(request.topic);
      publication.detach();
    });
    return publication;
  }

  #maybeUnpublish(publication: Publication): void {
    if (publication.local || publication.leases.size > 0) return;
    if (this.#publications.get(publication.topic) !== publication) return;
    this.#publications.delete(publication.topic);
    publication.detach();
  }

  #track(promise: Promise<void>): void {
    this.#closing.add(promise);
    promise.finally(() => this.#closing.delete(promise)).catch(() => {});
  }

  /** Waits for the sources being closed. */
  async #settled(): Promise<void> {
    while (this.#closing.size > 0) await Promise.allSettled([...this.#closing]);
  }
}

function exchangeOf(options: ExchangeOption): { exchange?: ExchangeId } {
  return options.exchange === undefined ? {} : { exchange: options.exchange };
}

function speedOf(speed: UpdateSpeedMs | undefined): { updateSpeedMs?: UpdateSpeedMs } {
  return speed === undefined ? {} : { updateSpeedMs: speed };
}

/** Conflating book updates must not lose the flag saying the book was rebuilt. */
function keepResynced(older: unknown, newer: unknown): unknown {
  const previous = older as OrderBookUpdate;
  const next = newer as OrderBookUpdate;
  return previous.resynced && !next.resynced ? { ...next, resynced: true } : next;
}

function positiveInteger(value: unknown, field: string, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new ValidationError('INVALID_PARAMETER', { field, rule: `must be an integer from 1 to ${max}` });
  }
  return value;
}
