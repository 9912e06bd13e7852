import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { Decimal } from '@venuekit/core';
import type { ExchangeEngine } from '../../src/engine/engine';
import { type FakeBinance, type FakeBinanceOptions, startFakeBinance } from '../../src/start';
import { RestClient } from './rest-client';

export const ALICE_SECRET = 'aliceSecretKeyForTheFakeBinanceTests0123456789abcdefghijklmnopqr';
export const ALICE_KEY = 'aliceApiKey0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ';
export const ED_KEY = 'edApiKey0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRST';

export interface TestExchange {
  readonly fake: FakeBinance;
  readonly engine: ExchangeEngine;
  /** HMAC account `alice`. */
  readonly alice: RestClient;
  /** Ed25519 account `ed`. */
  readonly ed: RestClient;
  readonly edPrivateKey: KeyObject;
  readonly public: RestClient;
  close(): Promise<void>;
}

const edKeys = generateKeyPairSync('ed25519');

/**
 * A quiet fake Binance (no simulation unless asked) with three accounts: `maker` (the rest of the market), `alice` (HMAC) and `ed`
 * (Ed25519), and a BTCUSDT book of five levels per side around 60 000.
 */
export async function startTestExchange(options: FakeBinanceOptions = {}): Promise<TestExchange> {
  const fake = await startFakeBinance({
    symbols: ['BTCUSDT', 'ETHUSDT'],
    simulation: false,
    accounts: [
      { id: 'maker', balances: { BTC: '1000', ETH: '10000', USDT: '100000000' } },
      { id: 'alice', apiKey: ALICE_KEY, secretKey: ALICE_SECRET, balances: { BTC: '1', USDT: '100000' } },
      {
        id: 'ed',
        apiKey: ED_KEY,
        ed25519PublicKey: edKeys.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        balances: { BTC: '1', USDT: '100000' },
      },
    ],
    ...options,
  });
  const engine = fake.handle.engine;
  seedBook(engine, 'BTCUSDT', '60000', 5);
  return {
    fake,
    engine,
    alice: new RestClient(fake.restUrl, { apiKey: ALICE_KEY, secret: ALICE_SECRET }),
    ed: new RestClient(fake.restUrl, { apiKey: ED_KEY, ed25519: edKeys.privateKey }),
    edPrivateKey: edKeys.privateKey,
    public: new RestClient(fake.restUrl),
    close: () => fake.close(),
  };
}

/** Resting maker orders: `levels` bids below and asks above `mid`, one dollar apart, 0.1 BTC each. */
export function seedBook(engine: ExchangeEngine, symbol: string, mid: string, levels: number): void {
  const center = new Decimal(mid);
  for (let i = 1; i <= levels; i++) {
    for (const side of ['BUY', 'SELL'] as const) {
      engine.placeOrder('maker', {
        symbol,
        side,
        type: 'LIMIT',
        timeInForce: 'GTC',
        quantity: new Decimal('0.1'),
        price: side === 'BUY' ? center.minus(i) : center.plus(i),
      });
    }
  }
}
