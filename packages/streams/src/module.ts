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
import { StreamsHealth, type StreamsHealthOptions } from './health';
import { StreamManager, type StreamManagerOptions } from './stream-manager';
import { StreamsTokens } from './tokens';

export interface StreamsModuleOptions
  extends Omit<StreamManagerOptions, 'registry' | 'bus' | 'clock' | 'logger'>,
    Omit<StreamsHealthOptions, 'clock'> {}

/**
 * The streams package in the container: a StreamManager over the registered adapters and the
 * core bus (`venuekit.streams`), closed with the system, and its market-data health contribution.
 * For many processes, give createVenuekit a RedisBus and set `gateway: true` in the process that
 * holds the exchange connections.
 */
export function streamsModule(options: StreamsModuleOptions = {}): VenuekitModule<'streams', StreamManager> {
  const { staleAfterMs, staleAfterMsByKind, ...managerOptions } = options;
  return new VenuekitModule(
    'streams',
    ({ bind }) => {
      bind(StreamsTokens.StreamManager)
        .toDynamicValue((ctx) => {
          const manager = new StreamManager({
            ...managerOptions,
            registry: ctx.get<ExchangeRegistry>(CoreTokens.ExchangeRegistry),
            bus: ctx.get<MessageBus>(CoreTokens.MessageBus),
            clock: ctx.get<Clock>(CoreTokens.Clock),
            logger: ctx.get<Logger>(CoreTokens.Logger),
          });
          // Added after the registry and the bus it uses, so the lifecycle closes it before them.
          ctx.get<Lifecycle>(CoreTokens.Lifecycle).add('streams', manager);
          return manager;
        })
        .inSingletonScope();
      bind(CoreTokens.HealthContributor)
        .toDynamicValue(
          (ctx) =>
            new StreamsHealth(ctx.get<StreamManager>(StreamsTokens.StreamManager), {
              ...(staleAfterMs === undefined ? {} : { staleAfterMs }),
              ...(staleAfterMsByKind === undefined ? {} : { staleAfterMsByKind }),
              clock: ctx.get<Clock>(CoreTokens.Clock),
            }),
        )
        .inSingletonScope();
    },
    (container) => resolve(container, StreamsTokens.StreamManager),
  );
}
