import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { splitRestSignature, verificationKey, verifySignature, wsApiSignaturePayload } from './signing';

// The official example keys and vectors: rest-api.md "SIGNED Endpoint Examples for POST /api/v3/order"
// and web-socket-api.md "SIGNED request example (HMAC)" (binance/binance-spot-api-docs), plus the
// non-ASCII vectors of the fact sheet §3.3 / §7.
const SECRET = 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j';
const API_KEY = 'vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A';
const hmac = verificationKey('HMAC', SECRET);

describe('REST signatures (query string + body, as sent)', () => {
  const payload =
    'symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559';

  it('accepts the official HMAC vector sent as a query string or as a body', () => {
    const signature = 'c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71';
    const asQuery = splitRestSignature(`${payload}&signature=${signature}`, '');
    const asBody = splitRestSignature('', `${payload}&signature=${signature}`);
    for (const split of [asQuery, asBody]) {
      expect(split.payload).toBe(payload);
      expect(split.signature).toBe(signature);
      expect(verifySignature(hmac, split.payload, split.signature!)).toBe(true);
    }
  });

  it('signs query string and body concatenated without a separator (example 3)', () => {
    const split = splitRestSignature(
      'symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC',
      'quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559&signature=0fd168b8ddb4876a0358a8d14d0c9f3da0e9b20c5d52b2a00fcf7d1c602f9a77',
    );
    expect(split.payload).toBe(
      'symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTCquantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559',
    );
    expect(verifySignature(hmac, split.payload, split.signature!)).toBe(true);
  });

  it('verifies the percent-encoded non-ASCII vector over the encoded text', () => {
    const encoded =
      'symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559';
    const signature = 'e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3';
    expect(verifySignature(hmac, encoded, signature)).toBe(true);
    // Signed over the decoded text instead: rejected, as Binance does since 2026-01-15.
    expect(verifySignature(hmac, decodeURIComponent(encoded), signature)).toBe(false);
  });

  it('compares HMAC signatures case-insensitively and rejects a tampered payload', () => {
    const signature = 'c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71';
    expect(verifySignature(hmac, payload, signature.toUpperCase())).toBe(true);
    expect(verifySignature(hmac, payload.replace('quantity=1', 'quantity=2'), signature)).toBe(false);
    expect(verifySignature(hmac, payload, signature.slice(0, -1))).toBe(false);
    expect(verifySignature(hmac, payload, '')).toBe(false);
  });

  it('reports a duplicated signature parameter', () => {
    expect(splitRestSignature('a=1&signature=x', 'signature=y').duplicated).toBe(true);
  });
});

describe('WebSocket API signatures (sorted params, UTF-8, no encoding)', () => {
  const params = {
    symbol: 'BTCUSDT',
    side: 'SELL',
    type: 'LIMIT',
    timeInForce: 'GTC',
    quantity: '0.01000000',
    price: '52000.00',
    newOrderRespType: 'ACK',
    recvWindow: 100,
    timestamp: 1645423376532,
    apiKey: API_KEY,
    signature: 'ignored',
  };

  it('builds the documented payload and accepts the documented signature', () => {
    const payload = wsApiSignaturePayload(params);
    expect(payload).toBe(
      `apiKey=${API_KEY}&newOrderRespType=ACK&price=52000.00&quantity=0.01000000&recvWindow=100&side=SELL&symbol=BTCUSDT&timeInForce=GTC&timestamp=1645423376532&type=LIMIT`,
    );
    expect(
      verifySignature(hmac, payload, 'cc15477742bd704c29492d96c7ead9414dfd8e0ec4a00f947bb5bb454ddbd08a'),
    ).toBe(true);
  });

  it('accepts the vector without newOrderRespType and the raw UTF-8 non-ASCII vector', () => {
    const { newOrderRespType: _omit, ...withoutType } = params;
    expect(
      verifySignature(
        hmac,
        wsApiSignaturePayload(withoutType),
        'aa1b5712c094bc4e57c05a1a5c1fd8d88dcd628338ea863fec7b88e59fe2db24',
      ),
    ).toBe(true);
    expect(
      verifySignature(
        hmac,
        // The doc's second example set: symbol １２３４５６, BUY 1.00000000 at 0.10000000, recvWindow 5000.
        wsApiSignaturePayload({
          ...withoutType,
          symbol: '１２３４５６',
          side: 'BUY',
          quantity: '1.00000000',
          price: '0.10000000',
          recvWindow: 5000,
        }),
        'b33892ae8e687c939f4468c6268ddd4c40ac1af18ad19a064864c47bae0752cd',
      ),
    ).toBe(true);
  });

  it('rejects a tampered parameter', () => {
    const payload = wsApiSignaturePayload({ ...params, price: '52000.01' });
    expect(
      verifySignature(hmac, payload, 'cc15477742bd704c29492d96c7ead9414dfd8e0ec4a00f947bb5bb454ddbd08a'),
    ).toBe(false);
  });
});

describe('Ed25519 and RSA signatures (base64, case-sensitive)', () => {
  it('verifies Ed25519 and rejects tampering and case changes', () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const key = verificationKey('ED25519', publicKey.export({ type: 'spki', format: 'pem' }).toString());
    const payload = 'symbol=BTCUSDT&side=SELL&type=LIMIT&timestamp=1668481559918';
    const signature = sign(null, Buffer.from(payload), privateKey).toString('base64');
    expect(verifySignature(key, payload, signature)).toBe(true);
    expect(verifySignature(key, `${payload}0`, signature)).toBe(false);
    const flipped = signature.replace(/[a-z]/, (c) => c.toUpperCase());
    expect(verifySignature(key, payload, flipped)).toBe(false);
    expect(verifySignature(hmac, payload, signature)).toBe(false);
  });

  it('verifies RSA PKCS#1 v1.5 SHA-256', () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const key = verificationKey('RSA', publicKey);
    const payload =
      'symbol=BTCUSDT&side=SELL&type=LIMIT&timeInForce=GTC&quantity=1&price=0.2&timestamp=1668481559918';
    const signature = sign('sha256', Buffer.from(payload), privateKey).toString('base64');
    expect(verifySignature(key, payload, signature)).toBe(true);
    expect(verifySignature(key, payload.replace('0.2', '0.3'), signature)).toBe(false);
  });
});
