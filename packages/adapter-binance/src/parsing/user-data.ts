import {
  type Balance,
  Decimal,
  type ExecutionType,
  type Fill,
  type Order,
  type OrderList,
  parseSymbol,
  type UnifiedSymbol,
} from '@venuekit/core';
import { balance } from './account';
import { optionalPositive, parseOrderStatus, parseOrderType, parseSide, parseTimeInForce } from './orders';

/**
 * User data stream events (user-data-stream.md) → core. Over the WebSocket API subscription
 * each arrives wrapped: `{"subscriptionId":0,"event":{…}}`.
 */

const EXCHANGE = 'binance';

export interface WireExecutionReport {
  readonly e: 'executionReport';
  readonly E: number;
  readonly s: string;
  readonly c: string;
  readonly S: string;
  readonly o: string;
  readonly f: string;
  readonly q: string;
  readonly p: string;
  readonly P: string;
  readonly g: number;
  readonly C: string;
  readonly x: string;
  readonly X: string;
  readonly r: string;
  readonly i: number;
  readonly l: string;
  readonly z: string;
  readonly L: string;
  readonly n: string;
  readonly N: string | null;
  readonly T: number;
  readonly t: number;
  readonly m: boolean;
  readonly O: number;
  readonly Z: string;
  readonly Y: string;
  readonly Q: string;
}

export interface WireAccountPosition {
  readonly e: 'outboundAccountPosition';
  readonly E: number;
  readonly u: number;
  readonly B: readonly { readonly a: string; readonly f: string; readonly l: string }[];
}

export interface WireBalanceUpdate {
  readonly e: 'balanceUpdate';
  readonly E: number;
  readonly a: string;
  readonly d: string;
  readonly T: number;
}

export interface WireListStatus {
  readonly e: 'listStatus';
  readonly E: number;
  readonly s: string;
  readonly g: number;
  readonly c: string;
  readonly l: string;
  readonly L: string;
  readonly r: string;
  readonly C: string;
  readonly T: number;
  readonly O: readonly { readonly s: string; readonly i: number; readonly c: string }[];
}

export interface WireUserEvent {
  readonly e: string;
  readonly E?: number;
  readonly [field: string]: unknown;
}

export type ParsedUserEvent =
  | {
      readonly kind: 'execution';
      readonly order: Order;
      readonly executionType: ExecutionType;
      readonly rejectReason?: string;
      /** The trade this report announces (execution type TRADE). */
      readonly fill?: Fill;
      readonly timestamp: number;
    }
  | { readonly kind: 'balances'; readonly balances: readonly Balance[]; readonly timestamp: number }
  | {
      readonly kind: 'balance_delta';
      readonly asset: string;
      readonly delta: Decimal;
      readonly timestamp: number;
    }
  | {
      readonly kind: 'list_status';
      readonly symbol: UnifiedSymbol;
      readonly orderListId: string;
      readonly listClientOrderId: string;
      readonly status: OrderList['status'];
      readonly orders: readonly { readonly orderId: string; readonly clientOrderId: string }[];
      readonly timestamp: number;
    }
  /** The venue ended the subscription (unsubscribe, logout, key revoked). */
  | { readonly kind: 'terminated'; readonly timestamp: number }
  | { readonly kind: 'ignored'; readonly type: string };

const EXECUTION_TYPES: Readonly<Record<string, ExecutionType>> = {
  NEW: 'new',
  TRADE: 'trade',
  CANCELED: 'canceled',
  REJECTED: 'rejected',
  EXPIRED: 'expired',
  REPLACED: 'replaced',
  TRADE_PREVENTION: 'trade_prevention',
};

/**
 * One user data event. `resolve` maps the venue symbol (`s`) to a unified one; events for a
 * symbol it does not know come back as `ignored`.
 */
export function parseUserEvent(
  w: WireUserEvent,
  resolve: (nativeSymbol: string) => UnifiedSymbol | undefined,
): ParsedUserEvent {
  switch (w.e) {
    case 'executionReport': {
      const report = w as unknown as WireExecutionReport;
      const symbol = resolve(report.s);
      return symbol
        ? parseExecutionReport(report, symbol)
        : { kind: 'ignored', type: `executionReport:${report.s}` };
    }
    case 'outboundAccountPosition': {
      const position = w as unknown as WireAccountPosition;
      return {
        kind: 'balances',
        balances: position.B.map((b) => balance(b.a, b.f, b.l)),
        timestamp: position.E,
      };
    }
    case 'balanceUpdate': {
      const update = w as unknown as WireBalanceUpdate;
      return { kind: 'balance_delta', asset: update.a, delta: new Decimal(update.d), timestamp: update.E };
    }
    case 'listStatus': {
      const list = w as unknown as WireListStatus;
      const symbol = resolve(list.s);
      if (!symbol) return { kind: 'ignored', type: `listStatus:${list.s}` };
      return {
        kind: 'list_status',
        symbol,
        orderListId: String(list.g),
        listClientOrderId: list.C,
        status: list.L === 'ALL_DONE' ? 'all_done' : list.L === 'REJECT' ? 'rejected' : 'executing',
        orders: list.O.map((o) => ({ orderId: String(o.i), clientOrderId: o.c })),
        timestamp: list.E,
      };
    }
    case 'eventStreamTerminated':
      return { kind: 'terminated', timestamp: w.E ?? 0 };
    default:
      return { kind: 'ignored', type: w.e };
  }
}

// user-data-stream.md "Order Update": {"e":"executionReport","E":1499405658658,"s":"ETHBTC",
// "c":"mUvoqJxFIILMdfAW5iGSOW","S":"BUY","o":"LIMIT","f":"GTC","q":"1.00000000","p":"0.10264410",
// "P":"0.00000000","g":-1,"C":"","x":"NEW","X":"NEW","r":"NONE","i":4293153,"l":"0.00000000",
// "z":"0.00000000","L":"0.00000000","n":"0","N":null,"T":1499405658657,"t":-1,"m":false,
// "O":1499405658657,"Z":"0.00000000","Y":"0.00000000","Q":"0.00000000",…}
export function parseExecutionReport(w: WireExecutionReport, symbol: UnifiedSymbol): ParsedUserEvent {
  const side = parseSide(w.S) ?? 'buy';
  // On a cancel, `c` is the cancel request's id and `C` the order's own.
  const clientOrderId = w.C ? w.C : w.c;
  const filledQuantity = new Decimal(w.z);
  const filledQuoteQuantity = new Decimal(w.Z);
  const price = optionalPositive(w.p);
  const stopPrice = optionalPositive(w.P);
  const quoteQuantity = optionalPositive(w.Q);
  const timeInForce = parseTimeInForce(w.f);
  const order: Order = {
    exchange: EXCHANGE,
    symbol,
    id: String(w.i),
    clientOrderId,
    side,
    type: parseOrderType(w.o) ?? 'limit',
    ...(timeInForce ? { timeInForce } : {}),
    status: parseOrderStatus(w.X) ?? 'new',
    ...(price ? { price } : {}),
    ...(stopPrice ? { stopPrice } : {}),
    quantity: new Decimal(w.q),
    ...(quoteQuantity ? { quoteQuantity } : {}),
    filledQuantity,
    filledQuoteQuantity,
    ...(filledQuantity.gt(0) && !filledQuoteQuantity.isNegative()
      ? { averagePrice: filledQuoteQuantity.div(filledQuantity) }
      : {}),
    // A report carries only the last trade's commission, not the total so far.
    fees: [],
    ...(w.g >= 0 ? { orderListId: String(w.g) } : {}),
    createdAt: w.O,
    updatedAt: w.T,
  };
  const executionType = EXECUTION_TYPES[w.x] ?? 'replaced';
  let fill: Fill | undefined;
  if (w.x === 'TRADE' && w.t >= 0) {
    const { base, quote } = parseSymbol(symbol);
    fill = {
      exchange: EXCHANGE,
      symbol,
      tradeId: String(w.t),
      orderId: order.id,
      clientOrderId,
      side,
      price: new Decimal(w.L),
      quantity: new Decimal(w.l),
      quoteQuantity: new Decimal(w.Y),
      // `N` is null when no commission was charged; the asset is then the one received.
      fee: { asset: w.N ?? (side === 'buy' ? base : quote), amount: new Decimal(w.n) },
      isMaker: w.m,
      timestamp: w.T,
    };
  }
  return {
    kind: 'execution',
    order,
    executionType,
    ...(w.r && w.r !== 'NONE' ? { rejectReason: w.r } : {}),
    ...(fill ? { fill } : {}),
    timestamp: w.E,
  };
}
