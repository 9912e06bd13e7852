import { generateKeyPairSync } from 'node:crypto';
import { inspect } from 'node:util';
import { ValidationError } from '@venuekit/core';
import { describe, expect, it } from 'vitest';
import { binanceCredentialsFromEnv } from './env';

const reveal = (credentials: ReturnType<typeof binanceCredentialsFromEnv>) => {
  if (!credentials) throw new Error('expected credentials');
  return credentials.type === 'hmac'
    ? [credentials.type, credentials.apiKey.reveal(), credentials.secret.reveal()]
    : [credentials.type, credentials.apiKey.reveal(), credentials.privateKey.reveal()];
};

describe('binanceCredentialsFromEnv', () => {
  it('reads the environment’s own family of variables (HMAC), sealed', () => {
    const env = {
      BINANCE_TESTNET_API_KEY: ' tk ',
      BINANCE_TESTNET_API_SECRET: 'ts',
      BINANCE_PROD_API_KEY: 'pk',
      BINANCE_PROD_API_SECRET: 'ps',
      BINANCE_DEMO_API_KEY: 'dk',
      BINANCE_DEMO_API_SECRET: 'ds',
    };
    expect(reveal(binanceCredentialsFromEnv(env, 'testnet'))).toEqual(['hmac', 'tk', 'ts']);
    expect(reveal(binanceCredentialsFromEnv(env, 'prod'))).toEqual(['hmac', 'pk', 'ps']);
    expect(reveal(binanceCredentialsFromEnv(env, 'demo'))).toEqual(['hmac', 'dk', 'ds']);
    const credentials = binanceCredentialsFromEnv(env, 'testnet');
    expect(`${JSON.stringify(credentials)} ${inspect(credentials)}`).not.toContain('ts');
  });

  it('never takes another environment’s key, and returns undefined when none is set', () => {
    expect(
      binanceCredentialsFromEnv({ BINANCE_PROD_API_KEY: 'pk', BINANCE_PROD_API_SECRET: 'ps' }, 'testnet'),
    ).toBe(undefined);
    // The unprefixed family is production's only.
    const generic = { BINANCE_API_KEY: 'gk', BINANCE_API_SECRET: 'gs' };
    expect(binanceCredentialsFromEnv(generic, 'testnet')).toBeUndefined();
    expect(binanceCredentialsFromEnv(generic, 'demo')).toBeUndefined();
    expect(reveal(binanceCredentialsFromEnv(generic, 'prod'))).toEqual(['hmac', 'gk', 'gs']);
    // BINANCE_PROD_* wins over the unprefixed family.
    expect(
      reveal(
        binanceCredentialsFromEnv({ ...generic, BINANCE_PROD_API_KEY: 'pk', BINANCE_PROD_API_SECRET: 'ps' }),
      ),
    ).toEqual(['hmac', 'pk', 'ps']);
    expect(
      binanceCredentialsFromEnv({ BINANCE_TESTNET_API_KEY: ' ', BINANCE_TESTNET_API_SECRET: '' }, 'testnet'),
    ).toBe(undefined);
  });

  it('reads an Ed25519 or RSA private key (PEM, with \\n escapes from a one-line .env)', () => {
    const ed = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ format: 'pem', type: 'pkcs8' })
      .toString();
    const edCredentials = binanceCredentialsFromEnv(
      { BINANCE_TESTNET_API_KEY: 'ek', BINANCE_TESTNET_PRIVATE_KEY: ed.replace(/\n/g, '\\n') },
      'testnet',
    );
    expect(reveal(edCredentials)).toEqual(['ed25519', 'ek', ed.trim()]);
    const rsaCredentials = binanceCredentialsFromEnv(
      { BINANCE_DEMO_API_KEY: 'rk', BINANCE_DEMO_PRIVATE_KEY: rsa },
      'demo',
    );
    expect(rsaCredentials?.type).toBe('rsa');
  });

  it('reads a second key of an environment with a suffix, and the older _SECRET_KEY name', () => {
    const env = {
      BINANCE_TESTNET_API_KEY: 'k1',
      BINANCE_TESTNET_SECRET_KEY: 's1',
      BINANCE_TESTNET_API_KEY_2: 'k2',
      BINANCE_TESTNET_SECRET_KEY_2: 's2',
    };
    expect(reveal(binanceCredentialsFromEnv(env, 'testnet'))).toEqual(['hmac', 'k1', 's1']);
    expect(reveal(binanceCredentialsFromEnv(env, 'testnet', { suffix: '_2' }))).toEqual(['hmac', 'k2', 's2']);
    expect(binanceCredentialsFromEnv(env, 'testnet', { suffix: '_3' })).toBeUndefined();
  });

  it('refuses half a pair or both kinds of secret, naming the variable, without printing a value', () => {
    const attempt = (env: Record<string, string>, environment: 'prod' | 'testnet' = 'testnet') => {
      try {
        binanceCredentialsFromEnv(env, environment);
      } catch (error) {
        expect(error).toBeInstanceOf(ValidationError);
        expect(JSON.stringify(error)).not.toContain('sekret');
        return (error as ValidationError).context.field;
      }
      throw new Error('expected a ValidationError');
    };
    expect(attempt({ BINANCE_TESTNET_API_KEY: 'k' })).toBe('BINANCE_TESTNET_API_SECRET');
    expect(attempt({ BINANCE_TESTNET_API_SECRET: 'sekret' })).toBe('BINANCE_TESTNET_API_KEY');
    expect(attempt({ BINANCE_SECRET_KEY: 'sekret' }, 'prod')).toBe('BINANCE_API_KEY');
    expect(
      attempt({
        BINANCE_TESTNET_API_KEY: 'k',
        BINANCE_TESTNET_API_SECRET: 'sekret',
        BINANCE_TESTNET_PRIVATE_KEY: 'x',
      }),
    ).toBe('BINANCE_TESTNET_PRIVATE_KEY');
    expect(attempt({ BINANCE_TESTNET_API_KEY: 'k', BINANCE_TESTNET_PRIVATE_KEY: 'not a pem sekret' })).toBe(
      'BINANCE_TESTNET_PRIVATE_KEY',
    );
    expect(() => binanceCredentialsFromEnv({}, 'staging' as 'prod')).toThrow(ValidationError);
  });
});
