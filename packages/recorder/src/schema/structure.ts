import {
  CODECS,
  type ColumnDescriptor,
  type ColumnType,
  type Field,
  isOmitted,
  type Omitted,
  type OptionalField,
  type RequiredField,
} from './columns';

/** What the recorder knows about a value besides the value itself. */
export interface RecordContext {
  readonly exchange?: string;
  readonly userId?: string;
  /** Where the state came from: `stream`, `placement`, `cancel`, `query`… */
  readonly source?: string;
  readonly executionType?: string;
  readonly rejectReason?: string;
  /** The stream a value was sampled from (book snapshots: `orderBook` or `depth`). */
  readonly stream?: string;
}

/**
 * How rows reach their table:
 * - `append`: every value is a new row (written exactly once through the batch ledger).
 * - `unique`: a new row unless one with the same key exists (trades and fills have natural keys).
 * - `latest`: upserted by key, the latest value wins (a candle while it forms).
 * - `state`: upserted by key into the current-state table (never moved back to an older state) and
 *   every value also appended to the history table.
 */
export type WriteMode = 'append' | 'unique' | 'latest' | 'state';

/** Every field of `T` must be stored or omitted with a reason: adding a field to a core type breaks the build here. */
export type FieldsOf<T> = {
  readonly [K in keyof T]-?: undefined extends T[K]
    ? OptionalField<Exclude<T[K], undefined>> | Omitted
    : RequiredField<T[K]> | Omitted;
};

export interface ContextColumn {
  readonly name: string;
  readonly type: ColumnType;
  readonly nullable: boolean;
  readonly description: string;
  /** `context.<name>` in the manifest. */
  readonly source: string;
  get(context: RecordContext, recordedAt: number): string | number | boolean | undefined;
}

/** The record context's columns, shared by the structures that carry them. */
export const contextColumns = {
  exchange: {
    name: 'exchange',
    type: 'text',
    nullable: false,
    description: 'Exchange id, e.g. binance',
    source: 'context.exchange',
    get: (c) => c.exchange,
  },
  userId: {
    name: 'user_id',
    type: 'text',
    nullable: false,
    description: 'The venuekit user the account belongs to',
    source: 'context.userId',
    get: (c) => c.userId,
  },
  source: {
    name: 'source',
    type: 'text',
    nullable: true,
    description: 'Where this state was learnt: stream, placement, cancel or query',
    source: 'context.source',
    get: (c) => c.source,
  },
  executionType: {
    name: 'execution_type',
    type: 'text',
    nullable: true,
    description: 'What the venue reported happened (new, trade, canceled, rejected, expired…)',
    source: 'context.executionType',
    get: (c) => c.executionType,
  },
  rejectReason: {
    name: 'reject_reason',
    type: 'text',
    nullable: true,
    description: "The venue's reject reason, when it gave one",
    source: 'context.rejectReason',
    get: (c) => c.rejectReason,
  },
  stream: {
    name: 'stream',
    type: 'text',
    nullable: true,
    description:
      "The stream it was sampled from: orderBook (the local full book) or depth (the venue's partial book)",
    source: 'context.stream',
    get: (c) => c.stream,
  },
  recordedAt: {
    name: 'recorded_at',
    type: 'timestamptz',
    nullable: false,
    description: 'When the recorder received the value (local clock)',
    source: 'context.recordedAt',
    get: (_c, recordedAt) => recordedAt,
  },
} as const satisfies Record<string, ContextColumn>;

export interface StructureDefinition<T> {
  /** The manifest name, e.g. `trade`. */
  readonly name: string;
  /** The core type it records, e.g. `Trade`. */
  readonly type: string;
  readonly description: string;
  readonly table: string;
  /** For `state`: the append-only table every value also goes to. */
  readonly historyTable?: string;
  readonly mode: WriteMode;
  readonly fields: FieldsOf<T>;
  /** Context columns, in order, after the fields' columns. */
  readonly context?: readonly ContextColumn[];
  /** Key columns (`unique`, `latest`, `state`). */
  readonly key?: readonly string[];
  /** For `state`: the column that must not go backwards (an older state never overwrites a newer one). */
  readonly versionColumn?: string;
  /** B-tree indexes, each a list of columns (the key already has one). */
  readonly indexes: readonly (readonly string[])[];
  /** Columns with a BRIN index: cheap time-range scans over append-only tables. */
  readonly brin?: readonly string[];
  /** Eviction order when the buffer is full: lower goes first. */
  readonly priority: number;
}

/** A column of a compiled structure, with how to encode it from a value and its context. */
export interface CompiledColumn extends ColumnDescriptor {
  encode(value: unknown, context: RecordContext, recordedAt: number): string | number | boolean | null;
}

export interface Structure<T = unknown> {
  readonly name: string;
  readonly type: string;
  readonly description: string;
  readonly table: string;
  readonly historyTable: string | undefined;
  readonly mode: WriteMode;
  readonly columns: readonly CompiledColumn[];
  readonly key: readonly string[];
  readonly versionColumn: string | undefined;
  readonly indexes: readonly (readonly string[])[];
  readonly brin: readonly string[];
  readonly priority: number;
  /** Fields not stored, with the reason. */
  readonly omitted: Readonly<Record<string, string>>;
  /** A row read back (columns decoded) → the structure's stored fields. */
  decode(row: Readonly<Record<string, unknown>>): Partial<T>;
  /** The key columns' positions in `columns`. */
  readonly keyIndexes: readonly number[];
  /** Type marker only. */
  readonly __type?: T;
}

/**
 * Compiles a structure definition: the one place its table's columns, the manifest entry, the
 * migration DDL and the row encoder and decoder all come from.
 */
export function defineStructure<T>(definition: StructureDefinition<T>): Structure<T> {
  const columns: CompiledColumn[] = [];
  const decoders: { key: string; field: Field<unknown>; from: number; count: number }[] = [];
  const omitted: Record<string, string> = {};
  for (const [key, spec] of Object.entries(definition.fields) as [string, Field<unknown> | Omitted][]) {
    if (isOmitted(spec)) {
      omitted[key] = spec.omitted;
      continue;
    }
    const from = columns.length;
    for (const part of spec.columns) {
      const encode = part.encode;
      const optional = spec.optional;
      columns.push({
        name: part.name,
        type: part.type,
        nullable: optional,
        description: part.description,
        source: part.part === undefined ? key : `${key}.${part.part}`,
        encode: (value) => {
          const fieldValue = (value as Record<string, unknown>)[key];
          if (fieldValue === undefined || fieldValue === null) return null;
          return encode(fieldValue);
        },
      });
    }
    decoders.push({ key, field: spec, from, count: spec.columns.length });
  }
  for (const ctx of definition.context ?? []) {
    const get = ctx.get;
    columns.push({
      name: ctx.name,
      type: ctx.type,
      nullable: ctx.nullable,
      description: ctx.description,
      source: ctx.source,
      encode: (_value, context, recordedAt) => get(context, recordedAt) ?? null,
    });
  }
  const names = new Set<string>();
  for (const c of columns) {
    if (names.has(c.name)) throw new Error(`structure ${definition.name}: column ${c.name} is defined twice`);
    names.add(c.name);
  }
  const key = definition.key ?? [];
  if (definition.mode !== 'append' && key.length === 0) {
    throw new Error(`structure ${definition.name}: mode ${definition.mode} needs a key`);
  }
  for (const list of [key, ...definition.indexes, definition.brin ?? []]) {
    for (const name of list) {
      if (!names.has(name)) throw new Error(`structure ${definition.name}: unknown column ${name}`);
    }
  }
  if (definition.mode === 'state' && (!definition.historyTable || !definition.versionColumn)) {
    throw new Error(`structure ${definition.name}: mode state needs a historyTable and a versionColumn`);
  }
  const keyIndexes = key.map((name) => columns.findIndex((c) => c.name === name));
  const decodeWith = columns.map((c) => CODECS[c.type].decode);
  const columnNames = columns.map((c) => c.name);
  return {
    name: definition.name,
    type: definition.type,
    description: definition.description,
    table: definition.table,
    historyTable: definition.historyTable,
    mode: definition.mode,
    columns,
    key,
    keyIndexes,
    versionColumn: definition.versionColumn,
    indexes: definition.indexes,
    brin: definition.brin ?? [],
    priority: definition.priority,
    omitted,
    decode(row) {
      const decoded = columnNames.map((name, i) =>
        (decodeWith[i] as (raw: unknown) => unknown)(row[name] ?? null),
      );
      const out: Record<string, unknown> = {};
      for (const { key: field, field: spec, from, count } of decoders) {
        const value = spec.decode(decoded.slice(from, from + count));
        if (value !== undefined) out[field] = value;
      }
      return out as Partial<T>;
    },
  };
}
