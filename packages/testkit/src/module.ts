import { bindExchangeAdapter, type Clock, CoreTokens, type Logger, VenuekitModule } from '@venuekit/core';
import { FakeExchange, type FakeExchangeOptions } from './in-memory/fake-exchange';
import { TestkitTokens } from './tokens';

/**
 * Registers the in-memory FakeExchange as an exchange adapter (id `fake` unless
 * told otherwise), on the container's clock and logger unless options name
 * others. `venuekit.fakeExchange` is the adapter, for its test handle.
 */
export function fakeExchangeModule(
  options: FakeExchangeOptions = {},
): VenuekitModule<'fakeExchange', FakeExchange> {
  return new VenuekitModule(
    'fakeExchange',
    ({ bind }) => {
      bind(TestkitTokens.FakeExchange)
        .toDynamicValue((ctx) => {
          const clock = options.clock ?? ctx.get<Clock>(CoreTokens.Clock);
          const logger = options.logger ?? ctx.get<Logger>(CoreTokens.Logger);
          return new FakeExchange({ ...options, clock, logger });
        })
        .inSingletonScope();
      bind(TestkitTokens.FakeMarket)
        .toDynamicValue((ctx) => ctx.get<FakeExchange>(TestkitTokens.FakeExchange).market)
        .inSingletonScope();
      bindExchangeAdapter(bind, (container) => container.get(TestkitTokens.FakeExchange));
    },
    (container) => container.get<FakeExchange>(TestkitTokens.FakeExchange),
  );
}
