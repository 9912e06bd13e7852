import {
  type BusEvent,
  Decimal,
  isDecimal,
  type OrderBookLevel,
  type OrderBookSnapshot,
  ValidationError,
} from '@venuekit/core';

/** Bus events of one topic as they crossed the wire in one message, with the publisher's sequence numbers. */
export interface DecodedMessage {
  readonly events: BusEvent[];
  /** Random per publishing bus instance: sequences are per publisher and topic. */
  readonly publisherId: string;
  /** The sequence number of the first event; the others follow it without holes. */
  readonly firstSeq: number;
}

/**
 * Turns bus events into wire text and back. Decimals must survive exactly. One
 * message carries a batch of events of one topic (what was published in the
 * same tick), so a burst costs one Redis command, not one per event.
 */
export interface BusCodec {
  encode(topic: string, events: readonly BusEvent[], publisherId: string, firstSeq: number): string;
  /** Throws on a payload it cannot read. */
  decode(topic: string, payload: string): DecodedMessage;
}

const WIRE_VERSION = 1;

/** Decimal fields of each market event type (core's Ticker, Trade, Kline…). */
const MARKET_DECIMALS: Readonly<Record<string, readonly string[]>> = {
  ticker: [
    'last',
    'lastQuantity',
    'open',
    'high',
    'low',
    'change',
    'changePercent',
    'vwap',
    'baseVolume',
    'quoteVolume',
    'bid',
    'bidQuantity',
    'ask',
    'askQuantity',
  ],
  miniTicker: ['last', 'open', 'high', 'low', 'baseVolume', 'quoteVolume'],
  bookTicker: ['bid', 'bidQuantity', 'ask', 'askQuantity'],
  trade: ['price', 'quantity'],
  aggTrade: ['price', 'quantity'],
  kline: [
    'open',
    'high',
    'low',
    'close',
    'volume',
    'quoteVolume',
    'takerBuyBaseVolume',
    'takerBuyQuoteVolume',
  ],
};
const BOOK_TYPES = new Set(['depth', 'orderBook']);
/** Types carrying no Decimal: plain JSON both ways. */
const PLAIN_TYPES = new Set(['status', 'error']);

type Tag = 'm' | 'b' | 'j' | 'g';
type WireEvent = [
  type: string,
  exchange: string,
  symbol: string | null,
  userId: string | null,
  publishedAt: number,
  tag: Tag,
  data: unknown,
];
type Envelope = [version: number, publisherId: string, firstSeq: number, events: WireEvent[]];

/**
 * The default codec: JSON, lossless for Decimals.
 *
 * - Market data (`market.*` topics) is written with plain `JSON.stringify`
 *   (a Decimal serialises as its exact decimal string) and read back by the
 *   event type's known Decimal fields, which keeps the hot path native.
 * - Order books go as `[price, quantity]` string pairs of the snapshot's levels.
 * - Anything else (trading events, custom topics) is tagged: every Decimal
 *   becomes `{"$decimal":"…"}` at any depth and is revived on the way in.
 */
export class JsonBusCodec implements BusCodec {
  encode(topic: string, events: readonly BusEvent[], publisherId: string, firstSeq: number): string {
    const market = topic.startsWith('market.');
    let tagged = false;
    const wire: WireEvent[] = new Array(events.length);
    for (let i = 0; i < events.length; i++) {
      const event = events[i] as BusEvent;
      const { type } = event;
      let tag: Tag;
      let data: unknown = event.data;
      if (PLAIN_TYPES.has(type)) {
        tag = 'j';
      } else if (market && MARKET_DECIMALS[type] !== undefined) {
        tag = 'm';
      } else if (market && BOOK_TYPES.has(type) && isSnapshot(data)) {
        tag = 'b';
        data = encodeBook(data);
      } else {
        tag = 'g';
        tagged = true;
      }
      wire[i] = [
        type,
        event.exchange,
        event.symbol ?? null,
        event.userId ?? null,
        event.publishedAt,
        tag,
        data,
      ];
    }
    const envelope: Envelope = [WIRE_VERSION, publisherId, firstSeq, wire];
    if (!tagged) return JSON.stringify(envelope);
    // The replacer tags every Decimal of the message, market events' included: read them back as tagged.
    for (const item of wire) if (item[5] === 'm') item[5] = 'g';
    return JSON.stringify(envelope, tagDecimals);
  }

  decode(topic: string, payload: string): DecodedMessage {
    const envelope = JSON.parse(payload) as unknown;
    if (
      !Array.isArray(envelope) ||
      envelope.length !== 4 ||
      envelope[0] !== WIRE_VERSION ||
      typeof envelope[1] !== 'string' ||
      typeof envelope[2] !== 'number' ||
      !Array.isArray(envelope[3])
    ) {
      throw invalid(`must be a venuekit bus envelope (version ${WIRE_VERSION})`);
    }
    const [, publisherId, firstSeq, wire] = envelope as Envelope;
    const events: BusEvent[] = new Array(wire.length);
    for (let i = 0; i < wire.length; i++) {
      const item = wire[i];
      if (
        !Array.isArray(item) ||
        typeof item[0] !== 'string' ||
        typeof item[1] !== 'string' ||
        typeof item[4] !== 'number'
      ) {
        throw invalid('must hold events as [type, exchange, symbol, userId, publishedAt, tag, data]');
      }
      const [type, exchange, symbol, userId, publishedAt, tag, raw] = item;
      let data = raw;
      if (tag === 'm') data = reviveMarket(type, raw);
      else if (tag === 'b') data = decodeBook(raw);
      else if (tag === 'g') data = reviveDecimals(raw);
      // One object shape for every event (absent fields are undefined), which keeps consumers monomorphic.
      events[i] = {
        topic,
        type,
        exchange,
        symbol: symbol ?? undefined,
        userId: userId ?? undefined,
        data,
        publishedAt,
      };
    }
    return { events, publisherId, firstSeq };
  }
}

function invalid(rule: string): ValidationError {
  return new ValidationError('INVALID_PARAMETER', { field: 'payload', rule });
}

function tagDecimals(this: unknown, key: string, value: unknown): unknown {
  // JSON.stringify calls a Decimal's toJSON before the replacer sees it: look at the holder's original value.
  const original = (this as Record<string, unknown>)[key];
  return isDecimal(original) ? { $decimal: original.toString() } : value;
}

/** Replaces every `{"$decimal":"…"}` by its Decimal, at any depth, in place. */
function reviveDecimals(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = reviveDecimals(value[i]);
    return value;
  }
  const record = value as Record<string, unknown>;
  const text = record.$decimal;
  if (typeof text === 'string' && Object.keys(record).length === 1) return new Decimal(text);
  for (const key of Object.keys(record)) {
    const before = record[key];
    const after = reviveDecimals(before);
    // Assigning `__proto__` would set the prototype: JSON keeps it as a plain key, and so do we.
    if (after !== before && key !== '__proto__') record[key] = after;
  }
  return record;
}

function reviveMarket(type: string, raw: unknown): unknown {
  const fields = MARKET_DECIMALS[type];
  if (fields === undefined || raw === null || typeof raw !== 'object') return raw;
  const record = raw as Record<string, unknown>;
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i] as string;
    const value = record[field];
    if (typeof value === 'string') record[field] = new Decimal(value);
  }
  return record;
}

function isSnapshot(value: unknown): value is OrderBookSnapshot {
  return (
    value !== null &&
    typeof value === 'object' &&
    Array.isArray((value as OrderBookSnapshot).bids) &&
    Array.isArray((value as OrderBookSnapshot).asks)
  );
}

type WireBook = {
  exchange: string;
  symbol: string;
  updateId: string;
  timestamp: number;
  bids: [string, string][];
  asks: [string, string][];
};

function encodeBook(book: OrderBookSnapshot): WireBook {
  return {
    exchange: book.exchange,
    symbol: book.symbol,
    updateId: book.updateId,
    timestamp: book.timestamp,
    bids: book.bids.map(pair),
    asks: book.asks.map(pair),
  };
}

function pair(level: OrderBookLevel): [string, string] {
  return [level.price.toString(), level.quantity.toString()];
}

function decodeBook(raw: unknown): OrderBookSnapshot {
  const wire = raw as WireBook;
  if (!Array.isArray(wire?.bids) || !Array.isArray(wire.asks)) {
    throw invalid('must hold an order book snapshot');
  }
  return {
    exchange: wire.exchange,
    symbol: wire.symbol,
    updateId: wire.updateId,
    timestamp: wire.timestamp,
    bids: wire.bids.map(level),
    asks: wire.asks.map(level),
  };
}

function level([price, quantity]: [string, string]): OrderBookLevel {
  return { price: new Decimal(price), quantity: new Decimal(quantity) };
}
