import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { DatabaseOptions } from '../../src/db/connection';

// The real PostgreSQL at 127.0.0.1:5432 (trust auth). Every test works in its own schema and drops it.
export const PG: {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly database: string;
} = {
  host: process.env.VENUEKIT_TEST_PGHOST ?? '127.0.0.1',
  port: Number(process.env.VENUEKIT_TEST_PGPORT ?? 5432),
  user: process.env.VENUEKIT_TEST_PGUSER ?? 'postgres',
  database: process.env.VENUEKIT_TEST_PGDATABASE ?? 'test',
};

export function uniqueSchema(prefix = 'rec'): string {
  return `t_${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

export function databaseOptions(schema: string, overrides: Partial<DatabaseOptions> = {}): DatabaseOptions {
  return { ...PG, schema, connectTimeoutMs: 2_000, ...overrides };
}

/** A connection of the test's own, for reading back and for faults (closed by `close`). */
export class TestDatabase {
  readonly schema: string;
  readonly target: typeof PG;
  #client: pg.Client;
  #broken = false;

  private constructor(schema: string, client: pg.Client, target: typeof PG) {
    this.schema = schema;
    this.#client = client;
    this.target = target;
    client.on('error', () => {
      this.#broken = true;
    });
  }

  /** A fresh schema on the shared database (or on `target`, e.g. a private cluster). */
  static async open(prefix?: string, target: typeof PG = PG): Promise<TestDatabase> {
    const client = new pg.Client({ ...target, application_name: 'venuekit-recorder-test' });
    client.on('error', () => {});
    await client.connect();
    return new TestDatabase(uniqueSchema(prefix), client, target);
  }

  options(overrides: Partial<DatabaseOptions> = {}): DatabaseOptions {
    return { ...this.target, schema: this.schema, connectTimeoutMs: 2_000, ...overrides };
  }

  async query<R extends pg.QueryResultRow = Record<string, unknown>>(
    text: string,
    values?: unknown[],
  ): Promise<R[]> {
    try {
      return (await this.#client.query<R>(text, values)).rows;
    } catch (error) {
      if (!this.#broken && !/not queryable|Connection terminated/.test(String(error))) throw error;
    }
    // The server restarted under the test (a restart test): connect again, once.
    this.#client.end().catch(() => {});
    const client = new pg.Client({ ...this.target, application_name: 'venuekit-recorder-test' });
    client.on('error', () => {
      this.#broken = true;
    });
    await client.connect();
    this.#client = client;
    this.#broken = false;
    return (await client.query<R>(text, values)).rows;
  }

  async count(table: string): Promise<number> {
    const rows = await this.query<{ n: string }>(`SELECT count(*) AS n FROM "${this.schema}"."${table}"`);
    return Number(rows[0]?.n ?? 0);
  }

  /** Ends every other connection with this application name (the recorder's), as an operator would. */
  async terminate(applicationName: string): Promise<number> {
    const rows = await this.query<{ pid: number }>(
      'SELECT pg_terminate_backend(pid) AS ok, pid FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()',
      [applicationName],
    );
    return rows.length;
  }

  async close(): Promise<void> {
    await this.query(`DROP SCHEMA IF EXISTS "${this.schema}" CASCADE`).catch(() => {});
    await this.#client.end().catch(() => {});
  }
}

/** Polls `test` until it holds, with a deadline: no fixed sleeps. */
export async function eventually(
  test: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await test()) return;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
