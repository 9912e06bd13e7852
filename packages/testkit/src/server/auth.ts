import { Decimal } from '@venuekit/core';
import type { AccountInfo } from '../engine/types';
import { Errors } from './api-error';
import type { RequestParams } from './params';
import { type VerificationKey, verificationKey, verifySignature } from './signing';

const API_KEY_RE = /^[A-Za-z0-9]{1,128}$/;
const MAX_RECV_WINDOW = new Decimal(60_000);
const DEFAULT_RECV_WINDOW = new Decimal(5_000);
/** Timestamps above this are microseconds (Binance accepts both). */
const MICROSECONDS_FROM = 1e14;

/** Finds accounts by api key; the engine is the source of truth. */
export interface AccountDirectory {
  accountByApiKey(apiKey: string): AccountInfo | undefined;
}

/**
 * Authentication as Binance does it: the api key (-2014 malformed, -2015 unknown or revoked),
 * `timestamp` / `recvWindow` (-1102, -1021 with its two messages) and the signature (-1022).
 * Verification keys are built once per account.
 */
export class Authenticator {
  readonly #accounts: AccountDirectory;
  readonly #keys = new Map<string, readonly VerificationKey[]>();

  constructor(accounts: AccountDirectory) {
    this.#accounts = accounts;
  }

  /** The account of an api key, or -2014 / -2015. */
  account(apiKey: string | undefined): AccountInfo {
    if (apiKey === undefined || apiKey === '') throw Errors.badApiKeyFormat();
    if (!API_KEY_RE.test(apiKey)) throw Errors.badApiKeyFormat();
    const account = this.#accounts.accountByApiKey(apiKey);
    if (!account || account.revoked) throw Errors.rejectedKey();
    return account;
  }

  /** The keys a signature may be checked with; `ed25519Only` for session.logon. */
  keys(account: AccountInfo): readonly VerificationKey[] {
    let keys = this.#keys.get(account.apiKey);
    if (!keys) {
      const built: VerificationKey[] = [];
      const secret = account.hmacSecret();
      if (secret !== undefined) built.push(verificationKey('HMAC', secret));
      if (account.ed25519PublicKey !== undefined)
        built.push(verificationKey('ED25519', account.ed25519PublicKey));
      if (account.rsaPublicKey !== undefined) built.push(verificationKey('RSA', account.rsaPublicKey));
      keys = built;
      this.#keys.set(account.apiKey, keys);
    }
    return keys;
  }

  /** -1022 unless one of the account's keys verifies the signature. */
  verify(account: AccountInfo, payload: string, signature: string | undefined, ed25519Only = false): void {
    if (signature === undefined || signature === '') throw Errors.mandatory('signature');
    for (const key of this.keys(account)) {
      if (ed25519Only && key.type !== 'ED25519') continue;
      if (verifySignature(key, payload, signature)) return;
    }
    throw Errors.badSignature();
  }

  /** Forgets cached keys (after a key change). */
  forget(apiKey: string): void {
    this.#keys.delete(apiKey);
  }
}

export interface TimingParams {
  /** Milliseconds (µs timestamps are converted). */
  readonly timestamp: number;
  readonly recvWindow: number;
}

/** Reads `timestamp` and `recvWindow` (marking them read). */
export function readTiming(params: RequestParams): TimingParams {
  const rawTimestamp = params.raw('timestamp');
  if (rawTimestamp === undefined || rawTimestamp === '' || !/^[0-9]{1,20}$/.test(rawTimestamp)) {
    throw Errors.mandatory('timestamp');
  }
  let timestamp = Number(rawTimestamp);
  if (timestamp >= MICROSECONDS_FROM) timestamp /= 1000;
  let recvWindow = DEFAULT_RECV_WINDOW;
  const rawWindow = params.raw('recvWindow');
  if (rawWindow !== undefined) {
    if (!/^[0-9]{1,20}(\.[0-9]+)?$/.test(rawWindow)) throw Errors.mandatory('recvWindow');
    const decimals = rawWindow.includes('.') ? rawWindow.length - rawWindow.indexOf('.') - 1 : 0;
    if (decimals > 3) throw Errors.precision('recvWindow');
    recvWindow = new Decimal(rawWindow);
    if (recvWindow.gt(MAX_RECV_WINDOW)) throw Errors.tooLarge('recvWindow', '60000');
  }
  return { timestamp, recvWindow: recvWindow.toNumber() };
}

/**
 * Binance's rule (rest-api.md "Timing security"): accept only when
 * `timestamp < serverTime + 1000` and `serverTime - timestamp <= recvWindow`.
 */
export function checkTiming(timing: TimingParams, serverTime: number): void {
  if (timing.timestamp >= serverTime + 1000) throw Errors.timestampAhead();
  if (serverTime - timing.timestamp > timing.recvWindow) throw Errors.timestampOutsideWindow();
}
