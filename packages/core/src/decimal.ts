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

/**
 * Parses a decimal string that came from a venue: `new Decimal(text)`, faster. The hot parsers'
 * path: no validation beyond decimal.js.
 *
 * Plain text (digits with at most one point, at least one digit, up to 100 characters: what venues
 * send) is converted in one pass over its characters, straight into decimal.js's representation —
 * base-10^7 words `d`, exponent `e`, sign `s` — computed exactly as decimal.js's own parser computes
 * them, on an instance its constructor made (so it has the same shape and `constructor`). decimal.js
 * gets there through a regular expression, string replacements and slices, several times slower.
 * Any other text (signs, exponents, NaN, Infinity, garbage) is left to `new Decimal(text)`, errors
 * included.
 */
export function venueDecimal(text: string): Decimal {
  const length = text.length;
  if (length === 0 || length > 100) return new Decimal(text);
  // One pass: where the point is, and where the first and last non-zero digits are.
  let point = -1;
  let first = -1;
  let last = -1;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (point >= 0) return new Decimal(text);
      point = i;
    } else if (c > 48 && c <= 57) {
      if (first < 0) first = i;
      last = i;
    } else if (c !== 48) {
      return new Decimal(text);
    }
  }
  if (length === 1 && point === 0) return new Decimal(text); // "."
  const x = new Decimal(0); // constructor, s = 1, e = 0, d = [0]: a zero stays as it is
  if (first < 0) return x;
  // decimal.js: e is the exponent of the first significant digit; the first word holds
  // (e + 1) mod 7 digits (7 when that is 0), every other word 7, the last one padded with zeros.
  const integerDigits = point < 0 ? length : point;
  const e = first < integerDigits ? integerDigits - first - 1 : integerDigits - first;
  let inFirstWord = (e + 1) % LOG_BASE;
  if (inFirstWord <= 0) inFirstWord += LOG_BASE;
  const words = x.d as number[];
  let word = 0;
  let filled = 0;
  let capacity = inFirstWord;
  let index = 0;
  for (let i = first; i <= last; i++) {
    if (i === point) continue;
    word = word * 10 + (text.charCodeAt(i) - 48);
    if (++filled === capacity) {
      words[index++] = word;
      word = 0;
      filled = 0;
      capacity = LOG_BASE;
    }
  }
  if (filled > 0) words[index] = word * POWERS_OF_TEN[capacity - filled]!;
  (x as { e: number }).e = e;
  return x;
}

// decimal.js's LOG_BASE: each word of `d` holds 7 decimal digits.
const LOG_BASE = 7;

// 10^0 … 10^22: every one an exact double.
const POWERS_OF_TEN = Array.from({ length: 23 }, (_, i) => 10 ** i);

/**
 * The double of plain decimal text — digits with at most one point, at least one digit, at most 15
 * significant digits and 22 decimals — or NaN for any other text. Such a double is exactly what
 * `+text` gives (its digits form an integer below 2^53 and its power of ten is exact, so one
 * correctly rounded division yields the double nearest to the decimal: Clinger's fast path), and
 * it carries the decimal's value exactly: `new Decimal(double)` equals `new Decimal(text)`. For the
 * hot paths that key by price (the local order book); anything else is left to the caller.
 */
export function exactDecimalToNumber(text: string): number {
  const length = text.length;
  if (length === 0 || length > 38) return Number.NaN;
  let mantissa = 0;
  let point = -1;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    const digit = c - 48;
    if (digit >= 0 && digit <= 9) mantissa = mantissa * 10 + digit;
    else if (c === 46 && point < 0) point = i;
    else return Number.NaN;
  }
  // Below 10^15: at most 15 significant digits (the sum is exact up to 2^53, and only grows past it).
  const decimals = point < 0 ? 0 : length - point - 1;
  if (mantissa >= 1e15 || decimals > 22 || (point >= 0 && length === 1)) return Number.NaN;
  return decimals === 0 ? mantissa : mantissa / (POWERS_OF_TEN[decimals] as number);
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
