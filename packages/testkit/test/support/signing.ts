import { createHmac, type KeyObject, sign } from 'node:crypto';

// Client-side signing written from the docs, independently of the server's verifier.

/** REST HMAC: hex HMAC-SHA256 of query string + body. */
export function hmacHex(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload, 'utf8').digest('hex');
}

/** Ed25519 over the payload, base64. */
export function ed25519Base64(privateKey: KeyObject, payload: string): string {
  return sign(null, Buffer.from(payload, 'utf8'), privateKey).toString('base64');
}

/** A query string in the order given, percent-encoded as `URLSearchParams` does. */
export function formEncode(params: Record<string, string | number | boolean>): string {
  return new URLSearchParams(
    Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]),
  ).toString();
}

/** The WebSocket API payload: sorted `k=v` pairs, no encoding. */
export function wsPayload(params: Record<string, string | number | boolean>): string {
  return Object.keys(params)
    .sort()
    .map((key) => `${key}=${params[key]}`)
    .join('&');
}
