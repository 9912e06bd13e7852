import {
  type Clock,
  CoreTokens,
  type ExchangeRegistry,
  type Lifecycle,
  type Logger,
  type MessageBus,
  resolve,
  VenuekitModule,
} from '@venuekit/core';
import { TradingSystemHealth, UserConnectionsHealth } from './health';
import { TradingTokens } from './tokens';
import { type TradingFacade, UserManager, type UserManagerOptions } from './user-manager';

/** Everything of UserManagerOptions except what the container provides (adapters, bus, logger, clock). */
export type TradingModuleOptions = Omit<UserManagerOptions, 'adapters' | 'bus' | 'logger' | 'clock'>;

/**
 * The trading package in the container: the user manager (`venuekit.trading`) on
 * the system's exchange registry, bus, logger and clock, closed with the system,
 * and its two health contributions (`tradingSystem`, `userConnections`).
 */
export function tradingModule(options: TradingModuleOptions = {}): VenuekitModule<'trading', TradingFacade> {
  return new VenuekitModule(
    'trading',
    ({ bind }) => {
      bind(TradingTokens.UserManager)
        .toDynamicValue((ctx) => {
          const manager = new UserManager({
            ...options,
            adapters: ctx.get<ExchangeRegistry>(CoreTokens.ExchangeRegistry),
            bus: ctx.get<MessageBus>(CoreTokens.MessageBus),
            logger: ctx.get<Logger>(CoreTokens.Logger),
            clock: ctx.get<Clock>(CoreTokens.Clock),
          });
          // Added after the registry and the bus, so it closes before them.
          ctx.get<Lifecycle>(CoreTokens.Lifecycle).add('trading sessions', manager);
          return manager;
        })
        .inSingletonScope();
      bind(CoreTokens.HealthContributor)
        .toDynamicValue((ctx) => new TradingSystemHealth(ctx.get<TradingFacade>(TradingTokens.UserManager)))
        .inSingletonScope();
      bind(CoreTokens.HealthContributor)
        .toDynamicValue((ctx) => new UserConnectionsHealth(ctx.get<TradingFacade>(TradingTokens.UserManager)))
        .inSingletonScope();
    },
    (container) => resolve(container, TradingTokens.UserManager),
  );
}
