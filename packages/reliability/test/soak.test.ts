// The chaos soak's CI run: about a minute and a half of seeded faults against books, trades and
// ten trading users, then the settling and the final comparison with the exchange. Longer runs:
// `pnpm soak --minutes N [--seed S]`.
import { describe, expect, it } from 'vitest';
import { FAULT_KIND_NAMES } from '../src/soak/chaos';
import { formatSoakReport } from '../src/soak/report';
import { runSoak } from '../src/soak/soak';

const SEED = 20_261_121;

describe('chaos soak (CI run)', () => {
  it('loses nothing, doubles nothing and diverges nowhere under a seeded storm of faults', async () => {
    const report = await runSoak({ seed: SEED, durationMs: 75_000, faultIntervalMs: 400 });
    console.log(formatSoakReport(report));

    expect(report.problems).toEqual([]);
    expect(report.trades).toMatchObject({ duplicates: 0, lost: 0, wrongValues: 0 });
    expect(report.orders).toMatchObject({ doubled: 0, divergent: 0 });
    expect(report.books.divergences).toBe(0);
    expect(report.balances).toEqual({ checked: 10, divergences: 0 });
    expect(report.unhandled).toEqual({ rejections: 0, exceptions: 0 });
    expect(report.secretFindings).toBe(0);
    expect(report.passed).toBe(true);

    // It exercised what it claims to: every kind of fault, and the recoveries they cause.
    expect(Object.keys(report.faults.byKind).sort()).toEqual([...FAULT_KIND_NAMES].sort());
    expect(report.reconnects).toBeGreaterThan(10);
    expect(report.resyncs.total).toBeGreaterThan(5);
    expect(report.books.checks).toBeGreaterThan(100);
    expect(report.trades.delivered).toBeGreaterThan(100);
    expect(report.orders.intents).toBeGreaterThan(200);
    expect(report.orders.verified).toBe(report.orders.intents);
    // Memory stays flat: what it grows by after the warm-up is the engine's and sessions' bounded history.
    expect(report.heap.growthMb).toBeLessThan(40);
  }, 240_000);
});
