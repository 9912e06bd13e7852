import type { EngineOrderType, SymbolDefinition, SymbolFilter, SymbolInfo } from './types';
import { ORDER_TYPES } from './types';

/**
 * The filters of Binance's spot BTCUSDT as exchangeInfo listed them in 2025
 * (PRICE_FILTER, LOT_SIZE, MARKET_LOT_SIZE, NOTIONAL, PERCENT_PRICE_BY_SIDE,
 * MAX_NUM_ORDERS, MAX_NUM_ALGO_ORDERS); the other defaults use the same shape
 * with each market's own tick and step sizes. Iceberg and trailing-stop
 * filters are left out because this engine does not support those orders.
 */
function filters(options: {
  tickSize: string;
  maxPrice: string;
  stepSize: string;
  maxQty: string;
  marketMaxQty: string;
  minNotional: string;
  maxNotional: string;
}): SymbolFilter[] {
  return [
    {
      filterType: 'PRICE_FILTER',
      minPrice: options.tickSize,
      maxPrice: options.maxPrice,
      tickSize: options.tickSize,
    },
    { filterType: 'LOT_SIZE', minQty: options.stepSize, maxQty: options.maxQty, stepSize: options.stepSize },
    {
      filterType: 'MARKET_LOT_SIZE',
      minQty: '0.00000000',
      maxQty: options.marketMaxQty,
      stepSize: '0.00000000',
    },
    {
      filterType: 'NOTIONAL',
      minNotional: options.minNotional,
      applyMinToMarket: true,
      maxNotional: options.maxNotional,
      applyMaxToMarket: false,
      avgPriceMins: 5,
    },
    {
      filterType: 'PERCENT_PRICE_BY_SIDE',
      bidMultiplierUp: '5',
      bidMultiplierDown: '0.2',
      askMultiplierUp: '5',
      askMultiplierDown: '0.2',
      avgPriceMins: 5,
    },
    { filterType: 'MAX_NUM_ORDERS', maxNumOrders: 200 },
    { filterType: 'MAX_NUM_ALGO_ORDERS', maxNumAlgoOrders: 5 },
  ];
}

/** The markets an engine lists unless told otherwise. */
export const DEFAULT_SYMBOLS: readonly SymbolDefinition[] = [
  {
    symbol: 'BTCUSDT',
    baseAsset: 'BTC',
    quoteAsset: 'USDT',
    initialPrice: '60000.00',
    filters: filters({
      tickSize: '0.01000000',
      maxPrice: '1000000.00000000',
      stepSize: '0.00001000',
      maxQty: '9000.00000000',
      marketMaxQty: '119.23000000',
      minNotional: '5.00000000',
      maxNotional: '9000000.00000000',
    }),
  },
  {
    symbol: 'ETHUSDT',
    baseAsset: 'ETH',
    quoteAsset: 'USDT',
    initialPrice: '3000.00',
    filters: filters({
      tickSize: '0.01000000',
      maxPrice: '1000000.00000000',
      stepSize: '0.00010000',
      maxQty: '9000.00000000',
      marketMaxQty: '2600.00000000',
      minNotional: '5.00000000',
      maxNotional: '9000000.00000000',
    }),
  },
  {
    symbol: 'BNBUSDT',
    baseAsset: 'BNB',
    quoteAsset: 'USDT',
    initialPrice: '600.00',
    filters: filters({
      tickSize: '0.01000000',
      maxPrice: '100000.00000000',
      stepSize: '0.00100000',
      maxQty: '9000.00000000',
      marketMaxQty: '8000.00000000',
      minNotional: '5.00000000',
      maxNotional: '9000000.00000000',
    }),
  },
  {
    symbol: 'ETHBTC',
    baseAsset: 'ETH',
    quoteAsset: 'BTC',
    initialPrice: '0.05000',
    filters: filters({
      tickSize: '0.00001000',
      maxPrice: '922327.00000000',
      stepSize: '0.00010000',
      maxQty: '100000.00000000',
      marketMaxQty: '2300.00000000',
      minNotional: '0.00010000',
      maxNotional: '9000000.00000000',
    }),
  },
];

/**
 * Binance's legal range for ASCII symbols (its -1100 message), widened to the non-ASCII letters and
 * digits it also lists (testnet's `这是测试币456`, the docs' `１２３４５６`, production's `币安人生USDT`):
 * 1 to 20 characters, each an ASCII `A-Z 0-9 - _ .` or a non-ASCII letter, mark or digit.
 */
const SYMBOL_TEXT = /^(?:[A-Z0-9\-_.]|(?!\p{ASCII})[\p{L}\p{M}\p{N}]){1,20}$/u;
const SYMBOL_RULE =
  'must be 1-20 characters, each one of A-Z 0-9 - _ . or a non-ASCII letter or digit, none lowercase';

/** Whether `symbol` can be listed: see SYMBOL_TEXT; lowercase letters would not survive stream names. */
export function isListableSymbol(symbol: string): boolean {
  return (
    SYMBOL_TEXT.test(symbol) &&
    symbol.toUpperCase() === symbol &&
    symbol.toLowerCase().toUpperCase() === symbol
  );
}

/** Fills a definition's defaults; throws a TypeError for a definition that cannot work. */
export function symbolInfo(definition: SymbolDefinition): SymbolInfo {
  const { symbol, baseAsset, quoteAsset } = definition;
  if (typeof symbol !== 'string' || !isListableSymbol(symbol)) {
    throw new TypeError(`symbol "${String(symbol)}" ${SYMBOL_RULE}`);
  }
  if (!baseAsset || !quoteAsset || baseAsset === quoteAsset) {
    throw new TypeError(`symbol ${symbol} needs two different assets`);
  }
  const orderTypes: readonly EngineOrderType[] = definition.orderTypes ?? ORDER_TYPES;
  for (const type of orderTypes) {
    if (!ORDER_TYPES.includes(type)) throw new TypeError(`symbol ${symbol}: unknown order type ${type}`);
  }
  const kinds = new Set<string>();
  for (const filter of definition.filters) {
    if (kinds.has(filter.filterType))
      throw new TypeError(`symbol ${symbol} lists ${filter.filterType} twice`);
    kinds.add(filter.filterType);
  }
  const basePrecision = definition.baseAssetPrecision ?? 8;
  const quotePrecision = definition.quoteAssetPrecision ?? 8;
  return {
    symbol,
    baseAsset,
    quoteAsset,
    status: definition.status ?? 'TRADING',
    baseAssetPrecision: basePrecision,
    quoteAssetPrecision: quotePrecision,
    baseCommissionPrecision: definition.baseCommissionPrecision ?? basePrecision,
    quoteCommissionPrecision: definition.quoteCommissionPrecision ?? quotePrecision,
    orderTypes,
    icebergAllowed: false,
    ocoAllowed: definition.ocoAllowed ?? true,
    otoAllowed: false,
    quoteOrderQtyMarketAllowed: definition.quoteOrderQtyMarketAllowed ?? true,
    allowTrailingStop: false,
    cancelReplaceAllowed: false,
    isSpotTradingAllowed: true,
    isMarginTradingAllowed: false,
    filters: definition.filters,
    defaultSelfTradePreventionMode: 'NONE',
    allowedSelfTradePreventionModes: ['NONE'],
    ...(definition.initialPrice === undefined ? {} : { initialPrice: definition.initialPrice }),
  };
}
