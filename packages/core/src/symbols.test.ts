import { describe, expect, it } from 'vitest';
import { ValidationError } from './errors';
import { normalizeSymbol, parseSymbol } from './symbols';

describe('unified symbols', () => {
  it('splits BASE/QUOTE and normalises case', () => {
    expect(parseSymbol('BTC/USDT')).toEqual({ base: 'BTC', quote: 'USDT' });
    expect(normalizeSymbol('eth/btc')).toBe('ETH/BTC');
  });

  it('accepts non-ASCII assets that venues list', () => {
    expect(parseSymbol('１２３４５６/USDT').base).toBe('１２３４５６');
  });

  it.each(['BTCUSDT', '/USDT', 'BTC/', 'BTC/USDT/X', 'BTC USDT', ' BTC/USDT', 'BTC-USDT'])(
    'rejects %j naming the format',
    (symbol) => {
      expect(() => parseSymbol(symbol)).toThrow(ValidationError);
      expect(() => parseSymbol(symbol)).toThrow(/expected BASE\/QUOTE/);
    },
  );

  it('rejects non-strings with the field name', () => {
    expect(() => parseSymbol(42, 'orders[0].symbol')).toThrow(
      /orders\[0\]\.symbol must be a unified symbol string/,
    );
  });
});
