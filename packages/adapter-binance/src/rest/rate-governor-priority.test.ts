import { ManualClock } from '@venuekit/core';
import { afterEach, describe, expect, it } from 'vitest';
import { BinanceRateGovernor, type GovernedRequest, type RateGovernorOptions } from './rate-governor';

// Live requests (orders, cancels, reads a caller waits for) before background ones (catch-ups,
// reconciliations nobody waits for), without starving the background ones.

let governor: BinanceRateGovernor | undefined;
afterEach(() => governor?.close());

function setup(options: Partial<RateGovernorOptions> = {}) {
  const clock = new ManualClock(); // on a minute boundary
  governor = new BinanceRateGovernor({
    clock,
    limits: [{ type: 'REQUEST_WEIGHT', intervalMs: 60_000, limit: 100 }],
    boundaryGuardMs: 0,
    ...options,
  });
  return { clock, gate: governor };
}

/** Records the order in which acquisitions are admitted. */
function recorder(gate: BinanceRateGovernor) {
  const admitted: string[] = [];
  const acquire = (name: string, request: GovernedRequest) => {
    void gate.acquire(request).then(
      () => admitted.push(name),
      () => admitted.push(`${name}:rejected`),
    );
  };
  return { admitted, acquire };
}

const live = (weight: number): GovernedRequest => ({ weight, kind: 'read' });
const background = (weight: number): GovernedRequest => ({ weight, kind: 'read', priority: 'background' });

describe('BinanceRateGovernor priorities', () => {
  it('a live request goes ahead of background requests queued before it', async () => {
    const { clock, gate } = setup();
    const { admitted, acquire } = recorder(gate);
    acquire('live-fill', live(100)); // the window is full
    acquire('catch-up-1', background(30));
    acquire('catch-up-2', background(30));
    acquire('order', { weight: 1, kind: 'order', account: 'a' });
    await clock.advance(0);
    expect(admitted).toEqual(['live-fill']);
    expect(gate.queued()).toEqual({ live: 1, background: 2 });
    await clock.advance(60_000);
    expect(admitted).toEqual(['live-fill', 'order', 'catch-up-1', 'catch-up-2']);
  });

  it('background requests leave the live reserve of each window free: an order goes at once mid-storm', async () => {
    // liveReserve 0.2: background requests fill 80 of 100 (promoted only after five minutes here).
    const { clock, gate } = setup({ backgroundMaxWaitMs: 300_000 });
    const { admitted, acquire } = recorder(gate);
    for (let i = 1; i <= 10; i++) acquire(`catch-up-${i}`, background(20));
    await clock.advance(0);
    expect(admitted).toEqual(['catch-up-1', 'catch-up-2', 'catch-up-3', 'catch-up-4']);
    expect(gate.status().usedWeight).toBe(80);
    // Not queued behind the six catch-up requests still waiting.
    acquire('order', { weight: 1, kind: 'order', account: 'a' });
    acquire('user-read', live(6));
    await clock.advance(0);
    expect(admitted.slice(4)).toEqual(['order', 'user-read']);
    expect(gate.queued()).toEqual({ live: 0, background: 6 });
    // The next window takes the next four.
    await clock.advance(60_000);
    expect(admitted.slice(6)).toEqual(['catch-up-5', 'catch-up-6', 'catch-up-7', 'catch-up-8']);
  });

  it('a background request that waited backgroundMaxWaitMs takes its turn by arrival: never starved', async () => {
    const { clock, gate } = setup({ backgroundMaxWaitMs: 90_000 });
    const { admitted, acquire } = recorder(gate);
    acquire('live-0', live(100));
    acquire('catch-up', background(30));
    await clock.advance(0);
    // Live traffic that alone fills every window: each minute a new request takes the whole budget.
    for (let minute = 1; minute <= 3; minute++) {
      acquire(`live-${minute}`, live(100));
      await clock.advance(60_000);
    }
    // Minute 1 went to live-1. At 90 s the catch-up was promoted: it arrived before live-2 and
    // live-3, so it takes the next window's budget before them.
    expect(admitted).toEqual(['live-0', 'live-1', 'catch-up', 'live-2']);
  });

  it('background requests alone use the whole budget over time, in order', async () => {
    const { clock, gate } = setup();
    const { admitted, acquire } = recorder(gate);
    for (let i = 1; i <= 8; i++) acquire(`c${i}`, background(40));
    await clock.advance(0);
    expect(admitted).toEqual(['c1', 'c2']);
    // After a minute of waiting they are promoted, and may use the live reserve: 2 × 40 of 100.
    await clock.advance(60_000);
    expect(admitted).toEqual(['c1', 'c2', 'c3', 'c4']);
    await clock.advance(60_000);
    expect(admitted).toEqual(['c1', 'c2', 'c3', 'c4', 'c5', 'c6']);
    await clock.advance(60_000);
    expect(admitted).toEqual(['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8']);
  });

  it('an aborted background request leaves the queue; close rejects the rest', async () => {
    const { clock, gate } = setup();
    const { admitted, acquire } = recorder(gate);
    acquire('fill', live(100));
    const controller = new AbortController();
    acquire('aborted', { ...background(10), signal: controller.signal });
    acquire('waiting', background(10));
    await clock.advance(0);
    controller.abort(new Error('gone'));
    await clock.advance(0);
    expect(gate.queued()).toEqual({ live: 0, background: 1 });
    gate.close();
    await clock.advance(0);
    expect(admitted).toEqual(['fill', 'aborted:rejected', 'waiting:rejected']);
  });

  it('refuses a bad reserve or wait with a ValidationError naming the option', () => {
    expect(() => new BinanceRateGovernor({ liveReserve: 1 })).toThrow(
      expect.objectContaining({ code: 'INVALID_PARAMETER', field: 'liveReserve' }),
    );
    expect(() => new BinanceRateGovernor({ liveReserve: -0.1 })).toThrow(
      expect.objectContaining({ field: 'liveReserve' }),
    );
    expect(() => new BinanceRateGovernor({ backgroundMaxWaitMs: Number.NaN })).toThrow(
      expect.objectContaining({ field: 'backgroundMaxWaitMs' }),
    );
  });
});
