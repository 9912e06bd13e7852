import {
  type Clock,
  CoreTokens,
  type ExchangeRegistry,
  type Lifecycle,
  type Logger,
  type MessageBus,
  resolve,
  token,
  VenuekitModule,
} from '@venuekit/core';
import { type StreamRequest, StreamsTokens } from '@venuekit/streams';
import { RecorderHealth, type RecorderHealthOptions } from './health';
import { type RecorderMetricsRegistry, registerRecorderMetrics } from './metrics';
import {
  type MarketStreamSource,
  Recorder,
  type RecorderOptions,
  type RecordStreamOptions,
} from './recorder';
import { RecorderTokens } from './tokens';

/** A stream to record from the start, with its recording options. */
export type RecordStreamRequest = StreamRequest & RecordStreamOptions;

export interface RecorderModuleOptions
  extends Omit<RecorderOptions, 'streams' | 'bus' | 'exchanges' | 'clock' | 'logger'> {
  /** What to record as soon as the recorder starts. */
  readonly record?: {
    readonly streams?: readonly RecordStreamRequest[];
    readonly users?: readonly string[];
  };
  /** The health contribution (`recorder`); false to leave it out. */
  readonly health?: RecorderHealthOptions | false;
}

// @venuekit/health's registry token, by its name: the recorder reports into it when it is loaded,
// without depending on the health package.
const MetricsRegistryToken = token<RecorderMetricsRegistry>('@venuekit/health/MetricsRegistry');

/**
 * The recorder in the container (`venuekit.recorder`): fed by the streams manager and the core bus,
 * closed with the system (before the streams it records), reporting to health and metrics when the
 * health package is loaded. It connects when first resolved: `await venuekit.recorder.start()`.
 */
export function recorderModule(options: RecorderModuleOptions = {}): VenuekitModule<'recorder', Recorder> {
  const { record, health, ...recorderOptions } = options;
  return new VenuekitModule(
    'recorder',
    ({ bind }) => {
      bind(RecorderTokens.Recorder)
        .toDynamicValue((ctx) => {
          const streams = ctx.get<MarketStreamSource>(StreamsTokens.StreamManager, { optional: true });
          const recorder = new Recorder({
            ...recorderOptions,
            ...(streams ? { streams } : {}),
            bus: ctx.get<MessageBus>(CoreTokens.MessageBus),
            exchanges: ctx.get<ExchangeRegistry>(CoreTokens.ExchangeRegistry),
            clock: ctx.get<Clock>(CoreTokens.Clock),
            logger: ctx.get<Logger>(CoreTokens.Logger),
          });
          const lifecycle = ctx.get<Lifecycle>(CoreTokens.Lifecycle);
          const metrics = ctx.get<RecorderMetricsRegistry>(MetricsRegistryToken, { optional: true });
          const removeMetrics = metrics ? registerRecorderMetrics(metrics, recorder) : undefined;
          // Added after the streams manager it uses, so the lifecycle closes it first.
          lifecycle.add('recorder', {
            close: async () => {
              await recorder.close();
              removeMetrics?.();
            },
          });
          void recorder.start();
          for (const request of record?.streams ?? []) {
            const { raw, intervalMs, levels, ...stream } = request;
            recorder.recordStream(stream as StreamRequest, {
              ...(raw === undefined ? {} : { raw }),
              ...(intervalMs === undefined ? {} : { intervalMs }),
              ...(levels === undefined ? {} : { levels }),
            });
          }
          for (const userId of record?.users ?? []) {
            recorder.recordUser(userId).catch((error: unknown) => {
              ctx
                .get<Logger>(CoreTokens.Logger)
                .errorWithException('recording a user failed', error, { userId });
            });
          }
          return recorder;
        })
        .inSingletonScope();
      if (health !== false) {
        bind(CoreTokens.HealthContributor)
          .toDynamicValue(
            (ctx) =>
              new RecorderHealth(ctx.get<Recorder>(RecorderTokens.Recorder), {
                ...health,
                clock: ctx.get<Clock>(CoreTokens.Clock),
              }),
          )
          .inSingletonScope();
      }
    },
    (container) => resolve(container, RecorderTokens.Recorder),
  );
}
