import { describe, expect, it } from 'vitest';
import { BinanceApiError } from './api-error';
import { RequestParams } from './params';

function codeOf(fn: () => unknown): [number, string] {
  try {
    fn();
  } catch (error) {
    if (error instanceof BinanceApiError) return [error.code, error.msg];
    throw error;
  }
  throw new Error('expected a BinanceApiError');
}

describe('RequestParams', () => {
  it('lets the query string win over the body and refuses duplicates (-1101)', () => {
    const params = RequestParams.fromForm('symbol=BTCUSDT', 'symbol=ETHUSDT&quantity=1');
    expect(params.symbol()).toBe('BTCUSDT');
    expect(params.decimal('quantity').toString()).toBe('1');
    expect(codeOf(() => RequestParams.fromForm('a=1&a=2', ''))).toEqual([
      -1101,
      'Duplicate values for a parameter detected.',
    ]);
  });

  it("answers Binance's request errors", () => {
    const params = RequestParams.fromForm('symbol=btc%20usdt&quantity=1e3&orderId=x&limit=2000&side=', '');
    expect(codeOf(() => params.symbol())).toEqual([
      -1100,
      "Illegal characters found in parameter 'symbol'; legal range is '^[A-Z0-9-_.]{1,20}$'.",
    ]);
    expect(codeOf(() => params.decimal('quantity'))).toEqual([
      -1100,
      "Illegal characters found in parameter 'quantity'; legal range is '^([0-9]{1,20})(\\.[0-9]{1,20})?$'.",
    ]);
    expect(codeOf(() => params.long('orderId'))[0]).toBe(-1100);
    expect(codeOf(() => params.limit('limit', 500, 1000))).toEqual([
      -1130,
      "Data sent for parameter 'limit' is not valid.",
    ]);
    expect(params.limit('limit', 100, 5000, true)).toBe(2000);
    expect(codeOf(() => params.string('side'))).toEqual([
      -1102,
      "Mandatory parameter 'side' was not sent, was empty/null, or malformed.",
    ]);
    expect(codeOf(() => params.string('price'))[0]).toBe(-1102);
  });

  it('answers -1104 when a parameter was sent but never read', () => {
    const params = RequestParams.fromForm('symbol=BTCUSDT&foo=1', '');
    params.symbol();
    expect(codeOf(() => params.finish())).toEqual([
      -1104,
      "Not all sent parameters were read; read '1' parameter(s) but was sent '2'.",
    ]);
  });

  it('reads WebSocket API params with JSON numbers as their text', () => {
    const params = RequestParams.fromJson({ symbol: 'BTCUSDT', recvWindow: 100, timestamp: 1645423376532 });
    expect(params.long('timestamp')).toBe(1645423376532);
    expect(params.raw('recvWindow')).toBe('100');
    expect(params.optionalSymbolList('symbols')).toBeUndefined();
    expect(codeOf(() => RequestParams.fromJson({ symbols: '["A","A"]' }).optionalSymbolList())[0]).toBe(
      -1151,
    );
  });
});
