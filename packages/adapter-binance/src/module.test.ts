import { CoreTokens, createVenuekit, ManualClock, silentLogger, ValidationError } from '@venuekit/core';
import { describe, expect, it } from 'vitest';
import { BinanceAdapter } from './adapter';
import { binanceModule } from './module';
import { BinanceTokens } from './tokens';
import { BINANCE_URLS } from './urls';

describe('binanceModule', () => {
  it("registers one adapter under core's ExchangeAdapter token, built with the container's clock", async () => {
    const clock = new ManualClock();
    const venuekit = createVenuekit({
      modules: [binanceModule({ environment: 'testnet' })],
      clock,
      logger: silentLogger,
    });
    const adapter = venuekit.exchange('binance');
    expect(adapter).toBeInstanceOf(BinanceAdapter);
    expect(venuekit.exchange()).toBe(adapter);
    expect(venuekit.get(BinanceTokens.Adapter)).toBe(adapter);
    expect(venuekit.get(BinanceTokens.Config).urls).toEqual(BINANCE_URLS.testnet);
    expect((adapter as BinanceAdapter).clock).toBe(venuekit.get(CoreTokens.Clock));
    expect(adapter.has.watchOrderBook).toBe(true);
    // The rate governor reports from the start; nothing has been sent yet.
    expect(adapter.status()).toEqual({
      exchange: 'binance',
      connections: [],
      streams: [],
      rateLimit: { usedWeight: 0, weightLimit: 6000, queued: 0 },
    });
    await venuekit.close();
  });

  it('refuses a bad config where it is written', () => {
    expect(() => binanceModule({ streams: { maxStreamsPerConnection: 0 } })).toThrow(ValidationError);
  });

  it('works without a container too', async () => {
    const adapter = new BinanceAdapter({ environment: 'demo' });
    expect(adapter.config.urls).toEqual(BINANCE_URLS.demo);
    expect(adapter.marketData.connections()).toEqual([]);
    await adapter.close();
  });
});
