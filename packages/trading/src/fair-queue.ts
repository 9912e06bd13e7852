import { ClosedError, RateLimitError, ValidationError, type VenuekitError } from '@venuekit/core';

export interface FairQueueOptions {
  /**
   * Requests in flight to one venue at once, across all users. Requests beyond it
   * wait here, in fair order, rather than in the adapter's weight gate in arrival
   * order. Default 16.
   */
  readonly maxConcurrent?: number;
  /** Requests in flight at once for one user. Default 4. */
  readonly maxConcurrentPerUser?: number;
  /**
   * Requests one user may have waiting; more are refused at once with a
   * RateLimitError (nothing is sent), so one user cannot grow an unbounded
   * backlog. Default 100.
   */
  readonly maxQueuedPerUser?: number;
}

export interface FairQueueStats {
  readonly inFlight: number;
  readonly queued: number;
  readonly lanes: number;
}

export interface LaneStats {
  readonly inFlight: number;
  readonly queued: number;
}

interface Job {
  readonly start: number;
  readonly seq: number;
  readonly task: () => Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (reason: unknown) => void;
}

interface Lane {
  readonly id: string;
  readonly queue: Job[];
  inFlight: number;
  /** Virtual finish tag of the lane's last queued job. */
  finish: number;
  /** Position in the heap, -1 when not in it. */
  heapIndex: number;
}

const DEFAULTS = { maxConcurrent: 16, maxConcurrentPerUser: 4, maxQueuedPerUser: 100 } as const;

/**
 * A fair queue in front of one venue, shared by every user trading on it.
 *
 * Binance counts request weight per IP: every user of the process spends the same
 * budget. The adapter's gate makes requests wait when the budget runs low, first
 * come first served, so one user sending a burst would push everyone else to the
 * back. This queue caps how many requests are in flight (in total and per user)
 * and, when requests must wait, dispatches them by start-time fair queueing: each
 * request is tagged with a virtual start time that advances by its cost (its
 * expected weight) per user, and the smallest tag goes next. A user who sends a
 * thousand requests gets the same share of the venue as a user who sends one, as
 * long as both have something waiting; an idle user's share is not saved up.
 *
 * When nothing waits, a request is started at once (one comparison, no allocation
 * beyond its promise).
 */
export class FairQueue {
  readonly #maxConcurrent: number;
  readonly #maxPerLane: number;
  readonly #maxQueuedPerLane: number;
  readonly #lanes = new Map<string, Lane>();
  // Lanes with a waiting job and room to start it, ordered by their first job's tag.
  readonly #heap: Lane[] = [];
  #inFlight = 0;
  #queued = 0;
  #virtualTime = 0;
  #seq = 0;

  constructor(options: FairQueueOptions = {}) {
    this.#maxConcurrent = positiveInteger(options.maxConcurrent, DEFAULTS.maxConcurrent, 'maxConcurrent');
    this.#maxPerLane = positiveInteger(
      options.maxConcurrentPerUser,
      DEFAULTS.maxConcurrentPerUser,
      'maxConcurrentPerUser',
    );
    this.#maxQueuedPerLane = positiveInteger(
      options.maxQueuedPerUser,
      DEFAULTS.maxQueuedPerUser,
      'maxQueuedPerUser',
    );
  }

  /**
   * Runs `task` for `laneId` when its turn comes. `cost` is the request's relative
   * price (e.g. its venue weight). Rejects with a RateLimitError, without running
   * the task, when the lane already has `maxQueuedPerUser` requests waiting.
   */
  run<T>(laneId: string, cost: number, task: () => Promise<T>): Promise<T> {
    let lane = this.#lanes.get(laneId);
    if (!lane) {
      lane = { id: laneId, queue: [], inFlight: 0, finish: 0, heapIndex: -1 };
      this.#lanes.set(laneId, lane);
    }
    const start = Math.max(lane.finish, this.#virtualTime);
    if (
      lane.queue.length === 0 &&
      lane.inFlight < this.#maxPerLane &&
      this.#inFlight < this.#maxConcurrent &&
      this.#heap.length === 0
    ) {
      // Nobody is waiting: start now.
      lane.finish = start + cost;
      this.#virtualTime = start;
      return this.#execute(lane, task) as Promise<T>;
    }
    if (lane.queue.length >= this.#maxQueuedPerLane) {
      return Promise.reject(
        new RateLimitError({
          message: `user ${laneId} already has ${lane.queue.length} requests waiting; request not sent`,
          userMessage: 'Too many requests are waiting. Please wait for them to finish.',
          recoverySuggestions: ['Wait for pending requests to complete', 'Reduce request frequency'],
          context: { userId: laneId, sent: false },
        }),
      );
    }
    lane.finish = start + cost;
    return new Promise<T>((resolve, reject) => {
      const job: Job = {
        start,
        seq: this.#seq++,
        task,
        resolve: resolve as (value: unknown) => void,
        reject,
      };
      (lane as Lane).queue.push(job);
      this.#queued++;
      this.#admit(lane as Lane);
      this.#drain();
    });
  }

  /** Rejects the lane's waiting requests with `reason` (or a ClosedError) and forgets the lane. */
  closeLane(laneId: string, reason?: VenuekitError): void {
    const lane = this.#lanes.get(laneId);
    if (!lane) return;
    this.#lanes.delete(laneId);
    if (lane.heapIndex >= 0) this.#heapRemove(lane);
    const waiting = lane.queue.splice(0);
    this.#queued -= waiting.length;
    for (const job of waiting) {
      job.reject(
        reason ??
          new ClosedError({
            message: 'request not sent: the session was closed',
            context: { userId: laneId, sent: false },
          }),
      );
    }
  }

  stats(): FairQueueStats {
    return { inFlight: this.#inFlight, queued: this.#queued, lanes: this.#lanes.size };
  }

  laneStats(laneId: string): LaneStats {
    const lane = this.#lanes.get(laneId);
    return { inFlight: lane?.inFlight ?? 0, queued: lane?.queue.length ?? 0 };
  }

  #execute(lane: Lane, task: () => Promise<unknown>): Promise<unknown> {
    lane.inFlight++;
    this.#inFlight++;
    let promise: Promise<unknown>;
    try {
      promise = task();
    } catch (error) {
      promise = Promise.reject(error);
    }
    const done = () => {
      lane.inFlight--;
      this.#inFlight--;
      if (this.#lanes.get(lane.id) === lane) this.#admit(lane);
      this.#drain();
    };
    promise.then(done, done);
    return promise;
  }

  #admit(lane: Lane): void {
    if (lane.heapIndex < 0 && lane.queue.length > 0 && lane.inFlight < this.#maxPerLane) {
      this.#heapPush(lane);
    }
  }

  #drain(): void {
    while (this.#inFlight < this.#maxConcurrent && this.#heap.length > 0) {
      const lane = this.#heapPop();
      const job = lane.queue.shift() as Job;
      this.#queued--;
      if (job.start > this.#virtualTime) this.#virtualTime = job.start;
      this.#execute(lane, job.task).then(job.resolve, job.reject);
      this.#admit(lane);
    }
  }

  // A binary min-heap of lanes keyed by their first job's (start, seq).

  #less(a: Lane, b: Lane): boolean {
    const x = a.queue[0] as Job;
    const y = b.queue[0] as Job;
    return x.start < y.start || (x.start === y.start && x.seq < y.seq);
  }

  #heapPush(lane: Lane): void {
    lane.heapIndex = this.#heap.length;
    this.#heap.push(lane);
    this.#siftUp(lane.heapIndex);
  }

  #heapPop(): Lane {
    const top = this.#heap[0] as Lane;
    this.#heapRemove(top);
    return top;
  }

  #heapRemove(lane: Lane): void {
    const index = lane.heapIndex;
    const last = this.#heap.pop() as Lane;
    lane.heapIndex = -1;
    if (last === lane) return;
    this.#heap[index] = last;
    last.heapIndex = index;
    this.#siftDown(index);
    this.#siftUp(last.heapIndex);
  }

  #siftUp(index: number): void {
    const heap = this.#heap;
    let i = index;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(heap[i] as Lane, heap[parent] as Lane)) break;
      this.#swap(i, parent);
      i = parent;
    }
  }

  #siftDown(index: number): void {
    const heap = this.#heap;
    let i = index;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && this.#less(heap[left] as Lane, heap[smallest] as Lane)) smallest = left;
      if (right < heap.length && this.#less(heap[right] as Lane, heap[smallest] as Lane)) smallest = right;
      if (smallest === i) return;
      this.#swap(i, smallest);
      i = smallest;
    }
  }

  #swap(i: number, j: number): void {
    const heap = this.#heap;
    const a = heap[i] as Lane;
    const b = heap[j] as Lane;
    heap[i] = b;
    heap[j] = a;
    a.heapIndex = j;
    b.heapIndex = i;
  }
}

function positiveInteger(value: number | undefined, fallback: number, field: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new ValidationError('INVALID_PARAMETER', { field, rule: 'must be a positive integer' });
  }
  return value;
}
