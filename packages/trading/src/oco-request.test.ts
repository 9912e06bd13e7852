import { ValidationError } from '@venuekit/core';
import { describe, expect, it } from 'vitest';
import { normalizeOcoRequest } from './oco-request';

const sell = { symbol: 'btc/usdt', side: 'SELL', quantity: '0.01', price: '52000', stopPrice: '48000' };

describe('normalizeOcoRequest', () => {
  it('normalises symbol, side and decimals; a stop-limit leg defaults to GTC', () => {
    const request = normalizeOcoRequest({ ...sell, stopLimitPrice: '47900' });
    expect(request.symbol).toBe('BTC/USDT');
    expect(request.side).toBe('sell');
    expect(request.price.toString()).toBe('52000');
    expect(request.stopLimitPrice?.toString()).toBe('47900');
    expect(request.stopLimitTimeInForce).toBe('GTC');
  });

  it.each([
    [{ ...sell, price: '47000' }, 'price', /above stopPrice/],
    [{ ...sell, side: 'buy' }, 'price', /below stopPrice/],
    [{ ...sell, quantity: 0.1 }, 'quantity', /./],
    [{ ...sell, side: 'hold' }, 'side', /buy, sell/],
    [{ ...sell, stopLimitTimeInForce: 'GTC' }, 'stopLimitTimeInForce', /only allowed/],
    [{ ...sell, listClientOrderId: 'has space' }, 'listClientOrderId', /1-36/],
  ])('rejects %o naming the field', (input, field, rule) => {
    let caught: unknown;
    try {
      normalizeOcoRequest(input);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect((caught as ValidationError).field).toBe(field);
    expect((caught as ValidationError).message).toMatch(rule);
  });
});
