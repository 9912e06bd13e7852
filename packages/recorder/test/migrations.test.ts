import { readFileSync } from 'node:fs';
import { ConfigurationError } from '@venuekit/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connect, resolveDatabase } from '../src/db/connection';
import { migrate, migrationStatus, verifySchema } from '../src/db/migrator';
import { MIGRATIONS } from '../src/migrations';
import { migrationSql } from '../src/schema/ddl';
import { type RecorderManifest, recorderManifest } from '../src/schema/manifest';
import { TestDatabase } from './support/db';

let db: TestDatabase;
beforeEach(async () => {
  db = await TestDatabase.open('mig');
});
afterEach(async () => {
  await db.close();
});

async function withClient<T>(fn: (client: Awaited<ReturnType<typeof connect>>) => Promise<T>): Promise<T> {
  const client = await connect(resolveDatabase(db.options()));
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const PG_TYPES: Record<string, string> = {
  text: 'text',
  numeric: 'numeric',
  timestamptz: 'timestamp with time zone',
  bigint: 'bigint',
  boolean: 'boolean',
  jsonb: 'jsonb',
  json: 'json',
  'numeric[]': 'ARRAY',
};

describe('schema manifest and migrations', () => {
  it('the committed manifest is the one the structure definitions produce (run `pnpm schema` after changing them)', () => {
    const committed = JSON.parse(
      readFileSync(new URL('../schema/manifest.json', import.meta.url), 'utf8'),
    ) as RecorderManifest;
    expect(committed).toEqual(recorderManifest());
    expect(committed.schemaVersion).toBe(MIGRATIONS.at(-1)?.version);
  });

  it('money is numeric, times timestamptz, venue ids text; every table with a symbol has a symbol+time index', () => {
    const money =
      /(price|quantity|volume|amount|vwap|percent|delta|prices|quantities)$|^(change|open|high|low|close|last|bid|ask|free|locked|total)$/;
    for (const s of recorderManifest().structures) {
      for (const c of s.columns) {
        if (money.test(c.name)) {
          expect(`${s.name}.${c.name} ${c.type}`).toBe(
            `${s.name}.${c.name} ${/(prices|quantities)$/.test(c.name) ? 'numeric[]' : 'numeric'}`,
          );
        }
        if (/(_time|_at)$/.test(c.name))
          expect(`${s.name}.${c.name} ${c.type}`).toBe(`${s.name}.${c.name} timestamptz`);
        if (/_id$/.test(c.name)) expect(`${s.name}.${c.name} ${c.type}`).toBe(`${s.name}.${c.name} text`);
      }
      if (s.columns.some((c) => c.name === 'symbol')) {
        expect(
          s.indexes.some((index) => index[0] === 'symbol' && /(_time|_at)$/.test(index[1] ?? '')),
          s.name,
        ).toBe(true);
      }
    }
  });

  it('migrate creates exactly the tables, columns, types, keys and indexes the manifest describes, and is idempotent', async () => {
    const first = await withClient((client) => migrate(client, db.schema));
    expect(first.applied).toEqual(MIGRATIONS.map((m) => m.version));
    const second = await withClient((client) => migrate(client, db.schema));
    expect(second).toEqual({ schema: db.schema, applied: [], version: first.version });

    const columns = await db.query<{
      table_name: string;
      column_name: string;
      data_type: string;
      is_nullable: string;
    }>(
      'SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = $1 ORDER BY table_name, ordinal_position',
      [db.schema],
    );
    const indexes = await db.query<{ tablename: string; indexdef: string }>(
      'SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = $1',
      [db.schema],
    );
    const expected: string[] = [];
    for (const s of recorderManifest().structures) {
      for (const table of [s.table, ...(s.historyTable ? [s.historyTable] : [])]) {
        for (const c of s.columns) {
          expected.push(`${table}.${c.name} ${PG_TYPES[c.type]} ${c.nullable ? 'YES' : 'NO'}`);
        }
        const defs = indexes.filter((i) => i.tablename === table).map((i) => i.indexdef);
        for (const index of s.indexes) {
          expect(
            defs.some((d) => d.includes(`btree (${index.join(', ')})`)),
            `${table} (${index})`,
          ).toBe(true);
        }
        for (const column of s.brin) expect(defs.some((d) => d.includes(`brin (${column})`))).toBe(true);
        if (table === s.table && s.key.length > 0) {
          expect(defs.some((d) => d.includes('UNIQUE') && d.includes(`(${s.key.join(', ')})`))).toBe(true);
        }
      }
    }
    const actual = columns
      .filter((c) => !['recorder_migrations', 'recorder_batches'].includes(c.table_name))
      .map((c) => `${c.table_name}.${c.column_name} ${c.data_type} ${c.is_nullable}`);
    expect(actual.sort()).toEqual(expected.sort());
  });

  it('concurrent migrations apply each version once', async () => {
    const clients = await Promise.all([0, 1, 2].map(() => connect(resolveDatabase(db.options()))));
    try {
      const results = await Promise.all(clients.map((client) => migrate(client, db.schema)));
      expect(results.flatMap((r) => r.applied).sort()).toEqual(MIGRATIONS.map((m) => m.version));
      const rows = await db.query(`SELECT version FROM "${db.schema}".recorder_migrations`);
      expect(rows).toHaveLength(MIGRATIONS.length);
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
  });

  it('the recorder refuses a schema that is behind, naming the command to run, and an edited released migration', async () => {
    const before = await withClient((client) => verifySchema(client, db.schema));
    expect(before).toBeInstanceOf(ConfigurationError);
    expect(before?.message).toContain(`venuekit-recorder migrate --schema ${db.schema}`);
    await withClient((client) => migrate(client, db.schema));
    expect(await withClient((client) => verifySchema(client, db.schema))).toBeUndefined();
    const status = await withClient((client) => migrationStatus(client, db.schema));
    expect(status).toMatchObject({ current: MIGRATIONS.length, latest: MIGRATIONS.length, pending: [] });

    const edited = MIGRATIONS.map((m) => ({ ...m, sql: `${m.sql}\n-- edited` }));
    await expect(withClient((client) => migrate(client, db.schema, edited))).rejects.toThrow(/was edited/);
  });

  it('a later structure change becomes an additive migration; destructive changes are refused', () => {
    const base = recorderManifest();
    const trade = base.structures.find((s) => s.name === 'trade')!;
    const widened: RecorderManifest = {
      ...base,
      structures: base.structures.map((s) =>
        s === trade
          ? {
              ...s,
              columns: [
                ...s.columns,
                { name: 'venue_flag', type: 'text', nullable: true, source: 'flag', description: 'x' },
              ],
              indexes: [...s.indexes, ['venue_flag']],
            }
          : s,
      ),
    };
    const sql = migrationSql(base, widened);
    expect(sql).toContain('ALTER TABLE {{schema}}."trades" ADD COLUMN "venue_flag" text;');
    expect(sql).toContain('CREATE INDEX "trades_venue_flag_idx"');
    expect(sql).not.toContain('CREATE TABLE');
    const narrowed = { ...base, structures: base.structures.filter((s) => s !== trade) };
    expect(() => migrationSql(base, narrowed)).toThrow(/removed; write this migration by hand/);
    const notNull: RecorderManifest = {
      ...base,
      structures: base.structures.map((s) =>
        s === trade
          ? {
              ...s,
              columns: [
                ...s.columns,
                { name: 'x', type: 'text', nullable: false, source: 'x', description: 'x' },
              ],
            }
          : s,
      ),
    };
    expect(() => migrationSql(base, notNull)).toThrow(/NOT NULL/);
  });
});
