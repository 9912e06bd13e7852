import { ValidationError } from '@venuekit/core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BINANCE_CONFIG, resolveBinanceConfig } from './config';
import { binanceConfigFromEnv } from './env';
import { BINANCE_URLS, redactUrl } from './urls';

describe('resolveBinanceConfig', () => {
  it('defaults to production with Binance limits', () => {
    const config = resolveBinanceConfig();
    expect(config.environment).toBe('prod');
    expect(config.urls).toEqual(BINANCE_URLS.prod);
    expect(config.streams.maxStreamsPerConnection).toBe(1024);
    expect(config.streams.maxControlMessagesPerSecond).toBe(5);
    expect(config.streams.maxLifetimeMs).toBeLessThan(24 * 3_600_000);
    expect(config.orderBook).toEqual(DEFAULT_BINANCE_CONFIG.orderBook);
  });

  it('picks an environment by name and lets single urls be overridden', () => {
    const config = resolveBinanceConfig({
      environment: 'testnet',
      urls: { streams: 'ws://127.0.0.1:9000/' },
    });
    expect(config.urls.rest).toBe(BINANCE_URLS.testnet.rest);
    expect(config.urls.wsApi).toBe(BINANCE_URLS.testnet.wsApi);
    expect(config.urls.streams).toBe('ws://127.0.0.1:9000');
    expect(resolveBinanceConfig({ environment: 'demo' }).urls).toEqual(BINANCE_URLS.demo);
  });

  it('names the field and the rule of a bad value', () => {
    const attempt = (input: Parameters<typeof resolveBinanceConfig>[0]) => {
      try {
        resolveBinanceConfig(input);
      } catch (error) {
        return error;
      }
      return undefined;
    };
    const bad = attempt({ streams: { maxStreamsPerConnection: 2000 } });
    expect(bad).toBeInstanceOf(ValidationError);
    expect(bad).toMatchObject({
      field: 'streams.maxStreamsPerConnection',
      rule: 'must be an integer from 1 to 1024',
    });
    expect(attempt({ streams: { maxControlMessagesPerSecond: 6 } })).toMatchObject({
      field: 'streams.maxControlMessagesPerSecond',
    });
    expect(attempt({ urls: { rest: 'ftp://x' } })).toMatchObject({ field: 'urls.rest' });
    expect(attempt({ urls: { streams: 'https://x' } })).toMatchObject({ field: 'urls.streams' });
    expect(attempt({ environment: 'staging' as never })).toMatchObject({ field: 'environment' });
    expect(attempt({ orderBook: { snapshotLimit: 5001 } })).toMatchObject({
      field: 'orderBook.snapshotLimit',
    });
  });
});

describe('binanceConfigFromEnv', () => {
  it('reads the environment name and url overrides', () => {
    const input = binanceConfigFromEnv({
      BINANCE_ENV: 'TESTNET',
      BINANCE_STREAMS_URL: 'ws://127.0.0.1:1234',
      BINANCE_REST_URL: ' ',
    });
    expect(input).toEqual({ environment: 'testnet', urls: { streams: 'ws://127.0.0.1:1234' } });
    expect(resolveBinanceConfig(input).urls.rest).toBe(BINANCE_URLS.testnet.rest);
    expect(binanceConfigFromEnv({})).toEqual({});
    expect(binanceConfigFromEnv({ BINANCE_ENV: 'production' })).toEqual({ environment: 'prod' });
  });

  it('refuses an unknown environment name', () => {
    expect(() => binanceConfigFromEnv({ BINANCE_ENV: 'mainnet2' })).toThrow(ValidationError);
  });
});

describe('redactUrl', () => {
  it('drops credentials and query strings', () => {
    expect(redactUrl('wss://user:pw@example.com/ws?listenKey=abc#x')).toBe('wss://example.com/ws');
    expect(redactUrl('not a url')).toBe('[invalid url]');
  });
});
