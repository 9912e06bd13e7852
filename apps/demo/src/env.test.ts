import { ValidationError } from '@venuekit/core';
import { describe, expect, it } from 'vitest';
import { logLevelFromEnv, productionKeysFromEnv, testnetUsersFromEnv } from './env';

describe('the demo environment', () => {
  it('finds no, one or two testnet users', () => {
    expect(testnetUsersFromEnv({})).toEqual([]);
    const [user] = testnetUsersFromEnv({ BINANCE_TESTNET_API_KEY: ' k1 ', BINANCE_TESTNET_SECRET_KEY: 's1' });
    expect(user?.userId).toBe('testnet-1');
    const credentials = user?.credentials;
    if (credentials?.type !== 'hmac') throw new Error('expected HMAC credentials');
    expect([credentials.apiKey.reveal(), credentials.secret.reveal()]).toEqual(['k1', 's1']);
    // Sealed: the keys do not print.
    expect(JSON.stringify(user)).not.toContain('s1');
    expect(String(credentials.secret)).not.toContain('s1');
    expect(
      testnetUsersFromEnv({
        BINANCE_TESTNET_API_KEY: 'k1',
        BINANCE_TESTNET_SECRET_KEY: 's1',
        BINANCE_TESTNET_API_KEY_2: 'k2',
        BINANCE_TESTNET_SECRET_KEY_2: 's2',
      }).map((user) => user.userId),
    ).toEqual(['testnet-1', 'testnet-2']);
  });

  it('refuses half a key pair, naming the variable that is missing', () => {
    expect(() => productionKeysFromEnv({ BINANCE_SECRET_KEY: 's' })).toThrow(
      expect.objectContaining({ context: expect.objectContaining({ field: 'BINANCE_API_KEY' }) }),
    );
    expect(() => testnetUsersFromEnv({ BINANCE_TESTNET_API_KEY: 'k' })).toThrow(ValidationError);
    expect(productionKeysFromEnv({ BINANCE_API_KEY: '', BINANCE_SECRET_KEY: ' ' })).toBeUndefined();
  });

  it('reads the log level, default warn', () => {
    expect(logLevelFromEnv({})).toBe('warn');
    expect(logLevelFromEnv({ VENUEKIT_LOG_LEVEL: 'DEBUG' })).toBe('debug');
    expect(() => logLevelFromEnv({ VENUEKIT_LOG_LEVEL: 'loud' })).toThrow(
      expect.objectContaining({ context: expect.objectContaining({ field: 'VENUEKIT_LOG_LEVEL' }) }),
    );
  });
});
