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
 * send) is converted in one pass over its characters straight into decimal.js's representation —
 * base-10^7 words `d`, exponent `e`, sign `s`, and the `constructor` decimal.js sets on every
 * instance, in that order — computed as decimal.js's own parser computes them. decimal.js gets
 * there through a regular expression, string replacements and slices, several times slower. Any
 * other text (signs, exponents, NaN, Infinity, garbage) is left to `new Decimal(text)`, errors
 * included.
 */
export function venueDecimal(text: string): Decimal {
  const length = text.length;
  if (length === 0 || length > 100) return new Decimal(text);
  const point = text.indexOf('.');
  const integerDigits = point < 0 ? length : point;
  // Leading zeros (and the point among them) carry nothing.
  let i = 0;
  while (i < length && (i === point || text.charCodeAt(i) === 48)) i++;
  if (i === length) return length === 1 && point === 0 ? new Decimal(text) : decimalOf(0, [0]); // "." or zero
  // decimal.js: e is the exponent of the first significant digit; the first word holds
  // (e + 1) mod 7 digits (7 when that is 0), every other word 7, the last one padded with zeros.
  const e = i < integerDigits ? integerDigits - i - 1 : integerDigits - i;
  let capacity = (e + 1) % LOG_BASE;
  if (capacity <= 0) capacity += LOG_BASE;
  const words: number[] = [];
  let word = 0;
  let filled = 0;
  for (; i < length; i++) {
    if (i === point) continue;
    const digit = text.charCodeAt(i) - 48;
    if (digit >>> 0 > 9) return new Decimal(text); // a second point, a sign, an exponent…
    word = word * 10 + digit;
    if (++filled === capacity) {
      words.push(word);
      word = 0;
      filled = 0;
      capacity = LOG_BASE;
    }
  }
  if (filled > 0) words.push(word * (POWERS_OF_TEN[capacity - filled] as number));
  // decimal.js drops trailing zeros before it forms words: a word of them is not there.
  while (words[words.length - 1] === 0) words.pop();
  return decimalOf(e, words);
}

/**
 * A positive Decimal from its parts, with the own properties decimal.js's constructor gives every
 * instance, in the same order. Built on decimal.js's prototype without calling the constructor.
 */
function decimalOf(e: number, d: number[]): Decimal {
  const x = Object.create(Decimal.prototype) as { constructor: unknown; s: number; e: number; d: number[] };
  x.constructor = Decimal;
  x.s = 1;
  x.e = e;
  x.d = d;
  return x as unknown as Decimal;
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

// The high digits of the last integer integerText converted, and their text.
let highDigits = -1;
let highText = '';
// '00'…'99' and '000'…'999': the low five digits of an id are put together from these. Converting
// them with String() would go through the runtime's number-to-string cache, an old-generation table
// that then holds a fresh young string per id: each garbage collection of the young generation would
// keep (and promote) thousands of them, growing the heap.
const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/**
 * `String(value)`, faster for the venue ids the hot paths turn into strings (trade ids, update ids:
 * safe integers of ten digits and more, which the runtime converts through its general double
 * printer). Such an id is split into its last five digits and the rest; the rest changes once in
 * 100 000 ids and its text is kept, and the last five digits come from tables, so an id costs one
 * concatenation and allocates nothing else. Anything else is `String(value)`.
 */
export function integerText(value: number): string {
  if (!(value >= 100_000) || !Number.isSafeInteger(value)) return String(value);
  const high = Math.floor(value / 100_000);
  if (high !== highDigits) {
    highDigits = high;
    highText = String(high);
  }
  const low = value - high * 100_000;
  const hundreds = Math.floor(low / 1000);
  return highText + (TWO_DIGITS[hundreds] as string) + (THREE_DIGITS[low - hundreds * 1000] as string);
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
