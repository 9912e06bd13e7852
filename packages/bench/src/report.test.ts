import { describe, expect, it } from 'vitest';
import { sideBySideNotes, sideBySideTable } from './report';
import type { SessionResult } from './side-by-side';

function session(
  library: SessionResult['library'],
  perSecond: number,
  p99: number,
  rss: number,
): SessionResult {
  return {
    library,
    kind: 'trades',
    run: 1,
    throughput: [
      {
        count: 1000,
        perSecond,
        delivered: library === 'ccxt' ? 900 : 1000,
        cpuUsPerMessage: 1e6 / perSecond,
      },
    ],
    latency: { samples: 100, p50: 10, p90: 20, p99, p999: p99 * 2, max: p99 * 3, mean: 12, delivered: 100 },
    maxRssMb: rss,
  };
}

const options = {
  libraries: ['floor', 'venuekit', 'ccxt'] as const,
  kinds: ['trades'] as const,
  counts: [1000],
  latencyPerSecond: 20_000,
  latencyCount: 100,
};

describe('the side-by-side table', () => {
  it('gives every figure as a ratio to (or a difference from) the floor of the same run, and judges venuekit by its targets', () => {
    const table = sideBySideTable(
      [
        session('floor', 500_000, 300, 60),
        session('venuekit', 400_000, 350, 80),
        session('ccxt', 100_000, 3000, 200),
      ],
      options,
    );
    const rows = table.split('\n');
    expect(rows[0]).toContain('| floor | venuekit | ccxt Pro | venuekit target |');
    expect(rows[2]).toBe(
      '| Trades delivered, msg/s, 1k messages | 500,000 | 400,000 (0.80) | 100,000 (0.20) | ≥ 0.7 ✅ |',
    );
    expect(rows[3]).toBe(
      '| Trades delivered: client CPU µs per message, 1k (in brackets: floor ÷ this) | 2.00 | 2.50 (0.80) | 10.00 (0.20) | |',
    );
    expect(rows[4]).toContain('| 10 / 20 / 350 / 700 (p99 +50 µs) |');
    expect(rows[4]).toMatch(/✅ \|$/);
    expect(rows[5]).toBe(
      '| Peak RSS MB, trades session | 60 | 80 (+20 MB) | 200 (+140 MB) | ≤ floor + 25 MB ✅ |',
    );
  });

  it('says when venuekit misses a target', () => {
    const table = sideBySideTable(
      [session('floor', 500_000, 300, 60), session('venuekit', 300_000, 500, 100)],
      {
        ...options,
        libraries: ['floor', 'venuekit'],
      },
    );
    const judged = table.split('\n').filter((row) => row.includes('floor +') || row.includes('≥'));
    expect(judged).toHaveLength(3);
    expect(judged.every((row) => row.endsWith('❌ |'))).toBe(true);
  });

  it('says when the latency percentiles of a library are of batches rather than of messages', () => {
    const ccxt = session('ccxt', 1, 1, 1);
    const batched: SessionResult = {
      ...ccxt,
      latency: { ...(ccxt.latency as NonNullable<SessionResult['latency']>), delivered: 7 },
    };
    expect(sideBySideNotes([session('floor', 1, 1, 1), batched], options)).toContain(
      'ccxt Pro, trades latency: 7 deliveries for 100 messages, so its percentiles are of batches, not of messages, and not comparable.',
    );
  });

  it('notes conflated deliveries and failed sessions', () => {
    const failed: SessionResult = {
      library: 'venuekit',
      kind: 'trades',
      run: 1,
      throughput: [],
      error: 'timed out',
    };
    const notes = sideBySideNotes([session('floor', 1, 1, 1), session('ccxt', 1, 1, 1), failed], options);
    expect(notes).toEqual([
      'venuekit failed (trades run 1: timed out).',
      'ccxt Pro, trades 1k: the subscriber was handed 900 deliveries for 1,000 messages (trades conflated or dropped).',
    ]);
  });
});
