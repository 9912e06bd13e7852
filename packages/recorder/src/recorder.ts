import { randomBytes } from 'node:crypto';
import {
  type BackoffOptions,
  type BusEvent,
  type BusSubscription,
  ClosedError,
  type Clock,
  type ExchangeAdapter,
  type Logger,
  type MessageBus,
  type OrderBookSnapshot,
  type OrderBookUpdate,
  type RawMessageEvent,
  type StreamDataMap,
  type StreamKind,
  type StreamSpec,
  silentLogger,
  systemClock,
  telemetry,
  topics,
  ValidationError,
} from '@venuekit/core';
import type { StreamConsumer, StreamRequest, StreamSubscription, SubscribeOptions } from '@venuekit/streams';
import { BookSampler } from './book-sampler';
import { type DatabaseOptions, type ResolvedDatabase, resolveDatabase } from './db/connection';
import type { RecordContext, Structure } from './schema/structure';
import { type BalanceChange, STRUCTURES, type StreamEvent, type StructureName } from './schema/structures';
import type { LossReason } from './writer/buffer';
import { BatchWriter, type WriterFigures } from './writer/batch-writer';

/** Where market data comes from: the streams package's StreamManager, or anything with its `subscribe`. */
export interface MarketStreamSource {
  subscribe<K extends StreamKind>(
    request: StreamRequest & { readonly kind: K },
    consumer: StreamConsumer<StreamDataMap[K]>,
    options?: SubscribeOptions,
  ): StreamSubscription;
}

/** Finds an exchange's adapter (core's ExchangeRegistry): used to know a recorded stream's key for raw frames. */
export interface ExchangeResolver {
  resolve(id?: string): ExchangeAdapter;
}

/** The JS type each structure records. */
export type StructureValues = {
  [S in (typeof STRUCTURES)[number] as S['name']]: NonNullable<S['__type']>;
};

export interface RecorderBufferOptions {
  /** Most rows held while the database is slow or away (the spill buffer's bound). Default 200 000. */
  readonly capacity?: number;
  /** Above this many rows, recorded streams are slowed down (backpressure) and `record` returns false. Default capacity / 2. */
  readonly highWaterMark?: number;
  /** Most rows per transaction. Default 5000. */
  readonly batchRows?: number;
  /** How long a row may wait for its batch to fill. Default 200 ms. */
  readonly flushIntervalMs?: number;
}

export interface RecorderOptions {
  readonly database?: DatabaseOptions;
  /** For `recordStream`: the StreamManager (`venuekit.streams`). */
  readonly streams?: MarketStreamSource;
  /** For `recordUser`: the bus the trading package publishes user events on. */
  readonly bus?: MessageBus;
  /** For raw market frames: the adapters, to learn each recorded stream's key. */
  readonly exchanges?: ExchangeResolver;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Names this recorder in the batch ledger, telemetry and logs. Default: random. */
  readonly id?: string;
  readonly buffer?: RecorderBufferOptions;
  /**
   * Values a recorded stream may queue while the recorder pushes back (its buffer above the
   * high-water mark); beyond it the stream drops its oldest values, counted as `stream_queue` losses.
   * Default 10 000.
   */
  readonly streamQueueCapacity?: number;
  /** Apply pending migrations when connecting. Default false: run `venuekit-recorder migrate`. */
  readonly migrate?: boolean;
  /** Record raw frames of recorded streams and users. Default true. */
  readonly raw?: boolean;
  /** Reconnect backoff. Default 200 ms doubling to 10 s, with jitter. */
  readonly reconnect?: BackoffOptions;
  /** How long `close()` keeps writing before counting the rest as lost. Default 10 000 ms. */
  readonly closeTimeoutMs?: number;
  /** Loss reports (log and telemetry) are summed over this interval. Default 1000 ms. */
  readonly lossReportIntervalMs?: number;
}

export interface RecordStreamOptions {
  /** Record this stream's raw frames too. Default: the recorder's `raw` option. */
  readonly raw?: boolean;
  /** Book streams (`orderBook`, `depth`): sample every this many ms. Default 1000. */
  readonly intervalMs?: number;
  /** Book streams: levels per side in each snapshot. Default 20. */
  readonly levels?: number;
}

/** A stream being recorded. */
export interface RecordedStream {
  readonly exchange: string;
  readonly symbol: string;
  readonly kind: StreamKind;
  readonly topic: string;
  /** The stream key whose raw frames are recorded, when raw recording is on and the adapter is local. */
  readonly rawKey: string | undefined;
  /** Resolves once the venue confirmed the stream. Never unhandled. */
  readonly ready: Promise<void>;
  /** Values received from the stream. */
  readonly received: number;
  /** Stops recording it (what was received is still written). */
  stop(): Promise<void>;
}

export interface RecordedUser {
  readonly userId: string;
  readonly raw: boolean;
  /** Events received from the bus. */
  readonly received: number;
  stop(): Promise<void>;
}

export interface RecorderFigures extends WriterFigures {
  readonly recorderId: string;
  readonly schema: string;
  /** Host, port, database and user (never the password). */
  readonly database: string;
  readonly streams: readonly {
    readonly exchange: string;
    readonly symbol: string;
    readonly kind: StreamKind;
    readonly received: number;
    readonly raw: boolean;
  }[];
  readonly users: readonly { readonly userId: string; readonly received: number; readonly raw: boolean }[];
  readonly rawFrames: number;
}

const EMPTY: RecordContext = Object.freeze({});
const USER_ID = /^[A-Za-z0-9_@:+-]{1,128}$/;
const STRUCTURE_OF: Readonly<Record<StreamKind, StructureName>> = {
  ticker: 'ticker',
  miniTicker: 'miniTicker',
  bookTicker: 'bookTicker',
  trades: 'trade',
  aggTrades: 'aggTrade',
  klines: 'kline',
  depth: 'bookSnapshot',
  orderBook: 'bookSnapshot',
};

function integer(value: unknown, field: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError('INVALID_PARAMETER', {
      field,
      rule: `must be an integer from ${min} to ${max}`,
    });
  }
  return value;
}

interface StreamEntry {
  readonly handle: RecordedStream;
  readonly subscription: StreamSubscription;
  readonly structure: StructureName;
  readonly sampler: BookSampler | undefined;
  received: number;
  /** Stream-queue drops already counted as losses. */
  accountedDrops: number;
}

interface UserEntry {
  readonly handle: RecordedUser;
  readonly subscriptions: Promise<BusSubscription>[];
  received: number;
}

/**
 * Records market streams and users' trading events into PostgreSQL: the raw frames as received and
 * the unified structures, through a bounded buffer that keeps rows while the database is away and
 * counts every row it cannot keep. Usable with plain `new`; `recorderModule()` wires it into venuekit.
 *
 * ```ts
 * const recorder = new Recorder({ database: { url }, streams: venuekit.streams, bus: venuekit.bus });
 * await recorder.start();
 * recorder.recordStream({ kind: 'trades', symbol: 'BTC/USDT' });
 * await recorder.recordUser('alice');
 * ```
 */
export class Recorder {
  readonly id: string;
  readonly #options: RecorderOptions;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #database: ResolvedDatabase;
  readonly #writer: BatchWriter;
  readonly #raw: boolean;
  readonly #streamQueueCapacity: number;
  readonly #closeTimeoutMs: number;
  readonly #streams = new Set<StreamEntry>();
  readonly #users = new Map<string, UserEntry>();
  /** Stream keys whose raw frames are recorded, with how many recorded streams want each. */
  readonly #rawKeys = new Map<string, number>();
  readonly #rawUsers = new Set<string>();
  #rawFrames = 0;
  #offRaw: (() => void) | undefined;
  #offDrops: (() => void) | undefined;
  #started: Promise<void> | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: RecorderOptions = {}) {
    if (typeof options !== 'object' || options === null) {
      throw new ValidationError('INVALID_PARAMETER', { field: 'options', rule: 'must be an object' });
    }
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#database = resolveDatabase(options.database);
    const id = options.id ?? `recorder-${randomBytes(4).toString('hex')}`;
    if (typeof id !== 'string' || !/^[A-Za-z0-9_.:-]{1,64}$/.test(id)) {
      throw new ValidationError('INVALID_PARAMETER', {
        field: 'id',
        rule: 'must be 1-64 of A-Z a-z 0-9 _ . : -',
      });
    }
    this.id = id;
    this.#logger = (options.logger ?? silentLogger).child({ recorder: id, schema: this.#database.schema });
    const buffer = options.buffer ?? {};
    const capacity = integer(buffer.capacity, 'buffer.capacity', 1_000, 100_000_000, 200_000);
    const batchRows = integer(buffer.batchRows, 'buffer.batchRows', 1, 100_000, 5_000);
    if (batchRows * 2 > capacity) {
      throw new ValidationError('INVALID_PARAMETER', {
        field: 'buffer.batchRows',
        rule: 'must be at most half of buffer.capacity',
      });
    }
    const highWaterMark = integer(
      buffer.highWaterMark,
      'buffer.highWaterMark',
      1,
      capacity,
      Math.floor(capacity / 2),
    );
    this.#streamQueueCapacity = integer(
      options.streamQueueCapacity,
      'streamQueueCapacity',
      1,
      1_000_000,
      10_000,
    );
    this.#closeTimeoutMs = integer(options.closeTimeoutMs, 'closeTimeoutMs', 0, 3_600_000, 10_000);
    this.#raw = options.raw ?? true;
    if (typeof this.#raw !== 'boolean') {
      throw new ValidationError('INVALID_PARAMETER', { field: 'raw', rule: 'must be a boolean' });
    }
    this.#writer = new BatchWriter({
      database: this.#database,
      structures: STRUCTURES as readonly Structure[],
      clock: this.#clock,
      logger: this.#logger,
      recorderId: id,
      capacity,
      highWaterMark,
      batchRows,
      flushIntervalMs: integer(buffer.flushIntervalMs, 'buffer.flushIntervalMs', 1, 60_000, 200),
      migrate: options.migrate === true,
      reconnect: options.reconnect ?? {},
      lossReportIntervalMs: integer(
        options.lossReportIntervalMs,
        'lossReportIntervalMs',
        10,
        3_600_000,
        1_000,
      ),
    });
  }

  /** The schema the recorder writes to. */
  get schema(): string {
    return this.#database.schema;
  }

  /**
   * Connects to the database (verifying, or with `migrate: true` applying, the migrations). Resolves
   * after the first attempt whatever its outcome: while the database is away rows are buffered and the
   * connection retried; `figures().state` and the health contribution say where it stands.
   */
  start(): Promise<void> {
    this.#assertOpen();
    this.#started ??= this.#writer.start();
    return this.#started;
  }

  /**
   * Records one stream: its unified values (book streams sampled every `intervalMs`) and, unless
   * `raw: false`, its raw frames. Throws a ValidationError for a bad request before subscribing.
   */
  recordStream(request: StreamRequest, options: RecordStreamOptions = {}): RecordedStream {
    this.#assertOpen();
    const streams = this.#options.streams;
    if (!streams) {
      throw new ValidationError('MISSING_PARAMETER', {
        field: 'streams',
        rule: 'is needed to record streams: pass the StreamManager (venuekit.streams)',
      });
    }
    if (typeof options !== 'object' || options === null) {
      throw new ValidationError('INVALID_PARAMETER', { field: 'options', rule: 'must be an object' });
    }
    const kind = (request as { kind?: unknown } | null)?.kind;
    const book = kind === 'orderBook' || kind === 'depth';
    const intervalMs = integer(options.intervalMs, 'options.intervalMs', 10, 86_400_000, 1_000);
    const levels = integer(options.levels, 'options.levels', 1, 5_000, 20);
    const raw = options.raw ?? this.#raw;
    if (typeof raw !== 'boolean') {
      throw new ValidationError('INVALID_PARAMETER', { field: 'options.raw', rule: 'must be a boolean' });
    }
    const structure = STRUCTURE_OF[kind as StreamKind];
    let entry: StreamEntry | undefined;
    const bookContext: RecordContext = Object.freeze({ stream: String(kind) });
    const sampler = book
      ? new BookSampler({
          clock: this.#clock,
          intervalMs,
          levels,
          emit: (snapshot) => this.#writer.push('bookSnapshot', snapshot, bookContext, this.#clock.now()),
        })
      : undefined;
    const writer = this.#writer;
    const clock = this.#clock;
    let meta: { exchange: string; symbol: string; kind: StreamKind } | undefined;
    const consumer: StreamConsumer<unknown> = {
      next: (value) => {
        if (entry) entry.received++;
        if (sampler) {
          if (kind === 'orderBook') sampler.update(value as OrderBookUpdate);
          else sampler.snapshot(value as OrderBookSnapshot);
          return undefined;
        }
        // Pushes back on the stream (its own queue absorbs) while the buffer is above the high-water mark.
        return writer.push(structure, value, EMPTY, clock.now()) ? undefined : writer.whenWritable();
      },
      status: (status) => {
        sampler?.status(status);
        if (meta) this.#streamEvent(meta, status.type, status);
      },
      error: (error) => {
        this.#logger.error('a recorded stream ended with an error', {
          ...meta,
          code: error.code,
          error: error.message,
        });
        if (meta) this.#streamEvent(meta, 'error', { code: error.code, message: error.message });
      },
    };
    let subscription: StreamSubscription;
    try {
      subscription = streams.subscribe(request as StreamRequest & { kind: StreamKind }, consumer, {
        id: `recorder:${this.id}:${String(kind)}:${(request as { symbol?: unknown }).symbol}`,
        // Books are sampled: only the latest matters. Everything else is recorded value by value.
        policy: book ? 'conflate' : 'drop_oldest',
        capacity: book ? 16 : this.#streamQueueCapacity,
      });
    } catch (error) {
      sampler?.stop();
      throw error;
    }
    for (const other of this.#streams) {
      if (other.subscription.topic === subscription.topic) {
        sampler?.stop();
        void subscription.unsubscribe();
        // Recording a stream twice would store its values twice.
        throw new ValidationError('INVALID_PARAMETER', {
          field: 'request',
          rule: `is already being recorded (${subscription.topic})`,
        });
      }
    }
    meta = { exchange: subscription.exchange, symbol: subscription.symbol, kind: subscription.kind };
    const rawKey = raw ? this.#rawKeyOf(subscription, request) : undefined;
    if (rawKey !== undefined) this.#addRawKey(rawKey);
    this.#watchDrops();
    let stopped: Promise<void> | undefined;
    const self = this;
    const handle: RecordedStream = {
      exchange: subscription.exchange,
      symbol: subscription.symbol,
      kind: subscription.kind,
      topic: subscription.topic,
      rawKey,
      ready: subscription.ready,
      get received() {
        return entry?.received ?? 0;
      },
      stop() {
        stopped ??= self.#stopStream(entry as StreamEntry);
        return stopped;
      },
    };
    entry = { handle, subscription, structure, sampler, received: 0, accountedDrops: 0 };
    this.#streams.add(entry);
    return handle;
  }

  /**
   * Records a user's orders (current state and every state), fills and balances from the bus
   * (`user.<id>.orders|fills|balances`, published by the trading package), and unless `raw: false`
   * the user's raw data frames. Resolves once the bus subscriptions are active.
   */
  async recordUser(userId: string, options: { readonly raw?: boolean } = {}): Promise<RecordedUser> {
    this.#assertOpen();
    if (typeof userId !== 'string' || !USER_ID.test(userId)) {
      throw new ValidationError('INVALID_PARAMETER', {
        field: 'userId',
        rule: 'must be 1-128 characters of A-Z a-z 0-9 _ - : @ +',
      });
    }
    const bus = this.#options.bus;
    if (!bus) {
      throw new ValidationError('MISSING_PARAMETER', {
        field: 'bus',
        rule: 'is needed to record users: pass the bus the trading package publishes on (venuekit.bus)',
      });
    }
    if (this.#users.has(userId)) {
      throw new ValidationError('INVALID_PARAMETER', {
        field: 'userId',
        rule: `is already recorded (${userId})`,
      });
    }
    const raw = options.raw ?? this.#raw;
    let stopped: Promise<void> | undefined;
    const self = this;
    const entry: UserEntry = {
      received: 0,
      subscriptions: [],
      handle: {
        userId,
        raw,
        get received() {
          return entry.received;
        },
        stop() {
          stopped ??= self.#stopUser(entry);
          return stopped;
        },
      },
    };
    const handler = (event: BusEvent) => {
      entry.received++;
      this.#userEvent(userId, event);
    };
    for (const kind of ['orders', 'fills', 'balances'] as const) {
      const subscription = bus.subscribe(topics.user(userId, kind), handler);
      subscription.catch(() => {});
      entry.subscriptions.push(subscription);
    }
    this.#users.set(userId, entry);
    if (raw) {
      this.#rawUsers.add(userId);
      this.#ensureRawTap();
    }
    try {
      await Promise.all(entry.subscriptions);
    } catch (error) {
      await entry.handle.stop();
      throw error;
    }
    return entry.handle;
  }

  /**
   * Records one value directly (a replay, an import, your own feed). Returns false when the buffer is
   * above its high-water mark: wait for `whenWritable()` before recording more.
   */
  record<K extends StructureName>(
    structure: K,
    value: StructureValues[K],
    context: RecordContext = EMPTY,
  ): boolean {
    if (!STRUCTURES.some((s) => s.name === structure)) {
      throw new ValidationError('INVALID_PARAMETER', {
        field: 'structure',
        rule: `must be one of ${STRUCTURES.map((s) => s.name).join(', ')}`,
      });
    }
    if (value === null || typeof value !== 'object') {
      throw new ValidationError('INVALID_PARAMETER', { field: 'value', rule: 'must be an object' });
    }
    return this.#writer.push(structure, value, context, this.#clock.now());
  }

  /** Resolves when the buffer is below its high-water mark again. */
  whenWritable(): Promise<void> {
    return this.#writer.whenWritable();
  }

  /** Resolves when everything recorded before the call is written (or counted as lost). */
  async flush(): Promise<void> {
    for (const entry of this.#streams) entry.sampler?.sample();
    this.#accountDrops();
    await this.#writer.flush();
  }

  figures(): RecorderFigures {
    this.#accountDrops();
    return {
      ...this.#writer.figures(),
      recorderId: this.id,
      schema: this.#database.schema,
      database: this.#database.description,
      streams: [...this.#streams].map((e) => ({
        exchange: e.handle.exchange,
        symbol: e.handle.symbol,
        kind: e.handle.kind,
        received: e.received,
        raw: e.handle.rawKey !== undefined,
      })),
      users: [...this.#users.values()].map((u) => ({
        userId: u.handle.userId,
        received: u.received,
        raw: u.handle.raw,
      })),
      rawFrames: this.#rawFrames,
    };
  }

  get closed(): boolean {
    return this.#closing !== undefined;
  }

  /**
   * Stops every recording, writes what is buffered (for at most `closeTimeoutMs`), counts what could
   * not be written as lost (`closed`) and disconnects.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await Promise.all([...this.#streams].map((e) => e.handle.stop()));
      await Promise.all([...this.#users.values()].map((u) => u.handle.stop()));
      this.#offRaw?.();
      this.#offRaw = undefined;
      this.#offDrops?.();
      this.#offDrops = undefined;
      await this.#writer.close(this.#closeTimeoutMs);
      const f = this.#writer.figures();
      this.#logger.info('recorder closed', {
        written: f.written,
        lost: f.lost,
        lostByReason: f.lostByReason,
      });
    })();
    return this.#closing;
  }

  // -------------------------------------------------------------------------

  #assertOpen(): void {
    if (this.#closing) throw new ClosedError({ message: 'the recorder is closed' });
  }

  #userEvent(userId: string, event: BusEvent): void {
    const now = this.#clock.now();
    const exchange = event.exchange;
    const data = event.data as Record<string, unknown> | null;
    if (data === null || typeof data !== 'object') {
      this.#malformed(event);
      return;
    }
    switch (event.type) {
      case 'order': {
        const update = data as {
          order?: StructureValues['order'];
          source?: string;
          executionType?: string;
          rejectReason?: string;
        };
        if (!update.order || typeof update.order !== 'object') {
          this.#malformed(event);
          return;
        }
        this.#writer.push(
          'order',
          update.order,
          {
            userId,
            ...(update.source === undefined ? {} : { source: update.source }),
            ...(update.executionType === undefined ? {} : { executionType: update.executionType }),
            ...(update.rejectReason === undefined ? {} : { rejectReason: update.rejectReason }),
          },
          now,
        );
        return;
      }
      case 'fill':
        this.#writer.push('fill', data, { userId }, now);
        return;
      case 'balances': {
        const balances = (data as { balances?: unknown }).balances;
        if (!Array.isArray(balances)) {
          this.#malformed(event);
          return;
        }
        const context: RecordContext = {
          exchange,
          userId,
          ...(typeof data.source === 'string' ? { source: data.source } : {}),
        };
        for (const balance of balances) this.#writer.push('balance', balance, context, now);
        return;
      }
      case 'balance_delta':
        this.#writer.push('balanceChange', data as unknown as BalanceChange, { exchange, userId }, now);
        return;
      default:
        return;
    }
  }

  #malformed(event: BusEvent): void {
    this.#logger.warn('a user event without the expected data was not recorded', {
      topic: event.topic,
      type: event.type,
    });
  }

  #streamEvent(
    meta: { exchange: string; symbol: string; kind: StreamKind },
    type: StreamEvent['type'],
    detail: object,
  ) {
    const { type: _type, ...rest } = detail as { type?: unknown };
    const event: StreamEvent = {
      exchange: meta.exchange,
      symbol: meta.symbol,
      stream: meta.kind,
      type,
      ...(Object.keys(rest).length > 0 ? { detail: JSON.stringify(rest) } : {}),
      timestamp: this.#clock.now(),
    };
    this.#writer.push('streamEvent', event, EMPTY, event.timestamp);
  }

  #rawKeyOf(subscription: StreamSubscription, request: StreamRequest): string | undefined {
    const exchanges = this.#options.exchanges;
    if (!exchanges) {
      this.#logger.info('raw frames are not recorded: no exchange registry was given', {
        topic: subscription.topic,
      });
      return undefined;
    }
    try {
      const marketData = exchanges.resolve(subscription.exchange).marketData;
      const { exchange: _exchange, ...spec } = request as StreamRequest & { exchange?: string };
      return marketData?.streamKey({ ...spec, symbol: subscription.symbol } as StreamSpec);
    } catch {
      // The adapter is in another process (a streams gateway): its raw frames are not seen here.
      this.#logger.info('raw frames are not recorded: the exchange is not in this process', {
        topic: subscription.topic,
      });
      return undefined;
    }
  }

  #addRawKey(key: string): void {
    this.#rawKeys.set(key, (this.#rawKeys.get(key) ?? 0) + 1);
    this.#ensureRawTap();
  }

  #ensureRawTap(): void {
    if (this.#offRaw) return;
    const writer = this.#writer;
    const keys = this.#rawKeys;
    const users = this.#rawUsers;
    this.#offRaw = telemetry.rawMessage.subscribe((frame: RawMessageEvent) => {
      if (frame.kind === 'market') {
        if (frame.streamKey === undefined || !keys.has(frame.streamKey)) return;
        this.#rawFrames++;
        writer.push('rawMarketFrame', frame, EMPTY, frame.receivedAt);
      } else if (frame.userId !== undefined && users.has(frame.userId)) {
        this.#rawFrames++;
        writer.push('rawUserFrame', frame, EMPTY, frame.receivedAt);
      }
    });
  }

  /** Stream-queue drops of recorded streams count as losses; telemetry says when to look. */
  #watchDrops(): void {
    this.#offDrops ??= telemetry.subscriberDrop.subscribe((event) => {
      if (event.subscriberId.startsWith(`recorder:${this.id}:`)) this.#accountDrops();
    });
  }

  #accountDrops(): void {
    for (const entry of this.#streams) {
      const dropped = entry.subscription.figures().dropped;
      if (dropped > entry.accountedDrops && !entry.sampler) {
        this.#writer.lostUpstream(
          entry.structure,
          'stream_queue' satisfies LossReason,
          dropped - entry.accountedDrops,
        );
      }
      entry.accountedDrops = dropped;
    }
  }

  async #stopStream(entry: StreamEntry): Promise<void> {
    await entry.subscription.unsubscribe();
    entry.sampler?.sample();
    entry.sampler?.stop();
    this.#accountDrops();
    this.#streams.delete(entry);
    const key = entry.handle.rawKey;
    if (key !== undefined) {
      const n = (this.#rawKeys.get(key) ?? 1) - 1;
      if (n <= 0) this.#rawKeys.delete(key);
      else this.#rawKeys.set(key, n);
    }
  }

  async #stopUser(entry: UserEntry): Promise<void> {
    this.#users.delete(entry.handle.userId);
    this.#rawUsers.delete(entry.handle.userId);
    await Promise.all(
      entry.subscriptions.map((s) =>
        s.then(
          (sub) => sub.unsubscribe(),
          () => {},
        ),
      ),
    );
  }
}
