import { describe, expect, it } from 'vitest';
import { rollUp, worse } from './status';

const c = (status: 'healthy' | 'degraded' | 'unhealthy' | 'unknown') => ({ status });

describe('roll-up rules (README "How components roll up")', () => {
  it('R1: with no component checked, the system is unknown', () => {
    expect(rollUp({})).toEqual({ status: 'unknown', rule: 'R1', causes: [] });
  });

  it('R2: a critical component that is unhealthy makes the system unhealthy, whatever the others', () => {
    const result = rollUp({ application: c('healthy'), marketData: c('unhealthy'), clockSkew: c('unknown') });
    expect(result).toEqual({ status: 'unhealthy', rule: 'R2', causes: ['marketData'] });
  });

  it('R2 does not apply to a non-critical component: its unhealthy only degrades the system (R4)', () => {
    const result = rollUp(
      { application: c('healthy'), userConnections: c('unhealthy') },
      new Set(['userConnections']),
    );
    expect(result).toEqual({ status: 'degraded', rule: 'R4', causes: ['userConnections'] });
  });

  it('R3: when every component is unknown, so is the system', () => {
    expect(rollUp({ a: c('unknown'), b: c('unknown') })).toEqual({
      status: 'unknown',
      rule: 'R3',
      causes: ['a', 'b'],
    });
  });

  it('R4: a degraded or an unknown component among healthy ones degrades the system', () => {
    expect(rollUp({ a: c('healthy'), b: c('degraded') })).toMatchObject({
      status: 'degraded',
      rule: 'R4',
      causes: ['b'],
    });
    expect(rollUp({ a: c('healthy'), b: c('unknown') })).toMatchObject({
      status: 'degraded',
      rule: 'R4',
      causes: ['b'],
    });
  });

  it('R5: all healthy is healthy', () => {
    expect(rollUp({ a: c('healthy'), b: c('healthy') })).toEqual({
      status: 'healthy',
      rule: 'R5',
      causes: [],
    });
  });

  it('orders statuses unhealthy > degraded > unknown > healthy within a component', () => {
    expect(worse('healthy', 'unknown')).toBe('unknown');
    expect(worse('unknown', 'degraded')).toBe('degraded');
    expect(worse('unhealthy', 'degraded')).toBe('unhealthy');
    expect(worse('degraded', 'healthy')).toBe('degraded');
  });
});
