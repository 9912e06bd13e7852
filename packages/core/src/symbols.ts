import { ValidationError } from './errors';

/** A unified symbol: `BASE/QUOTE`, e.g. `BTC/USDT`. Adapters map it to and from their venue's native form. */
export type UnifiedSymbol = string;

export interface SymbolParts {
  readonly base: string;
  readonly quote: string;
}

// Assets may be non-ASCII on some venues (Binance lists `１２３４５６`), so this accepts any
// letters and digits, but no separators, whitespace or control characters.
const ASSET = /^[\p{L}\p{N}]+$/u;

/** Splits `BTC/USDT` into its assets, or throws a ValidationError naming the expected format. */
export function parseSymbol(symbol: unknown, field = 'symbol'): SymbolParts {
  if (typeof symbol !== 'string') {
    throw new ValidationError('INVALID_SYMBOL', {
      field,
      rule: 'must be a string like "BTC/USDT"',
      message: `${field} must be a unified symbol string like "BTC/USDT" (got ${typeof symbol})`,
    });
  }
  const slash = symbol.indexOf('/');
  const base = slash > 0 ? symbol.slice(0, slash) : '';
  const quote = slash > 0 ? symbol.slice(slash + 1) : '';
  if (!ASSET.test(base) || !ASSET.test(quote)) {
    throw new ValidationError('INVALID_SYMBOL', {
      field,
      rule: 'must be BASE/QUOTE, e.g. "BTC/USDT"',
      message: `${field} "${symbol.slice(0, 40)}" is not a unified symbol: expected BASE/QUOTE, e.g. "BTC/USDT"`,
    });
  }
  return { base: base.toUpperCase(), quote: quote.toUpperCase() };
}

/** Normalises a unified symbol's case: `btc/usdt` becomes `BTC/USDT`. */
export function normalizeSymbol(symbol: unknown, field = 'symbol'): UnifiedSymbol {
  const { base, quote } = parseSymbol(symbol, field);
  return `${base}/${quote}`;
}

export function formatSymbol(base: string, quote: string): UnifiedSymbol {
  return `${base.toUpperCase()}/${quote.toUpperCase()}`;
}
