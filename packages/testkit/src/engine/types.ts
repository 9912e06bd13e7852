/**
 * The fake exchange's engine API: what the REST, WebSocket and in-memory front
 * ends call, and the events they turn into wire frames.
 *
 * Conventions (they mirror Binance spot, see ../../../shared/binance-protocol.md):
 * - Request parameters arrive as Binance sends them: strings, validated by the
 *   engine, which throws a {@link BinanceRejection} with Binance's code and message.
 * - Money is core's Decimal everywhere; ids (order, trade, update ids) are JS
 *   numbers because Binance sends them as JSON integers (they stay below 2^53).
 * - Times are epoch milliseconds from the engine's Clock.
 * - Symbols are Binance's native form (`BTCUSDT`).
 */
import type { Decimal } from '@venuekit/core';

// ---------------------------------------------------------------------------
// Enums (Binance's spellings, enums.md)

export type OrderSide = 'BUY' | 'SELL';
export type EngineOrderType =
  | 'LIMIT'
  | 'MARKET'
  | 'LIMIT_MAKER'
  | 'STOP_LOSS'
  | 'STOP_LOSS_LIMIT'
  | 'TAKE_PROFIT'
  | 'TAKE_PROFIT_LIMIT';
export type EngineTimeInForce = 'GTC' | 'IOC' | 'FOK';
export type EngineOrderStatus =
  | 'NEW'
  | 'PENDING_NEW'
  | 'PARTIALLY_FILLED'
  | 'FILLED'
  | 'CANCELED'
  | 'REJECTED'
  | 'EXPIRED'
  | 'EXPIRED_IN_MATCH';
export type EngineExecutionType = 'NEW' | 'CANCELED' | 'REPLACED' | 'REJECTED' | 'TRADE' | 'EXPIRED';
export type OrderResponseType = 'ACK' | 'RESULT' | 'FULL';
export type SymbolStatus = 'TRADING' | 'HALT' | 'BREAK' | 'END_OF_DAY' | 'CANCEL_ONLY';
export type ExpiryReason =
  | 'NONE'
  | 'UNFILLED_IOC_QUANTITY_EXPIRED'
  | 'UNFILLED_FOK_ORDER_EXPIRED'
  | 'INSUFFICIENT_LIQUIDITY'
  | 'OCO_TRIGGER'
  | 'EXCHANGE_CANCELED';
export type ContingencyType = 'OCO';
export type ListStatusType = 'RESPONSE' | 'EXEC_STARTED' | 'UPDATED' | 'ALL_DONE';
export type ListOrderStatus = 'EXECUTING' | 'ALL_DONE' | 'REJECT';

export const ORDER_TYPES: readonly EngineOrderType[] = [
  'LIMIT',
  'LIMIT_MAKER',
  'MARKET',
  'STOP_LOSS',
  'STOP_LOSS_LIMIT',
  'TAKE_PROFIT',
  'TAKE_PROFIT_LIMIT',
];

// ---------------------------------------------------------------------------
// Symbols and their filters, exactly as exchangeInfo lists them (filters.md)

export interface PriceFilter {
  readonly filterType: 'PRICE_FILTER';
  readonly minPrice: string;
  readonly maxPrice: string;
  readonly tickSize: string;
}
export interface PercentPriceFilter {
  readonly filterType: 'PERCENT_PRICE';
  readonly multiplierUp: string;
  readonly multiplierDown: string;
  readonly avgPriceMins: number;
}
export interface PercentPriceBySideFilter {
  readonly filterType: 'PERCENT_PRICE_BY_SIDE';
  readonly bidMultiplierUp: string;
  readonly bidMultiplierDown: string;
  readonly askMultiplierUp: string;
  readonly askMultiplierDown: string;
  readonly avgPriceMins: number;
}
export interface LotSizeFilter {
  readonly filterType: 'LOT_SIZE';
  readonly minQty: string;
  readonly maxQty: string;
  readonly stepSize: string;
}
export interface MarketLotSizeFilter {
  readonly filterType: 'MARKET_LOT_SIZE';
  readonly minQty: string;
  readonly maxQty: string;
  readonly stepSize: string;
}
export interface MinNotionalFilter {
  readonly filterType: 'MIN_NOTIONAL';
  readonly minNotional: string;
  readonly applyToMarket: boolean;
  readonly avgPriceMins: number;
}
export interface NotionalFilter {
  readonly filterType: 'NOTIONAL';
  readonly minNotional: string;
  readonly applyMinToMarket: boolean;
  readonly maxNotional: string;
  readonly applyMaxToMarket: boolean;
  readonly avgPriceMins: number;
}
export interface IcebergPartsFilter {
  readonly filterType: 'ICEBERG_PARTS';
  readonly limit: number;
}
export interface MaxNumOrdersFilter {
  readonly filterType: 'MAX_NUM_ORDERS';
  readonly maxNumOrders: number;
}
export interface MaxNumAlgoOrdersFilter {
  readonly filterType: 'MAX_NUM_ALGO_ORDERS';
  readonly maxNumAlgoOrders: number;
}
export interface MaxNumOrderListsFilter {
  readonly filterType: 'MAX_NUM_ORDER_LISTS';
  readonly maxNumOrderLists: number;
}
export interface TrailingDeltaFilter {
  readonly filterType: 'TRAILING_DELTA';
  readonly minTrailingAboveDelta: number;
  readonly maxTrailingAboveDelta: number;
  readonly minTrailingBelowDelta: number;
  readonly maxTrailingBelowDelta: number;
}

export type SymbolFilter =
  | PriceFilter
  | PercentPriceFilter
  | PercentPriceBySideFilter
  | LotSizeFilter
  | MarketLotSizeFilter
  | MinNotionalFilter
  | NotionalFilter
  | IcebergPartsFilter
  | MaxNumOrdersFilter
  | MaxNumAlgoOrdersFilter
  | MaxNumOrderListsFilter
  | TrailingDeltaFilter;

/** A market the engine lists. Everything but `symbol`, `baseAsset`, `quoteAsset` and `filters` has a Binance-like default. */
export interface SymbolDefinition {
  /** Native form, e.g. `BTCUSDT`. */
  readonly symbol: string;
  readonly baseAsset: string;
  readonly quoteAsset: string;
  /** Default TRADING. */
  readonly status?: SymbolStatus;
  /** Decimals used when formatting base amounts. Default 8. */
  readonly baseAssetPrecision?: number;
  /** Decimals used when formatting prices and quote amounts. Default 8. */
  readonly quoteAssetPrecision?: number;
  readonly baseCommissionPrecision?: number;
  readonly quoteCommissionPrecision?: number;
  /** Default: all seven types. */
  readonly orderTypes?: readonly EngineOrderType[];
  /** Default true. */
  readonly ocoAllowed?: boolean;
  /** Default true. */
  readonly quoteOrderQtyMarketAllowed?: boolean;
  readonly filters: readonly SymbolFilter[];
  /** Where the market simulation starts this symbol's price (a decimal string). */
  readonly initialPrice?: string;
}

/** A listed symbol as the engine sees it: the definition with its defaults filled in. */
export interface SymbolInfo {
  readonly symbol: string;
  readonly baseAsset: string;
  readonly quoteAsset: string;
  readonly status: SymbolStatus;
  readonly baseAssetPrecision: number;
  readonly quoteAssetPrecision: number;
  readonly baseCommissionPrecision: number;
  readonly quoteCommissionPrecision: number;
  readonly orderTypes: readonly EngineOrderType[];
  readonly icebergAllowed: false;
  readonly ocoAllowed: boolean;
  readonly otoAllowed: false;
  readonly quoteOrderQtyMarketAllowed: boolean;
  readonly allowTrailingStop: false;
  readonly cancelReplaceAllowed: false;
  readonly isSpotTradingAllowed: true;
  readonly isMarginTradingAllowed: false;
  readonly filters: readonly SymbolFilter[];
  readonly defaultSelfTradePreventionMode: 'NONE';
  readonly allowedSelfTradePreventionModes: readonly ['NONE'];
  readonly initialPrice?: string;
}

// ---------------------------------------------------------------------------
// Accounts

export interface AccountDefinition {
  /** Default: generated (`acct-1`, `acct-2`…). */
  readonly id?: string;
  /** Default: a random 64-character key. */
  readonly apiKey?: string;
  /** HMAC-SHA256 secret key. When neither this nor `ed25519PublicKey` is given, a random HMAC secret is generated. */
  readonly secretKey?: string;
  /** An Ed25519 public key, PEM (SPKI), for Ed25519-signed requests and session.logon. */
  readonly ed25519PublicKey?: string;
  /** An RSA public key, PEM (SPKI), for RSA-signed requests. */
  readonly rsaPublicKey?: string;
  /** Starting balances: asset → free amount as a decimal string. */
  readonly balances?: Readonly<Record<string, string>>;
  /** Commission rates as fractions (`'0.001'` = 0.1 %). Default maker 0.001, taker 0.001. */
  readonly makerCommission?: string;
  readonly takerCommission?: string;
  /** Default true. When false every order and cancel is rejected. */
  readonly canTrade?: boolean;
}

export interface CommissionRates {
  readonly maker: Decimal;
  readonly taker: Decimal;
  readonly buyer: Decimal;
  readonly seller: Decimal;
}

/** An account as the front ends need it: for authentication and the account endpoint. */
export interface AccountInfo {
  readonly id: string;
  readonly uid: number;
  readonly apiKey: string;
  /** Reveals the HMAC secret, for signature checks; undefined for an Ed25519-only account. */
  hmacSecret(): string | undefined;
  /** PEM, when the account has an Ed25519 key. */
  readonly ed25519PublicKey: string | undefined;
  /** PEM, when the account has an RSA key. */
  readonly rsaPublicKey: string | undefined;
  /** True once `revokeApiKey` was called: every request with this key gets -2015. */
  readonly revoked: boolean;
  readonly canTrade: boolean;
  readonly canWithdraw: boolean;
  readonly canDeposit: boolean;
  readonly commission: CommissionRates;
  /** Last balance change, epoch ms. */
  readonly updateTime: number;
}

export interface BalanceView {
  readonly asset: string;
  readonly free: Decimal;
  readonly locked: Decimal;
}

// ---------------------------------------------------------------------------
// Requests: typed (the front ends parse the wire parameters and answer the
// request-level errors -1100…-1105, -1111, -1115…-1117 themselves). The engine
// still checks which fields each order type needs (-1102, -1106, -1114), so
// every front end rejects the same requests the same way.

export interface NewOrderRequest {
  readonly symbol: string;
  readonly side: OrderSide;
  readonly type: EngineOrderType;
  readonly timeInForce?: EngineTimeInForce;
  readonly quantity?: Decimal;
  readonly quoteOrderQty?: Decimal;
  readonly price?: Decimal;
  readonly stopPrice?: Decimal;
  /** Generated (22 characters, like Binance's) when absent. */
  readonly newClientOrderId?: string;
  /** Default: FULL for LIMIT and MARKET, ACK for the other types (Binance's rule). */
  readonly newOrderRespType?: OrderResponseType;
  /** Refused: this engine lists icebergAllowed=false. */
  readonly icebergQty?: Decimal;
  /** Refused: this engine lists allowTrailingStop=false. */
  readonly trailingDelta?: number;
}

export type CancelRestrictions = 'ONLY_NEW' | 'ONLY_PARTIALLY_FILLED';

export interface CancelOrderRequest {
  readonly symbol: string;
  readonly orderId?: number;
  readonly origClientOrderId?: string;
  /** The client id of the cancel itself; generated when absent. */
  readonly newClientOrderId?: string;
  readonly cancelRestrictions?: CancelRestrictions;
}

export interface QueryOrderRequest {
  readonly symbol: string;
  readonly orderId?: number;
  readonly origClientOrderId?: string;
}

export interface AllOrdersQuery {
  readonly symbol: string;
  /** Orders with an id >= this. */
  readonly orderId?: number;
  readonly startTime?: number;
  readonly endTime?: number;
  /** Default 500, at most 1000. */
  readonly limit?: number;
}

export interface MyTradesQuery {
  readonly symbol: string;
  readonly orderId?: number;
  readonly startTime?: number;
  readonly endTime?: number;
  /** Trades with an id >= this. */
  readonly fromId?: number;
  /** Default 500, at most 1000. */
  readonly limit?: number;
}

export type OcoLegType =
  | 'STOP_LOSS'
  | 'STOP_LOSS_LIMIT'
  | 'TAKE_PROFIT'
  | 'TAKE_PROFIT_LIMIT'
  | 'LIMIT_MAKER';

/** `POST /api/v3/orderList/oco` (rest-api.md "New Order list - OCO"): one leg above the last price, one below. */
export interface NewOcoRequest {
  readonly symbol: string;
  readonly side: OrderSide;
  readonly quantity: Decimal;
  readonly listClientOrderId?: string;
  readonly aboveType: OcoLegType;
  readonly aboveClientOrderId?: string;
  readonly abovePrice?: Decimal;
  readonly aboveStopPrice?: Decimal;
  readonly aboveTimeInForce?: EngineTimeInForce;
  readonly belowType: OcoLegType;
  readonly belowClientOrderId?: string;
  readonly belowPrice?: Decimal;
  readonly belowStopPrice?: Decimal;
  readonly belowTimeInForce?: EngineTimeInForce;
  /** Default FULL. */
  readonly newOrderRespType?: OrderResponseType;
}

export interface CancelOrderListRequest {
  readonly symbol: string;
  readonly orderListId?: number;
  readonly listClientOrderId?: string;
  readonly newClientOrderId?: string;
}

export interface KlineQuery {
  readonly startTime?: number;
  readonly endTime?: number;
  /** Default 500, at most 1000. */
  readonly limit?: number;
}

export interface AggTradeQuery {
  readonly fromId?: number;
  readonly startTime?: number;
  readonly endTime?: number;
  /** Default 500, at most 1000. */
  readonly limit?: number;
}

// ---------------------------------------------------------------------------
// Results and records

/** An order's state, the fields of Binance's order objects. */
export interface OrderView {
  readonly accountId: string;
  readonly symbol: string;
  readonly orderId: number;
  /** -1 when not in a list. */
  readonly orderListId: number;
  readonly clientOrderId: string;
  /** 0 for market orders. */
  readonly price: Decimal;
  readonly origQty: Decimal;
  readonly executedQty: Decimal;
  readonly cummulativeQuoteQty: Decimal;
  readonly origQuoteOrderQty: Decimal;
  readonly status: EngineOrderStatus;
  readonly timeInForce: EngineTimeInForce;
  readonly type: EngineOrderType;
  readonly side: OrderSide;
  /** 0 when the type has none. */
  readonly stopPrice: Decimal;
  readonly icebergQty: Decimal;
  /** Creation time. */
  readonly time: number;
  readonly updateTime: number;
  /** True once on the book (a stop order becomes working when it triggers). */
  readonly isWorking: boolean;
  /** -1 while not working. */
  readonly workingTime: number;
  readonly selfTradePreventionMode: 'NONE';
  /** Set when the order expired. */
  readonly expiryReason?: ExpiryReason;
}

/** One fill of an order, as in the FULL response's `fills`. */
export interface OrderFill {
  readonly price: Decimal;
  readonly qty: Decimal;
  readonly commission: Decimal;
  readonly commissionAsset: string;
  readonly tradeId: number;
}

export interface PlaceOrderResult {
  readonly order: OrderView;
  /** The fills that happened while placing it (triggered stop orders excluded). */
  readonly fills: readonly OrderFill[];
  readonly transactTime: number;
  /** The response type requested, or Binance's default (FULL for LIMIT and MARKET, else ACK). */
  readonly responseType: OrderResponseType;
}

export interface CancelOrderResult {
  /** The order after cancellation. */
  readonly order: OrderView;
  /** The canceled order's own client id. */
  readonly origClientOrderId: string;
  /** The cancel request's client id. */
  readonly clientOrderId: string;
  readonly transactTime: number;
}

export interface OrderListView {
  readonly accountId: string;
  readonly symbol: string;
  readonly orderListId: number;
  readonly contingencyType: ContingencyType;
  readonly listStatusType: ListStatusType;
  readonly listOrderStatus: ListOrderStatus;
  readonly listClientOrderId: string;
  readonly transactionTime: number;
  /** The legs: below first, then above (Binance's order). */
  readonly orders: readonly OrderView[];
}

export interface OrderListResult {
  readonly list: OrderListView;
  /** Each leg's fills at placement. */
  readonly fills: ReadonlyMap<number, readonly OrderFill[]>;
  readonly responseType: OrderResponseType;
}

export interface CancelOrderListResult {
  readonly list: OrderListView;
  /** The cancel of each leg, in list order. */
  readonly cancels: readonly CancelOrderResult[];
}

/** An item of `DELETE /api/v3/openOrders`: a plain order, or a whole order list. */
export type CanceledItem =
  | { readonly kind: 'order'; readonly cancel: CancelOrderResult }
  | { readonly kind: 'list'; readonly cancel: CancelOrderListResult };

/** A row of `myTrades`. */
export interface AccountTrade {
  readonly accountId: string;
  readonly symbol: string;
  readonly id: number;
  readonly orderId: number;
  readonly orderListId: number;
  readonly price: Decimal;
  readonly qty: Decimal;
  readonly quoteQty: Decimal;
  readonly commission: Decimal;
  readonly commissionAsset: string;
  readonly time: number;
  readonly isBuyer: boolean;
  readonly isMaker: boolean;
  readonly isBestMatch: true;
}

/** A public trade: the `trade` stream and `GET /api/v3/trades`. */
export interface TradeRecord {
  readonly symbol: string;
  readonly id: number;
  readonly price: Decimal;
  readonly qty: Decimal;
  readonly quoteQty: Decimal;
  readonly time: number;
  readonly isBuyerMaker: boolean;
  readonly buyerOrderId: number;
  readonly sellerOrderId: number;
}

/** Fills of one taker order at one price: the `aggTrade` stream and `GET /api/v3/aggTrades`. */
export interface AggTradeRecord {
  readonly symbol: string;
  readonly id: number;
  readonly price: Decimal;
  readonly qty: Decimal;
  readonly firstTradeId: number;
  readonly lastTradeId: number;
  readonly time: number;
  readonly isBuyerMaker: boolean;
}

export type KlineIntervalName =
  | '1s'
  | '1m'
  | '3m'
  | '5m'
  | '15m'
  | '30m'
  | '1h'
  | '2h'
  | '4h'
  | '6h'
  | '8h'
  | '12h'
  | '1d'
  | '3d'
  | '1w'
  | '1M';

export interface KlineRecord {
  readonly symbol: string;
  readonly interval: KlineIntervalName;
  readonly openTime: number;
  readonly closeTime: number;
  readonly open: Decimal;
  readonly high: Decimal;
  readonly low: Decimal;
  readonly close: Decimal;
  readonly volume: Decimal;
  readonly quoteVolume: Decimal;
  readonly trades: number;
  readonly takerBuyBaseVolume: Decimal;
  readonly takerBuyQuoteVolume: Decimal;
  /** -1 when the candle has no trade. */
  readonly firstTradeId: number;
  readonly lastTradeId: number;
  /** True once `closeTime` has passed. */
  readonly closed: boolean;
}

/** Rolling 24-hour statistics (minute-aligned window, like Binance's rolling tickers). */
export interface TickerStats {
  readonly symbol: string;
  readonly priceChange: Decimal;
  readonly priceChangePercent: Decimal;
  readonly weightedAvgPrice: Decimal;
  readonly prevClosePrice: Decimal;
  readonly lastPrice: Decimal;
  readonly lastQty: Decimal;
  readonly bidPrice: Decimal;
  readonly bidQty: Decimal;
  readonly askPrice: Decimal;
  readonly askQty: Decimal;
  readonly openPrice: Decimal;
  readonly highPrice: Decimal;
  readonly lowPrice: Decimal;
  readonly volume: Decimal;
  readonly quoteVolume: Decimal;
  readonly openTime: number;
  readonly closeTime: number;
  /** -1 when no trade in the window. */
  readonly firstId: number;
  readonly lastId: number;
  readonly count: number;
}

export interface AveragePrice {
  readonly mins: number;
  readonly price: Decimal;
  /** Time of the last trade in the window. */
  readonly closeTime: number;
}

/** `[price, quantity]`. */
export type DepthLevel = readonly [price: Decimal, quantity: Decimal];

export interface DepthSnapshot {
  readonly symbol: string;
  readonly lastUpdateId: number;
  /** Best (highest) first. */
  readonly bids: readonly DepthLevel[];
  /** Best (lowest) first. */
  readonly asks: readonly DepthLevel[];
}

export interface BookTop {
  readonly symbol: string;
  /** The depth update id this top belongs to. */
  readonly updateId: number;
  /** 0 (and quantity 0) when the side is empty. */
  readonly bidPrice: Decimal;
  readonly bidQty: Decimal;
  readonly askPrice: Decimal;
  readonly askQty: Decimal;
}

// ---------------------------------------------------------------------------
// Events

/**
 * A change of the book's levels: every level that changed, with its new total
 * quantity (0 = removed). Ids are contiguous: the next event's
 * `firstUpdateId` is this one's `finalUpdateId + 1`, and `depth()`'s
 * `lastUpdateId` is the `finalUpdateId` of the last event emitted.
 */
export interface DepthDiffEvent {
  readonly symbol: string;
  readonly eventTime: number;
  readonly firstUpdateId: number;
  readonly finalUpdateId: number;
  readonly bids: readonly DepthLevel[];
  readonly asks: readonly DepthLevel[];
}

/** An `executionReport` for one account. */
export interface ExecutionReportEvent {
  readonly accountId: string;
  readonly eventTime: number;
  readonly transactTime: number;
  /** The order after this execution. */
  readonly order: OrderView;
  readonly executionType: EngineExecutionType;
  /** `NONE` unless rejected. */
  readonly rejectReason: string;
  /** The client id of the cancel request, for CANCELED; else the order's. Binance's `c`. */
  readonly clientOrderId: string;
  /** The canceled order's client id for CANCELED; else ''. Binance's `C`. */
  readonly origClientOrderId: string;
  readonly lastExecutedQty: Decimal;
  readonly lastExecutedPrice: Decimal;
  readonly lastQuoteQty: Decimal;
  readonly commission: Decimal;
  /** null when no commission. */
  readonly commissionAsset: string | null;
  /** -1 when not a trade. */
  readonly tradeId: number;
  readonly executionId: number;
  /** Whether the order rests on the book after this execution. */
  readonly isOnBook: boolean;
  readonly isMaker: boolean;
}

export interface AccountPositionEvent {
  readonly accountId: string;
  readonly eventTime: number;
  readonly lastUpdateTime: number;
  /** Only the assets that changed. */
  readonly balances: readonly BalanceView[];
}

export interface BalanceUpdateEvent {
  readonly accountId: string;
  readonly eventTime: number;
  readonly asset: string;
  /** Signed. */
  readonly delta: Decimal;
  readonly clearTime: number;
}

export interface ListStatusEvent {
  readonly accountId: string;
  readonly eventTime: number;
  readonly list: OrderListView;
  /** `NONE` unless rejected. */
  readonly listRejectReason: string;
}

export interface ApiKeyRevokedEvent {
  readonly accountId: string;
  readonly apiKey: string;
  readonly time: number;
}

export interface EngineEventMap {
  trade: TradeRecord;
  aggTrade: AggTradeRecord;
  depth: DepthDiffEvent;
  /** The best bid or ask (price or quantity) changed. */
  bookTicker: BookTop;
  execution: ExecutionReportEvent;
  accountPosition: AccountPositionEvent;
  balanceUpdate: BalanceUpdateEvent;
  listStatus: ListStatusEvent;
  apiKeyRevoked: ApiKeyRevokedEvent;
}
export type EngineEventName = keyof EngineEventMap;
/** Every event as one tagged union, for a single listener (`engine.subscribe`). */
export type EngineEvent = {
  [K in EngineEventName]: { readonly type: K; readonly data: EngineEventMap[K] };
}[EngineEventName];
export type EngineListener<K extends EngineEventName> = (event: EngineEventMap[K]) => void;
/** The events that belong to one account (each carries its `accountId`). */
export type AccountEventName =
  | 'execution'
  | 'accountPosition'
  | 'balanceUpdate'
  | 'listStatus'
  | 'apiKeyRevoked';
/** One account's events as a tagged union, for `engine.onAccount`. */
export type AccountEvent = Extract<EngineEvent, { readonly type: AccountEventName }>;
/** How many listeners an engine has: for every event, per event name, and per account. */
export interface EngineListenerCounts {
  readonly all: number;
  readonly byEvent: Readonly<Partial<Record<EngineEventName, number>>>;
  /** Accounts with at least one `onAccount` listener, and those listeners in total. */
  readonly accounts: number;
  readonly accountListeners: number;
}
