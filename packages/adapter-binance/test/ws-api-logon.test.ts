import { generateKeyPairSync } from 'node:crypto';
import { createCredentials, normalizeOrderRequest } from '@venuekit/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GateRequest, RequestGate } from '../src/rest/request-gate';
import { BinanceAccount } from '../src/trading';
import { eventually, type Harness, startHarness } from './trading-harness';

// An Ed25519 account that logs its WebSocket API session on: the logon's request weight (2) is
// charged at the shared rate governor like every other request, after every (re)connect.

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

describe('session.logon at the rate governor', () => {
  it('is admitted by the governor before it is sent, on the first connect and after a reconnect', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const apiKey = 'VKLOGONKEYed25519'.padEnd(64, 'k');
    h.fake.handle.engine.createAccount({
      id: 'ed',
      apiKey,
      ed25519PublicKey: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
      balances: { USDT: '100000' },
    });
    const admitted: GateRequest[] = [];
    const gate: RequestGate = {
      acquire: (request) => {
        admitted.push(request);
        return h.governor.acquire(request);
      },
      observe: (response) => h.governor.observe(response),
    };
    const account = new BinanceAccount(
      createCredentials({
        apiKey,
        privateKey: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
      }),
      {
        restUrl: h.fake.restUrl,
        wsApiUrl: h.fake.wsApiUrl,
        gate,
        instruments: h.instruments,
        logger: h.logger,
      },
      { wsApiLogon: true },
    );
    const order = () =>
      account.placeOrder(
        normalizeOrderRequest({
          symbol: 'BTC/USDT',
          side: 'buy',
          type: 'limit',
          quantity: '0.001',
          price: '40000',
        }),
        { transport: 'websocket' },
      );
    try {
      await order();
      // order.place is weight 1; the logon is the only weight-2 read this account sends.
      const logons = () => admitted.filter((r) => r.weight === 2 && r.kind === 'read');
      expect(logons()).toHaveLength(1);
      h.fake.handle.faults.dropConnection({ kind: 'wsApi' });
      // The client notices, reconnects by itself and logs on again: through the governor.
      await eventually(() => logons().length === 2, 10_000, 'a logon after the reconnect');
      await order();
      expect(logons()).toHaveLength(2);
      expect(h.fake.handle.orders('ed')).toHaveLength(2);
    } finally {
      await account.close();
    }
  });
});
