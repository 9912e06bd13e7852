import { Decimal } from '@venuekit/core';
import type { ExchangeEngine } from '../engine/engine';
import type { SymbolInfo } from '../engine/types';
import * as wire from '../engine/wire';
import type { ResponsePayloads } from './operations';
import type { StreamPayloads } from './stream-hub';
import type { UserDataPayloads } from './ws-api-server';

const ZERO = new Decimal(0);

export interface Payloads {
  readonly streams: StreamPayloads;
  readonly responses: ResponsePayloads;
  readonly userData: UserDataPayloads;
}

/**
 * The engine's wire formatting (src/engine/wire.ts) with each symbol's precision, as the three
 * servers need it: stream payloads as JSON text (serialised once per event), REST / WebSocket
 * API results as JSON values.
 */
export function createPayloads(engine: ExchangeEngine): Payloads {
  const precisions = new Map<string, wire.WirePrecision>();
  const precision = (symbol: string): wire.WirePrecision => {
    let found = precisions.get(symbol);
    if (!found) {
      const info: SymbolInfo | undefined = engine.hasSymbol(symbol) ? engine.symbol(symbol) : undefined;
      found = info
        ? {
            baseAssetPrecision: info.baseAssetPrecision,
            quoteAssetPrecision: info.quoteAssetPrecision,
            baseCommissionPrecision: info.baseCommissionPrecision,
            quoteCommissionPrecision: info.quoteCommissionPrecision,
          }
        : { baseAssetPrecision: 8, quoteAssetPrecision: 8 };
      precisions.set(symbol, found);
    }
    return found;
  };

  const streams: StreamPayloads = {
    trade: (trade, eventTime) => JSON.stringify(wire.tradeEvent(trade, eventTime, precision(trade.symbol))),
    aggTrade: (trade, eventTime) =>
      JSON.stringify(wire.aggTradeEvent(trade, eventTime, precision(trade.symbol))),
    bookTicker: (top) => JSON.stringify(wire.bookTickerEvent(top, precision(top.symbol))),
    depthUpdate: (diff) => JSON.stringify(wire.depthUpdateEvent(diff, precision(diff.symbol))),
    partialDepth: (snapshot) => JSON.stringify(wire.depthPayload(snapshot, precision(snapshot.symbol))),
    ticker: (stats, eventTime) => JSON.stringify(wire.tickerEvent(stats, eventTime, precision(stats.symbol))),
    miniTicker: (stats, eventTime) =>
      JSON.stringify(wire.miniTickerEvent(stats, eventTime, precision(stats.symbol))),
    kline: (kline, eventTime) => JSON.stringify(wire.klineEvent(kline, eventTime, precision(kline.symbol))),
    // web-socket-streams.md "Average Price": {"e":"avgPrice","E":…,"s":…,"i":"5m","w":…,"T":…}
    avgPrice: (symbol, average, eventTime) =>
      JSON.stringify({
        e: 'avgPrice',
        E: eventTime,
        s: symbol,
        i: `${average.mins}m`,
        w: wire.avgPricePayload(average, precision(symbol)).price,
        T: average.closeTime,
      }),
  };

  const responses: ResponsePayloads = {
    exchangeInfo: (symbols, rateLimits, serverTime) =>
      wire.exchangeInfoPayload(symbols, serverTime, rateLimits as readonly wire.WireRateLimit[]),
    depth: (snapshot) => wire.depthPayload(snapshot, precision(snapshot.symbol)),
    trades: (trades) => trades.map((trade) => wire.tradePayload(trade, precision(trade.symbol))),
    aggTrades: (trades) => trades.map((trade) => wire.aggTradePayload(trade, precision(trade.symbol))),
    klines: (klines) => klines.map((kline) => wire.klinePayload(kline, precision(kline.symbol))),
    avgPrice: (symbol, average) => wire.avgPricePayload(average, precision(symbol)),
    ticker24h: (stats, type) =>
      type === 'MINI'
        ? wire.miniTicker24hPayload(stats, precision(stats.symbol))
        : wire.ticker24hPayload(stats, precision(stats.symbol)),
    tickerPrice: (symbol, last) =>
      // Binance answers "0.00000000" for a symbol that never traded.
      wire.tickerPricePayload(symbol, last ? last.price : ZERO, precision(symbol)),
    bookTicker: (top) => wire.bookTickerRestPayload(top, precision(top.symbol)),
    placeOrder: (result) => wire.orderResponsePayload(result, precision(result.order.symbol)),
    cancelOrder: (result) => wire.cancelPayload(result, precision(result.order.symbol)),
    order: (order) => wire.orderPayload(order, precision(order.symbol)),
    canceledItems: (items) => wire.cancelOpenOrdersPayload(items, precision),
    account: (account, balances) => wire.accountPayload(account, balances),
    myTrades: (trades) => trades.map((trade) => wire.myTradePayload(trade, precision(trade.symbol))),
    orderListPlaced: (result) => wire.orderListPayload(result, precision(result.list.symbol)),
    orderListCanceled: (result) => wire.cancelOrderListPayload(result, precision(result.list.symbol)),
    orderList: (list) => wire.orderListStatusPayload(list),
  };

  const userData: UserDataPayloads = {
    executionReport: (event) =>
      JSON.stringify(wire.executionReportEvent(event, precision(event.order.symbol))),
    outboundAccountPosition: (event) => JSON.stringify(wire.accountPositionEvent(event)),
    balanceUpdate: (event) => JSON.stringify(wire.balanceUpdateEvent(event)),
    listStatus: (event) => JSON.stringify(wire.listStatusEvent(event)),
  };

  return { streams, responses, userData };
}
