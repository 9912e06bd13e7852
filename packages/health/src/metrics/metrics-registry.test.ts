import { ValidationError } from '@venuekit/core';
import { describe, expect, it } from 'vitest';
import { PromParseError, parsePrometheusText, sampleValue } from '../../test/support/prometheus-text';
import { MetricsRegistry } from './metrics-registry';

describe('MetricsRegistry text exposition', () => {
  it('writes counters, gauges and histograms that parse as Prometheus text', () => {
    const registry = new MetricsRegistry();
    const requests = registry.counter({
      name: 'x_requests_total',
      help: 'Requests.',
      labelNames: ['path', 'status'],
    });
    const temp = registry.gauge({ name: 'x_temperature', help: 'Temperature.' });
    const latency = registry.histogram({
      name: 'x_latency_seconds',
      help: 'Latency.',
      labelNames: ['path'],
      buckets: [0.1, 0.5, 1],
    });
    requests.inc(['/api/v3/order', '200']);
    requests.inc(['/api/v3/order', '200'], 2);
    requests.inc(['/api/v3/depth', '429']);
    temp.set([], -3.5);
    for (const v of [0.05, 0.1, 0.3, 0.7, 2]) latency.observe(['/a'], v);

    const text = registry.render();
    const families = parsePrometheusText(text);
    expect(families.get('x_requests_total')).toMatchObject({ type: 'counter', help: 'Requests.' });
    expect(sampleValue(families, 'x_requests_total', { path: '/api/v3/order', status: '200' })).toBe(3);
    expect(sampleValue(families, 'x_requests_total', { status: '429' })).toBe(1);
    expect(sampleValue(families, 'x_temperature')).toBe(-3.5);
    // Cumulative buckets; 0.1 falls in le="0.1" (upper bounds are inclusive).
    expect(sampleValue(families, 'x_latency_seconds_bucket', { le: '0.1' })).toBe(2);
    expect(sampleValue(families, 'x_latency_seconds_bucket', { le: '0.5' })).toBe(3);
    expect(sampleValue(families, 'x_latency_seconds_bucket', { le: '1' })).toBe(4);
    expect(sampleValue(families, 'x_latency_seconds_bucket', { le: '+Inf' })).toBe(5);
    expect(sampleValue(families, 'x_latency_seconds_count')).toBe(5);
    expect(sampleValue(families, 'x_latency_seconds_sum')).toBeCloseTo(3.15, 10);
  });

  it('escapes label values and help text as the format requires', () => {
    const registry = new MetricsRegistry();
    const counter = registry.counter({
      name: 'x_total',
      help: 'A \\ backslash\nand a newline.',
      labelNames: ['path'],
    });
    const nasty = 'C:\\DIR\\FILE.TXT "quoted"\nline two';
    counter.inc([nasty]);
    const text = registry.render();
    expect(text).toContain('x_total{path="C:\\\\DIR\\\\FILE.TXT \\"quoted\\"\\nline two"} 1\n');
    expect(text).toContain('# HELP x_total A \\\\ backslash\\nand a newline.\n');
    const families = parsePrometheusText(text);
    expect(families.get('x_total')?.help).toBe('A \\ backslash\nand a newline.');
    expect(families.get('x_total')?.samples[0]?.labels.path).toBe(nasty);
  });

  it('writes NaN and infinities as Go parses them', () => {
    const registry = new MetricsRegistry();
    const gauge = registry.gauge({ name: 'x', help: 'x', labelNames: ['k'] });
    gauge.set(['nan'], Number.NaN);
    gauge.set(['pos'], Number.POSITIVE_INFINITY);
    gauge.set(['neg'], Number.NEGATIVE_INFINITY);
    gauge.set(['tiny'], 1e-9);
    const text = registry.render();
    expect(text).toContain('x{k="nan"} NaN\n');
    expect(text).toContain('x{k="pos"} +Inf\n');
    expect(text).toContain('x{k="neg"} -Inf\n');
    const families = parsePrometheusText(text);
    expect(sampleValue(families, 'x', { k: 'tiny' })).toBe(1e-9);
  });

  it('caps the series of a family: extra label values count under __overflow__', () => {
    const registry = new MetricsRegistry();
    const counter = registry.counter({ name: 'x_total', help: 'x', labelNames: ['id'], maxSeries: 2 });
    for (let i = 0; i < 10; i++) counter.inc([`id-${i}`]);
    const families = parsePrometheusText(registry.render());
    expect(families.get('x_total')?.samples).toHaveLength(3);
    expect(sampleValue(families, 'x_total', { id: '__overflow__' })).toBe(8);
  });

  it('refuses invalid names, label counts, buckets and clashing families', () => {
    const registry = new MetricsRegistry();
    expect(() => registry.counter({ name: '1bad', help: '' })).toThrow(ValidationError);
    expect(() => registry.counter({ name: 'ok_total', help: '', labelNames: ['__reserved'] })).toThrow(
      ValidationError,
    );
    expect(() => registry.counter({ name: 'ok2_total', help: '', labelNames: ['le'] })).toThrow(
      ValidationError,
    );
    expect(() => registry.histogram({ name: 'h', help: '', buckets: [1, 1] })).toThrow(ValidationError);
    registry.histogram({ name: 'lat', help: '', buckets: [1] });
    expect(() => registry.counter({ name: 'lat_count', help: '' })).toThrow(/clashes/);
    const counter = registry.counter({ name: 'c_total', help: '', labelNames: ['a'] });
    expect(() => counter.inc([])).toThrow(/takes 1 label/);
  });

  it('runs collectors before each render and a removed collector no more', () => {
    const registry = new MetricsRegistry();
    const gauge = registry.gauge({ name: 'g', help: 'g' });
    let n = 0;
    const remove = registry.addCollector(() => gauge.set([], ++n));
    expect(sampleValue(parsePrometheusText(registry.render()), 'g')).toBe(1);
    expect(sampleValue(parsePrometheusText(registry.render()), 'g')).toBe(2);
    remove();
    expect(sampleValue(parsePrometheusText(registry.render()), 'g')).toBe(2);
  });
});

describe('the test parser itself rejects what the format forbids', () => {
  it.each([
    ['no final newline', 'a 1'],
    ['a bad escape in a label value', 'a{x="\\t"} 1\n'],
    ['TYPE after samples', 'a 1\n# TYPE a gauge\n'],
    ['an interrupted group', '# TYPE a gauge\na 1\nb 1\na{x="y"} 2\n'],
    ['a duplicate sample', 'a 1\na 2\n'],
    ['a negative counter', '# TYPE a_total counter\na_total -1\n'],
    ['a histogram without +Inf', '# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n'],
    ['+Inf differing from count', '# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 1\n'],
    ['a value that is not a float', 'a one\n'],
  ])('%s', (_what, text) => {
    expect(() => parsePrometheusText(text)).toThrow();
  });

  it('accepts the example exposition of the official documentation', () => {
    // From prometheus/docs content/docs/instrumenting/exposition_formats.md, "Text format example".
    const example = [
      '# HELP http_requests_total The total number of HTTP requests.',
      '# TYPE http_requests_total counter',
      'http_requests_total{method="post",code="200"} 1027 1395066363000',
      'http_requests_total{method="post",code="400"}    3 1395066363000',
      '',
      '# Escaping in label values:',
      'msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9',
      '',
      '# Minimalistic line:',
      'metric_without_timestamp_and_labels 12.47',
      '',
      '# A weird metric from before the epoch:',
      'something_weird{problem="division by zero"} +Inf -3982045',
      '',
      '# A histogram, which has a pretty complex representation in the text format:',
      '# HELP http_request_duration_seconds A histogram of the request duration.',
      '# TYPE http_request_duration_seconds histogram',
      'http_request_duration_seconds_bucket{le="0.05"} 24054',
      'http_request_duration_seconds_bucket{le="0.1"} 33444',
      'http_request_duration_seconds_bucket{le="0.2"} 100392',
      'http_request_duration_seconds_bucket{le="0.5"} 129389',
      'http_request_duration_seconds_bucket{le="1"} 133988',
      'http_request_duration_seconds_bucket{le="+Inf"} 144320',
      'http_request_duration_seconds_sum 53423',
      'http_request_duration_seconds_count 144320',
      '',
    ].join('\n');
    const families = parsePrometheusText(example);
    expect(sampleValue(families, 'msdos_file_access_time_seconds')).toBe(1.458255915e9);
    expect(families.get('msdos_file_access_time_seconds')?.samples[0]?.labels.error).toBe(
      'Cannot find file:\n"FILE.TXT"',
    );
    expect(sampleValue(families, 'something_weird')).toBe(Number.POSITIVE_INFINITY);
    expect(() => parsePrometheusText('a 1')).toThrow(PromParseError);
  });
});
