export { type BusCodec, type DecodedMessage, JsonBusCodec } from './codec';
export { ConnectionRegistry, type StreamConnection } from './connection-registry';
export { CONTROL_TOPIC } from './gateway';
export {
  type StreamHealthDetail,
  StreamsHealth,
  type StreamsHealthOptions,
  type StreamsHealthReport,
} from './health';
export { type StreamsModuleOptions, streamsModule } from './module';
export { RedisBus, type RedisBusOptions, type RedisBusStats } from './redis-bus';
export {
  type ExchangeOption,
  StreamManager,
  type StreamManagerOptions,
  type WatchOptions,
} from './stream-manager';
export { StreamsTokens } from './tokens';
export type {
  IterateOptions,
  QueueOptions,
  QueuePolicy,
  StreamConsumer,
  StreamFigures,
  StreamHandler,
  StreamIterator,
  StreamRequest,
  StreamRequestOf,
  StreamSourceKind,
  StreamSubscription,
  SubscribeOptions,
  SubscriberFigures,
  TopicSubscription,
} from './types';
