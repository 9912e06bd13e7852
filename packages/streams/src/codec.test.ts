import {
  type AggTrade,
  type BookTicker,
  type BusEvent,
  Decimal,
  type Kline,
  type MiniTicker,
  type OrderBookSnapshot,
  type Ticker,
  type Trade,
} from '@venuekit/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JsonBusCodec } from './codec';

const d = (text: string) => new Decimal(text);
const codec = new JsonBusCodec();

// Domain objects carrying the values of the payload examples in binance-spot-api-docs
// web-socket-streams.md (Trade, Aggregate Trade, Kline, Mini Ticker, Ticker, Book Ticker, Partial Book Depth).
const trade: Trade = {
  exchange: 'binance',
  symbol: 'BNB/BTC',
  id: '12345',
  price: d('0.001'),
  quantity: d('100'),
  timestamp: 1672515782136,
  side: 'sell',
  buyerIsMaker: true,
};
const aggTrade: AggTrade = {
  exchange: 'binance',
  symbol: 'BNB/BTC',
  id: '12345',
  price: d('0.001'),
  quantity: d('100'),
  firstTradeId: '100',
  lastTradeId: '105',
  timestamp: 1672515782136,
  side: 'sell',
  buyerIsMaker: true,
};
const kline: Kline = {
  exchange: 'binance',
  symbol: 'BNB/BTC',
  interval: '1m',
  openTime: 1672515780000,
  closeTime: 1672515839999,
  open: d('0.0010'),
  high: d('0.0025'),
  low: d('0.0015'),
  close: d('0.0020'),
  volume: d('1000'),
  quoteVolume: d('1.0000'),
  tradeCount: 100,
  takerBuyBaseVolume: d('500'),
  takerBuyQuoteVolume: d('0.500'),
  closed: false,
};
const miniTicker: MiniTicker = {
  exchange: 'binance',
  symbol: 'BNB/BTC',
  timestamp: 1672515782136,
  last: d('0.0025'),
  open: d('0.0010'),
  high: d('0.0025'),
  low: d('0.0010'),
  baseVolume: d('10000'),
  quoteVolume: d('18'),
};
const ticker: Ticker = {
  exchange: 'binance',
  symbol: 'BNB/BTC',
  timestamp: 1672515782136,
  last: d('0.0025'),
  lastQuantity: d('10'),
  open: d('0.0010'),
  high: d('0.0025'),
  low: d('0.0010'),
  change: d('0.0015'),
  changePercent: d('250.00'),
  vwap: d('0.0018'),
  baseVolume: d('10000'),
  quoteVolume: d('18'),
  bid: d('0.0024'),
  bidQuantity: d('10'),
  ask: d('0.0026'),
  askQuantity: d('100'),
  openTime: 0,
  closeTime: 86400000,
  firstTradeId: '0',
  lastTradeId: '18150',
  tradeCount: 18151,
};
const bookTicker: BookTicker = {
  exchange: 'binance',
  symbol: 'BNB/USDT',
  timestamp: 1672515782136,
  updateId: '400900217',
  bid: d('25.35190000'),
  bidQuantity: d('31.21000000'),
  ask: d('25.36520000'),
  askQuantity: d('40.66000000'),
};
const depth: OrderBookSnapshot = {
  exchange: 'binance',
  symbol: 'BNB/BTC',
  updateId: '160',
  timestamp: 1672515782136,
  bids: [{ price: d('0.0024'), quantity: d('10') }],
  asks: [{ price: d('0.0026'), quantity: d('100') }],
};

function event(type: string, data: unknown, topic = `market.binance.BNB/BTC.${type}`): BusEvent {
  return { topic, type, exchange: 'binance', symbol: 'BNB/BTC', data, publishedAt: 1672515782200 };
}

/** Equal values with Decimals compared by their exact text, and Decimals only where Decimals were. */
function exact(value: unknown): unknown {
  if (Decimal.isDecimal(value)) return { decimal: (value as Decimal).toString() };
  if (Array.isArray(value)) return value.map(exact);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, exact(v)]));
  }
  return value;
}

function roundTrip(input: BusEvent): BusEvent {
  const text = codec.encode(input.topic, [input], 'pub1', 7);
  const { events, publisherId, firstSeq } = codec.decode(input.topic, text);
  expect(publisherId).toBe('pub1');
  expect(firstSeq).toBe(7);
  expect(events).toHaveLength(1);
  return events[0] as BusEvent;
}

describe('JsonBusCodec', () => {
  it.each([
    ['trade', trade],
    ['aggTrade', aggTrade],
    ['kline', kline],
    ['miniTicker', miniTicker],
    ['ticker', ticker],
    ['bookTicker', bookTicker],
    ['depth', depth],
    ['orderBook', depth],
  ])('round-trips a %s with its Decimals exact', (type, data) => {
    const output = roundTrip(event(type, data));
    expect(exact(output)).toEqual(exact(event(type, data)));
  });

  it('keeps trailing zeros, tiny and huge values, and negative zero', () => {
    const values = [
      '25.35190000',
      '0.00000001',
      '-0',
      '123456789012345678901234567890.123456789012345678901',
      '1e+70',
    ];
    for (const text of values) {
      const output = roundTrip(event('trade', { ...trade, price: d(text) }));
      const price = (output.data as Trade).price;
      expect(Decimal.isDecimal(price)).toBe(true);
      expect(price.toString()).toBe(d(text).toString());
      expect(price.isNegative()).toBe(d(text).isNegative());
    }
  });

  it('round-trips any decimal exactly (property)', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }),
        fc.integer({ min: 0, max: 30 }),
        (digits, scale) => {
          const text = scale === 0 ? digits.toString() : `${digits}e-${scale}`;
          const price = d(text);
          const output = roundTrip(event('trade', { ...trade, price }));
          return (
            (output.data as Trade).price.eq(price) &&
            (output.data as Trade).price.toString() === price.toString()
          );
        },
      ),
    );
  });

  it('revives Decimals at any depth in other events (trading, custom topics)', () => {
    const data = {
      orderId: '28',
      fills: [
        { price: d('4000.00000000'), qty: d('1.00000000'), fee: { amount: d('4.00000000'), asset: 'USDT' } },
      ],
      note: { $decimal: 'x', other: 1 },
      count: 3,
    };
    const output = roundTrip({
      topic: 'user.alice.fills',
      type: 'fill',
      exchange: 'binance',
      userId: 'alice',
      data,
      publishedAt: 1,
    });
    expect(output.userId).toBe('alice');
    expect(output.symbol).toBeUndefined();
    expect(exact(output.data)).toEqual(exact(data));
  });

  it('carries a batch of events of one topic in order, whatever their types', () => {
    const topic = 'market.binance.BNB/BTC.trades';
    const batch = [
      event('trade', trade, topic),
      event('status', { type: 'stale', reason: 'x' }, topic),
      event('trade', { ...trade, id: '12346' }, topic),
      event('note', { amount: d('1.50') }, topic),
    ];
    const { events } = codec.decode(topic, codec.encode(topic, batch, 'p', 1));
    expect(exact(events)).toEqual(exact(batch));
  });

  it('carries status and error events as plain JSON', () => {
    const status = { type: 'gap', fromId: '5', toId: '9', backfilled: true };
    expect(roundTrip(event('status', status)).data).toEqual(status);
  });

  it('refuses a payload that is not a venuekit envelope', () => {
    expect(() => codec.decode('t', '{"hello":1}')).toThrow(/envelope/);
    expect(() => codec.decode('t', 'not json')).toThrow();
  });
});
