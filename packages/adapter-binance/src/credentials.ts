import { createHmac, createPrivateKey, type KeyObject, sign } from 'node:crypto';
import { inspect } from 'node:util';
import { AuthenticationError, type Credentials, ValidationError } from '@venuekit/core';

/** A parameter value as Binance receives it: decimals are sent as their plain string form. */
export type BinanceParamValue = string | number | boolean;
/** Request parameters in the order they are sent. */
export type BinanceParams = Readonly<Record<string, BinanceParamValue | undefined>>;

/**
 * Signs Binance requests with one account's key. The secret never leaves it: `sign`
 * returns only the signature, and the signer prints as redacted.
 */
export interface BinanceSigner {
  readonly keyType: Credentials['type'];
  /** The API key, for the `X-MBX-APIKEY` header or the WebSocket API's `apiKey` parameter. */
  apiKey(): string;
  /**
   * The raw signature of `payload` (UTF-8): lowercase hex for HMAC-SHA256, base64 for
   * Ed25519 and RSA (RSASSA-PKCS1-v1_5 with SHA-256). Not yet percent-encoded.
   */
  sign(payload: string): string;
}

/**
 * Builds the signer for a set of core credentials. A private key that is not a PEM PKCS#8
 * key of the declared type is refused here, before any request, with a ValidationError.
 */
export function createBinanceSigner(credentials: Credentials): BinanceSigner {
  switch (credentials.type) {
    case 'hmac':
      return sealed({
        keyType: 'hmac',
        apiKey: () => reveal(credentials.apiKey),
        sign: (payload) =>
          createHmac('sha256', reveal(credentials.secret)).update(payload, 'utf8').digest('hex'),
      });
    case 'ed25519':
    case 'rsa': {
      const type = credentials.type;
      let key: KeyObject | null = loadPrivateKey(reveal(credentials.privateKey), type);
      return sealed({
        keyType: type,
        apiKey: () => reveal(credentials.apiKey),
        sign: (payload) => {
          // The parsed key outlives the Secret only while the Secret lives.
          if (credentials.privateKey.disposed) key = null;
          if (!key) throw disposedError();
          return sign(type === 'rsa' ? 'sha256' : null, Buffer.from(payload, 'utf8'), key).toString('base64');
        },
      });
    }
  }
}

function loadPrivateKey(pem: string, type: 'ed25519' | 'rsa'): KeyObject {
  const rule =
    type === 'rsa'
      ? 'must be a PEM-encoded PKCS#8 RSA private key (2048 to 4096 bits)'
      : 'must be a PEM-encoded PKCS#8 Ed25519 private key';
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    // The parser's message is not kept: it could quote part of the key.
    throw new ValidationError('INVALID_PARAMETER', { field: 'privateKey', rule });
  }
  if (key.asymmetricKeyType !== type) {
    throw new ValidationError('INVALID_PARAMETER', {
      field: 'privateKey',
      rule: `${rule} (got a ${key.asymmetricKeyType ?? 'different'} key)`,
    });
  }
  return key;
}

function reveal(secret: { reveal(): string; readonly disposed: boolean }): string {
  if (secret.disposed) throw disposedError();
  return secret.reveal();
}

function disposedError(): AuthenticationError {
  return new AuthenticationError({
    message: 'the credentials of this account were disposed; create the account again with live credentials',
  });
}

function sealed(signer: BinanceSigner): BinanceSigner {
  Object.defineProperty(signer, inspect.custom, { value: () => `BinanceSigner(${signer.keyType})` });
  Object.defineProperty(signer, 'toJSON', { value: () => ({ keyType: signer.keyType }) });
  return Object.freeze(signer);
}

// ---------------------------------------------------------------------------
// REST: signature over the exact percent-encoded query string followed by the body

/** `k=v&k=v` in the given order, keys and values percent-encoded (UTF-8), undefined values left out. */
export function encodeParams(params: BinanceParams): string {
  let out = '';
  for (const key in params) {
    const value = params[key];
    if (value === undefined) continue;
    if (out.length > 0) out += '&';
    out += `${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`;
  }
  return out;
}

/**
 * Binance's REST rule (rest-api.md, "SIGNED Endpoint security"): the signature covers the
 * query string concatenated with the body, with no separator between them, exactly as sent.
 */
export function restSignaturePayload(queryString: string, body = ''): string {
  return queryString + body;
}

/** The percent-encoded `signature=` parameter to append to whichever part (query or body) goes last. */
export function signatureParam(signer: BinanceSigner, queryString: string, body = ''): string {
  return `signature=${encodeURIComponent(signer.sign(restSignaturePayload(queryString, body)))}`;
}

/** A fully signed query string: `params` percent-encoded, then `&signature=…`. */
export function signQueryString(signer: BinanceSigner, params: BinanceParams): string {
  const query = encodeParams(params);
  const signature = signatureParam(signer, query);
  return query.length > 0 ? `${query}&${signature}` : signature;
}

// ---------------------------------------------------------------------------
// WebSocket API: signature over the parameters sorted by name, raw UTF-8

/**
 * Binance's WebSocket API rule (web-socket-api.md, "SIGNED request security"): every
 * parameter except `signature`, sorted by name, joined as `k=v` with `&`, not percent-encoded.
 */
export function wsApiSignaturePayload(params: BinanceParams): string {
  const keys = Object.keys(params)
    .filter((key) => key !== 'signature' && params[key] !== undefined)
    .sort();
  let out = '';
  for (const key of keys) {
    if (out.length > 0) out += '&';
    out += `${key}=${String(params[key])}`;
  }
  return out;
}

/** `params` plus `signature`, ready to go in a WebSocket API request's `params`. */
export function signWsApiParams(
  signer: BinanceSigner,
  params: BinanceParams,
): Record<string, BinanceParamValue> {
  const out: Record<string, BinanceParamValue> = {};
  for (const key in params) {
    const value = params[key];
    if (value !== undefined && key !== 'signature') out[key] = value;
  }
  out.signature = signer.sign(wsApiSignaturePayload(out));
  return out;
}
