import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { inspect } from 'node:util';
import { createCredentials, disposeCredentials } from '@venuekit/core';
import { describe, expect, it } from 'vitest';
import {
  createBinanceSigner,
  encodeParams,
  signatureParam,
  signQueryString,
  signWsApiParams,
  wsApiSignaturePayload,
} from './credentials';

// The example key pair of Binance's docs (rest-api.md and web-socket-api.md, "SIGNED ... example").
const DOC_API_KEY = 'vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A';
const DOC_SECRET = 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j';
const hmac = () => createBinanceSigner(createCredentials({ apiKey: DOC_API_KEY, secret: DOC_SECRET }));

// RFC 8032 §7.1 TEST 2: secret key 4ccd089b…a6fb, message 0x72 ("r"), as a PKCS#8 PEM.
const RFC8032_PEM = `-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIEzNCJso/5banbbDRuwRTg9bijGfNaumJNqM9u1PuKb7
-----END PRIVATE KEY-----
`;
const RFC8032_SIGNATURE =
  '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00';

describe('REST signing (rest-api.md, SIGNED Endpoint Examples for POST /api/v3/order)', () => {
  const params = {
    symbol: 'LTCBTC',
    side: 'BUY',
    type: 'LIMIT',
    timeInForce: 'GTC',
    quantity: '1',
    price: '0.1',
    recvWindow: 5000,
    timestamp: 1499827319559,
  };

  it('signs the query string or body of example 1 and 2', () => {
    expect(signQueryString(hmac(), params)).toBe(
      'symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559&signature=c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71',
    );
  });

  it('signs a mixed query string and body by concatenating them without a separator (example 3)', () => {
    const query = encodeParams({ symbol: 'LTCBTC', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC' });
    const body = encodeParams({ quantity: '1', price: '0.1', recvWindow: 5000, timestamp: 1499827319559 });
    expect(signatureParam(hmac(), query, body)).toBe(
      'signature=0fd168b8ddb4876a0358a8d14d0c9f3da0e9b20c5d52b2a00fcf7d1c602f9a77',
    );
  });

  it('percent-encodes non-ASCII values before signing (fact sheet §3.3 vector)', () => {
    const signed = signQueryString(hmac(), { ...params, symbol: '１２３４５６' });
    expect(signed.startsWith('symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96&side=BUY&')).toBe(
      true,
    );
    expect(
      signed.endsWith('&signature=e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3'),
    ).toBe(true);
  });

  it('leaves out undefined parameters', () => {
    expect(encodeParams({ a: '1', b: undefined, c: true })).toBe('a=1&c=true');
  });
});

describe('WebSocket API signing (web-socket-api.md, SIGNED request example (HMAC))', () => {
  const params = {
    symbol: 'BTCUSDT',
    side: 'SELL',
    type: 'LIMIT',
    timeInForce: 'GTC',
    quantity: '0.01000000',
    price: '52000.00',
    recvWindow: 100,
    timestamp: 1645423376532,
    apiKey: DOC_API_KEY,
  };

  it('sorts the parameters by name and signs them unencoded', () => {
    expect(wsApiSignaturePayload({ ...params, newOrderRespType: 'ACK', signature: 'ignored' })).toBe(
      `apiKey=${DOC_API_KEY}&newOrderRespType=ACK&price=52000.00&quantity=0.01000000&recvWindow=100&side=SELL&symbol=BTCUSDT&timeInForce=GTC&timestamp=1645423376532&type=LIMIT`,
    );
    expect(signWsApiParams(hmac(), { ...params, newOrderRespType: 'ACK' }).signature).toBe(
      'cc15477742bd704c29492d96c7ead9414dfd8e0ec4a00f947bb5bb454ddbd08a',
    );
    expect(signWsApiParams(hmac(), params).signature).toBe(
      'aa1b5712c094bc4e57c05a1a5c1fd8d88dcd628338ea863fec7b88e59fe2db24',
    );
  });

  it('signs non-ASCII values as raw UTF-8', () => {
    const signed = signWsApiParams(hmac(), {
      symbol: '１２３４５６',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '1.00000000',
      price: '0.10000000',
      recvWindow: 5000,
      timestamp: 1645423376532,
      apiKey: DOC_API_KEY,
    });
    expect(signed.signature).toBe('b33892ae8e687c939f4468c6268ddd4c40ac1af18ad19a064864c47bae0752cd');
    expect(signed.symbol).toBe('１２３４５６');
  });
});

describe('Ed25519 and RSA keys', () => {
  it('signs with Ed25519 (RFC 8032 test 2) and returns base64', () => {
    const signer = createBinanceSigner(
      createCredentials({ apiKey: 'ed-key-0123456789', privateKey: RFC8032_PEM }),
    );
    expect(signer.keyType).toBe('ed25519');
    expect(Buffer.from(signer.sign('r'), 'base64').toString('hex')).toBe(RFC8032_SIGNATURE);
  });

  it('percent-encodes a base64 signature in a REST query, and the signature verifies', () => {
    const signer = createBinanceSigner(
      createCredentials({ apiKey: 'ed-key-0123456789', privateKey: RFC8032_PEM }),
    );
    const query =
      'symbol=BTCUSDT&side=SELL&type=LIMIT&timeInForce=GTC&quantity=1&price=0.2&timestamp=1668481559918';
    const signed = signQueryString(signer, {
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '1',
      price: '0.2',
      timestamp: 1668481559918,
    });
    const encoded = signed.slice(query.length + '&signature='.length);
    expect(encoded).not.toMatch(/[+/=]/);
    const signature = Buffer.from(decodeURIComponent(encoded), 'base64');
    expect(verify(null, Buffer.from(query), createPublicKey(RFC8032_PEM), signature)).toBe(true);
  });

  it('signs with RSA PKCS#1 v1.5 SHA-256', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const signer = createBinanceSigner(
      createCredentials({ apiKey: 'rsa-key-0123456789', privateKey: pem, type: 'rsa' }),
    );
    const payload = wsApiSignaturePayload({ apiKey: 'rsa-key-0123456789', timestamp: 1 });
    expect(
      verify('sha256', Buffer.from(payload), publicKey, Buffer.from(signer.sign(payload), 'base64')),
    ).toBe(true);
  });

  it('refuses a key of the wrong type before any request, naming the field', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const attempt = () =>
      createBinanceSigner(createCredentials({ apiKey: 'ed-key-0123456789', privateKey: pem }));
    expect(attempt).toThrow(expect.objectContaining({ code: 'INVALID_PARAMETER', field: 'privateKey' }));
  });

  it('refuses a malformed PEM without quoting it', () => {
    const broken = '-----BEGIN PRIVATE KEY-----\nnot-a-key-SECRETMATERIAL\n-----END PRIVATE KEY-----';
    try {
      createBinanceSigner(createCredentials({ apiKey: 'ed-key-0123456789', privateKey: broken }));
      expect.unreachable();
    } catch (error) {
      expect(JSON.stringify(error)).not.toContain('SECRETMATERIAL');
      expect(inspect(error)).not.toContain('SECRETMATERIAL');
    }
  });
});

describe('secrecy', () => {
  it('never prints the key or secret', () => {
    const signer = hmac();
    expect(inspect(signer)).toBe('BinanceSigner(hmac)');
    expect(JSON.stringify(signer)).toBe('{"keyType":"hmac"}');
    expect(`${inspect(signer, { showHidden: true })}`).not.toContain(DOC_SECRET);
  });

  it('stops signing once the credentials are disposed', () => {
    const credentials = createCredentials({ apiKey: 'ed-key-0123456789', privateKey: RFC8032_PEM });
    const signer = createBinanceSigner(credentials);
    disposeCredentials(credentials);
    expect(() => signer.sign('r')).toThrow(expect.objectContaining({ code: 'AUTHENTICATION_FAILED' }));
  });
});
