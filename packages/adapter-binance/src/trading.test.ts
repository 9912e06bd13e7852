import {
  ClosedError,
  Decimal,
  IpBannedError,
  NetworkError,
  normalizeOrderRequest,
  TimeoutError,
  ValidationError,
} from '@venuekit/core';
import { describe, expect, it } from 'vitest';
import { mapBinanceError } from './errors';
import { newOcoParams, newOrderParams } from './parsing/orders';
import { isAmbiguous } from './trading';

describe('which failures leave a placement ambiguous', () => {
  it.each([
    ['a timeout', new TimeoutError(), true],
    ['a dropped connection', new NetworkError(), true],
    ['a request never sent', new NetworkError({ context: { sent: false } }), false],
    [
      '-1007',
      mapBinanceError({ status: 400, code: -1007, msg: 'Timeout waiting for response from backend server.' }),
      true,
    ],
    ['-1006', mapBinanceError({ status: 400, code: -1006 }), true],
    ['a 503', mapBinanceError({ status: 503, code: -1008 }), true],
    ['a 502 without a body', mapBinanceError({ status: 502 }), true],
    [
      'a rejection',
      mapBinanceError({
        status: 400,
        code: -2010,
        msg: 'Account has insufficient balance for requested action.',
      }),
      false,
    ],
    ['a 429', mapBinanceError({ status: 429, code: -1003 }), false],
    ['a 418', mapBinanceError({ status: 418, code: -1003 }), false],
    ['a ban known before sending', new IpBannedError(), false],
    ['a close while the request was out', new ClosedError({ context: { sent: true } }), true],
    ['a close before sending', new ClosedError(), false],
    ['bad input', new ValidationError('INVALID_PARAMETER'), false],
    ['something else', new Error('boom'), false],
  ])('%s → %s', (_, error, ambiguous) => {
    expect(isAmbiguous(error)).toBe(ambiguous);
  });
});

describe('what Binance receives', () => {
  it('sends every order type with only the fields its type takes, and asks for the FULL answer', () => {
    const cases = [
      [
        { type: 'limit', price: '50000', timeInForce: 'IOC' },
        { type: 'LIMIT', price: '50000', timeInForce: 'IOC' },
      ],
      [{ type: 'market' }, { type: 'MARKET' }],
      [
        { type: 'market', quantity: undefined, quoteQuantity: '100.5' },
        { type: 'MARKET', quoteOrderQty: '100.5' },
      ],
      [
        { type: 'limit_maker', price: '1' },
        { type: 'LIMIT_MAKER', price: '1' },
      ],
      [
        { type: 'stop_loss', stopPrice: '2' },
        { type: 'STOP_LOSS', stopPrice: '2' },
      ],
      [
        { type: 'take_profit_limit', price: '3', stopPrice: '2' },
        { type: 'TAKE_PROFIT_LIMIT', price: '3', stopPrice: '2', timeInForce: 'GTC' },
      ],
    ] as const;
    for (const [input, expected] of cases) {
      const request = normalizeOrderRequest({
        symbol: 'BTC/USDT',
        side: 'sell',
        quantity: '0.00100',
        ...input,
      });
      const params = newOrderParams(request, 'BTCUSDT', 'vk-1');
      const quantity = 'quoteQuantity' in input ? {} : { quantity: '0.001' };
      expect(params).toEqual({
        symbol: 'BTCUSDT',
        side: 'SELL',
        ...expected,
        ...quantity,
        newClientOrderId: 'vk-1',
        newOrderRespType: 'FULL',
      });
    }
  });

  it('sends an OCO as orderList/oco legs above and below the market', () => {
    const ids = { listClientOrderId: 'list-1', aboveClientOrderId: 'a-1', belowClientOrderId: 'b-1' };
    const sell = newOcoParams(
      {
        symbol: 'BTC/USDT',
        side: 'sell',
        quantity: new Decimal('1'),
        price: new Decimal('110'),
        stopPrice: new Decimal('90'),
        stopLimitPrice: new Decimal('89'),
      },
      'BTCUSDT',
      ids,
    );
    expect(sell).toEqual({
      symbol: 'BTCUSDT',
      listClientOrderId: 'list-1',
      side: 'SELL',
      quantity: '1',
      aboveType: 'LIMIT_MAKER',
      aboveClientOrderId: 'a-1',
      abovePrice: '110',
      belowType: 'STOP_LOSS_LIMIT',
      belowClientOrderId: 'b-1',
      belowStopPrice: '90',
      belowPrice: '89',
      belowTimeInForce: 'GTC',
      newOrderRespType: 'FULL',
    });
    const buy = newOcoParams(
      {
        symbol: 'BTC/USDT',
        side: 'buy',
        quantity: new Decimal('1'),
        price: new Decimal('90'),
        stopPrice: new Decimal('110'),
      },
      'BTCUSDT',
      ids,
    );
    expect(buy).toMatchObject({
      aboveType: 'STOP_LOSS',
      aboveStopPrice: '110',
      belowType: 'LIMIT_MAKER',
      belowPrice: '90',
    });
    expect(buy.abovePrice).toBeUndefined();
  });
});
