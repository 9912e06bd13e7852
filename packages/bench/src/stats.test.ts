import { describe, expect, it } from 'vitest';
import { latencyStats, median, percentile } from './stats';

describe('percentiles', () => {
  it('are nearest-rank: the smallest sample with at least that share of samples at or below it', () => {
    const sorted = Array.from({ length: 1000 }, (_, i) => i + 1);
    expect(percentile(sorted, 0.5)).toBe(500);
    expect(percentile(sorted, 0.99)).toBe(990);
    expect(percentile(sorted, 0.999)).toBe(999);
    expect(percentile([7], 0.999)).toBe(7);
    expect(percentile([], 0.5)).toBeNaN();
  });

  it('of latencies sort the samples numerically, whatever their order', () => {
    const stats = latencyStats(Float64Array.from([30, 2, 1000, 5, 100, 7, 1, 9, 11, 20]));
    expect(stats).toMatchObject({ samples: 10, p50: 9, p99: 1000, max: 1000 });
    expect(stats.mean).toBeCloseTo(118.5);
  });
});

describe('median', () => {
  it('ignores failed runs (NaN) and averages the middle two of an even count', () => {
    expect(median([3, Number.NaN, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([Number.NaN])).toBeNaN();
  });
});
