import { createHash } from 'node:crypto';
import { ConfigurationError } from '@venuekit/core';
import type pg from 'pg';
import { MIGRATIONS } from '../migrations';
import type { Migration } from '../schema/migration';
import { connect, type DatabaseOptions, resolveDatabase } from './connection';
import { sqlState } from './errors';
import { qualified, quoteIdent, renderMigration } from './sql';

export interface AppliedMigration {
  readonly version: number;
  readonly name: string;
  readonly checksum: string;
  readonly appliedAt: number;
}

export interface MigrationStatus {
  readonly schema: string;
  /** The highest applied version (0 for an empty schema). */
  readonly current: number;
  /** The highest version this recorder knows. */
  readonly latest: number;
  readonly applied: readonly AppliedMigration[];
  readonly pending: readonly { readonly version: number; readonly name: string }[];
}

export interface MigrateResult {
  readonly schema: string;
  /** Versions applied by this call (empty when the schema was already current). */
  readonly applied: readonly number[];
  readonly version: number;
}

type Queryable = Pick<pg.Client, 'query'>;

export const MIGRATIONS_TABLE = 'recorder_migrations';

export function checksum(migration: Migration): string {
  return createHash('sha256').update(migration.sql).digest('hex');
}

function lockKey(schema: string): string {
  return `venuekit-recorder:${schema}`;
}

/** The migrations recorded in the schema; an empty list when the schema or the table does not exist. */
async function readApplied(client: Queryable, schema: string): Promise<AppliedMigration[]> {
  try {
    const result = await client.query<{ version: number; name: string; checksum: string; applied_at: Date }>(
      `SELECT version, name, checksum, applied_at FROM ${qualified(schema, MIGRATIONS_TABLE)} ORDER BY version`,
    );
    return result.rows.map((r) => ({
      version: Number(r.version),
      name: r.name,
      checksum: r.checksum,
      appliedAt: r.applied_at.getTime(),
    }));
  } catch (error) {
    const state = sqlState(error);
    if (state === '42P01' || state === '3F000') return [];
    throw error;
  }
}

function verifyChecksums(
  applied: readonly AppliedMigration[],
  migrations: readonly Migration[],
  schema: string,
) {
  for (const row of applied) {
    const known = migrations.find((m) => m.version === row.version);
    if (known && checksum(known) !== row.checksum) {
      throw new ConfigurationError('MISSING_BINDING', {
        message: `migration ${row.version} (${row.name}) applied to schema ${schema} differs from this recorder's: a released migration was edited`,
        recoverySuggestions: [
          'Restore the released migration file; add changes as a new migration (`pnpm schema <name>`)',
        ],
      });
    }
  }
}

export async function migrationStatus(
  client: Queryable,
  schema: string,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<MigrationStatus> {
  const applied = await readApplied(client, schema);
  const done = new Set(applied.map((a) => a.version));
  return {
    schema,
    current: applied.reduce((max, a) => Math.max(max, a.version), 0),
    latest: migrations.reduce((max, m) => Math.max(max, m.version), 0),
    applied,
    pending: migrations.filter((m) => !done.has(m.version)).map(({ version, name }) => ({ version, name })),
  };
}

/**
 * Applies the pending migrations, each in its own transaction, under an advisory lock so that
 * concurrent runs (several recorders starting at once) apply each migration once. Idempotent.
 */
export async function migrate(
  client: Queryable,
  schema: string,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<MigrateResult> {
  await client.query('SELECT pg_advisory_lock(hashtext($1))', [lockKey(schema)]);
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${qualified(schema, MIGRATIONS_TABLE)} (
        "version" integer PRIMARY KEY,
        "name" text NOT NULL,
        "checksum" text NOT NULL,
        "applied_at" timestamptz NOT NULL DEFAULT now()
      )`,
    );
    const applied = await readApplied(client, schema);
    verifyChecksums(applied, migrations, schema);
    const done = new Set(applied.map((a) => a.version));
    const ran: number[] = [];
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(migration.version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(renderMigration(migration.sql, schema));
        await client.query(
          `INSERT INTO ${qualified(schema, MIGRATIONS_TABLE)} (version, name, checksum) VALUES ($1, $2, $3)`,
          [migration.version, migration.name, checksum(migration)],
        );
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      }
      ran.push(migration.version);
    }
    const version = Math.max(0, ...applied.map((a) => a.version), ...ran);
    return { schema, applied: ran, version };
  } finally {
    await client.query('SELECT pg_advisory_unlock(hashtext($1))', [lockKey(schema)]).catch(() => {});
  }
}

/**
 * What the recorder checks before writing: the schema is at least at the version it needs. Returns
 * undefined when it is, or a ConfigurationError saying what to run.
 */
export async function verifySchema(
  client: Queryable,
  schema: string,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<ConfigurationError | undefined> {
  const status = await migrationStatus(client, schema, migrations);
  verifyChecksums(status.applied, migrations, schema);
  if (status.pending.length === 0) return undefined;
  return new ConfigurationError('MISSING_BINDING', {
    message: `the recorder schema ${schema} is at version ${status.current}, this recorder needs ${status.latest}: run \`venuekit-recorder migrate --schema ${schema}\``,
    recoverySuggestions: [
      `Run \`venuekit-recorder migrate --schema ${schema}\` (or recorder option migrate: true)`,
    ],
  });
}

/** Applies the pending migrations to the database and schema of `options` (the library form of `venuekit-recorder migrate`). */
export async function migrateDatabase(options: DatabaseOptions = {}): Promise<MigrateResult> {
  const database = resolveDatabase(options);
  const client = await connect(database);
  try {
    return await migrate(client, database.schema);
  } finally {
    await client.end().catch(() => {});
  }
}

/** The schema's version and pending migrations. */
export async function databaseStatus(options: DatabaseOptions = {}): Promise<MigrationStatus> {
  const database = resolveDatabase(options);
  const client = await connect(database);
  try {
    return await migrationStatus(client, database.schema);
  } finally {
    await client.end().catch(() => {});
  }
}
