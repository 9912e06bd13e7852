// REST bodies, fuzzed, served by a real HTTP server: the adapter's REST client reads a broken
// answer to each of the requests its data comes from — the book snapshot, recent trades, klines,
// 24h tickers (one and a list), the server time, the account's balances, exchangeInfo, an order
// placed, queried or canceled, an OCO list placed and looked up, the open orders, a cancel of all
// of them (orders and an OCO list), the account's trades. The caller gets the exact value or a
// typed VenuekitError; never an untyped exception, never a value that is not what Binance said. A
// placement or cancel answered with a broken body is ambiguous (the venue may have acted on it):
// it is looked up (GET /api/v3/order, GET /api/v3/orderList) instead, and the caller gets what the
// lookup said — not an error that would read as "not placed", never what the broken body said.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BinanceAdapter } from '@venuekit/adapter-binance';
import {
  type AccountClient,
  createCredentials,
  Decimal,
  type Fill,
  type Instrument,
  isVenuekitError,
  type Kline,
  type Order,
  type OrderList,
  type Ticker,
} from '@venuekit/core';
import { startFakeBinance } from '@venuekit/testkit';
import * as docs from '@venuekit/testkit/docs-examples';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerTestSecret } from '../src/guard/secret-guard';
import { fuzzRuns, junkValue, WIRE_ORDER_STATUSES, WIRE_ORDER_TYPES } from './support/fuzz';
import { bool, count, decimal, name, oneOf, optional, signed } from './support/oracle';

const KEY = 'LEAKCHECKfuzzRestApiKey'.padEnd(64, 'K');
const SECRET = 'LEAKCHECKfuzzRestSecret'.padEnd(64, 'S');
registerTestSecret(KEY);
registerTestSecret(SECRET);

let server: Server;
let adapter: BinanceAdapter;
let account: AccountClient;
let exchangeInfo = '';
/**
 * The body the next request to `path` (or `METHOD path`) gets: text as sent, or made from the
 * request's parameters; none is a 404.
 */
const answers = new Map<string, Answer>();

beforeAll(async () => {
  // exchangeInfo (symbols, filters, limits) as the fake Binance serves it.
  const fake = await startFakeBinance({ symbols: ['BTCUSDT'], simulation: false });
  try {
    // Its limits raised: the fuzz places far more orders than 50 in 10 seconds and, with more
    // runs, spends more than 6000 request weight a minute; the adapter would (rightly) hold its
    // requests back, and a lookup held back past unknownOrderTimeoutMs is an OrderStateUnknownError.
    const info = (await (await fetch(`${fake.restUrl}/api/v3/exchangeInfo`)).json()) as {
      rateLimits: { limit: number }[];
    };
    for (const limit of info.rateLimits) limit.limit = 1_000_000;
    exchangeInfo = JSON.stringify(info);
  } finally {
    await fake.close();
  }
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      const path = url.pathname;
      const params = new URLSearchParams(url.search);
      for (const [name, value] of new URLSearchParams(Buffer.concat(chunks).toString()))
        params.set(name, value);
      const answer =
        answers.get(`${request.method} ${path}`) ??
        answers.get(path) ??
        (path === '/api/v3/exchangeInfo'
          ? exchangeInfo
          : path === '/api/v3/time'
            ? JSON.stringify({ serverTime: Date.now() })
            : undefined);
      const body = typeof answer === 'function' ? answer(params) : answer;
      response.writeHead(body === undefined ? 404 : 200, { 'content-type': 'application/json' });
      response.end(body ?? '{"code":-1,"msg":"not served"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  adapter = new BinanceAdapter({
    urls: { rest: url, streams: 'ws://127.0.0.1:1', wsApi: 'ws://127.0.0.1:1' },
  });
  account = adapter.createAccount(createCredentials({ apiKey: KEY, secret: SECRET }), {
    userId: 'fuzz',
    // A lookup that fails is asked again soon (the OCO lookup's broken answers).
    reconcileInitialDelayMs: 5,
    reconcileMaxDelayMs: 20,
  });
});

afterAll(async () => {
  await account?.close();
  await adapter?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

const positive = (v: unknown) => decimal(v) && Number(v) > 0;
const levels = (v: unknown) =>
  Array.isArray(v) && v.every((l) => Array.isArray(l) && l.length >= 2 && positive(l[0]) && decimal(l[1]));

interface Endpoint {
  /** The path, or `METHOD path` where one path has several methods. */
  readonly path: string;
  /**
   * The official example (rest-api.md), with the fields the adapter reads and what it may accept
   * (a check that accepts undefined: an optional field). A dotted name reaches into the body:
   * `symbols.0.filters.PRICE_FILTER.tickSize` (a name on an array: the element of that filterType).
   */
  readonly example: unknown;
  readonly fields: Readonly<Record<string, (v: unknown) => boolean>>;
  /** Mutations apply to this element of an array body (`element`, default 0). */
  readonly inArray?: boolean;
  readonly element?: number;
  call(): Promise<unknown>;
  /** What the untouched example must read as. */
  readonly exact: (value: unknown) => void;
  /**
   * A placement or cancel: a broken answer makes the adapter look the order up (answered by
   * `lookups`, path → body); the value it returns must be the lookup's, never an error.
   */
  readonly lookups?: Readonly<Record<string, Answer>>;
  readonly fromLookup?: (value: unknown) => boolean;
  /** The broken body is served once, then the intact example (a lookup the adapter asks again). */
  readonly thenIntact?: boolean;
}

type Answer = string | ((params: URLSearchParams) => string);

function step(node: unknown, name: string): unknown {
  if (Array.isArray(node)) {
    return /^\d+$/.test(name)
      ? node[Number(name)]
      : node.find((e) => (e as { filterType?: unknown } | null)?.filterType === name);
  }
  return typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[name] : undefined;
}

function getPath(root: unknown, path: string): unknown {
  return path.split('.').reduce(step, root);
}

/** A copy of `root` with the field at `path` removed or replaced. */
function setPath(root: unknown, path: string, value: unknown): unknown {
  const copy = structuredClone(root);
  const names = path.split('.');
  const parent = names.slice(0, -1).reduce(step, copy as unknown);
  const last = names.at(-1) as string;
  if (typeof parent === 'object' && parent !== null) {
    if (value === 'delete') delete (parent as Record<string, unknown>)[last];
    else (parent as Record<string, unknown>)[last] = value;
  }
  return copy;
}

// rest-api.md "Query order (USER_DATA)", the order the adapter finds when it looks one up after a
// broken answer: the example, as an order of this symbol with its own id; its status and client
// order id are the lookup's.
const QUERIED_ORDER = {
  ...docs.queryOrder,
  symbol: 'BTCUSDT',
  orderId: 777,
  price: '50000.00000000',
  origQty: '0.01000000',
};
function queried(status: string): (params: URLSearchParams) => string {
  return (params) =>
    JSON.stringify({
      ...QUERIED_ORDER,
      clientOrderId: params.get('origClientOrderId') ?? QUERIED_ORDER.clientOrderId,
      status,
      time: Date.now(),
      updateTime: Date.now(),
      workingTime: Date.now(),
    });
}
const fromLookup = (status: string) => (value: unknown) =>
  (value as Order).id === '777' && (value as Order).status === status;

const fill = (v: unknown) =>
  typeof v === 'object' &&
  v !== null &&
  positive((v as Record<string, unknown>).price) &&
  positive((v as Record<string, unknown>).qty) &&
  decimal((v as Record<string, unknown>).commission) &&
  typeof (v as Record<string, unknown>).commissionAsset === 'string' &&
  count((v as Record<string, unknown>).tradeId);
/** The fields of an order answer the adapter reads; most are absent from an ACK answer. */
const ORDER_FIELDS: Readonly<Record<string, (v: unknown) => boolean>> = {
  symbol: name,
  orderId: count,
  clientOrderId: name,
  orderListId: optional((v) => Number.isSafeInteger(v) && (v as number) >= -1),
  transactTime: optional(count),
  time: optional(count),
  updateTime: optional(count),
  price: optional(decimal),
  origQty: optional(decimal),
  executedQty: optional(decimal),
  cummulativeQuoteQty: optional(signed),
  origQuoteOrderQty: optional(decimal),
  stopPrice: optional(decimal),
  status: optional(oneOf(WIRE_ORDER_STATUSES)),
  type: optional(oneOf(WIRE_ORDER_TYPES)),
  side: optional(oneOf(['BUY', 'SELL'])),
  timeInForce: optional(name),
  fills: optional((v) => Array.isArray(v) && v.every(fill)),
};

// rest-api.md "New Order list - OCO": the example as a list of this symbol. Its "Query Order list"
// answer is the same list without `orderReports`; the lookup below finds it as list 888, created
// now (the reconciler takes a list created before the request for an older one).
const OCO_LIST = {
  ...docs.ocoOrderList,
  symbol: 'BTCUSDT',
  orders: docs.ocoOrderList.orders.map((o) => ({ ...o, symbol: 'BTCUSDT' })),
  orderReports: docs.ocoOrderList.orderReports.map((o) => ({ ...o, symbol: 'BTCUSDT' })),
};
const { orderReports: _reports, ...LISTED_OCO } = OCO_LIST;
function queriedList(params: URLSearchParams): string {
  return JSON.stringify({
    ...LISTED_OCO,
    orderListId: 888,
    listClientOrderId: params.get('origClientOrderId') ?? LISTED_OCO.listClientOrderId,
    transactionTime: Date.now(),
  });
}
const placeOco = () =>
  account.placeOcoOrder({
    symbol: 'BTC/USDT',
    side: 'sell',
    quantity: new Decimal('0.01'),
    price: new Decimal('62000'),
    stopPrice: new Decimal('58000'),
  });
/** The list the lookup found: list 888 with its two legs, each as GET /api/v3/order said. */
const listFromLookup = (value: unknown) => {
  const list = value as OrderList;
  return (
    list.id === '888' &&
    list.status === 'executing' &&
    list.orders.length === 2 &&
    list.orders.every((o) => o.id === '777' && o.status === 'new')
  );
};
/** The fields of an order list the adapter reads (placement, lookup, cancel-all). */
const LIST_FIELDS: Readonly<Record<string, (v: unknown) => boolean>> = {
  orderListId: count,
  contingencyType: oneOf(['OCO', 'OTO']),
  listOrderStatus: oneOf(['EXECUTING', 'ALL_DONE', 'REJECT']),
  listClientOrderId: name,
  transactionTime: count,
  orders: (v) =>
    Array.isArray(v) &&
    v.every(
      (o) => name(getPath(o, 'symbol')) && count(getPath(o, 'orderId')) && name(getPath(o, 'clientOrderId')),
    ),
};
const LIST_REPORT_FIELDS: Readonly<Record<string, (v: unknown) => boolean>> = {
  'orderReports.0.orderId': count,
  'orderReports.0.clientOrderId': name,
  'orderReports.0.status': optional(oneOf(WIRE_ORDER_STATUSES)),
  'orderReports.0.price': optional(decimal),
  'orderReports.0.origQty': optional(decimal),
  'orderReports.1.type': optional(oneOf(WIRE_ORDER_TYPES)),
  'orderReports.1.executedQty': optional(decimal),
};

// rest-api.md "Kline/Candlestick data" and "24hr ticker price change statistics" (FULL), the
// ticker as this symbol's.
const TICKER = { ...docs.ticker24h, symbol: 'BTCUSDT' };
const TICKER_FIELDS: Readonly<Record<string, (v: unknown) => boolean>> = {
  symbol: name,
  priceChange: signed,
  priceChangePercent: signed,
  weightedAvgPrice: decimal,
  prevClosePrice: optional(decimal),
  lastPrice: decimal,
  lastQty: optional(decimal),
  bidPrice: optional(decimal),
  bidQty: optional(decimal),
  askPrice: optional(decimal),
  askQty: optional(decimal),
  openPrice: decimal,
  highPrice: decimal,
  lowPrice: decimal,
  volume: decimal,
  quoteVolume: decimal,
  openTime: count,
  closeTime: count,
  firstId: (v) => Number.isSafeInteger(v) && (v as number) >= -1,
  lastId: (v) => Number.isSafeInteger(v) && (v as number) >= -1,
  count,
};
const exactTicker = (ticker: Ticker | undefined) =>
  expect([
    ticker?.symbol,
    ticker?.last.toString(),
    ticker?.change.toString(),
    ticker?.bid?.toString(),
    ticker?.firstTradeId,
    ticker?.tradeCount,
  ]).toEqual(['BTC/USDT', '4.000002', '-94.999998', '4', '28385', 76]);

const ENDPOINTS: readonly Endpoint[] = [
  {
    // rest-api.md "Order book": {"lastUpdateId":1027024,"bids":[["4.00000000","431.00000000"]],"asks":[["4.00000200","12.00000000"]]}
    path: '/api/v3/depth',
    example: docs.depth,
    fields: { lastUpdateId: count, bids: levels, asks: levels },
    call: () => adapter.rest.fetchOrderBook('BTC/USDT', 5),
    exact: (value) => {
      const book = value as Awaited<ReturnType<BinanceAdapter['rest']['fetchOrderBook']>>;
      expect(book.updateId).toBe('1027024');
      expect(book.bids.map((l) => [l.price.toString(), l.quantity.toString()])).toEqual([['4', '431']]);
      expect(book.asks.map((l) => [l.price.toString(), l.quantity.toString()])).toEqual([['4.000002', '12']]);
    },
  },
  {
    // rest-api.md "Recent trades list"
    path: '/api/v3/trades',
    example: [docs.trade],
    inArray: true,
    fields: {
      id: count,
      price: positive,
      qty: positive,
      time: count,
      isBuyerMaker: (v) => typeof v === 'boolean',
    },
    call: () => adapter.rest.fetchTrades('BTC/USDT', { limit: 1 }),
    exact: (value) => {
      const [trade] = value as Awaited<ReturnType<BinanceAdapter['rest']['fetchTrades']>>;
      expect([trade?.id, trade?.price.toString(), trade?.quantity.toString(), trade?.timestamp]).toEqual([
        '28457',
        '4.000001',
        '12',
        1499865549590,
      ]);
    },
  },
  {
    // rest-api.md "Check server time": {"serverTime":1499827319559}
    path: '/api/v3/time',
    example: docs.time,
    fields: { serverTime: count },
    call: () => adapter.rest.fetchTime(),
    exact: (value) => expect(value).toBe(1499827319559),
  },
  {
    // rest-api.md "Account information (USER_DATA)"
    path: '/api/v3/account',
    example: docs.account,
    fields: {
      balances: (v) =>
        Array.isArray(v) &&
        v.every(
          (b) =>
            typeof b === 'object' &&
            b !== null &&
            typeof (b as { asset?: unknown }).asset === 'string' &&
            decimal((b as { free?: unknown }).free) &&
            decimal((b as { locked?: unknown }).locked),
        ),
    },
    call: () => account.getBalances(),
    exact: (value) => {
      const balances = value as Awaited<ReturnType<AccountClient['getBalances']>>;
      expect(balances.map((b) => [b.asset, b.free.toString(), b.locked.toString()])).toEqual([
        ['BTC', '4723846.89208129', '0'],
        ['LTC', '4763368.68006011', '0'],
      ]);
    },
  },
  {
    // The fake Binance's exchangeInfo (rest-api.md "Exchange information"), broken in the fields
    // the instruments are built from.
    path: 'GET /api/v3/exchangeInfo',
    get example() {
      return JSON.parse(exchangeInfo) as unknown;
    },
    fields: {
      serverTime: count,
      rateLimits: (v) =>
        Array.isArray(v) && v.every((l) => count(getPath(l, 'limit')) && count(getPath(l, 'intervalNum'))),
      symbols: (v) => Array.isArray(v) && v.length > 0 && v.every((e) => name(getPath(e, 'symbol'))),
      'symbols.0.symbol': name,
      'symbols.0.status': name,
      'symbols.0.baseAsset': name,
      'symbols.0.quoteAsset': name,
      'symbols.0.baseAssetPrecision': count,
      'symbols.0.quoteAssetPrecision': count,
      'symbols.0.orderTypes': (v) => Array.isArray(v) && v.every((t) => typeof t === 'string'),
      'symbols.0.ocoAllowed': optional(bool),
      'symbols.0.isSpotTradingAllowed': optional(bool),
      'symbols.0.filters': (v) =>
        Array.isArray(v) && v.every((f) => name(getPath(f, 'filterType'))) && v.length >= 3,
      'symbols.0.filters.PRICE_FILTER.tickSize': decimal,
      'symbols.0.filters.PRICE_FILTER.minPrice': decimal,
      'symbols.0.filters.LOT_SIZE.stepSize': decimal,
      'symbols.0.filters.LOT_SIZE.minQty': decimal,
      'symbols.0.filters.LOT_SIZE.maxQty': decimal,
    },
    call: () => adapter.instruments.list({ refresh: true }),
    exact: (value) => {
      const [btc] = value as Instrument[];
      expect([btc?.symbol, btc?.tickSize.toString(), btc?.stepSize.toString()]).toEqual([
        'BTC/USDT',
        '0.01',
        '0.00001',
      ]);
    },
  },
  {
    // rest-api.md "Query order (USER_DATA)"
    path: 'GET /api/v3/order',
    example: docs.queryOrder,
    fields: ORDER_FIELDS,
    call: () => account.getOrder({ symbol: 'BTC/USDT', orderId: '1' }),
    exact: (value) => {
      const order = value as Order;
      expect([
        order.id,
        order.clientOrderId,
        order.status,
        order.price?.toString(),
        order.quantity.toString(),
      ]).toEqual(['1', 'myOrder1', 'new', '0.1', '1']);
    },
  },
  {
    // rest-api.md "New order (TRADE)", the FULL answer; a broken one is looked up.
    path: 'POST /api/v3/order',
    example: docs.orderFull,
    fields: ORDER_FIELDS,
    call: () =>
      account.placeOrder({
        symbol: 'BTC/USDT',
        side: 'buy',
        type: 'limit',
        quantity: new Decimal('0.01'),
        price: new Decimal('50000'),
        timeInForce: 'GTC',
      }),
    exact: (value) => {
      const order = value as Order;
      expect([order.id, order.status, order.filledQuantity.toString(), order.fills?.[0]?.tradeId]).toEqual([
        '28',
        'filled',
        '10',
        '56',
      ]);
    },
    lookups: { 'GET /api/v3/order': queried('NEW') },
    fromLookup: fromLookup('new'),
  },
  {
    // rest-api.md "Cancel order (TRADE)"; a broken answer is looked up.
    path: 'DELETE /api/v3/order',
    example: docs.cancelOrder,
    fields: { ...ORDER_FIELDS, origClientOrderId: optional(name) },
    call: () => account.cancelOrder({ symbol: 'BTC/USDT', orderId: '4' }),
    exact: (value) => {
      const order = value as Order;
      expect([order.id, order.clientOrderId, order.status]).toEqual(['4', 'myOrder1', 'canceled']);
    },
    lookups: { 'GET /api/v3/order': queried('CANCELED') },
    fromLookup: fromLookup('canceled'),
  },
  {
    // rest-api.md "Current open orders (USER_DATA)"
    path: 'GET /api/v3/openOrders',
    example: [docs.openOrder],
    inArray: true,
    fields: ORDER_FIELDS,
    call: () => account.getOpenOrders('BTC/USDT'),
    exact: (value) => {
      const [order] = value as Order[];
      expect([order?.id, order?.status, order?.price?.toString()]).toEqual(['1', 'new', '0.1']);
    },
  },
  {
    // rest-api.md "Account trade list (USER_DATA)"
    path: 'GET /api/v3/myTrades',
    example: [docs.myTrade],
    inArray: true,
    fields: {
      id: count,
      orderId: count,
      price: positive,
      qty: positive,
      quoteQty: decimal,
      commission: decimal,
      commissionAsset: (v) => typeof v === 'string',
      time: count,
      isBuyer: bool,
      isMaker: bool,
    },
    call: () => account.getTrades('BTC/USDT'),
    exact: (value) => {
      const [trade] = value as Fill[];
      expect([trade?.tradeId, trade?.orderId, trade?.price.toString(), trade?.fee.amount.toString()]).toEqual(
        ['28457', '100234', '4.000001', '10.1'],
      );
    },
  },
  ...[0, 2].map(
    (element): Endpoint => ({
      // rest-api.md "Cancel All Open Orders on a Symbol (TRADE)": two orders and an OCO order list,
      // broken in the first order (element 0) or in the list (element 2).
      path: 'DELETE /api/v3/openOrders',
      example: docs.cancelAllOpenOrders,
      inArray: true,
      element,
      fields:
        element === 0
          ? { ...ORDER_FIELDS, origClientOrderId: optional(name) }
          : { ...LIST_FIELDS, ...LIST_REPORT_FIELDS },
      call: () => account.cancelAllOrders('BTC/USDT'),
      exact: (value) => {
        const orders = value as Order[];
        expect(orders.map((o) => [o.id, o.status])).toEqual([
          ['11', 'canceled'],
          ['13', 'canceled'],
          ['20', 'canceled'],
          ['21', 'canceled'],
        ]);
      },
    }),
  ),
  {
    // rest-api.md "Kline/Candlestick data"
    path: '/api/v3/klines',
    example: [docs.kline],
    inArray: true,
    fields: {
      0: count,
      1: decimal,
      2: decimal,
      3: decimal,
      4: decimal,
      5: decimal,
      6: count,
      7: decimal,
      8: count,
      9: decimal,
      10: decimal,
    },
    call: () => adapter.rest.fetchKlines('BTC/USDT', '1d', { limit: 1 }),
    exact: (value) => {
      const [kline] = value as Kline[];
      expect([
        kline?.openTime,
        kline?.closeTime,
        kline?.open.toString(),
        kline?.high.toString(),
        kline?.volume.toString(),
        kline?.tradeCount,
        kline?.takerBuyQuoteVolume.toString(),
      ]).toEqual([1499040000000, 1499644799999, '0.0163479', '0.8', '148976.11427815', 308, '28.46694368']);
    },
  },
  {
    // rest-api.md "24hr ticker price change statistics" for one symbol: an object.
    path: '/api/v3/ticker/24hr',
    example: TICKER,
    fields: TICKER_FIELDS,
    call: () => adapter.rest.fetchTicker('BTC/USDT'),
    exact: (value) => exactTicker(value as Ticker),
  },
  {
    // The same for a list of symbols: a list.
    path: '/api/v3/ticker/24hr',
    example: [TICKER],
    inArray: true,
    fields: TICKER_FIELDS,
    call: () => adapter.rest.fetchTickers(['BTC/USDT']),
    exact: (value) => exactTicker((value as Ticker[])[0]),
  },
  {
    // rest-api.md "New Order list - OCO"; a broken answer is looked up by its list client order id,
    // then each leg by its order id.
    path: 'POST /api/v3/orderList/oco',
    example: OCO_LIST,
    fields: { ...LIST_FIELDS, ...LIST_REPORT_FIELDS },
    call: placeOco,
    exact: (value) => {
      const list = value as OrderList;
      expect([
        list.id,
        list.listClientOrderId,
        list.status,
        list.orders.map((o) => [o.id, o.type, o.price?.toString()]),
      ]).toEqual([
        '1',
        'lH1YDkuQKWiXVXHPSKYEIp',
        'executing',
        [
          ['10', 'stop_loss_limit', '1'],
          ['11', 'limit_maker', '3'],
        ],
      ]);
    },
    lookups: { 'GET /api/v3/orderList': queriedList, 'GET /api/v3/order': queried('NEW') },
    fromLookup: listFromLookup,
  },
  {
    // rest-api.md "Query Order list", the lookup after a broken placement answer: a broken one is
    // not believed; the list is looked up again (and found intact).
    path: 'GET /api/v3/orderList',
    get example() {
      return { ...LISTED_OCO, orderListId: 888, transactionTime: Date.now() };
    },
    fields: LIST_FIELDS,
    call: placeOco,
    exact: (value) => expect(listFromLookup(value)).toBe(true),
    lookups: { 'POST /api/v3/orderList/oco': '{}', 'GET /api/v3/order': queried('NEW') },
    fromLookup: listFromLookup,
    thenIntact: true,
  },
];

/** Whether a whole body is one the adapter may accept (an empty list of trades is). */
function valid(endpoint: Endpoint, body: unknown): boolean {
  const items = endpoint.inArray ? body : [body];
  if (!Array.isArray(items)) return false;
  return items.every(
    (item) =>
      typeof item === 'object' &&
      item !== null &&
      Object.entries(endpoint.fields).every(([name, check]) => check(getPath(item, name))),
  );
}

/** A body for an endpoint with one or two fields the adapter reads removed or mistyped. */
function brokenBody(endpoint: Endpoint): fc.Arbitrary<{ body: string; describe: string }> {
  const change = fc
    .tuple(
      fc.constantFrom(...Object.keys(endpoint.fields)),
      fc.oneof(fc.constant<'delete'>('delete'), junkValue),
    )
    .filter(
      ([name, value]) =>
        !(endpoint.fields[name] as (v: unknown) => boolean)(value === 'delete' ? undefined : value),
    );
  const fieldChanges = fc.array(change, { minLength: 1, maxLength: 2 }).map((changes) => {
    const prefix = endpoint.inArray ? `${endpoint.element ?? 0}.` : '';
    let example = endpoint.example;
    for (const [name, value] of changes) example = setPath(example, prefix + name, value);
    return {
      body: JSON.stringify(example),
      describe: changes
        .map(([n, v]) => (v === 'delete' ? `${n} removed` : `${n}=${JSON.stringify(v)}`))
        .join(' '),
    };
  });
  const wrongShape = fc
    .oneof(junkValue, fc.constantFrom<unknown>([], {}, [null], [[]], { data: endpoint.example }))
    .filter((value) => !valid(endpoint, value))
    .map((value) => ({ body: JSON.stringify(value) ?? 'null', describe: `body ${JSON.stringify(value)}` }));
  const notJson = fc
    .constantFrom('', '<html>502 Bad Gateway</html>', '{"lastUpdateId":', 'null', 'NaN')
    .map((body) => ({ body, describe: `body ${JSON.stringify(body)}` }));
  return fc.oneof({ weight: 4, arbitrary: fieldChanges }, wrongShape, notJson);
}

/**
 * Serves `body` (by default the intact example) for the endpoint, with its lookups; with
 * `thenIntact`, only once, then the intact example.
 */
function serve(endpoint: Endpoint, body?: string): void {
  for (const [path, answer] of Object.entries(endpoint.lookups ?? {})) answers.set(path, answer);
  if (body === undefined || endpoint.thenIntact !== true) {
    answers.set(endpoint.path, body ?? JSON.stringify(endpoint.example));
    return;
  }
  let served = false;
  answers.set(endpoint.path, () => {
    if (served) return JSON.stringify(endpoint.example);
    served = true;
    return body;
  });
}

describe('fuzzed REST answers', () => {
  it('are refused with a typed error; the intact example is read exactly', async () => {
    // The untouched examples first: the property's other side.
    for (const endpoint of ENDPOINTS) {
      if (endpoint.path === 'GET /api/v3/orderList') serve(endpoint);
      else answers.set(endpoint.path, JSON.stringify(endpoint.example));
      endpoint.exact(await endpoint.call());
      answers.clear();
    }
    // A case names its endpoint by index, so that a counterexample prints short.
    const cases = fc.oneof(
      ...ENDPOINTS.map((endpoint, index) => brokenBody(endpoint).map((broken) => ({ index, ...broken }))),
    );
    await fc.assert(
      fc.asyncProperty(cases, async ({ index, body, describe }) => {
        const endpoint = ENDPOINTS[index] as Endpoint;
        serve(endpoint, body);
        let value: unknown;
        try {
          value = await endpoint.call();
        } catch (error) {
          if (!isVenuekitError(error)) {
            throw new Error(`${endpoint.path} with ${describe}: an untyped ${String(error)}`);
          }
          if (endpoint.fromLookup) {
            // The venue may have acted on it: an error here would read as "not placed".
            throw new Error(
              `${endpoint.path} with ${describe}: ${error.code} instead of the lookup's answer`,
            );
          }
          return;
        } finally {
          answers.clear();
        }
        if (endpoint.fromLookup?.(value) === true) return;
        throw new Error(
          `${endpoint.path} with ${describe}: accepted as ${JSON.stringify(value).slice(0, 200)}`,
        );
      }),
      fuzzRuns(400),
    );
  });
});
