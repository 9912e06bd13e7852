import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Decimal,
  exactDecimalToNumber,
  integerText,
  toDecimal,
  toPositiveDecimal,
  venueDecimal,
} from './decimal';
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

describe('the hot paths’ conversions', () => {
  // Plain decimal text as venues send it, and its edges: leading and trailing zeros, a point first or
  // last, long digit runs, zero.
  const plainDecimal = fc
    .tuple(fc.stringMatching(/^[0-9]{0,20}$/), fc.boolean(), fc.stringMatching(/^[0-9]{0,24}$/))
    .map(([integer, point, fraction]) => (point ? `${integer}.${fraction}` : `${integer}${fraction}`))
    .filter((text) => /[0-9]/.test(text));

  it('venueDecimal builds exactly the Decimal decimal.js builds, for any text', () => {
    const check = (text: string) => {
      let expected: Decimal | Error;
      try {
        expected = new Decimal(text);
      } catch (error) {
        expected = error as Error;
      }
      if (expected instanceof Error) {
        expect(() => venueDecimal(text)).toThrow(expected.message);
        return;
      }
      const actual = venueDecimal(text);
      expect(Object.keys(actual)).toEqual(Object.keys(expected));
      expect({ s: actual.s, e: actual.e, d: actual.d }).toEqual({
        s: expected.s,
        e: expected.e,
        d: expected.d,
      });
      expect(actual.constructor).toBe(Decimal);
      expect(actual.toString()).toBe(expected.toString());
    };
    fc.assert(fc.property(plainDecimal, check), { numRuns: 5000 });
    // And they compute like any Decimal.
    fc.assert(
      fc.property(plainDecimal, plainDecimal, (a, b) => {
        const [x, y] = [venueDecimal(a), venueDecimal(b)];
        const [u, v] = [new Decimal(a), new Decimal(b)];
        expect(x.plus(y).toString()).toBe(u.plus(v).toString());
        expect(x.times(y).toString()).toBe(u.times(v).toString());
        expect(x.comparedTo(y)).toBe(u.comparedTo(v));
        expect(x instanceof Decimal && Decimal.isDecimal(x)).toBe(true);
      }),
      { numRuns: 1000 },
    );
    fc.assert(fc.property(fc.string({ maxLength: 12 }), check), { numRuns: 2000 });
    for (const text of [
      '0',
      '0.00000000',
      '64000.01000000',
      '0.00012000',
      '1000000',
      '10000000',
      '0.0000001',
      '.5',
      '5.',
      '.',
      '-1.5',
      '+2',
      '1e-8',
      'NaN',
      'Infinity',
      '',
      ' 1',
      '1.2.3',
    ]) {
      check(text);
    }
  });

  it('exactDecimalToNumber gives the double +text gives, or NaN, and its double carries the exact value', () => {
    fc.assert(
      fc.property(plainDecimal, (text) => {
        const value = exactDecimalToNumber(text);
        if (Number.isNaN(value)) {
          // Only text that a double may not carry exactly is refused: more than 15 significant
          // digits (trailing zeros count), or a power of ten beyond 10^22.
          const decimals = text.includes('.') ? text.length - text.indexOf('.') - 1 : 0;
          expect(text.replace('.', '').replace(/^0+/, '').length > 15 || decimals > 22).toBe(true);
          return;
        }
        expect(Object.is(value, +text)).toBe(true);
        expect(new Decimal(value).eq(new Decimal(text))).toBe(true);
      }),
      { numRuns: 5000 },
    );
    for (const text of ['', '.', '-1', '1e5', ' 1', '0x10', '1.2.3', '1234567890123456']) {
      expect(exactDecimalToNumber(text)).toBeNaN();
    }
    expect(exactDecimalToNumber('123456789012345')).toBe(123456789012345);
    expect(exactDecimalToNumber('0.000000000000000000001')).toBe(1e-21);
    expect(exactDecimalToNumber('0.00000000000000000000001')).toBeNaN(); // 10^23 is not an exact double
  });
});

describe('integerText', () => {
  it('is String(value), for any number', () => {
    fc.assert(
      fc.property(fc.oneof(fc.maxSafeNat(), fc.integer(), fc.double(), fc.constant(-0)), (value) => {
        expect(integerText(value)).toBe(String(value));
      }),
      { numRuns: 5000 },
    );
    for (const value of [
      0,
      99_999,
      100_000,
      100_001,
      5_000_000_000,
      5_000_000_009,
      5_000_100_000,
      2 ** 53 - 1,
      2 ** 53,
      1e21,
      Number.NaN,
    ]) {
      expect(integerText(value)).toBe(String(value));
    }
  });
});
