import { describe, expect, it } from 'vitest';
import { Decimal } from './decimal';
import { MarketClosedError, ValidationError } from './errors';
import type { Instrument } from './market';
import { normalizeOrderRequest } from './order-request';
import { validateOrder } from './order-validation';
import type { OrderRequestInput } from './trading';

// The rules of filters.md's examples: PRICE_FILTER tick 0.01, LOT_SIZE step 0.00001, NOTIONAL min 5.
const btc: Instrument = {
  exchange: 'binance',
  symbol: 'BTC/USDT',
  nativeSymbol: 'BTCUSDT',
  base: 'BTC',
  quote: 'USDT',
  status: 'trading',
  active: true,
  pricePrecision: 2,
  quantityPrecision: 5,
  basePrecision: 8,
  quotePrecision: 8,
  tickSize: new Decimal('0.01'),
  minPrice: new Decimal('0.01'),
  maxPrice: new Decimal('1000000'),
  stepSize: new Decimal('0.00001'),
  minQuantity: new Decimal('0.00001'),
  maxQuantity: new Decimal('9000'),
  marketStepSize: new Decimal('0'),
  marketMinQuantity: new Decimal('0'),
  marketMaxQuantity: new Decimal('100'),
  minNotional: new Decimal('5'),
  maxNotional: new Decimal('9000000'),
  applyMinNotionalToMarket: true,
  applyMaxNotionalToMarket: false,
  priceBand: { multiplierUp: new Decimal('5'), multiplierDown: new Decimal('0.2') },
  orderTypes: ['limit', 'limit_maker', 'market', 'stop_loss_limit', 'take_profit_limit'],
  ocoAllowed: true,
  quoteOrderQuantityMarketAllowed: true,
};

const order = (input: Partial<OrderRequestInput>) =>
  normalizeOrderRequest({
    symbol: 'BTC/USDT',
    side: 'buy',
    type: 'limit',
    quantity: '0.001',
    price: '50000',
    ...input,
  });

function rejection(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('validateOrder', () => {
  it('accepts an order that follows every rule and returns it unchanged', () => {
    const request = order({});
    expect(validateOrder(request, btc)).toBe(request);
  });

  it.each([
    [{ price: '50000.005' }, 'price', 'must be a multiple of the tick size 0.01'],
    [{ price: '2000000' }, 'price', 'must be at most 1000000'],
    [{ quantity: '0.000015' }, 'quantity', 'must be a multiple of the step size 0.00001'],
    [{ quantity: '9001' }, 'quantity', 'must be at most the maximum quantity 9000'],
    [
      { quantity: '0.00001', price: '100' },
      'quantity',
      'must make a notional (price × quantity) of at least 5; it is 0.001',
    ],
    [
      { type: 'stop_loss_limit', stopPrice: '1.234' },
      'stopPrice',
      'must be a multiple of the tick size 0.01',
    ],
  ] as const)('rejects %j naming %s', (input, field, rule) => {
    const error = rejection(() => validateOrder(order(input as Partial<OrderRequestInput>), btc));
    expect(error.code).toBe('FILTER_VIOLATION');
    expect(error.field).toBe(field);
    expect(error.rule).toBe(rule);
    expect(error.context.symbol).toBe('BTC/USDT');
  });

  it('rounds a buy price down, a sell price up and the quantity down when asked', () => {
    const buy = validateOrder(order({ price: '50000.019', quantity: '0.0012345' }), btc, { round: true });
    expect(buy.price?.toString()).toBe('50000.01');
    expect(buy.quantity?.toString()).toBe('0.00123');
    const sell = validateOrder(order({ side: 'sell', price: '50000.011' }), btc, { round: true });
    expect(sell.price?.toString()).toBe('50000.02');
  });

  it('rounds the stop price to the nearest tick', () => {
    const stop = validateOrder(order({ type: 'stop_loss_limit', stopPrice: '49000.126' }), btc, {
      round: true,
    });
    expect(stop.stopPrice?.toString()).toBe('49000.13');
  });

  it('still rejects when rounding leaves less than the minimum', () => {
    const error = rejection(() => validateOrder(order({ quantity: '0.000009' }), btc, { round: true }));
    expect(error.field).toBe('quantity');
    expect(error.rule).toContain('at least the minimum quantity 0.00001');
  });

  it('applies the market lot size to market orders only', () => {
    const market = order({ type: 'market', price: undefined, quantity: '150' });
    expect(rejection(() => validateOrder(market, btc)).rule).toBe(
      'must be at most the market maximum quantity 100',
    );
    expect(validateOrder(order({ quantity: '150', price: '1' }), btc).quantity?.toString()).toBe('150');
  });

  it('checks a market order by quote amount against the minimum notional', () => {
    const error = rejection(() =>
      validateOrder(
        order({ type: 'market', price: undefined, quantity: undefined, quoteQuantity: '4' }),
        btc,
      ),
    );
    expect(error.field).toBe('quoteQuantity');
    expect(error.code).toBe('FILTER_VIOLATION');
  });

  it('checks a market order by quantity against the notional and band only with a reference price', () => {
    const market = order({ type: 'market', price: undefined, quantity: '0.00001' });
    expect(validateOrder(market, btc)).toBe(market);
    expect(rejection(() => validateOrder(market, btc, { referencePrice: new Decimal('50000') })).field).toBe(
      'quantity',
    );
    const far = order({ price: '300000' });
    expect(rejection(() => validateOrder(far, btc, { referencePrice: new Decimal('50000') })).rule).toContain(
      'price band',
    );
  });

  it('refuses order types and quote orders the market does not take', () => {
    const error = rejection(() =>
      validateOrder(order({ type: 'take_profit', price: undefined, stopPrice: '1' }), btc),
    );
    expect(error.code).toBe('NOT_SUPPORTED');
    expect(error.field).toBe('type');
    const noQuote = { ...btc, quoteOrderQuantityMarketAllowed: false };
    const quote = order({ type: 'market', price: undefined, quantity: undefined, quoteQuantity: '10' });
    expect(rejection(() => validateOrder(quote, noQuote)).field).toBe('quoteQuantity');
  });

  it('refuses an order for a halted market with a MarketClosedError', () => {
    expect(() => validateOrder(order({}), { ...btc, status: 'halted', active: false })).toThrow(
      MarketClosedError,
    );
  });

  it('treats zero limits as no limit', () => {
    const open = {
      ...btc,
      tickSize: new Decimal(0),
      stepSize: new Decimal(0),
      minPrice: new Decimal(0),
      maxPrice: new Decimal(0),
      minQuantity: new Decimal(0),
      maxQuantity: new Decimal(0),
      minNotional: new Decimal(0),
    };
    const request = order({ price: '0.123456789', quantity: '0.000000001' });
    expect(validateOrder(request, open)).toBe(request);
  });

  it('refuses an instrument of another symbol', () => {
    expect(rejection(() => validateOrder(order({ symbol: 'ETH/USDT' }), btc)).field).toBe('symbol');
  });
});
