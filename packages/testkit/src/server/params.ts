import { Decimal } from '@venuekit/core';
import { Errors } from './api-error';

/** Binance's legal ranges, as quoted in its -1100 messages. */
export const LEGAL_RANGE = {
  decimal: '^([0-9]{1,20})(\\.[0-9]{1,20})?$',
  long: '^[0-9]{1,20}$',
  symbol: '^[A-Z0-9-_.]{1,20}$',
  clientOrderId: '^[\\.A-Z\\:/a-z0-9_-]{1,36}$',
} as const;

const DECIMAL_RE = /^([0-9]{1,20})(\.[0-9]{1,20})?$/;
const LONG_RE = /^-?[0-9]{1,20}$/;
const SYMBOL_RE = /^[A-Z0-9\-_.]{1,20}$/;
const CLIENT_ORDER_ID_RE = /^[.A-Z:/a-z0-9_-]{1,36}$/;

/**
 * The parameters of one request, from a REST query string and body (query wins, duplicates are
 * -1101) or from a WebSocket API `params` object. Getters throw Binance's own errors; every getter
 * marks its parameter as read, and `finish()` answers -1104 when something sent was never read,
 * so an operation parses everything before it touches the exchange.
 */
export class RequestParams {
  readonly #values: Map<string, string>;
  readonly #read = new Set<string>();

  constructor(values: Map<string, string>) {
    this.#values = values;
  }

  /** From a raw query string and form body (`application/x-www-form-urlencoded`). */
  static fromForm(rawQuery: string, rawBody: string): RequestParams {
    const values = new Map<string, string>();
    const fromQuery = new Set<string>();
    const add = (text: string, isQuery: boolean) => {
      if (text === '') return;
      for (const [key, value] of new URLSearchParams(text)) {
        if (isQuery) {
          if (fromQuery.has(key)) throw Errors.duplicateParam();
          fromQuery.add(key);
          values.set(key, value);
        } else if (!fromQuery.has(key)) {
          if (values.has(key)) throw Errors.duplicateParam();
          values.set(key, value);
        }
      }
    };
    add(rawQuery, true);
    add(rawBody, false);
    return new RequestParams(values);
  }

  /** From a WebSocket API `params` object; numbers and booleans keep their JSON text. */
  static fromJson(params: Readonly<Record<string, unknown>> | undefined): RequestParams {
    const values = new Map<string, string>();
    if (params) {
      for (const [key, value] of Object.entries(params)) {
        if (value === null || value === undefined) continue;
        if (typeof value === 'string') values.set(key, value);
        else if (typeof value === 'number' || typeof value === 'boolean') values.set(key, String(value));
        else values.set(key, JSON.stringify(value));
      }
    }
    return new RequestParams(values);
  }

  get size(): number {
    return this.#values.size;
  }

  has(name: string): boolean {
    return this.#values.has(name);
  }

  names(): string[] {
    return [...this.#values.keys()];
  }

  /** The raw text of a parameter without marking it read (for weights computed up front). */
  peek(name: string): string | undefined {
    return this.#values.get(name);
  }

  /** The raw text of a parameter, marked as read. */
  raw(name: string): string | undefined {
    this.#read.add(name);
    return this.#values.get(name);
  }

  /** Marks parameters as read without parsing them (e.g. `signature`, handled by the auth layer). */
  consume(...names: string[]): void {
    for (const name of names) this.#read.add(name);
  }

  optionalString(name: string): string | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    if (value === '') throw Errors.paramEmpty(name);
    return value;
  }

  string(name: string): string {
    const value = this.raw(name);
    if (value === undefined || value === '') throw Errors.mandatory(name);
    return value;
  }

  /** A symbol in Binance's form (`BTCUSDT`): -1102 when missing, -1100 when malformed. */
  symbol(name = 'symbol'): string {
    const value = this.string(name);
    return checkSymbolText(name, value);
  }

  optionalSymbol(name = 'symbol'): string | undefined {
    const value = this.optionalString(name);
    return value === undefined ? undefined : checkSymbolText(name, value);
  }

  /** A JSON array of symbols (`symbols=["BTCUSDT","BNBBTC"]`). */
  optionalSymbolList(name = 'symbols'): string[] | undefined {
    const value = this.optionalString(name);
    if (value === undefined) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      throw Errors.invalidJson(name);
    }
    if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((s) => typeof s === 'string')) {
      throw Errors.invalidJson(name);
    }
    const symbols = (parsed as string[]).map((s) => checkSymbolText(name, s));
    if (new Set(symbols).size !== symbols.length) throw Errors.duplicateSymbols();
    return symbols;
  }

  optionalDecimal(name: string): Decimal | undefined {
    const value = this.optionalString(name);
    if (value === undefined) return undefined;
    if (!DECIMAL_RE.test(value)) throw Errors.illegalChars(name, LEGAL_RANGE.decimal);
    return new Decimal(value);
  }

  decimal(name: string): Decimal {
    const value = this.optionalDecimal(name);
    if (value === undefined) throw Errors.mandatory(name);
    return value;
  }

  /** A LONG / INT parameter as a JS number (ids stay below 2^53 on the fake exchange). */
  optionalLong(name: string, { min = 0 }: { min?: number } = {}): number | undefined {
    const value = this.optionalString(name);
    if (value === undefined) return undefined;
    if (!LONG_RE.test(value)) throw Errors.illegalChars(name, LEGAL_RANGE.long);
    const parsed = Number(value);
    if (!Number.isSafeInteger(parsed)) throw Errors.overflow(name);
    if (parsed < min) throw Errors.invalidParameter(name);
    return parsed;
  }

  long(name: string, options?: { min?: number }): number {
    const value = this.optionalLong(name, options);
    if (value === undefined) throw Errors.mandatory(name);
    return value;
  }

  /** A `limit`: default when absent, -1130 outside [1, max] unless `clamp` (depth clamps to 5000). */
  limit(name: string, fallback: number, max: number, clamp = false): number {
    const value = this.optionalLong(name);
    if (value === undefined) return fallback;
    if (value < 1) throw Errors.invalidParameter(name);
    if (value > max) {
      if (clamp) return max;
      throw Errors.invalidParameter(name);
    }
    return value;
  }

  optionalBoolean(name: string): boolean | undefined {
    const value = this.optionalString(name);
    if (value === undefined) return undefined;
    const lower = value.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
    throw Errors.invalidParameter(name);
  }

  optionalEnum<T extends string>(
    name: string,
    allowed: readonly T[],
    onInvalid: () => Error = () => Errors.invalidParameter(name),
  ): T | undefined {
    const value = this.optionalString(name);
    if (value === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(value)) throw onInvalid();
    return value as T;
  }

  enum<T extends string>(name: string, allowed: readonly T[], onInvalid?: () => Error): T {
    const value = this.optionalEnum(name, allowed, onInvalid);
    if (value === undefined) throw Errors.mandatory(name);
    return value;
  }

  optionalClientOrderId(name: string, onEmpty: () => Error): string | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    if (value === '') throw onEmpty();
    if (!CLIENT_ORDER_ID_RE.test(value)) throw Errors.illegalChars(name, LEGAL_RANGE.clientOrderId);
    return value;
  }

  /** -1104 when something was sent that the endpoint does not read. */
  finish(): void {
    let unread = 0;
    for (const key of this.#values.keys()) if (!this.#read.has(key)) unread++;
    if (unread > 0) throw Errors.unreadParams(this.#values.size - unread, this.#values.size);
  }
}

function checkSymbolText(name: string, value: string): string {
  // Binance symbols may be non-ASCII (e.g. testnet's 这是测试币456); ASCII ones follow the legal range.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching the ASCII range on purpose
  const ascii = /^[\x00-\x7f]*$/.test(value);
  if (ascii && !SYMBOL_RE.test(value)) throw Errors.illegalChars(name, LEGAL_RANGE.symbol);
  return value;
}
