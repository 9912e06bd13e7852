import { LOSS_REASONS } from './writer/buffer';
import type { RecorderFigures } from './recorder';

/**
 * The part of a Prometheus registry the recorder uses: `@venuekit/health`'s MetricsRegistry
 * (`HealthTokens.MetricsRegistry`) fits, so do thin wrappers around other clients.
 */
export interface RecorderMetricsRegistry {
  counter(options: {
    readonly name: string;
    readonly help: string;
    readonly labelNames?: readonly string[];
  }): {
    inc(labels?: readonly string[], value?: number): void;
  };
  gauge(options: { readonly name: string; readonly help: string; readonly labelNames?: readonly string[] }): {
    set(labels: readonly string[], value: number): void;
  };
  addCollector(collect: () => void): () => void;
}

type Families = ReturnType<typeof createFamilies>;
const familiesByRegistry = new WeakMap<RecorderMetricsRegistry, Families>();

function createFamilies(registry: RecorderMetricsRegistry) {
  return {
    written: registry.counter({
      name: 'venuekit_recorder_rows_written_total',
      help: 'Rows the recorder wrote to PostgreSQL',
      labelNames: ['recorder', 'structure'],
    }),
    lost: registry.counter({
      name: 'venuekit_recorder_rows_lost_total',
      help: 'Rows the recorder could not record: overflow (buffer full), rejected (refused by the database), closed, stream_queue',
      labelNames: ['recorder', 'structure', 'reason'],
    }),
    batches: registry.counter({
      name: 'venuekit_recorder_batches_total',
      help: 'Transactions the recorder committed',
      labelNames: ['recorder'],
    }),
    reconnects: registry.counter({
      name: 'venuekit_recorder_reconnects_total',
      help: 'Times the recorder reconnected to PostgreSQL',
      labelNames: ['recorder'],
    }),
    buffered: registry.gauge({
      name: 'venuekit_recorder_buffered_rows',
      help: 'Rows waiting to be written (the spill buffer while the database is away)',
      labelNames: ['recorder'],
    }),
    capacity: registry.gauge({
      name: 'venuekit_recorder_buffer_capacity_rows',
      help: 'The most rows the recorder holds before it drops the least important',
      labelNames: ['recorder'],
    }),
    up: registry.gauge({
      name: 'venuekit_recorder_database_up',
      help: '1 while the recorder is connected to PostgreSQL with its schema ready',
      labelNames: ['recorder'],
    }),
  };
}

/** Adds a recorder's figures to the registry, read at each scrape. Returns a function that removes them. */
export function registerRecorderMetrics(
  registry: RecorderMetricsRegistry,
  source: { figures(): RecorderFigures },
): () => void {
  let families = familiesByRegistry.get(registry);
  if (!families) {
    families = createFamilies(registry);
    familiesByRegistry.set(registry, families);
  }
  const f = families;
  const seen = new Map<string, number>();
  // Counters only go up: each scrape adds what changed since the last one.
  const add = (counter: Families['written'], labels: readonly string[], total: number) => {
    const key = labels.join('\u0000');
    const before = seen.get(key) ?? 0;
    if (total > before) counter.inc(labels, total - before);
    seen.set(key, total);
  };
  return registry.addCollector(() => {
    const figures = source.figures();
    const id = figures.recorderId;
    for (const [structure, t] of Object.entries(figures.structures)) {
      add(f.written, [id, structure], t.written);
      for (const reason of LOSS_REASONS) add(f.lost, [id, structure, reason], t.lost[reason]);
    }
    add(f.batches, [id], figures.batches);
    add(f.reconnects, [id], figures.reconnects);
    f.buffered.set([id], figures.buffered);
    f.capacity.set([id], figures.capacity);
    f.up.set([id], figures.state === 'up' ? 1 : 0);
  });
}
