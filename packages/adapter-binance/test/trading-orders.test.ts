import { Decimal, normalizeOrderRequest, type Order, type OrderRequestInput } from '@venuekit/core';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Harness, leakedSecrets, startHarness } from './trading-harness';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
  // The fake's simulated participants seeded the book; from here on it moves only by these tests'
  // orders. Several tests compare the book before and after a request (or compute what a market
  // order must take from it): a simulated order landing in between — likely on a loaded machine,
  // where a request takes longer — is not the request's doing.
  h.fake.handle.simulation?.pause();
});
afterEach(async () => {
  await h.close();
});
afterAll(() => {
  expect(leakedSecrets()).toEqual([]);
});

const order = (input: Partial<OrderRequestInput>) =>
  normalizeOrderRequest({
    symbol: 'BTC/USDT',
    side: 'buy',
    type: 'limit',
    quantity: '0.01',
    price: '50000',
    ...input,
  });

const placements = () => h.requests.filter((r) => r.method === 'POST' && r.path === '/api/v3/order');

describe('placing every order type over REST', () => {
  it('LIMIT GTC rests on the book and locks the quote', async () => {
    const placed = await h.account.placeOrder(order({ price: '50000.00', quantity: '0.01000' }));
    expect(placements()).toHaveLength(1);
    expect(placements()[0]?.params).toMatchObject({
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.01',
      price: '50000',
      newClientOrderId: placed.clientOrderId,
      newOrderRespType: 'FULL',
      recvWindow: '5000',
    });
    expect(placements()[0]?.params.timestamp).toMatch(/^\d{13}$/);
    expect(placed.clientOrderId).toMatch(/^vk/);
    expect(placed).toMatchObject({
      symbol: 'BTC/USDT',
      side: 'buy',
      type: 'limit',
      status: 'new',
      timeInForce: 'GTC',
    });
    expect(placed.price?.toString()).toBe('50000');
    const bid = h.fake.handle.book('BTCUSDT').bids.find(([price]) => price.eq(50000));
    expect(bid?.[1].toString()).toBe('0.01');
    expect(h.balance('USDT')).toEqual({ free: '999500', locked: '500' });
  });

  it('LIMIT IOC and FOK expire when nothing matches, leaving balances as they were', async () => {
    const ioc = await h.account.placeOrder(order({ timeInForce: 'IOC' }));
    const fok = await h.account.placeOrder(order({ timeInForce: 'FOK' }));
    expect(placements().map((r) => r.params.timeInForce)).toEqual(['IOC', 'FOK']);
    expect([ioc.status, fok.status]).toEqual(['expired', 'expired']);
    expect(h.balance('USDT')).toEqual({ free: '1000000', locked: '0' });
  });

  it('MARKET by quantity takes the best asks; its fills, fees and average price come back', async () => {
    h.makerOrder('SELL', '60000', '0.005');
    // What the order must take: the best levels of the fake's book, in order.
    const expected: Array<[string, string]> = [];
    let left = new Decimal('0.008');
    let quote = new Decimal(0);
    for (const [price, quantity] of h.fake.handle.book('BTCUSDT').asks) {
      if (left.isZero()) break;
      const take = Decimal.min(left, quantity);
      expected.push([price.toString(), take.toString()]);
      quote = quote.plus(price.mul(take));
      left = left.minus(take);
    }
    const filled = await h.account.placeOrder(order({ type: 'market', price: undefined, quantity: '0.008' }));
    expect(placements()[0]?.params).toMatchObject({ type: 'MARKET', quantity: '0.008' });
    expect(placements()[0]?.params.price).toBeUndefined();
    expect(placements()[0]?.params.timeInForce).toBeUndefined();
    expect(filled.status).toBe('filled');
    expect(filled.fills?.map((f) => [f.price.toString(), f.quantity.toString()])).toEqual(expected);
    expect(expected[0]).toEqual(['60000', '0.005']);
    expect(filled.filledQuoteQuantity.toString()).toBe(quote.toString());
    expect(filled.averagePrice?.toString()).toBe(quote.div('0.008').toString());
    expect(filled.fees.map((f) => f.asset)).toEqual(['BTC']);
    expect(h.balance('BTC').free).toBe(new Decimal('10.008').minus(filled.fees[0]!.amount).toString());
    expect(h.balance('USDT').free).toBe(new Decimal('1000000').minus(quote).toString());
    expect(h.fake.handle.book('BTCUSDT').asks[0]?.[0].toString()).not.toBe('60000');
  });

  it('MARKET by quote amount spends at most that much', async () => {
    h.makerOrder('SELL', '60000', '1'); // better than the seeded asks: fills here only
    const filled = await h.account.placeOrder(
      order({ type: 'market', price: undefined, quantity: undefined, quoteQuantity: '600' }),
    );
    expect(placements()[0]?.params).toMatchObject({ type: 'MARKET', quoteOrderQty: '600' });
    expect(placements()[0]?.params.quantity).toBeUndefined();
    expect(filled.status).toBe('filled');
    expect(filled.filledQuantity.toString()).toBe('0.01');
    expect(filled.filledQuoteQuantity.toString()).toBe('600');
    expect(h.balance('USDT').free).toBe('999400');
  });

  it('LIMIT_MAKER rests, and is refused when it would take', async () => {
    const resting = await h.account.placeOrder(order({ type: 'limit_maker', price: '59000' }));
    expect(placements()[0]?.params).toMatchObject({ type: 'LIMIT_MAKER', price: '59000' });
    expect(placements()[0]?.params.timeInForce).toBeUndefined();
    expect(resting.status).toBe('new');
    const error = await h.failure(() => h.account.placeOrder(order({ type: 'limit_maker', price: '60100' })));
    expect(error).toMatchObject({ code: 'ORDER_REJECTED', venue: { code: -2010 } });
    expect(h.allOrders().filter((o) => o.type === 'LIMIT_MAKER')).toHaveLength(1);
  });

  it.each([
    ['stop_loss', { stopPrice: '55000' }, 'STOP_LOSS'],
    ['stop_loss_limit', { stopPrice: '55000', price: '54900' }, 'STOP_LOSS_LIMIT'],
    ['take_profit', { stopPrice: '65000' }, 'TAKE_PROFIT'],
    ['take_profit_limit', { stopPrice: '65000', price: '65100' }, 'TAKE_PROFIT_LIMIT'],
  ] as const)('%s waits for its trigger off the book and locks the base', async (type, prices, wire) => {
    const before = h.fake.handle.book('BTCUSDT');
    const placed = await h.account.placeOrder(
      order({
        type,
        side: 'sell',
        price: undefined,
        ...prices,
        timeInForce: 'price' in prices ? 'GTC' : undefined,
      }),
    );
    expect(placements()[0]?.params).toMatchObject({
      type: wire,
      side: 'SELL',
      stopPrice: prices.stopPrice,
      newOrderRespType: 'FULL',
      ...('price' in prices ? { price: prices.price, timeInForce: 'GTC' } : {}),
    });
    expect(placed).toMatchObject({ type, side: 'sell', status: 'new' });
    expect(placed.stopPrice?.toString()).toBe(prices.stopPrice);
    expect(h.fake.handle.orders('trader').map((o) => o.type)).toEqual([wire]);
    expect(h.balance('BTC')).toEqual({ free: '9.99', locked: '0.01' });
    // Off the book until triggered.
    const after = h.fake.handle.book('BTCUSDT');
    expect(after.asks).toEqual(before.asks);
    expect(after.bids).toEqual(before.bids);
  });

  it('places an OCO as a limit maker above and a stop below the market', async () => {
    const list = await h.account.placeOcoOrder({
      symbol: 'BTC/USDT',
      side: 'sell',
      quantity: order({}).quantity!,
      price: order({ price: '62000' }).price!,
      stopPrice: order({ price: '58000' }).price!,
      stopLimitPrice: order({ price: '57900' }).price!,
      stopLimitTimeInForce: 'GTC',
    });
    const sent = h.requests.find((r) => r.path === '/api/v3/orderList/oco');
    expect(sent?.params).toMatchObject({
      symbol: 'BTCUSDT',
      side: 'SELL',
      quantity: '0.01',
      aboveType: 'LIMIT_MAKER',
      abovePrice: '62000',
      belowType: 'STOP_LOSS_LIMIT',
      belowStopPrice: '58000',
      belowPrice: '57900',
      belowTimeInForce: 'GTC',
      listClientOrderId: list.listClientOrderId,
    });
    expect(list).toMatchObject({ contingencyType: 'OCO', status: 'executing' });
    expect(list.orders.map((o) => o.type).sort()).toEqual(['limit_maker', 'stop_loss_limit']);
    expect(h.fake.handle.orders('trader')).toHaveLength(2);
    expect(h.balance('BTC')).toEqual({ free: '9.99', locked: '0.01' });
  });

  it('places and cancels over the WebSocket API', async () => {
    const placed = await h.account.placeOrder(order({}), { transport: 'websocket' });
    expect(placements()).toHaveLength(0);
    expect(placed.status).toBe('new');
    expect(h.fake.handle.orders('trader').map((o) => o.clientOrderId)).toEqual([placed.clientOrderId]);
    const canceled = await h.account.cancelOrder(
      { symbol: 'BTC/USDT', orderId: placed.id },
      { transport: 'websocket' },
    );
    expect(canceled).toMatchObject({
      id: placed.id,
      clientOrderId: placed.clientOrderId,
      status: 'canceled',
    });
    expect(h.fake.handle.orders('trader')).toHaveLength(0);
    expect(h.balance('USDT')).toEqual({ free: '1000000', locked: '0' });
  });
});

describe('managing orders', () => {
  it('cancels one order, all orders of a symbol, and queries', async () => {
    const a = await h.account.placeOrder(order({ price: '50000' }));
    const b = await h.account.placeOrder(order({ price: '49000' }));
    const c = await h.account.placeOrder(order({ price: '48000', clientOrderId: 'my-own-id-1' }));
    expect(c.clientOrderId).toBe('my-own-id-1');
    expect((await h.account.getOrder({ symbol: 'BTC/USDT', clientOrderId: 'my-own-id-1' })).id).toBe(c.id);
    expect((await h.account.getOpenOrders('BTC/USDT')).map((o) => o.id).sort()).toEqual(
      [a.id, b.id, c.id].sort(),
    );
    expect((await h.account.getOpenOrders()).length).toBe(3);
    const canceled = await h.account.cancelOrder({ symbol: 'BTC/USDT', clientOrderId: a.clientOrderId });
    expect(canceled).toMatchObject({ id: a.id, status: 'canceled', clientOrderId: a.clientOrderId });
    const rest = await h.account.cancelAllOrders('BTC/USDT');
    expect(rest.map((o) => o.id).sort()).toEqual([b.id, c.id].sort());
    expect(rest.every((o) => o.status === 'canceled')).toBe(true);
    expect(h.fake.handle.orders('trader')).toHaveLength(0);
    expect(await h.account.cancelAllOrders('BTC/USDT')).toEqual([]);
    const history = await h.account.getOrderHistory('BTC/USDT');
    expect(history.map((o) => o.status)).toEqual(['canceled', 'canceled', 'canceled']);
    const notFound = await h.failure(() =>
      h.account.getOrder({ symbol: 'BTC/USDT', clientOrderId: 'never-sent' }),
    );
    expect(notFound).toMatchObject({
      code: 'ORDER_NOT_FOUND',
      context: { symbol: 'BTC/USDT', userId: 'alice' },
    });
  });

  it('reports my trades and balances', async () => {
    h.makerOrder('SELL', '60000', '0.01'); // better than the seeded asks: fills here only
    const filled: Order = await h.account.placeOrder(
      order({ type: 'market', price: undefined, quantity: '0.01' }),
    );
    const trades = await h.account.getTrades('BTC/USDT');
    expect(
      trades.map((t) => [t.orderId, t.side, t.price.toString(), t.quantity.toString(), t.isMaker]),
    ).toEqual([[filled.id, 'buy', '60000', '0.01', false]]);
    const balances = await h.account.getBalances();
    const usdt = balances.find((b) => b.asset === 'USDT');
    expect(usdt?.free.toString()).toBe('999400');
    expect(usdt?.total.toString()).toBe('999400');
    expect(balances.find((b) => b.asset === 'BTC')?.free.toString()).toBe(h.balance('BTC').free);
    await expect(h.account.verifyCredentials()).resolves.toBeUndefined();
  });

  it('validates a test order at the venue without placing it', async () => {
    await h.account.testOrder(order({}));
    expect(h.requests.map((r) => r.path)).toContain('/api/v3/order/test');
    expect(h.allOrders()).toHaveLength(0);
    const error = await h.failure(() => h.account.testOrder(order({ quantity: '100' })));
    expect(error).toMatchObject({ code: 'INSUFFICIENT_FUNDS' });
  });
});

describe('refusing bad input before anything is sent', () => {
  it.each([
    [{ price: '50000.001' }, 'FILTER_VIOLATION', 'price'],
    [{ quantity: '0.000001' }, 'FILTER_VIOLATION', 'quantity'],
    [{ quantity: '0.0001', price: '100' }, 'FILTER_VIOLATION', 'quantity'],
    [{ side: 'up' }, 'INVALID_PARAMETER', 'side'],
    [{ type: 'limit', price: undefined }, 'MISSING_PARAMETER', 'price'],
    [{ clientOrderId: 'has spaces' }, 'INVALID_PARAMETER', 'clientOrderId'],
  ] as const)('%j → %s naming %s', async (input, code, field) => {
    const error = await h.failure(() =>
      h.account.placeOrder({
        symbol: 'BTC/USDT',
        side: 'buy',
        type: 'limit',
        quantity: '0.01',
        price: '50000',
        ...input,
      } as never),
    );
    expect(error).toMatchObject({ code, field });
    expect(h.requests).toHaveLength(0);
  });

  it('rounds to the filters when asked', async () => {
    const placed = await h.account.placeOrder(order({ price: '50000.019', quantity: '0.0123456' }), {
      round: true,
    });
    expect(placements()[0]?.params).toMatchObject({ price: '50000.01', quantity: '0.01234' });
    expect(placed.quantity.toString()).toBe('0.01234');
  });

  it('refuses an unknown market and a reference without ids', async () => {
    expect(await h.failure(() => h.account.placeOrder(order({ symbol: 'DOGE/USDT' })))).toMatchObject({
      code: 'UNKNOWN_SYMBOL',
    });
    expect(await h.failure(() => h.account.cancelOrder({ symbol: 'BTC/USDT' }))).toMatchObject({
      code: 'MISSING_PARAMETER',
      field: 'orderId',
    });
    expect(h.requests).toHaveLength(0);
  });

  it('maps venue rejections: insufficient funds and a duplicate client order id', async () => {
    expect(await h.failure(() => h.account.placeOrder(order({ quantity: '100' })))).toMatchObject({
      code: 'INSUFFICIENT_FUNDS',
      category: 'insufficient_funds',
      context: { clientOrderId: expect.any(String), userId: 'alice' },
    });
    await h.account.placeOrder(order({ clientOrderId: 'dup-1' }));
    const duplicate = await h.failure(() => h.account.placeOrder(order({ clientOrderId: 'dup-1' })));
    expect(duplicate).toMatchObject({ code: 'DUPLICATE_ORDER' });
    expect(h.allOrders().filter((o) => o.clientOrderId === 'dup-1')).toHaveLength(1);
  });
});
