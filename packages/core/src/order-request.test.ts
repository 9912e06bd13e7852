import { describe, expect, it } from 'vitest';
import { ValidationError } from './errors';
import { normalizeOrderRequest } from './order-request';

function fails(input: unknown): ValidationError {
  try {
    normalizeOrderRequest(input);
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('normalizeOrderRequest', () => {
  it('accepts the seed API shape (upper-case side and type, string decimals)', () => {
    const order = normalizeOrderRequest({
      symbol: 'btc/usdt',
      side: 'BUY',
      type: 'LIMIT',
      quantity: '0.001',
      price: '50000',
      timeInForce: 'GTC',
    });
    expect(order.symbol).toBe('BTC/USDT');
    expect(order.side).toBe('buy');
    expect(order.type).toBe('limit');
    expect(order.quantity?.toString()).toBe('0.001');
    expect(order.price?.toString()).toBe('50000');
    expect(order.timeInForce).toBe('GTC');
  });

  it('defaults timeInForce to GTC for limit types only', () => {
    expect(
      normalizeOrderRequest({
        symbol: 'A/B',
        side: 'sell',
        type: 'stop_loss_limit',
        quantity: '1',
        price: '2',
        stopPrice: '3',
      }).timeInForce,
    ).toBe('GTC');
    expect(
      normalizeOrderRequest({ symbol: 'A/B', side: 'sell', type: 'market', quantity: '1' }).timeInForce,
    ).toBeUndefined();
    expect(
      fails({ symbol: 'A/B', side: 'sell', type: 'market', quantity: '1', timeInForce: 'IOC' }).field,
    ).toBe('timeInForce');
  });

  it('requires exactly one of quantity and quoteQuantity on market orders', () => {
    expect(
      normalizeOrderRequest({
        symbol: 'A/B',
        side: 'buy',
        type: 'market',
        quoteQuantity: '100',
      }).quoteQuantity?.toString(),
    ).toBe('100');
    expect(fails({ symbol: 'A/B', side: 'buy', type: 'market' })).toMatchObject({
      code: 'MISSING_PARAMETER',
      field: 'quantity',
    });
    expect(
      fails({ symbol: 'A/B', side: 'buy', type: 'market', quantity: '1', quoteQuantity: '1' }).code,
    ).toBe('INVALID_PARAMETER');
    expect(
      fails({ symbol: 'A/B', side: 'buy', type: 'limit', quantity: '1', price: '1', quoteQuantity: '1' })
        .field,
    ).toBe('quoteQuantity');
  });

  it.each([
    [{ type: 'limit', quantity: '1' }, 'price', 'MISSING_PARAMETER'],
    [{ type: 'limit_maker', price: '1' }, 'quantity', 'MISSING_PARAMETER'],
    [{ type: 'stop_loss', quantity: '1' }, 'stopPrice', 'MISSING_PARAMETER'],
    [{ type: 'take_profit_limit', quantity: '1', stopPrice: '1' }, 'price', 'MISSING_PARAMETER'],
    [{ type: 'market', quantity: '1', price: '1' }, 'price', 'INVALID_PARAMETER'],
    [{ type: 'limit', quantity: '-1', price: '1' }, 'quantity', 'INVALID_DECIMAL'],
    [{ type: 'limit', quantity: '1', price: 0.1 }, 'price', 'INVALID_DECIMAL'],
    [{ type: 'limit', quantity: '1', price: '1', timeInForce: 'DAY' }, 'timeInForce', 'INVALID_PARAMETER'],
    [{ type: 'iceberg', quantity: '1' }, 'type', 'INVALID_PARAMETER'],
    [
      { type: 'limit', quantity: '1', price: '1', clientOrderId: 'has space' },
      'clientOrderId',
      'INVALID_PARAMETER',
    ],
    [
      { type: 'limit', quantity: '1', price: '1', clientOrderId: 'x'.repeat(37) },
      'clientOrderId',
      'INVALID_PARAMETER',
    ],
  ])('%j fails on %s (%s)', (partial, field, code) => {
    const error = fails({ symbol: 'BTC/USDT', side: 'buy', ...partial });
    expect(error.field).toBe(field);
    expect(error.code).toBe(code);
    expect(error.message).toContain(field);
  });

  it('names the side and the allowed values', () => {
    expect(fails({ symbol: 'BTC/USDT', side: 'long', type: 'market', quantity: '1' }).message).toBe(
      'side must be one of buy, sell (got "long")',
    );
  });
});
