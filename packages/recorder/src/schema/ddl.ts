import { quoteIdent, quoteLiteral, SCHEMA_PLACEHOLDER } from '../db/sql';
import type { ColumnDescriptor } from './columns';
import type { ManifestStructure, RecorderManifest } from './manifest';

// SQL generated from the manifest: the initial migration creates every table; later ones are the
// difference between the manifest committed with the previous migration and the current one.
// Only additive changes are generated; anything else must be written by hand, on purpose.

const S = SCHEMA_PLACEHOLDER;
const table = (name: string) => `${S}.${quoteIdent(name)}`;

export function indexName(tableName: string, columns: readonly string[], suffix: 'idx' | 'brin'): string {
  const name = `${tableName}_${columns.join('_')}_${suffix}`;
  if (name.length > 63) throw new Error(`index name ${name} is longer than 63 characters`);
  return name;
}

function columnSql(column: ColumnDescriptor): string {
  return `  ${quoteIdent(column.name)} ${column.type}${column.nullable ? '' : ' NOT NULL'}`;
}

function tablesOf(s: ManifestStructure): { name: string; current: boolean }[] {
  return s.historyTable
    ? [
        { name: s.table, current: true },
        { name: s.historyTable, current: false },
      ]
    : [{ name: s.table, current: true }];
}

/** B-tree indexes of one table of a structure (the history table also gets one on the key). */
function indexesOf(s: ManifestStructure, current: boolean): (readonly string[])[] {
  return current || s.key.length === 0 ? [...s.indexes] : [s.key, ...s.indexes];
}

function indexSql(tableName: string, columns: readonly string[], brin: boolean): string {
  const name = indexName(tableName, columns, brin ? 'brin' : 'idx');
  const using = brin ? ' USING brin' : '';
  return `CREATE INDEX ${quoteIdent(name)} ON ${table(tableName)}${using} (${columns.map(quoteIdent).join(', ')});`;
}

function createStructure(s: ManifestStructure): string[] {
  const out: string[] = [];
  for (const { name, current } of tablesOf(s)) {
    const lines = s.columns.map(columnSql);
    if (current && s.key.length > 0) {
      lines.push(
        `  CONSTRAINT ${quoteIdent(`${name}_pkey`)} PRIMARY KEY (${s.key.map(quoteIdent).join(', ')})`,
      );
    }
    out.push(`CREATE TABLE ${table(name)} (\n${lines.join(',\n')}\n);`);
    const what = current ? s.description : `Every state of ${s.table}, append-only`;
    out.push(`COMMENT ON TABLE ${table(name)} IS ${quoteLiteral(`${what} (${s.type})`)};`);
    for (const column of s.columns) {
      out.push(
        `COMMENT ON COLUMN ${table(name)}.${quoteIdent(column.name)} IS ${quoteLiteral(column.description)};`,
      );
    }
    for (const index of indexesOf(s, current)) out.push(indexSql(name, index, false));
    for (const column of s.brin) out.push(indexSql(name, [column], true));
  }
  return out;
}

/** Tables the recorder itself needs besides the structures': the batch ledger. */
const INFRASTRUCTURE = [
  `-- One row per committed batch: after a connection drops during COMMIT, the recorder looks its
-- batch up here instead of writing it twice.
CREATE TABLE ${table('recorder_batches')} (
  "batch_id" uuid NOT NULL,
  "recorder_id" text NOT NULL,
  "rows" integer NOT NULL,
  "committed_at" timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT "recorder_batches_pkey" PRIMARY KEY ("batch_id")
);`,
  `CREATE INDEX "recorder_batches_committed_at_idx" ON ${table('recorder_batches')} ("committed_at");`,
];

/**
 * The SQL taking a database from `previous` (undefined: an empty schema) to `next`. Throws for a
 * change that cannot be generated safely (a dropped table or column, a changed type or key, a new
 * NOT NULL column on an existing table): write that migration by hand.
 */
export function migrationSql(previous: RecorderManifest | undefined, next: RecorderManifest): string {
  const out: string[] = [];
  if (!previous) out.push(...INFRASTRUCTURE);
  const before = new Map((previous?.structures ?? []).map((s) => [s.name, s]));
  for (const s of next.structures) {
    const old = before.get(s.name);
    before.delete(s.name);
    if (!old) {
      out.push(...createStructure(s));
      continue;
    }
    const refuse = (what: string): never => {
      throw new Error(`structure ${s.name}: ${what}; write this migration by hand`);
    };
    if (old.table !== s.table || old.historyTable !== s.historyTable) refuse('its tables were renamed');
    if (old.mode !== s.mode || old.key.join() !== s.key.join()) refuse('its mode or key changed');
    const oldColumns = new Map(old.columns.map((c) => [c.name, c]));
    for (const column of s.columns) {
      const was = oldColumns.get(column.name);
      oldColumns.delete(column.name);
      for (const { name } of tablesOf(s)) {
        if (!was) {
          if (!column.nullable) refuse(`new column ${column.name} is NOT NULL`);
          out.push(`ALTER TABLE ${table(name)} ADD COLUMN ${columnSql(column).trim()};`);
          out.push(
            `COMMENT ON COLUMN ${table(name)}.${quoteIdent(column.name)} IS ${quoteLiteral(column.description)};`,
          );
          continue;
        }
        if (was.type !== column.type || was.nullable !== column.nullable) {
          refuse(`column ${column.name} changed type or nullability`);
        }
        if (was.description !== column.description) {
          out.push(
            `COMMENT ON COLUMN ${table(name)}.${quoteIdent(column.name)} IS ${quoteLiteral(column.description)};`,
          );
        }
      }
    }
    if (oldColumns.size > 0) refuse(`columns ${[...oldColumns.keys()].join(', ')} were removed`);
    for (const { name, current } of tablesOf(s)) {
      const had = new Set(indexesOf(old, current).map((i) => i.join()));
      for (const index of indexesOf(s, current))
        if (!had.has(index.join())) out.push(indexSql(name, index, false));
      const hadBrin = new Set(old.brin);
      for (const column of s.brin) if (!hadBrin.has(column)) out.push(indexSql(name, [column], true));
    }
  }
  if (before.size > 0) {
    throw new Error(`structures ${[...before.keys()].join(', ')} were removed; write this migration by hand`);
  }
  return out.join('\n');
}
