import { bindExchangeAdapter, CoreTokens, VenuekitModule } from '@venuekit/core';
import { BinanceAdapter } from './adapter';
import { type BinanceConfigInput, resolveBinanceConfig } from './config';
import { BinanceTokens } from './tokens';

/**
 * The container module of @venuekit/adapter-binance: binds the config and the
 * adapter (as core's ExchangeAdapter, so the registry, streams, trading and
 * health find it). The adapter is built on first use and closed with the system.
 *
 * ```ts
 * const venuekit = createVenuekit({ modules: [binanceModule({ environment: 'testnet' })] });
 * ```
 */
export function binanceModule(config: BinanceConfigInput = {}): VenuekitModule<'binance'> {
  // Resolve now, so a bad config fails where it is written, not at first use.
  const resolved = resolveBinanceConfig(config);
  return new VenuekitModule('binance', ({ bind }) => {
    bind(BinanceTokens.Config).toConstantValue(resolved);
    bind(BinanceTokens.Adapter)
      .toDynamicValue(
        (ctx) =>
          new BinanceAdapter(config, {
            clock: ctx.get(CoreTokens.Clock),
            logger: ctx.get(CoreTokens.Logger),
          }),
      )
      .inSingletonScope();
    bindExchangeAdapter(bind, (container) => container.get(BinanceTokens.Adapter));
  });
}
