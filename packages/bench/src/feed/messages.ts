import { Prng } from './prng';

/**
 * The market the local server sends: Binance spot's BTCUSDT in the combined-stream form
 * (`{"stream":"<name>","data":<payload>}`, web-socket-streams.md, "General WSS information").
 *
 * Payload shapes are the official docs' examples (binance/binance-spot-api-docs):
 * - web-socket-streams.md, "Trade Streams":
 *   `{"e":"trade","E":1672515782136,"s":"BNBBTC","t":12345,"p":"0.001","q":"100","T":1672515782136,"m":true,"M":true}`
 *   (without the buyer and seller order ids `b`/`a`, removed from the stream on 2024-06-18, CHANGELOG.md);
 * - web-socket-streams.md, "Diff. Depth Stream":
 *   `{"e":"depthUpdate","E":1672515782136,"s":"BNBBTC","U":157,"u":160,"b":[["0.0024","10"]],"a":[["0.0026","100"]]}`;
 * - rest-api.md, "Order book" (`GET /api/v3/depth`):
 *   `{"lastUpdateId":1027024,"bids":[["4.00000000","431.00000000"]],"asks":[["4.00000200","12.00000000"]]}`.
 *
 * Values are BTCUSDT-like: prices with a 0.01 tick around 64 000 and eight decimals as Binance
 * prints them, quantities from 0.00001 to 0.5 BTC. One deviation, on purpose: the event time `E` and
 * the trade time `T` carry the send time in microseconds of the machine's monotonic clock
 * (clock.ts) instead of epoch milliseconds, so that every library hands the subscriber a value from
 * which the latency from the server's send can be computed. They stay JSON integers.
 */

const MID_TICK = 6_400_000; // 64 000.00 in ticks of 0.01
const ZERO_QUANTITY = '0.00000000';
const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));

/** A price in ticks of 0.01, as Binance prints BTCUSDT prices: `64000.01000000`. */
export function priceText(tick: number): string {
  return `${Math.floor(tick / 100)}.${TWO_DIGITS[tick % 100]}000000`;
}

/** A pool of quantity strings (`0.01234000`); drawing from a pool keeps generation cheap. */
function quantities(prng: Prng, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < size; i++) out.push(((1000 + prng.int(50_000_000)) / 1e8).toFixed(8));
  return out;
}

/** The combined-stream form of one event. */
export function combined(stream: string, data: string): string {
  return `{"stream":"${stream}","data":${data}}`;
}

export interface IdRange {
  /** The id of the first message (`t` for trades, `U` of the first diff for depth). */
  readonly firstId: number;
  /** The id the last message carries (`t`, or `u` of the last diff). */
  readonly lastId: number;
}

export interface Feed {
  /** The next event's payload (the `data` of the combined form), stamped `sentUs`. Advances the feed. */
  next(sentUs: number): string;
  /** The ids the next `count` messages will carry (nothing is generated). */
  plan(count: number): IdRange;
  /** Whether a subscribed stream name is this feed's. */
  matches(stream: string): boolean;
}

/**
 * Trades with consecutive ids (`t`), as venuekit's gap detection expects of a live stream. Half of
 * the trades repeat the previous price (a taker sweeping one level prints several trades at one
 * price); the others move one to three ticks. Quantities are drawn at random.
 */
export class TradeFeed implements Feed {
  #nextId: number;
  #tick = MID_TICK;
  #price = priceText(MID_TICK);
  readonly #prng: Prng;
  readonly #quantities: string[];

  constructor(seed = 1, firstId = 5_000_000_000) {
    this.#prng = new Prng(seed);
    this.#quantities = quantities(this.#prng, 4096);
    this.#nextId = firstId;
  }

  get nextId(): number {
    return this.#nextId;
  }

  matches(stream: string): boolean {
    return stream === 'btcusdt@trade';
  }

  plan(count: number): IdRange {
    return { firstId: this.#nextId, lastId: this.#nextId + count - 1 };
  }

  next(sentUs: number): string {
    const prng = this.#prng;
    const r = prng.next();
    if (r >= 0.5) {
      const step = 1 + prng.int(3);
      this.#tick += r >= 0.75 ? step : -step;
      // Stay within ±5 000 ticks of the mid.
      if (Math.abs(this.#tick - MID_TICK) > 5000) this.#tick = MID_TICK;
      this.#price = priceText(this.#tick);
    }
    const quantity = this.#quantities[prng.int(4096)] as string;
    const maker = prng.next() < 0.5;
    const id = this.#nextId++;
    return `{"e":"trade","E":${sentUs},"s":"BTCUSDT","t":${id},"p":"${this.#price}","q":"${quantity}","T":${sentUs},"m":${maker},"M":true}`;
  }
}

export interface DepthFeedOptions {
  readonly seed?: number;
  /** Price levels per side in the window the feed moves (and in the initial book). Default 2000. */
  readonly levels?: number;
  /** Level changes per diff, half per side. Default 10. */
  readonly changesPerMessage?: number;
  readonly firstUpdateId?: number;
}

export interface BookTop {
  readonly lastUpdateId: number;
  readonly bestBid: string | undefined;
  readonly bestAsk: string | undefined;
  readonly bids: number;
  readonly asks: number;
}

/**
 * A full-depth book (2000 levels per side by default, one tick apart, never crossed) and the diff
 * stream that moves it. Every diff changes `changesPerMessage` levels, half per side, and covers as
 * many update ids (`U..u`, contiguous from one diff to the next), so a snapshot plus the diffs after
 * it rebuild the book exactly (web-socket-streams.md, "How to manage a local order book
 * correctly"). Changes favour the top of the book (the offset from the mid is drawn as r² of the
 * window); a chosen level that exists is removed one time in five, otherwise given a new quantity;
 * a chosen level that does not exist is added. About a third of the changes add or remove a level.
 */
export class DepthFeed implements Feed {
  #nextId: number;
  readonly #prng: Prng;
  readonly #levels: number;
  readonly #half: number;
  readonly #quantities: string[];
  /** Quantity index + 1 per offset from the mid (1…levels); 0 means no level. */
  readonly #bids: Uint16Array;
  readonly #asks: Uint16Array;
  readonly #bidPrices: string[];
  readonly #askPrices: string[];
  readonly #picked: number[] = [];

  constructor(options: DepthFeedOptions = {}) {
    this.#prng = new Prng(options.seed ?? 2);
    this.#levels = options.levels ?? 2000;
    this.#half = Math.max(1, Math.floor((options.changesPerMessage ?? 10) / 2));
    this.#nextId = options.firstUpdateId ?? 80_000_000_000;
    this.#quantities = quantities(this.#prng, 4096);
    this.#bids = new Uint16Array(this.#levels + 1);
    this.#asks = new Uint16Array(this.#levels + 1);
    this.#bidPrices = [];
    this.#askPrices = [];
    for (let offset = 0; offset <= this.#levels; offset++) {
      this.#bidPrices.push(priceText(MID_TICK - offset));
      this.#askPrices.push(priceText(MID_TICK + offset));
      if (offset > 0) {
        this.#bids[offset] = 1 + this.#prng.int(4096);
        this.#asks[offset] = 1 + this.#prng.int(4096);
      }
    }
  }

  /** Update ids each diff covers. */
  get idsPerMessage(): number {
    return 2 * this.#half;
  }

  /** The `u` of the last diff generated (the book's update id). */
  get lastUpdateId(): number {
    return this.#nextId - 1;
  }

  matches(stream: string): boolean {
    return (
      stream === 'btcusdt@depth' || stream === 'btcusdt@depth@100ms' || stream === 'btcusdt@depth@1000ms'
    );
  }

  plan(count: number): IdRange {
    return { firstId: this.#nextId, lastId: this.#nextId + count * this.idsPerMessage - 1 };
  }

  next(sentUs: number): string {
    const first = this.#nextId;
    this.#nextId += this.idsPerMessage;
    const bids = this.#side(this.#bids, this.#bidPrices);
    const asks = this.#side(this.#asks, this.#askPrices);
    return `{"e":"depthUpdate","E":${sentUs},"s":"BTCUSDT","U":${first},"u":${this.#nextId - 1},"b":[${bids}],"a":[${asks}]}`;
  }

  #side(book: Uint16Array, prices: readonly string[]): string {
    const prng = this.#prng;
    const picked = this.#picked;
    picked.length = 0;
    let out = '';
    while (picked.length < this.#half) {
      const r = prng.next();
      const offset = 1 + Math.floor(r * r * this.#levels);
      if (picked.includes(offset)) continue;
      picked.push(offset);
      let quantity: string;
      if (book[offset] !== 0 && prng.next() < 0.2) {
        book[offset] = 0;
        quantity = ZERO_QUANTITY;
      } else {
        const q = prng.int(4096);
        book[offset] = q + 1;
        quantity = this.#quantities[q] as string;
      }
      out += `${out === '' ? '' : ','}["${prices[offset]}","${quantity}"]`;
    }
    return out;
  }

  /** `GET /api/v3/depth` now: the best `limit` levels per side, best first. */
  snapshot(limit: number): { lastUpdateId: number; bids: [string, string][]; asks: [string, string][] } {
    return {
      lastUpdateId: this.lastUpdateId,
      bids: this.#top(this.#bids, this.#bidPrices, limit),
      asks: this.#top(this.#asks, this.#askPrices, limit),
    };
  }

  /** The truth, to check a client's book against at the end of a run. */
  top(): BookTop {
    const snapshot = this.snapshot(Number.POSITIVE_INFINITY);
    return {
      lastUpdateId: snapshot.lastUpdateId,
      bestBid: snapshot.bids[0]?.[0],
      bestAsk: snapshot.asks[0]?.[0],
      bids: snapshot.bids.length,
      asks: snapshot.asks.length,
    };
  }

  #top(book: Uint16Array, prices: readonly string[], limit: number): [string, string][] {
    const out: [string, string][] = [];
    for (let offset = 1; offset <= this.#levels && out.length < limit; offset++) {
      const q = book[offset] as number;
      if (q !== 0) out.push([prices[offset] as string, this.#quantities[q - 1] as string]);
    }
    return out;
  }
}
