import { randomBytes } from 'node:crypto';
import { type Clock, Decimal, type Logger, Secret, systemClock } from '@venuekit/core';
import { BookSide, type LiveOrder, type PriceLevel, remaining, ZERO } from './book';
import { BinanceRejection, RejectMessage, reject } from './errors';
import {
  checkLotSize,
  checkNotional,
  checkPercentPrice,
  checkPrice,
  floorToStep,
  marketStep,
  PRICED_TYPES,
  parseRules,
  STOP_TYPES,
  type SymbolRules,
  stopTriggers,
} from './rules';
import { isKlineInterval, SymbolStats } from './stats';
import { DEFAULT_SYMBOLS, symbolInfo } from './symbols';
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
  CommissionRates,
  DepthLevel,
  DepthSnapshot,
  AccountEvent,
  AccountEventName,
  EngineEvent,
  EngineEventMap,
  EngineListenerCounts,
  EngineEventName,
  EngineExecutionType,
  EngineListener,
  EngineOrderType,
  EngineTimeInForce,
  ExpiryReason,
  KlineIntervalName,
  KlineQuery,
  KlineRecord,
  ListOrderStatus,
  ListStatusType,
  MyTradesQuery,
  NewOcoRequest,
  NewOrderRequest,
  OcoLegType,
  OrderFill,
  OrderListResult,
  OrderListView,
  OrderResponseType,
  OrderSide,
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
  /** Finished orders and trades kept per account (the oldest are forgotten). Default 10 000. */
  readonly accountHistory?: number;
}

const CLIENT_ORDER_ID = /^[.A-Za-z:/0-9_-]{1,36}$/;
const CLIENT_ORDER_ID_RULE = '^[\\.A-Z\\:/a-z0-9_-]{1,36}$';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const DEFAULT_COMMISSION = '0.001';
const MAX_TRIGGER_ROUNDS = 1000;

interface Balance {
  free: Decimal;
  locked: Decimal;
}

interface ListState {
  readonly accountId: string;
  readonly symbol: string;
  readonly orderListId: number;
  readonly listClientOrderId: string;
  /** Below leg first, then above. */
  readonly legs: LiveOrder[];
  listStatusType: ListStatusType;
  listOrderStatus: ListOrderStatus;
  transactionTime: number;
}

interface AccountState {
  readonly id: string;
  readonly uid: number;
  readonly apiKey: string;
  readonly secret: Secret | undefined;
  readonly ed25519PublicKey: string | undefined;
  readonly rsaPublicKey: string | undefined;
  revoked: boolean;
  canTrade: boolean;
  readonly commission: CommissionRates;
  readonly balances: Map<string, Balance>;
  updateTime: number;
  /** Every remembered order, oldest first. */
  readonly orders: Map<number, LiveOrder>;
  readonly open: Map<number, LiveOrder>;
  /** `symbol \n clientOrderId` → the latest order with it. */
  readonly clientIds: Map<string, number>;
  readonly trades: Map<string, AccountTrade[]>;
  readonly lists: Map<number, ListState>;
  readonly handle: AccountInfo;
}

interface SymbolState {
  readonly info: SymbolInfo;
  readonly rules: SymbolRules;
  readonly bids: BookSide;
  readonly asks: BookSide;
  /** Untriggered stop orders, in placement order. */
  readonly stops: LiveOrder[];
  readonly stats: SymbolStats;
  updateId: number;
  /** Levels changed since the last depth event: `b|a` + price key → level price. */
  readonly touched: Map<string, { readonly bid: boolean; readonly price: Decimal; readonly key: string }>;
  firstTouchedId: number;
  top: string;
  nextTradeId: number;
  nextAggTradeId: number;
}

/** The order a request describes once checked. */
interface OrderPlan {
  readonly side: OrderSide;
  readonly type: EngineOrderType;
  readonly timeInForce: EngineTimeInForce;
  readonly price: Decimal;
  readonly stopPrice: Decimal;
  readonly quantity: Decimal;
  readonly quoteOrderQty: Decimal;
  readonly clientOrderId: string | undefined;
  readonly responseType: OrderResponseType;
  /** What must be locked (or, for market orders, be free) to place it. */
  readonly lockAsset: string;
  readonly lockAmount: Decimal;
}

/** One fill group of a taker at one price: an aggregate trade. */
interface AggregateRun {
  price: Decimal;
  qty: Decimal;
  firstTradeId: number;
  lastTradeId: number;
  time: number;
  isBuyerMaker: boolean;
}

/**
 * The exchange: symbols with Binance's filters, accounts with balances, and a
 * price-time priority matching engine per symbol. Every method is synchronous;
 * every rejection is a BinanceRejection with Binance's code and message.
 * Events are delivered before the call returns, after its state change is
 * complete, in order (a listener that calls the engine queues its own events
 * behind them).
 */
export class ExchangeEngine {
  readonly clock: Clock;
  readonly #logger: Logger | undefined;
  readonly #tradeHistory: number;
  readonly #accountHistory: number;
  readonly #symbols = new Map<string, SymbolState>();
  readonly #accounts = new Map<string, AccountState>();
  readonly #byApiKey = new Map<string, AccountState>();
  readonly #listeners = new Map<EngineEventName, Set<(event: never) => void>>();
  readonly #allListeners = new Set<(event: EngineEvent) => void>();
  /** `onAccount` listeners by account id; an account without listeners has no entry. */
  readonly #accountListeners = new Map<string, Set<(event: AccountEvent) => void>>();
  readonly #queue: EngineEvent[] = [];
  readonly #dirtySymbols = new Set<SymbolState>();
  readonly #dirtyAccounts = new Map<AccountState, Set<string>>();
  /** Fees charged, per asset: what makes every account's balances add up. */
  readonly #fees = new Map<string, Decimal>();
  #depth = 0;
  #flushing = false;
  #triggering = false;
  #nextOrderId = 12_000_000_000;
  #nextListId = 10_000;
  #nextExecutionId = 1;
  #nextClientId = 1;
  #nextUid = 1_000_000;

  constructor(options: ExchangeEngineOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.#logger = options.logger;
    this.#tradeHistory = options.tradeHistory ?? 10_000;
    this.#accountHistory = options.accountHistory ?? 10_000;
    for (const definition of options.symbols ?? DEFAULT_SYMBOLS) this.addSymbol(definition);
    for (const definition of options.accounts ?? []) this.createAccount(definition);
  }

  // -- events ---------------------------------------------------------------

  /** Adds a listener; returns the function that removes it. */
  on<K extends EngineEventName>(event: K, listener: EngineListener<K>): () => void {
    let set = this.#listeners.get(event);
    if (!set) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    const stored = listener as (event: never) => void;
    set.add(stored);
    return () => {
      set.delete(stored);
    };
  }

  /** One listener for every event, as a tagged union; returns the function that removes it. */
  subscribe(listener: (event: EngineEvent) => void): () => void {
    this.#allListeners.add(listener);
    return () => {
      this.#allListeners.delete(listener);
    };
  }

  /**
   * Listens to one account's events only (`execution`, `accountPosition`, `balanceUpdate`,
   * `listStatus`, `apiKeyRevoked`): the engine routes them by account, so the cost of an event
   * does not grow with the number of accounts listened to, and the events of accounts nobody
   * listens to are not even built. Returns the function that removes the listener.
   */
  onAccount(accountId: string, listener: (event: AccountEvent) => void): () => void {
    let set = this.#accountListeners.get(accountId);
    if (!set) {
      set = new Set();
      this.#accountListeners.set(accountId, set);
    }
    set.add(listener);
    return () => {
      const current = this.#accountListeners.get(accountId);
      if (!current?.delete(listener)) return;
      if (current.size === 0) this.#accountListeners.delete(accountId);
    };
  }

  /** How many listeners are attached (for diagnostics, and tests of what a front end attaches). */
  listenerCounts(): EngineListenerCounts {
    const byEvent: Partial<Record<EngineEventName, number>> = {};
    for (const [name, set] of this.#listeners) if (set.size > 0) byEvent[name] = set.size;
    let accountListeners = 0;
    for (const set of this.#accountListeners.values()) accountListeners += set.size;
    return {
      all: this.#allListeners.size,
      byEvent,
      accounts: this.#accountListeners.size,
      accountListeners,
    };
  }

  // -- symbols --------------------------------------------------------------

  /** Lists a new market (or replaces nothing: a listed symbol is a TypeError). */
  addSymbol(definition: SymbolDefinition): SymbolInfo {
    const info = symbolInfo(definition);
    if (this.#symbols.has(info.symbol)) throw new TypeError(`symbol ${info.symbol} is already listed`);
    this.#symbols.set(info.symbol, {
      info,
      rules: parseRules(info.filters),
      bids: new BookSide(true),
      asks: new BookSide(false),
      stops: [],
      stats: new SymbolStats(info.symbol, this.#tradeHistory),
      updateId: 1_000_000_000 + this.#symbols.size * 100_000_000,
      touched: new Map(),
      firstTouchedId: 0,
      top: '',
      nextTradeId: 100_000 + this.#symbols.size * 10_000_000,
      nextAggTradeId: 50_000 + this.#symbols.size * 10_000_000,
    });
    return info;
  }

  symbols(): SymbolInfo[] {
    return [...this.#symbols.values()].map((state) => state.info);
  }

  /** Throws -1121 "Invalid symbol." for an unknown symbol. */
  symbol(symbol: string): SymbolInfo {
    return this.#symbol(symbol).info;
  }

  hasSymbol(symbol: string): boolean {
    return this.#symbols.has(symbol);
  }

  /** Changes a symbol's trading status (e.g. HALT: new orders get -2010 "Market is closed."). */
  setSymbolStatus(symbol: string, status: SymbolInfo['status']): void {
    const state = this.#symbol(symbol);
    (state as { info: SymbolInfo }).info = { ...state.info, status };
  }

  // -- accounts -------------------------------------------------------------

  createAccount(definition: AccountDefinition = {}): AccountInfo {
    const id = definition.id ?? `acct-${this.#accounts.size + 1}`;
    if (this.#accounts.has(id)) throw new TypeError(`account ${id} already exists`);
    const apiKey = definition.apiKey ?? testKey();
    if (this.#byApiKey.has(apiKey)) throw new TypeError('that api key belongs to another account');
    const hasKey = definition.ed25519PublicKey !== undefined || definition.rsaPublicKey !== undefined;
    const secretText = definition.secretKey ?? (hasKey ? undefined : testKey());
    const maker = new Decimal(definition.makerCommission ?? DEFAULT_COMMISSION);
    const taker = new Decimal(definition.takerCommission ?? DEFAULT_COMMISSION);
    const now = this.clock.now();
    const state: AccountState = {
      id,
      uid: this.#nextUid++,
      apiKey,
      secret: secretText === undefined ? undefined : new Secret(secretText),
      ed25519PublicKey: definition.ed25519PublicKey,
      rsaPublicKey: definition.rsaPublicKey,
      revoked: false,
      canTrade: definition.canTrade ?? true,
      commission: { maker, taker, buyer: ZERO, seller: ZERO },
      balances: new Map(),
      updateTime: now,
      orders: new Map(),
      open: new Map(),
      clientIds: new Map(),
      trades: new Map(),
      lists: new Map(),
      handle: undefined as unknown as AccountInfo,
    };
    (state as { handle: AccountInfo }).handle = accountHandle(state);
    for (const [asset, amount] of Object.entries(definition.balances ?? {})) {
      const value = new Decimal(amount);
      if (value.isNeg()) throw new TypeError(`balance of ${asset} must not be negative`);
      state.balances.set(asset, { free: value, locked: ZERO });
    }
    this.#accounts.set(id, state);
    this.#byApiKey.set(apiKey, state);
    return state.handle;
  }

  /** Throws -2015 for an unknown account id. */
  account(accountId: string): AccountInfo {
    return this.#account(accountId, false).handle;
  }

  /** The account behind an api key (also when revoked: check `revoked`), or undefined. */
  accountByApiKey(apiKey: string): AccountInfo | undefined {
    return this.#byApiKey.get(apiKey)?.handle;
  }

  accounts(): AccountInfo[] {
    return [...this.#accounts.values()].map((state) => state.handle);
  }

  /** Every later request with this key is refused (-2015); emits `apiKeyRevoked`. */
  revokeApiKey(apiKey: string): void {
    const state = this.#byApiKey.get(apiKey);
    if (!state || state.revoked) return;
    this.#run(() => {
      state.revoked = true;
      this.#emit('apiKeyRevoked', { accountId: state.id, apiKey, time: this.clock.now() });
    });
  }

  /** Enables or disables trading for an account (disabled: -2010 "This account may not place or cancel orders."). */
  setCanTrade(accountId: string, canTrade: boolean): void {
    this.#account(accountId, false).canTrade = canTrade;
  }

  /** Non-zero balances, or every asset the account has held when `includeZero`. */
  balances(accountId: string, includeZero = false): BalanceView[] {
    const state = this.#account(accountId, false);
    const out: BalanceView[] = [];
    for (const [asset, balance] of state.balances) {
      if (includeZero || !balance.free.isZero() || !balance.locked.isZero()) {
        out.push({ asset, free: balance.free, locked: balance.locked });
      }
    }
    return out;
  }

  /** Credits (positive) or debits (negative) free balance; emits `balanceUpdate` and `accountPosition`. */
  adjustBalance(accountId: string, asset: string, delta: string | Decimal): void {
    const state = this.#account(accountId, false);
    const amount = new Decimal(delta);
    this.#run(() => {
      const balance = this.#balance(state, asset);
      if (balance.free.plus(amount).isNeg()) throw reject.newOrder(RejectMessage.INSUFFICIENT_BALANCE);
      const now = this.clock.now();
      this.#credit(state, asset, amount);
      this.#emit('balanceUpdate', {
        accountId: state.id,
        eventTime: now,
        asset,
        delta: amount,
        clearTime: now,
      });
    });
  }

  /** Fees charged so far, per asset (the exchange's own account). */
  feesCollected(): BalanceView[] {
    return [...this.#fees].map(([asset, free]) => ({ asset, free, locked: ZERO }));
  }

  // -- trading --------------------------------------------------------------

  placeOrder(accountId: string, request: NewOrderRequest): PlaceOrderResult {
    return this.#run(() => {
      const account = this.#account(accountId);
      const state = this.#symbol(request.symbol);
      const now = this.clock.now();
      const plan = this.#plan(account, state, request, now, {});
      this.#checkCounts(account, state, stopCount(plan.type), 0);
      const order = this.#open(account, state, plan, now, -1);
      const fills = this.#start(account, state, order, now);
      return { order: view(order), fills, transactTime: now, responseType: plan.responseType };
    });
  }

  /** Validates like placeOrder (filters, counts, balance) without placing anything. */
  testOrder(accountId: string, request: NewOrderRequest): void {
    const account = this.#account(accountId);
    const state = this.#symbol(request.symbol);
    const plan = this.#plan(account, state, request, this.clock.now(), {});
    this.#checkCounts(account, state, stopCount(plan.type), 0);
  }

  cancelOrder(accountId: string, request: CancelOrderRequest): CancelOrderResult {
    return this.#run(() => {
      const account = this.#account(accountId);
      const state = this.#symbol(request.symbol);
      if (!account.canTrade) throw reject.cancel(RejectMessage.ACCOUNT_CANNOT_TRADE);
      if (request.orderId === undefined && request.origClientOrderId === undefined) {
        throw reject.eitherParam('orderId', 'origClientOrderId');
      }
      const cancelId = this.#cancelId(request.newClientOrderId);
      const order = this.#find(account, state.info.symbol, request.orderId, request.origClientOrderId);
      if (!order || !account.open.has(order.orderId)) throw reject.cancel(RejectMessage.UNKNOWN_ORDER);
      if (request.cancelRestrictions === 'ONLY_NEW' && order.status !== 'NEW') {
        throw reject.cancel(RejectMessage.CANCEL_RESTRICTED);
      }
      if (request.cancelRestrictions === 'ONLY_PARTIALLY_FILLED' && order.status !== 'PARTIALLY_FILLED') {
        throw reject.cancel(RejectMessage.CANCEL_RESTRICTED);
      }
      const now = this.clock.now();
      const list = order.orderListId >= 0 ? account.lists.get(order.orderListId) : undefined;
      if (list) {
        const cancels = this.#cancelList(account, state, list, cancelId, now);
        const own = cancels.find((cancel) => cancel.order.orderId === order.orderId);
        if (own) return own;
      }
      return this.#cancel(account, state, order, cancelId, now);
    });
  }

  /** Cancels every open order of the symbol (of every symbol when undefined); an order list appears once. */
  cancelOpenOrders(accountId: string, symbol: string | undefined): CanceledItem[] {
    return this.#run(() => {
      const account = this.#account(accountId);
      if (symbol !== undefined) this.#symbol(symbol);
      if (!account.canTrade) throw reject.cancel(RejectMessage.ACCOUNT_CANNOT_TRADE);
      const targets = [...account.open.values()].filter(
        (order) => symbol === undefined || order.symbol === symbol,
      );
      if (targets.length === 0) throw reject.cancel(RejectMessage.UNKNOWN_ORDER);
      const now = this.clock.now();
      const items: CanceledItem[] = [];
      const listsDone = new Set<number>();
      for (const order of targets) {
        if (!account.open.has(order.orderId)) continue;
        const state = this.#symbol(order.symbol);
        const list = order.orderListId >= 0 ? account.lists.get(order.orderListId) : undefined;
        if (list) {
          if (listsDone.has(list.orderListId)) continue;
          listsDone.add(list.orderListId);
          const cancels = this.#cancelList(account, state, list, this.#cancelId(undefined), now);
          items.push({ kind: 'list', cancel: { list: listView(list), cancels } });
        } else {
          items.push({
            kind: 'order',
            cancel: this.#cancel(account, state, order, this.#cancelId(undefined), now),
          });
        }
      }
      return items;
    });
  }

  placeOcoOrderList(accountId: string, request: NewOcoRequest): OrderListResult {
    return this.#run(() => {
      const account = this.#account(accountId);
      const state = this.#symbol(request.symbol);
      const now = this.clock.now();
      if (!state.info.ocoAllowed) throw reject.newOrder(RejectMessage.OCO_NOT_SUPPORTED);
      checkOcoLegs(request);
      const listClientOrderId = request.listClientOrderId ?? this.#generateClientId();
      checkClientId(listClientOrderId, 'listClientOrderId');
      for (const list of account.lists.values()) {
        if (list.listOrderStatus === 'EXECUTING' && list.listClientOrderId === listClientOrderId) {
          throw reject.newOrder(RejectMessage.DUPLICATE_ORDER);
        }
      }
      const legRequest = (leg: 'above' | 'below'): NewOrderRequest => {
        const type = leg === 'above' ? request.aboveType : request.belowType;
        const price = leg === 'above' ? request.abovePrice : request.belowPrice;
        const stopPrice = leg === 'above' ? request.aboveStopPrice : request.belowStopPrice;
        const timeInForce = leg === 'above' ? request.aboveTimeInForce : request.belowTimeInForce;
        const clientOrderId = leg === 'above' ? request.aboveClientOrderId : request.belowClientOrderId;
        return {
          symbol: request.symbol,
          side: request.side,
          type,
          quantity: request.quantity,
          ...(price === undefined ? {} : { price }),
          ...(stopPrice === undefined ? {} : { stopPrice }),
          ...(timeInForce === undefined ? {} : { timeInForce }),
          ...(clientOrderId === undefined ? {} : { newClientOrderId: clientOrderId }),
        };
      };
      const below = this.#plan(account, state, legRequest('below'), now, { prefix: 'below', inList: true });
      const above = this.#plan(account, state, legRequest('above'), now, { prefix: 'above', inList: true });
      if (below.clientOrderId !== undefined && below.clientOrderId === above.clientOrderId) {
        throw reject.newOrder(RejectMessage.DUPLICATE_ORDER);
      }
      // The limit-like leg is on the profit side, the stop loss on the other (errors.md, OCO price rules).
      const limitLeg = isStopLoss(below.type) ? above : below;
      const stopLeg = isStopLoss(below.type) ? below : above;
      const limitPrice = limitLeg.type === 'LIMIT_MAKER' ? limitLeg.price : limitLeg.stopPrice;
      const last = state.stats.lastTrade?.price;
      const sell = request.side === 'SELL';
      const ordered = sell ? limitPrice.gt(stopLeg.stopPrice) : limitPrice.lt(stopLeg.stopPrice);
      const aroundLast =
        last === undefined ||
        (sell
          ? limitPrice.gt(last) && last.gt(stopLeg.stopPrice)
          : limitPrice.lt(last) && last.lt(stopLeg.stopPrice));
      if (!ordered || !aroundLast) throw reject.newOrder(RejectMessage.OCO_BAD_PRICES);
      this.#checkCounts(account, state, stopCount(below.type) + stopCount(above.type), 1, 2);
      // Both legs share one reservation: the larger of the two.
      const lockAmount = below.lockAmount.gt(above.lockAmount) ? below.lockAmount : above.lockAmount;
      if (this.#balance(account, below.lockAsset).free.lt(lockAmount)) {
        throw reject.newOrder(RejectMessage.INSUFFICIENT_BALANCE);
      }
      const orderListId = this.#nextListId++;
      const list: ListState = {
        accountId: account.id,
        symbol: state.info.symbol,
        orderListId,
        listClientOrderId,
        legs: [],
        listStatusType: 'EXEC_STARTED',
        listOrderStatus: 'EXECUTING',
        transactionTime: now,
      };
      account.lists.set(orderListId, list);
      const belowOrder = this.#open(account, state, { ...below, lockAmount: ZERO }, now, orderListId);
      const aboveOrder = this.#open(account, state, { ...above, lockAmount: ZERO }, now, orderListId);
      list.legs.push(belowOrder, aboveOrder);
      // The reservation sits on the leg that works first (the limit maker, or the stop when both are stops).
      const holder =
        belowOrder.type === 'LIMIT_MAKER'
          ? belowOrder
          : aboveOrder.type === 'LIMIT_MAKER'
            ? aboveOrder
            : belowOrder;
      this.#lock(account, holder, lockAmount);
      const fills = new Map<number, readonly OrderFill[]>();
      for (const leg of list.legs) fills.set(leg.orderId, this.#start(account, state, leg, now));
      this.#emit('listStatus', {
        accountId: account.id,
        eventTime: now,
        list: listView(list),
        listRejectReason: 'NONE',
      });
      return { list: listView(list), fills, responseType: request.newOrderRespType ?? 'FULL' };
    });
  }

  cancelOrderList(accountId: string, request: CancelOrderListRequest): CancelOrderListResult {
    return this.#run(() => {
      const account = this.#account(accountId);
      const state = this.#symbol(request.symbol);
      if (!account.canTrade) throw reject.cancel(RejectMessage.ACCOUNT_CANNOT_TRADE);
      if (request.orderListId === undefined && request.listClientOrderId === undefined) {
        throw reject.eitherParam('orderListId', 'listClientOrderId');
      }
      const list = this.#findList(account, state.info.symbol, request.orderListId, request.listClientOrderId);
      if (list?.listOrderStatus !== 'EXECUTING') throw reject.cancel(RejectMessage.UNKNOWN_ORDER);
      const cancels = this.#cancelList(
        account,
        state,
        list,
        this.#cancelId(request.newClientOrderId),
        this.clock.now(),
      );
      return { list: listView(list), cancels };
    });
  }

  /** Throws -2013 "Order does not exist." */
  getOrder(accountId: string, request: QueryOrderRequest): OrderView {
    const account = this.#account(accountId);
    const state = this.#symbol(request.symbol);
    if (request.orderId === undefined && request.origClientOrderId === undefined) {
      throw reject.eitherParam('orderId', 'origClientOrderId');
    }
    const order = this.#find(account, state.info.symbol, request.orderId, request.origClientOrderId);
    if (!order) throw reject.noSuchOrder();
    return view(order);
  }

  /** Open orders, oldest first. */
  openOrders(accountId: string, symbol?: string): OrderView[] {
    const account = this.#account(accountId);
    if (symbol !== undefined) this.#symbol(symbol);
    const out: OrderView[] = [];
    for (const order of account.open.values()) {
      if (symbol === undefined || order.symbol === symbol) out.push(view(order));
    }
    return out;
  }

  /** Orders of a symbol, oldest first: from `orderId` on, or the most recent `limit`. */
  allOrders(accountId: string, query: AllOrdersQuery): OrderView[] {
    const account = this.#account(accountId);
    this.#symbol(query.symbol);
    const limit = clampLimit(query.limit);
    const matches: LiveOrder[] = [];
    for (const order of account.orders.values()) {
      if (order.symbol !== query.symbol) continue;
      if (query.orderId !== undefined && order.orderId < query.orderId) continue;
      if (query.startTime !== undefined && order.time < query.startTime) continue;
      if (query.endTime !== undefined && order.time > query.endTime) continue;
      matches.push(order);
    }
    const picked = query.orderId !== undefined ? matches.slice(0, limit) : matches.slice(-limit);
    return picked.map(view);
  }

  /** The account's trades of a symbol, oldest first. */
  myTrades(accountId: string, query: MyTradesQuery): AccountTrade[] {
    const account = this.#account(accountId);
    this.#symbol(query.symbol);
    const limit = clampLimit(query.limit);
    const trades = account.trades.get(query.symbol) ?? [];
    const matches = trades.filter(
      (trade) =>
        (query.orderId === undefined || trade.orderId === query.orderId) &&
        (query.fromId === undefined || trade.id >= query.fromId) &&
        (query.startTime === undefined || trade.time >= query.startTime) &&
        (query.endTime === undefined || trade.time <= query.endTime),
    );
    return query.fromId !== undefined ? matches.slice(0, limit) : matches.slice(-limit);
  }

  orderList(accountId: string, request: { orderListId?: number; origClientOrderId?: string }): OrderListView {
    const account = this.#account(accountId);
    if (request.orderListId === undefined && request.origClientOrderId === undefined) {
      throw reject.eitherParam('orderListId', 'origClientOrderId');
    }
    const list = this.#findList(account, undefined, request.orderListId, request.origClientOrderId);
    if (!list) throw reject.noSuchOrder();
    return listView(list);
  }

  openOrderLists(accountId: string): OrderListView[] {
    const account = this.#account(accountId);
    return [...account.lists.values()].filter((list) => list.listOrderStatus === 'EXECUTING').map(listView);
  }

  // -- market data ------------------------------------------------------------

  /** Top `limit` levels per side (all when omitted) with the current update id. */
  depth(symbol: string, limit?: number): DepthSnapshot {
    const state = this.#symbol(symbol);
    return {
      symbol: state.info.symbol,
      lastUpdateId: state.updateId,
      bids: state.bids.snapshot(limit),
      asks: state.asks.snapshot(limit),
    };
  }

  bookTicker(symbol: string): BookTop {
    return top(this.#symbol(symbol));
  }

  /** The most recent trades, oldest first. Default 500, at most 1000. */
  recentTrades(symbol: string, limit?: number): TradeRecord[] {
    return this.#symbol(symbol).stats.recentTrades(clampLimit(limit));
  }

  /**
   * `historicalTrades`: up to `limit` trades from the one with id `fromId` on, oldest first; the
   * most recent ones without `fromId`. Only the kept trades (`tradeHistory`) can be looked up.
   */
  historicalTrades(
    symbol: string,
    query: { readonly fromId?: number; readonly limit?: number } = {},
  ): TradeRecord[] {
    const stats = this.#symbol(symbol).stats;
    const limit = clampLimit(query.limit);
    return query.fromId === undefined ? stats.recentTrades(limit) : stats.tradesFrom(query.fromId, limit);
  }

  aggTrades(symbol: string, query: AggTradeQuery = {}): AggTradeRecord[] {
    return this.#symbol(symbol).stats.aggTrades(query, clampLimit(query.limit));
  }

  /** Throws -1120 for an unknown interval. */
  klines(symbol: string, interval: string, query: KlineQuery = {}): KlineRecord[] {
    const state = this.#symbol(symbol);
    if (!isKlineInterval(interval)) throw reject.badInterval();
    return state.stats.klines(interval, query, clampLimit(query.limit), this.clock.now());
  }

  /** The candle open now (flat at the last price when nothing traded in it); undefined before the first trade. */
  currentKline(symbol: string, interval: KlineIntervalName): KlineRecord | undefined {
    return this.#symbol(symbol).stats.currentKline(interval, this.clock.now());
  }

  ticker24h(symbol: string): TickerStats {
    const state = this.#symbol(symbol);
    const now = this.clock.now();
    const window = state.stats.rolling24h(now);
    const last = state.stats.lastTrade;
    const change = window.close.minus(window.open);
    const book = top(state);
    return {
      symbol: state.info.symbol,
      priceChange: change,
      priceChangePercent: window.open.isZero() ? ZERO : change.div(window.open).times(100).toDecimalPlaces(3),
      weightedAvgPrice: window.volume.isZero() ? ZERO : window.quoteVolume.div(window.volume),
      prevClosePrice: window.prevClose,
      lastPrice: window.close,
      lastQty: last?.qty ?? ZERO,
      bidPrice: book.bidPrice,
      bidQty: book.bidQty,
      askPrice: book.askPrice,
      askQty: book.askQty,
      openPrice: window.open,
      highPrice: window.high,
      lowPrice: window.low,
      volume: window.volume,
      quoteVolume: window.quoteVolume,
      openTime: window.openTime,
      closeTime: now,
      firstId: window.firstId,
      lastId: window.lastId,
      count: window.count,
    };
  }

  /** The volume-weighted price over the symbol's avgPriceMins (5 by default); 0 before the first trade. */
  avgPrice(symbol: string): AveragePrice {
    const state = this.#symbol(symbol);
    const mins = averagePriceMins(state.rules);
    return state.stats.averagePrice(mins, this.clock.now()) ?? { mins, price: ZERO, closeTime: 0 };
  }

  /** undefined before the first trade. */
  lastPrice(symbol: string): TradeRecord | undefined {
    return this.#symbol(symbol).stats.lastTrade;
  }

  // -- internals: lookups ----------------------------------------------------

  #symbol(symbol: string): SymbolState {
    const state = this.#symbols.get(symbol);
    if (!state) throw reject.badSymbol();
    return state;
  }

  #account(accountId: string, live = true): AccountState {
    const state = this.#accounts.get(accountId);
    if (!state || (live && state.revoked)) throw reject.unauthorizedKey();
    return state;
  }

  #find(
    account: AccountState,
    symbol: string,
    orderId: number | undefined,
    clientOrderId: string | undefined,
  ): LiveOrder | undefined {
    if (orderId !== undefined) {
      const order = account.orders.get(orderId);
      if (!order || order.symbol !== symbol) return undefined;
      if (clientOrderId !== undefined && order.clientOrderId !== clientOrderId) return undefined;
      return order;
    }
    if (clientOrderId === undefined) return undefined;
    const id = account.clientIds.get(`${symbol}\n${clientOrderId}`);
    return id === undefined ? undefined : account.orders.get(id);
  }

  #findList(
    account: AccountState,
    symbol: string | undefined,
    orderListId: number | undefined,
    listClientOrderId: string | undefined,
  ): ListState | undefined {
    let found: ListState | undefined;
    if (orderListId !== undefined) found = account.lists.get(orderListId);
    else {
      for (const list of account.lists.values()) {
        if (list.listClientOrderId === listClientOrderId) found = list;
      }
    }
    if (!found || (symbol !== undefined && found.symbol !== symbol)) return undefined;
    if (listClientOrderId !== undefined && found.listClientOrderId !== listClientOrderId) return undefined;
    return found;
  }

  #balance(account: AccountState, asset: string): Balance {
    let balance = account.balances.get(asset);
    if (!balance) {
      balance = { free: ZERO, locked: ZERO };
      account.balances.set(asset, balance);
    }
    return balance;
  }

  // -- internals: validation -------------------------------------------------

  #plan(
    account: AccountState,
    state: SymbolState,
    request: NewOrderRequest,
    now: number,
    leg: { prefix?: 'above' | 'below'; inList?: boolean },
  ): OrderPlan {
    const { info, rules } = state;
    const param = (name: string) =>
      leg.prefix ? `${leg.prefix}${name.charAt(0).toUpperCase()}${name.slice(1)}` : name;
    if (info.status !== 'TRADING') throw reject.newOrder(RejectMessage.MARKET_CLOSED);
    if (!account.canTrade) throw reject.newOrder(RejectMessage.ACCOUNT_CANNOT_TRADE);
    const { side, type } = request;
    if (side !== 'BUY' && side !== 'SELL') throw reject.invalidSide();
    if (!TYPE_MESSAGES.has(type)) throw reject.invalidType();
    if (!info.orderTypes.includes(type)) {
      throw reject.newOrder(TYPE_MESSAGES.get(type) ?? RejectMessage.UNSUPPORTED_COMBINATION);
    }
    const priced = PRICED_TYPES.has(type);
    const stop = STOP_TYPES.has(type);
    const needsTif = type === 'LIMIT' || type === 'STOP_LOSS_LIMIT' || type === 'TAKE_PROFIT_LIMIT';
    const market = type === 'MARKET';

    if (request.icebergQty !== undefined) throw reject.newOrder(RejectMessage.ICEBERG_NOT_SUPPORTED);
    if (request.trailingDelta !== undefined) throw reject.newOrder(RejectMessage.TRAILING_NOT_SUPPORTED);
    if (needsTif && request.timeInForce === undefined) throw reject.mandatory(param('timeInForce'));
    if (!needsTif && request.timeInForce !== undefined) {
      // LIMIT_MAKER legs of a list ignore a GTC time in force (the docs' OCO examples send none).
      if (!(leg.inList && type === 'LIMIT_MAKER')) throw reject.tifNotRequired();
    }
    if (request.timeInForce !== undefined && !['GTC', 'IOC', 'FOK'].includes(request.timeInForce)) {
      throw reject.invalidTif();
    }
    if (priced && request.price === undefined) throw reject.mandatory(param('price'));
    if (!priced && request.price !== undefined) throw reject.notRequired(param('price'));
    if (stop && request.stopPrice === undefined) throw reject.mandatory(param('stopPrice'));
    if (!stop && request.stopPrice !== undefined) throw reject.notRequired(param('stopPrice'));
    if (!market && request.quoteOrderQty !== undefined) throw reject.notRequired('quoteOrderQty');
    if (market) {
      if (request.quantity === undefined && request.quoteOrderQty === undefined) {
        throw reject.eitherParam('quantity', 'quoteOrderQty');
      }
      if (request.quantity !== undefined && request.quoteOrderQty !== undefined) {
        throw reject.notRequired('quoteOrderQty');
      }
      if (request.quoteOrderQty !== undefined && !info.quoteOrderQtyMarketAllowed) {
        throw reject.newOrder(RejectMessage.QUOTE_QTY_NOT_SUPPORTED);
      }
    } else if (request.quantity === undefined) {
      throw reject.mandatory('quantity');
    }
    for (const [name, value] of [
      ['price', request.price],
      ['stopPrice', request.stopPrice],
      ['quantity', request.quantity],
      ['quoteOrderQty', request.quoteOrderQty],
    ] as const) {
      if (value !== undefined && (!value.isFinite() || value.isNeg())) throw reject.mandatory(param(name));
    }
    const clientOrderId = request.newClientOrderId;
    if (clientOrderId !== undefined) {
      checkClientId(clientOrderId, param(leg.prefix ? 'clientOrderId' : 'newClientOrderId'));
      const existing = account.clientIds.get(`${info.symbol}\n${clientOrderId}`);
      if (existing !== undefined && account.open.has(existing))
        throw reject.newOrder(RejectMessage.DUPLICATE_ORDER);
    }

    const price = request.price ?? ZERO;
    const stopPrice = request.stopPrice ?? ZERO;
    const quantity = request.quantity ?? ZERO;
    const quoteOrderQty = request.quoteOrderQty ?? ZERO;
    const average = (mins: number) => state.stats.averagePrice(mins, now)?.price;

    // Filters, in the order Binance reports them: price, percent price, lot size, notional.
    if (priced) checkPrice(rules, price);
    if (stop) checkPrice(rules, stopPrice);
    if (priced) checkPercentPrice(rules, side, price, average);
    const marketLike = market || type === 'STOP_LOSS' || type === 'TAKE_PROFIT';
    if (request.quantity !== undefined) checkLotSize(rules, quantity, marketLike);
    if (priced) {
      if (price.times(quantity).lte(0)) throw reject.newOrder(RejectMessage.PRICE_QTY_ZERO);
      checkNotional(rules, price.times(quantity), false);
    } else if (market && request.quoteOrderQty !== undefined) {
      checkNotional(rules, quoteOrderQty, true);
    } else if (market) {
      const avg = average(averagePriceMins(rules));
      checkNotional(rules, avg?.times(quantity), true);
    } else {
      checkNotional(rules, stopPrice.times(quantity), true);
    }

    const last = state.stats.lastTrade?.price;
    if (stop && last !== undefined && stopTriggers(type, side, stopPrice, last)) {
      throw reject.newOrder(RejectMessage.WOULD_TRIGGER_IMMEDIATELY);
    }
    if (type === 'LIMIT_MAKER') {
      const best = side === 'BUY' ? state.asks.best() : state.bids.best();
      if (best && (side === 'BUY' ? price.gte(best.price) : price.lte(best.price))) {
        throw reject.newOrder(RejectMessage.WOULD_MATCH);
      }
    }
    if (market && request.quoteOrderQty !== undefined) {
      const book = side === 'BUY' ? state.asks : state.bids;
      if (!book.best()) throw reject.newOrder(RejectMessage.NO_LIQUIDITY);
    }

    // What the order needs: SELLs lock base; priced BUYs lock quote; market BUYs need the quote they will spend.
    const base = info.baseAsset;
    const quoteAsset = info.quoteAsset;
    let lockAsset = side === 'SELL' ? base : quoteAsset;
    let lockAmount = ZERO;
    let needed = ZERO;
    if (side === 'SELL') {
      needed =
        market && request.quoteOrderQty !== undefined ? this.#baseForQuote(state, quoteOrderQty) : quantity;
      lockAmount = market ? ZERO : quantity;
    } else if (priced) {
      needed = lockAmount = price.times(quantity);
    } else if (stop) {
      needed = lockAmount = stopPrice.times(quantity);
    } else {
      needed = request.quoteOrderQty !== undefined ? quoteOrderQty : this.#costOf(state, quantity);
      lockAsset = quoteAsset;
    }
    if (this.#balance(account, lockAsset).free.lt(needed))
      throw reject.newOrder(RejectMessage.INSUFFICIENT_BALANCE);

    return {
      side,
      type,
      timeInForce: request.timeInForce ?? 'GTC',
      price,
      stopPrice,
      quantity,
      quoteOrderQty,
      clientOrderId,
      responseType: request.newOrderRespType ?? (type === 'LIMIT' || type === 'MARKET' ? 'FULL' : 'ACK'),
      lockAsset,
      lockAmount,
    };
  }

  /** MAX_NUM_ORDERS, MAX_NUM_ALGO_ORDERS, MAX_NUM_ORDER_LISTS for `orders` (of which `algo` are stops) more. */
  #checkCounts(account: AccountState, state: SymbolState, algo: number, lists: number, orders = 1): void {
    const { rules } = state;
    let open = 0;
    let openAlgo = 0;
    for (const order of account.open.values()) {
      if (order.symbol !== state.info.symbol) continue;
      open++;
      if (STOP_TYPES.has(order.type)) openAlgo++;
    }
    if (rules.maxNumOrders !== undefined && open + orders > rules.maxNumOrders)
      throw reject.filter('MAX_NUM_ORDERS');
    if (rules.maxNumAlgoOrders !== undefined && algo > 0 && openAlgo + algo > rules.maxNumAlgoOrders) {
      throw reject.filter('MAX_NUM_ALGO_ORDERS');
    }
    if (rules.maxNumOrderLists !== undefined && lists > 0) {
      let openLists = 0;
      for (const list of account.lists.values()) {
        if (list.symbol === state.info.symbol && list.listOrderStatus === 'EXECUTING') openLists++;
      }
      if (openLists + lists > rules.maxNumOrderLists) throw reject.filter('MAX_NUM_ORDER_LISTS');
    }
  }

  /** Quote a market BUY of `quantity` would spend on the current book (what is fillable of it). */
  #costOf(state: SymbolState, quantity: Decimal): Decimal {
    let left = quantity;
    let cost = ZERO;
    for (const level of state.asks.levels) {
      if (left.lte(0)) break;
      const take = Decimal.min(left, level.total);
      cost = cost.plus(take.times(level.price));
      left = left.minus(take);
    }
    return cost;
  }

  /** Base a market SELL of `quote` quote would need on the current book. */
  #baseForQuote(state: SymbolState, quote: Decimal): Decimal {
    const step = marketStep(state.rules);
    let left = quote;
    let base = ZERO;
    for (const level of state.bids.levels) {
      if (left.lte(0)) break;
      const take = Decimal.min(level.total, floorToStep(left.div(level.price), step));
      if (take.lte(0)) break;
      base = base.plus(take);
      left = left.minus(take.times(level.price));
    }
    return base;
  }

  // -- internals: order lifecycle --------------------------------------------

  #open(
    account: AccountState,
    state: SymbolState,
    plan: OrderPlan,
    now: number,
    orderListId: number,
  ): LiveOrder {
    const order: LiveOrder = {
      accountId: account.id,
      symbol: state.info.symbol,
      orderId: this.#nextOrderId++,
      orderListId,
      clientOrderId: plan.clientOrderId ?? this.#generateClientId(),
      side: plan.side,
      type: plan.type,
      timeInForce: plan.timeInForce,
      price: plan.price,
      stopPrice: plan.stopPrice,
      origQty: plan.quantity,
      origQuoteOrderQty: plan.quoteOrderQty,
      executedQty: ZERO,
      cummulativeQuoteQty: ZERO,
      status: 'NEW',
      time: now,
      updateTime: now,
      isWorking: false,
      workingTime: -1,
      expiryReason: undefined,
      locked: ZERO,
      lockAsset: plan.lockAsset,
      lastExecution: undefined,
      onBook: false,
    };
    account.orders.set(order.orderId, order);
    account.open.set(order.orderId, order);
    account.clientIds.set(`${order.symbol}\n${order.clientOrderId}`, order.orderId);
    this.#lock(account, order, plan.lockAmount);
    this.#prune(account);
    return order;
  }

  /** Works a new order: stops wait for their trigger, the rest match and then rest or expire. */
  #start(account: AccountState, state: SymbolState, order: LiveOrder, now: number): OrderFill[] {
    if (STOP_TYPES.has(order.type)) {
      this.#report(account, order, 'NEW', now);
      state.stops.push(order);
      return [];
    }
    order.isWorking = true;
    order.workingTime = now;
    const limitLike = PRICED_TYPES.has(order.type);
    // Binance's NEW report says whether the order will rest on the book (`w`).
    const rests = limitLike && order.timeInForce === 'GTC' && this.#fillable(state, order).lt(order.origQty);
    this.#report(account, order, 'NEW', now, { isOnBook: rests });
    const fills = this.#work(account, state, order, now);
    this.#runTriggers(state, now);
    return fills;
  }

  /** Matches a working order, then rests (GTC limit) or expires the remainder. */
  #work(account: AccountState, state: SymbolState, order: LiveOrder, now: number): OrderFill[] {
    order.isWorking = true;
    order.workingTime = now;
    const limitLike = PRICED_TYPES.has(order.type);
    const byQuote = order.type === 'MARKET' && order.origQuoteOrderQty.gt(0);
    if (limitLike && order.timeInForce === 'FOK' && this.#fillable(state, order).lt(order.origQty)) {
      this.#expire(account, state, order, 'UNFILLED_FOK_ORDER_EXPIRED', now);
      return [];
    }
    const { fills, exhausted } = this.#match(account, state, order, now);
    if (byQuote) {
      // A quote-quantity order's quantity is what it bought or sold.
      (order as { origQty: Decimal }).origQty = order.executedQty;
      if (exhausted || order.executedQty.isZero())
        this.#expire(account, state, order, 'INSUFFICIENT_LIQUIDITY', now);
      else this.#finishFilled(account, order);
      return fills;
    }
    if (remaining(order).isZero()) {
      this.#finishFilled(account, order);
      return fills;
    }
    if (limitLike && order.timeInForce === 'GTC') {
      const book = order.side === 'BUY' ? state.bids : state.asks;
      this.#touch(state, book.add(order));
      return fills;
    }
    this.#expire(
      account,
      state,
      order,
      limitLike ? 'UNFILLED_IOC_QUANTITY_EXPIRED' : 'INSUFFICIENT_LIQUIDITY',
      now,
    );
    return fills;
  }

  /** Quantity a limit order could fill now, for FOK. */
  #fillable(state: SymbolState, order: LiveOrder): Decimal {
    const book = order.side === 'BUY' ? state.asks : state.bids;
    let total = ZERO;
    for (const level of book.levels) {
      if (order.side === 'BUY' ? level.price.gt(order.price) : level.price.lt(order.price)) break;
      total = total.plus(level.total);
      if (total.gte(order.origQty)) break;
    }
    return total;
  }

  /**
   * Takes liquidity for `taker` at the best prices, in time priority within a
   * price. `exhausted` is true when the book (or the taker's limit price, or its
   * balance) stopped the match before the order was done.
   */
  #match(
    account: AccountState,
    state: SymbolState,
    taker: LiveOrder,
    now: number,
  ): { fills: OrderFill[]; exhausted: boolean } {
    const book = taker.side === 'BUY' ? state.asks : state.bids;
    const limitLike = PRICED_TYPES.has(taker.type);
    const byQuote = taker.type === 'MARKET' && taker.origQuoteOrderQty.gt(0);
    const step = marketStep(state.rules);
    const fills: OrderFill[] = [];
    let run: AggregateRun | undefined;
    let exhausted = false;
    for (;;) {
      const level = book.best();
      if (!level) {
        exhausted = true;
        break;
      }
      if (limitLike && (taker.side === 'BUY' ? level.price.gt(taker.price) : level.price.lt(taker.price))) {
        exhausted = true;
        break;
      }
      const maker = level.orders[0] as LiveOrder;
      let quantity: Decimal;
      if (byQuote) {
        const leftQuote = taker.origQuoteOrderQty.minus(taker.cummulativeQuoteQty);
        quantity = Decimal.min(remaining(maker), floorToStep(leftQuote.div(level.price), step));
        if (quantity.lte(0)) break;
      } else {
        quantity = Decimal.min(remaining(taker), remaining(maker));
      }
      if (taker.side === 'BUY' && !limitLike) {
        // A market buy spends free quote: never more than the account has (a triggered stop may find less).
        const free = this.#balance(account, state.info.quoteAsset).free;
        const affordable = floorToStep(
          free.div(level.price),
          step.gt(0) ? step : (state.rules.lot?.step ?? ZERO),
        );
        if (affordable.lt(quantity)) {
          quantity = affordable;
          exhausted = true;
        }
      } else if (taker.side === 'SELL' && !limitLike && taker.locked.isZero()) {
        const free = this.#balance(account, state.info.baseAsset).free;
        if (free.lt(quantity)) {
          quantity = floorToStep(free, step);
          exhausted = true;
        }
      }
      if (quantity.lte(0)) break;
      const fill = this.#trade(state, maker, level, taker, quantity, now);
      fills.push(fill);
      if (run?.price.eq(level.price)) {
        run.qty = run.qty.plus(quantity);
        run.lastTradeId = fill.tradeId;
      } else {
        if (run) this.#aggregate(state, run);
        run = {
          price: level.price,
          qty: quantity,
          firstTradeId: fill.tradeId,
          lastTradeId: fill.tradeId,
          time: now,
          isBuyerMaker: taker.side === 'SELL',
        };
      }
      if (exhausted) break;
      if (!byQuote && remaining(taker).isZero()) break;
    }
    if (run) this.#aggregate(state, run);
    return { fills, exhausted };
  }

  #aggregate(state: SymbolState, run: AggregateRun): void {
    const record: AggTradeRecord = {
      symbol: state.info.symbol,
      id: state.nextAggTradeId++,
      price: run.price,
      qty: run.qty,
      firstTradeId: run.firstTradeId,
      lastTradeId: run.lastTradeId,
      time: run.time,
      isBuyerMaker: run.isBuyerMaker,
    };
    state.stats.addAggTrade(record);
    this.#emit('aggTrade', record);
  }

  /** One trade between a resting maker and the taker: books, balances, fees, records, reports. */
  #trade(
    state: SymbolState,
    maker: LiveOrder,
    level: PriceLevel,
    taker: LiveOrder,
    quantity: Decimal,
    now: number,
  ): OrderFill {
    const price = level.price;
    const quote = price.times(quantity);
    const tradeId = state.nextTradeId++;
    const makerAccount = this.#accounts.get(maker.accountId) as AccountState;
    const takerAccount = this.#accounts.get(taker.accountId) as AccountState;
    for (const order of [maker, taker]) {
      order.executedQty = order.executedQty.plus(quantity);
      order.cummulativeQuoteQty = order.cummulativeQuoteQty.plus(quote);
      order.updateTime = now;
      order.status =
        remaining(order).isZero() && order.origQuoteOrderQty.isZero() ? 'FILLED' : 'PARTIALLY_FILLED';
    }
    const book = maker.side === 'BUY' ? state.bids : state.asks;
    book.filled(maker, quantity);
    this.#touch(state, level);
    const makerFee = this.#settle(makerAccount, state, maker, quantity, quote, true);
    const takerFee = this.#settle(takerAccount, state, taker, quantity, quote, false);
    const buyer = maker.side === 'BUY' ? maker : taker;
    const seller = buyer === maker ? taker : maker;
    const record: TradeRecord = {
      symbol: state.info.symbol,
      id: tradeId,
      price,
      qty: quantity,
      quoteQty: quote,
      time: now,
      isBuyerMaker: buyer === maker,
      buyerOrderId: buyer.orderId,
      sellerOrderId: seller.orderId,
    };
    state.stats.addTrade(record);
    this.#emit('trade', record);
    for (const [account, order, fee, isMaker] of [
      [makerAccount, maker, makerFee, true],
      [takerAccount, taker, takerFee, false],
    ] as const) {
      this.#remember(account, {
        accountId: account.id,
        symbol: order.symbol,
        id: tradeId,
        orderId: order.orderId,
        orderListId: order.orderListId,
        price,
        qty: quantity,
        quoteQty: quote,
        commission: fee.amount,
        commissionAsset: fee.asset,
        time: now,
        isBuyer: order.side === 'BUY',
        isMaker,
        isBestMatch: true,
      });
      if (order === maker && remaining(maker).isZero()) {
        this.#release(account, maker);
        account.open.delete(maker.orderId);
      }
      this.#report(account, order, 'TRADE', now, {
        lastExecutedQty: quantity,
        lastExecutedPrice: price,
        lastQuoteQty: quote,
        commission: fee.amount,
        commissionAsset: fee.asset,
        tradeId,
        isMaker,
      });
    }
    // An OCO leg that trades ends its list: the other leg expires.
    if (maker.orderListId >= 0) this.#contingency(makerAccount, state, maker, now);
    return { price, qty: quantity, commission: takerFee.amount, commissionAsset: takerFee.asset, tradeId };
  }

  /** Moves the assets of one side of a trade and charges its commission; returns the fee. */
  #settle(
    account: AccountState,
    state: SymbolState,
    order: LiveOrder,
    quantity: Decimal,
    quote: Decimal,
    isMaker: boolean,
  ): { amount: Decimal; asset: string } {
    const { baseAsset, quoteAsset } = state.info;
    const rate = isMaker ? account.commission.maker : account.commission.taker;
    if (order.side === 'BUY') {
      const paid = this.#balance(account, quoteAsset);
      if (order.locked.gt(0)) {
        // The reservation was made at the order's price (or stop price); a better price frees the difference.
        const unit =
          order.type === 'STOP_LOSS' || order.type === 'TAKE_PROFIT' ? order.stopPrice : order.price;
        const release = Decimal.min(order.locked, unit.times(quantity));
        order.locked = order.locked.minus(release);
        paid.locked = paid.locked.minus(release);
        paid.free = paid.free.plus(release).minus(quote);
      } else {
        paid.free = paid.free.minus(quote);
      }
      this.#dirty(account, quoteAsset);
      const fee = quantity.times(rate).toDecimalPlaces(state.info.baseCommissionPrecision, Decimal.ROUND_UP);
      this.#credit(account, baseAsset, quantity.minus(fee));
      this.#chargeFee(baseAsset, fee);
      return { amount: fee, asset: baseAsset };
    }
    const paid = this.#balance(account, baseAsset);
    if (order.locked.gt(0)) {
      const release = Decimal.min(order.locked, quantity);
      order.locked = order.locked.minus(release);
      paid.locked = paid.locked.minus(release);
      paid.free = paid.free.plus(release).minus(quantity);
    } else {
      paid.free = paid.free.minus(quantity);
    }
    this.#dirty(account, baseAsset);
    const fee = quote.times(rate).toDecimalPlaces(state.info.quoteCommissionPrecision, Decimal.ROUND_UP);
    this.#credit(account, quoteAsset, quote.minus(fee));
    this.#chargeFee(quoteAsset, fee);
    return { amount: fee, asset: quoteAsset };
  }

  #chargeFee(asset: string, fee: Decimal): void {
    if (fee.isZero()) return;
    this.#fees.set(asset, (this.#fees.get(asset) ?? ZERO).plus(fee));
  }

  #credit(account: AccountState, asset: string, amount: Decimal): void {
    const balance = this.#balance(account, asset);
    balance.free = balance.free.plus(amount);
    this.#dirty(account, asset);
  }

  #lock(account: AccountState, order: LiveOrder, amount: Decimal): void {
    if (amount.lte(0)) return;
    const balance = this.#balance(account, order.lockAsset);
    balance.free = balance.free.minus(amount);
    balance.locked = balance.locked.plus(amount);
    order.locked = order.locked.plus(amount);
    this.#dirty(account, order.lockAsset);
  }

  /** Returns what is still reserved for the order to free balance. */
  #release(account: AccountState, order: LiveOrder): void {
    if (order.locked.isZero()) return;
    const balance = this.#balance(account, order.lockAsset);
    balance.locked = balance.locked.minus(order.locked);
    balance.free = balance.free.plus(order.locked);
    order.locked = ZERO;
    this.#dirty(account, order.lockAsset);
  }

  #finishFilled(account: AccountState, order: LiveOrder): void {
    order.status = 'FILLED';
    this.#release(account, order);
    account.open.delete(order.orderId);
  }

  #expire(
    account: AccountState,
    state: SymbolState,
    order: LiveOrder,
    reason: ExpiryReason,
    now: number,
  ): void {
    this.#unbook(state, order);
    order.status = 'EXPIRED';
    order.expiryReason = reason;
    order.updateTime = now;
    this.#release(account, order);
    account.open.delete(order.orderId);
    this.#report(account, order, 'EXPIRED', now);
  }

  #cancel(
    account: AccountState,
    state: SymbolState,
    order: LiveOrder,
    cancelId: string,
    now: number,
  ): CancelOrderResult {
    this.#unbook(state, order);
    order.status = 'CANCELED';
    order.updateTime = now;
    this.#release(account, order);
    account.open.delete(order.orderId);
    this.#report(account, order, 'CANCELED', now, {
      clientOrderId: cancelId,
      origClientOrderId: order.clientOrderId,
    });
    return {
      order: view(order),
      origClientOrderId: order.clientOrderId,
      clientOrderId: cancelId,
      transactTime: now,
    };
  }

  #cancelList(
    account: AccountState,
    state: SymbolState,
    list: ListState,
    cancelId: string,
    now: number,
  ): CancelOrderResult[] {
    const cancels: CancelOrderResult[] = [];
    for (const leg of list.legs) {
      if (account.open.has(leg.orderId)) cancels.push(this.#cancel(account, state, leg, cancelId, now));
    }
    this.#endList(account, list, now);
    return cancels;
  }

  #endList(account: AccountState, list: ListState, now: number): void {
    if (list.listOrderStatus !== 'EXECUTING') return;
    list.listStatusType = 'ALL_DONE';
    list.listOrderStatus = 'ALL_DONE';
    list.transactionTime = now;
    this.#emit('listStatus', {
      accountId: account.id,
      eventTime: now,
      list: listView(list),
      listRejectReason: 'NONE',
    });
  }

  /** A leg of an OCO traded or triggered: the other legs expire and the list is done. */
  #contingency(account: AccountState, state: SymbolState, leg: LiveOrder, now: number): void {
    const list = account.lists.get(leg.orderListId);
    if (list?.listOrderStatus !== 'EXECUTING') return;
    for (const other of list.legs) {
      if (other !== leg && account.open.has(other.orderId))
        this.#expire(account, state, other, 'OCO_TRIGGER', now);
    }
    this.#endList(account, list, now);
  }

  /** Takes an order off the book or out of the stop list. */
  #unbook(state: SymbolState, order: LiveOrder): void {
    const stopIndex = state.stops.indexOf(order);
    if (stopIndex >= 0) {
      state.stops.splice(stopIndex, 1);
      return;
    }
    if (!order.onBook) return;
    const book = order.side === 'BUY' ? state.bids : state.asks;
    const level = book.remove(order);
    if (level) this.#touch(state, level);
  }

  /** Fires stop orders whose trigger the last price has reached, until none is left to fire. */
  #runTriggers(state: SymbolState, now: number): void {
    if (this.#triggering) return;
    this.#triggering = true;
    try {
      for (let round = 0; round < MAX_TRIGGER_ROUNDS; round++) {
        const last = state.stats.lastTrade?.price;
        if (last === undefined) return;
        const index = state.stops.findIndex((order) =>
          stopTriggers(order.type, order.side, order.stopPrice, last),
        );
        if (index < 0) return;
        const order = state.stops[index] as LiveOrder;
        state.stops.splice(index, 1);
        const account = this.#accounts.get(order.accountId) as AccountState;
        if (order.orderListId >= 0) this.#contingency(account, state, order, now);
        const limitLike = PRICED_TYPES.has(order.type);
        if (!limitLike && order.side === 'BUY') this.#release(account, order);
        if (order.locked.isZero() && limitLike) {
          // An OCO stop leg takes over the reservation its expired sibling gave back.
          const need = order.side === 'BUY' ? order.price.times(order.origQty) : order.origQty;
          if (this.#balance(account, order.lockAsset).free.lt(need)) {
            this.#expire(account, state, order, 'INSUFFICIENT_LIQUIDITY', now);
            continue;
          }
          this.#lock(account, order, need);
        } else if (order.locked.isZero() && order.side === 'SELL') {
          if (this.#balance(account, order.lockAsset).free.lt(order.origQty)) {
            this.#expire(account, state, order, 'INSUFFICIENT_LIQUIDITY', now);
            continue;
          }
          this.#lock(account, order, order.origQty);
        }
        this.#work(account, state, order, now);
      }
    } finally {
      this.#triggering = false;
    }
  }

  // -- internals: bookkeeping ------------------------------------------------

  #touch(state: SymbolState, level: PriceLevel): void {
    const key = `${level.bid ? 'b' : 'a'}${level.key}`;
    if (state.touched.size === 0) state.firstTouchedId = state.updateId + 1;
    state.updateId++;
    if (!state.touched.has(key))
      state.touched.set(key, { bid: level.bid, price: level.price, key: level.key });
    this.#dirtySymbols.add(state);
  }

  #dirty(account: AccountState, asset: string): void {
    let assets = this.#dirtyAccounts.get(account);
    if (!assets) {
      assets = new Set();
      this.#dirtyAccounts.set(account, assets);
    }
    assets.add(asset);
  }

  #remember(account: AccountState, trade: AccountTrade): void {
    let trades = account.trades.get(trade.symbol);
    if (!trades) {
      trades = [];
      account.trades.set(trade.symbol, trades);
    }
    trades.push(trade);
    if (trades.length > this.#accountHistory * 1.25) trades.splice(0, trades.length - this.#accountHistory);
  }

  /** Forgets the oldest finished orders beyond the history limit. */
  #prune(account: AccountState): void {
    if (account.orders.size <= this.#accountHistory * 1.25) return;
    let excess = account.orders.size - this.#accountHistory;
    for (const [id, order] of account.orders) {
      if (excess <= 0) break;
      if (account.open.has(id)) continue;
      account.orders.delete(id);
      const key = `${order.symbol}\n${order.clientOrderId}`;
      if (account.clientIds.get(key) === id) account.clientIds.delete(key);
      excess--;
    }
  }

  #report(
    account: AccountState,
    order: LiveOrder,
    executionType: EngineExecutionType,
    now: number,
    extra: {
      lastExecutedQty?: Decimal;
      lastExecutedPrice?: Decimal;
      lastQuoteQty?: Decimal;
      commission?: Decimal;
      commissionAsset?: string;
      tradeId?: number;
      isMaker?: boolean;
      clientOrderId?: string;
      origClientOrderId?: string;
      isOnBook?: boolean;
    } = {},
  ): void {
    order.lastExecution = executionType;
    const executionId = this.#nextExecutionId++;
    if (!this.#wants('execution') && !this.#accountListeners.has(account.id)) return;
    this.#emit('execution', {
      accountId: account.id,
      eventTime: now,
      transactTime: now,
      order: view(order),
      executionType,
      rejectReason: 'NONE',
      clientOrderId: extra.clientOrderId ?? order.clientOrderId,
      origClientOrderId: extra.origClientOrderId ?? '',
      lastExecutedQty: extra.lastExecutedQty ?? ZERO,
      lastExecutedPrice: extra.lastExecutedPrice ?? ZERO,
      lastQuoteQty: extra.lastQuoteQty ?? ZERO,
      commission: extra.commission ?? ZERO,
      commissionAsset: extra.commissionAsset ?? null,
      tradeId: extra.tradeId ?? -1,
      executionId,
      isOnBook: extra.isOnBook ?? order.onBook,
      isMaker: extra.isMaker ?? false,
    });
  }

  #generateClientId(): string {
    // Deterministic (same seed, same ids) and shaped like Binance's 22-character ids.
    let x = BigInt(this.#nextClientId++) * 0x9e3779b97f4a7c15n;
    let out = '';
    for (let i = 0; i < 22; i++) {
      x = (x * 6364136223846793005n + 1442695040888963407n) & 0xffffffffffffffffn;
      out += BASE62[Number(x >> 58n) % 62];
    }
    return out;
  }

  #cancelId(requested: string | undefined): string {
    if (requested === undefined) return this.#generateClientId();
    checkClientId(requested, 'newClientOrderId');
    return requested;
  }

  // -- internals: operations and events --------------------------------------

  /** Runs a state change; when the outermost one ends, emits its book and account events and flushes. */
  #run<T>(operation: () => T): T {
    this.#depth++;
    try {
      return operation();
    } finally {
      this.#depth--;
      if (this.#depth === 0) {
        this.#settleEvents();
        this.#flush();
      }
    }
  }

  #settleEvents(): void {
    const now = this.clock.now();
    for (const state of this.#dirtySymbols) {
      if (state.touched.size > 0) {
        if (this.#wants('depth')) {
          const bids: DepthLevel[] = [];
          const asks: DepthLevel[] = [];
          for (const touched of state.touched.values()) {
            const side = touched.bid ? state.bids : state.asks;
            const level = side.level(touched.key);
            (touched.bid ? bids : asks).push([touched.price, level ? level.total : ZERO]);
          }
          bids.sort((a, b) => b[0].comparedTo(a[0]));
          asks.sort((a, b) => a[0].comparedTo(b[0]));
          this.#emit('depth', {
            symbol: state.info.symbol,
            eventTime: now,
            firstUpdateId: state.firstTouchedId,
            finalUpdateId: state.updateId,
            bids,
            asks,
          });
        }
        state.touched.clear();
      }
      const book = top(state);
      const key = `${book.bidPrice}|${book.bidQty}|${book.askPrice}|${book.askQty}`;
      if (key !== state.top) {
        state.top = key;
        this.#emit('bookTicker', book);
      }
    }
    this.#dirtySymbols.clear();
    for (const [account, assets] of this.#dirtyAccounts) {
      account.updateTime = now;
      if (!this.#wants('accountPosition') && !this.#accountListeners.has(account.id)) continue;
      const balances: BalanceView[] = [];
      for (const asset of assets) {
        const balance = this.#balance(account, asset);
        balances.push({ asset, free: balance.free, locked: balance.locked });
      }
      this.#emit('accountPosition', { accountId: account.id, eventTime: now, lastUpdateTime: now, balances });
    }
    this.#dirtyAccounts.clear();
  }

  #wants(type: EngineEventName): boolean {
    return this.#allListeners.size > 0 || (this.#listeners.get(type)?.size ?? 0) > 0;
  }

  #emit<K extends EngineEventName>(type: K, data: EngineEventMap[K]): void {
    if (!this.#wants(type) && !this.#accountListeners.has(accountOf(type, data) ?? '')) return;
    this.#queue.push({ type, data } as EngineEvent);
  }

  #flush(): void {
    if (this.#flushing) return;
    this.#flushing = true;
    try {
      let index = 0;
      while (index < this.#queue.length) {
        const event = this.#queue[index++] as EngineEvent;
        const listeners = this.#listeners.get(event.type);
        if (listeners) {
          for (const listener of [...listeners])
            this.#deliver(() => (listener as (data: unknown) => void)(event.data));
        }
        for (const listener of [...this.#allListeners]) this.#deliver(() => listener(event));
        if (this.#accountListeners.size > 0) {
          const accountId = accountOf(event.type, event.data);
          const own = accountId === undefined ? undefined : this.#accountListeners.get(accountId);
          if (own) {
            for (const listener of [...own]) this.#deliver(() => listener(event as AccountEvent));
          }
        }
      }
      this.#queue.length = 0;
    } finally {
      this.#flushing = false;
    }
  }

  #deliver(call: () => void): void {
    try {
      call();
    } catch (error) {
      this.#logger?.errorWithException('an exchange engine listener threw', error);
    }
  }
}

// ---------------------------------------------------------------------------

const ACCOUNT_EVENTS: ReadonlySet<EngineEventName> = new Set<AccountEventName>([
  'execution',
  'accountPosition',
  'balanceUpdate',
  'listStatus',
  'apiKeyRevoked',
]);

/** The account an event belongs to; undefined for market events. */
function accountOf(type: EngineEventName, data: EngineEventMap[EngineEventName]): string | undefined {
  return ACCOUNT_EVENTS.has(type) ? (data as { readonly accountId: string }).accountId : undefined;
}

const TYPE_MESSAGES = new Map<EngineOrderType, RejectMessage>([
  ['LIMIT', RejectMessage.UNSUPPORTED_COMBINATION],
  ['LIMIT_MAKER', RejectMessage.UNSUPPORTED_COMBINATION],
  ['MARKET', RejectMessage.MARKET_NOT_SUPPORTED],
  ['STOP_LOSS', RejectMessage.STOP_LOSS_NOT_SUPPORTED],
  ['STOP_LOSS_LIMIT', RejectMessage.STOP_LOSS_LIMIT_NOT_SUPPORTED],
  ['TAKE_PROFIT', RejectMessage.TAKE_PROFIT_NOT_SUPPORTED],
  ['TAKE_PROFIT_LIMIT', RejectMessage.TAKE_PROFIT_LIMIT_NOT_SUPPORTED],
]);

function isStopLoss(type: EngineOrderType): boolean {
  return type === 'STOP_LOSS' || type === 'STOP_LOSS_LIMIT';
}

function stopCount(type: EngineOrderType): number {
  return STOP_TYPES.has(type) ? 1 : 0;
}

/** The OCO leg rules of `orderList/oco`: a stop loss on one side, a limit maker or take profit on the other. */
function checkOcoLegs(request: NewOcoRequest): void {
  const allowed: readonly OcoLegType[] = [
    'STOP_LOSS',
    'STOP_LOSS_LIMIT',
    'TAKE_PROFIT',
    'TAKE_PROFIT_LIMIT',
    'LIMIT_MAKER',
  ];
  if (!allowed.includes(request.aboveType) || !allowed.includes(request.belowType))
    throw reject.ocoTypeRejected();
  if (!isStopLoss(request.aboveType) && !isStopLoss(request.belowType)) throw reject.bothOcoLimit();
  if (request.side === 'SELL') {
    if (isStopLoss(request.aboveType))
      throw new BinanceRejection(-1197, 'A stop loss order in a sell OCO must be below.');
    if (request.belowType === 'LIMIT_MAKER')
      throw new BinanceRejection(-1166, 'A limit order in a sell OCO must be above.');
    if (!isStopLoss(request.belowType)) {
      throw new BinanceRejection(-1199, 'A take profit order in a sell OCO must be above.');
    }
  } else {
    if (isStopLoss(request.belowType))
      throw new BinanceRejection(-1196, 'A stop loss order in a buy OCO must be above.');
    if (request.aboveType === 'LIMIT_MAKER')
      throw new BinanceRejection(-1165, 'A limit order in a buy OCO must be below.');
    if (!isStopLoss(request.aboveType)) {
      throw new BinanceRejection(-1198, 'A take profit order in a buy OCO must be below.');
    }
  }
}

function checkClientId(value: string, param: string): void {
  if (value === '')
    throw param === 'newClientOrderId' ? reject.emptyNewClientOrderId() : reject.mandatory(param);
  if (!CLIENT_ORDER_ID.test(value)) throw reject.illegalChars(param, CLIENT_ORDER_ID_RULE);
}

function clampLimit(limit: number | undefined): number {
  if (limit === undefined) return 500;
  return Math.max(1, Math.min(1000, Math.floor(limit)));
}

function averagePriceMins(rules: SymbolRules): number {
  return (
    rules.percentPriceBySide?.avgPriceMins ??
    rules.percentPrice?.avgPriceMins ??
    rules.notional?.avgPriceMins ??
    5
  );
}

function top(state: SymbolState): BookTop {
  const bid = state.bids.best();
  const ask = state.asks.best();
  return {
    symbol: state.info.symbol,
    updateId: state.updateId,
    bidPrice: bid?.price ?? ZERO,
    bidQty: bid?.total ?? ZERO,
    askPrice: ask?.price ?? ZERO,
    askQty: ask?.total ?? ZERO,
  };
}

function view(order: LiveOrder): OrderView {
  return {
    accountId: order.accountId,
    symbol: order.symbol,
    orderId: order.orderId,
    orderListId: order.orderListId,
    clientOrderId: order.clientOrderId,
    price: order.price,
    origQty: order.origQty,
    executedQty: order.executedQty,
    cummulativeQuoteQty: order.cummulativeQuoteQty,
    origQuoteOrderQty: order.origQuoteOrderQty,
    status: order.status,
    timeInForce: order.timeInForce,
    type: order.type,
    side: order.side,
    stopPrice: order.stopPrice,
    icebergQty: ZERO,
    time: order.time,
    updateTime: order.updateTime,
    isWorking: order.isWorking,
    workingTime: order.workingTime,
    selfTradePreventionMode: 'NONE',
    ...(order.expiryReason === undefined ? {} : { expiryReason: order.expiryReason }),
  };
}

function listView(list: ListState): OrderListView {
  return {
    accountId: list.accountId,
    symbol: list.symbol,
    orderListId: list.orderListId,
    contingencyType: 'OCO',
    listStatusType: list.listStatusType,
    listOrderStatus: list.listOrderStatus,
    listClientOrderId: list.listClientOrderId,
    transactionTime: list.transactionTime,
    orders: list.legs.map(view),
  };
}

function accountHandle(state: AccountState): AccountInfo {
  return {
    id: state.id,
    uid: state.uid,
    apiKey: state.apiKey,
    hmacSecret: () => state.secret?.reveal(),
    ed25519PublicKey: state.ed25519PublicKey,
    rsaPublicKey: state.rsaPublicKey,
    get revoked() {
      return state.revoked;
    },
    get canTrade() {
      return state.canTrade;
    },
    canWithdraw: true,
    canDeposit: true,
    commission: state.commission,
    get updateTime() {
      return state.updateTime;
    },
  };
}

/**
 * A generated key or secret: 64 characters like Binance's, starting with `VKFAKE` so that a test
 * run's secret guard recognises it wherever it leaks (and nobody mistakes it for a real key).
 */
function testKey(): string {
  return `VKFAKE${randomKey(58)}`;
}

function randomKey(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += BASE62[(bytes[i] as number) % 62];
  return out;
}
