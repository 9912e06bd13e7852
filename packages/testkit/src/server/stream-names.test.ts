import { describe, expect, it } from 'vitest';
import { parseStreamName } from './stream-names';

describe('parseStreamName', () => {
  it('reads every stream kind of web-socket-streams.md', () => {
    expect(parseStreamName('btcusdt@trade')).toEqual({ kind: 'trade', symbol: 'BTCUSDT' });
    expect(parseStreamName('btcusdt@aggTrade')).toEqual({ kind: 'aggTrade', symbol: 'BTCUSDT' });
    expect(parseStreamName('bnbbtc@kline_1M')).toEqual({ kind: 'kline', symbol: 'BNBBTC', interval: '1M' });
    expect(parseStreamName('bnbbtc@miniTicker')).toEqual({ kind: 'miniTicker', symbol: 'BNBBTC' });
    expect(parseStreamName('bnbbtc@ticker')).toEqual({ kind: 'ticker', symbol: 'BNBBTC' });
    expect(parseStreamName('bnbusdt@bookTicker')).toEqual({ kind: 'bookTicker', symbol: 'BNBUSDT' });
    expect(parseStreamName('btcusdt@avgPrice')).toEqual({ kind: 'avgPrice', symbol: 'BTCUSDT' });
    expect(parseStreamName('btcusdt@depth')).toEqual({ kind: 'depthDiff', symbol: 'BTCUSDT', fast: false });
    expect(parseStreamName('btcusdt@depth@100ms')).toEqual({
      kind: 'depthDiff',
      symbol: 'BTCUSDT',
      fast: true,
    });
    expect(parseStreamName('btcusdt@depth20@100ms')).toEqual({
      kind: 'depthPartial',
      symbol: 'BTCUSDT',
      levels: 20,
      fast: true,
    });
    expect(parseStreamName('btcusdt@depth5')).toEqual({
      kind: 'depthPartial',
      symbol: 'BTCUSDT',
      levels: 5,
      fast: false,
    });
  });

  it('refuses what Binance does not offer', () => {
    for (const name of [
      'btcusdt',
      '@trade',
      'btcusdt@depth7',
      'btcusdt@kline_2m',
      'BTC USDT@trade',
      'btcusdt@Trade',
    ]) {
      expect(parseStreamName(name)).toBeUndefined();
    }
  });
});
