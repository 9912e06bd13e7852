// Payload examples copied from the official Binance spot docs (binance/binance-spot-api-docs),
// with the docs' comments removed. Each names the document and section it comes from. Published as
// `@venuekit/testkit/docs-examples` for tests of Binance parsers; the testkit's wire tests compare the
// fake's payloads with these (same keys, same JSON types), and venuekit's adapter and reliability
// tests parse them. Names without a prefix are REST answers or stream payloads; `wsApi*` names are the
// `result` of a WebSocket API answer where its example differs from the REST one. A test that needs
// another variant builds it from these, never by editing them.

// rest-api.md, "Check server time".
export const time = { serverTime: 1499827319559 } as const;

// rest-api.md, "Exchange information": the example symbol (its `filters` listed separately in filters.md).
export const exchangeInfoSymbol = {
  symbol: 'ETHBTC',
  status: 'TRADING',
  baseAsset: 'ETH',
  baseAssetPrecision: 8,
  quoteAsset: 'BTC',
  quotePrecision: 8,
  quoteAssetPrecision: 8,
  baseCommissionPrecision: 8,
  quoteCommissionPrecision: 8,
  orderTypes: [
    'LIMIT',
    'LIMIT_MAKER',
    'MARKET',
    'STOP_LOSS',
    'STOP_LOSS_LIMIT',
    'TAKE_PROFIT',
    'TAKE_PROFIT_LIMIT',
  ],
  icebergAllowed: true,
  ocoAllowed: true,
  otoAllowed: true,
  opoAllowed: true,
  quoteOrderQtyMarketAllowed: true,
  allowTrailingStop: false,
  cancelReplaceAllowed: false,
  amendAllowed: false,
  pegInstructionsAllowed: true,
  isSpotTradingAllowed: true,
  isMarginTradingAllowed: true,
  filters: [],
  permissions: [],
  permissionSets: [['SPOT', 'MARGIN']],
  defaultSelfTradePreventionMode: 'NONE',
  allowedSelfTradePreventionModes: ['NONE'],
} as const;

// rest-api.md, "Exchange information": the whole answer. The docs show only comments inside
// `rateLimits`, `exchangeFilters` and each symbol's `filters` (their shapes are in enums.md and
// filters.md: `rateLimitExamples`, `exchangeFilterExamples`, `filterExamples`), so they are empty here.
export const exchangeInfo = {
  timezone: 'UTC',
  serverTime: 1565246363776,
  rateLimits: [] as Array<Record<string, unknown>>,
  exchangeFilters: [] as Array<Record<string, unknown>>,
  symbols: [exchangeInfoSymbol],
  sors: [{ baseAsset: 'BTC', symbols: ['BTCUSDT', 'BTCUSDC'] }],
} as const;

// enums.md, "Rate limiters (rateLimitType)".
export const rateLimitExamples = {
  REQUEST_WEIGHT: { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 },
  ORDERS: { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 1, limit: 10 },
  RAW_REQUESTS: { rateLimitType: 'RAW_REQUESTS', interval: 'MINUTE', intervalNum: 5, limit: 61000 },
} as const;

// filters.md, each filter's "/exchangeInfo format".
export const filterExamples = {
  PRICE_FILTER: {
    filterType: 'PRICE_FILTER',
    minPrice: '0.00000100',
    maxPrice: '100000.00000000',
    tickSize: '0.00000100',
  },
  LOT_SIZE: {
    filterType: 'LOT_SIZE',
    minQty: '0.00100000',
    maxQty: '100000.00000000',
    stepSize: '0.00100000',
  },
  MARKET_LOT_SIZE: {
    filterType: 'MARKET_LOT_SIZE',
    minQty: '0.00100000',
    maxQty: '100000.00000000',
    stepSize: '0.00100000',
  },
  MIN_NOTIONAL: {
    filterType: 'MIN_NOTIONAL',
    minNotional: '0.00100000',
    applyToMarket: true,
    avgPriceMins: 5,
  },
  NOTIONAL: {
    filterType: 'NOTIONAL',
    minNotional: '10.00000000',
    applyMinToMarket: false,
    maxNotional: '10000.00000000',
    applyMaxToMarket: false,
    avgPriceMins: 5,
  },
  PERCENT_PRICE: {
    filterType: 'PERCENT_PRICE',
    multiplierUp: '1.3000',
    multiplierDown: '0.7000',
    avgPriceMins: 5,
  },
  PERCENT_PRICE_BY_SIDE: {
    filterType: 'PERCENT_PRICE_BY_SIDE',
    bidMultiplierUp: '1.2',
    bidMultiplierDown: '0.2',
    askMultiplierUp: '5',
    askMultiplierDown: '0.8',
    avgPriceMins: 1,
  },
  ICEBERG_PARTS: { filterType: 'ICEBERG_PARTS', limit: 10 },
  MAX_NUM_ORDERS: { filterType: 'MAX_NUM_ORDERS', maxNumOrders: 25 },
  MAX_NUM_ALGO_ORDERS: { filterType: 'MAX_NUM_ALGO_ORDERS', maxNumAlgoOrders: 5 },
} as const;

// filters.md, "Exchange Filters", each filter's "/exchangeInfo format".
export const exchangeFilterExamples = {
  EXCHANGE_MAX_NUM_ORDERS: { filterType: 'EXCHANGE_MAX_NUM_ORDERS', maxNumOrders: 1000 },
} as const;

// rest-api.md, "Order book".
export const depth = {
  lastUpdateId: 1027024,
  bids: [['4.00000000', '431.00000000']],
  asks: [['4.00000200', '12.00000000']],
} as const;

// rest-api.md, "Recent trades list".
export const trade = {
  id: 28457,
  price: '4.00000100',
  qty: '12.00000000',
  quoteQty: '48.000012',
  time: 1499865549590,
  isBuyerMaker: true,
  isBestMatch: true,
} as const;

// rest-api.md, "Compressed/Aggregate trades list".
export const aggTrade = {
  a: 26129,
  p: '0.01633102',
  q: '4.70443515',
  f: 27781,
  l: 27781,
  T: 1498793709153,
  m: true,
  M: true,
} as const;

// rest-api.md, "Kline/Candlestick data".
export const kline = [
  1499040000000,
  '0.01634790',
  '0.80000000',
  '0.01575800',
  '0.01577100',
  '148976.11427815',
  1499644799999,
  '2434.19055334',
  308,
  '1756.87402397',
  '28.46694368',
  '0',
] as const;

// rest-api.md, "24hr ticker price change statistics" (FULL).
export const ticker24h = {
  symbol: 'BNBBTC',
  priceChange: '-94.99999800',
  priceChangePercent: '-95.960',
  weightedAvgPrice: '0.29628482',
  prevClosePrice: '0.10002000',
  lastPrice: '4.00000200',
  lastQty: '200.00000000',
  bidPrice: '4.00000000',
  bidQty: '100.00000000',
  askPrice: '4.00000200',
  askQty: '100.00000000',
  openPrice: '99.00000000',
  highPrice: '100.00000000',
  lowPrice: '0.10000000',
  volume: '8913.30000000',
  quoteVolume: '15.30000000',
  openTime: 1499783499040,
  closeTime: 1499869899040,
  firstId: 28385,
  lastId: 28460,
  count: 76,
} as const;

// rest-api.md, "24hr ticker price change statistics" (MINI).
export const miniTicker24h = {
  symbol: 'BNBBTC',
  openPrice: '99.00000000',
  highPrice: '100.00000000',
  lowPrice: '0.10000000',
  lastPrice: '4.00000200',
  volume: '8913.30000000',
  quoteVolume: '15.30000000',
  openTime: 1499783499040,
  closeTime: 1499869899040,
  firstId: 28385,
  lastId: 28460,
  count: 76,
} as const;

// rest-api.md, "Symbol price ticker", "Symbol order book ticker", "Current average price".
export const tickerPrice = { symbol: 'LTCBTC', price: '4.00000200' } as const;
export const bookTicker = {
  symbol: 'LTCBTC',
  bidPrice: '4.00000000',
  bidQty: '431.00000000',
  askPrice: '4.00000200',
  askQty: '9.00000000',
} as const;
export const avgPrice = { mins: 5, price: '9.35751834', closeTime: 1694061154503 } as const;

// rest-api.md / web-socket-api.md, "New order": the ACK, RESULT and FULL response types.
export const orderAck = {
  symbol: 'BTCUSDT',
  orderId: 28,
  orderListId: -1,
  clientOrderId: '6gCrw2kRUAF9CvJDGP16IP',
  transactTime: 1507725176595,
} as const;
export const orderResult = {
  symbol: 'BTCUSDT',
  orderId: 12569099453,
  orderListId: -1,
  clientOrderId: '4d96324ff9d44481926157ec08158a40',
  transactTime: 1660801715639,
  price: '23416.10000000',
  origQty: '0.00847000',
  executedQty: '0.00000000',
  origQuoteOrderQty: '0.000000',
  cummulativeQuoteQty: '0.00000000',
  status: 'NEW',
  timeInForce: 'GTC',
  type: 'LIMIT',
  side: 'SELL',
  workingTime: 1660801715639,
  selfTradePreventionMode: 'NONE',
} as const;
export const orderFull = {
  symbol: 'BTCUSDT',
  orderId: 28,
  orderListId: -1,
  clientOrderId: '6gCrw2kRUAF9CvJDGP16IP',
  transactTime: 1507725176595,
  price: '0.00000000',
  origQty: '10.00000000',
  executedQty: '10.00000000',
  origQuoteOrderQty: '0.000000',
  cummulativeQuoteQty: '10.00000000',
  status: 'FILLED',
  timeInForce: 'GTC',
  type: 'MARKET',
  side: 'SELL',
  workingTime: 1507725176595,
  selfTradePreventionMode: 'NONE',
  fills: [
    {
      price: '4000.00000000',
      qty: '1.00000000',
      commission: '4.00000000',
      commissionAsset: 'USDT',
      tradeId: 56,
    },
  ],
} as const;

// rest-api.md, "Query order".
export const queryOrder = {
  symbol: 'LTCBTC',
  orderId: 1,
  orderListId: -1,
  clientOrderId: 'myOrder1',
  price: '0.1',
  origQty: '1.0',
  executedQty: '0.0',
  cummulativeQuoteQty: '0.0',
  status: 'NEW',
  timeInForce: 'GTC',
  type: 'LIMIT',
  side: 'BUY',
  stopPrice: '0.0',
  icebergQty: '0.0',
  time: 1499827319559,
  updateTime: 1499827319559,
  isWorking: true,
  workingTime: 1499827319559,
  origQuoteOrderQty: '0.000000',
  selfTradePreventionMode: 'NONE',
} as const;

// rest-api.md, "Current open orders": the one order of the example.
export const openOrder = {
  symbol: 'LTCBTC',
  orderId: 1,
  orderListId: -1,
  clientOrderId: 'myOrder1',
  price: '0.1',
  origQty: '1.0',
  executedQty: '0.0',
  cummulativeQuoteQty: '0.0',
  status: 'NEW',
  timeInForce: 'GTC',
  type: 'LIMIT',
  side: 'BUY',
  stopPrice: '0.0',
  icebergQty: '0.0',
  time: 1499827319559,
  updateTime: 1499827319559,
  isWorking: true,
  origQuoteOrderQty: '0.000000',
  workingTime: 1499827319559,
  selfTradePreventionMode: 'NONE',
} as const;

// rest-api.md, "Cancel order".
export const cancelOrder = {
  symbol: 'LTCBTC',
  origClientOrderId: 'myOrder1',
  orderId: 4,
  orderListId: -1,
  clientOrderId: 'cancelMyOrder1',
  transactTime: 1684804350068,
  price: '2.00000000',
  origQty: '1.00000000',
  executedQty: '0.00000000',
  origQuoteOrderQty: '0.000000',
  cummulativeQuoteQty: '0.00000000',
  status: 'CANCELED',
  timeInForce: 'GTC',
  type: 'LIMIT',
  side: 'BUY',
  selfTradePreventionMode: 'NONE',
} as const;

// rest-api.md, "Cancel All Open Orders on a Symbol": two orders and an OCO order list.
export const cancelAllOpenOrders = [
  {
    symbol: 'BTCUSDT',
    origClientOrderId: 'E6APeyTJvkMvLMYMqu1KQ4',
    orderId: 11,
    orderListId: -1,
    clientOrderId: 'pXLV6Hz6mprAcVYpVMTGgx',
    transactTime: 1684804350068,
    price: '0.089853',
    origQty: '0.178622',
    executedQty: '0.000000',
    origQuoteOrderQty: '0.000000',
    cummulativeQuoteQty: '0.000000',
    status: 'CANCELED',
    timeInForce: 'GTC',
    type: 'LIMIT',
    side: 'BUY',
    selfTradePreventionMode: 'NONE',
  },
  {
    symbol: 'BTCUSDT',
    origClientOrderId: 'A3EF2HCwxgZPFMrfwbgrhv',
    orderId: 13,
    orderListId: -1,
    clientOrderId: 'pXLV6Hz6mprAcVYpVMTGgx',
    transactTime: 1684804350069,
    price: '0.090430',
    origQty: '0.178622',
    executedQty: '0.000000',
    origQuoteOrderQty: '0.000000',
    cummulativeQuoteQty: '0.000000',
    status: 'CANCELED',
    timeInForce: 'GTC',
    type: 'LIMIT',
    side: 'BUY',
    selfTradePreventionMode: 'NONE',
  },
  {
    orderListId: 1929,
    contingencyType: 'OCO',
    listStatusType: 'ALL_DONE',
    listOrderStatus: 'ALL_DONE',
    listClientOrderId: '2inzWQdDvZLHbbAmAozX2N',
    transactionTime: 1585230948299,
    symbol: 'BTCUSDT',
    orders: [
      { symbol: 'BTCUSDT', orderId: 20, clientOrderId: 'CwOOIPHSmYywx6jZX77TdL' },
      { symbol: 'BTCUSDT', orderId: 21, clientOrderId: '461cPg51vQjV3zIMOXNz39' },
    ],
    orderReports: [
      {
        symbol: 'BTCUSDT',
        origClientOrderId: 'CwOOIPHSmYywx6jZX77TdL',
        orderId: 20,
        orderListId: 1929,
        clientOrderId: 'pXLV6Hz6mprAcVYpVMTGgx',
        transactTime: 1688005070874,
        price: '0.668611',
        origQty: '0.690354',
        executedQty: '0.000000',
        origQuoteOrderQty: '0.000000',
        cummulativeQuoteQty: '0.000000',
        status: 'CANCELED',
        timeInForce: 'GTC',
        type: 'STOP_LOSS_LIMIT',
        side: 'BUY',
        stopPrice: '0.378131',
        icebergQty: '0.017083',
        selfTradePreventionMode: 'NONE',
      },
      {
        symbol: 'BTCUSDT',
        origClientOrderId: '461cPg51vQjV3zIMOXNz39',
        orderId: 21,
        orderListId: 1929,
        clientOrderId: 'pXLV6Hz6mprAcVYpVMTGgx',
        transactTime: 1688005070874,
        price: '0.008791',
        origQty: '0.690354',
        executedQty: '0.000000',
        origQuoteOrderQty: '0.000000',
        cummulativeQuoteQty: '0.000000',
        status: 'CANCELED',
        timeInForce: 'GTC',
        type: 'LIMIT_MAKER',
        side: 'BUY',
        icebergQty: '0.639962',
        selfTradePreventionMode: 'NONE',
      },
    ],
  },
] as const;

// rest-api.md, "New Order list - OCO" (orderList/oco).
export const ocoOrderList = {
  orderListId: 1,
  contingencyType: 'OCO',
  listStatusType: 'EXEC_STARTED',
  listOrderStatus: 'EXECUTING',
  listClientOrderId: 'lH1YDkuQKWiXVXHPSKYEIp',
  transactionTime: 1710485608839,
  symbol: 'LTCBTC',
  orders: [
    { symbol: 'LTCBTC', orderId: 10, clientOrderId: '44nZvqpemY7sVYgPYbvPih' },
    { symbol: 'LTCBTC', orderId: 11, clientOrderId: 'NuMp0nVYnciDiFmVqfpBqK' },
  ],
  orderReports: [
    {
      symbol: 'LTCBTC',
      orderId: 10,
      orderListId: 1,
      clientOrderId: '44nZvqpemY7sVYgPYbvPih',
      transactTime: 1710485608839,
      price: '1.00000000',
      origQty: '5.00000000',
      executedQty: '0.00000000',
      origQuoteOrderQty: '0.000000',
      cummulativeQuoteQty: '0.00000000',
      status: 'NEW',
      timeInForce: 'GTC',
      type: 'STOP_LOSS_LIMIT',
      side: 'SELL',
      stopPrice: '1.00000000',
      workingTime: -1,
      icebergQty: '1.00000000',
      selfTradePreventionMode: 'NONE',
    },
    {
      symbol: 'LTCBTC',
      orderId: 11,
      orderListId: 1,
      clientOrderId: 'NuMp0nVYnciDiFmVqfpBqK',
      transactTime: 1710485608839,
      price: '3.00000000',
      origQty: '5.00000000',
      executedQty: '0.00000000',
      origQuoteOrderQty: '0.000000',
      cummulativeQuoteQty: '0.00000000',
      status: 'NEW',
      timeInForce: 'GTC',
      type: 'LIMIT_MAKER',
      side: 'SELL',
      workingTime: 1710485608839,
      selfTradePreventionMode: 'NONE',
    },
  ],
} as const;

// rest-api.md, "Account information".
export const account = {
  makerCommission: 15,
  takerCommission: 15,
  buyerCommission: 0,
  sellerCommission: 0,
  commissionRates: { maker: '0.00150000', taker: '0.00150000', buyer: '0.00000000', seller: '0.00000000' },
  canTrade: true,
  canWithdraw: true,
  canDeposit: true,
  brokered: false,
  requireSelfTradePrevention: false,
  preventSor: false,
  updateTime: 123456789,
  accountType: 'SPOT',
  balances: [
    { asset: 'BTC', free: '4723846.89208129', locked: '0.00000000' },
    { asset: 'LTC', free: '4763368.68006011', locked: '0.00000000' },
  ],
  permissions: ['SPOT'],
  uid: 354937868,
} as const;

// rest-api.md, "Account trade list".
export const myTrade = {
  symbol: 'BNBBTC',
  id: 28457,
  orderId: 100234,
  orderListId: -1,
  price: '4.00000100',
  qty: '12.00000000',
  quoteQty: '48.000012',
  commission: '10.10000000',
  commissionAsset: 'BNB',
  time: 1499865549590,
  isBuyer: true,
  isMaker: false,
  isBestMatch: true,
} as const;

// web-socket-api.md, the `result` of each request's answer where it differs from the REST example
// (the RESULT answer of "Place new order" is `orderResult` above).

// web-socket-api.md, "Place new order": the ACK and FULL response types.
export const wsApiOrderAck = {
  symbol: 'BTCUSDT',
  orderId: 12569099453,
  orderListId: -1,
  clientOrderId: '4d96324ff9d44481926157ec08158a40',
  transactTime: 1660801715639,
} as const;
export const wsApiOrderFull = {
  symbol: 'BTCUSDT',
  orderId: 12569099453,
  orderListId: -1,
  clientOrderId: '4d96324ff9d44481926157ec08158a40',
  transactTime: 1660801715793,
  price: '23416.10000000',
  origQty: '0.00847000',
  executedQty: '0.00847000',
  origQuoteOrderQty: '0.000000',
  cummulativeQuoteQty: '198.33521500',
  status: 'FILLED',
  timeInForce: 'GTC',
  type: 'LIMIT',
  side: 'SELL',
  workingTime: 1660801715793,
  fills: [
    {
      price: '23416.10000000',
      qty: '0.00635000',
      commission: '0.000000',
      commissionAsset: 'BNB',
      tradeId: 1650422481,
    },
    {
      price: '23416.50000000',
      qty: '0.00212000',
      commission: '0.000000',
      commissionAsset: 'BNB',
      tradeId: 1650422482,
    },
  ],
} as const;

// web-socket-api.md, "Query order" (with the conditional fields the example shows).
export const wsApiQueryOrder = {
  symbol: 'BTCUSDT',
  orderId: 12569099453,
  orderListId: -1,
  clientOrderId: '4d96324ff9d44481926157',
  price: '23416.10000000',
  origQty: '0.00847000',
  executedQty: '0.00847000',
  cummulativeQuoteQty: '198.33521500',
  status: 'FILLED',
  timeInForce: 'GTC',
  type: 'LIMIT',
  side: 'SELL',
  stopPrice: '0.00000000',
  trailingDelta: 10,
  trailingTime: -1,
  icebergQty: '0.00000000',
  time: 1660801715639,
  updateTime: 1660801717945,
  isWorking: true,
  workingTime: 1660801715639,
  origQuoteOrderQty: '0.00000000',
  strategyId: 37463720,
  strategyType: 1000000,
  selfTradePreventionMode: 'NONE',
  preventedMatchId: 0,
  preventedQuantity: '1.200000',
} as const;

// web-socket-api.md, "Cancel order": an individual order canceled.
export const wsApiCancelOrder = {
  symbol: 'BTCUSDT',
  origClientOrderId: '4d96324ff9d44481926157',
  orderId: 12569099453,
  orderListId: -1,
  clientOrderId: '91fe37ce9e69c90d6358c0',
  transactTime: 1684804350068,
  price: '23416.10000000',
  origQty: '0.00847000',
  executedQty: '0.00001000',
  origQuoteOrderQty: '0.000000',
  cummulativeQuoteQty: '0.23416100',
  status: 'CANCELED',
  timeInForce: 'GTC',
  type: 'LIMIT',
  side: 'SELL',
  stopPrice: '0.00000000',
  trailingDelta: 0,
  icebergQty: '0.00000000',
  strategyId: 37463720,
  strategyType: 1000000,
  selfTradePreventionMode: 'NONE',
} as const;

// web-socket-api.md, "Current open orders": the one order of the example. The docs list
// `origQuoteOrderQty` twice ("0.000000" after `executedQty`, "0.00000000" after `workingTime`); a
// JSON parser keeps the last, which is the one here.
export const wsApiOpenOrder = {
  symbol: 'BTCUSDT',
  orderId: 12569099453,
  orderListId: -1,
  clientOrderId: '4d96324ff9d44481926157',
  price: '23416.10000000',
  origQty: '0.00847000',
  executedQty: '0.00720000',
  cummulativeQuoteQty: '172.43931000',
  status: 'PARTIALLY_FILLED',
  timeInForce: 'GTC',
  type: 'LIMIT',
  side: 'SELL',
  stopPrice: '0.00000000',
  icebergQty: '0.00000000',
  time: 1660801715639,
  updateTime: 1660801717945,
  isWorking: true,
  workingTime: 1660801715639,
  origQuoteOrderQty: '0.00000000',
  selfTradePreventionMode: 'NONE',
} as const;

// web-socket-api.md, "Cancel open orders": an order and an OCO order list.
export const wsApiCancelAllOpenOrders = [
  {
    symbol: 'BTCUSDT',
    origClientOrderId: '4d96324ff9d44481926157',
    orderId: 12569099453,
    orderListId: -1,
    clientOrderId: '91fe37ce9e69c90d6358c0',
    transactTime: 1684804350068,
    price: '23416.10000000',
    origQty: '0.00847000',
    executedQty: '0.00001000',
    origQuoteOrderQty: '0.000000',
    cummulativeQuoteQty: '0.23416100',
    status: 'CANCELED',
    timeInForce: 'GTC',
    type: 'LIMIT',
    side: 'SELL',
    stopPrice: '0.00000000',
    trailingDelta: 0,
    trailingTime: -1,
    icebergQty: '0.00000000',
    strategyId: 37463720,
    strategyType: 1000000,
    selfTradePreventionMode: 'NONE',
  },
  {
    orderListId: 19431,
    contingencyType: 'OCO',
    listStatusType: 'ALL_DONE',
    listOrderStatus: 'ALL_DONE',
    listClientOrderId: 'iuVNVJYYrByz6C4yGOPPK0',
    transactionTime: 1660803702431,
    symbol: 'BTCUSDT',
    orders: [
      { symbol: 'BTCUSDT', orderId: 12569099453, clientOrderId: 'bX5wROblo6YeDwa9iTLeyY' },
      { symbol: 'BTCUSDT', orderId: 12569099454, clientOrderId: 'Tnu2IP0J5Y4mxw3IATBfmW' },
    ],
    orderReports: [
      {
        symbol: 'BTCUSDT',
        origClientOrderId: 'bX5wROblo6YeDwa9iTLeyY',
        orderId: 12569099453,
        orderListId: 19431,
        clientOrderId: 'OFFXQtxVFZ6Nbcg4PgE2DA',
        transactTime: 1684804350068,
        price: '23450.50000000',
        origQty: '0.00850000',
        executedQty: '0.00000000',
        origQuoteOrderQty: '0.000000',
        cummulativeQuoteQty: '0.00000000',
        status: 'CANCELED',
        timeInForce: 'GTC',
        type: 'STOP_LOSS_LIMIT',
        side: 'BUY',
        stopPrice: '23430.00000000',
        selfTradePreventionMode: 'NONE',
      },
      {
        symbol: 'BTCUSDT',
        origClientOrderId: 'Tnu2IP0J5Y4mxw3IATBfmW',
        orderId: 12569099454,
        orderListId: 19431,
        clientOrderId: 'OFFXQtxVFZ6Nbcg4PgE2DA',
        transactTime: 1684804350068,
        price: '23400.00000000',
        origQty: '0.00850000',
        executedQty: '0.00000000',
        origQuoteOrderQty: '0.000000',
        cummulativeQuoteQty: '0.00000000',
        status: 'CANCELED',
        timeInForce: 'GTC',
        type: 'LIMIT_MAKER',
        side: 'BUY',
        selfTradePreventionMode: 'NONE',
      },
    ],
  },
] as const;

// web-socket-api.md, "Place new OCO - Deprecated" (orderList.place), the RESULT response type.
export const wsApiOcoOrderList = {
  orderListId: 1274512,
  contingencyType: 'OCO',
  listStatusType: 'EXEC_STARTED',
  listOrderStatus: 'EXECUTING',
  listClientOrderId: '08985fedd9ea2cf6b28996',
  transactionTime: 1660801713793,
  symbol: 'BTCUSDT',
  orders: [
    { symbol: 'BTCUSDT', orderId: 12569138901, clientOrderId: 'BqtFCj5odMoWtSqGk2X9tU' },
    { symbol: 'BTCUSDT', orderId: 12569138902, clientOrderId: 'jLnZpj5enfMXTuhKB1d0us' },
  ],
  orderReports: [
    {
      symbol: 'BTCUSDT',
      orderId: 12569138901,
      orderListId: 1274512,
      clientOrderId: 'BqtFCj5odMoWtSqGk2X9tU',
      transactTime: 1660801713793,
      price: '23410.00000000',
      origQty: '0.00650000',
      executedQty: '0.00000000',
      origQuoteOrderQty: '0.000000',
      cummulativeQuoteQty: '0.00000000',
      status: 'NEW',
      timeInForce: 'GTC',
      type: 'STOP_LOSS_LIMIT',
      side: 'SELL',
      stopPrice: '23405.00000000',
      workingTime: -1,
      selfTradePreventionMode: 'NONE',
    },
    {
      symbol: 'BTCUSDT',
      orderId: 12569138902,
      orderListId: 1274512,
      clientOrderId: 'jLnZpj5enfMXTuhKB1d0us',
      transactTime: 1660801713793,
      price: '23420.00000000',
      origQty: '0.00650000',
      executedQty: '0.00000000',
      origQuoteOrderQty: '0.000000',
      cummulativeQuoteQty: '0.00000000',
      status: 'NEW',
      timeInForce: 'GTC',
      type: 'LIMIT_MAKER',
      side: 'SELL',
      workingTime: 1660801713793,
      selfTradePreventionMode: 'NONE',
    },
  ],
} as const;

// web-socket-api.md, "Account information".
export const wsApiAccount = {
  makerCommission: 15,
  takerCommission: 15,
  buyerCommission: 0,
  sellerCommission: 0,
  canTrade: true,
  canWithdraw: true,
  canDeposit: true,
  commissionRates: { maker: '0.00150000', taker: '0.00150000', buyer: '0.00000000', seller: '0.00000000' },
  brokered: false,
  requireSelfTradePrevention: false,
  preventSor: false,
  updateTime: 1660801833000,
  accountType: 'SPOT',
  balances: [
    { asset: 'BNB', free: '0.00000000', locked: '0.00000000' },
    { asset: 'BTC', free: '1.3447112', locked: '0.08600000' },
    { asset: 'USDT', free: '1021.21000000', locked: '0.00000000' },
  ],
  permissions: ['SPOT'],
  uid: 354937868,
} as const;

// web-socket-api.md, "Account trade history": the two fills of the FULL order above.
export const wsApiMyTrades = [
  {
    symbol: 'BTCUSDT',
    id: 1650422481,
    orderId: 12569099453,
    orderListId: -1,
    price: '23416.10000000',
    qty: '0.00635000',
    quoteQty: '148.69223500',
    commission: '0.00000000',
    commissionAsset: 'BNB',
    time: 1660801715793,
    isBuyer: false,
    isMaker: true,
    isBestMatch: true,
  },
  {
    symbol: 'BTCUSDT',
    id: 1650422482,
    orderId: 12569099453,
    orderListId: -1,
    price: '23416.50000000',
    qty: '0.00212000',
    quoteQty: '49.64298000',
    commission: '0.00000000',
    commissionAsset: 'BNB',
    time: 1660801715793,
    isBuyer: false,
    isMaker: true,
    isBestMatch: true,
  },
] as const;

// web-socket-streams.md, each stream's "Payload".
export const tradeEvent = {
  e: 'trade',
  E: 1672515782136,
  s: 'BNBBTC',
  t: 12345,
  p: '0.001',
  q: '100',
  T: 1672515782136,
  m: true,
  M: true,
} as const;
export const aggTradeEvent = {
  e: 'aggTrade',
  E: 1672515782136,
  s: 'BNBBTC',
  a: 12345,
  p: '0.001',
  q: '100',
  f: 100,
  l: 105,
  T: 1672515782136,
  m: true,
  M: true,
} as const;
export const klineEvent = {
  e: 'kline',
  E: 1672515782136,
  s: 'BNBBTC',
  k: {
    t: 1672515780000,
    T: 1672515839999,
    s: 'BNBBTC',
    i: '1m',
    f: 100,
    L: 200,
    o: '0.0010',
    c: '0.0020',
    h: '0.0025',
    l: '0.0015',
    v: '1000',
    n: 100,
    x: false,
    q: '1.0000',
    V: '500',
    Q: '0.500',
    B: '123456',
  },
} as const;
export const miniTickerEvent = {
  e: '24hrMiniTicker',
  E: 1672515782136,
  s: 'BNBBTC',
  c: '0.0025',
  o: '0.0010',
  h: '0.0025',
  l: '0.0010',
  v: '10000',
  q: '18',
} as const;
export const tickerEvent = {
  e: '24hrTicker',
  E: 1672515782136,
  s: 'BNBBTC',
  p: '0.0015',
  P: '250.00',
  w: '0.0018',
  x: '0.0009',
  c: '0.0025',
  Q: '10',
  b: '0.0024',
  B: '10',
  a: '0.0026',
  A: '100',
  o: '0.0010',
  h: '0.0025',
  l: '0.0010',
  v: '10000',
  q: '18',
  O: 0,
  C: 86400000,
  F: 0,
  L: 18150,
  n: 18151,
} as const;
export const bookTickerEvent = {
  u: 400900217,
  s: 'BNBUSDT',
  b: '25.35190000',
  B: '31.21000000',
  a: '25.36520000',
  A: '40.66000000',
} as const;
export const partialDepthEvent = {
  lastUpdateId: 160,
  bids: [['0.0024', '10']],
  asks: [['0.0026', '100']],
} as const;
export const depthUpdateEvent = {
  e: 'depthUpdate',
  E: 1672515782136,
  s: 'BNBBTC',
  U: 157,
  u: 160,
  b: [['0.0024', '10']],
  a: [['0.0026', '100']],
} as const;

// user-data-stream.md, "Account Update", "Balance Update", "Order Update", "ListStatus".
// The "Order Update" example shows `v` (prevented match id), which the docs' "Conditional Fields in
// Execution Report" say appears only for an order that expired by self-trade prevention.
export const outboundAccountPosition = {
  e: 'outboundAccountPosition',
  E: 1564034571105,
  u: 1564034571073,
  B: [{ a: 'ETH', f: '10000.000000', l: '0.000000' }],
} as const;
export const balanceUpdate = {
  e: 'balanceUpdate',
  E: 1573200697110,
  a: 'BTC',
  d: '100.00000000',
  T: 1573200697068,
} as const;
export const executionReport = {
  e: 'executionReport',
  E: 1499405658658,
  s: 'ETHBTC',
  c: 'mUvoqJxFIILMdfAW5iGSOW',
  S: 'BUY',
  o: 'LIMIT',
  f: 'GTC',
  q: '1.00000000',
  p: '0.10264410',
  P: '0.00000000',
  F: '0.00000000',
  g: -1,
  C: '',
  x: 'NEW',
  X: 'NEW',
  r: 'NONE',
  i: 4293153,
  l: '0.00000000',
  z: '0.00000000',
  L: '0.00000000',
  n: '0',
  N: null,
  T: 1499405658657,
  t: -1,
  v: 3,
  I: 8641984,
  w: true,
  m: false,
  M: false,
  O: 1499405658657,
  Z: '0.00000000',
  Y: '0.00000000',
  Q: '0.00000000',
  W: 1499405658657,
  V: 'NONE',
} as const;
export const listStatus = {
  e: 'listStatus',
  E: 1564035303637,
  s: 'ETHBTC',
  g: 2,
  c: 'OCO',
  l: 'EXEC_STARTED',
  L: 'EXECUTING',
  r: 'NONE',
  C: 'F4QN4G8DlFATFlIUQ0cjdD',
  T: 1564035303625,
  O: [
    { s: 'ETHBTC', i: 17, c: 'AJYsMjErWJesZvqlJCTUgL' },
    { s: 'ETHBTC', i: 18, c: 'bfYPSQdLoqAJeNrOr9adzq' },
  ],
} as const;
