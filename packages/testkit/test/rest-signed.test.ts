import { ManualClock } from '@venuekit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as docs from '../src/docs-examples';
import { startFakeBinance } from '../src/start';
import { ALICE_KEY, startTestExchange, type TestExchange } from './support/fake';
import { hmacHex } from './support/signing';
import { shapeDiff } from './support/shape';

// Signed REST endpoints over a real socket: Binance's signature, timing and key rules, and the
// order / account endpoints compared with the official examples (rest-api.md).

interface OrderBody {
  orderId: number;
  clientOrderId: string;
  origClientOrderId?: string;
  status: string;
  executedQty: string;
  fills?: unknown[];
}

describe("the docs' signed request, byte for byte", () => {
  // rest-api.md "SIGNED Endpoint Examples for POST /api/v3/order": the example key, secret and
  // request, answered by a fake whose clock stands at the example's timestamp.
  const DOC_KEY = 'vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A';
  const DOC_SECRET = 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j';
  const BODY =
    'symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559';

  it('accepts the official HMAC vector as a body, a query, and mixed; rejects a tampered copy', async () => {
    const fake = await startFakeBinance({
      clock: new ManualClock(1499827319559 + 200),
      symbols: [
        {
          symbol: 'LTCBTC',
          baseAsset: 'LTC',
          quoteAsset: 'BTC',
          initialPrice: '0.1',
          filters: [
            {
              filterType: 'PRICE_FILTER',
              minPrice: '0.00000100',
              maxPrice: '100000.00000000',
              tickSize: '0.00000100',
            },
            {
              filterType: 'LOT_SIZE',
              minQty: '0.00100000',
              maxQty: '100000.00000000',
              stepSize: '0.00100000',
            },
          ],
        },
      ],
      accounts: [{ id: 'doc', apiKey: DOC_KEY, secretKey: DOC_SECRET, balances: { BTC: '10' } }],
    });
    try {
      const post = (path: string, body?: string) =>
        fetch(`${fake.restUrl}${path}`, {
          method: 'POST',
          headers: { 'X-MBX-APIKEY': DOC_KEY, 'Content-Type': 'application/x-www-form-urlencoded' },
          ...(body !== undefined && { body }),
        });
      const asBody = await post(
        '/api/v3/order',
        `${BODY}&signature=c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71`,
      );
      expect(asBody.status).toBe(200);
      const asQuery = await post(
        `/api/v3/order?${BODY}&signature=c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71`,
      );
      expect(asQuery.status).toBe(200);
      const mixed = await post(
        '/api/v3/order?symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC',
        'quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559&signature=0fd168b8ddb4876a0358a8d14d0c9f3da0e9b20c5d52b2a00fcf7d1c602f9a77',
      );
      expect(mixed.status).toBe(200);
      expect(fake.handle.orders('doc')).toHaveLength(3);
      const tampered = await post(
        '/api/v3/order',
        `${BODY.replace('quantity=1', 'quantity=2')}&signature=c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71`,
      );
      expect([tampered.status, await tampered.json()]).toEqual([
        400,
        { code: -1022, msg: 'Signature for this request is not valid.' },
      ]);
      expect(fake.handle.orders('doc')).toHaveLength(3);
    } finally {
      await fake.close();
    }
  });
});

describe('signed REST endpoints', () => {
  let t: TestExchange;

  beforeAll(async () => {
    t = await startTestExchange();
  });

  afterAll(async () => {
    await t.close();
  });

  it('checks the api key: -2014 malformed or missing, -2015 unknown', async () => {
    const missing = await t.public.raw('GET', '/api/v3/account?timestamp=1&signature=00');
    expect([missing.status, missing.body]).toEqual([401, { code: -2014, msg: 'API-key format invalid.' }]);
    const malformed = await t.alice.signed('GET', '/api/v3/account', {}, { apiKey: 'not a key!' });
    expect(malformed.body).toEqual({ code: -2014, msg: 'API-key format invalid.' });
    const unknown = await t.alice.signed('GET', '/api/v3/account', {}, { apiKey: 'x'.repeat(64) });
    expect([unknown.status, unknown.body]).toEqual([
      401,
      { code: -2015, msg: 'Invalid API-key, IP, or permissions for action.' },
    ]);
  });

  it('checks the signature: -1022 for a wrong or tampered one, -1102 when missing', async () => {
    const wrong = await t.alice.signed(
      'GET',
      '/api/v3/account',
      {},
      { signature: () => hmacHex('other', 'x') },
    );
    expect(wrong.body).toEqual({ code: -1022, msg: 'Signature for this request is not valid.' });
    const missing = await t.alice.raw('GET', `/api/v3/account?timestamp=${Date.now()}`, undefined, {
      'X-MBX-APIKEY': ALICE_KEY,
    });
    expect(missing.body).toEqual({
      code: -1102,
      msg: "Mandatory parameter 'signature' was not sent, was empty/null, or malformed.",
    });
    // Ed25519 signatures are verified too.
    expect((await t.ed.signed('GET', '/api/v3/account')).status).toBe(200);
    const edWrong = await t.ed.signed('GET', '/api/v3/account', {}, { signature: () => 'AAAA' });
    expect(edWrong.body).toEqual({ code: -1022, msg: 'Signature for this request is not valid.' });
  });

  it('enforces timestamp and recvWindow with both -1021 messages', async () => {
    const old = await t.alice.signed('GET', '/api/v3/account', { timestamp: Date.now() - 6000 });
    expect(old.body).toEqual({
      code: -1021,
      msg: 'Timestamp for this request is outside of the recvWindow.',
    });
    const widened = await t.alice.signed('GET', '/api/v3/account', {
      timestamp: Date.now() - 6000,
      recvWindow: 10000,
    });
    expect(widened.status).toBe(200);
    const ahead = await t.alice.signed('GET', '/api/v3/account', { timestamp: Date.now() + 5000 });
    expect(ahead.body).toEqual({
      code: -1021,
      msg: "Timestamp for this request was 1000ms ahead of the server's time.",
    });
    const tooWide = await t.alice.signed('GET', '/api/v3/account', { recvWindow: 60001 });
    expect(tooWide.body).toEqual({
      code: -1102,
      msg: "'recvWindow' contains unexpected value. Cannot be greater than '60000'.",
    });
    const micro = await t.alice.signed('GET', '/api/v3/account', { timestamp: Date.now() * 1000 });
    expect(micro.status).toBe(200);
  });

  it('places orders with ACK, RESULT and FULL responses and the order-count headers', async () => {
    const before = t.fake.handle.usedWeight();
    const ack = await t.alice.signed<OrderBody>(
      'POST',
      '/api/v3/order',
      {
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'LIMIT',
        timeInForce: 'GTC',
        quantity: '0.01',
        price: '50000',
        newOrderRespType: 'ACK',
      },
      { in: 'body' },
    );
    expect(ack.status).toBe(200);
    expect(shapeDiff(ack.body, docs.orderAck)).toEqual([]);
    expect(ack.headers.get('x-mbx-order-count-10s')).toBe('1');
    expect(ack.headers.get('x-mbx-order-count-1d')).toBe('1');
    // A successful order costs no weight (since 2026-04-02).
    expect(Number(ack.headers.get('x-mbx-used-weight-1m'))).toBe(before);
    const result = await t.alice.signed<OrderBody>('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.01',
      price: '50000',
      newOrderRespType: 'RESULT',
    });
    expect(shapeDiff(result.body, docs.orderResult)).toEqual([]);
    const full = await t.alice.signed<OrderBody>('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'MARKET',
      quantity: '0.01',
    });
    expect(shapeDiff(full.body, docs.orderFull)).toEqual([]);
    expect(full.body.status).toBe('FILLED');
    expect(full.body.fills).toHaveLength(1);
    expect(full.headers.get('x-mbx-order-count-10s')).toBe('3');
  });

  it('queries, lists and cancels orders, with the cancel reporting both client ids', async () => {
    const placed = await t.alice.signed<OrderBody>('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.02',
      price: '70000',
      newClientOrderId: 'my-sell-1',
    });
    expect(placed.body.clientOrderId).toBe('my-sell-1');
    const byId = await t.alice.signed<OrderBody>('GET', '/api/v3/order', {
      symbol: 'BTCUSDT',
      orderId: placed.body.orderId,
    });
    expect(shapeDiff(byId.body, docs.queryOrder)).toEqual([]);
    const byClientId = await t.alice.signed<OrderBody>('GET', '/api/v3/order', {
      symbol: 'BTCUSDT',
      origClientOrderId: 'my-sell-1',
    });
    expect(byClientId.body.orderId).toBe(placed.body.orderId);
    const open = await t.alice.signed<OrderBody[]>('GET', '/api/v3/openOrders', { symbol: 'BTCUSDT' });
    expect(open.body.map((o) => o.orderId)).toContain(placed.body.orderId);
    const duplicate = await t.alice.signed('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.02',
      price: '70000',
      newClientOrderId: 'my-sell-1',
    });
    expect(duplicate.body).toEqual({ code: -2010, msg: 'Duplicate order sent.' });
    const cancel = await t.alice.signed<OrderBody>('DELETE', '/api/v3/order', {
      symbol: 'BTCUSDT',
      origClientOrderId: 'my-sell-1',
      newClientOrderId: 'cancel-1',
    });
    expect(shapeDiff(cancel.body, docs.cancelOrder)).toEqual([]);
    expect([cancel.body.status, cancel.body.origClientOrderId, cancel.body.clientOrderId]).toEqual([
      'CANCELED',
      'my-sell-1',
      'cancel-1',
    ]);
    const again = await t.alice.signed('DELETE', '/api/v3/order', {
      symbol: 'BTCUSDT',
      orderId: placed.body.orderId,
    });
    expect(again.body).toEqual({ code: -2011, msg: 'Unknown order sent.' });
    const unknown = await t.alice.signed('GET', '/api/v3/order', { symbol: 'BTCUSDT', orderId: 1 });
    expect(unknown.body).toEqual({ code: -2013, msg: 'Order does not exist.' });
    const neither = await t.alice.signed('GET', '/api/v3/order', { symbol: 'BTCUSDT' });
    expect(neither.body).toEqual({
      code: -1102,
      msg: "Param 'orderId' or 'origClientOrderId' must be sent, but both were empty/null!",
    });
    const all = await t.alice.signed<OrderBody[]>('GET', '/api/v3/allOrders', { symbol: 'BTCUSDT' });
    expect(all.body.find((o) => o.orderId === placed.body.orderId)?.status).toBe('CANCELED');
    const cancelAll = await t.alice.signed<OrderBody[]>('DELETE', '/api/v3/openOrders', {
      symbol: 'BTCUSDT',
    });
    expect(cancelAll.body.length).toBeGreaterThan(0);
    expect(cancelAll.body.every((o) => o.status === 'CANCELED')).toBe(true);
    expect(t.fake.handle.orders('alice')).toHaveLength(0);
  });

  it("rejects with the engine's codes: filters (-1013), funds (-2010), enums (-1116/-1117)", async () => {
    const tick = await t.alice.signed('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.01',
      price: '50000.005',
    });
    expect(tick.body).toEqual({ code: -1013, msg: 'Filter failure: PRICE_FILTER' });
    const lot = await t.alice.signed('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.000001',
      price: '50000',
    });
    expect(lot.body).toEqual({ code: -1013, msg: 'Filter failure: LOT_SIZE' });
    const before = t.fake.handle.usedWeight();
    const funds = await t.alice.signed('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '100',
      price: '50000',
    });
    expect(funds.body).toEqual({
      code: -2010,
      msg: 'Account has insufficient balance for requested action.',
    });
    // A failed order is charged its weight (1).
    expect(Number(funds.headers.get('x-mbx-used-weight-1m'))).toBe(before + 1);
    const type = await t.alice.signed('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'FOO',
    });
    expect(type.body).toEqual({ code: -1116, msg: 'Invalid orderType.' });
    const side = await t.alice.signed('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'UP',
      type: 'MARKET',
    });
    expect(side.body).toEqual({ code: -1117, msg: 'Invalid side.' });
    const extra = await t.alice.signed('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'MARKET',
      quantity: '0.01',
      pegPriceType: 'PRIMARY_PEG',
    });
    expect((extra.body as { code: number }).code).toBe(-1104);
  });

  it('tests orders without placing them', async () => {
    const test = await t.alice.signed('POST', '/api/v3/order/test', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.01',
      price: '50000',
    });
    expect([test.status, test.body]).toEqual([200, {}]);
    const rates = await t.alice.signed<Record<string, unknown>>('POST', '/api/v3/order/test', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'MARKET',
      quantity: '0.01',
      computeCommissionRates: true,
    });
    expect(Object.keys(rates.body).sort()).toEqual([
      'discount',
      'specialCommissionForOrder',
      'standardCommissionForOrder',
      'taxCommissionForOrder',
    ]);
    expect(t.fake.handle.orders('alice')).toHaveLength(0);
  });

  it('reports the account and its trades', async () => {
    const account = await t.alice.signed<{ balances: Array<{ asset: string; free: string }> }>(
      'GET',
      '/api/v3/account',
    );
    expect(shapeDiff(account.body, docs.account)).toEqual([]);
    const btc = account.body.balances.find((b) => b.asset === 'BTC');
    expect(btc?.free).toBe(
      t.fake.handle
        .balances('alice')
        .find((b) => b.asset === 'BTC')!
        .free.toFixed(8),
    );
    const trades = await t.alice.signed<unknown[]>('GET', '/api/v3/myTrades', { symbol: 'BTCUSDT' });
    expect(trades.body.length).toBeGreaterThan(0);
    expect(shapeDiff(trades.body, [docs.myTrade])).toEqual([]);
    const limits = await t.alice.signed<Array<{ rateLimitType: string; count: number }>>(
      'GET',
      '/api/v3/rateLimit/order',
    );
    expect(limits.body.map((l) => l.rateLimitType)).toEqual(['ORDERS', 'ORDERS']);
  });

  it('places, queries and cancels an OCO order list', async () => {
    const oco = await t.alice.signed<{ orderListId: number; orders: unknown[]; listOrderStatus: string }>(
      'POST',
      '/api/v3/orderList/oco',
      {
        symbol: 'BTCUSDT',
        side: 'SELL',
        quantity: '0.01',
        aboveType: 'LIMIT_MAKER',
        abovePrice: '65000',
        belowType: 'STOP_LOSS',
        belowStopPrice: '55000',
        newOrderRespType: 'RESULT',
      },
    );
    expect(oco.status).toBe(200);
    // icebergQty is conditional (this fake refuses icebergs); stopPrice appears on the stop leg only.
    expect(
      shapeDiff(oco.body, docs.ocoOrderList, ['$.orderReports[0].stopPrice', '$.orderReports[0].icebergQty']),
    ).toEqual([]);
    expect(oco.body.orders).toHaveLength(2);
    expect(oco.headers.get('x-mbx-order-count-10s')).not.toBeNull();
    const query = await t.alice.signed<{ orderListId: number }>('GET', '/api/v3/orderList', {
      orderListId: oco.body.orderListId,
    });
    expect(query.body.orderListId).toBe(oco.body.orderListId);
    const open = await t.alice.signed<unknown[]>('GET', '/api/v3/openOrderList');
    expect(open.body).toHaveLength(1);
    const cancel = await t.alice.signed<{ listOrderStatus: string }>('DELETE', '/api/v3/orderList', {
      symbol: 'BTCUSDT',
      orderListId: oco.body.orderListId,
    });
    expect(cancel.body.listOrderStatus).toBe('ALL_DONE');
  });
});
