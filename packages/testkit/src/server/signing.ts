import { createHmac, createPublicKey, type KeyObject, timingSafeEqual, verify } from 'node:crypto';

/**
 * How Binance checks a request signature (rest-api.md "SIGNED endpoint security",
 * web-socket-api.md "SIGNED request security").
 *
 * - REST: the payload is the query string concatenated with the request body, exactly as sent
 *   (percent-encoded), without the `signature` parameter itself.
 * - WebSocket API: every parameter except `signature`, sorted by name, joined as `k=v` with `&`,
 *   UTF-8, no percent-encoding.
 * - HMAC-SHA256 signatures are hex and compared case-insensitively; Ed25519 and RSA (PKCS#1 v1.5,
 *   SHA-256) signatures are base64 and case-sensitive.
 */
export type VerificationKey =
  | { readonly type: 'HMAC'; readonly secret: string }
  | { readonly type: 'ED25519'; readonly publicKey: KeyObject }
  | { readonly type: 'RSA'; readonly publicKey: KeyObject };

export type KeyType = VerificationKey['type'];

/** Builds a verification key from what an account was configured with. */
export function verificationKey(type: KeyType, material: string | KeyObject): VerificationKey {
  if (type === 'HMAC') {
    if (typeof material !== 'string') throw new TypeError('an HMAC key is its secret string');
    return { type, secret: material };
  }
  const publicKey = typeof material === 'string' ? createPublicKey(material) : toPublicKey(material);
  const actual = publicKey.asymmetricKeyType;
  if (type === 'ED25519' && actual !== 'ed25519')
    throw new TypeError(`expected an Ed25519 key, got ${actual}`);
  if (type === 'RSA' && actual !== 'rsa') throw new TypeError(`expected an RSA key, got ${actual}`);
  return { type, publicKey };
}

function toPublicKey(key: KeyObject): KeyObject {
  return key.type === 'private' ? createPublicKey(key) : key;
}

export interface SplitSignature {
  /** What was signed: query and body without the `signature` parameter. */
  readonly payload: string;
  /** The decoded signature, or undefined when none was sent. */
  readonly signature: string | undefined;
  /** True when `signature` appeared more than once. */
  readonly duplicated: boolean;
}

/**
 * Separates the `signature` parameter from the raw query string and body of a REST request.
 * The rest is kept byte for byte: the signature covers the text as sent, not a re-encoding.
 */
export function splitRestSignature(rawQuery: string, rawBody: string): SplitSignature {
  const found: string[] = [];
  const query = stripSignature(rawQuery, found);
  const body = stripSignature(rawBody, found);
  return {
    payload: query + body,
    signature: found[0],
    duplicated: found.length > 1,
  };
}

function stripSignature(text: string, found: string[]): string {
  if (text === '' || !text.includes('signature=')) return text;
  const kept: string[] = [];
  for (const part of text.split('&')) {
    if (part.startsWith('signature=')) found.push(decodeFormComponent(part.slice('signature='.length)));
    else kept.push(part);
  }
  return kept.join('&');
}

/** Decodes one `application/x-www-form-urlencoded` component (`+` is a space). */
export function decodeFormComponent(text: string): string {
  const spaced = text.includes('+') ? text.replace(/\+/g, ' ') : text;
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

/** The WebSocket API payload: parameters sorted by name, `k=v` joined by `&`, signature excluded. */
export function wsApiSignaturePayload(params: Readonly<Record<string, unknown>>): string {
  const keys = Object.keys(params)
    .filter((key) => key !== 'signature')
    .sort();
  let payload = '';
  for (const key of keys) {
    if (payload !== '') payload += '&';
    payload += `${key}=${wsParamText(params[key])}`;
  }
  return payload;
}

function wsParamText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (value === null || value === undefined) return '';
  return JSON.stringify(value);
}

/** True when `signature` is a valid signature of `payload` (UTF-8) under `key`. */
export function verifySignature(key: VerificationKey, payload: string, signature: string): boolean {
  if (signature === '') return false;
  if (key.type === 'HMAC') {
    if (!/^[0-9a-fA-F]{64}$/.test(signature)) return false;
    const expected = createHmac('sha256', key.secret).update(payload, 'utf8').digest();
    return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signature)) return false;
  const bytes = Buffer.from(signature, 'base64');
  // Base64 is case-sensitive; a re-encoding that differs means the text was altered.
  if (bytes.toString('base64') !== signature) return false;
  const data = Buffer.from(payload, 'utf8');
  try {
    return key.type === 'ED25519'
      ? verify(null, data, key.publicKey, bytes)
      : verify('sha256', data, key.publicKey, bytes);
  } catch {
    return false;
  }
}
