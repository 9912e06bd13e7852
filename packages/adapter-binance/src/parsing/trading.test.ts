import { Decimal, normalizeOrderRequest } from '@venuekit/core';
import { describe, expect, it } from 'vitest';
import { parseBalances, parseMyTrade } from './account';
import * as docs from '@venuekit/testkit/docs-examples';
import { parseCanceledOrders, parseOrder, parseOrderList } from './orders';
import { parseUserEvent } from './user-data';

const d = (text: string) => new Decimal(text);
const resolve = (native: string) => ({ BTCUSDT: 'BTC/USDT', ETHBTC: 'ETH/BTC' })[native];

describe('parseOrder', () => {
  it('reads a FULL placement answer with its fills, fees and average price', () => {
    const order = parseOrder(docs.wsApiOrderFull, 'BTC/USDT', 1);
    expect(order).toMatchObject({
      exchange: 'binance',
      symbol: 'BTC/USDT',
      id: '12569099453',
      clientOrderId: '4d96324ff9d44481926157ec08158a40',
      side: 'sell',
      type: 'limit',
      timeInForce: 'GTC',
      status: 'filled',
      createdAt: 1660801715793,
      updatedAt: 1660801715793,
    });
    expect(order.price).toEqual(d('23416.1'));
    expect(order.quantity).toEqual(d('0.00847'));
    expect(order.filledQuantity).toEqual(d('0.00847'));
    expect(order.filledQuoteQuantity).toEqual(d('198.335215'));
    expect(order.averagePrice).toEqual(d('198.335215').div('0.00847'));
    expect(order.fills?.map((f) => [f.tradeId, f.quantity.toString(), f.quoteQuantity.toString()])).toEqual([
      ['1650422481', '0.00635', '148.692235'],
      ['1650422482', '0.00212', '49.64298'],
    ]);
    expect(order.fees).toEqual([{ asset: 'BNB', amount: d('0') }]);
    expect(order.orderListId).toBeUndefined();
  });

  it('reads a RESULT answer: no fills, no stop price', () => {
    const order = parseOrder(docs.orderResult, 'BTC/USDT', 1);
    expect(order.status).toBe('new');
    expect(order.fills).toBeUndefined();
    expect(order.stopPrice).toBeUndefined();
    expect(order.averagePrice).toBeUndefined();
  });

  it('fills what an ACK answer leaves out from the request that was sent', () => {
    const intent = normalizeOrderRequest({
      symbol: 'BTC/USDT',
      side: 'buy',
      type: 'stop_loss',
      quantity: '1',
      stopPrice: '2',
    });
    const order = parseOrder(docs.wsApiOrderAck, 'BTC/USDT', 5, intent);
    expect(order).toMatchObject({ side: 'buy', type: 'stop_loss', status: 'new', createdAt: 1660801715639 });
    expect(order.quantity).toEqual(d('1'));
    expect(order.stopPrice).toEqual(d('2'));
  });

  it('reads a query answer with its times, ignoring zero stop price and quote quantity', () => {
    const order = parseOrder(docs.wsApiQueryOrder, 'BTC/USDT', 1);
    expect(order).toMatchObject({ createdAt: 1660801715639, updatedAt: 1660801717945, status: 'filled' });
    expect(order.stopPrice).toBeUndefined();
    expect(order.quoteQuantity).toBeUndefined();
  });

  it('takes the order’s own client id from a cancel answer, not the cancel’s', () => {
    const order = parseOrder(docs.wsApiCancelOrder, 'BTC/USDT', 42);
    expect(order.clientOrderId).toBe('4d96324ff9d44481926157');
    expect(order.status).toBe('canceled');
    expect(order.createdAt).toBe(1684804350068);
    // The docs' cancel example used to carry no time at all (it has `transactTime` now): then the
    // receive time stands in.
    const { transactTime: _time, ...noTime } = docs.wsApiCancelOrder;
    expect(parseOrder(noTime, 'BTC/USDT', 42).createdAt).toBe(42);
  });

  it('flattens a cancel-all answer with an OCO into its orders', () => {
    const orders = parseCanceledOrders(docs.wsApiCancelAllOpenOrders, 'BTC/USDT', 1);
    expect(orders.map((o) => [o.id, o.clientOrderId, o.type, o.orderListId])).toEqual([
      ['12569099453', '4d96324ff9d44481926157', 'limit', undefined],
      ['12569099453', 'bX5wROblo6YeDwa9iTLeyY', 'stop_loss_limit', '19431'],
      ['12569099454', 'Tnu2IP0J5Y4mxw3IATBfmW', 'limit_maker', '19431'],
    ]);
  });

  it('reads an OCO placement answer', () => {
    const list = parseOrderList(docs.wsApiOcoOrderList, 'BTC/USDT', 1);
    expect(list).toMatchObject({
      id: '1274512',
      listClientOrderId: '08985fedd9ea2cf6b28996',
      contingencyType: 'OCO',
      status: 'executing',
      transactionTime: 1660801713793,
    });
    expect(list.orders.map((o) => [o.type, o.stopPrice?.toString(), o.price?.toString()])).toEqual([
      ['stop_loss_limit', '23405', '23410'],
      ['limit_maker', undefined, '23420'],
    ]);
  });

  it('reads open orders', () => {
    const [order] = [docs.wsApiOpenOrder].map((o) => parseOrder(o, 'BTC/USDT', 1));
    expect(order?.status).toBe('partially_filled');
    expect(order?.filledQuantity).toEqual(d('0.0072'));
  });
});

describe('account parsing', () => {
  it('reads balances, leaving out empty ones', () => {
    expect(parseBalances(docs.wsApiAccount)).toEqual([
      { asset: 'BTC', free: d('1.3447112'), locked: d('0.086'), total: d('1.4307112') },
      { asset: 'USDT', free: d('1021.21'), locked: d('0'), total: d('1021.21') },
    ]);
    expect(parseBalances(docs.wsApiAccount, true)).toHaveLength(3);
  });

  it('reads my trades as fills', () => {
    const fill = parseMyTrade(docs.wsApiMyTrades[0]!, 'BTC/USDT');
    expect(fill).toMatchObject({
      tradeId: '1650422481',
      orderId: '12569099453',
      side: 'sell',
      isMaker: true,
      timestamp: 1660801715793,
    });
    expect(fill.quoteQuantity).toEqual(d('148.692235'));
    expect(fill.fee).toEqual({ asset: 'BNB', amount: d('0') });
  });
});

describe('user data events', () => {
  it('reads an executionReport as an order update', () => {
    const event = parseUserEvent(docs.executionReport, resolve);
    if (event.kind !== 'execution') throw new Error(event.kind);
    expect(event.executionType).toBe('new');
    expect(event.fill).toBeUndefined();
    expect(event.rejectReason).toBeUndefined();
    expect(event.timestamp).toBe(1499405658658);
    expect(event.order).toMatchObject({
      symbol: 'ETH/BTC',
      id: '4293153',
      clientOrderId: 'mUvoqJxFIILMdfAW5iGSOW',
      side: 'buy',
      type: 'limit',
      status: 'new',
      createdAt: 1499405658657,
    });
    expect(event.order.price).toEqual(d('0.1026441'));
  });

  it('reads a trade report as a fill, and a cancel report under the order’s own client id', () => {
    const trade = parseUserEvent(
      {
        ...docs.executionReport,
        x: 'TRADE',
        X: 'PARTIALLY_FILLED',
        t: 99,
        l: '0.5',
        L: '0.1',
        Y: '0.05',
        z: '0.5',
        Z: '0.05',
        n: '0.0005',
        N: 'ETH',
        m: true,
      },
      resolve,
    );
    if (trade.kind !== 'execution') throw new Error(trade.kind);
    expect(trade.fill).toMatchObject({ tradeId: '99', orderId: '4293153', isMaker: true });
    expect(trade.fill?.fee).toEqual({ asset: 'ETH', amount: d('0.0005') });
    expect(trade.order.averagePrice).toEqual(d('0.1'));
    const cancel = parseUserEvent(
      { ...docs.executionReport, x: 'CANCELED', X: 'CANCELED', c: 'cancel-id', C: 'mUvoqJxFIILMdfAW5iGSOW' },
      resolve,
    );
    if (cancel.kind !== 'execution') throw new Error(cancel.kind);
    expect(cancel.order.clientOrderId).toBe('mUvoqJxFIILMdfAW5iGSOW');
    expect(cancel.executionType).toBe('canceled');
  });

  it('reads balance events', () => {
    expect(parseUserEvent(docs.outboundAccountPosition, resolve)).toEqual({
      kind: 'balances',
      balances: [{ asset: 'ETH', free: d('10000'), locked: d('0'), total: d('10000') }],
      timestamp: 1564034571105,
    });
    expect(parseUserEvent(docs.balanceUpdate, resolve)).toEqual({
      kind: 'balance_delta',
      asset: 'BTC',
      delta: d('100'),
      timestamp: 1573200697110,
    });
  });

  it('reads list status and the end of a subscription; ignores unknown symbols and events', () => {
    expect(parseUserEvent(docs.listStatus, resolve)).toMatchObject({
      kind: 'list_status',
      symbol: 'ETH/BTC',
      orderListId: '2',
      status: 'executing',
      orders: [
        { orderId: '17', clientOrderId: 'AJYsMjErWJesZvqlJCTUgL' },
        { orderId: '18', clientOrderId: 'bfYPSQdLoqAJeNrOr9adzq' },
      ],
    });
    expect(parseUserEvent({ e: 'eventStreamTerminated', E: 5 }, resolve)).toEqual({
      kind: 'terminated',
      timestamp: 5,
    });
    expect(parseUserEvent({ ...docs.executionReport, s: 'NOPE' }, resolve).kind).toBe('ignored');
    expect(parseUserEvent({ e: 'externalLockUpdate', E: 1 }, resolve)).toEqual({
      kind: 'ignored',
      type: 'externalLockUpdate',
    });
  });
});
