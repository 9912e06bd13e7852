import {
  type BusEvent,
  Decimal,
  isDecimal,
  type OrderBookLevel,
  type OrderBookSnapshot,
  ValidationError,
} from '@venuekit/core';

/** A bus event as it crossed the wire, with the publisher's per-topic sequence number. */
export interface DecodedMessage {
  readonly event: BusEvent;
  /** Random per publishing bus instance: sequences are per publisher and topic. */
  readonly publisherId: string;
  readonly seq: number;
}

/** Turns bus events into wire text and back. Decimals must survive exactly. */
export interface BusCodec {
  encode(event: BusEvent, publisherId: string, seq: number): string;
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
type Envelope = [
  version: number,
  publisherId: string,
  seq: number,
  type: string,
  exchange: string,
  symbol: string | null,
  userId: string | null,
  publishedAt: number,
  tag: Tag,
  data: unknown,
];

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
  encode(event: BusEvent, publisherId: string, seq: number): string {
    const { type } = event;
    let tag: Tag;
    let data: unknown = event.data;
    if (PLAIN_TYPES.has(type)) {
      tag = 'j';
    } else if (event.topic.startsWith('market.') && MARKET_DECIMALS[type] !== undefined) {
      tag = 'm';
    } else if (event.topic.startsWith('market.') && BOOK_TYPES.has(type) && isSnapshot(data)) {
      tag = 'b';
      data = encodeBook(data);
    } else {
      tag = 'g';
    }
    const envelope: Envelope = [
      WIRE_VERSION,
      publisherId,
      seq,
      type,
      event.exchange,
      event.symbol ?? null,
      event.userId ?? null,
      event.publishedAt,
      tag,
      data,
    ];
    return tag === 'g' ? JSON.stringify(envelope, tagDecimals) : JSON.stringify(envelope);
  }

  decode(topic: string, payload: string): DecodedMessage {
    const envelope = JSON.parse(payload) as unknown;
    if (
      !Array.isArray(envelope) ||
      envelope.length !== 10 ||
      envelope[0] !== WIRE_VERSION ||
      typeof envelope[1] !== 'string' ||
      typeof envelope[2] !== 'number' ||
      typeof envelope[3] !== 'string' ||
      typeof envelope[4] !== 'string' ||
      typeof envelope[7] !== 'number'
    ) {
      throw new ValidationError('INVALID_PARAMETER', {
        field: 'payload',
        rule: `must be a venuekit bus envelope (version ${WIRE_VERSION})`,
      });
    }
    const [, publisherId, seq, type, exchange, symbol, userId, publishedAt, tag, raw] = envelope as Envelope;
    let data = raw;
    if (tag === 'm') data = reviveMarket(type, raw);
    else if (tag === 'b') data = decodeBook(raw);
    else if (tag === 'g') data = reviveDecimals(raw);
    const event: BusEvent = {
      topic,
      type,
      exchange,
      ...(symbol === null ? {} : { symbol }),
      ...(userId === null ? {} : { userId }),
      data,
      publishedAt,
    };
    return { event, publisherId, seq };
  }
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
    throw new ValidationError('INVALID_PARAMETER', { field: 'data', rule: 'must be an order book snapshot' });
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
