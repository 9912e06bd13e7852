import { Decimal, ManualClock, OrderBook } from '@venuekit/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExchangeEngine } from './engine';
import { BinanceRejection } from './errors';
import type { EngineEvent, ExecutionReportEvent, NewOrderRequest } from './types';

const d = (value: string) => new Decimal(value);

function rejection(run: () => unknown): BinanceRejection {
  try {
    run();
  } catch (error) {
    if (error instanceof BinanceRejection) return error;
    throw error;
  }
  throw new Error('expected a BinanceRejection');
}

let clock: ManualClock;
let engine: ExchangeEngine;
let events: EngineEvent[];
let stop: () => void;

function limit(side: 'BUY' | 'SELL', price: string, quantity: string, extra: Partial<NewOrderRequest> = {}) {
  return {
    symbol: 'BTCUSDT',
    side,
    type: 'LIMIT',
    timeInForce: 'GTC',
    price: d(price),
    quantity: d(quantity),
    ...extra,
  } as const satisfies NewOrderRequest;
}

function balance(account: string, asset: string): { free: string; locked: string } {
  const found = engine.balances(account, true).find((b) => b.asset === asset);
  return { free: found?.free.toString() ?? '0', locked: found?.locked.toString() ?? '0' };
}

function reports(accountId: string): ExecutionReportEvent[] {
  return events
    .filter((e): e is Extract<EngineEvent, { type: 'execution' }> => e.type === 'execution')
    .map((e) => e.data)
    .filter((r) => r.accountId === accountId);
}

beforeEach(() => {
  clock = new ManualClock(Date.UTC(2026, 0, 1, 12));
  engine = new ExchangeEngine({
    clock,
    accounts: [
      { id: 'alice', balances: { USDT: '100000', BTC: '10' } },
      { id: 'bob', balances: { USDT: '100000', BTC: '10' } },
      {
        id: 'carol',
        balances: { USDT: '100000', BTC: '10' },
        makerCommission: '0',
        takerCommission: '0.002',
      },
    ],
  });
  events = [];
  stop = engine.subscribe((event) => events.push(event));
});

afterEach(() => stop());

describe('limit orders', () => {
  it('rests a limit order, locks its funds and reports it', () => {
    const result = engine.placeOrder('alice', limit('BUY', '50000.00', '0.10000'));
    expect(result.order.status).toBe('NEW');
    expect(result.responseType).toBe('FULL');
    expect(result.fills).toEqual([]);
    expect(balance('alice', 'USDT')).toEqual({ free: '95000', locked: '5000' });
    const depth = engine.depth('BTCUSDT');
    expect(depth.bids.map(([p, q]) => [p.toString(), q.toString()])).toEqual([['50000', '0.1']]);
    const [report] = reports('alice');
    expect(report?.executionType).toBe('NEW');
    expect(report?.isOnBook).toBe(true);
    expect(engine.openOrders('alice').map((o) => o.orderId)).toEqual([result.order.orderId]);
  });

  it('matches by price, then time: the best price first, then the oldest order at a price', () => {
    const first = engine.placeOrder('alice', limit('SELL', '60000.00', '0.1'));
    const second = engine.placeOrder('bob', limit('SELL', '60000.00', '0.1'));
    const better = engine.placeOrder('carol', limit('SELL', '59990.00', '0.1'));
    const taker = engine.placeOrder('alice', limit('BUY', '60000.00', '0.15'));
    expect(taker.order.status).toBe('FILLED');
    expect(taker.fills.map((f) => [f.price.toString(), f.qty.toString()])).toEqual([
      ['59990', '0.1'],
      ['60000', '0.05'],
    ]);
    expect(engine.getOrder('carol', { symbol: 'BTCUSDT', orderId: better.order.orderId }).status).toBe(
      'FILLED',
    );
    expect(engine.getOrder('alice', { symbol: 'BTCUSDT', orderId: first.order.orderId }).status).toBe(
      'PARTIALLY_FILLED',
    );
    expect(engine.getOrder('bob', { symbol: 'BTCUSDT', orderId: second.order.orderId }).status).toBe('NEW');
    // A buy that paid less than its limit gets the difference back.
    expect(engine.openOrders('alice').map((o) => o.orderId)).toEqual([first.order.orderId]);
  });

  it('charges the maker and taker commission in the asset each side receives', () => {
    engine.placeOrder('carol', limit('SELL', '60000.00', '1'));
    const taker = engine.placeOrder('alice', limit('BUY', '60000.00', '1'));
    // alice is taker at 0.1 %: receives 1 BTC minus 0.001 BTC.
    expect(taker.fills[0]?.commission.toString()).toBe('0.001');
    expect(taker.fills[0]?.commissionAsset).toBe('BTC');
    expect(balance('alice', 'BTC')).toEqual({ free: '10.999', locked: '0' });
    expect(balance('alice', 'USDT')).toEqual({ free: '40000', locked: '0' });
    // carol is maker at 0 %: receives the whole 60000 USDT.
    expect(balance('carol', 'USDT')).toEqual({ free: '160000', locked: '0' });
    expect(balance('carol', 'BTC')).toEqual({ free: '9', locked: '0' });
    expect(engine.feesCollected().map((f) => [f.asset, f.free.toString()])).toEqual([['BTC', '0.001']]);
  });

  it('expires the rest of an IOC order, and a FOK order that cannot fill entirely', () => {
    engine.placeOrder('bob', limit('SELL', '60000.00', '0.1'));
    const ioc = engine.placeOrder('alice', limit('BUY', '60000.00', '0.3', { timeInForce: 'IOC' }));
    expect(ioc.order.status).toBe('EXPIRED');
    expect(ioc.order.executedQty.toString()).toBe('0.1');
    expect(ioc.order.expiryReason).toBe('UNFILLED_IOC_QUANTITY_EXPIRED');
    expect(balance('alice', 'USDT').locked).toBe('0');

    engine.placeOrder('bob', limit('SELL', '60000.00', '0.1'));
    const fok = engine.placeOrder('alice', limit('BUY', '60000.00', '0.2', { timeInForce: 'FOK' }));
    expect(fok.order.status).toBe('EXPIRED');
    expect(fok.order.executedQty.toString()).toBe('0');
    expect(fok.fills).toEqual([]);
    expect(engine.depth('BTCUSDT').asks).toHaveLength(1);
    const filled = engine.placeOrder('alice', limit('BUY', '60000.00', '0.1', { timeInForce: 'FOK' }));
    expect(filled.order.status).toBe('FILLED');
  });

  it('rejects a LIMIT_MAKER order that would take liquidity', () => {
    engine.placeOrder('bob', limit('SELL', '60000.00', '0.1'));
    const error = rejection(() =>
      engine.placeOrder('alice', {
        ...limit('BUY', '60000.00', '0.1'),
        type: 'LIMIT_MAKER',
        timeInForce: undefined,
      }),
    );
    expect(error.toJSON()).toEqual({ code: -2010, msg: 'Order would immediately match and take.' });
    const maker = engine.placeOrder('alice', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT_MAKER',
      price: d('59999.99'),
      quantity: d('0.1'),
    });
    expect(maker.order.status).toBe('NEW');
    expect(maker.responseType).toBe('ACK');
  });
});

describe('market orders', () => {
  beforeEach(() => {
    engine.placeOrder('bob', limit('SELL', '60000.00', '0.1'));
    engine.placeOrder('bob', limit('SELL', '60100.00', '0.1'));
    engine.placeOrder('bob', limit('BUY', '59900.00', '0.2'));
  });

  it('fills a market buy by quantity across levels', () => {
    const result = engine.placeOrder('alice', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'MARKET',
      quantity: d('0.15'),
    });
    expect(result.order.status).toBe('FILLED');
    expect(result.order.cummulativeQuoteQty.toString()).toBe('9005');
    expect(balance('alice', 'USDT').free).toBe('90995');
  });

  it('spends a quote quantity, buying whole steps', () => {
    const result = engine.placeOrder('alice', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'MARKET',
      quoteOrderQty: d('100'),
    });
    expect(result.order.status).toBe('FILLED');
    // 100 / 60000 = 0.0016666…: the step is 0.00001.
    expect(result.order.executedQty.toString()).toBe('0.00166');
    expect(result.order.origQty.toString()).toBe('0.00166');
    expect(result.order.cummulativeQuoteQty.toString()).toBe('99.6');
    expect(result.order.origQuoteOrderQty.toString()).toBe('100');
  });

  it('expires what the book cannot fill', () => {
    const result = engine.placeOrder('alice', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'MARKET',
      quantity: d('0.5'),
    });
    expect(result.order.status).toBe('EXPIRED');
    expect(result.order.executedQty.toString()).toBe('0.2');
    expect(engine.depth('BTCUSDT').asks).toEqual([]);
  });

  it('refuses a market order the account cannot pay for', () => {
    engine.createAccount({ id: 'poor', balances: { USDT: '100' } });
    const error = rejection(() =>
      engine.placeOrder('poor', { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: d('0.01') }),
    );
    expect(error.toJSON()).toEqual({
      code: -2010,
      msg: 'Account has insufficient balance for requested action.',
    });
    expect(engine.depth('BTCUSDT').asks).toHaveLength(2);
  });
});

describe('filters and request rules', () => {
  it.each([
    ['a price off the tick size', limit('BUY', '50000.001', '0.1'), 'Filter failure: PRICE_FILTER'],
    ['a quantity off the step size', limit('BUY', '50000', '0.000015'), 'Filter failure: LOT_SIZE'],
    ['a notional under 5 USDT', limit('BUY', '40000', '0.0001'), 'Filter failure: NOTIONAL'],
    ['a price above the maximum', limit('SELL', '1000000.01', '0.1'), 'Filter failure: PRICE_FILTER'],
  ])('rejects %s with -1013', (_name, request, msg) => {
    expect(rejection(() => engine.placeOrder('alice', request)).toJSON()).toEqual({ code: -1013, msg });
    expect(engine.openOrders('alice')).toEqual([]);
  });

  it('rejects a price outside the band around the average price (PERCENT_PRICE_BY_SIDE)', () => {
    engine.placeOrder('bob', limit('SELL', '60000', '0.1'));
    engine.placeOrder('alice', limit('BUY', '60000', '0.1'));
    expect(rejection(() => engine.placeOrder('alice', limit('BUY', '300000.01', '0.1'))).msg).toBe(
      'Filter failure: PERCENT_PRICE_BY_SIDE',
    );
    expect(rejection(() => engine.placeOrder('alice', limit('SELL', '11999.99', '0.1'))).msg).toBe(
      'Filter failure: PERCENT_PRICE_BY_SIDE',
    );
    expect(engine.placeOrder('alice', limit('SELL', '12000', '0.1')).order.status).toBe('NEW');
  });

  it('rejects the 201st open order on a symbol (MAX_NUM_ORDERS)', () => {
    for (let i = 0; i < 200; i++) engine.placeOrder('alice', limit('BUY', `${10000 + i}`, '0.001'));
    expect(rejection(() => engine.placeOrder('alice', limit('BUY', '9000', '0.001'))).msg).toBe(
      'Filter failure: MAX_NUM_ORDERS',
    );
    expect(
      engine.placeOrder('alice', { ...limit('BUY', '3000', '0.01'), symbol: 'ETHUSDT' }).order.status,
    ).toBe('NEW');
  });

  it('names the missing or superfluous parameter', () => {
    const base = { symbol: 'BTCUSDT', side: 'BUY', quantity: d('0.1') } as const;
    expect(
      rejection(() => engine.placeOrder('alice', { ...base, type: 'LIMIT', price: d('1000') })).toJSON(),
    ).toEqual({
      code: -1102,
      msg: "Mandatory parameter 'timeInForce' was not sent, was empty/null, or malformed.",
    });
    expect(
      rejection(() => engine.placeOrder('alice', { ...base, type: 'MARKET', price: d('1000') })).toJSON(),
    ).toEqual({ code: -1106, msg: "Parameter 'price' sent when not required." });
    expect(
      rejection(() => engine.placeOrder('alice', { ...base, type: 'MARKET', timeInForce: 'GTC' })).toJSON(),
    ).toEqual({ code: -1114, msg: 'TimeInForce parameter sent when not required.' });
    expect(
      rejection(() =>
        engine.placeOrder('alice', { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET' }),
      ).toJSON(),
    ).toEqual({
      code: -1102,
      msg: "Param 'quantity' or 'quoteOrderQty' must be sent, but both were empty/null!",
    });
    expect(
      rejection(() => engine.placeOrder('alice', { ...limit('BUY', '1', '1'), symbol: 'NOPE' })).toJSON(),
    ).toEqual({ code: -1121, msg: 'Invalid symbol.' });
  });

  it('rejects a client order id already used by an open order, and accepts it again once that order is done', () => {
    const first = engine.placeOrder(
      'alice',
      limit('BUY', '50000', '0.1', { newClientOrderId: 'my-order-1' }),
    );
    expect(
      rejection(() =>
        engine.placeOrder('alice', limit('BUY', '50000', '0.1', { newClientOrderId: 'my-order-1' })),
      ).toJSON(),
    ).toEqual({ code: -2010, msg: 'Duplicate order sent.' });
    // Another account may use the same id.
    expect(
      engine.placeOrder('bob', limit('BUY', '50000', '0.1', { newClientOrderId: 'my-order-1' })).order.status,
    ).toBe('NEW');
    engine.cancelOrder('alice', { symbol: 'BTCUSDT', orderId: first.order.orderId });
    const again = engine.placeOrder(
      'alice',
      limit('BUY', '50000', '0.1', { newClientOrderId: 'my-order-1' }),
    );
    expect(engine.getOrder('alice', { symbol: 'BTCUSDT', origClientOrderId: 'my-order-1' }).orderId).toBe(
      again.order.orderId,
    );
  });

  it('rejects an order the account cannot fund, and every order of an account that may not trade', () => {
    expect(rejection(() => engine.placeOrder('alice', limit('BUY', '60000', '2'))).msg).toBe(
      'Account has insufficient balance for requested action.',
    );
    expect(rejection(() => engine.placeOrder('alice', limit('SELL', '60000', '10.5'))).msg).toBe(
      'Account has insufficient balance for requested action.',
    );
    engine.setCanTrade('alice', false);
    expect(rejection(() => engine.placeOrder('alice', limit('SELL', '60000', '1'))).msg).toBe(
      'This account may not place or cancel orders.',
    );
  });

  it('validates without placing anything with testOrder', () => {
    engine.testOrder('alice', limit('BUY', '50000', '0.1'));
    expect(engine.openOrders('alice')).toEqual([]);
    expect(balance('alice', 'USDT')).toEqual({ free: '100000', locked: '0' });
    expect(rejection(() => engine.testOrder('alice', limit('BUY', '50000', '0.00001'))).msg).toBe(
      'Filter failure: NOTIONAL',
    );
  });
});

describe('stop orders', () => {
  beforeEach(() => {
    // A last price of 60000.
    engine.placeOrder('bob', limit('SELL', '60000', '0.1'));
    engine.placeOrder('bob', limit('BUY', '60000', '0.1'));
  });

  it('rejects a stop that would trigger immediately', () => {
    const stopLoss = { symbol: 'BTCUSDT', side: 'SELL', type: 'STOP_LOSS', quantity: d('0.1') } as const;
    expect(
      rejection(() => engine.placeOrder('alice', { ...stopLoss, stopPrice: d('60000') })).toJSON(),
    ).toEqual({
      code: -2010,
      msg: 'Order would trigger immediately.',
    });
    const takeProfit = { symbol: 'BTCUSDT', side: 'SELL', type: 'TAKE_PROFIT', quantity: d('0.1') } as const;
    expect(rejection(() => engine.placeOrder('alice', { ...takeProfit, stopPrice: d('59000') })).msg).toBe(
      'Order would trigger immediately.',
    );
    expect(engine.placeOrder('alice', { ...takeProfit, stopPrice: d('61000') }).order.status).toBe('NEW');
  });

  it('triggers a stop-loss sell when the last price falls to its stop, as a market order', () => {
    const stop = engine.placeOrder('alice', {
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'STOP_LOSS',
      quantity: d('0.1'),
      stopPrice: d('59000'),
    });
    expect(stop.order.isWorking).toBe(false);
    expect(stop.order.workingTime).toBe(-1);
    expect(balance('alice', 'BTC')).toEqual({ free: '9.9', locked: '0.1' });
    engine.placeOrder('bob', limit('BUY', '58900', '0.5'));
    engine.placeOrder('carol', limit('SELL', '58900', '0.1'));
    const after = engine.getOrder('alice', { symbol: 'BTCUSDT', orderId: stop.order.orderId });
    expect(after.status).toBe('FILLED');
    expect(after.isWorking).toBe(true);
    expect(after.cummulativeQuoteQty.toString()).toBe('5890');
    expect(balance('alice', 'BTC')).toEqual({ free: '9.9', locked: '0' });
  });

  it('triggers a stop-limit buy when the last price rises to its stop, then rests at its limit', () => {
    const stop = engine.placeOrder('alice', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'STOP_LOSS_LIMIT',
      timeInForce: 'GTC',
      quantity: d('0.1'),
      price: d('61000'),
      stopPrice: d('60500'),
    });
    expect(stop.responseType).toBe('ACK');
    expect(balance('alice', 'USDT')).toEqual({ free: '93900', locked: '6100' });
    engine.placeOrder('bob', limit('SELL', '60500', '0.05'));
    engine.placeOrder('carol', limit('BUY', '60500', '0.05'));
    const after = engine.getOrder('alice', { symbol: 'BTCUSDT', orderId: stop.order.orderId });
    expect(after.status).toBe('NEW');
    expect(after.isWorking).toBe(true);
    expect(engine.depth('BTCUSDT').bids[0]?.[0].toString()).toBe('61000');
  });
});

describe('more stop orders', () => {
  beforeEach(() => {
    engine.placeOrder('bob', limit('SELL', '60000', '0.1'));
    engine.placeOrder('bob', limit('BUY', '60000', '0.1'));
  });

  it('triggers a take-profit-limit sell when the price rises to its stop', () => {
    const tp = engine.placeOrder('alice', {
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'TAKE_PROFIT_LIMIT',
      timeInForce: 'GTC',
      quantity: d('0.2'),
      price: d('61000'),
      stopPrice: d('61000'),
    });
    engine.placeOrder('carol', limit('BUY', '61500', '0.5'));
    engine.placeOrder('bob', limit('SELL', '61000', '0.05'));
    // The trade at 61000 fired it; it sold into carol's bid at 61500.
    const after = engine.getOrder('alice', { symbol: 'BTCUSDT', orderId: tp.order.orderId });
    expect([after.status, after.cummulativeQuoteQty.toString()]).toEqual(['FILLED', '12300']);
    expect(balance('alice', 'BTC')).toEqual({ free: '9.8', locked: '0' });
  });

  it('triggers a stop-loss market buy, spending only what the account has', () => {
    const stop = engine.placeOrder('alice', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'STOP_LOSS',
      quantity: d('0.5'),
      stopPrice: d('60500'),
    });
    expect(balance('alice', 'USDT')).toEqual({ free: '69750', locked: '30250' });
    engine.placeOrder('bob', limit('SELL', '60500', '0.1'));
    engine.placeOrder('bob', limit('SELL', '60600', '1'));
    engine.placeOrder('carol', limit('BUY', '60500', '0.1'));
    const after = engine.getOrder('alice', { symbol: 'BTCUSDT', orderId: stop.order.orderId });
    expect([after.status, after.executedQty.toString(), after.cummulativeQuoteQty.toString()]).toEqual([
      'FILLED',
      '0.5',
      '30300',
    ]);
    expect(balance('alice', 'USDT')).toEqual({ free: '69700', locked: '0' });
  });

  it('runs a buy OCO: the stop above triggers and the limit maker below expires', () => {
    const oco = engine.placeOcoOrderList('alice', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      quantity: d('0.1'),
      aboveType: 'STOP_LOSS_LIMIT',
      aboveStopPrice: d('61000'),
      abovePrice: d('61100'),
      aboveTimeInForce: 'GTC',
      belowType: 'LIMIT_MAKER',
      belowPrice: d('59000'),
    });
    // One reservation for both legs: the larger one (61100 × 0.1).
    expect(balance('alice', 'USDT')).toEqual({ free: '93890', locked: '6110' });
    engine.placeOrder('bob', limit('SELL', '61000', '0.3'));
    engine.placeOrder('carol', limit('BUY', '61000', '0.1'));
    const [below, above] = oco.list.orders;
    const limitLeg = engine.getOrder('alice', { symbol: 'BTCUSDT', orderId: below?.orderId ?? 0 });
    const stopLeg = engine.getOrder('alice', { symbol: 'BTCUSDT', orderId: above?.orderId ?? 0 });
    expect([limitLeg.status, limitLeg.expiryReason]).toEqual(['EXPIRED', 'OCO_TRIGGER']);
    expect([stopLeg.status, stopLeg.cummulativeQuoteQty.toString()]).toEqual(['FILLED', '6100']);
    expect(balance('alice', 'USDT')).toEqual({ free: '93900', locked: '0' });
    expect(engine.openOrderLists('alice')).toEqual([]);
  });
});

describe('cancels', () => {
  it('cancels by order id or client id, returns the funds and reports both client ids', () => {
    const placed = engine.placeOrder('alice', limit('BUY', '50000', '0.1', { newClientOrderId: 'mine' }));
    const cancel = engine.cancelOrder('alice', {
      symbol: 'BTCUSDT',
      origClientOrderId: 'mine',
      newClientOrderId: 'cancel-1',
    });
    expect(cancel.order.status).toBe('CANCELED');
    expect(cancel.origClientOrderId).toBe('mine');
    expect(cancel.clientOrderId).toBe('cancel-1');
    expect(balance('alice', 'USDT')).toEqual({ free: '100000', locked: '0' });
    const report = reports('alice').at(-1);
    expect([report?.executionType, report?.clientOrderId, report?.origClientOrderId]).toEqual([
      'CANCELED',
      'cancel-1',
      'mine',
    ]);
    expect(
      rejection(() =>
        engine.cancelOrder('alice', { symbol: 'BTCUSDT', orderId: placed.order.orderId }),
      ).toJSON(),
    ).toEqual({ code: -2011, msg: 'Unknown order sent.' });
    expect(rejection(() => engine.getOrder('alice', { symbol: 'BTCUSDT', orderId: 1 })).toJSON()).toEqual({
      code: -2013,
      msg: 'Order does not exist.',
    });
  });

  it('honours cancel restrictions', () => {
    const placed = engine.placeOrder('alice', limit('BUY', '50000', '0.1'));
    expect(
      rejection(() =>
        engine.cancelOrder('alice', {
          symbol: 'BTCUSDT',
          orderId: placed.order.orderId,
          cancelRestrictions: 'ONLY_PARTIALLY_FILLED',
        }),
      ).msg,
    ).toBe('Order was not canceled due to cancel restrictions.');
    engine.cancelOrder('alice', {
      symbol: 'BTCUSDT',
      orderId: placed.order.orderId,
      cancelRestrictions: 'ONLY_NEW',
    });
  });

  it('cancels all open orders of a symbol', () => {
    engine.placeOrder('alice', limit('BUY', '50000', '0.1'));
    engine.placeOrder('alice', limit('SELL', '70000', '0.1'));
    engine.placeOrder('alice', { ...limit('BUY', '3000', '0.1'), symbol: 'ETHUSDT' });
    const canceled = engine.cancelOpenOrders('alice', 'BTCUSDT');
    expect(canceled.map((item) => item.kind)).toEqual(['order', 'order']);
    expect(engine.openOrders('alice').map((o) => o.symbol)).toEqual(['ETHUSDT']);
    expect(rejection(() => engine.cancelOpenOrders('alice', 'BTCUSDT')).code).toBe(-2011);
  });
});

describe('OCO order lists', () => {
  beforeEach(() => {
    engine.placeOrder('bob', limit('SELL', '60000', '0.1'));
    engine.placeOrder('bob', limit('BUY', '60000', '0.1'));
  });

  const sellOco = {
    symbol: 'BTCUSDT',
    side: 'SELL',
    quantity: d('0.5'),
    aboveType: 'LIMIT_MAKER',
    abovePrice: d('62000'),
    belowType: 'STOP_LOSS_LIMIT',
    belowStopPrice: d('58000'),
    belowPrice: d('57900'),
    belowTimeInForce: 'GTC',
  } as const;

  it('places both legs and expires the stop when the limit maker fills', () => {
    const result = engine.placeOcoOrderList('alice', { ...sellOco, listClientOrderId: 'oco-1' });
    expect(result.list.listStatusType).toBe('EXEC_STARTED');
    expect(result.list.orders.map((o) => o.type)).toEqual(['STOP_LOSS_LIMIT', 'LIMIT_MAKER']);
    expect(balance('alice', 'BTC')).toEqual({ free: '9.5', locked: '0.5' });
    engine.placeOrder('bob', limit('BUY', '62000', '0.2'));
    const [stopLeg, limitLeg] = result.list.orders;
    expect(engine.getOrder('alice', { symbol: 'BTCUSDT', orderId: limitLeg?.orderId ?? 0 }).status).toBe(
      'PARTIALLY_FILLED',
    );
    const expired = engine.getOrder('alice', { symbol: 'BTCUSDT', orderId: stopLeg?.orderId ?? 0 });
    expect([expired.status, expired.expiryReason]).toEqual(['EXPIRED', 'OCO_TRIGGER']);
    expect(balance('alice', 'BTC')).toEqual({ free: '9.5', locked: '0.3' });
    const statuses = events.filter((e) => e.type === 'listStatus').map((e) => e.data.list.listStatusType);
    expect(statuses).toEqual(['EXEC_STARTED', 'ALL_DONE']);
  });

  it('cancels the whole list when one leg is canceled', () => {
    const result = engine.placeOcoOrderList('alice', sellOco);
    engine.cancelOrder('alice', { symbol: 'BTCUSDT', orderId: result.list.orders[1]?.orderId ?? 0 });
    expect(engine.openOrders('alice')).toEqual([]);
    expect(engine.orderList('alice', { orderListId: result.list.orderListId }).listOrderStatus).toBe(
      'ALL_DONE',
    );
    expect(balance('alice', 'BTC')).toEqual({ free: '10', locked: '0' });
  });

  it('rejects legs on the wrong side and prices around the last price', () => {
    expect(
      rejection(() => engine.placeOcoOrderList('alice', { ...sellOco, abovePrice: d('59000') })).msg,
    ).toBe('The relationship of the prices for the orders is not correct.');
    expect(
      rejection(() =>
        engine.placeOcoOrderList('alice', {
          ...sellOco,
          aboveType: 'STOP_LOSS',
          aboveStopPrice: d('62000'),
          abovePrice: undefined,
          belowType: 'LIMIT_MAKER',
        }),
      ).toJSON(),
    ).toEqual({ code: -1197, msg: 'A stop loss order in a sell OCO must be below.' });
  });
});

describe('market data', () => {
  it('keeps the depth diffs contiguous and consistent with the snapshot', () => {
    const book = new OrderBook('fake', 'BTC/USDT');
    const snapshot = engine.depth('BTCUSDT');
    book.reset([], [], snapshot.lastUpdateId, 0);
    let expected = snapshot.lastUpdateId + 1;
    const off = engine.on('depth', (diff) => {
      expect(diff.firstUpdateId).toBe(expected);
      expected = diff.finalUpdateId + 1;
      book.apply(
        diff.bids.map(([p, q]) => [p.toString(), q.toString()]),
        diff.asks.map(([p, q]) => [p.toString(), q.toString()]),
        diff.finalUpdateId,
        diff.eventTime,
      );
    });
    engine.placeOrder('bob', limit('SELL', '60000', '0.1'));
    engine.placeOrder('bob', limit('SELL', '60010', '0.2'));
    const resting = engine.placeOrder('bob', limit('BUY', '59000', '0.2'));
    engine.placeOrder('alice', limit('BUY', '60010', '0.15'));
    engine.cancelOrder('bob', { symbol: 'BTCUSDT', orderId: resting.order.orderId });
    off();
    const truth = engine.depth('BTCUSDT');
    expect(book.sequence).toBe(truth.lastUpdateId);
    expect(book.asks().map((l) => [l.price.toString(), l.quantity.toString()])).toEqual(
      truth.asks.map(([p, q]) => [p.toString(), q.toString()]),
    );
    expect(book.bids()).toEqual([]);
  });

  it('groups fills of one taker at one price into an aggregate trade', () => {
    engine.placeOrder('bob', limit('SELL', '60000', '0.1'));
    engine.placeOrder('carol', limit('SELL', '60000', '0.1'));
    engine.placeOrder('bob', limit('SELL', '60001', '0.1'));
    engine.placeOrder('alice', limit('BUY', '60001', '0.3'));
    const trades = engine.recentTrades('BTCUSDT');
    expect(trades).toHaveLength(3);
    expect(trades.every((t) => !t.isBuyerMaker)).toBe(true);
    const aggs = engine.aggTrades('BTCUSDT');
    expect(
      aggs.map((a) => [a.price.toString(), a.qty.toString(), a.lastTradeId - a.firstTradeId + 1]),
    ).toEqual([
      ['60000', '0.2', 2],
      ['60001', '0.1', 1],
    ]);
  });

  it('builds klines and the 24-hour ticker from trades', async () => {
    engine.placeOrder('bob', limit('SELL', '60000', '0.1'));
    engine.placeOrder('alice', limit('BUY', '60000', '0.1'));
    await clock.advance(60_000);
    engine.placeOrder('bob', limit('SELL', '61000', '0.2'));
    engine.placeOrder('alice', limit('BUY', '61000', '0.2'));
    await clock.advance(120_000);
    const klines = engine.klines('BTCUSDT', '1m');
    expect(klines.map((k) => [k.close.toString(), k.volume.toString(), k.trades, k.closed])).toEqual([
      ['60000', '0.1', 1, true],
      ['61000', '0.2', 1, true],
      ['61000', '0', 0, true],
      ['61000', '0', 0, false],
    ]);
    expect(engine.klines('BTCUSDT', '1h')[0]?.high.toString()).toBe('61000');
    const ticker = engine.ticker24h('BTCUSDT');
    expect(ticker.openPrice.toString()).toBe('60000');
    expect(ticker.lastPrice.toString()).toBe('61000');
    expect(ticker.priceChange.toString()).toBe('1000');
    expect(ticker.priceChangePercent.toString()).toBe('1.667');
    expect(ticker.volume.toString()).toBe('0.3');
    expect(ticker.quoteVolume.toString()).toBe('18200');
    expect(ticker.count).toBe(2);
    expect(engine.avgPrice('BTCUSDT').price.toFixed(2)).toBe('60666.67');
    // The average covers the last 5 minutes only: the 60000 trade leaves it, then the 61000 one.
    await clock.advance(3 * 60_000);
    expect(engine.avgPrice('BTCUSDT').price.toString()).toBe('61000');
    engine.placeOrder('bob', limit('SELL', '62000', '0.2'));
    engine.placeOrder('alice', limit('BUY', '62000', '0.2'));
    expect(engine.avgPrice('BTCUSDT').price.toString()).toBe('61500');
    await clock.advance(60_000);
    expect(engine.avgPrice('BTCUSDT').price.toString()).toBe('62000');
    expect(rejection(() => engine.klines('BTCUSDT', '7m')).toJSON()).toEqual({
      code: -1120,
      msg: 'Invalid interval.',
    });
  });
});

describe('accounts and events', () => {
  it('reports NEW then TRADE to both sides, then the balances that changed', () => {
    engine.placeOrder('bob', limit('SELL', '60000', '0.1'));
    events.length = 0;
    engine.placeOrder('alice', limit('BUY', '60000', '0.1'));
    const sequence = events.map((e) =>
      e.type === 'execution' ? `${e.data.accountId}:${e.data.executionType}:${e.data.order.status}` : e.type,
    );
    expect(sequence).toEqual([
      'alice:NEW:NEW',
      'trade',
      'bob:TRADE:FILLED',
      'alice:TRADE:FILLED',
      'aggTrade',
      'depth',
      'bookTicker',
      'accountPosition',
      'accountPosition',
    ]);
    const positions = events.filter((e) => e.type === 'accountPosition').map((e) => e.data);
    const alice = positions.find((p) => p.accountId === 'alice');
    expect(alice?.balances.map((b) => [b.asset, b.free.toString(), b.locked.toString()]).sort()).toEqual([
      ['BTC', '10.0999', '0'],
      ['USDT', '94000', '0'],
    ]);
  });

  it('finds accounts by api key, revokes keys and refuses the revoked account', () => {
    const account = engine.createAccount({
      apiKey: 'key-1',
      secretKey: 'secret-1',
      balances: { USDT: '10' },
    });
    expect(engine.accountByApiKey('key-1')?.id).toBe(account.id);
    expect(account.hmacSecret()).toBe('secret-1');
    engine.revokeApiKey('key-1');
    expect(engine.accountByApiKey('key-1')?.revoked).toBe(true);
    expect(events.some((e) => e.type === 'apiKeyRevoked')).toBe(true);
    expect(rejection(() => engine.openOrders(account.id)).toJSON()).toEqual({
      code: -2015,
      msg: 'Invalid API-key, IP, or permissions for action.',
    });
  });

  it('credits deposits with a balanceUpdate event', () => {
    engine.adjustBalance('alice', 'ETH', '2.5');
    expect(balance('alice', 'ETH')).toEqual({ free: '2.5', locked: '0' });
    const update = events.find((e) => e.type === 'balanceUpdate');
    expect(update?.data).toMatchObject({ accountId: 'alice', asset: 'ETH' });
  });

  it("routes an account's events to that account's listeners only", () => {
    const routed = new ExchangeEngine({
      clock,
      accounts: ['alice', 'bob', 'carol'].map((id) => ({
        id,
        apiKey: `key-${id}`,
        balances: { USDT: '100000', BTC: '10' },
      })),
    });
    const seen = new Map<string, string[]>();
    const offs = ['alice', 'bob', 'carol'].map((id) => {
      seen.set(id, []);
      return routed.onAccount(id, (event) => {
        // Each listener sees its own account's events, never another's.
        expect(event.data.accountId).toBe(id);
        seen.get(id)?.push(event.type === 'execution' ? `execution:${event.data.executionType}` : event.type);
      });
    });
    expect(routed.listenerCounts()).toEqual({ all: 0, byEvent: {}, accounts: 3, accountListeners: 3 });
    routed.placeOrder('bob', limit('SELL', '60000', '0.1'));
    routed.placeOrder('alice', limit('BUY', '60000', '0.1'));
    routed.placeOcoOrderList('alice', {
      symbol: 'BTCUSDT',
      side: 'SELL',
      quantity: d('0.01'),
      aboveType: 'LIMIT_MAKER',
      abovePrice: d('70000'),
      belowType: 'STOP_LOSS',
      belowStopPrice: d('50000'),
    });
    routed.adjustBalance('bob', 'ETH', '1');
    routed.revokeApiKey('key-alice');
    expect(seen.get('alice')).toEqual([
      'execution:NEW',
      'execution:TRADE',
      'accountPosition',
      'execution:NEW',
      'execution:NEW',
      'listStatus',
      'accountPosition',
      'apiKeyRevoked',
    ]);
    expect(seen.get('bob')).toEqual([
      'execution:NEW',
      'accountPosition',
      'execution:TRADE',
      'accountPosition',
      'balanceUpdate',
      'accountPosition',
    ]);
    expect(seen.get('carol')).toEqual([]);
    for (const off of offs) off();
    expect(routed.listenerCounts()).toEqual({ all: 0, byEvent: {}, accounts: 0, accountListeners: 0 });
  });

  it('keeps running when a listener throws', () => {
    const off = engine.on('trade', () => {
      throw new Error('listener bug');
    });
    engine.placeOrder('bob', limit('SELL', '60000', '0.1'));
    expect(engine.placeOrder('alice', limit('BUY', '60000', '0.1')).order.status).toBe('FILLED');
    off();
  });

  it('lists orders and trades of an account', () => {
    engine.placeOrder('bob', limit('SELL', '60000', '0.1'));
    const buy = engine.placeOrder('alice', limit('BUY', '60000', '0.1'));
    engine.placeOrder('alice', limit('BUY', '50000', '0.1'));
    expect(engine.allOrders('alice', { symbol: 'BTCUSDT' }).map((o) => o.status)).toEqual(['FILLED', 'NEW']);
    const trades = engine.myTrades('alice', { symbol: 'BTCUSDT' });
    expect(trades.map((t) => [t.orderId, t.isBuyer, t.isMaker, t.commissionAsset])).toEqual([
      [buy.order.orderId, true, false, 'BTC'],
    ]);
    expect(engine.myTrades('bob', { symbol: 'BTCUSDT' })[0]?.isMaker).toBe(true);
  });
});

describe('history limits', () => {
  it('forgets the oldest public trades, and the average price follows what it keeps', () => {
    const small = new ExchangeEngine({
      clock,
      tradeHistory: 4,
      accounts: [
        { id: 'x', balances: { USDT: '1000000', BTC: '10' } },
        { id: 'y', balances: { USDT: '1000000', BTC: '10' } },
      ],
    });
    for (let i = 0; i < 10; i++) {
      small.placeOrder('x', limit('SELL', `${60000 + i * 10}`, '0.1'));
      small.placeOrder('y', limit('BUY', `${60000 + i * 10}`, '0.1'));
      small.avgPrice('BTCUSDT');
    }
    const kept = small.recentTrades('BTCUSDT', 1000);
    expect(kept.length).toBeGreaterThanOrEqual(4);
    expect(kept.length).toBeLessThanOrEqual(5);
    const expected = kept.reduce((sum, t) => sum.plus(t.price), new Decimal(0)).div(kept.length);
    expect(small.avgPrice('BTCUSDT').price.eq(expected)).toBe(true);
    // Klines still count every trade.
    expect(small.klines('BTCUSDT', '1m')[0]?.trades).toBe(10);
  });
});

describe('symbols', () => {
  const market = (symbol: string, baseAsset: string, quoteAsset: string) => ({
    symbol,
    baseAsset,
    quoteAsset,
    filters: [
      { filterType: 'PRICE_FILTER', minPrice: '0.01', maxPrice: '100000', tickSize: '0.01' },
      { filterType: 'LOT_SIZE', minQty: '1', maxQty: '100000', stepSize: '1' },
    ] as const,
  });

  it("lists and trades non-ASCII symbols like Binance's (１２３４５６USDT, 这是测试币456)", () => {
    // fact sheet §0: symbols and assets may be non-ASCII (testnet's 这是测试币456, the docs' １２３４５６).
    const wide = engine.addSymbol(market('１２３４５６USDT', '１２３４５６', 'USDT'));
    engine.addSymbol(market('这是测试币456', '这是测试币', '456'));
    expect(wide.symbol).toBe('１２３４５６USDT');
    engine.adjustBalance('bob', '１２３４５６', '50');
    engine.placeOrder('bob', { ...limit('SELL', '2.5', '40'), symbol: '１２３４５６USDT' });
    const buy = engine.placeOrder('alice', { ...limit('BUY', '2.5', '10'), symbol: '１２３４５６USDT' });
    expect(buy.order.status).toBe('FILLED');
    expect(balance('alice', '１２３４５６').free).toBe('9.99'); // less the 0.1 % taker fee
    expect(engine.depth('１２３４５６USDT').asks.map(([p, q]) => `${p}@${q}`)).toEqual(['2.5@30']);
    expect(engine.symbols().map((info) => info.symbol)).toContain('这是测试币456');
  });

  it('refuses symbols a client could not name: lowercase, spaces, symbols, too long', () => {
    for (const symbol of ['btcusdt', 'BTC USDT', 'BTC/USDT', '１２３ａ', 'BTC💰', 'A'.repeat(21), '']) {
      expect(() => engine.addSymbol(market(symbol, 'X', 'Y')), symbol).toThrow(TypeError);
    }
    expect(() => engine.addSymbol(market('btcusdt', 'X', 'Y'))).toThrow(
      'symbol "btcusdt" must be 1-20 characters, each one of A-Z 0-9 - _ . or a non-ASCII letter or digit, none lowercase',
    );
  });
});
