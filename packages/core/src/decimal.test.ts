import { describe, expect, it } from 'vitest';
import { Decimal, toDecimal, toPositiveDecimal } from './decimal';
import { ValidationError } from './errors';

describe('toDecimal', () => {
  it('parses decimal strings exactly, without float rounding', () => {
    expect(toDecimal('0.1', 'price').plus(toDecimal('0.2', 'price')).toString()).toBe('0.3');
    const notional = toDecimal('98765.43210001', 'price').times(toDecimal('12345.67890123', 'quantity'));
    expect(notional.toString()).toBe('1219326311.2479576282720123');
  });

  it('prints small and large values without exponents', () => {
    expect(toDecimal('0.00000001', 'tickSize').toString()).toBe('0.00000001');
    expect(new Decimal('1e-12').toString()).toBe('0.000000000001');
  });

  it('accepts Decimals and safe integers, rejects fractional numbers naming the field', () => {
    expect(toDecimal(new Decimal('1.5'), 'quantity').toString()).toBe('1.5');
    expect(toDecimal(3, 'quantity').toString()).toBe('3');
    let error: unknown;
    try {
      toDecimal(0.1, 'price');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ code: 'INVALID_DECIMAL', field: 'price', category: 'validation' });
    expect((error as Error).message).toMatch(/price .*fractional JS number/);
  });

  it.each([['abc'], [''], ['1,5'], ['NaN'], ['Infinity'], [null], [undefined], [{}], ['0x10']])(
    'rejects %j',
    (value) => {
      expect(() => toDecimal(value, 'quantity')).toThrow(ValidationError);
    },
  );

  it('toPositiveDecimal rejects zero and negatives', () => {
    expect(() => toPositiveDecimal('0', 'quantity')).toThrow(/quantity must be greater than zero/);
    expect(() => toPositiveDecimal('-1', 'quantity')).toThrow(/greater than zero/);
    expect(toPositiveDecimal('0.001', 'quantity').toString()).toBe('0.001');
  });
});
