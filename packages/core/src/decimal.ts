import DecimalJs from 'decimal.js';
import { ValidationError } from './errors';

/**
 * The decimal type for every price, quantity and amount in venuekit.
 *
 * A clone of decimal.js with enough precision that `price * quantity` of any
 * exchange's values is exact, and with plain (never exponential) string output,
 * so that `toString()` can be sent to a venue as is.
 */
export const Decimal = DecimalJs.clone({
  precision: 60,
  rounding: DecimalJs.ROUND_HALF_UP,
  toExpNeg: -60,
  toExpPos: 60,
});
export type Decimal = DecimalJs;

/** What venuekit accepts where a decimal is expected: a decimal string or a Decimal. */
export type DecimalInput = string | Decimal;

const DECIMAL_TEXT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

export function isDecimal(value: unknown): value is Decimal {
  return DecimalJs.isDecimal(value);
}

/**
 * Parses a user- or venue-supplied value into a Decimal, or throws a
 * ValidationError naming `field`. JS numbers are accepted only when they are
 * safe integers: a fractional float cannot carry money exactly.
 */
export function toDecimal(value: unknown, field: string): Decimal {
  if (DecimalJs.isDecimal(value)) {
    if (!value.isFinite()) throw invalid(field, 'must be a finite decimal', value);
    return value instanceof Decimal ? value : new Decimal(value);
  }
  if (typeof value === 'string') {
    const text = value.trim();
    if (!DECIMAL_TEXT.test(text)) throw invalid(field, 'must be a decimal number written as a string', value);
    return new Decimal(text);
  }
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value)) return new Decimal(value);
    throw invalid(
      field,
      'must be a decimal string or a Decimal, not a fractional JS number (floats cannot hold money exactly)',
      value,
    );
  }
  if (typeof value === 'bigint') return new Decimal(value.toString());
  throw invalid(field, 'must be a decimal string or a Decimal', value);
}

/** Like toDecimal, and also requires the value to be greater than zero. */
export function toPositiveDecimal(value: unknown, field: string): Decimal {
  const decimal = toDecimal(value, field);
  if (decimal.lte(0)) throw invalid(field, 'must be greater than zero', value);
  return decimal;
}

/** Parses a decimal string that came from a venue. Fast path for the hot parsers: no validation beyond decimal.js. */
export function venueDecimal(text: string): Decimal {
  return new Decimal(text);
}

function invalid(field: string, rule: string, value: unknown): ValidationError {
  return new ValidationError('INVALID_DECIMAL', {
    field,
    rule,
    message: `${field} ${rule} (got ${describe(value)})`,
  });
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    return String(value);
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  return typeof value;
}
