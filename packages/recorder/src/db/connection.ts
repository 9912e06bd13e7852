import { isSecret, Secret, ValidationError } from '@venuekit/core';
import pg from 'pg';
import { validateSchemaName } from './sql';

/** Where the recorder's PostgreSQL is. Unset fields fall back to libpq's PG* environment variables. */
export interface DatabaseOptions {
  /** `postgres://user:password@host:5432/database`. The whole url and its password are kept as secrets. */
  readonly url?: string | Secret;
  readonly host?: string;
  readonly port?: number;
  readonly user?: string;
  readonly password?: string | Secret;
  readonly database?: string;
  /** The schema holding the recorder's tables. Default `venuekit`. */
  readonly schema?: string;
  /** Default 5000 ms. */
  readonly connectTimeoutMs?: number;
  /** A statement running longer is canceled and retried. Default 60 000 ms. */
  readonly statementTimeoutMs?: number;
  /** Shown in `pg_stat_activity`. Default `venuekit-recorder`. */
  readonly applicationName?: string;
}

export interface ResolvedDatabase {
  readonly schema: string;
  /** For logs and errors: host, port, database and user, never the password. */
  readonly description: string;
  readonly applicationName: string;
  readonly statementTimeoutMs: number;
  clientConfig(): pg.ClientConfig;
}

export const DEFAULT_SCHEMA = 'venuekit';

function positive(value: unknown, field: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0 || value > 3_600_000) {
    throw new ValidationError('INVALID_PARAMETER', { field, rule: 'must be an integer from 1 to 3600000' });
  }
  return value;
}

function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0) {
    throw new ValidationError('INVALID_PARAMETER', { field, rule: 'must be a non-empty string' });
  }
  return value;
}

/** Validates the options (ValidationError naming the field) and keeps credentials out of reach of logs. */
export function resolveDatabase(options: DatabaseOptions = {}, field = 'database'): ResolvedDatabase {
  if (typeof options !== 'object' || options === null) {
    throw new ValidationError('INVALID_PARAMETER', { field, rule: 'must be an object' });
  }
  const schema = validateSchemaName(options.schema ?? DEFAULT_SCHEMA, `${field}.schema`);
  const connectTimeoutMs = positive(options.connectTimeoutMs, `${field}.connectTimeoutMs`, 5_000);
  const statementTimeoutMs = positive(options.statementTimeoutMs, `${field}.statementTimeoutMs`, 60_000);
  const applicationName =
    optionalString(options.applicationName, `${field}.applicationName`) ?? 'venuekit-recorder';
  let host = optionalString(options.host, `${field}.host`);
  let user = optionalString(options.user, `${field}.user`);
  let database = optionalString(options.database, `${field}.database`);
  let port = options.port === undefined ? undefined : positive(options.port, `${field}.port`, 5432);
  if (port !== undefined && port > 65_535) {
    throw new ValidationError('INVALID_PARAMETER', { field: `${field}.port`, rule: 'must be at most 65535' });
  }
  let password: Secret | undefined;
  if (options.password !== undefined) {
    password = isSecret(options.password)
      ? options.password
      : new Secret(optionalString(options.password, `${field}.password`) as string);
  }
  let query: URLSearchParams | undefined;
  if (options.url !== undefined) {
    const text = isSecret(options.url) ? options.url.reveal() : optionalString(options.url, `${field}.url`);
    let url: URL;
    try {
      url = new URL(text as string);
    } catch {
      throw new ValidationError('INVALID_PARAMETER', {
        field: `${field}.url`,
        rule: 'must be a postgres://user:password@host:port/database url',
      });
    }
    if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
      throw new ValidationError('INVALID_PARAMETER', {
        field: `${field}.url`,
        rule: 'must start with postgres:// or postgresql://',
      });
    }
    if (url.password && !password) password = new Secret(decodeURIComponent(url.password));
    host ??= url.hostname ? decodeURIComponent(url.hostname) : undefined;
    port ??= url.port ? Number(url.port) : undefined;
    user ??= url.username ? decodeURIComponent(url.username) : undefined;
    database ??= url.pathname.length > 1 ? decodeURIComponent(url.pathname.slice(1)) : undefined;
    query = url.searchParams;
  }
  const where = `${host ?? process.env.PGHOST ?? 'localhost'}:${port ?? process.env.PGPORT ?? 5432}`;
  const description = `postgres://${user ?? process.env.PGUSER ?? ''}@${where}/${database ?? process.env.PGDATABASE ?? ''}`;
  return {
    schema,
    description,
    applicationName,
    statementTimeoutMs,
    clientConfig() {
      const config: pg.ClientConfig = {
        ...(host === undefined ? {} : { host }),
        ...(port === undefined ? {} : { port }),
        ...(user === undefined ? {} : { user }),
        ...(database === undefined ? {} : { database }),
        // A function: the password stays in its Secret, not in a config object someone may print.
        ...(password ? { password: () => (password as Secret).reveal() } : {}),
        ...(query?.get('sslmode') && query.get('sslmode') !== 'disable'
          ? { ssl: { rejectUnauthorized: query.get('sslmode') === 'verify-full' } }
          : {}),
        application_name: applicationName,
        connectionTimeoutMillis: connectTimeoutMs,
        statement_timeout: statementTimeoutMs,
        // The socket-level deadline: a database that stops answering is noticed even mid-statement.
        query_timeout: statementTimeoutMs + 5_000,
        keepAlive: true,
        keepAliveInitialDelayMillis: 10_000,
      };
      return config;
    },
  };
}

/** Opens a connection; every client gets an 'error' listener so a dropped connection never crashes the process. */
export async function connect(
  database: ResolvedDatabase,
  onError: (error: Error) => void = () => {},
): Promise<pg.Client> {
  const client = new pg.Client(database.clientConfig());
  client.on('error', onError);
  // Ended by the server or the network without an error event: the same as an error.
  client.on('end', () => onError(new Error('Connection terminated')));
  try {
    await client.connect();
  } catch (error) {
    client.end().catch(() => {});
    throw error;
  }
  return client;
}
