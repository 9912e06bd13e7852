import type { ExchangeEngine } from '../engine/engine';
import type {
  AccountInfo,
  AccountTrade,
  AggTradeRecord,
  AveragePrice,
  BalanceView,
  BookTop,
  CanceledItem,
  CancelOrderListResult,
  CancelOrderResult,
  DepthSnapshot,
  KlineRecord,
  OrderListResult,
  OrderListView,
  OrderView,
  PlaceOrderResult,
  SymbolInfo,
  TickerStats,
  TradeRecord,
} from '../engine/types';
import { Errors } from './api-error';
import {
  parseAllOrders,
  parseCancelOrder,
  parseCancelOrderList,
  parseMyTrades,
  parseNewOco,
  parseNewOrder,
  parseQueryOrder,
} from './order-params';
import type { RequestParams } from './params';
import type { RateLimiter, RateLimitReport } from './rate-limits';
import { KLINE_INTERVAL_NAMES } from './stream-names';

type Json = unknown;

/** Engine objects → Binance JSON bodies (the engine's wire formatting, see payloads.ts). */
export interface ResponsePayloads {
  exchangeInfo(
    symbols: readonly SymbolInfo[],
    rateLimits: ReadonlyArray<Omit<RateLimitReport, 'count'>>,
    serverTime: number,
  ): Json;
  depth(snapshot: DepthSnapshot): Json;
  trades(trades: readonly TradeRecord[]): Json;
  aggTrades(trades: readonly AggTradeRecord[]): Json;
  klines(klines: readonly KlineRecord[]): Json;
  avgPrice(symbol: string, average: AveragePrice): Json;
  ticker24h(stats: TickerStats, type: 'FULL' | 'MINI'): Json;
  tickerPrice(symbol: string, last: TradeRecord | undefined): Json;
  bookTicker(top: BookTop): Json;
  placeOrder(result: PlaceOrderResult): Json;
  cancelOrder(result: CancelOrderResult): Json;
  order(order: OrderView): Json;
  canceledItems(items: readonly CanceledItem[]): Json;
  account(account: AccountInfo, balances: readonly BalanceView[]): Json;
  myTrades(trades: readonly AccountTrade[]): Json;
  orderListPlaced(result: OrderListResult): Json;
  orderListCanceled(result: CancelOrderListResult): Json;
  orderList(list: OrderListView): Json;
}

export interface OperationContext {
  readonly params: RequestParams;
  /** The authenticated account (signed operations only). */
  readonly account: AccountInfo | undefined;
  readonly now: number;
  readonly engine: ExchangeEngine;
  readonly limiter: RateLimiter;
  readonly wire: ResponsePayloads;
}

export type Security = 'NONE' | 'SIGNED';

/**
 * One Binance request, shared by the REST API (`rest`) and the WebSocket API (`wsApi`):
 * parameters, security, request weight (rest-api.md, fact sheet §3.7) and the work.
 */
export interface Operation {
  readonly rest?: { readonly method: 'GET' | 'POST' | 'DELETE'; readonly path: string };
  readonly wsApi?: string;
  readonly security: Security;
  /** Weight charged before the request runs (read with `peek`, nothing is marked read). */
  weight(params: RequestParams): number;
  /**
   * Order placement and cancellation cost 0 weight when they succeed (since 2026-04-02); their
   * listed weight is charged only on failure.
   */
  readonly freeOnSuccess?: boolean;
  /** How many orders a success adds to the account's ORDERS counts. */
  readonly orders?: number;
  /** Parses everything (then `params.finish()`), then runs. Returns the JSON result. */
  run(context: OperationContext): Json;
}

function knownSymbol(engine: ExchangeEngine, symbol: string): string {
  if (!engine.hasSymbol(symbol)) throw Errors.badSymbol();
  return symbol;
}

function symbolSelection(context: OperationContext): {
  single: string | undefined;
  list: string[] | undefined;
} {
  const { params, engine } = context;
  const single = params.optionalSymbol('symbol');
  const list = params.optionalSymbolList('symbols');
  if (single !== undefined && list !== undefined) throw Errors.optionalBadCombo();
  if (single !== undefined) knownSymbol(engine, single);
  if (list) for (const symbol of list) knownSymbol(engine, symbol);
  return { single, list };
}

function symbolsCount(params: RequestParams): number | undefined {
  const raw = params.peek('symbols');
  if (raw === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(raw);
    return Array.isArray(parsed) ? parsed.length : 1;
  } catch {
    return 1;
  }
}

function depthWeight(params: RequestParams): number {
  const limit = Number(params.peek('limit') ?? 100);
  if (!Number.isFinite(limit) || limit <= 100) return 5;
  if (limit <= 500) return 25;
  if (limit <= 1000) return 50;
  return 250;
}

function readKlineQuery(params: RequestParams): {
  interval: string;
  query: { startTime?: number; endTime?: number; limit: number };
} {
  const interval = params.string('interval');
  if (!(KLINE_INTERVAL_NAMES as readonly string[]).includes(interval)) throw Errors.badInterval();
  const startTime = params.optionalLong('startTime');
  const endTime = params.optionalLong('endTime');
  const timeZone = params.optionalString('timeZone');
  if (timeZone !== undefined && timeZone !== '0' && timeZone !== '+0' && timeZone !== '00:00') {
    // Klines in other time zones are not simulated; Binance's default (UTC) only.
    throw Errors.invalidParameter('timeZone');
  }
  const limit = params.limit('limit', 500, 1000);
  return {
    interval,
    query: {
      ...(startTime !== undefined && { startTime }),
      ...(endTime !== undefined && { endTime }),
      limit,
    },
  };
}

function accountOf(context: OperationContext): AccountInfo {
  if (!context.account) throw Errors.rejectedKey();
  return context.account;
}

function klinesOperation(path: string, method: string): Operation {
  return {
    rest: { method: 'GET', path },
    wsApi: method,
    security: 'NONE',
    weight: () => 2,
    run: ({ params, engine, wire }) => {
      const symbol = knownSymbol(engine, params.symbol());
      const { interval, query } = readKlineQuery(params);
      params.finish();
      return wire.klines(engine.klines(symbol, interval, query));
    },
  };
}

/** Every request the fake answers. */
export const OPERATIONS: readonly Operation[] = [
  {
    rest: { method: 'GET', path: '/api/v3/ping' },
    wsApi: 'ping',
    security: 'NONE',
    weight: () => 1,
    run: ({ params }) => {
      params.finish();
      return {};
    },
  },
  {
    rest: { method: 'GET', path: '/api/v3/time' },
    wsApi: 'time',
    security: 'NONE',
    weight: () => 1,
    run: ({ params, now }) => {
      params.finish();
      return { serverTime: now };
    },
  },
  {
    rest: { method: 'GET', path: '/api/v3/exchangeInfo' },
    wsApi: 'exchangeInfo',
    security: 'NONE',
    weight: () => 20,
    run: (context) => {
      const { params, engine, limiter, wire, now } = context;
      const { single, list } = symbolSelection(context);
      params.optionalString('permissions');
      params.optionalBoolean('showPermissionSets');
      const status = params.optionalEnum('symbolStatus', ['TRADING', 'HALT', 'BREAK'] as const, () =>
        Errors.invalidParameter('symbolStatus'),
      );
      params.finish();
      let symbols = engine.symbols();
      const wanted = single !== undefined ? [single] : list;
      if (wanted) symbols = symbols.filter((info) => wanted.includes(info.symbol));
      if (status) symbols = symbols.filter((info) => info.status === status);
      return wire.exchangeInfo(symbols, limiter.exchangeInfoLimits(), now);
    },
  },
  {
    rest: { method: 'GET', path: '/api/v3/depth' },
    wsApi: 'depth',
    security: 'NONE',
    weight: depthWeight,
    run: ({ params, engine, wire }) => {
      const symbol = knownSymbol(engine, params.symbol());
      const limit = params.limit('limit', 100, 5000, true);
      params.finish();
      return wire.depth(engine.depth(symbol, limit));
    },
  },
  {
    rest: { method: 'GET', path: '/api/v3/trades' },
    wsApi: 'trades.recent',
    security: 'NONE',
    weight: () => 25,
    run: ({ params, engine, wire }) => {
      const symbol = knownSymbol(engine, params.symbol());
      const limit = params.limit('limit', 500, 1000);
      params.finish();
      return wire.trades(engine.recentTrades(symbol, limit));
    },
  },
  {
    // rest-api.md "Old trade lookup" / web-socket-api.md "Historical trades": weight 25, security NONE.
    rest: { method: 'GET', path: '/api/v3/historicalTrades' },
    wsApi: 'trades.historical',
    security: 'NONE',
    weight: () => 25,
    run: ({ params, engine, wire }) => {
      const symbol = knownSymbol(engine, params.symbol());
      const limit = params.limit('limit', 500, 1000);
      const fromId = params.optionalLong('fromId');
      params.finish();
      return wire.trades(engine.historicalTrades(symbol, { limit, ...(fromId !== undefined && { fromId }) }));
    },
  },
  {
    rest: { method: 'GET', path: '/api/v3/aggTrades' },
    wsApi: 'trades.aggregate',
    security: 'NONE',
    weight: () => 4,
    run: ({ params, engine, wire }) => {
      const symbol = knownSymbol(engine, params.symbol());
      const fromId = params.optionalLong('fromId');
      const startTime = params.optionalLong('startTime');
      const endTime = params.optionalLong('endTime');
      const limit = params.limit('limit', 500, 1000);
      params.finish();
      if (fromId !== undefined && (startTime !== undefined || endTime !== undefined)) {
        throw Errors.optionalBadCombo();
      }
      if (startTime !== undefined && endTime !== undefined && endTime - startTime > 3_600_000) {
        throw Errors.moreThanHours(1);
      }
      return wire.aggTrades(
        engine.aggTrades(symbol, {
          ...(fromId !== undefined && { fromId }),
          ...(startTime !== undefined && { startTime }),
          ...(endTime !== undefined && { endTime }),
          limit,
        }),
      );
    },
  },
  klinesOperation('/api/v3/klines', 'klines'),
  klinesOperation('/api/v3/uiKlines', 'uiKlines'),
  {
    rest: { method: 'GET', path: '/api/v3/avgPrice' },
    wsApi: 'avgPrice',
    security: 'NONE',
    weight: () => 2,
    run: ({ params, engine, wire }) => {
      const symbol = knownSymbol(engine, params.symbol());
      params.finish();
      return wire.avgPrice(symbol, engine.avgPrice(symbol));
    },
  },
  {
    rest: { method: 'GET', path: '/api/v3/ticker/24hr' },
    wsApi: 'ticker.24hr',
    security: 'NONE',
    weight: (params) => {
      if (params.peek('symbol') !== undefined) return 2;
      const count = symbolsCount(params);
      if (count === undefined) return 80;
      if (count <= 20) return 2;
      if (count <= 100) return 40;
      return 80;
    },
    run: (context) => {
      const { params, engine, wire } = context;
      const { single, list } = symbolSelection(context);
      const type = params.optionalEnum('type', ['FULL', 'MINI'] as const, Errors.invalidTickerType) ?? 'FULL';
      params.optionalEnum('symbolStatus', ['TRADING', 'HALT', 'BREAK'] as const);
      params.finish();
      if (single !== undefined) return wire.ticker24h(engine.ticker24h(single), type);
      const symbols = list ?? engine.symbols().map((info) => info.symbol);
      return symbols.map((symbol) => wire.ticker24h(engine.ticker24h(symbol), type));
    },
  },
  {
    rest: { method: 'GET', path: '/api/v3/ticker/price' },
    wsApi: 'ticker.price',
    security: 'NONE',
    weight: (params) => (params.peek('symbol') !== undefined ? 2 : 4),
    run: (context) => {
      const { params, engine, wire } = context;
      const { single, list } = symbolSelection(context);
      params.finish();
      if (single !== undefined) return wire.tickerPrice(single, engine.lastPrice(single));
      const symbols = list ?? engine.symbols().map((info) => info.symbol);
      return symbols.map((symbol) => wire.tickerPrice(symbol, engine.lastPrice(symbol)));
    },
  },
  {
    rest: { method: 'GET', path: '/api/v3/ticker/bookTicker' },
    wsApi: 'ticker.book',
    security: 'NONE',
    weight: (params) => (params.peek('symbol') !== undefined ? 2 : 4),
    run: (context) => {
      const { params, engine, wire } = context;
      const { single, list } = symbolSelection(context);
      params.finish();
      if (single !== undefined) return wire.bookTicker(engine.bookTicker(single));
      const symbols = list ?? engine.symbols().map((info) => info.symbol);
      return symbols.map((symbol) => wire.bookTicker(engine.bookTicker(symbol)));
    },
  },
  // -- signed ----------------------------------------------------------------
  {
    rest: { method: 'POST', path: '/api/v3/order' },
    wsApi: 'order.place',
    security: 'SIGNED',
    weight: () => 1,
    freeOnSuccess: true,
    orders: 1,
    run: (context) => {
      const request = parseNewOrder(context.params);
      context.params.finish();
      knownSymbol(context.engine, request.symbol);
      return context.wire.placeOrder(context.engine.placeOrder(accountOf(context).id, request));
    },
  },
  {
    rest: { method: 'POST', path: '/api/v3/order/test' },
    wsApi: 'order.test',
    security: 'SIGNED',
    weight: (params) => (params.peek('computeCommissionRates') === 'true' ? 20 : 1),
    run: (context) => {
      const request = parseNewOrder(context.params);
      const computeCommissionRates = context.params.optionalBoolean('computeCommissionRates') ?? false;
      context.params.finish();
      knownSymbol(context.engine, request.symbol);
      const account = accountOf(context);
      context.engine.testOrder(account.id, request);
      if (!computeCommissionRates) return {};
      // rest-api.md "Test new order": the commission object when computeCommissionRates=true.
      const { maker, taker } = account.commission;
      return {
        standardCommissionForOrder: { maker: maker.toFixed(8), taker: taker.toFixed(8) },
        specialCommissionForOrder: { maker: '0.00000000', taker: '0.00000000' },
        taxCommissionForOrder: { maker: '0.00000000', taker: '0.00000000' },
        discount: {
          enabledForAccount: false,
          enabledForSymbol: false,
          discountAsset: 'BNB',
          discount: '0.00000000',
        },
      };
    },
  },
  {
    rest: { method: 'DELETE', path: '/api/v3/order' },
    wsApi: 'order.cancel',
    security: 'SIGNED',
    weight: () => 1,
    freeOnSuccess: true,
    run: (context) => {
      const request = parseCancelOrder(context.params);
      context.params.finish();
      knownSymbol(context.engine, request.symbol);
      return context.wire.cancelOrder(context.engine.cancelOrder(accountOf(context).id, request));
    },
  },
  {
    rest: { method: 'GET', path: '/api/v3/order' },
    wsApi: 'order.status',
    security: 'SIGNED',
    weight: () => 4,
    run: (context) => {
      const request = parseQueryOrder(context.params);
      context.params.finish();
      knownSymbol(context.engine, request.symbol);
      return context.wire.order(context.engine.getOrder(accountOf(context).id, request));
    },
  },
  {
    rest: { method: 'GET', path: '/api/v3/openOrders' },
    wsApi: 'openOrders.status',
    security: 'SIGNED',
    weight: (params) => (params.peek('symbol') !== undefined ? 6 : 80),
    run: (context) => {
      const symbol = context.params.optionalSymbol('symbol');
      context.params.finish();
      if (symbol !== undefined) knownSymbol(context.engine, symbol);
      const orders = context.engine.openOrders(accountOf(context).id, symbol);
      return orders.map((order) => context.wire.order(order));
    },
  },
  {
    rest: { method: 'DELETE', path: '/api/v3/openOrders' },
    wsApi: 'openOrders.cancelAll',
    security: 'SIGNED',
    weight: () => 1,
    freeOnSuccess: true,
    run: (context) => {
      const symbol = knownSymbol(context.engine, context.params.symbol());
      context.params.finish();
      return context.wire.canceledItems(context.engine.cancelOpenOrders(accountOf(context).id, symbol));
    },
  },
  {
    rest: { method: 'GET', path: '/api/v3/allOrders' },
    wsApi: 'allOrders',
    security: 'SIGNED',
    weight: () => 20,
    run: (context) => {
      const query = parseAllOrders(context.params);
      context.params.finish();
      knownSymbol(context.engine, query.symbol);
      return context.engine.allOrders(accountOf(context).id, query).map((order) => context.wire.order(order));
    },
  },
  {
    rest: { method: 'GET', path: '/api/v3/account' },
    wsApi: 'account.status',
    security: 'SIGNED',
    weight: () => 20,
    run: (context) => {
      const omitZeroBalances = context.params.optionalBoolean('omitZeroBalances') ?? false;
      context.params.finish();
      const account = accountOf(context);
      return context.wire.account(account, context.engine.balances(account.id, !omitZeroBalances));
    },
  },
  {
    rest: { method: 'GET', path: '/api/v3/myTrades' },
    wsApi: 'myTrades',
    security: 'SIGNED',
    weight: (params) => (params.peek('orderId') !== undefined ? 5 : 20),
    run: (context) => {
      const query = parseMyTrades(context.params);
      context.params.finish();
      knownSymbol(context.engine, query.symbol);
      return context.wire.myTrades(context.engine.myTrades(accountOf(context).id, query));
    },
  },
  {
    rest: { method: 'GET', path: '/api/v3/rateLimit/order' },
    wsApi: 'account.rateLimits.orders',
    security: 'SIGNED',
    weight: () => 40,
    run: (context) => {
      context.params.finish();
      return context.limiter.orderReports(accountOf(context).id, context.now);
    },
  },
  {
    rest: { method: 'POST', path: '/api/v3/orderList/oco' },
    wsApi: 'orderList.place.oco',
    security: 'SIGNED',
    weight: () => 1,
    freeOnSuccess: true,
    orders: 2,
    run: (context) => {
      const request = parseNewOco(context.params);
      context.params.finish();
      knownSymbol(context.engine, request.symbol);
      return context.wire.orderListPlaced(context.engine.placeOcoOrderList(accountOf(context).id, request));
    },
  },
  {
    rest: { method: 'DELETE', path: '/api/v3/orderList' },
    wsApi: 'orderList.cancel',
    security: 'SIGNED',
    weight: () => 1,
    freeOnSuccess: true,
    run: (context) => {
      const request = parseCancelOrderList(context.params);
      context.params.finish();
      knownSymbol(context.engine, request.symbol);
      return context.wire.orderListCanceled(context.engine.cancelOrderList(accountOf(context).id, request));
    },
  },
  {
    rest: { method: 'GET', path: '/api/v3/orderList' },
    wsApi: 'orderList.status',
    security: 'SIGNED',
    weight: () => 4,
    run: (context) => {
      const orderListId = context.params.optionalLong('orderListId');
      const origClientOrderId = context.params.optionalClientOrderId(
        'origClientOrderId',
        Errors.emptyOrigClientOrderId,
      );
      context.params.finish();
      if (orderListId === undefined && origClientOrderId === undefined) {
        throw Errors.eitherMandatory('orderListId', 'origClientOrderId');
      }
      return context.wire.orderList(
        context.engine.orderList(accountOf(context).id, {
          ...(orderListId !== undefined && { orderListId }),
          ...(origClientOrderId !== undefined && { origClientOrderId }),
        }),
      );
    },
  },
  {
    rest: { method: 'GET', path: '/api/v3/openOrderList' },
    wsApi: 'openOrderLists.status',
    security: 'SIGNED',
    weight: () => 6,
    run: (context) => {
      context.params.finish();
      return context.engine.openOrderLists(accountOf(context).id).map((list) => context.wire.orderList(list));
    },
  },
];

export const REST_OPERATIONS: ReadonlyMap<string, Operation> = new Map(
  OPERATIONS.filter((operation) => operation.rest).map((operation) => [
    `${operation.rest!.method} ${operation.rest!.path}`,
    operation,
  ]),
);

export const WS_API_OPERATIONS: ReadonlyMap<string, Operation> = new Map(
  OPERATIONS.filter((operation) => operation.wsApi).map((operation) => [operation.wsApi!, operation]),
);
