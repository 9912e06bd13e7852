import { KLINE_INTERVALS } from '@venuekit/core';
import type { KlineIntervalName } from '../engine/types';

export const KLINE_INTERVAL_NAMES: readonly KlineIntervalName[] = KLINE_INTERVALS;

/** A market stream name, parsed (web-socket-streams.md "Detailed Stream information"). */
export type StreamKey =
  | { readonly kind: 'trade'; readonly symbol: string }
  | { readonly kind: 'aggTrade'; readonly symbol: string }
  | { readonly kind: 'bookTicker'; readonly symbol: string }
  | { readonly kind: 'ticker'; readonly symbol: string }
  | { readonly kind: 'miniTicker'; readonly symbol: string }
  | { readonly kind: 'avgPrice'; readonly symbol: string }
  | { readonly kind: 'kline'; readonly symbol: string; readonly interval: KlineIntervalName }
  | { readonly kind: 'depthDiff'; readonly symbol: string; readonly fast: boolean }
  | {
      readonly kind: 'depthPartial';
      readonly symbol: string;
      readonly levels: 5 | 10 | 20;
      readonly fast: boolean;
    };

const SYMBOL_PART = /^[a-z0-9\-_.\u{80}-\u{10ffff}]{1,40}$/u;

/**
 * Parses `<symbol>@<kind>`; undefined when the name is not a stream Binance offers. Symbols are
 * lowercase in stream names; the returned symbol is uppercase (`BTCUSDT`).
 */
export function parseStreamName(name: string): StreamKey | undefined {
  const at = name.indexOf('@');
  if (at <= 0) return undefined;
  const lower = name.slice(0, at);
  if (!SYMBOL_PART.test(lower)) return undefined;
  const symbol = lower.toUpperCase();
  const rest = name.slice(at + 1);
  switch (rest) {
    case 'trade':
      return { kind: 'trade', symbol };
    case 'aggTrade':
      return { kind: 'aggTrade', symbol };
    case 'bookTicker':
      return { kind: 'bookTicker', symbol };
    case 'ticker':
      return { kind: 'ticker', symbol };
    case 'miniTicker':
      return { kind: 'miniTicker', symbol };
    case 'avgPrice':
      return { kind: 'avgPrice', symbol };
    case 'depth':
      return { kind: 'depthDiff', symbol, fast: false };
    case 'depth@100ms':
      return { kind: 'depthDiff', symbol, fast: true };
    case 'depth@1000ms':
      return { kind: 'depthDiff', symbol, fast: false };
  }
  const partial = /^depth(5|10|20)(@100ms|@1000ms)?$/.exec(rest);
  if (partial) {
    return {
      kind: 'depthPartial',
      symbol,
      levels: Number(partial[1]) as 5 | 10 | 20,
      fast: partial[2] === '@100ms',
    };
  }
  if (rest.startsWith('kline_')) {
    const interval = rest.slice('kline_'.length) as KlineIntervalName;
    if (KLINE_INTERVAL_NAMES.includes(interval)) return { kind: 'kline', symbol, interval };
  }
  return undefined;
}
