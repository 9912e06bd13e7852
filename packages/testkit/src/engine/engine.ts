import { type Clock, type Logger, systemClock } from '@venuekit/core';
import type {
  AccountDefinition,
  AccountInfo,
  AccountTrade,
  AggTradeQuery,
  AggTradeRecord,
  AllOrdersQuery,
  AveragePrice,
  BalanceView,
  BookTop,
  CanceledItem,
  CancelOrderListRequest,
  CancelOrderListResult,
  CancelOrderRequest,
  CancelOrderResult,
  DepthSnapshot,
  EngineEvent,
  EngineEventName,
  EngineListener,
  KlineIntervalName,
  KlineQuery,
  KlineRecord,
  MyTradesQuery,
  NewOcoRequest,
  NewOrderRequest,
  OrderListResult,
  OrderListView,
  OrderView,
  PlaceOrderResult,
  QueryOrderRequest,
  SymbolDefinition,
  SymbolInfo,
  TickerStats,
  TradeRecord,
} from './types';

export interface ExchangeEngineOptions {
  /** The source of every timestamp. Default: the system clock. */
  readonly clock?: Clock;
  /** Markets to list. Default: DEFAULT_SYMBOLS (BTCUSDT, ETHUSDT, BNBUSDT, ETHBTC). */
  readonly symbols?: readonly SymbolDefinition[];
  /** Accounts to create up front. */
  readonly accounts?: readonly AccountDefinition[];
  /** Where a listener's exception is reported (it never reaches the engine's caller). */
  readonly logger?: Logger;
  /** Public trades kept per symbol for `trades`/`aggTrades` queries. Default 10 000. */
  readonly tradeHistory?: number;
}

/**
 * The exchange: symbols with Binance's filters, accounts with balances, and a
 * price-time priority matching engine per symbol. Every method is synchronous;
 * every rejection is a BinanceRejection with Binance's code and message.
 * Events are delivered after the call's state change is complete, in order.
 */
export class ExchangeEngine {
  readonly clock: Clock;

  constructor(options: ExchangeEngineOptions = {}) {
    this.clock = options.clock ?? systemClock;
  }

  // -- events ---------------------------------------------------------------

  /** Adds a listener; returns the function that removes it. */
  on<K extends EngineEventName>(event: K, listener: EngineListener<K>): () => void {
    void event;
    void listener;
    return notYet();
  }

  /** One listener for every event, as a tagged union; returns the function that removes it. */
  subscribe(listener: (event: EngineEvent) => void): () => void {
    void listener;
    return notYet();
  }

  // -- symbols --------------------------------------------------------------

  addSymbol(definition: SymbolDefinition): SymbolInfo {
    void definition;
    return notYet();
  }
  symbols(): readonly SymbolInfo[] {
    return notYet();
  }
  /** Throws -1121 "Invalid symbol." for an unknown symbol. */
  symbol(symbol: string): SymbolInfo {
    void symbol;
    return notYet();
  }
  hasSymbol(symbol: string): boolean {
    void symbol;
    return notYet();
  }

  // -- accounts -------------------------------------------------------------

  createAccount(definition?: AccountDefinition): AccountInfo {
    void definition;
    return notYet();
  }
  /** Throws -2015 for an unknown account id. */
  account(accountId: string): AccountInfo {
    void accountId;
    return notYet();
  }
  /** The account behind an api key (also when revoked: check `revoked`), or undefined. */
  accountByApiKey(apiKey: string): AccountInfo | undefined {
    void apiKey;
    return notYet();
  }
  accounts(): readonly AccountInfo[] {
    return notYet();
  }
  /** Every later request with this key is refused (-2015); emits `apiKeyRevoked`. */
  revokeApiKey(apiKey: string): void {
    void apiKey;
    notYet();
  }
  /** Non-zero balances (all assets the account has held when `includeZero`). */
  balances(accountId: string, includeZero?: boolean): BalanceView[] {
    void accountId;
    void includeZero;
    return notYet();
  }
  /** Credits (positive) or debits (negative) free balance; emits `balanceUpdate` and `accountPosition`. */
  adjustBalance(accountId: string, asset: string, delta: string): void {
    void accountId;
    void asset;
    void delta;
    notYet();
  }

  // -- trading --------------------------------------------------------------

  placeOrder(accountId: string, params: NewOrderRequest): PlaceOrderResult {
    void accountId;
    void params;
    return notYet();
  }
  /** Validates like placeOrder (parameters, filters, balance) without placing anything. */
  testOrder(accountId: string, params: NewOrderRequest): void {
    void accountId;
    void params;
    notYet();
  }
  cancelOrder(accountId: string, params: CancelOrderRequest): CancelOrderResult {
    void accountId;
    void params;
    return notYet();
  }
  /** Cancels every open order of the symbol; an order list appears once, as a list. */
  cancelOpenOrders(accountId: string, symbol: string | undefined): CanceledItem[] {
    void accountId;
    void symbol;
    return notYet();
  }
  placeOcoOrderList(accountId: string, params: NewOcoRequest): OrderListResult {
    void accountId;
    void params;
    return notYet();
  }
  cancelOrderList(accountId: string, params: CancelOrderListRequest): CancelOrderListResult {
    void accountId;
    void params;
    return notYet();
  }
  getOrder(accountId: string, params: QueryOrderRequest): OrderView {
    void accountId;
    void params;
    return notYet();
  }
  openOrders(accountId: string, symbol?: string): OrderView[] {
    void accountId;
    void symbol;
    return notYet();
  }
  allOrders(accountId: string, params: AllOrdersQuery): OrderView[] {
    void accountId;
    void params;
    return notYet();
  }
  myTrades(accountId: string, params: MyTradesQuery): AccountTrade[] {
    void accountId;
    void params;
    return notYet();
  }
  orderList(accountId: string, params: { orderListId?: number; origClientOrderId?: string }): OrderListView {
    void accountId;
    void params;
    return notYet();
  }
  openOrderLists(accountId: string): OrderListView[] {
    void accountId;
    return notYet();
  }

  // -- market data ------------------------------------------------------------

  /** Top `limit` levels per side (all when omitted) with the current update id. */
  depth(symbol: string, limit?: number): DepthSnapshot {
    void symbol;
    void limit;
    return notYet();
  }
  bookTicker(symbol: string): BookTop {
    void symbol;
    return notYet();
  }
  /** Most recent last. */
  recentTrades(symbol: string, limit?: number): TradeRecord[] {
    void symbol;
    void limit;
    return notYet();
  }
  aggTrades(symbol: string, query?: AggTradeQuery): AggTradeRecord[] {
    void symbol;
    void query;
    return notYet();
  }
  /** Throws -1120 for an unknown interval. */
  klines(symbol: string, interval: string, query?: KlineQuery): KlineRecord[] {
    void symbol;
    void interval;
    void query;
    return notYet();
  }
  /** The candle open now (flat at the last price when nothing traded in it); undefined before the first trade. */
  currentKline(symbol: string, interval: KlineIntervalName): KlineRecord | undefined {
    void symbol;
    void interval;
    return notYet();
  }
  ticker24h(symbol: string): TickerStats {
    void symbol;
    return notYet();
  }
  avgPrice(symbol: string): AveragePrice {
    void symbol;
    return notYet();
  }
  /** undefined before the first trade. */
  lastPrice(symbol: string): TradeRecord | undefined {
    void symbol;
    return notYet();
  }
}

function notYet(): never {
  throw new Error('not implemented yet');
}
