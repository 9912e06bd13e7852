import type { BusEvent, Fill, Order, Trade } from '@venuekit/core';
import { MetricsRegistry } from '@venuekit/health';
import type { StreamSubscription, SubscribeOptions } from '@venuekit/streams';
import { afterEach, describe, expect, it } from 'vitest';
import { RecorderHealth } from '../src/health';
import { registerRecorderMetrics } from '../src/metrics';
import type { RecordedStream } from '../src/recorder';
import type { Structure } from '../src/schema/structure';
import * as S from '../src/schema/structures';
import { type RecorderLossEvent, recorderTelemetry } from '../src/telemetry';
import { PrivateCluster } from './support/cluster';
import { eventually } from './support/db';
import { ALICE, type Session, startSession } from './support/session';
import { plain } from './support/values';

const closers: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

const SYMBOL = 'BTC/USDT';
const ALL: SubscribeOptions = { policy: 'drop_oldest', capacity: 1_000_000 };

async function session(options: Parameters<typeof startSession>[0] = {}): Promise<Session> {
  const s = await startSession(options);
  closers.push(() => s.close());
  await s.recorder.start();
  return s;
}

/** A test subscriber and the recorder on the same trade stream, attached in the same tick. */
async function recordTrades(
  s: Session,
): Promise<{ seen: Trade[]; sub: StreamSubscription; rec: RecordedStream }> {
  const seen: Trade[] = [];
  const sub = s.streams.subscribe({ kind: 'trades', symbol: SYMBOL }, (t) => void seen.push(t), ALL);
  const rec = s.recorder.recordStream({ kind: 'trades', symbol: SYMBOL });
  await Promise.all([sub.ready, rec.ready]);
  return { seen, sub, rec };
}

async function grows(values: readonly unknown[], by: number, what: string): Promise<void> {
  const target = values.length + by;
  await eventually(() => values.length >= target, what, 60_000);
}

async function tradesInDb(s: Session): Promise<string[]> {
  const rows = await s.db.query(`SELECT * FROM "${s.db.schema}".trades`);
  return rows.map((r) => JSON.stringify(plain(S.trade.decode(r)))).sort();
}

const canonical = (structure: Structure, values: readonly unknown[]) =>
  values
    .map((v) => {
      const copy = { ...(v as Record<string, unknown>) };
      for (const field of Object.keys(structure.omitted)) delete copy[field];
      return JSON.stringify(plain(copy));
    })
    .sort();

describe('database outages during a recorded session of the fake Binance', () => {
  it('the database going away (connections cut, then refused) and a killed backend lose nothing within the bound', async () => {
    const s = await session({ fake: { simulation: { rate: 100, paused: true } } });
    const health = new RecorderHealth(s.recorder);
    const { seen, sub, rec } = await recordTrades(s);
    s.fake.handle.simulation?.resume();
    await grows(seen, 10, 'trades before the outage');

    s.proxy.down();
    await eventually(() => s.recorder.figures().state === 'down', 'the recorder to notice');
    await grows(seen, 30, 'trades during the outage');
    expect(s.recorder.figures().buffered).toBeGreaterThan(0);
    expect(health.check()).toMatchObject({ status: 'degraded', state: 'down' });

    s.proxy.up();
    await eventually(() => s.recorder.figures().state === 'up', 'the recorder to reconnect');
    await eventually(
      async () => (await s.db.terminate(s.applicationName)) > 0,
      'a recorder backend to terminate',
    );
    await grows(seen, 20, 'trades after the backend was killed');

    s.fake.handle.simulation?.pause();
    await Promise.all([sub.unsubscribe(), rec.stop()]);
    await s.recorder.flush();
    expect(await tradesInDb(s)).toEqual(canonical(S.trade, seen));
    const f = s.recorder.figures();
    expect(f.lost).toBe(0);
    expect(f.reconnects).toBeGreaterThanOrEqual(2);
    expect(health.check().status).toBe('healthy');
  });

  it('when the bound is hit every lost row is counted (figures, telemetry, metrics, health) and audit rows are kept', async () => {
    const s = await session({
      fake: { simulation: { rate: 300, paused: true } },
      recorder: { buffer: { capacity: 1_000, highWaterMark: 500, batchRows: 200 }, streamQueueCapacity: 50 },
    });
    const metrics = new MetricsRegistry();
    closers.push(registerRecorderMetrics(metrics, s.recorder));
    const health = new RecorderHealth(s.recorder);
    const losses: RecorderLossEvent[] = [];
    closers.push(
      recorderTelemetry.loss.subscribe((e) => void (e.recorderId === s.recorder.id && losses.push(e))),
    );
    const userEvents: BusEvent[] = await s.userEvents('alice');
    await s.recorder.recordUser('alice');
    const alice = await s.trading.connectUser('alice', ALICE.apiKey, ALICE.secretKey);
    const { seen, sub, rec } = await recordTrades(s);
    s.fake.handle.simulation?.resume();
    await grows(seen, 10, 'trades before the outage');

    s.proxy.down();
    await eventually(() => s.recorder.figures().state === 'down', 'the recorder to notice');
    // Alice trades while the database is away: her rows outrank market data in a full buffer.
    await alice.placeOrder({ symbol: SYMBOL, side: 'SELL', type: 'MARKET', quantity: '0.02' });
    await eventually(() => userEvents.some((e) => e.type === 'fill'), 'alice’s fill');
    await eventually(
      () => {
        const f = s.recorder.figures();
        return f.lostByReason.overflow > 0 && f.lostByReason.stream_queue > 0;
      },
      'the buffer and the stream queue to overflow',
      60_000,
    );
    expect(health.check()).toMatchObject({ status: 'unhealthy', state: 'down' });

    s.proxy.up();
    await eventually(
      () =>
        s.recorder.figures().state === 'up' &&
        s.recorder.figures().buffered < 500 &&
        s.streams.figures().every((f) => f.queued === 0),
      'the recorder to catch up',
      60_000,
    );
    s.fake.handle.simulation?.pause();
    await Promise.all([sub.unsubscribe(), rec.stop()]);
    await s.trading.disconnectUser('alice');
    await s.recorder.flush();

    const f = s.recorder.figures();
    // Every trade a subscriber saw is either in the database or counted as lost.
    const stored = await tradesInDb(s);
    const trade = f.structures.trade!;
    expect(stored.length + trade.lost.overflow + trade.lost.stream_queue).toBe(seen.length);
    const seenSet = new Set(canonical(S.trade, seen));
    expect(stored.every((t) => seenSet.has(t))).toBe(true);
    expect(trade.lost.stream_queue).toBeGreaterThan(0);
    // Raw frames gave way first; alice's orders and fills were all kept.
    expect(f.structures.rawMarketFrame?.lost.overflow).toBeGreaterThan(0);
    expect(f.structures.order?.lost.overflow).toBe(0);
    expect(f.structures.fill?.lost.overflow).toBe(0);
    const fills = userEvents.filter((e) => e.type === 'fill').map((e) => e.data as Fill);
    const fillRows = await s.db.query(`SELECT * FROM "${s.db.schema}".fills`);
    expect(fillRows.map((r) => JSON.stringify(plain(S.fill.decode(r)))).sort()).toEqual(
      canonical(S.fill, fills),
    );
    const orders = userEvents
      .filter((e) => e.type === 'order')
      .map((e) => (e.data as { order: Order }).order);
    expect(await s.db.count('order_events')).toBe(orders.length);

    // The books balance: accepted rows are written or lost; stream-queue losses were never accepted.
    expect(f.accepted).toBe(f.written + f.lost - f.lostByReason.stream_queue);
    await eventually(() => losses.reduce((n, e) => n + e.count, 0) === f.lost, 'every loss in telemetry');
    const text = metrics.render();
    for (const [structure, t] of Object.entries(f.structures)) {
      for (const [reason, n] of Object.entries(t.lost)) {
        if (n === 0) continue;
        expect(text).toContain(
          `venuekit_recorder_rows_lost_total{recorder="${s.recorder.id}",structure="${structure}",reason="${reason}"} ${n}`,
        );
      }
    }
    expect(text).toContain(`venuekit_recorder_database_up{recorder="${s.recorder.id}"} 1`);
    expect(health.check()).toMatchObject({
      status: 'unhealthy',
      reason: 'rows were lost: the buffer was full',
    });
  });

  const why = PrivateCluster.unavailable();
  it.skipIf(why !== undefined)(
    `a real PostgreSQL restart mid-run loses nothing${why ? ` (skipped: ${why})` : ''}`,
    async () => {
      const cluster = await PrivateCluster.start();
      closers.push(() => cluster.destroy());
      const s = await session({
        target: { host: '127.0.0.1', port: cluster.port, user: 'postgres', database: 'postgres' },
        fake: { simulation: { rate: 100, paused: true } },
      });
      const { seen, sub, rec } = await recordTrades(s);
      s.fake.handle.simulation?.resume();
      await grows(seen, 10, 'trades before the restart');

      await cluster.stop();
      await eventually(() => s.recorder.figures().state === 'down', 'the recorder to notice the shutdown');
      await grows(seen, 30, 'trades while the database is down');
      await cluster.start();
      await eventually(() => s.recorder.figures().state === 'up', 'the recorder to reconnect');
      await grows(seen, 10, 'trades after the restart');

      s.fake.handle.simulation?.pause();
      await Promise.all([sub.unsubscribe(), rec.stop()]);
      await s.recorder.flush();
      expect(await tradesInDb(s)).toEqual(canonical(S.trade, seen));
      expect(s.recorder.figures()).toMatchObject({ lost: 0 });
      expect(s.recorder.figures().reconnects).toBeGreaterThanOrEqual(1);
    },
  );
});
