import { generateKeyPairSync } from 'node:crypto';
import { inspect } from 'node:util';
import { type ExchangeAdapter, type Logger, telemetry, type VenuekitError } from '@venuekit/core';
import type { ExchangeEngine } from '@venuekit/testkit';
import { expect } from 'vitest';
import { TradingSystemHealth, UserConnectionsHealth, UserManager } from '../src/index';
import { recognisableKeys, recordUserEvents, waitFor } from './helpers';

/** Where the scenario runs: an adapter, the engine behind it, and how to revoke a key. */
export interface LeakScanEnvironment {
  readonly adapter: ExchangeAdapter;
  readonly engine: ExchangeEngine;
  revokeApiKey(apiKey: string): void;
  readonly logger: Logger;
  /** Every log line written so far (the adapter's and the manager's). */
  readonly lines: readonly string[];
}

/**
 * Runs every path that touches credentials — connect in each credential form,
 * orders, venue rejections, a wrong secret, a revoked key, disconnect, close — and
 * collects everything that could carry a secret out: log lines, bus events,
 * telemetry, errors (message, stack, JSON, inspect), statuses, health reports and
 * inspections of the objects holding the credentials. Returns the texts and the
 * secrets to look for.
 */
export async function runLeakScenario(
  env: LeakScanEnvironment,
): Promise<{ texts: string[]; secrets: string[] }> {
  const texts: string[] = [];
  const record = (value: unknown) => {
    texts.push(typeof value === 'string' ? value : safeJson(value));
    texts.push(inspect(value, { depth: 12, showHidden: true, getters: true }));
  };
  const errors: VenuekitError[] = [];
  const expectFailure = async (promise: Promise<unknown>) => {
    try {
      await promise;
    } catch (error) {
      errors.push(error as VenuekitError);
      return error as VenuekitError;
    }
    throw new Error('expected a rejection');
  };

  const unsubscribers = Object.values(telemetry).map((channel) =>
    (channel as { subscribe(fn: (m: unknown) => void): () => void }).subscribe((message) => record(message)),
  );

  const alice = recognisableKeys('alice');
  const bob = recognisableKeys('bob');
  const wrong = recognisableKeys('wrong');
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const carolPrivatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const carolApiKey = recognisableKeys('carol').apiKey;
  env.engine.createAccount({ ...alice, balances: { USDT: '100000', BTC: '5' } });
  env.engine.createAccount({ ...bob, balances: { USDT: '100000', BTC: '5' } });
  env.engine.createAccount({
    apiKey: carolApiKey,
    ed25519PublicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    balances: { USDT: '20' },
  });

  const manager = new UserManager({ adapters: env.adapter, logger: env.logger });
  const recorder = await recordUserEvents(manager, ['alice', 'bob', 'carol', 'wrong']);
  try {
    const a = await manager.connectUser('alice', alice.apiKey, alice.secretKey);
    const b = await manager.connectUser('bob', { apiKey: bob.apiKey, secret: bob.secretKey });
    const c = await manager.connectUser('carol', { apiKey: carolApiKey, privateKey: carolPrivatePem });
    await expectFailure(manager.connectUser('wrong', wrong.apiKey, wrong.secretKey));
    await expectFailure(manager.connectUser('wrong', alice.apiKey, wrong.secretKey));
    await expectFailure(manager.connectUser('alice', alice.apiKey, alice.secretKey));

    const resting = await a.placeOrder({
      symbol: 'BTC/USDT',
      side: 'sell',
      type: 'limit',
      quantity: '0.01',
      price: '60000.00',
    });
    await b.placeOrder({ symbol: 'BTC/USDT', side: 'buy', type: 'market', quantity: '0.01' });
    await expectFailure(
      c.placeOrder({ symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '1', price: '50000.00' }),
    );
    await expectFailure(
      c.placeOrder({ symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: 'lots', price: '1' }),
    );
    await expectFailure(a.cancelOrder({ symbol: 'BTC/USDT', orderId: '987654321' }));
    await a.getOrder({ symbol: 'BTC/USDT', orderId: resting.id });
    await a.getBalances();
    await c.getOpenOrders();

    env.revokeApiKey(bob.apiKey);
    await expectFailure(b.getBalances());
    await waitFor(() => b.state === 'unauthorized', 'bob to be unauthorized');
    await expectFailure(b.getBalances());

    for (const value of [manager, a, b, c, a.status(), b.status(), manager.stats()]) record(value);
    record(new TradingSystemHealth(manager).check());
    record(new UserConnectionsHealth(manager).check());
    record(Object.keys(a));
    for (const key in a) record(key);

    await manager.disconnectUser('alice');
    await expectFailure(a.getBalances());
    record(a);
  } finally {
    await manager.close();
    await recorder.stop();
    for (const unsubscribe of unsubscribers) unsubscribe();
  }
  expect(errors.length).toBeGreaterThanOrEqual(9);
  // The scan means something only if the run logged: connects, failures, the revoked key.
  expect(env.lines.length).toBeGreaterThan(5);
  for (const error of errors) {
    record(error);
    texts.push(String(error), error.message, error.stack ?? '', safeJson(error), safeJson(error.cause));
  }
  for (const [, events] of recorder.events) for (const event of events) record(event);
  texts.push(...env.lines);
  // The key material, after the header every Ed25519 PKCS#8 key shares.
  const pemBody = carolPrivatePem.split('\n').slice(1, -2).join('').slice(24);
  return {
    texts,
    secrets: [
      alice.apiKey,
      alice.secretKey,
      bob.apiKey,
      bob.secretKey,
      wrong.apiKey,
      wrong.secretKey,
      carolApiKey,
      pemBody,
    ],
  };
}

/** Each secret, and any 24-character piece of it, must appear in none of the texts. */
export function expectNoSecret(texts: readonly string[], secrets: readonly string[]): void {
  const pieces = new Set<string>();
  for (const secret of secrets) {
    for (let i = 0; i + 24 <= secret.length; i += 8) pieces.add(secret.slice(i, i + 24));
  }
  const leaks: string[] = [];
  for (const text of texts) {
    for (const piece of pieces) {
      if (text.includes(piece)) leaks.push(`${piece} in ${text.slice(0, 200)}`);
    }
  }
  expect(leaks).toEqual([]);
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? 'undefined';
  } catch {
    return inspect(value);
  }
}
