import { ExchangeRegistry, ManualClock, Secret, ValidationError } from '@venuekit/core';
import { afterEach, describe, expect, it } from 'vitest';
import { ControlledAdapter, connection, stream } from '../test/support/controlled-adapter';
import { HealthChecker, type HealthCheckerOptions } from './health-checker';

const open: HealthChecker[] = [];
function checker(options: HealthCheckerOptions): HealthChecker {
  const created = new HealthChecker(options);
  open.push(created);
  return created;
}
afterEach(() => {
  for (const c of open.splice(0)) c.close();
});

describe('HealthChecker.checkSystem', () => {
  it('returns the status, a timestamp and every component, contributed ones included', async () => {
    const clock = new ManualClock();
    const adapter = new ControlledAdapter('binance', {
      connections: [connection('c1', 'open', 'closed', { reconnects: 3 })],
      streams: [stream('btcusdt@trade', { lastMessageAt: clock.now() - 100 })],
      rateLimit: { usedWeight: 20, weightLimit: 6000, queued: 0 },
      clock: { offsetMs: 12, roundTripMs: 30, lastSyncAt: clock.now() },
    });
    const health = await checker({
      adapters: [adapter],
      clock,
      contributors: [
        {
          component: 'tradingSystem',
          check: () => ({ status: 'healthy', totalUsers: 2, activeConnections: 2 }),
        },
      ],
    }).checkSystem();
    expect(health.status).toBe('healthy');
    expect(health.timestamp).toBe(clock.now());
    expect(Object.keys(health.components)).toEqual([
      'application',
      'websocketConnections',
      'marketData',
      'rateLimits',
      'clockSkew',
      'tradingSystem',
    ]);
    expect(health.components.application).toMatchObject({ status: 'healthy', uptimeMs: expect.any(Number) });
    expect(health.components.tradingSystem).toEqual({
      status: 'healthy',
      totalUsers: 2,
      activeConnections: 2,
    });
    expect(health.components.websocketConnections).toMatchObject({
      status: 'healthy',
      connected: 1,
      circuitBreakerState: 'closed',
      totalReconnects: 3,
    });
    expect(health.components.clockSkew).toMatchObject({ status: 'healthy', offsetMs: 12 });
  });

  it('reads the registry at every check, so an adapter registered later is watched', async () => {
    const registry = new ExchangeRegistry();
    const health = checker({ adapters: registry });
    expect(await health.checkComponent('websocketConnections')).toMatchObject({ total: 0 });
    registry.register(new ControlledAdapter('late', { connections: [connection('x', 'reconnecting')] }));
    expect(await health.checkComponent('websocketConnections')).toMatchObject({
      status: 'unhealthy',
      total: 1,
    });
  });

  it('rolls a critical unhealthy component up to unhealthy, a non-critical one to degraded', async () => {
    const adapter = new ControlledAdapter('x', { connections: [connection('c', 'reconnecting', 'open')] });
    const critical = await checker({ adapters: [adapter], exclude: ['application'] }).checkSystem();
    expect(critical).toMatchObject({
      status: 'unhealthy',
      reason: { rule: 'R2', causes: ['websocketConnections'] },
    });
    const tolerant = await checker({
      adapters: [adapter],
      exclude: ['application'],
      nonCritical: ['websocketConnections'],
    }).checkSystem();
    expect(tolerant).toMatchObject({ status: 'degraded', reason: { rule: 'R4' } });
  });

  it('leaves out excluded built-ins and lets a contributor replace a built-in of the same name', async () => {
    const health = checker({
      exclude: ['application', 'clockSkew'],
      contributors: [
        { component: 'marketData', check: () => ({ status: 'degraded', source: 'streams package' }) },
      ],
    });
    expect(health.componentNames()).toEqual(['websocketConnections', 'rateLimits', 'marketData']);
    expect(await health.checkComponent('marketData')).toEqual({
      status: 'degraded',
      source: 'streams package',
    });
  });
});

describe('bounded checks', () => {
  it('reports a hung check as unknown after the timeout instead of hanging the caller', async () => {
    const clock = new ManualClock();
    const health = checker({
      clock,
      timeoutMs: 500,
      exclude: ['application'],
      contributors: [{ component: 'userConnections', check: () => new Promise(() => {}) }],
    });
    const pending = health.checkSystem();
    await clock.advance(500);
    const result = await pending;
    expect(result.components.userConnections).toMatchObject({
      status: 'unknown',
      timedOut: true,
      error: 'check did not answer within 500 ms',
    });
    expect(result.status).toBe('degraded');
    expect(clock.pendingTimers).toBe(0);
  });

  it('runs a hung check once: later callers wait on the same run and time out on their own', async () => {
    const clock = new ManualClock();
    let runs = 0;
    let finish: (value: { status: 'healthy' }) => void = () => {};
    const health = checker({
      clock,
      timeoutMs: 100,
      exclude: ['application'],
      contributors: [
        {
          component: 'slow',
          check: () => {
            runs++;
            if (runs > 1) return { status: 'healthy' };
            return new Promise((resolve) => {
              finish = resolve;
            });
          },
        },
      ],
    });
    const first = health.checkComponent('slow');
    await clock.advance(100);
    expect(await first).toMatchObject({ status: 'unknown', timedOut: true, pendingMs: 100 });
    const second = health.checkComponent('slow');
    await clock.advance(100);
    expect(await second).toMatchObject({ status: 'unknown', pendingMs: 200 });
    expect(runs).toBe(1);
    const third = health.checkComponent('slow');
    finish({ status: 'healthy' });
    expect(await third).toEqual({ status: 'healthy' });
    expect(runs).toBe(1);
    expect(await health.checkComponent('slow').then((h) => h.status)).toBe('healthy');
    expect(runs).toBe(2);
    expect(clock.pendingTimers).toBe(0);
  });

  it('reports a throwing check or an invalid answer as unknown with the reason', async () => {
    const health = checker({
      exclude: ['application'],
      contributors: [
        {
          component: 'throws',
          check: () => {
            throw new Error('database down');
          },
        },
        { component: 'rejects', check: () => Promise.reject(new Error('no answer')) },
        { component: 'bad', check: () => ({ status: 'fine' }) as never },
        { component: 'empty', check: () => undefined as never },
      ],
    });
    const result = await health.checkSystem();
    expect(result.components.throws).toEqual({
      status: 'unknown',
      error: 'check failed: database down',
      timedOut: false,
    });
    expect(result.components.rejects).toMatchObject({ status: 'unknown', error: 'check failed: no answer' });
    expect(result.components.bad).toMatchObject({
      status: 'unknown',
      error: expect.stringContaining('"fine"'),
    });
    expect(result.components.empty).toMatchObject({ status: 'unknown' });
  });

  it('never lets a secret through a contributed result or error', async () => {
    const secret = new Secret('s3cr3t-api-secret-value');
    const health = checker({
      exclude: ['application'],
      contributors: [
        { component: 'leaky', check: () => ({ status: 'healthy', apiKey: 'AKIA-plain', token: secret }) },
        {
          component: 'leakyError',
          check: () => {
            throw new Error(`failed with s3cr3t-api-secret-value`);
          },
        },
      ],
    });
    const json = JSON.stringify(await health.checkSystem());
    expect(json).not.toContain('s3cr3t-api-secret-value');
    expect(json).not.toContain('AKIA-plain');
    secret.dispose();
  });
});

describe('validation', () => {
  it('refuses an unknown component name with a ValidationError naming the field and the known names', async () => {
    const health = checker({ exclude: ['application'] });
    const error = await health.checkComponent('websockets').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ field: 'name', rule: expect.stringContaining('websocketConnections') });
  });

  it('refuses bad options and duplicate contributors before any check runs', () => {
    expect(() => new HealthChecker({ timeoutMs: 0 })).toThrow(
      expect.objectContaining({ field: 'timeoutMs' }),
    );
    expect(() => new HealthChecker({ rateLimits: { degradedUsage: 1.5 } })).toThrow(
      expect.objectContaining({ field: 'rateLimits.degradedUsage' }),
    );
    expect(() => new HealthChecker({ marketData: { staleAfterMs: { trades: -1 } } })).toThrow(
      expect.objectContaining({ field: 'marketData.staleAfterMs.trades' }),
    );
    expect(() => new HealthChecker({ marketData: { staleAfterMs: { trade: 1000 } as never } })).toThrow(
      expect.objectContaining({
        field: 'marketData.staleAfterMs.trade',
        rule: expect.stringContaining('aggTrades'),
      }),
    );
    expect(() => new HealthChecker({ exclude: ['websocket' as never] })).toThrow(
      expect.objectContaining({ field: 'exclude[0]' }),
    );
    const c = checker({ exclude: ['application'] });
    c.addContributor({ component: 'tradingSystem', check: () => ({ status: 'healthy' }) });
    expect(() =>
      c.addContributor({ component: 'tradingSystem', check: () => ({ status: 'healthy' }) }),
    ).toThrow(
      expect.objectContaining({ field: 'contributor.component', rule: expect.stringContaining('unique') }),
    );
    expect(() => c.addContributor({ component: 'has space', check: () => ({ status: 'healthy' }) })).toThrow(
      ValidationError,
    );
  });

  it('removes a contributor with the function addContributor returned', async () => {
    const c = checker({ exclude: ['application'] });
    const remove = c.addContributor({ component: 'extra', check: () => ({ status: 'healthy' }) });
    expect(c.componentNames()).toContain('extra');
    remove();
    expect(c.componentNames()).not.toContain('extra');
  });
});
