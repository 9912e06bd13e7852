import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import type { BinanceUrls } from '@venuekit/adapter-binance';
import { type FakeBinance, startFakeBinance } from '@venuekit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLiveChecks } from '../src/live-checks';

// `pnpm smoke:live` runs these checks against real Binance where the machine has internet and
// keys. Here they run against the fake exchange standing in for production and the testnet (so
// the checks themselves are proven), and against an address nothing answers (so the skipping is).

// Marked VKFAKE so that the shared test guard fails this file if one ever appears in any output.
const testKey = () => `VKFAKE${randomBytes(29).toString('hex')}`;
const keys = {
  production: { apiKey: testKey(), secretKey: testKey() },
  testnet: { apiKey: testKey(), secretKey: testKey() },
};
let fake: FakeBinance;
let fakeUrls: BinanceUrls;

beforeAll(async () => {
  fake = await startFakeBinance({
    symbols: ['BTCUSDT'],
    accounts: [
      { id: 'production', ...keys.production, balances: { USDT: '1000' } },
      { id: 'testnet', ...keys.testnet, balances: { USDT: '1000' } },
    ],
  });
  fakeUrls = { rest: fake.restUrl, streams: fake.streamsUrl, wsApi: fake.wsApiUrl };
});

afterAll(async () => {
  await fake?.close();
});

/** A port nothing listens on: what Binance looks like from a machine without internet. */
async function deadUrls(): Promise<BinanceUrls> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return {
    rest: `http://127.0.0.1:${port}`,
    streams: `ws://127.0.0.1:${port}`,
    wsApi: `ws://127.0.0.1:${port}/ws-api/v3`,
  };
}

const allKeys = {
  BINANCE_API_KEY: keys.production.apiKey,
  BINANCE_SECRET_KEY: keys.production.secretKey,
  BINANCE_TESTNET_API_KEY: keys.testnet.apiKey,
  BINANCE_TESTNET_SECRET_KEY: keys.testnet.secretKey,
};

describe('the live smoke checks', () => {
  it('say each part was skipped when the venue cannot be reached, keys or not', async () => {
    const dead = await deadUrls();
    const results = await runLiveChecks({
      env: allKeys,
      production: dead,
      testnet: dead,
      probeTimeoutMs: 5_000,
    });
    expect(results.map((r) => [r.name, r.status])).toEqual([
      ['public streams (production)', 'skipped'],
      ['private read-only calls (production)', 'skipped'],
      ['order placed and canceled (testnet)', 'skipped'],
    ]);
    for (const result of results)
      expect(result.detail).toMatch(/^no internet: 127\.0\.0\.1:\d+ is not reachable \(ECONNREFUSED\)$/);
  });

  it('run the public part and skip the private ones when there are no keys', async () => {
    const results = await runLiveChecks({ env: {}, production: fakeUrls, testnet: fakeUrls });
    expect(results.map((r) => r.status)).toEqual(['passed', 'skipped', 'skipped']);
    expect(results[0]?.detail).toMatch(
      /^BTC\/USDT: first trade after \d+ ms .* book in sync after \d+ ms \(bid \S+ < ask \S+\)$/,
    );
    expect(results[1]?.detail).toBe(
      'no key: set BINANCE_API_KEY and BINANCE_SECRET_KEY (read-only is enough)',
    );
    expect(results[2]?.detail).toBe(
      'no testnet key: set BINANCE_TESTNET_API_KEY and BINANCE_TESTNET_SECRET_KEY',
    );
  });

  it('pass every part where the venue answers and keys exist, and leave no order behind', async () => {
    const results = await runLiveChecks({ env: allKeys, production: fakeUrls, testnet: fakeUrls });
    expect(results.map((r) => [r.name, r.status, r.detail])).toEqual([
      ['public streams (production)', 'passed', expect.any(String)],
      [
        'private read-only calls (production)',
        'passed',
        expect.stringMatching(/^key accepted; \d+ balances, 0 open BTC\/USDT orders/),
      ],
      [
        'order placed and canceled (testnet)',
        'passed',
        expect.stringMatching(/cleanup confirmed \(no open order left\)$/),
      ],
    ]);
    // On the venue: the order existed, and it is gone.
    expect(fake.handle.orders('testnet')).toEqual([]);
    const history = fake.handle.engine.allOrders('testnet', { symbol: 'BTCUSDT' });
    expect(history.map((o) => o.status)).toEqual(['CANCELED']);
    // Nothing printable carries a key.
    const text = JSON.stringify(results);
    for (const key of Object.values(allKeys)) expect(text).not.toContain(key);
  });

  it('fail the private part when only half of a key pair is set, naming the missing variable', async () => {
    const results = await runLiveChecks({
      env: { BINANCE_API_KEY: keys.production.apiKey },
      production: fakeUrls,
      testnet: fakeUrls,
    });
    expect(results[1]).toMatchObject({
      status: 'failed',
      detail: expect.stringContaining('BINANCE_SECRET_KEY'),
    });
  });
});
