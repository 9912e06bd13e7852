import { inspect } from 'node:util';

const REDACTED = '[REDACTED]';

// Every live secret's value, so that text from anywhere (an error body, a URL,
// a log line) can be scrubbed of it. Short values are not registered: scrubbing
// them would mangle ordinary text, and no real key is that short.
// Counted, because two owners may hold equal values (the same key given twice).
const liveSecrets = new Map<string, number>();
// Token runs of the live values (a PEM key is several base64 lines), for the
// scan used when many secrets are live.
const liveTokens = new Map<string, number>();
// How many live tokens have each length, to find one embedded in a longer run.
const tokenLengths = new Map<number, number>();
let scrubPattern: RegExp | null = null;
const MIN_SCRUBBED_LENGTH = 8;
// Up to this many live values one alternation regex finds them anywhere in a text;
// beyond it (a process with thousands of users) the cost of matching every line
// against every value grows too much, so text is cut into tokens and each token is
// looked up instead: the cost per line then does not depend on how many users exist.
const REGEX_LIMIT = 64;
const TOKEN = /[A-Za-z0-9+/=_-]{8,}/g;

/**
 * Holds a credential so that it cannot leak by accident: it is not enumerable,
 * prints as [REDACTED] in `util.inspect`, `JSON.stringify` and string
 * conversion, and its value is scrubbed from every log line and error venuekit
 * writes while it is live. Call `dispose()` when the owner forgets it.
 */
export class Secret {
  #value: string | null;

  constructor(value: string) {
    if (typeof value !== 'string' || value.length === 0) {
      throw new TypeError('a Secret needs a non-empty string');
    }
    this.#value = value;
    register(value);
  }

  /** The secret's value. Use only where it is sent to the venue or signs a request. */
  reveal(): string {
    if (this.#value === null) throw new TypeError('this Secret has been disposed');
    return this.#value;
  }

  get disposed(): boolean {
    return this.#value === null;
  }

  /** Forgets the value and stops scrubbing it. */
  dispose(): void {
    if (this.#value === null) return;
    unregister(this.#value);
    this.#value = null;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return `Secret(${REDACTED})`;
  }
}

export function isSecret(value: unknown): value is Secret {
  return value instanceof Secret;
}

function register(value: string): void {
  if (value.length < MIN_SCRUBBED_LENGTH) return;
  liveSecrets.set(value, (liveSecrets.get(value) ?? 0) + 1);
  for (const token of value.match(TOKEN) ?? []) {
    const n = liveTokens.get(token) ?? 0;
    liveTokens.set(token, n + 1);
    if (n === 0) tokenLengths.set(token.length, (tokenLengths.get(token.length) ?? 0) + 1);
  }
  scrubPattern = null;
}

function unregister(value: string): void {
  const count = liveSecrets.get(value);
  if (count === undefined) return;
  if (count > 1) liveSecrets.set(value, count - 1);
  else liveSecrets.delete(value);
  for (const token of value.match(TOKEN) ?? []) {
    const n = liveTokens.get(token) ?? 0;
    if (n > 1) liveTokens.set(token, n - 1);
    else if (liveTokens.delete(token)) {
      const m = tokenLengths.get(token.length) ?? 0;
      if (m > 1) tokenLengths.set(token.length, m - 1);
      else tokenLengths.delete(token.length);
    }
  }
  scrubPattern = null;
}

// Query-string and header shapes that carry credentials even when we never saw
// the value itself (a venue echoing a signed URL, say).
// The value must look like a credential (8+ characters of hex, base64 or url-encoding), so that
// prose such as "userDataStream.subscribe.signature: the request…" is left alone.
const CREDENTIAL_SHAPES =
  /((?:signature|listenKey|apiKey|api_key|secret|secretKey|privateKey|X-MBX-APIKEY)["']?\s*[=:]\s*["']?)[A-Za-z0-9+/=_%.~-]{8,}/gi;

/** Removes live secret values and credential-shaped fragments from text. */
export function scrubSecrets(text: string): string {
  const out = text.replace(CREDENTIAL_SHAPES, `$1${REDACTED}`);
  if (liveSecrets.size === 0) return out;
  if (liveSecrets.size <= REGEX_LIMIT) {
    scrubPattern ??= new RegExp(
      [...liveSecrets.keys()]
        .sort((a, b) => b.length - a.length)
        .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('|'),
      'g',
    );
    return out.replace(scrubPattern, REDACTED);
  }
  return out.replace(TOKEN, scrubToken);
}

function scrubToken(token: string): string {
  if (liveTokens.has(token)) return REDACTED;
  // A live value inside a longer run: look at every window of each live length.
  let out = token;
  for (const length of tokenLengths.keys()) {
    if (length >= out.length) continue;
    for (let i = 0; i + length <= out.length; i++) {
      if (liveTokens.has(out.slice(i, i + length))) {
        out = `${out.slice(0, i)}${REDACTED}${out.slice(i + length)}`;
        i += REDACTED.length - 1;
      }
    }
  }
  return out;
}

const SENSITIVE_KEYS = new Set([
  'apikey',
  'api_key',
  'secret',
  'secretkey',
  'secret_key',
  'privatekey',
  'private_key',
  'password',
  'passphrase',
  'signature',
  'listenkey',
  'listentoken',
  'x-mbx-apikey',
  'authorization',
  'credentials',
]);

export function isSensitiveKey(key: string): boolean {
  return SENSITIVE_KEYS.has(key.toLowerCase());
}

/**
 * A deep copy of `value` safe to log or serialise: sensitive keys are replaced,
 * secrets and credential-shaped text scrubbed from strings, cycles cut.
 */
export function redact(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return scrubSecrets(value);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Secret) return REDACTED;
  if (seen.has(value)) return '[Circular]';
  if (depth > 8) return '[Truncated]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1, seen));
  if (value instanceof Error) {
    const out: Record<string, unknown> = { type: value.name, message: scrubSecrets(value.message) };
    if (value.stack) out.stack = scrubSecrets(value.stack);
    for (const [key, item] of Object.entries(value)) {
      out[key] = isSensitiveKey(key) ? REDACTED : redact(item, depth + 1, seen);
    }
    if (value.cause !== undefined) out.cause = redact(value.cause, depth + 1, seen);
    return out;
  }
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return redact((value as { toJSON(): unknown }).toJSON(), depth + 1, seen);
  }
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = isSensitiveKey(key) ? REDACTED : redact(item, depth + 1, seen);
  }
  return out;
}
