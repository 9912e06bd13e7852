import { createCredentials, type LogLevel, ValidationError } from '@venuekit/core';
import type { DemoUserKeys } from './user-desk';

/**
 * The demo's environment variables, read here only. The Binance adapter reads its own
 * (`BINANCE_ENV`, `BINANCE_REST_URL`…) in its env module; these are the keys of the demo's
 * testnet users and of the live smoke checks.
 *
 * - `BINANCE_TESTNET_API_KEY`, `BINANCE_TESTNET_SECRET_KEY`: a Binance spot testnet key (HMAC)
 * - `BINANCE_TESTNET_API_KEY_2`, `BINANCE_TESTNET_SECRET_KEY_2`: optionally, a second testnet user
 * - `BINANCE_API_KEY`, `BINANCE_SECRET_KEY`: a production key, used by `smoke:live` for read-only calls
 * - `VENUEKIT_LOG_LEVEL`: the demo's log level (default `warn`)
 * - `REDIS_URL`: the Redis server for `--redis` (read with the command line, in options.ts)
 */
export type Env = Readonly<Record<string, string | undefined>>;

function pair(env: Env, keyName: string, secretName: string, userId: string): DemoUserKeys | undefined {
  const apiKey = env[keyName]?.trim();
  const secretKey = env[secretName]?.trim();
  if (!apiKey && !secretKey) return undefined;
  if (!apiKey || !secretKey) {
    throw new ValidationError('MISSING_PARAMETER', {
      field: apiKey ? secretName : keyName,
      rule: `must be set together with ${apiKey ? keyName : secretName}`,
    });
  }
  // Sealed at once: from here on the keys print as [REDACTED] everywhere.
  return { userId, credentials: createCredentials({ apiKey, secret: secretKey }) };
}

/** The testnet users whose keys are in the environment (none, one or two). */
export function testnetUsersFromEnv(env: Env = process.env): DemoUserKeys[] {
  return [
    pair(env, 'BINANCE_TESTNET_API_KEY', 'BINANCE_TESTNET_SECRET_KEY', 'testnet-1'),
    pair(env, 'BINANCE_TESTNET_API_KEY_2', 'BINANCE_TESTNET_SECRET_KEY_2', 'testnet-2'),
  ].filter((keys): keys is DemoUserKeys => keys !== undefined);
}

/** A production key for read-only smoke checks, when one is set. */
export function productionKeysFromEnv(env: Env = process.env): DemoUserKeys | undefined {
  return pair(env, 'BINANCE_API_KEY', 'BINANCE_SECRET_KEY', 'production');
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
