import { binanceModule } from '@venuekit/adapter-binance';
import { createVenuekit } from '@venuekit/core';
import { healthModule } from '@venuekit/health';
import { streamsModule } from '@venuekit/streams';
import { type FakeBinance, startFakeBinance } from '@venuekit/testkit';
import { tradingModule } from '@venuekit/trading';
import { afterEach, describe, expect, it } from 'vitest';
import { recorderModule } from '../src/module';
import { RecorderTokens } from '../src/tokens';
import { eventually, TestDatabase } from './support/db';

const closers: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

describe('recorderModule', () => {
  it('records what it is told from the start, reports to /health and /metrics, and closes with the system', async () => {
    const fake: FakeBinance = await startFakeBinance({ symbols: ['BTCUSDT'], simulation: { rate: 50 } });
    closers.push(() => fake.close());
    const db = await TestDatabase.open('mod');
    closers.push(() => db.close());
    const venuekit = createVenuekit({
      modules: [
        binanceModule({ urls: { rest: fake.restUrl, streams: fake.streamsUrl, wsApi: fake.wsApiUrl } }),
        streamsModule(),
        tradingModule(),
        healthModule(),
        recorderModule({
          database: db.options({ applicationName: `rec-${db.schema}` }),
          migrate: true,
          buffer: { flushIntervalMs: 20 },
          record: {
            streams: [
              { kind: 'trades', symbol: 'BTC/USDT' },
              { kind: 'orderBook', symbol: 'BTC/USDT', intervalMs: 100, levels: 5 },
            ],
          },
        }),
      ],
    });
    closers.push(() => venuekit.close());
    const recorder = venuekit.recorder;
    expect(venuekit.get(RecorderTokens.Recorder)).toBe(recorder);
    await recorder.start();
    await eventually(
      async () => (await db.count('trades')) >= 5 && (await db.count('book_snapshots')) >= 2,
      'rows',
    );
    expect(await db.count('raw_market_frames')).toBeGreaterThan(0);

    const server = await venuekit.health.listen({ port: 0 });
    const health = (await (await fetch(`${server.url}/health/recorder`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({ status: 'healthy', state: 'up', schema: db.schema, lost: 0 });
    expect(JSON.stringify(health)).not.toContain('password');
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(
      new RegExp(
        `venuekit_recorder_rows_written_total\\{recorder="${recorder.id}",structure="trade"\\} [1-9]`,
      ),
    );
    expect(metrics).toContain(`venuekit_recorder_database_up{recorder="${recorder.id}"} 1`);

    await venuekit.close();
    expect(recorder.closed).toBe(true);
    const f = recorder.figures();
    expect(f.state).toBe('closed');
    expect(f.written).toBe(f.accepted);
    expect(f.lost).toBe(0);
    // Nothing recorded after close; its connections are gone.
    const rows = await db.query<{ n: string }>(
      'SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1',
      [`rec-${db.schema}`],
    );
    expect(Number(rows[0]?.n)).toBe(0);
  });
});
