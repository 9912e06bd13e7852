import {
  type BookResyncEvent,
  type Clock,
  ExponentialBackoff,
  type Logger,
  OrderBook,
  type OrderBookUpdate,
  type StreamStatus,
  silentLogger,
  systemClock,
  type TimerHandle,
  telemetry,
  type UnifiedSymbol,
  type VenuekitError,
  isVenuekitError,
} from '@venuekit/core';
import { isDepthLevels } from '../parsing/wire-checks';
import type { WireDepthUpdate, WirePartialDepth } from '../ws/wire';
import { type DepthHeader, readDepthHeader } from './depth-text';

export type BookSyncState = 'buffering' | 'synced' | 'disconnected' | 'closed';
export type ResyncReason = BookResyncEvent['reason'];

export interface BookSyncListener {
  /** After each applied update (or batch of them); `book` is live. */
  update(update: OrderBookUpdate): void;
  status(status: StreamStatus): void;
  /** The snapshot can never succeed (Binance does not list the symbol): the sync has stopped. */
  failed?(error: VenuekitError): void;
  /**
   * A well-formed diff was taken (applied, held for later, or ignored as already applied); called
   * before the update it leads to, if any, is delivered.
   */
  accepted?(): void;
  /** A diff with a malformed level was discarded: nothing of it was applied or kept. */
  malformed?(): void;
}

export interface BookSyncOptions {
  readonly exchange?: string;
  readonly symbol: UnifiedSymbol;
  /** `GET /api/v3/depth?symbol=…&limit=…`, raw. Rejections are retried with backoff. */
  readonly fetchSnapshot: (limit: number, signal: AbortSignal) => Promise<WirePartialDepth>;
  readonly listener: BookSyncListener;
  /** Default 5000. */
  readonly snapshotLimit?: number;
  /** Diff events kept while waiting for a snapshot; the oldest are dropped beyond it. Default 10 000. */
  readonly maxBuffered?: number;
  /** How long an update that skips ids may wait for the missing ones before a resync. Default 500 ms. */
  readonly reorderWindowMs?: number;
  /** Delay between consecutive resyncs. Default 250 ms doubling to 30 000 ms. */
  readonly resyncInitialDelayMs?: number;
  readonly resyncMaxDelayMs?: number;
  /** A book synced this long resets the resync backoff. Default 10 000 ms. */
  readonly stableAfterMs?: number;
  readonly clock?: Clock;
  readonly logger?: Logger;
}

const MAX_PENDING = 1_000;

// tryDiffText's header, read anew for each frame (one object for all books: nothing is kept in it).
const HEADER: DepthHeader = { E: 0, U: 0, u: 0, levelsAt: 0 };

/**
 * Keeps one full-depth book exact by Binance's rules (web-socket-streams.md,
 * "How to manage a local order book correctly"):
 *
 * 1. buffer diff events; 2. fetch a REST snapshot; 3. if the snapshot is older
 * than the first buffered event (`lastUpdateId + 1 < U`) fetch again; 4. drop
 * buffered events with `u <= lastUpdateId`; 5. start from the snapshot; 6. apply
 * each event: ignore `u <= id`, treat `U > id + 1` as a gap, else set levels
 * (qty 0 removes) and `id := u`.
 *
 * A diff with a malformed level is discarded whole, before any of it is
 * applied. A gap first waits `reorderWindowMs` for the missing events
 * (reordered or overlapping connections); a gap that stays, a crossed book, or
 * a reconnect that broke continuity lead to an automatic resync with bounded
 * backoff. Subscribers see `stale` then `resynced` statuses, never an
 * exception. After a reconnect the book is kept if the first new event follows
 * on from it (`U <= id + 1 <= u`).
 */
export class BinanceBookSync {
  readonly book: OrderBook;
  readonly #options: BookSyncOptions;
  readonly #listener: BookSyncListener;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #backoff: ExponentialBackoff;
  readonly #exchange: string;
  readonly #snapshotLimit: number;
  readonly #maxBuffered: number;
  readonly #reorderWindowMs: number;
  readonly #stableAfterMs: number;

  #state: BookSyncState = 'buffering';
  #buffer: WireDepthUpdate[] = [];
  #pending: WireDepthUpdate[] = [];
  #fetching: AbortController | undefined;
  #fetchTimer: TimerHandle | undefined;
  #reorderTimer: TimerHandle | undefined;
  #announcedStale = false;
  #syncedAt = 0;
  #consecutiveResyncs = 0;
  #resyncs = 0;
  #snapshots = 0;
  #updates = 0;

  constructor(options: BookSyncOptions) {
    this.#options = options;
    this.#listener = options.listener;
    this.#exchange = options.exchange ?? 'binance';
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? silentLogger;
    this.#snapshotLimit = options.snapshotLimit ?? 5000;
    this.#maxBuffered = options.maxBuffered ?? 10_000;
    this.#reorderWindowMs = options.reorderWindowMs ?? 500;
    this.#stableAfterMs = options.stableAfterMs ?? 10_000;
    this.#backoff = new ExponentialBackoff({
      initialMs: options.resyncInitialDelayMs ?? 250,
      maxMs: options.resyncMaxDelayMs ?? 30_000,
    });
    this.book = new OrderBook(this.#exchange, options.symbol);
    this.#publishResync('start');
  }

  get state(): BookSyncState {
    return this.#state;
  }

  /** Resyncs after the first sync. */
  get resyncs(): number {
    return this.#resyncs;
  }

  /** Snapshots applied (the first one included). */
  get snapshots(): number {
    return this.#snapshots;
  }

  /** Diff events applied to the book. */
  get updatesApplied(): number {
    return this.#updates;
  }

  /** Events held while waiting for a snapshot or for missing ids. */
  get buffered(): number {
    return this.#buffer.length + this.#pending.length;
  }

  /** Whether a timer or a snapshot request is outstanding. */
  get busy(): boolean {
    return this.#fetching !== undefined || this.#fetchTimer !== undefined || this.#reorderTimer !== undefined;
  }

  /**
   * One diff event from the stream. The hot path. Its ids (`U`, `u`, `E`) must have been checked
   * (`isWireDepthHeader`); its levels are checked here: a diff with a malformed level is discarded
   * whole (`malformed`), never half applied. In sync, each level is read once, checked and applied
   * together (`OrderBook.tryApply`); a diff kept for later is checked before it is kept.
   */
  onDiff(w: WireDepthUpdate): void {
    switch (this.#state) {
      case 'synced':
        this.#applyLive(w);
        return;
      case 'buffering':
        if (this.#take(w)) this.#bufferEvent(w);
        return;
      case 'disconnected':
        if (this.#take(w)) this.#afterReconnect(w);
        return;
      default:
        this.#take(w);
        return;
    }
  }

  /**
   * The hot path, straight from the frame's text: a diff that follows on from the synced book (with
   * nothing held for later) is applied from `text` without JSON.parse — its header read by
   * `readDepthHeader` from `at`, its levels by `OrderBook.tryApplyJson`, the payload followed by
   * `end`, which ends the text. Returns false, having done nothing, for anything else (not synced,
   * a duplicate, a gap, another layout, a malformed level): the caller then parses the frame and
   * hands it to `onDiff`, which decides.
   */
  tryDiffText(text: string, at: number, end: string): boolean {
    if (this.#state !== 'synced' || this.#pending.length > 0) return false;
    const header = HEADER;
    if (!readDepthHeader(text, at, header)) return false;
    const id = this.book.sequence;
    if (header.u <= id || header.U > id + 1) return false;
    if (!this.book.tryApplyJson(text, header.levelsAt, ',"a":', end, header.u, header.E)) return false;
    this.#applied(header.E);
    return true;
  }

  /** The connection carrying the stream dropped: the book is stale until continuity is shown or a snapshot applied. */
  onDisconnect(reason: string): void {
    if (this.#state === 'closed') return;
    this.#clearReorder();
    this.#pending = [];
    // Events from before the drop cannot be joined to the ones after it.
    this.#buffer = [];
    if (this.#state === 'synced') {
      this.#state = 'disconnected';
      this.#announceStale(`disconnected: ${reason}`);
    }
  }

  /** Stops timers and the snapshot request; nothing is delivered afterwards. */
  close(): void {
    this.#state = 'closed';
    this.#buffer = [];
    this.#pending = [];
    this.#clearReorder();
    this.#clock.clearTimeout(this.#fetchTimer);
    this.#fetchTimer = undefined;
    this.#fetching?.abort();
    this.#fetching = undefined;
  }

  // -------------------------------------------------------------------------

  /** Checks the levels of a diff that is not applied now; false (and `malformed`) if one is malformed. */
  #take(w: WireDepthUpdate): boolean {
    if (!isDepthLevels(w.b) || !isDepthLevels(w.a)) {
      this.#listener.malformed?.();
      return false;
    }
    this.#listener.accepted?.();
    return true;
  }

  #applyLive(w: WireDepthUpdate): void {
    const id = this.book.sequence;
    if (w.u <= id) {
      this.#take(w); // already applied (duplicate or overlap); checked only to be counted right
      return;
    }
    if (w.U > id + 1) {
      if (this.#take(w)) this.#holdOrResync(w);
      return;
    }
    // Checked while applied: all of it or, if a level is malformed, nothing.
    if (!this.book.tryApply(w.b, w.a, w.u, w.E)) {
      this.#listener.malformed?.();
      return;
    }
    this.#applied(w.E);
  }

  /** After a live diff was applied in sequence: what was held may follow on, then the update goes out. */
  #applied(timestamp: number): void {
    this.#updates++;
    this.#listener.accepted?.();
    if (this.#pending.length > 0) {
      if (!this.#drainPending()) return;
    }
    if (this.book.isCrossed()) {
      this.#resync('crossed', undefined);
      return;
    }
    this.#deliver(false, timestamp);
  }

  /** Applies a diff that was checked when it was kept (buffered, held, or after a reconnect). */
  #apply(w: WireDepthUpdate): boolean {
    if (!this.book.tryApply(w.b, w.a, w.u, w.E)) {
      // Cannot happen (its levels were checked); if it did, the book is unchanged but the diff lost.
      this.#logger.warn('malformed depth update, resyncing', { symbol: this.#options.symbol });
      this.#resync('error', undefined);
      return false;
    }
    this.#updates++;
    return true;
  }

  #holdOrResync(w: WireDepthUpdate): void {
    if (this.#reorderWindowMs <= 0 || this.#pending.length >= MAX_PENDING) {
      this.#resync('gap', w);
      return;
    }
    // Keep pending sorted by U; duplicates are dropped when drained.
    const pending = this.#pending;
    let i = pending.length;
    while (i > 0 && (pending[i - 1] as WireDepthUpdate).U > w.U) i--;
    pending.splice(i, 0, w);
    if (this.#reorderTimer === undefined) {
      this.#reorderTimer = this.#clock.setTimeout(() => {
        this.#reorderTimer = undefined;
        if (this.#state === 'synced' && this.#pending.length > 0) this.#resync('gap', undefined);
      }, this.#reorderWindowMs);
    }
  }

  /** Applies held events that now follow on; false if that led to a resync. */
  #drainPending(): boolean {
    const pending = this.#pending;
    while (pending.length > 0) {
      const next = pending[0] as WireDepthUpdate;
      const id = this.book.sequence;
      if (next.u <= id) {
        pending.shift();
        continue;
      }
      if (next.U > id + 1) break;
      pending.shift();
      if (!this.#apply(next)) return false;
    }
    if (pending.length === 0) this.#clearReorder();
    return true;
  }

  #afterReconnect(w: WireDepthUpdate): void {
    const id = this.book.sequence;
    if (w.u <= id) return;
    if (w.U > id + 1) {
      this.#resync('reconnect', w);
      return;
    }
    // The first event after the reconnect follows on from the book: nothing was missed.
    this.#state = 'synced';
    if (!this.#apply(w)) return;
    if (this.book.isCrossed()) {
      this.#resync('crossed', undefined);
      return;
    }
    this.#announceResynced();
    this.#deliver(true, w.E);
  }

  #bufferEvent(w: WireDepthUpdate): void {
    const buffer = this.#buffer;
    buffer.push(w);
    // Dropping the oldest only means a later snapshot is needed, never a wrong book.
    if (buffer.length > this.#maxBuffered) buffer.shift();
    if (this.#fetching === undefined && this.#fetchTimer === undefined) this.#fetchSnapshot();
  }

  #resync(reason: ResyncReason, trigger: WireDepthUpdate | undefined, ...held: WireDepthUpdate[]): void {
    if (this.#state === 'closed') return;
    const now = this.#clock.now();
    if (this.#state === 'synced' && now - this.#syncedAt >= this.#stableAfterMs) {
      this.#consecutiveResyncs = 0;
      this.#backoff.reset();
    }
    const keep = [...held, ...this.#pending];
    this.#clearReorder();
    this.#pending = [];
    this.#state = 'buffering';
    this.#resyncs++;
    this.#publishResync(reason);
    this.#logger.info('order book resync', { symbol: this.#options.symbol, reason });
    this.#announceStale(reason);
    if (trigger) keep.push(trigger);
    this.#buffer = keep.sort((a, b) => a.U - b.U);
    const delay = this.#consecutiveResyncs === 0 ? 0 : this.#backoff.next();
    this.#consecutiveResyncs++;
    this.#clock.clearTimeout(this.#fetchTimer);
    this.#fetchTimer = undefined;
    this.#fetching?.abort();
    this.#fetching = undefined;
    if (delay > 0) {
      this.#fetchTimer = this.#clock.setTimeout(() => {
        this.#fetchTimer = undefined;
        if (this.#buffer.length > 0) this.#fetchSnapshot();
      }, delay);
    } else if (this.#buffer.length > 0) {
      this.#fetchSnapshot();
    }
  }

  #fetchSnapshot(): void {
    if (this.#state !== 'buffering') return;
    const controller = new AbortController();
    this.#fetching = controller;
    this.#options.fetchSnapshot(this.#snapshotLimit, controller.signal).then(
      (snapshot) => {
        if (this.#fetching !== controller) return;
        this.#fetching = undefined;
        this.#onSnapshot(snapshot);
      },
      (error: unknown) => {
        if (this.#fetching !== controller) return;
        this.#fetching = undefined;
        if (isVenuekitError(error) && error.code === 'UNKNOWN_SYMBOL') {
          this.close();
          this.#listener.failed?.(error);
          return;
        }
        const delay = this.#backoff.next();
        this.#logger.warn('order book snapshot failed, retrying', {
          symbol: this.#options.symbol,
          delayMs: delay,
          error: error instanceof Error ? error.message : String(error),
        });
        this.#retryFetch(delay);
      },
    );
  }

  #retryFetch(delay: number): void {
    this.#clock.clearTimeout(this.#fetchTimer);
    this.#fetchTimer = this.#clock.setTimeout(() => {
      this.#fetchTimer = undefined;
      this.#fetchSnapshot();
    }, delay);
  }

  #onSnapshot(snapshot: WirePartialDepth): void {
    if (this.#state !== 'buffering') return;
    const lastUpdateId = snapshot.lastUpdateId;
    const buffer = this.#buffer;
    const first = buffer[0];
    if (first === undefined) return; // cannot happen: a fetch starts with the first buffered event
    if (lastUpdateId + 1 < first.U) {
      // The snapshot predates the first event we hold: ids in between are unknown.
      this.#publishResync('stale_snapshot');
      this.#retryFetch(this.#backoff.next());
      return;
    }
    let start = 0;
    while (start < buffer.length && (buffer[start] as WireDepthUpdate).u <= lastUpdateId) start++;
    try {
      this.book.reset(snapshot.bids, snapshot.asks, lastUpdateId, this.#clock.now());
    } catch (error) {
      this.#logger.warn('malformed depth snapshot, fetching again', {
        symbol: this.#options.symbol,
        error: error instanceof Error ? error.message : String(error),
      });
      this.#retryFetch(this.#backoff.next());
      return;
    }
    this.#snapshots++;
    this.#buffer = [];
    this.#state = 'synced';
    this.#syncedAt = this.#clock.now();
    let timestamp = this.book.timestamp;
    for (let i = start; i < buffer.length; i++) {
      const w = buffer[i] as WireDepthUpdate;
      const id = this.book.sequence;
      if (w.u <= id) continue;
      if (w.U > id + 1) {
        this.#resync('gap', undefined, ...buffer.slice(i));
        return;
      }
      if (!this.#apply(w)) return;
      timestamp = w.E;
    }
    if (this.book.isCrossed()) {
      this.#resync('crossed', undefined);
      return;
    }
    this.#announceResynced();
    this.#deliver(true, timestamp);
  }

  #deliver(resynced: boolean, timestamp: number): void {
    this.#listener.update({
      exchange: this.#exchange,
      symbol: this.#options.symbol,
      book: this.book,
      updateId: this.book.updateId,
      timestamp,
      resynced,
    });
  }

  #announceStale(reason: string): void {
    if (this.#announcedStale) return;
    this.#announcedStale = true;
    this.#listener.status({ type: 'stale', reason });
  }

  #announceResynced(): void {
    if (!this.#announcedStale) return;
    this.#announcedStale = false;
    this.#listener.status({ type: 'resynced', updateId: this.book.updateId });
  }

  #clearReorder(): void {
    this.#clock.clearTimeout(this.#reorderTimer);
    this.#reorderTimer = undefined;
  }

  #publishResync(reason: ResyncReason): void {
    if (telemetry.bookResync.hasSubscribers) {
      telemetry.bookResync.publish({ exchange: this.#exchange, symbol: this.#options.symbol, reason });
    }
  }
}
