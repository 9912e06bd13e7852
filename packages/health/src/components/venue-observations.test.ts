import { ManualClock, telemetry } from '@venuekit/core';
import { afterEach, describe, expect, it } from 'vitest';
import { ControlledAdapter } from '../../test/support/controlled-adapter';
import { HealthChecker } from '../health-checker';
import { VenueObservations } from './venue-observations';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function setup(adapters: ControlledAdapter[] = []) {
  const clock = new ManualClock();
  const observations = new VenueObservations({ clock });
  const checker = new HealthChecker({ adapters, clock, observations, exclude: ['application'] });
  cleanups.push(
    () => observations.close(),
    () => checker.close(),
  );
  return { clock, observations, checker };
}

describe('VenueObservations: what venues said through telemetry, beside the adapters’ status', () => {
  it('gives clockSkew the measured offset of an adapter that reports no clock', async () => {
    const { checker, clock } = setup([new ControlledAdapter('binance')]);
    expect(await checker.checkComponent('clockSkew')).toEqual({
      status: 'healthy',
      offsetMs: 0,
      exchanges: {},
    });
    telemetry.clockSync.publish({ exchange: 'binance', offsetMs: 2500, roundTripMs: 20 });
    expect(await checker.checkComponent('clockSkew')).toEqual({
      status: 'degraded',
      offsetMs: 2500,
      exchanges: { binance: { offsetMs: 2500, roundTripMs: 20, lastSyncAt: clock.now(), syncAgeMs: 0 } },
    });
  });

  it('keeps the adapter’s own clock report over telemetry', async () => {
    const adapter = new ControlledAdapter('binance', { clock: { offsetMs: 5, roundTripMs: 9 } });
    const { checker } = setup([adapter]);
    telemetry.clockSync.publish({ exchange: 'binance', offsetMs: 9000, roundTripMs: 20 });
    expect(await checker.checkComponent('clockSkew')).toMatchObject({ status: 'healthy', offsetMs: 5 });
  });

  it('adds a reported ban to an adapter rate-limit report that does not carry it, until it ends', async () => {
    const adapter = new ControlledAdapter('binance', {
      rateLimit: { usedWeight: 10, weightLimit: 6000, queued: 0 },
    });
    const { checker, clock } = setup([adapter]);
    telemetry.rateLimit.publish({
      exchange: 'binance',
      usedWeight: 6001,
      weightLimit: 6000,
      bannedUntil: clock.now() + 60_000,
    });
    expect(await checker.checkComponent('rateLimits')).toMatchObject({
      status: 'unhealthy',
      banned: true,
      exchanges: { binance: { usedWeight: 10, banned: true, bannedUntil: clock.now() + 60_000 } },
    });
    await clock.advance(60_001);
    expect(await checker.checkComponent('rateLimits')).toMatchObject({ status: 'healthy', banned: false });
  });

  it('reports an exchange heard of only through telemetry, and forgets a weight report after a minute', async () => {
    const { checker, clock } = setup();
    telemetry.rateLimit.publish({
      exchange: 'solo',
      usedWeight: 5500,
      weightLimit: 6000,
      retryAfterMs: 5000,
    });
    expect(await checker.checkComponent('rateLimits')).toMatchObject({
      status: 'degraded',
      exchanges: { solo: { usedWeight: 5500, backingOff: true, backoffUntil: clock.now() + 5000 } },
    });
    await clock.advance(60_001);
    expect(await checker.checkComponent('rateLimits')).toMatchObject({
      status: 'healthy',
      exchanges: { solo: { usedWeight: 0, backingOff: false } },
    });
  });

  it('ignores malformed events and stops listening once closed', async () => {
    const { checker, observations } = setup();
    expect(() => telemetry.clockSync.publish({} as never)).not.toThrow();
    expect(() => telemetry.rateLimit.publish(null as never)).not.toThrow();
    observations.close();
    telemetry.clockSync.publish({ exchange: 'late', offsetMs: 9000, roundTripMs: 1 });
    expect(observations.exchanges()).toEqual([]);
    expect((await checker.checkComponent('clockSkew')).status).toBe('healthy');
  });
});
