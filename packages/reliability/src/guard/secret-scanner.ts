import { createHash } from 'node:crypto';

/**
 * Markers every test credential of this repository carries, so a leak is recognisable even when
 * the scanner was never told the exact value: `LEAKCHECK` (the trading and reliability suites),
 * `VKTEST` (the Binance adapter's tests) and `VKFAKE` (keys the testkit's fake exchange generates).
 */
export const TEST_SECRET_MARKERS: readonly string[] = ['LEAKCHECK', 'VKTEST', 'VKFAKE'];

/** Where a secret showed up. The secret itself is never kept: only a short fingerprint of it. */
export interface SecretFinding {
  /** `stdout`, `stderr`, `console.warn`, `log`, `telemetry:<channel>`, `error:<test name>`… */
  readonly source: string;
  /** The marker found, or `sha256:<first 12 hex>` of a registered secret. */
  readonly what: string;
  /** Where in the text, for finding it again without printing it. */
  readonly offset: number;
}

/** Shortest registered value: shorter strings would match ordinary text. */
const MIN_SECRET_LENGTH = 12;
/** Registered secrets are also looked for in pieces of this length (a truncated key still leaks). */
const PIECE_LENGTH = 24;
const PIECE_STEP = 8;

/**
 * Looks for test secrets in text: the markers above, and every value registered with `register`
 * (and any 24-character piece of it). Findings name the source and a fingerprint, never the
 * secret, so reporting a leak does not repeat it.
 */
export class SecretScanner {
  readonly #markers: readonly string[];
  readonly #values = new Map<string, string>();
  readonly #findings: SecretFinding[] = [];
  #pattern: RegExp | null = null;
  #scanned = 0;

  constructor(options: { readonly markers?: readonly string[] } = {}) {
    this.#markers = options.markers ?? TEST_SECRET_MARKERS;
  }

  /** Adds a secret to look for (its value and its pieces). Values under 12 characters are refused. */
  register(secret: string): void {
    if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) {
      throw new TypeError(`a test secret must be a string of at least ${MIN_SECRET_LENGTH} characters`);
    }
    if (this.#values.has(secret)) return;
    const fingerprint = `sha256:${createHash('sha256').update(secret).digest('hex').slice(0, 12)}`;
    this.#values.set(secret, fingerprint);
    for (let i = 0; i + PIECE_LENGTH <= secret.length; i += PIECE_STEP) {
      const piece = secret.slice(i, i + PIECE_LENGTH);
      if (!this.#values.has(piece)) this.#values.set(piece, fingerprint);
    }
    this.#pattern = null;
  }

  /** How many texts were scanned (a guard that scanned nothing proves nothing). */
  get scanned(): number {
    return this.#scanned;
  }

  get findings(): readonly SecretFinding[] {
    return this.#findings;
  }

  /** Scans one text; returns the findings it added. */
  scan(text: string, source: string): SecretFinding[] {
    this.#scanned++;
    if (text.length === 0) return [];
    const pattern = this.#compile();
    pattern.lastIndex = 0;
    const found: SecretFinding[] = [];
    // One finding per secret per text: the same value repeated (message, stack, JSON) is one leak.
    const seen = new Set<string>();
    for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
      const what = this.#values.get(match[0]) ?? match[0];
      if (seen.has(what)) continue;
      seen.add(what);
      found.push({ source, what, offset: match.index });
    }
    this.#findings.push(...found);
    return found;
  }

  /** Forgets the findings (not the registered secrets). */
  clearFindings(): void {
    this.#findings.length = 0;
  }

  #compile(): RegExp {
    if (this.#pattern) return this.#pattern;
    const alternatives = [...this.#markers, ...[...this.#values.keys()].sort((a, b) => b.length - a.length)];
    this.#pattern = new RegExp(alternatives.map(escapeRegExp).join('|'), 'g');
    return this.#pattern;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Text for scanning from anything: strings as they are, the rest as JSON and `String()`. */
export function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  let json = '';
  try {
    json = JSON.stringify(value) ?? '';
  } catch {
    // cycles: String() below still shows the message
  }
  let plain = '';
  try {
    plain = String(value);
  } catch {
    // an object without a usable toString
  }
  return `${json}\n${plain}`;
}
