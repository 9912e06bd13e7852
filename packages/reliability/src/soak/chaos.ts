import type { FakeBinance, MessageFaultAction, RequestFaultAction } from '@venuekit/testkit';
import type { SeededRandom } from './rng';

/** Close codes a server may send (1005/1006 are never sent on the wire; a dropped socket is `drop`). */
const CLOSE_CODES = [1000, 1001, 1008, 1011, 1012, 1013, 4000] as const;

const ORDER_ENDPOINTS = ['POST /api/v3/order', 'order.place'] as const;
const CANCEL_ENDPOINTS = ['DELETE /api/v3/order', 'order.cancel'] as const;

export interface ChaosOptions {
  /** Native symbols whose streams are faulted, e.g. `BTCUSDT`. */
  readonly symbols: readonly string[];
  /** Mean pause between two faults. */
  readonly meanIntervalMs: number;
}

type FaultKind = (typeof FAULT_KINDS)[number][0];

/**
 * Every fault the soak injects, with how many of it each round holds. A round is shuffled (seeded)
 * and dealt one fault at a time, so every kind comes up once per round, however short the run.
 */
const FAULT_KINDS = [
  ['close streams connection', 3],
  ['drop streams connection', 2],
  ['silence streams connection', 2],
  ['expire streams connection', 1],
  ['malformed stream frame', 2],
  ['depth gap', 3],
  ['trade messages dropped', 3],
  ['trade message duplicated', 2],
  ['trade messages reordered', 2],
  ['trade message corrupted', 2],
  ['depth message duplicated', 1],
  ['depth messages reordered', 2],
  ['depth message corrupted', 1],
  ['serverShutdown', 1],
  ['close WebSocket API connection', 2],
  ['drop WebSocket API connection', 1],
  ['silence WebSocket API connection', 1],
  ['expire WebSocket API connection', 1],
  ['malformed WebSocket API frame', 1],
  ['user data event duplicated', 1],
  ['order answer lost (unknown outcome)', 3],
  ['order never answered', 2],
  ['order connection dropped', 2],
  ['order refused 503', 1],
  ['order answer delayed', 1],
  ['cancel answer lost', 2],
  ['cancel never answered', 1],
  ['429 on a request', 2],
  ['418 ban', 1],
  ['depth snapshot refused', 1],
  ['trade backfill refused', 1],
  ['clock skew', 1],
] as const;

/** The kinds of fault the soak injects. */
export const FAULT_KIND_NAMES: readonly string[] = FAULT_KINDS.map(([name]) => name);

export class ChaosMonkey {
  readonly #fake: FakeBinance;
  readonly #rng: SeededRandom;
  readonly #options: ChaosOptions;
  readonly #counts = new Map<string, number>();
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  #deck: FaultKind[] = [];
  readonly #log: { readonly at: number; readonly text: string }[] = [];
  #running = false;

  constructor(fake: FakeBinance, rng: SeededRandom, options: ChaosOptions) {
    this.#fake = fake;
    this.#rng = rng;
    this.#options = options;
  }

  /** Faults injected so far, by kind. */
  get counts(): ReadonlyMap<string, number> {
    return this.#counts;
  }

  get total(): number {
    let sum = 0;
    for (const count of this.#counts.values()) sum += count;
    return sum;
  }

  /** The faults injected between two times (epoch ms), for the report of a problem. */
  faultsBetween(from: number, to: number): string[] {
    return this.#log.filter((entry) => entry.at >= from && entry.at <= to).map((entry) => entry.text);
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#schedule();
  }

  /** Stops injecting and undoes lasting faults: scripted faults removed, silences lifted, clock true. */
  stop(): void {
    this.#running = false;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    const faults = this.#fake.handle.faults;
    faults.clear();
    faults.resume('all');
    faults.skewClock(0);
    faults.resetRateLimits();
  }

  /** Injects one fault now (the schedule calls it; tests may too). */
  inject(kind: FaultKind = this.#deal()): void {
    const faults = this.#fake.handle.faults;
    const rng = this.#rng;
    const symbol = rng.pick(this.#options.symbols).toLowerCase();
    const streams = this.#pickConnection('streams');
    const wsApi = this.#pickConnection('wsApi');
    const message = (stream: RegExp | string, action: MessageFaultAction, times = 1) =>
      faults.messages({ kind: 'streams', stream, action, times, skip: rng.int(0, 3) });
    const request = (endpoint: string | undefined, action: RequestFaultAction, times = 1) =>
      faults.failRequests({ ...(endpoint === undefined ? {} : { endpoint }), action, times });
    const depth = new RegExp(`^${symbol}@depth(@100ms)?$`);
    let injected = true;
    switch (kind) {
      case 'close streams connection':
        injected =
          streams !== undefined && faults.closeConnection(streams, rng.pick(CLOSE_CODES), 'chaos') > 0;
        break;
      case 'drop streams connection':
        injected = streams !== undefined && faults.dropConnection(streams) > 0;
        break;
      case 'silence streams connection':
        injected = streams !== undefined && faults.silence(streams) > 0;
        if (injected && streams) this.#later(rng.int(3000, 6000), () => faults.resume(streams));
        break;
      case 'expire streams connection':
        injected = streams !== undefined && faults.expireConnection(streams) > 0;
        break;
      case 'malformed stream frame':
        injected =
          streams !== undefined &&
          faults.sendMalformed(
            streams,
            rng.pick(['{"stream":', 'not json', '[1,2', '{"stream":"x@trade","data":']),
          ) > 0;
        break;
      case 'depth gap':
        faults.depthGap(symbol.toUpperCase(), { times: rng.int(1, 2) });
        break;
      case 'trade messages dropped':
        message(`${symbol}@trade`, { type: 'drop' }, rng.int(1, 3));
        break;
      case 'trade message duplicated':
        message(`${symbol}@trade`, { type: 'duplicate' }, rng.int(1, 2));
        break;
      case 'trade messages reordered':
        message(`${symbol}@trade`, { type: 'reorder' });
        break;
      case 'trade message corrupted':
        message(`${symbol}@trade`, { type: 'corrupt' });
        break;
      case 'depth message duplicated':
        message(depth, { type: 'duplicate' });
        break;
      case 'depth messages reordered':
        message(depth, { type: 'reorder' });
        break;
      case 'depth message corrupted':
        message(depth, { type: 'corrupt' });
        break;
      case 'serverShutdown':
        faults.serverShutdown({ closeAfterMs: rng.int(500, 2500) });
        break;
      case 'close WebSocket API connection':
        injected = wsApi !== undefined && faults.closeConnection(wsApi, rng.pick(CLOSE_CODES), 'chaos') > 0;
        break;
      case 'drop WebSocket API connection':
        injected = wsApi !== undefined && faults.dropConnection(wsApi) > 0;
        break;
      case 'silence WebSocket API connection':
        injected = wsApi !== undefined && faults.silence(wsApi) > 0;
        if (injected && wsApi) this.#later(rng.int(3000, 6000), () => faults.resume(wsApi));
        break;
      case 'expire WebSocket API connection':
        injected = wsApi !== undefined && faults.expireConnection(wsApi) > 0;
        break;
      case 'malformed WebSocket API frame':
        injected =
          wsApi !== undefined && faults.sendMalformed(wsApi, rng.pick(['{"id":', '{"event":', 'nope'])) > 0;
        break;
      case 'user data event duplicated':
        faults.messages({
          kind: 'wsApi',
          stream: rng.pick(['executionReport', 'outboundAccountPosition']),
          action: { type: 'duplicate' },
          times: rng.int(1, 3),
        });
        break;
      case 'order answer lost (unknown outcome)':
        request(rng.pick(ORDER_ENDPOINTS), {
          type: 'unknownOutcome',
          body: rng.pick(['timeout', 'unexpectedResponse', 'empty'] as const),
        });
        break;
      case 'order never answered':
        request(rng.pick(ORDER_ENDPOINTS), { type: 'noResponse', execute: rng.chance(0.6) });
        break;
      case 'order connection dropped':
        request(rng.pick(ORDER_ENDPOINTS), { type: 'dropConnection', execute: rng.chance(0.6) });
        break;
      case 'order refused 503':
        request(rng.pick(ORDER_ENDPOINTS), { type: 'error', status: 503 });
        break;
      case 'order answer delayed':
        request(rng.pick(ORDER_ENDPOINTS), { type: 'delay', ms: rng.int(500, 2500) });
        break;
      case 'cancel answer lost':
        request(rng.pick(CANCEL_ENDPOINTS), { type: 'unknownOutcome' });
        break;
      case 'cancel never answered':
        request(rng.pick(CANCEL_ENDPOINTS), { type: 'noResponse', execute: rng.chance(0.6) });
        break;
      case '429 on a request':
        request(undefined, { type: 'error', status: 429, retryAfterSeconds: 1 }, rng.int(1, 2));
        break;
      case '418 ban':
        if (rng.chance(0.5)) request(undefined, { type: 'error', status: 418, retryAfterSeconds: 2 });
        else faults.ban(rng.int(1000, 2500));
        break;
      case 'depth snapshot refused':
        request(
          '/api/v3/depth',
          rng.chance(0.5) ? { type: 'error', status: 503 } : { type: 'delay', ms: 1500 },
        );
        break;
      case 'trade backfill refused':
        request('/api/v3/trades', { type: 'error', status: 503 });
        break;
      case 'clock skew': {
        faults.skewClock(rng.pick([-7000, -2500, 1500, 3000, 7000]));
        this.#later(rng.int(2000, 6000), () => faults.skewClock(0));
        break;
      }
    }
    if (injected) {
      this.#counts.set(kind, (this.#counts.get(kind) ?? 0) + 1);
      const target = kind.includes('WebSocket API') ? wsApi : kind.includes('streams') ? streams : undefined;
      this.#log.push({ at: Date.now(), text: target === undefined ? kind : `${kind} (${target})` });
      if (this.#log.length > 2000) this.#log.splice(0, 1000);
    }
    // Nothing to act on right now (no connection open): the fault stays in the round for later.
    else this.#deck.unshift(kind);
  }

  /** The next fault of the round; a new shuffled round when this one is dealt out. */
  #deal(): FaultKind {
    if (this.#deck.length === 0) {
      for (const [kind, count] of FAULT_KINDS) for (let i = 0; i < count; i++) this.#deck.push(kind);
      for (let i = this.#deck.length - 1; i > 0; i--) {
        const j = this.#rng.int(0, i);
        [this.#deck[i], this.#deck[j]] = [this.#deck[j] as FaultKind, this.#deck[i] as FaultKind];
      }
    }
    return this.#deck.pop() as FaultKind;
  }

  #schedule(): void {
    if (!this.#running) return;
    this.#later(Math.max(20, this.#rng.exponential(this.#options.meanIntervalMs)), () => {
      if (!this.#running) return;
      this.inject();
      this.#schedule();
    });
  }

  #pickConnection(kind: 'streams' | 'wsApi'): string | undefined {
    const open = this.#fake.handle.connections(kind);
    if (open.length === 0) return undefined;
    return this.#rng.pick(open).id;
  }

  #later(ms: number, run: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      run();
    }, ms);
    this.#timers.add(timer);
  }
}
