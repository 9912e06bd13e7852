import type { RecordContext, Structure } from '../schema/structure';

/** Why rows were not recorded. */
export type LossReason =
  /** The buffer was full (the database was away or slower than the streams for too long). */
  | 'overflow'
  /** The database refused the row itself (a value it cannot store), after the batch was split to find it. */
  | 'rejected'
  /** Still unwritten when the recorder closed and its close deadline passed. */
  | 'closed'
  /** Dropped from the recorder's stream queue while it pushed back on a stream (see `streamQueueCapacity`). */
  | 'stream_queue';

export const LOSS_REASONS: readonly LossReason[] = ['overflow', 'rejected', 'closed', 'stream_queue'];

/** Rows of one structure waiting to be written, in arrival order. Sequence numbers count from 0. */
export class TableQueue {
  readonly structure: Structure;
  values: unknown[] = [];
  contexts: RecordContext[] = [];
  times: number[] = [];
  head = 0;
  /** Sequence number of `values[head]`. */
  headSeq = 0;
  /** Rows ever accepted. */
  enqueued = 0;
  written = 0;
  readonly lost: Record<LossReason, number> = { overflow: 0, rejected: 0, closed: 0, stream_queue: 0 };

  constructor(structure: Structure) {
    this.structure = structure;
  }

  get queued(): number {
    return this.values.length - this.head;
  }

  push(value: unknown, context: RecordContext, time: number): void {
    this.values.push(value);
    this.contexts.push(context);
    this.times.push(time);
    this.enqueued++;
  }

  /** Drops the `count` oldest queued rows. */
  dropOldest(count: number): void {
    this.head += count;
    this.headSeq += count;
    this.#compact();
  }

  /** Removes up to `count` rows from the front into a slice. */
  take(count: number): Slice {
    const end = this.head + count;
    const slice: Slice = {
      queue: this,
      fromSeq: this.headSeq,
      values: this.values.slice(this.head, end),
      contexts: this.contexts.slice(this.head, end),
      times: this.times.slice(this.head, end),
    };
    this.head = end;
    this.headSeq += slice.values.length;
    this.#compact();
    return slice;
  }

  #compact(): void {
    if (this.head === this.values.length) {
      this.values = [];
      this.contexts = [];
      this.times = [];
      this.head = 0;
    } else if (this.head > 4096 && this.head * 2 > this.values.length) {
      this.values = this.values.slice(this.head);
      this.contexts = this.contexts.slice(this.head);
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
  }
}

/** A contiguous run of one structure's rows (sequence numbers `fromSeq` …). */
export interface Slice {
  readonly queue: TableQueue;
  readonly fromSeq: number;
  readonly values: unknown[];
  readonly contexts: RecordContext[];
  readonly times: number[];
}

/** Rows written in one transaction, with the ledger id that makes a retry after an unknown outcome safe. */
export interface Batch {
  id: string;
  readonly slices: Slice[];
  readonly rows: number;
  /** A previous attempt failed in a way that may have committed (connection lost, timeout). */
  uncertain: boolean;
  attempts: number;
}

export function batchOf(id: string, slices: Slice[]): Batch {
  return { id, slices, rows: slices.reduce((n, s) => n + s.values.length, 0), uncertain: false, attempts: 0 };
}

/** Splits a refused batch to find the rows the database refuses: per table first, then halves. */
export function splitBatch(batch: Batch, newId: () => string): Batch[] | undefined {
  if (batch.slices.length > 1) return batch.slices.map((slice) => batchOf(newId(), [slice]));
  const slice = batch.slices[0];
  if (!slice || slice.values.length <= 1) return undefined;
  const half = Math.ceil(slice.values.length / 2);
  const part = (from: number, to: number): Slice => ({
    queue: slice.queue,
    fromSeq: slice.fromSeq + from,
    values: slice.values.slice(from, to),
    contexts: slice.contexts.slice(from, to),
    times: slice.times.slice(from, to),
  });
  return [batchOf(newId(), [part(0, half)]), batchOf(newId(), [part(half, slice.values.length)])];
}
