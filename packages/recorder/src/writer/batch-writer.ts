import { randomUUID } from 'node:crypto';
import {
  type BackoffOptions,
  type Clock,
  type ConfigurationError,
  ExponentialBackoff,
  type Logger,
  type TimerHandle,
} from '@venuekit/core';
import type pg from 'pg';
import { connect, type ResolvedDatabase } from '../db/connection';
import { classifyFailure, describeFailure, sqlState } from '../db/errors';
import { migrate, verifySchema } from '../db/migrator';
import { qualified } from '../db/sql';
import type { RecordContext, Structure } from '../schema/structure';
import { type DatabaseState, LossReporter, recorderTelemetry } from '../telemetry';
import { type Batch, batchOf, type LossReason, type Slice, splitBatch, TableQueue } from './buffer';
import { type InsertStatement, insertStatement } from './statements';

export interface BatchWriterOptions {
  readonly database: ResolvedDatabase;
  readonly structures: readonly Structure[];
  readonly clock: Clock;
  readonly logger: Logger;
  readonly recorderId: string;
  /** Most rows held (queued plus being written): the spill buffer's bound. */
  readonly capacity: number;
  /** Above this many buffered rows, `push` returns false and `whenWritable()` waits. */
  readonly highWaterMark: number;
  /** Most rows per transaction. */
  readonly batchRows: number;
  /** How long a row may wait for more to fill its batch. */
  readonly flushIntervalMs: number;
  /** Apply pending migrations on connect instead of waiting for `venuekit-recorder migrate`. */
  readonly migrate: boolean;
  readonly reconnect: BackoffOptions;
  readonly lossReportIntervalMs: number;
}

export interface TableFigures {
  readonly table: string;
  readonly queued: number;
  readonly written: number;
  readonly lost: Readonly<Record<LossReason, number>>;
}

export interface WriterFigures {
  readonly state: DatabaseState;
  /** Rows held now (waiting plus being written). */
  readonly buffered: number;
  readonly capacity: number;
  readonly highWaterMark: number;
  /** Rows accepted so far. */
  readonly accepted: number;
  readonly written: number;
  /** Rows not recorded, all reasons. */
  readonly lost: number;
  readonly lostByReason: Readonly<Record<LossReason, number>>;
  readonly batches: number;
  readonly lastBatch?: { readonly rows: number; readonly durationMs: number; readonly at: number };
  /** Set while the database is away: since when. */
  readonly downSince?: number;
  readonly lastError?: string;
  /** When a row was last lost, and why. */
  readonly lastLoss?: { readonly at: number; readonly reason: LossReason; readonly structure: string };
  /** When a row was last lost for each reason. */
  readonly lastLossAt: Readonly<Partial<Record<LossReason, number>>>;
  /** False while the schema is missing or behind (`venuekit-recorder migrate` not run). */
  readonly schemaReady: boolean;
  /** Set while the schema is missing or behind: what to run. */
  readonly schemaError?: string;
  readonly reconnects: number;
  /** Per structure. */
  readonly structures: Readonly<Record<string, TableFigures>>;
}

interface Waiter {
  readonly targets: readonly { readonly queue: TableQueue; readonly seq: number }[];
  readonly resolve: () => void;
}

const PRUNE_EVERY_MS = 3_600_000;

/**
 * The write side: bounded per-table queues, batches written in one transaction each (with a ledger
 * row so a batch whose COMMIT outcome is unknown is never written twice), one connection that is
 * re-established with backoff, and the accounting of every row: written, or lost with a reason.
 */
export class BatchWriter {
  readonly #options: BatchWriterOptions;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #schema: string;
  readonly #queues = new Map<string, TableQueue>();
  /** Ascending priority: the first queue with rows is the one that gives way when the buffer is full. */
  readonly #evictionOrder: TableQueue[];
  /** Descending priority: audit data goes into a batch first. */
  readonly #batchOrder: TableQueue[];
  readonly #statements = new Map<
    string,
    { current: InsertStatement; history: InsertStatement | undefined }
  >();
  readonly #backoff: ExponentialBackoff;
  readonly #losses: LossReporter;
  readonly #pending: Batch[] = [];
  #buffered = 0;
  /** Rows of the pending batches (taken from the queues, not yet settled). */
  #inFlight = 0;
  #accepted = 0;
  #written = 0;
  #lost = 0;
  readonly #lostByReason: Record<LossReason, number> = {
    overflow: 0,
    rejected: 0,
    closed: 0,
    stream_queue: 0,
  };
  #batches = 0;
  #lastLossAt: number | undefined;
  readonly #lastLossAtByReason: Partial<Record<LossReason, number>> = {};
  #lastLossReason: LossReason = 'overflow';
  #lastLossStructure = '';
  #lastBatch: { rows: number; durationMs: number; at: number } | undefined;
  #state: DatabaseState = 'connecting';
  #client: pg.Client | undefined;
  #connecting = false;
  #writing = false;
  #due = false;
  #lingerTimer: TimerHandle | undefined;
  #reconnectTimer: TimerHandle | undefined;
  #downSince: number | undefined;
  #lastError: string | undefined;
  #schemaError: ConfigurationError | undefined;
  #schemaReady = false;
  #reconnects = 0;
  #everUp = false;
  #closing = false;
  #closed = false;
  #lastPruneAt = 0;
  #rejectedLogged = 0;
  readonly #flushWaiters: Waiter[] = [];
  #writableWaiters: (() => void)[] = [];
  #idleWaiters: (() => void)[] = [];

  constructor(options: BatchWriterOptions) {
    this.#options = options;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#schema = options.database.schema;
    for (const structure of options.structures) this.#queues.set(structure.name, new TableQueue(structure));
    const queues = [...this.#queues.values()];
    this.#evictionOrder = [...queues].sort((a, b) => a.structure.priority - b.structure.priority);
    this.#batchOrder = [...this.#evictionOrder].reverse();
    this.#backoff = new ExponentialBackoff({ initialMs: 200, maxMs: 10_000, ...options.reconnect });
    this.#losses = new LossReporter({
      clock: options.clock,
      logger: options.logger,
      intervalMs: options.lossReportIntervalMs,
      recorderId: options.recorderId,
      schema: this.#schema,
    });
  }

  get state(): DatabaseState {
    return this.#state;
  }

  get buffered(): number {
    return this.#buffered;
  }

  get writable(): boolean {
    return this.#buffered < this.#options.highWaterMark;
  }

  /** Connects (and keeps reconnecting); resolves after the first attempt, whatever its outcome. */
  start(): Promise<void> {
    return this.#connect();
  }

  /**
   * Accepts one row. Never throws and never blocks: when the buffer is full the oldest row of the
   * least important structure gives way (counted as lost). Returns false above the high-water mark.
   */
  push(structureName: string, value: unknown, context: RecordContext, time: number): boolean {
    const queue = this.#queues.get(structureName);
    if (!queue) throw new Error(`unknown structure ${structureName}`);
    if (this.#closed) {
      this.#lose(queue, 'closed', 1);
      return false;
    }
    queue.push(value, context, time);
    this.#accepted++;
    this.#buffered++;
    if (this.#buffered > this.#options.capacity) this.#evict();
    this.#schedule();
    return this.#buffered < this.#options.highWaterMark;
  }

  /** Counts rows lost before they reached the writer (a stream queue that overflowed). */
  lostUpstream(structureName: string, reason: LossReason, count: number): void {
    const queue = this.#queues.get(structureName);
    if (!queue || count <= 0) return;
    this.#lose(queue, reason, count);
  }

  /** Resolves when the buffer is below the high-water mark again (or the writer closed). */
  whenWritable(): Promise<void> {
    if (this.#closed || this.#buffered < this.#options.highWaterMark) return Promise.resolve();
    return new Promise((resolve) => this.#writableWaiters.push(resolve));
  }

  /**
   * Resolves when every row accepted before the call is written or accounted as lost. While the
   * database is away it waits for it (bound it with your own timeout if you must).
   */
  flush(): Promise<void> {
    const targets = [...this.#queues.values()]
      .filter((q) => q.enqueued > this.#lowestUnsettled(q))
      .map((queue) => ({ queue, seq: queue.enqueued }));
    if (targets.length === 0) return Promise.resolve();
    this.#due = true;
    this.#kick();
    return new Promise((resolve) => this.#flushWaiters.push({ targets, resolve }));
  }

  figures(): WriterFigures {
    const structures: Record<string, TableFigures> = {};
    for (const [name, q] of this.#queues) {
      structures[name] = {
        table: q.structure.table,
        queued: q.queued,
        written: q.written,
        lost: { ...q.lost },
      };
    }
    return {
      state: this.#state,
      buffered: this.#buffered,
      capacity: this.#options.capacity,
      highWaterMark: this.#options.highWaterMark,
      accepted: this.#accepted,
      written: this.#written,
      lost: this.#lost,
      lostByReason: { ...this.#lostByReason },
      batches: this.#batches,
      ...(this.#lastBatch ? { lastBatch: { ...this.#lastBatch } } : {}),
      ...(this.#downSince === undefined ? {} : { downSince: this.#downSince }),
      ...(this.#lastError === undefined ? {} : { lastError: this.#lastError }),
      ...(this.#lastLossAt === undefined
        ? {}
        : {
            lastLoss: {
              at: this.#lastLossAt,
              reason: this.#lastLossReason,
              structure: this.#lastLossStructure,
            },
          }),
      lastLossAt: { ...this.#lastLossAtByReason },
      schemaReady: this.#schemaReady,
      ...(this.#schemaError === undefined ? {} : { schemaError: this.#schemaError.message }),
      reconnects: this.#reconnects,
      structures,
    };
  }

  /**
   * Stops accepting rows, writes what it holds until `timeoutMs` has passed, then counts what is
   * left as lost (`closed`) and disconnects.
   */
  async close(timeoutMs: number): Promise<void> {
    if (this.#closing) {
      await new Promise<void>((resolve) => {
        if (this.#closed && !this.#writing) resolve();
        else this.#idleWaiters.push(resolve);
      });
      return;
    }
    this.#closing = true;
    const flushed = this.flush();
    let timer: TimerHandle | undefined;
    await Promise.race([
      flushed,
      new Promise<void>((resolve) => {
        timer = this.#clock.setTimeout(resolve, timeoutMs);
      }),
    ]);
    this.#clock.clearTimeout(timer);
    this.#closed = true;
    this.#clock.clearTimeout(this.#lingerTimer);
    this.#clock.clearTimeout(this.#reconnectTimer);
    this.#lingerTimer = undefined;
    this.#reconnectTimer = undefined;
    // A batch being written finishes (or fails) first, so its rows are counted once.
    if (this.#writing) await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
    for (const batch of this.#pending.splice(0)) {
      for (const slice of batch.slices) {
        this.#buffered -= slice.values.length;
        this.#inFlight -= slice.values.length;
        this.#lose(slice.queue, 'closed', slice.values.length);
      }
    }
    for (const queue of this.#queues.values()) {
      const n = queue.queued;
      if (n > 0) {
        queue.dropOldest(n);
        this.#buffered -= n;
        this.#lose(queue, 'closed', n);
      }
    }
    this.#losses.close();
    const client = this.#client;
    this.#client = undefined;
    this.#setState('closed');
    await client?.end().catch(() => {});
    this.#settleWaiters();
    for (const resolve of this.#writableWaiters.splice(0)) resolve();
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }

  // -------------------------------------------------------------------------
  // Accounting

  #evict(): void {
    for (const queue of this.#evictionOrder) {
      if (queue.queued > 0) {
        queue.dropOldest(1);
        this.#buffered--;
        this.#lose(queue, 'overflow', 1);
        return;
      }
    }
  }

  #lose(queue: TableQueue, reason: LossReason, count: number): void {
    queue.lost[reason] += count;
    this.#lost += count;
    this.#lostByReason[reason] += count;
    this.#lastLossAt = this.#clock.now();
    this.#lastLossAtByReason[reason] = this.#lastLossAt;
    this.#lastLossReason = reason;
    this.#lastLossStructure = queue.structure.name;
    this.#losses.lost(queue.structure.name, queue.structure.table, reason, count);
    if (this.#flushWaiters.length > 0) this.#settleWaiters();
  }

  /** The lowest sequence number of `queue` not yet written or lost. */
  #lowestUnsettled(queue: TableQueue): number {
    let lowest = queue.headSeq;
    for (const batch of this.#pending) {
      for (const slice of batch.slices)
        if (slice.queue === queue && slice.fromSeq < lowest) lowest = slice.fromSeq;
    }
    return lowest;
  }

  #settleWaiters(): void {
    for (let i = this.#flushWaiters.length - 1; i >= 0; i--) {
      const waiter = this.#flushWaiters[i] as Waiter;
      if (this.#closed || waiter.targets.every((t) => this.#lowestUnsettled(t.queue) >= t.seq)) {
        this.#flushWaiters.splice(i, 1);
        waiter.resolve();
      }
    }
    if (this.#writableWaiters.length > 0 && this.#buffered < this.#options.highWaterMark * 0.8) {
      for (const resolve of this.#writableWaiters.splice(0)) resolve();
    }
  }

  // -------------------------------------------------------------------------
  // Batching

  #queued(): number {
    return this.#buffered - this.#inFlight;
  }

  #schedule(): void {
    if (this.#state !== 'up' || this.#writing) return;
    if (this.#queued() >= this.#options.batchRows) {
      this.#kick();
      return;
    }
    this.#lingerTimer ??= this.#clock.setTimeout(() => {
      this.#lingerTimer = undefined;
      this.#due = true;
      this.#kick();
    }, this.#options.flushIntervalMs);
  }

  #kick(): void {
    if (this.#writing || this.#state !== 'up') return;
    this.#writing = true;
    this.#loop()
      .catch((error: unknown) => this.#logger.errorWithException('recorder write loop failed', error))
      .finally(() => {
        this.#writing = false;
        for (const resolve of this.#idleWaiters.splice(0)) resolve();
        if (!this.#closed && this.#state === 'up' && (this.#pending.length > 0 || this.#queued() > 0)) {
          if (this.#due || this.#closing) this.#kick();
          else this.#schedule();
        }
      });
  }

  async #loop(): Promise<void> {
    while (this.#state === 'up' && !this.#closed) {
      let batch = this.#pending[0];
      if (!batch) {
        const queued = this.#queued();
        if (queued === 0 || (queued < this.#options.batchRows && !this.#due && !this.#closing)) break;
        batch = this.#take();
        this.#pending.push(batch);
        this.#inFlight += batch.rows;
      }
      const ok = await this.#attempt(batch);
      if (!ok) return;
    }
    this.#due = false;
  }

  /** The next batch: every structure gets a fair share first, then audit data first. */
  #take(): Batch {
    const limit = this.#options.batchRows;
    const active = this.#batchOrder.filter((q) => q.queued > 0);
    const counts = new Map<TableQueue, number>();
    let room = limit;
    const share = Math.max(1, Math.floor(limit / Math.max(1, active.length)));
    for (const q of active) {
      const n = Math.min(q.queued, share, room);
      counts.set(q, n);
      room -= n;
    }
    for (const q of active) {
      if (room <= 0) break;
      const extra = Math.min(q.queued - (counts.get(q) ?? 0), room);
      counts.set(q, (counts.get(q) ?? 0) + extra);
      room -= extra;
    }
    const slices: Slice[] = [];
    for (const [q, n] of counts) if (n > 0) slices.push(q.take(n));
    return batchOf(randomUUID(), slices);
  }

  /** Writes one batch; returns false when the loop must stop (the connection is gone). */
  async #attempt(batch: Batch): Promise<boolean> {
    const client = this.#client;
    if (!client) return false;
    const started = this.#clock.now();
    try {
      if (batch.uncertain && (await this.#committed(client, batch))) {
        this.#logger.info('a batch whose commit was in doubt had been committed: not writing it again', {
          rows: batch.rows,
        });
      } else {
        batch.attempts++;
        await this.#transaction(client, batch);
      }
    } catch (error) {
      return this.#failed(batch, error);
    }
    this.#succeeded(batch, this.#clock.now() - started);
    await this.#maybePrune(client);
    return true;
  }

  async #committed(client: pg.Client, batch: Batch): Promise<boolean> {
    const result = await client.query(
      `SELECT 1 FROM ${qualified(this.#schema, 'recorder_batches')} WHERE batch_id = $1`,
      [batch.id],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async #transaction(client: pg.Client, batch: Batch): Promise<void> {
    // Encoded before anything is sent: a value that cannot be encoded (a malformed event) is a data
    // error of its row, isolated like a row the database refuses, never a reason to stop writing.
    const encoded = batch.slices.map((slice) => {
      const structure = slice.queue.structure;
      try {
        return { structure, all: encode(structure, slice.values, slice.contexts, slice.times) };
      } catch (error) {
        throw new RowEncodingError(structure.name, error);
      }
    });
    await client.query('BEGIN');
    try {
      // The ledger row first: a second attempt of a batch that did commit stops here (unique key).
      await client.query({
        name: 'vkrec_ledger',
        text: `INSERT INTO ${qualified(this.#schema, 'recorder_batches')} (batch_id, recorder_id, rows) VALUES ($1, $2, $3)`,
        values: [batch.id, this.#options.recorderId, batch.rows],
      });
      for (const { structure, all } of encoded) {
        const statements = this.#statementsOf(structure);
        if (structure.mode === 'latest' || structure.mode === 'state') {
          await client.query({ ...statements.current, values: latestByKey(structure, all) });
          if (statements.history) await client.query({ ...statements.history, values: all });
        } else {
          await client.query({ ...statements.current, values: all });
        }
      }
    } catch (error) {
      // The database answered with an error: end the failed transaction (a dead connection is dropped anyway).
      if (classifyFailure(error) !== 'connection') await client.query('ROLLBACK').catch(() => {});
      throw error;
    }
    const result = await client.query('COMMIT');
    if (result.command !== 'COMMIT') throw new Error(`the transaction ended with ${result.command}`);
  }

  #statementsOf(structure: Structure) {
    let s = this.#statements.get(structure.name);
    if (!s) {
      s = {
        current: insertStatement(this.#schema, structure, 'current'),
        history: structure.historyTable ? insertStatement(this.#schema, structure, 'history') : undefined,
      };
      this.#statements.set(structure.name, s);
    }
    return s;
  }

  #succeeded(batch: Batch, durationMs: number): void {
    this.#pending.shift();
    const tables: Record<string, number> = {};
    for (const slice of batch.slices) {
      const n = slice.values.length;
      slice.queue.written += n;
      tables[slice.queue.structure.table] = (tables[slice.queue.structure.table] ?? 0) + n;
    }
    this.#buffered -= batch.rows;
    this.#inFlight -= batch.rows;
    this.#written += batch.rows;
    this.#batches++;
    this.#lastBatch = { rows: batch.rows, durationMs, at: this.#clock.now() };
    if (recorderTelemetry.batch.hasSubscribers) {
      recorderTelemetry.batch.publish({
        recorderId: this.#options.recorderId,
        schema: this.#schema,
        rows: batch.rows,
        durationMs,
        tables,
      });
    }
    this.#settleWaiters();
  }

  #failed(batch: Batch, error: unknown): boolean {
    if (
      sqlState(error) === '23505' &&
      (error as { constraint?: unknown }).constraint === 'recorder_batches_pkey'
    ) {
      // The ledger already holds this batch: an earlier attempt whose answer was lost did commit
      // (its transaction may still have been finishing when the ledger was first checked).
      this.#logger.info('a batch whose commit was in doubt had been committed: not writing it again', {
        rows: batch.rows,
      });
      this.#succeeded(batch, 0);
      return true;
    }
    const kind = error instanceof RowEncodingError ? 'data' : classifyFailure(error);
    if (kind === 'data') {
      // The database answered: the transaction rolled back, nothing of it was committed.
      const parts = splitBatch(batch, randomUUID);
      this.#pending.shift();
      if (parts) {
        this.#pending.unshift(...parts);
      } else {
        const slice = batch.slices[0] as Slice;
        this.#buffered -= batch.rows;
        this.#inFlight -= batch.rows;
        if (this.#rejectedLogged++ < 10) {
          this.#logger.error('the database refused a row; it is counted as lost', {
            structure: slice.queue.structure.name,
            error: describeFailure(error),
          });
        }
        this.#lose(slice.queue, 'rejected', batch.rows);
      }
      return true;
    }
    // Anything else: the outcome of a COMMIT in flight is unknown; the ledger decides on retry.
    batch.uncertain = true;
    this.#down(error, kind === 'schema');
    return false;
  }

  async #maybePrune(client: pg.Client): Promise<void> {
    const now = this.#clock.now();
    if (now - this.#lastPruneAt < PRUNE_EVERY_MS) return;
    this.#lastPruneAt = now;
    try {
      await client.query(
        `DELETE FROM ${qualified(this.#schema, 'recorder_batches')} WHERE committed_at < now() - interval '1 day'`,
      );
    } catch (error) {
      this.#logger.warn('pruning the batch ledger failed', { error: describeFailure(error) });
    }
  }

  // -------------------------------------------------------------------------
  // Connection

  async #connect(): Promise<void> {
    if (this.#closed || this.#connecting || this.#client) return;
    this.#connecting = true;
    let client: pg.Client | undefined;
    try {
      client = await connect(this.#options.database, (error) => this.#onClientError(client, error));
      if (this.#closed) {
        await client.end().catch(() => {});
        return;
      }
      let schemaError = await verifySchema(client, this.#schema);
      if (schemaError && this.#options.migrate) {
        await migrate(client, this.#schema);
        schemaError = await verifySchema(client, this.#schema);
      }
      if (schemaError) {
        this.#schemaError = schemaError;
        this.#schemaReady = false;
        throw schemaError;
      }
      this.#schemaError = undefined;
      this.#schemaReady = true;
      this.#client = client;
      const downFor = this.#downSince === undefined ? undefined : this.#clock.now() - this.#downSince;
      if (this.#everUp) this.#reconnects++;
      this.#everUp = true;
      this.#downSince = undefined;
      this.#lastError = undefined;
      this.#backoff.reset();
      if (downFor !== undefined) {
        this.#logger.warn('database back: writing the buffered rows', {
          database: this.#options.database.description,
          downForMs: downFor,
          bufferedRows: this.#buffered,
        });
      }
      this.#setState('up', undefined, downFor);
      this.#kick();
    } catch (error) {
      if (client && client !== this.#client) await client.end().catch(() => {});
      this.#down(error, error === this.#schemaError);
    } finally {
      this.#connecting = false;
    }
  }

  #onClientError(client: pg.Client | undefined, error: Error): void {
    // An idle connection was terminated (server restart, pg_terminate_backend, network).
    if (client !== undefined && client === this.#client) this.#down(error, false);
  }

  #down(error: unknown, schema: boolean): void {
    const client = this.#client;
    this.#client = undefined;
    client?.end().catch(() => {});
    if (this.#closed) return;
    const message = describeFailure(error);
    this.#lastError = message;
    if (this.#state !== 'down') {
      this.#downSince ??= this.#clock.now();
      this.#logger.warn(
        schema
          ? 'the recorder schema is not ready: keeping rows in the buffer'
          : 'database unreachable: keeping rows in the buffer',
        {
          database: this.#options.database.description,
          error: message,
          bufferedRows: this.#buffered,
          capacity: this.#options.capacity,
        },
      );
      this.#setState('down', message);
    }
    if (this.#reconnectTimer === undefined) {
      const delay = schema ? Math.max(this.#backoff.next(), 1_000) : this.#backoff.next();
      this.#reconnectTimer = this.#clock.setTimeout(() => {
        this.#reconnectTimer = undefined;
        void this.#connect();
      }, delay);
    }
  }

  #setState(state: DatabaseState, error?: string, downForMs?: number): void {
    this.#state = state;
    if (recorderTelemetry.database.hasSubscribers) {
      recorderTelemetry.database.publish({
        recorderId: this.#options.recorderId,
        schema: this.#schema,
        state,
        ...(error === undefined ? {} : { error }),
        bufferedRows: this.#buffered,
        ...(downForMs === undefined ? {} : { downForMs }),
      });
    }
  }
}

/** A value the recorder could not turn into a row (a field of the wrong type in a malformed event). */
class RowEncodingError extends Error {
  constructor(structure: string, cause: unknown) {
    super(
      `a ${structure} value could not be encoded: ${cause instanceof Error ? cause.message : String(cause)}`,
      {
        cause,
      },
    );
    this.name = 'RowEncodingError';
  }
}

/** Column-wise parameters of one slice: one array per column. */
function encode(
  structure: Structure,
  values: unknown[],
  contexts: RecordContext[],
  times: number[],
): unknown[][] {
  const columns = structure.columns;
  const n = values.length;
  const out: unknown[][] = new Array(columns.length);
  for (let c = 0; c < columns.length; c++) {
    const column = columns[c] as Structure['columns'][number];
    const array = new Array(n);
    for (let i = 0; i < n; i++)
      array[i] = column.encode(values[i], contexts[i] as RecordContext, times[i] as number);
    out[c] = array;
  }
  return out;
}

/** The last row per key (an upsert may touch a row only once per statement), in arrival order. */
function latestByKey(structure: Structure, params: unknown[][]): unknown[][] {
  const n = (params[0] as unknown[]).length;
  if (n <= 1) return params;
  const last = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    let key = '';
    for (const k of structure.keyIndexes) key += `${String((params[k] as unknown[])[i])}\u0000`;
    last.set(key, i);
  }
  if (last.size === n) return params;
  const keep = [...last.values()].sort((a, b) => a - b);
  return params.map((column) => keep.map((i) => column[i]));
}
