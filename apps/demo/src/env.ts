import { binanceCredentialsFromEnv } from '@venuekit/adapter-binance';
import { type LogLevel, ValidationError } from '@venuekit/core';
import type { DemoUserKeys } from './user-desk';

/**
 * The demo's environment variables. API keys are read by the Binance adapter's
 * `binanceCredentialsFromEnv` (its env module also reads `BINANCE_ENV`, `BINANCE_REST_URL`…):
 *
 * - `BINANCE_TESTNET_API_KEY` with `BINANCE_TESTNET_API_SECRET` (or `_SECRET_KEY`, or
 *   `BINANCE_TESTNET_PRIVATE_KEY` for an Ed25519 key): a Binance spot testnet key
 * - the same names ending in `_2`: optionally, a second testnet user
 * - `BINANCE_PROD_API_KEY` / `BINANCE_PROD_API_SECRET` (or `BINANCE_API_KEY` / `BINANCE_SECRET_KEY`):
 *   a production key, used by `smoke:live` for read-only calls
 * - `VENUEKIT_LOG_LEVEL`: the demo's log level (default `warn`)
 * - `REDIS_URL`: the Redis server for `--redis` (read with the command line, in options.ts)
 */
export type Env = Readonly<Record<string, string | undefined>>;

/** The testnet users whose keys are in the environment (none, one or two). */
export function testnetUsersFromEnv(env: Env = process.env): DemoUserKeys[] {
  const users: DemoUserKeys[] = [];
  // Sealed at once: from here on the keys print as [REDACTED] everywhere.
  const first = binanceCredentialsFromEnv(env, 'testnet');
  if (first) users.push({ userId: 'testnet-1', credentials: first });
  const second = binanceCredentialsFromEnv(env, 'testnet', { suffix: '_2' });
  if (second) users.push({ userId: 'testnet-2', credentials: second });
  return users;
}

/** A production key for read-only smoke checks, when one is set. */
export function productionKeysFromEnv(env: Env = process.env): DemoUserKeys | undefined {
  const credentials = binanceCredentialsFromEnv(env, 'prod');
  return credentials ? { userId: 'production', credentials } : undefined;
}

const LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/** The log level the demo runs at: `VENUEKIT_LOG_LEVEL`, default `warn`. */
export function logLevelFromEnv(env: Env = process.env): LogLevel {
  const value = env.VENUEKIT_LOG_LEVEL?.trim().toLowerCase();
  if (!value) return 'warn';
  if (!LEVELS.includes(value as LogLevel)) {
    throw new ValidationError('INVALID_PARAMETER', {
      field: 'VENUEKIT_LOG_LEVEL',
      rule: `must be one of ${LEVELS.join(', ')}`,
    });
  }
  return value as LogLevel;
}
