// The fuzz tests' own reading of a well-formed value, written from the docs (a decimal is digits
// with at most one point, ids and times are non-negative safe integers…), independent of the
// adapter's checks under test.

export type Check = (value: unknown) => boolean;

/** Unsigned decimal text: `"0.001"`, `"100"`. */
export const decimal: Check = (v) => typeof v === 'string' && /^\d+(\.\d+)?$/.test(v);
/** Decimal text that may be negative (a price change, a cumulative quantity of -1). */
export const signed: Check = (v) => typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v);
/** A non-negative safe integer (an id, a time, a count). */
export const count: Check = (v) => Number.isSafeInteger(v) && (v as number) >= 0;
/** A non-empty string. */
export const name: Check = (v) => typeof v === 'string' && v.length > 0;
export const bool: Check = (v) => typeof v === 'boolean';
export const optional =
  (check: Check): Check =>
  (v) =>
    v === undefined || check(v);
export const oneOf =
  (values: readonly unknown[]): Check =>
  (v) =>
    values.includes(v);
