import diagnosticsChannel from 'node:diagnostics_channel';
import { describe, expect, it } from 'vitest';
import { telemetry } from './telemetry';

describe('telemetry', () => {
  it('publishes to subscribers through diagnostics_channel and costs nothing without them', () => {
    expect(telemetry.bookResync.hasSubscribers).toBe(false);
    const seen: unknown[] = [];
    const off = telemetry.bookResync.subscribe((m) => seen.push(m));
    const raw: unknown[] = [];
    const onRaw = (m: unknown) => raw.push(m);
    diagnosticsChannel.subscribe('venuekit:book:resync', onRaw);
    telemetry.bookResync.publish({ exchange: 'binance', symbol: 'BTC/USDT', reason: 'gap' });
    off();
    diagnosticsChannel.unsubscribe('venuekit:book:resync', onRaw);
    telemetry.bookResync.publish({ exchange: 'binance', symbol: 'BTC/USDT', reason: 'crossed' });
    expect(seen).toEqual([{ exchange: 'binance', symbol: 'BTC/USDT', reason: 'gap' }]);
    expect(raw).toHaveLength(1);
    expect(telemetry.bookResync.hasSubscribers).toBe(false);
  });

  it('every channel is documented in the core README table', async () => {
    const { readFileSync } = await import('node:fs');
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const channel of Object.values(telemetry)) expect(readme).toContain(`\`${channel.name}\``);
  });
});
