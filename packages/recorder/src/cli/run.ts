import { parseArgs } from 'node:util';
import { isVenuekitError, ValidationError } from '@venuekit/core';
import { connect, type DatabaseOptions, resolveDatabase } from '../db/connection';
import { describeFailure } from '../db/errors';
import { migrate, migrationStatus } from '../db/migrator';
import { renderMigration } from '../db/sql';
import { MIGRATIONS } from '../migrations';
import { recorderManifest } from '../schema/manifest';

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
}

const USAGE = `Usage: venuekit-recorder <command> [options]

Commands:
  migrate     apply the pending migrations (idempotent; safe to run from several processes at once)
  status      show the schema's version and the pending migrations
  sql         print every migration's SQL for the schema (to review, or to apply by hand)
  manifest    print the schema manifest (JSON): each unified structure, its table and columns

Options:
  --url <url>         postgres://user:password@host:5432/database (default: $DATABASE_URL, then libpq's PG* variables)
  --host, --port, --user, --database   instead of or over the url
  --schema <name>     the recorder's schema (default: venuekit)
  --help
`;

/** The `venuekit-recorder` command line; returns the exit code (0 ok, 1 failed, 2 bad usage). */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    io.stderr(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  const { command, values } = parsed;
  if (values.help || command === undefined) {
    (command === undefined && !values.help ? io.stderr : io.stdout)(USAGE);
    return command === undefined && !values.help ? 2 : 0;
  }
  if (command === 'manifest') {
    io.stdout(`${JSON.stringify(recorderManifest(), null, 2)}\n`);
    return 0;
  }
  let options: DatabaseOptions;
  try {
    options = databaseOptions(values, io.env);
    if (command === 'sql') {
      const { schema } = resolveDatabase(options);
      for (const m of MIGRATIONS) {
        io.stdout(`-- migration ${m.version}: ${m.name}\n${renderMigration(m.sql, schema)}\n\n`);
      }
      return 0;
    }
    if (command !== 'migrate' && command !== 'status') {
      io.stderr(`unknown command: ${command}\n\n${USAGE}`);
      return 2;
    }
  } catch (error) {
    io.stderr(`${describe(error)}\n`);
    return 2;
  }
  const database = resolveDatabase(options);
  let client: Awaited<ReturnType<typeof connect>> | undefined;
  try {
    client = await connect(database);
    if (command === 'status') {
      const status = await migrationStatus(client, database.schema);
      io.stdout(
        `schema ${status.schema} on ${database.description}: version ${status.current} of ${status.latest}\n` +
          (status.pending.length === 0
            ? 'up to date\n'
            : `pending: ${status.pending.map((m) => `${m.version} ${m.name}`).join(', ')}\n`),
      );
      return 0;
    }
    const result = await migrate(client, database.schema);
    io.stdout(
      result.applied.length === 0
        ? `schema ${result.schema} on ${database.description} is up to date at version ${result.version}\n`
        : `applied ${result.applied.map((v) => MIGRATIONS.find((m) => m.version === v)?.name ?? v).join(', ')} to schema ${result.schema} on ${database.description}; now at version ${result.version}\n`,
    );
    return 0;
  } catch (error) {
    io.stderr(`${command} failed on ${database.description}: ${describe(error)}\n`);
    return 1;
  } finally {
    await client?.end().catch(() => {});
  }
}

function parse(argv: readonly string[]) {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      url: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      user: { type: 'string' },
      database: { type: 'string' },
      schema: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (positionals.length > 1) throw new Error(`unexpected argument: ${positionals[1]}`);
  return { command: positionals[0], values };
}

function databaseOptions(values: ReturnType<typeof parse>['values'], env: CliIo['env']): DatabaseOptions {
  const url = values.url ?? env.DATABASE_URL;
  let port: number | undefined;
  if (values.port !== undefined) {
    port = Number(values.port);
    if (!Number.isInteger(port)) {
      throw new ValidationError('INVALID_PARAMETER', { field: '--port', rule: 'must be an integer' });
    }
  }
  const options: DatabaseOptions = {
    ...(url ? { url } : {}),
    ...(values.host ? { host: values.host } : {}),
    ...(port === undefined ? {} : { port }),
    ...(values.user ? { user: values.user } : {}),
    ...(values.database ? { database: values.database } : {}),
    ...(values.schema ? { schema: values.schema } : {}),
    applicationName: 'venuekit-recorder-migrate',
  };
  resolveDatabase(options);
  return options;
}

function describe(error: unknown): string {
  return isVenuekitError(error) ? error.message : describeFailure(error);
}
