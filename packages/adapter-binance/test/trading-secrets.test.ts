import { generateKeyPairSync } from 'node:crypto';
import { inspect } from 'node:util';
import { createCredentials, normalizeOrderRequest } from '@venuekit/core';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BinanceAccount } from '../src/trading';
import {
  collector,
  type Harness,
  leakedSecrets,
  SECRETS,
  seen,
  startHarness,
  TRADER_API_KEY,
} from './trading-harness';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});
afterAll(() => {
  expect(seen.logLines.length).toBeGreaterThan(0);
  expect(leakedSecrets()).toEqual([]);
});

const WRONG_SECRET = 'VKTESTSECRET0wrong00Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0Pp9Oo8Nn7Mm6';
const UNKNOWN_KEY = 'VKTESTAPIKEY0unknown0B3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5bC7dE9';
SECRETS.push(WRONG_SECRET, UNKNOWN_KEY);

function otherAccount(apiKey: string, secret: string): BinanceAccount {
  return new BinanceAccount(
    createCredentials({ apiKey, secret }),
    {
      restUrl: h.fake.restUrl,
      wsApiUrl: h.fake.wsApiUrl,
      gate: h.governor,
      instruments: h.instruments,
      venueClock: h.timeSync,
      logger: h.logger,
    },
    { userId: 'mallory' },
  );
}

describe('secrets never leak', () => {
  it('a refused signature or key produces errors that name the problem without the credentials', async () => {
    const wrongSecret = otherAccount(TRADER_API_KEY, WRONG_SECRET);
    const unknownKey = otherAccount(UNKNOWN_KEY, WRONG_SECRET);
    try {
      const badSignature = await h.failure(() => wrongSecret.getBalances());
      expect(badSignature).toMatchObject({
        code: 'INVALID_SIGNATURE',
        category: 'authentication',
        venue: { code: -1022 },
      });
      const badKey = await h.failure(() => unknownKey.verifyCredentials());
      expect(badKey).toMatchObject({ code: 'AUTHENTICATION_FAILED', venue: { code: -2015 } });
      const overWs = await h.failure(() =>
        unknownKey.placeOrder(
          normalizeOrderRequest({
            symbol: 'BTC/USDT',
            side: 'buy',
            type: 'limit',
            quantity: '0.001',
            price: '40000',
          }),
          { transport: 'websocket' },
        ),
      );
      expect(overWs).toMatchObject({ category: 'authentication' });
      const feed = collector();
      expect(await h.failure(() => unknownKey.subscribeUserData(feed.observer))).toMatchObject({
        category: 'authentication',
      });
      for (const error of [badSignature, badKey, overWs]) {
        const text = `${String(error)} ${JSON.stringify(error)} ${inspect(error, { depth: 10 })}`;
        for (const secret of SECRETS) expect(text).not.toContain(secret);
        expect(text).not.toMatch(/signature=[0-9a-f]{64}/);
      }
    } finally {
      await wrongSecret.close();
      await unknownKey.close();
    }
  });

  it('an Ed25519 key the venue refuses at session.logon fails WebSocket API requests with that reason', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const account = new BinanceAccount(
      createCredentials({
        apiKey: UNKNOWN_KEY,
        privateKey: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
      }),
      {
        restUrl: h.fake.restUrl,
        wsApiUrl: h.fake.wsApiUrl,
        gate: h.governor,
        instruments: h.instruments,
        logger: h.logger,
      },
      { requestTimeoutMs: 1500, wsApiLogon: true },
    );
    try {
      const error = await h.failure(() =>
        account.placeOrder(
          normalizeOrderRequest({
            symbol: 'BTC/USDT',
            side: 'buy',
            type: 'limit',
            quantity: '0.001',
            price: '40000',
          }),
          { transport: 'websocket' },
        ),
      );
      expect(error).toMatchObject({ category: 'authentication', venue: { code: -2015 } });
      expect(h.fake.handle.orders('trader')).toHaveLength(0);
    } finally {
      await account.close();
    }
  });

  it('the account, its status and its log lines carry no credentials', async () => {
    const feed = collector();
    await h.account.subscribeUserData(feed.observer);
    await h.account.placeOrder(
      normalizeOrderRequest({
        symbol: 'BTC/USDT',
        side: 'buy',
        type: 'limit',
        quantity: '0.001',
        price: '40000',
      }),
    );
    await feed.until(() => feed.orders().length > 0);
    const text = `${inspect(h.account, { depth: 10, showHidden: true })} ${JSON.stringify(h.account)} ${JSON.stringify(h.account.status())}`;
    for (const secret of SECRETS) expect(text).not.toContain(secret);
    expect(h.logLines.length).toBeGreaterThan(0);
    for (const line of h.logLines) {
      for (const secret of SECRETS) expect(line).not.toContain(secret);
      expect(line).not.toMatch(/signature=[0-9a-f]{64}/);
    }
  });
});
