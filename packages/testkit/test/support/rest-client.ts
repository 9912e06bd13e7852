import type { KeyObject } from 'node:crypto';
import { ed25519Base64, formEncode, hmacHex } from './signing';

export interface RestAnswer<T = unknown> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
  readonly text: string;
}

export interface SigningAccount {
  readonly apiKey: string;
  readonly secret?: string;
  readonly ed25519?: KeyObject;
}

type Params = Record<string, string | number | boolean>;

/** A plain fetch-based client for the fake's REST API, signing like a Binance client does. */
export class RestClient {
  readonly baseUrl: string;
  readonly account: SigningAccount | undefined;
  /** The client's idea of the time; tests move it to provoke -1021. */
  now: () => number = () => Date.now();

  constructor(baseUrl: string, account?: SigningAccount) {
    this.baseUrl = baseUrl;
    this.account = account;
  }

  async get<T = unknown>(path: string, params: Params = {}): Promise<RestAnswer<T>> {
    const query = formEncode(params);
    return this.#send<T>('GET', `${path}${query ? `?${query}` : ''}`, undefined, {});
  }

  /** A signed request; `in: 'body'` sends the parameters as a form body (POST/DELETE). */
  async signed<T = unknown>(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    params: Params = {},
    options: { in?: 'query' | 'body'; signature?: (payload: string) => string; apiKey?: string } = {},
  ): Promise<RestAnswer<T>> {
    const account = this.account;
    if (!account) throw new Error('no account to sign with');
    const payload = formEncode({ ...params, timestamp: params.timestamp ?? this.now() });
    const signature =
      options.signature?.(payload) ??
      (account.ed25519 ? ed25519Base64(account.ed25519, payload) : hmacHex(account.secret!, payload));
    const full = `${payload}&signature=${encodeURIComponent(signature)}`;
    const headers = { 'X-MBX-APIKEY': options.apiKey ?? account.apiKey };
    if (options.in === 'body') return this.#send<T>(method, path, full, headers);
    return this.#send<T>(method, `${path}?${full}`, undefined, headers);
  }

  async raw<T = unknown>(
    method: string,
    pathAndQuery: string,
    body?: string,
    headers: Record<string, string> = {},
  ): Promise<RestAnswer<T>> {
    return this.#send<T>(method, pathAndQuery, body, headers);
  }

  async #send<T>(
    method: string,
    pathAndQuery: string,
    body: string | undefined,
    headers: Record<string, string>,
  ) {
    const response = await fetch(`${this.baseUrl}${pathAndQuery}`, {
      method,
      headers:
        body === undefined ? headers : { ...headers, 'Content-Type': 'application/x-www-form-urlencoded' },
      ...(body !== undefined && { body }),
    });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: response.status, headers: response.headers, body: parsed as T, text };
  }
}
