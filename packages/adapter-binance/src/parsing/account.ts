import { type Balance, Decimal, type Fill, type UnifiedSymbol } from '@venuekit/core';
import { isRestMyTrade, malformedAnswer } from './wire-checks';

/** GET /api/v3/account (WebSocket API `account.status`) and GET /api/v3/myTrades (`myTrades`). */

const EXCHANGE = 'binance';

export interface WireBalance {
  readonly asset: string;
  readonly free: string;
  readonly locked: string;
}

export interface WireAccount {
  readonly canTrade?: boolean;
  readonly updateTime?: number;
  readonly accountType?: string;
  readonly balances: readonly WireBalance[];
  readonly permissions?: readonly string[];
}

export interface WireMyTrade {
  readonly symbol: string;
  readonly id: number;
  readonly orderId: number;
  readonly orderListId?: number;
  readonly price: string;
  readonly qty: string;
  readonly quoteQty: string;
  readonly commission: string;
  readonly commissionAsset: string;
  readonly time: number;
  readonly isBuyer: boolean;
  readonly isMaker: boolean;
}

export function balance(asset: string, freeText: string, lockedText: string): Balance {
  const free = new Decimal(freeText);
  const locked = new Decimal(lockedText);
  return { asset, free, locked, total: free.plus(locked) };
}

/** The account's balances; assets with nothing free or locked are left out unless `includeZero`. */
export function parseBalances(w: WireAccount, includeZero = false): Balance[] {
  const out: Balance[] = [];
  for (const b of w.balances) {
    const parsed = balance(b.asset, b.free, b.locked);
    if (includeZero || !parsed.total.isZero()) out.push(parsed);
  }
  return out;
}

// {"symbol":"BTCUSDT","id":1650422481,"orderId":12569099453,"price":"23416.10000000","qty":"0.00635000",
//  "quoteQty":"148.69223500","commission":"0.00000000","commissionAsset":"BNB","time":1660801715793,
//  "isBuyer":false,"isMaker":true,"isBestMatch":true}
export function parseMyTrade(w: WireMyTrade, symbol: UnifiedSymbol): Fill {
  if (!isRestMyTrade(w)) throw malformedAnswer('an account trade', w);
  return {
    exchange: EXCHANGE,
    symbol,
    tradeId: String(w.id),
    orderId: String(w.orderId),
    side: w.isBuyer ? 'buy' : 'sell',
    price: new Decimal(w.price),
    quantity: new Decimal(w.qty),
    quoteQuantity: new Decimal(w.quoteQty),
    fee: { asset: w.commissionAsset, amount: new Decimal(w.commission) },
    isMaker: w.isMaker,
    timestamp: w.time,
  };
}
