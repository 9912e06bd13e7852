import { ValidationError } from '@venuekit/core';

/**
 * A small Prometheus registry that writes the text exposition format (version 0.0.4) itself:
 * https://prometheus.io/docs/instrumenting/exposition_formats/ (HELP/TYPE lines, escaped label
 * values, one uninterrupted group per family, histogram buckets in increasing `le` order ending
 * with `+Inf` equal to `_count`).
 */

export type MetricType = 'counter' | 'gauge' | 'histogram';

/** The HTTP Content-Type of the text format. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const OVERFLOW = '__overflow__';

export interface MetricOptions {
  readonly name: string;
  readonly help: string;
  readonly labelNames?: readonly string[];
  /**
   * At most this many label combinations; beyond it, samples are counted under one series whose
   * labels are all `__overflow__`, so an unexpected label value cannot exhaust memory. Default 2000.
   */
  readonly maxSeries?: number;
}

export interface HistogramOptions extends MetricOptions {
  /** Upper bounds, increasing; `+Inf` is added. */
  readonly buckets: readonly number[];
}

abstract class Family<S> {
  abstract readonly type: MetricType;
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  readonly #maxSeries: number;
  protected readonly series = new Map<string, { labels: readonly string[]; value: S }>();

  constructor(options: MetricOptions) {
    if (!METRIC_NAME.test(options.name)) {
      throw new ValidationError('INVALID_PARAMETER', {
        field: 'name',
        rule: `must match ${METRIC_NAME} (got "${options.name}")`,
      });
    }
    for (const label of options.labelNames ?? []) {
      if (!LABEL_NAME.test(label) || label.startsWith('__') || label === 'le') {
        throw new ValidationError('INVALID_PARAMETER', {
          field: 'labelNames',
          rule: `must match ${LABEL_NAME}, not start with __ and not be "le" (got "${label}")`,
        });
      }
    }
    this.name = options.name;
    this.help = options.help;
    this.labelNames = options.labelNames ?? [];
    this.#maxSeries = options.maxSeries ?? 2000;
  }

  protected abstract initial(): S;

  /** The state of one label combination, created on first use. */
  protected state(values: readonly string[]): S {
    if (values.length !== this.labelNames.length) {
      throw new ValidationError('INVALID_PARAMETER', {
        field: 'labels',
        rule: `${this.name} takes ${this.labelNames.length} label values (${this.labelNames.join(', ')}), got ${values.length}`,
      });
    }
    let key = values.length === 1 ? (values[0] as string) : values.join('\u0000');
    let entry = this.series.get(key);
    if (!entry) {
      let labels = values.slice();
      if (this.series.size >= this.#maxSeries) {
        labels = this.labelNames.map(() => OVERFLOW);
        key = labels.join('\u0000');
        entry = this.series.get(key);
      }
      if (!entry) {
        entry = { labels, value: this.initial() };
        this.series.set(key, entry);
      }
    }
    return entry.value;
  }

  /** Forgets every series (gauges refreshed from a snapshot start from scratch). */
  reset(): void {
    this.series.clear();
  }

  abstract render(out: string[]): void;

  protected header(out: string[]): void {
    out.push(`# HELP ${this.name} ${escapeHelp(this.help)}\n# TYPE ${this.name} ${this.type}\n`);
  }

  protected labelText(labels: readonly string[], extra?: string): string {
    const parts: string[] = [];
    labels.forEach((value, i) => {
      parts.push(`${this.labelNames[i]}="${escapeLabelValue(value)}"`);
    });
    if (extra !== undefined) parts.push(extra);
    return parts.length === 0 ? '' : `{${parts.join(',')}}`;
  }
}

/** A series of a counter; keep it to count without looking the labels up again. */
export interface CounterSeries {
  inc(value?: number): void;
}

export class Counter extends Family<{ value: number }> {
  readonly type = 'counter';

  protected initial() {
    return { value: 0 };
  }

  /** Adds `value` (default 1, never negative) to the series with these label values. */
  inc(labels: readonly string[] = [], value = 1): void {
    if (!(value >= 0)) return;
    this.state(labels).value += value;
  }

  /** The series with these label values, to count on a hot path without looking it up again. */
  bind(labels: readonly string[] = []): CounterSeries {
    const state = this.state(labels);
    return {
      inc(value = 1) {
        if (value >= 0) state.value += value;
      },
    };
  }

  get(labels: readonly string[] = []): number {
    return this.state(labels).value;
  }

  render(out: string[]): void {
    this.header(out);
    for (const { labels, value } of this.series.values()) {
      out.push(`${this.name}${this.labelText(labels)} ${formatValue(value.value)}\n`);
    }
  }
}

export class Gauge extends Family<{ value: number }> {
  readonly type = 'gauge';

  protected initial() {
    return { value: 0 };
  }

  /** Sets the series; a value that is not a number is ignored. */
  set(labels: readonly string[], value: number): void {
    if (typeof value === 'number') this.state(labels).value = value;
  }

  inc(labels: readonly string[] = [], value = 1): void {
    if (typeof value === 'number') this.state(labels).value += value;
  }

  get(labels: readonly string[] = []): number {
    return this.state(labels).value;
  }

  render(out: string[]): void {
    this.header(out);
    for (const { labels, value } of this.series.values()) {
      out.push(`${this.name}${this.labelText(labels)} ${formatValue(value.value)}\n`);
    }
  }
}

interface HistogramState {
  /** Non-cumulative count per bucket; the last slot is +Inf. */
  readonly counts: number[];
  sum: number;
  count: number;
}

export class Histogram extends Family<HistogramState> {
  readonly type = 'histogram';
  readonly buckets: readonly number[];

  constructor(options: HistogramOptions) {
    super(options);
    const buckets = options.buckets.filter((b) => b !== Number.POSITIVE_INFINITY);
    for (let i = 0; i < buckets.length; i++) {
      const bound = buckets[i] as number;
      if (!Number.isFinite(bound) || (i > 0 && bound <= (buckets[i - 1] as number))) {
        throw new ValidationError('INVALID_PARAMETER', {
          field: 'buckets',
          rule: 'must be finite numbers in increasing order',
        });
      }
    }
    this.buckets = buckets;
  }

  protected initial(): HistogramState {
    return { counts: new Array<number>(this.buckets.length + 1).fill(0), sum: 0, count: 0 };
  }

  /** Records one observation; NaN and non-numbers are ignored. */
  observe(labels: readonly string[], value: number): void {
    if (typeof value !== 'number' || Number.isNaN(value)) return;
    const state = this.state(labels);
    let i = 0;
    while (i < this.buckets.length && value > (this.buckets[i] as number)) i++;
    state.counts[i] = (state.counts[i] as number) + 1;
    state.sum += value;
    state.count++;
  }

  render(out: string[]): void {
    this.header(out);
    for (const { labels, value } of this.series.values()) {
      let cumulative = 0;
      for (let i = 0; i <= this.buckets.length; i++) {
        cumulative += value.counts[i] as number;
        const le = i < this.buckets.length ? formatValue(this.buckets[i] as number) : '+Inf';
        out.push(`${this.name}_bucket${this.labelText(labels, `le="${le}"`)} ${cumulative}\n`);
      }
      out.push(`${this.name}_sum${this.labelText(labels)} ${formatValue(value.sum)}\n`);
      out.push(`${this.name}_count${this.labelText(labels)} ${value.count}\n`);
    }
  }
}

type AnyFamily = Counter | Gauge | Histogram;

/** Metric families, rendered in the order they were created. */
export class MetricsRegistry {
  readonly #families = new Map<string, AnyFamily>();
  readonly #collectors = new Set<() => void>();

  counter(options: MetricOptions): Counter {
    return this.#add(new Counter(options));
  }

  gauge(options: MetricOptions): Gauge {
    return this.#add(new Gauge(options));
  }

  histogram(options: HistogramOptions): Histogram {
    return this.#add(new Histogram(options));
  }

  /** Runs before every render, to refresh gauges from a snapshot. Returns a function that removes it. */
  addCollector(collect: () => void): () => void {
    this.#collectors.add(collect);
    return () => this.#collectors.delete(collect);
  }

  /** The text exposition of every family. A family without series renders only its HELP and TYPE. */
  render(): string {
    for (const collect of this.#collectors) collect();
    const out: string[] = [];
    for (const family of this.#families.values()) family.render(out);
    return out.join('');
  }

  #add<F extends AnyFamily>(family: F): F {
    const taken = sampleNames(family);
    for (const existing of this.#families.values()) {
      if (sampleNames(existing).some((name) => taken.includes(name))) {
        throw new ValidationError('INVALID_PARAMETER', {
          field: 'name',
          rule: `must be unique in the registry: "${family.name}" clashes with "${existing.name}"`,
        });
      }
    }
    this.#families.set(family.name, family);
    return family;
  }
}

/** The sample names a family writes. */
function sampleNames(family: AnyFamily): string[] {
  return family.type === 'histogram'
    ? [family.name, `${family.name}_bucket`, `${family.name}_sum`, `${family.name}_count`]
    : [family.name];
}

/** A float as Go's strconv.ParseFloat reads it. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

export function escapeHelp(help: string): string {
  return help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}
