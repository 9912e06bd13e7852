import { Decimal, type Fee, type OrderBookLevel } from '@venuekit/core';

/**
 * The PostgreSQL types a recorded column can have. Money and quantities are `numeric` (exact, any
 * scale), times `timestamptz` (from epoch milliseconds, exact), venue ids `text`.
 */
export type ColumnType =
  | 'text'
  | 'numeric'
  | 'timestamptz'
  | 'bigint'
  | 'boolean'
  | 'jsonb'
  /** Raw frames: `json` keeps the text exactly as received (key order, spacing, number spelling). */
  | 'json'
  | 'numeric[]';

/** One column as the manifest and the migrations see it. */
export interface ColumnDescriptor {
  readonly name: string;
  readonly type: ColumnType;
  readonly nullable: boolean;
  readonly description: string;
  /** Where the value comes from: the structure's field (`price`, `fee.amount`) or `context.<name>`. */
  readonly source: string;
}

/** How a column's values travel to PostgreSQL: the array parameter type and the cast that rebuilds them. */
export interface ColumnCodec {
  /** The type of the `unnest` parameter, e.g. `text[]`. */
  readonly paramType: string;
  /** SQL turning the unnested element `ref` into the column's type. */
  select(ref: string): string;
  /** A value as read back by node-postgres → the recorded JS value. */
  decode(raw: unknown): unknown;
}

const decodeText = (raw: unknown): unknown => (raw === null ? undefined : String(raw));
const decodeDecimal = (raw: unknown): unknown => (raw === null ? undefined : new Decimal(String(raw)));

export const CODECS: Readonly<Record<ColumnType, ColumnCodec>> = {
  text: { paramType: 'text[]', select: (ref) => ref, decode: decodeText },
  numeric: { paramType: 'numeric[]', select: (ref) => ref, decode: decodeDecimal },
  // Exact: integer milliseconds times an interval, no floating-point seconds on the way.
  timestamptz: {
    paramType: 'int8[]',
    select: (ref) => `(timestamptz 'epoch' + ${ref} * interval '1 millisecond')`,
    decode: (raw) => (raw === null ? undefined : (raw as Date).getTime()),
  },
  bigint: {
    paramType: 'int8[]',
    select: (ref) => ref,
    decode: (raw) => (raw === null ? undefined : Number(raw)),
  },
  boolean: {
    paramType: 'bool[]',
    select: (ref) => ref,
    decode: (raw) => (raw === null ? undefined : Boolean(raw)),
  },
  jsonb: {
    paramType: 'text[]',
    select: (ref) => `${ref}::jsonb`,
    decode: (raw) => (raw === null ? undefined : raw),
  },
  json: {
    paramType: 'text[]',
    select: (ref) => `${ref}::json`,
    decode: (raw) => (raw === null ? undefined : raw),
  },
  'numeric[]': {
    paramType: 'text[]',
    select: (ref) => `${ref}::numeric[]`,
    decode: (raw) => (raw === null ? undefined : (raw as unknown[]).map((v) => new Decimal(String(v)))),
  },
};

/** A column a structure field maps to: its SQL side plus how to read it out of the field's value. */
export interface FieldColumn<V> {
  readonly name: string;
  readonly type: ColumnType;
  readonly description: string;
  /** Appended to the field name in the manifest's `source` (`fee` → `fee.amount`). */
  readonly part?: string;
  /** The array element sent for this column. Only called with a present value. */
  encode(value: V): string | number | boolean;
}

/** How one field of a structure is stored: one or more columns, and how to read it back. */
export interface Field<V> {
  readonly optional: boolean;
  readonly columns: readonly FieldColumn<V>[];
  /** Rebuilds the value from its columns, each already decoded by its codec (in `columns` order). */
  decode(values: readonly unknown[]): V | undefined;
}

export type RequiredField<V> = Field<V> & { readonly optional: false };
export type OptionalField<V> = Field<V> & { readonly optional: true };

/** A field deliberately not stored, with the reason (it appears in the manifest). */
export interface Omitted {
  readonly omitted: string;
}

function single<V>(
  name: string,
  type: ColumnType,
  description: string,
  encode: (v: V) => string | number | boolean,
): RequiredField<V> {
  return {
    optional: false as const,
    columns: [{ name, type, description, encode }],
    // The column's codec has already decoded it (null → undefined).
    decode: (values) => values[0] as V | undefined,
  };
}

const asString = (v: { toString(): string }): string => v.toString();

/** Field helpers: each pins the JS type it stores, so a structure's descriptor cannot map a field wrongly. */
export const column = {
  text: <V extends string = string>(name: string, description: string): RequiredField<V> =>
    single<V>(name, 'text', description, (v) => v),
  numeric: (name: string, description: string): RequiredField<Decimal> =>
    single<Decimal>(name, 'numeric', description, asString),
  time: (name: string, description: string): RequiredField<number> =>
    single<number>(name, 'timestamptz', description, (v) => Math.trunc(v)),
  bigint: (name: string, description: string): RequiredField<number> =>
    single<number>(name, 'bigint', description, (v) => Math.trunc(v)),
  boolean: (name: string, description: string): RequiredField<boolean> =>
    single<boolean>(name, 'boolean', description, (v) => v),
  /** Book levels as two aligned arrays, `<prefix>_prices` and `<prefix>_quantities`. */
  levels: (prefix: string, description: string): RequiredField<readonly OrderBookLevel[]> => ({
    optional: false as const,
    columns: [
      {
        name: `${prefix}_prices`,
        type: 'numeric[]',
        description: `${description}: prices, best first`,
        part: 'price',
        encode: (levels) => arrayLiteral(levels, 'price'),
      },
      {
        name: `${prefix}_quantities`,
        type: 'numeric[]',
        description: `${description}: quantities, aligned with the prices`,
        part: 'quantity',
        encode: (levels) => arrayLiteral(levels, 'quantity'),
      },
    ],
    decode: (values) => {
      const prices = values[0] as Decimal[] | undefined;
      const quantities = values[1] as Decimal[] | undefined;
      if (!prices || !quantities) return undefined;
      return prices.map((price, i) => ({ price, quantity: quantities[i] as Decimal }));
    },
  }),
  /** A fee as `<prefix>_asset` and `<prefix>_amount`. */
  fee: (prefix: string, description: string): RequiredField<Fee> => ({
    optional: false as const,
    columns: [
      {
        name: `${prefix}_asset`,
        type: 'text',
        description: `${description}: asset`,
        part: 'asset',
        encode: (fee) => fee.asset,
      },
      {
        name: `${prefix}_amount`,
        type: 'numeric',
        description: `${description}: amount`,
        part: 'amount',
        encode: (fee) => fee.amount.toString(),
      },
    ],
    decode: (values) =>
      values[0] === undefined || values[0] === null
        ? undefined
        : { asset: String(values[0]), amount: new Decimal(String(values[1])) },
  }),
  /** Fees per asset as a jsonb array of `{asset, amount}` with exact decimal strings. */
  fees: (name: string, description: string): RequiredField<readonly Fee[]> => ({
    optional: false as const,
    columns: [
      {
        name,
        type: 'jsonb',
        description,
        encode: (fees) => JSON.stringify(fees.map((f) => ({ asset: f.asset, amount: f.amount.toString() }))),
      },
    ],
    decode: (values) => {
      const raw = values[0] as { asset: string; amount: string }[] | undefined | null;
      return raw ? raw.map((f) => ({ asset: f.asset, amount: new Decimal(f.amount) })) : undefined;
    },
  }),
  /** The frame's text, kept byte for byte. */
  json: (name: string, description: string): RequiredField<string> => ({
    optional: false as const,
    columns: [{ name, type: 'json', description, encode: (v) => v }],
    // node-postgres parses json columns; the recorded text is read back with `::text` (see readBack).
    decode: (values) => (values[0] === null || values[0] === undefined ? undefined : String(values[0])),
  }),
  omit: (reason: string): Omitted => ({ omitted: reason }),
} as const;

/** Marks a field as optional in the structure (its columns are nullable). */
export function optional<V>(field: RequiredField<V>): OptionalField<V> {
  return { ...field, optional: true };
}

function arrayLiteral(levels: readonly OrderBookLevel[], key: 'price' | 'quantity'): string {
  let out = '{';
  for (let i = 0; i < levels.length; i++) {
    if (i > 0) out += ',';
    out += (levels[i] as OrderBookLevel)[key].toString();
  }
  return `${out}}`;
}

export function isOmitted(value: Field<unknown> | Omitted): value is Omitted {
  return (value as Omitted).omitted !== undefined;
}
