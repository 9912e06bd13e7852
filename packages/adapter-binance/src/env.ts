import { createPrivateKey } from 'node:crypto';
import { type Credentials, createCredentials, ValidationError } from '@venuekit/core';
import type { BinanceConfigInput } from './config';
import { BINANCE_ENVIRONMENTS, type BinanceEnvironment } from './urls';

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * The one place the Binance adapter reads environment variables. Returns a
 * config input to pass to `binanceModule()` / `new BinanceAdapter()`; values a
 * caller passes explicitly should be spread over it.
 *
 * - `BINANCE_ENV`: `prod` (default), `testnet` or `demo`
 * - `BINANCE_REST_URL`, `BINANCE_STREAMS_URL`, `BINANCE_WS_API_URL`: override one url
 */
export function binanceConfigFromEnv(env: Env = process.env): BinanceConfigInput {
  const name = env.BINANCE_ENV?.trim().toLowerCase();
  let environment: BinanceEnvironment | undefined;
  if (name) {
    const aliases: Record<string, BinanceEnvironment> = { production: 'prod', live: 'prod', test: 'testnet' };
    const resolved = aliases[name] ?? name;
    if (!BINANCE_ENVIRONMENTS.includes(resolved as BinanceEnvironment)) {
      throw new ValidationError('INVALID_PARAMETER', {
        field: 'BINANCE_ENV',
        rule: `must be one of ${BINANCE_ENVIRONMENTS.join(', ')}`,
      });
    }
    environment = resolved as BinanceEnvironment;
  }
  const rest = env.BINANCE_REST_URL?.trim() || undefined;
  const streams = env.BINANCE_STREAMS_URL?.trim() || undefined;
  const wsApi = env.BINANCE_WS_API_URL?.trim() || undefined;
  const urls = {
    ...(rest ? { rest } : {}),
    ...(streams ? { streams } : {}),
    ...(wsApi ? { wsApi } : {}),
  };
  return {
    ...(environment ? { environment } : {}),
    ...(Object.keys(urls).length > 0 ? { urls } : {}),
  };
}

export interface BinanceCredentialsFromEnvOptions {
  /**
   * Appended to every variable name, for a second key of the same environment:
   * `{ suffix: '_2' }` reads `BINANCE_TESTNET_API_KEY_2`…
   */
  readonly suffix?: string;
}

/**
 * One environment's API key, read from the environment (the variable names of the seed
 * integration guide, one family per environment so that a testnet key is never taken for a
 * production one):
 *
 * - `BINANCE_<ENV>_API_KEY` with `BINANCE_<ENV>_API_SECRET` (HMAC), or with
 *   `BINANCE_<ENV>_PRIVATE_KEY` (a PEM PKCS#8 Ed25519 or RSA key; `\n` escapes are accepted
 *   for one-line `.env` files). `<ENV>` is `PROD`, `TESTNET` or `DEMO`.
 * - `BINANCE_<ENV>_SECRET_KEY` is read as an older name of `_API_SECRET`.
 * - For `prod` only, when no `BINANCE_PROD_*` variable is set, the unprefixed `BINANCE_API_KEY`,
 *   `BINANCE_API_SECRET` / `BINANCE_SECRET_KEY`, `BINANCE_PRIVATE_KEY` family is read.
 *
 * Returns core `Credentials` (every value a `Secret` from here on), or undefined when none of the
 * environment's variables is set. Half a pair, or a secret and a private key together, is a
 * ValidationError naming the variable.
 */
export function binanceCredentialsFromEnv(
  env: Env = process.env,
  environment: BinanceEnvironment = 'prod',
  options: BinanceCredentialsFromEnvOptions = {},
): Credentials | undefined {
  if (!BINANCE_ENVIRONMENTS.includes(environment)) {
    throw new ValidationError('INVALID_PARAMETER', {
      field: 'environment',
      rule: `must be one of ${BINANCE_ENVIRONMENTS.join(', ')}`,
    });
  }
  const suffix = options.suffix ?? '';
  if (!/^[A-Z0-9_]*$/.test(suffix)) {
    throw new ValidationError('INVALID_PARAMETER', {
      field: 'suffix',
      rule: 'must be made of A-Z, 0-9 and _',
    });
  }
  const prefixed = readFamily(env, `BINANCE_${environment.toUpperCase()}_`, suffix);
  const family = prefixed.set || environment !== 'prod' ? prefixed : readFamily(env, 'BINANCE_', suffix);
  if (!family.set) return undefined;
  const { apiKey, secret, privateKey, names } = family;
  if (secret !== undefined && privateKey !== undefined) {
    throw new ValidationError('INVALID_PARAMETER', {
      field: names.privateKey,
      rule: `must not be set together with ${names.secret}: an API key has either an HMAC secret or a private key`,
    });
  }
  if (apiKey === undefined) {
    throw new ValidationError('MISSING_PARAMETER', {
      field: names.apiKey,
      rule: `must be set together with ${secret !== undefined ? names.secret : names.privateKey}`,
    });
  }
  if (secret === undefined && privateKey === undefined) {
    throw new ValidationError('MISSING_PARAMETER', {
      field: names.secret,
      rule: `(or ${names.legacySecret}, or ${names.privateKey}) must be set together with ${names.apiKey}`,
    });
  }
  if (secret !== undefined) return createCredentials({ apiKey, secret });
  const pem = (privateKey as string).replace(/\\n/g, '\n').trim();
  return createCredentials({ apiKey, privateKey: pem, type: keyType(pem, names.privateKey) });
}

interface Family {
  readonly set: boolean;
  readonly apiKey: string | undefined;
  readonly secret: string | undefined;
  readonly privateKey: string | undefined;
  readonly names: {
    readonly apiKey: string;
    readonly secret: string;
    readonly legacySecret: string;
    readonly privateKey: string;
  };
}

function readFamily(env: Env, prefix: string, suffix: string): Family {
  const value = (name: string) => {
    const raw = env[name]?.trim();
    return raw ? raw : undefined;
  };
  const names = {
    apiKey: `${prefix}API_KEY${suffix}`,
    secret: `${prefix}API_SECRET${suffix}`,
    privateKey: `${prefix}PRIVATE_KEY${suffix}`,
  };
  const legacySecret = `${prefix}SECRET_KEY${suffix}`;
  const apiKey = value(names.apiKey);
  const secret = value(names.secret) ?? value(legacySecret);
  const privateKey = value(names.privateKey);
  return {
    set: apiKey !== undefined || secret !== undefined || privateKey !== undefined,
    apiKey,
    secret,
    privateKey,
    names: {
      ...names,
      legacySecret,
      secret:
        value(names.secret) === undefined && value(legacySecret) !== undefined ? legacySecret : names.secret,
    },
  };
}

/** Ed25519 or RSA, from the key itself; a key that is neither is refused here. */
function keyType(pem: string, field: string): 'ed25519' | 'rsa' {
  let type: string | undefined;
  try {
    type = createPrivateKey({ key: pem, format: 'pem' }).asymmetricKeyType;
  } catch {
    type = undefined;
  }
  if (type === 'ed25519' || type === 'rsa') return type;
  throw new ValidationError('INVALID_PARAMETER', {
    field,
    rule: 'must be a PEM-encoded PKCS#8 Ed25519 or RSA private key',
  });
}
