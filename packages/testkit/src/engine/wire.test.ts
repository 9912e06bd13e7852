import { Decimal, ManualClock } from '@venuekit/core';
import { beforeEach, describe, expect, it } from 'vitest';
import { ExchangeEngine } from './engine';
import * as docs from '../docs-examples';
import type { EngineEvent, EngineEventMap, NewOrderRequest } from './types';
import * as wire from './wire';

/**
 * Differences between two JSON values' shapes: missing or extra keys, and
 * values of another JSON type. Arrays compare their first elements.
 */
function shapeDiff(
  ours: unknown,
  doc: unknown,
  path = '$',
  optional: ReadonlySet<string> = new Set(),
): string[] {
  const kind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
  if (kind(ours) !== kind(doc)) return [`${path}: ${kind(ours)} where the docs have ${kind(doc)}`];
  if (Array.isArray(ours) && Array.isArray(doc)) {
    if (ours.length === 0 || doc.length === 0) return [];
    return shapeDiff(ours[0], doc[0], `${path}[0]`, optional);
  }
  if (kind(ours) !== 'object') return [];
  const a = ours as Record<string, unknown>;
  const b = doc as Record<string, unknown>;
  const out: string[] = [];
  for (const key of Object.keys(b)) {
    if (!(key in a) && !optional.has(key)) out.push(`${path}.${key}: missing`);
  }
  for (const key of Object.keys(a)) {
    if (!(key in b)) {
      if (!optional.has(key)) out.push(`${path}.${key}: not in the docs`);
      continue;
    }
    out.push(...shapeDiff(a[key], b[key], `${path}.${key}`, optional));
  }
  return out;
}

function expectShape(ours: unknown, doc: unknown, optional: readonly string[] = []): void {
  // Through JSON, as the servers send it.
  expect(shapeDiff(JSON.parse(JSON.stringify(ours)), doc, '$', new Set(optional))).toEqual([]);
}

const d = (value: string) => new Decimal(value);
const limit = (side: 'BUY' | 'SELL', price: string, quantity: string): NewOrderRequest => ({
  symbol: 'BTCUSDT',
  side,
  type: 'LIMIT',
  timeInForce: 'GTC',
  price: d(price),
  quantity: d(quantity),
});

let clock: ManualClock;
let engine: ExchangeEngine;
let events: EngineEvent[];
const info = () => engine.symbol('BTCUSDT');

beforeEach(() => {
  clock = new ManualClock(Date.UTC(2026, 0, 1, 12));
  engine = new ExchangeEngine({
    clock,
    accounts: [
      { id: 'maker', balances: { USDT: '1000000', BTC: '100' } },
      { id: 'taker', balances: { USDT: '1000000', BTC: '100' } },
    ],
  });
  events = [];
  engine.subscribe((event) => events.push(event));
  engine.placeOrder('maker', limit('SELL', '60000.00', '0.5'));
  engine.placeOrder('maker', limit('BUY', '59990.00', '0.5'));
});

function eventsOf<K extends EngineEvent['type']>(type: K): EngineEventMap[K][] {
  return events.filter((e) => e.type === type).map((e) => e.data as EngineEventMap[K]);
}

describe('the shape comparison', () => {
  it('reports missing keys, extra keys and other JSON types', () => {
    expect(shapeDiff({ a: 1, c: true, n: [{ x: '1' }] }, { a: '1', b: 2, n: [{ x: 1 }] })).toEqual([
      '$.b: missing',
      '$.a: number where the docs have string',
      '$.c: not in the docs',
      '$.n[0].x: string where the docs have number',
    ]);
  });
});

describe('REST payloads match the official examples', () => {
  it('exchangeInfo', () => {
    const payload = wire.exchangeInfoPayload(engine.symbols(), clock.now());
    expect(payload.timezone).toBe('UTC');
    expectShape({ ...payload.symbols[0], filters: [] }, docs.exchangeInfoSymbol);
    const filters = payload.symbols[0]?.filters ?? [];
    for (const filter of filters) {
      const example = docs.filterExamples[filter.filterType as keyof typeof docs.filterExamples];
      expect(example, filter.filterType).toBeDefined();
      expectShape(filter, example);
    }
    expect(payload.rateLimits.map((l) => l.rateLimitType)).toContain('REQUEST_WEIGHT');
  });

  it('depth, trades, aggTrades, klines, tickers and average price', () => {
    engine.placeOrder('taker', limit('BUY', '60000.00', '0.1'));
    const p = info();
    const depth = wire.depthPayload(engine.depth('BTCUSDT', 5), p);
    expectShape(depth, docs.depth);
    expect(depth.asks[0]).toEqual(['60000.00000000', '0.40000000']);
    expectShape(wire.tradePayload(engine.recentTrades('BTCUSDT')[0] as never, p), docs.trade);
    expectShape(wire.aggTradePayload(engine.aggTrades('BTCUSDT')[0] as never, p), docs.aggTrade);
    expectShape(wire.klinePayload(engine.klines('BTCUSDT', '1m')[0] as never, p), docs.kline);
    const stats = engine.ticker24h('BTCUSDT');
    expectShape(wire.ticker24hPayload(stats, p), docs.ticker24h);
    expectShape(wire.miniTicker24hPayload(stats, p), docs.miniTicker24h);
    expectShape(wire.tickerPricePayload('BTCUSDT', stats.lastPrice, p), docs.tickerPrice);
    expectShape(wire.bookTickerRestPayload(engine.bookTicker('BTCUSDT'), p), docs.bookTicker);
    expectShape(wire.avgPricePayload(engine.avgPrice('BTCUSDT'), p), docs.avgPrice);
    expect(wire.ticker24hPayload(stats, p).lastPrice).toBe('60000.00000000');
  });

  it('order responses ACK, RESULT and FULL', () => {
    const placed = engine.placeOrder('taker', limit('BUY', '60000.00', '0.1'));
    expect(placed.responseType).toBe('FULL');
    expectShape(wire.orderResponsePayload(placed, info(), 'ACK'), docs.orderAck);
    expectShape(wire.orderResponsePayload(placed, info(), 'RESULT'), docs.orderResult);
    const full = wire.orderResponsePayload(placed, info(), 'FULL');
    expectShape(full, docs.orderFull);
    expect(full).toMatchObject({
      executedQty: '0.10000000',
      cummulativeQuoteQty: '6000.00000000',
      status: 'FILLED',
      fills: [
        { price: '60000.00000000', qty: '0.10000000', commission: '0.00010000', commissionAsset: 'BTC' },
      ],
    });
  });

  it('query order, cancel, OCO list, account and my trades', () => {
    const resting = engine.placeOrder('taker', limit('BUY', '59000.00', '0.1'));
    expectShape(wire.orderPayload(resting.order, info()), docs.queryOrder);
    const cancel = engine.cancelOrder('taker', { symbol: 'BTCUSDT', orderId: resting.order.orderId });
    expectShape(wire.cancelPayload(cancel, info()), docs.cancelOrder);

    const oco = engine.placeOcoOrderList('maker', {
      symbol: 'BTCUSDT',
      side: 'SELL',
      quantity: d('0.1'),
      aboveType: 'LIMIT_MAKER',
      abovePrice: d('61000'),
      belowType: 'STOP_LOSS_LIMIT',
      belowStopPrice: d('58000'),
      belowPrice: d('57900'),
      belowTimeInForce: 'GTC',
      newOrderRespType: 'RESULT',
    });
    // icebergQty only appears on legs with an iceberg (conditional fields in order responses).
    expectShape(wire.orderListPayload(oco, info()), docs.ocoOrderList, ['icebergQty']);

    engine.placeOrder('taker', limit('BUY', '60000.00', '0.1'));
    const account = engine.account('taker');
    expectShape(wire.accountPayload(account, engine.balances('taker')), docs.account);
    expect(wire.accountPayload(account, []).makerCommission).toBe(10);
    expectShape(
      wire.myTradePayload(engine.myTrades('taker', { symbol: 'BTCUSDT' })[0] as never, info()),
      docs.myTrade,
    );
  });
});

describe('stream payloads match the official examples', () => {
  it('trade, aggTrade, kline, tickers, bookTicker, depth', () => {
    engine.placeOrder('taker', limit('BUY', '60000.00', '0.1'));
    const now = clock.now();
    const p = info();
    expectShape(wire.tradeEvent(eventsOf('trade')[0] as never, now, p), docs.tradeEvent);
    expectShape(wire.aggTradeEvent(eventsOf('aggTrade')[0] as never, now, p), docs.aggTradeEvent);
    expectShape(wire.klineEvent(engine.currentKline('BTCUSDT', '1m') as never, now, p), docs.klineEvent);
    const stats = engine.ticker24h('BTCUSDT');
    expectShape(wire.tickerEvent(stats, now, p), docs.tickerEvent);
    expectShape(wire.miniTickerEvent(stats, now, p), docs.miniTickerEvent);
    const top = eventsOf('bookTicker').at(-1);
    expectShape(wire.bookTickerEvent(top as never, p), docs.bookTickerEvent);
    expectShape(wire.depthPayload(engine.depth('BTCUSDT', 5), p), docs.partialDepthEvent);
    const diff = eventsOf('depth').at(-1);
    const update = wire.depthUpdateEvent(diff as never, p);
    expectShape(update, docs.depthUpdateEvent);
    expect(update.a).toEqual([['60000.00000000', '0.40000000']]);
  });

  it('merges consecutive depth diffs into one contiguous update', () => {
    events.length = 0;
    engine.placeOrder('maker', limit('SELL', '60010.00', '0.1'));
    engine.placeOrder('maker', limit('SELL', '60010.00', '0.2'));
    engine.placeOrder('maker', limit('BUY', '59000.00', '0.2'));
    const diffs = eventsOf('depth');
    const merged = wire.mergeDepthDiffs(diffs);
    expect(merged?.firstUpdateId).toBe(diffs[0]?.firstUpdateId);
    expect(merged?.finalUpdateId).toBe(engine.depth('BTCUSDT').lastUpdateId);
    expect(merged?.asks.map(([p, q]) => [p.toString(), q.toString()])).toEqual([['60010', '0.3']]);
    expect(wire.mergeDepthDiffs([])).toBeUndefined();
  });

  it('user data: executionReport, outboundAccountPosition, balanceUpdate, listStatus', () => {
    events.length = 0;
    engine.placeOrder('taker', limit('BUY', '59000.00', '0.1'));
    const report = eventsOf('execution')[0];
    const payload = wire.executionReportEvent(report as never, info());
    // `v` (prevented match id) is in the docs' example but sent only for an order expired by STP.
    expectShape(payload, docs.executionReport, ['v']);
    expect(payload).toMatchObject({ x: 'NEW', X: 'NEW', w: true, N: null, t: -1, C: '' });
    expectShape(
      wire.accountPositionEvent(eventsOf('accountPosition')[0] as never),
      docs.outboundAccountPosition,
    );
    engine.adjustBalance('taker', 'BTC', '-1');
    const update = wire.balanceUpdateEvent(eventsOf('balanceUpdate')[0] as never);
    expectShape(update, docs.balanceUpdate);
    expect(update.d).toBe('-1.00000000');
    engine.placeOcoOrderList('maker', {
      symbol: 'BTCUSDT',
      side: 'SELL',
      quantity: d('0.1'),
      aboveType: 'LIMIT_MAKER',
      abovePrice: d('61000'),
      belowType: 'STOP_LOSS',
      belowStopPrice: d('58000'),
    });
    expectShape(wire.listStatusEvent(eventsOf('listStatus')[0] as never), docs.listStatus);
    // A stop order that is not working yet has no working time (W).
    const stopReport = eventsOf('execution').find((r) => r.order.type === 'STOP_LOSS');
    expect(wire.executionReportEvent(stopReport as never, info()).W).toBeUndefined();
  });

  it('writes decimals with the symbol precision and never with an exponent', () => {
    expect(wire.formatDecimal(d('0.00000001'))).toBe('0.00000001');
    expect(wire.formatDecimal(d('123456789.123456789'))).toBe('123456789.12345678');
    expect(wire.formatDecimal(d('1e-12'))).toBe('0.00000000');
  });
});
