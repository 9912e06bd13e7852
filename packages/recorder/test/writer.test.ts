import { createLogger, type Logger, systemClock, type Ticker } from '@venuekit/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveDatabase } from '../src/db/connection';
import { migrateDatabase } from '../src/db/migrator';
import { ticker as tickerStructure } from '../src/schema/structures';
import { STRUCTURES } from '../src/schema/structures';
import { type RecorderLossEvent, recorderTelemetry } from '../src/telemetry';
import { BatchWriter, type BatchWriterOptions } from '../src/writer/batch-writer';
import { eventually, PG, TestDatabase } from './support/db';
import { TcpProxy } from './support/tcp-proxy';
import { makeTicker, plain } from './support/values';

let db: TestDatabase;
let proxy: TcpProxy;
let writers: BatchWriter[] = [];
let logLines: string[] = [];
let logger: Logger;

beforeEach(async () => {
  db = await TestDatabase.open('wr');
  proxy = await TcpProxy.start({ host: PG.host, port: PG.port });
  logLines = [];
  logger = createLogger({ level: 'info', destination: { write: (line: string) => logLines.push(line) } });
});
afterEach(async () => {
  for (const w of writers) await w.close(1_000);
  writers = [];
  await proxy.close();
  await db.close();
});

function writer(overrides: Partial<BatchWriterOptions> = {}): BatchWriter {
  const w = new BatchWriter({
    database: resolveDatabase(db.options({ port: proxy.port, applicationName: `rec-${db.schema}` })),
    structures: STRUCTURES,
    clock: systemClock,
    logger,
    recorderId: 'test',
    capacity: 10_000,
    highWaterMark: 5_000,
    batchRows: 200,
    flushIntervalMs: 10,
    migrate: true,
    reconnect: { initialMs: 20, maxMs: 200 },
    lossReportIntervalMs: 100,
    ...overrides,
  });
  writers.push(w);
  return w;
}

async function tickersInDb(): Promise<Ticker[]> {
  const rows = await db.query(`SELECT * FROM "${db.schema}".tickers ORDER BY event_time`);
  return rows.map((row) => tickerStructure.decode(row) as Ticker);
}

describe('BatchWriter against the real PostgreSQL', () => {
  it('writes every row exactly as given: exact decimals, 64-bit ids as text, times to the millisecond', async () => {
    const w = writer();
    await w.start();
    expect(w.state).toBe('up');
    const sent = Array.from({ length: 1_000 }, (_, i) => makeTicker(i));
    for (const t of sent) w.push('ticker', t, {}, 1_763_000_000_123);
    await w.flush();
    expect(plain(await tickersInDb())).toEqual(plain(sent));
    const recorded = await db.query<{ recorded_at: Date }>(
      `SELECT DISTINCT recorded_at FROM "${db.schema}".tickers`,
    );
    expect(recorded.map((r) => r.recorded_at.getTime())).toEqual([1_763_000_000_123]);
    expect(w.figures()).toMatchObject({ accepted: 1000, written: 1000, lost: 0, buffered: 0 });
    expect(w.figures().batches).toBeGreaterThanOrEqual(5);
  });

  it('a connection killed mid-run (pg_terminate_backend) loses nothing and doubles nothing', async () => {
    const w = writer({ database: resolveDatabase(db.options({ applicationName: `rec-${db.schema}` })) });
    await w.start();
    const sent: Ticker[] = [];
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 300; i++) {
        const t = makeTicker(sent.length);
        sent.push(t);
        w.push('ticker', t, {}, 0);
      }
      await eventually(
        async () => (await db.terminate(`rec-${db.schema}`)) > 0 || w.state !== 'up',
        'a backend to kill',
      );
    }
    await w.flush();
    const back = await tickersInDb();
    expect(back.length).toBe(sent.length);
    expect(plain(back)).toEqual(plain(sent));
    expect(w.figures().reconnects).toBeGreaterThanOrEqual(1);
    expect(w.figures().lost).toBe(0);
  });

  it('while the database is away rows wait in the buffer and are all written when it returns', async () => {
    const w = writer();
    await w.start();
    const states: string[] = [];
    const off = recorderTelemetry.database.subscribe((e) => states.push(e.state));
    proxy.down();
    const sent = Array.from({ length: 2_000 }, (_, i) => makeTicker(i));
    for (const t of sent) w.push('ticker', t, {}, 0);
    await eventually(() => w.state === 'down', 'the writer to notice');
    expect(w.figures()).toMatchObject({ buffered: 2000, lost: 0 });
    expect(w.figures().downSince).toBeTypeOf('number');
    proxy.up();
    await w.flush();
    off();
    expect(plain(await tickersInDb())).toEqual(plain(sent));
    expect(w.figures()).toMatchObject({ written: 2000, lost: 0, state: 'up' });
    expect(states).toContain('down');
    expect(states.at(-1)).toBe('up');
    expect(logLines.some((l) => l.includes('database unreachable'))).toBe(true);
    expect(logLines.some((l) => l.includes('database back'))).toBe(true);
  });

  it('a full buffer drops the least important rows first, counts every one, and says so in telemetry and logs', async () => {
    const w = writer({ capacity: 1_000, highWaterMark: 800 });
    await w.start();
    proxy.down();
    await eventually(() => w.state === 'down', 'the writer to notice');
    const losses: RecorderLossEvent[] = [];
    const off = recorderTelemetry.loss.subscribe((e) => losses.push(e));
    for (let i = 0; i < 300; i++) w.push('miniTicker', mini(i), {}, 0);
    for (let i = 0; i < 600; i++) w.push('ticker', makeTicker(i), {}, 0);
    let below = true;
    for (let i = 0; i < 600; i++) below = w.push('trade', trade(i), {}, 0) && below;
    expect(below).toBe(false); // above the high-water mark
    const f = w.figures();
    expect(f.buffered).toBe(1_000);
    expect(f.lost).toBe(500);
    // Mini tickers (priority 1) went first, then the oldest tickers (2); trades (4) were all kept.
    expect(f.structures.miniTicker?.lost.overflow).toBe(300);
    expect(f.structures.ticker?.lost.overflow).toBe(200);
    expect(f.structures.trade?.lost.overflow).toBe(0);
    await eventually(() => losses.reduce((n, e) => n + e.count, 0) === f.lost, 'loss telemetry');
    off();
    expect(losses.every((e) => e.reason === 'overflow')).toBe(true);
    expect(logLines.some((l) => l.includes('recorder lost rows'))).toBe(true);

    proxy.up();
    await w.flush();
    expect(await db.count('trades')).toBe(600);
    // The newest tickers were kept: the buffer gave up the oldest.
    const kept = await tickersInDb();
    expect(kept.length).toBe(400);
    expect(kept[0]?.timestamp).toBe(makeTicker(200).timestamp);
    expect(kept.at(-1)?.timestamp).toBe(makeTicker(599).timestamp);
  });

  it('a COMMIT whose answer is lost is looked up in the batch ledger, not written twice', async () => {
    const w = writer({ batchRows: 100_000, flushIntervalMs: 50 });
    await w.start();
    const sent = Array.from({ length: 500 }, (_, i) => makeTicker(i));
    proxy.cutAfterCommit(1);
    for (const t of sent) w.push('ticker', t, {}, 0);
    await w.flush();
    expect(proxy.commitsCut).toBe(1);
    expect(await db.count('tickers')).toBe(500);
    expect(plain(await tickersInDb())).toEqual(plain(sent));
    expect(logLines.some((l) => l.includes('had been committed'))).toBe(true);
    expect(w.figures()).toMatchObject({ written: 500, lost: 0 });
  });

  it('a row the database refuses is isolated and counted; the rest of its batch is written', async () => {
    const w = writer();
    await w.start();
    const sent = Array.from({ length: 100 }, (_, i) => makeTicker(i));
    const bad = { ...makeTicker(100), symbol: 'BTC\u0000USDT' }; // PostgreSQL text cannot hold NUL
    for (const t of sent.slice(0, 50)) w.push('ticker', t, {}, 0);
    w.push('ticker', bad, {}, 0);
    for (const t of sent.slice(50)) w.push('ticker', t, {}, 0);
    for (let i = 0; i < 10; i++) w.push('trade', trade(i), {}, 0);
    await w.flush();
    expect(plain(await tickersInDb())).toEqual(plain(sent));
    expect(await db.count('trades')).toBe(10);
    expect(w.figures().lostByReason.rejected).toBe(1);
    expect(w.figures().structures.ticker?.lost.rejected).toBe(1);
    expect(logLines.some((l) => l.includes('the database refused a row') && l.includes('22021'))).toBe(true);
  });

  it('a malformed value (a fee without an amount) is counted as rejected; writing goes on', async () => {
    const w = writer();
    await w.start();
    const fill = (i: number) => ({
      exchange: 'binance',
      symbol: 'BTC/USDT',
      tradeId: String(i),
      orderId: '1',
      side: 'buy',
      price: d('60000'),
      quantity: d('0.1'),
      quoteQuantity: d('6000'),
      fee: { asset: 'BNB', amount: d('0.001') },
      isMaker: true,
      timestamp: 1_763_000_000_000 + i,
    });
    for (let i = 0; i < 20; i++) w.push('fill', fill(i), { userId: 'alice' }, 0);
    // Its fee has no amount: encoding it throws before anything is sent.
    w.push('fill', { ...fill(20), fee: { asset: 'BNB' } }, { userId: 'alice' }, 0);
    for (let i = 21; i < 40; i++) w.push('fill', fill(i), { userId: 'alice' }, 0);
    await w.flush();
    expect(await db.count('fills')).toBe(39);
    expect(w.figures()).toMatchObject({ state: 'up', written: 39 });
    expect(w.figures().structures.fill?.lost.rejected).toBe(1);
  });

  it('waits for `venuekit-recorder migrate` when the schema is missing, keeping rows, then writes them', async () => {
    const w = writer({ migrate: false, reconnect: { initialMs: 50, maxMs: 300 } });
    await w.start();
    expect(w.state).toBe('down');
    expect(w.figures().schemaReady).toBe(false);
    expect(w.figures().lastError).toContain('venuekit-recorder migrate');
    for (let i = 0; i < 10; i++) w.push('ticker', makeTicker(i), {}, 0);
    await migrateDatabase(db.options());
    await w.flush();
    expect(await db.count('tickers')).toBe(10);
    expect(w.figures().schemaReady).toBe(true);
  });

  it('close() writes what it holds; with the database away, what is left after the deadline is counted as closed', async () => {
    const w = writer();
    await w.start();
    for (let i = 0; i < 50; i++) w.push('ticker', makeTicker(i), {}, 0);
    proxy.down();
    await eventually(() => w.state === 'down', 'down');
    for (let i = 50; i < 80; i++) w.push('ticker', makeTicker(i), {}, 0);
    await w.close(300);
    const f = w.figures();
    expect(f.state).toBe('closed');
    expect(f.written + f.lostByReason.closed).toBe(80);
    expect(f.lostByReason.closed).toBeGreaterThanOrEqual(30);
    expect(w.push('ticker', makeTicker(99), {}, 0)).toBe(false);
    expect(w.figures().lostByReason.closed).toBe(f.lostByReason.closed + 1);
  });

  it('state and latest structures: the current table keeps the newest, the history table every state', async () => {
    const w = writer();
    await w.start();
    const base = { ...kline(0) };
    w.push('kline', { ...base, close: base.open, closed: false }, {}, 0);
    w.push('kline', { ...base, closed: true }, {}, 0);
    const balance = (free: string) => ({ asset: 'BTC', free: d(free), locked: d('0'), total: d(free) });
    w.push('balance', balance('1'), { exchange: 'binance', userId: 'alice', source: 'stream' }, 1_000);
    w.push('balance', balance('2'), { exchange: 'binance', userId: 'alice', source: 'stream' }, 2_000);
    await w.flush();
    // A late, older balance (replayed) does not move the current state back.
    w.push('balance', balance('0.5'), { exchange: 'binance', userId: 'alice', source: 'query' }, 500);
    await w.flush();
    const klines = await db.query<{ closed: boolean }>(`SELECT closed FROM "${db.schema}".klines`);
    expect(klines).toEqual([{ closed: true }]);
    const current = await db.query<{ free: string }>(`SELECT free FROM "${db.schema}".balances`);
    expect(current).toEqual([{ free: '2' }]);
    const history = await db.query<{ free: string }>(
      `SELECT free FROM "${db.schema}".balance_events ORDER BY recorded_at`,
    );
    expect(history.map((r) => r.free)).toEqual(['0.5', '1', '2']);
  });
});

import { Decimal } from '@venuekit/core';

const d = (s: string) => new Decimal(s);

function mini(i: number) {
  return {
    exchange: 'binance',
    symbol: 'BTC/USDT',
    timestamp: i,
    last: d('1'),
    open: d('1'),
    high: d('1'),
    low: d('1'),
    baseVolume: d('1'),
    quoteVolume: d('1'),
  };
}

function trade(i: number) {
  return {
    exchange: 'binance',
    symbol: 'BTC/USDT',
    id: String(i),
    price: d('60000.01'),
    quantity: d('0.001'),
    timestamp: 1_763_000_000_000 + i,
    side: 'buy',
    buyerIsMaker: false,
  };
}

function kline(i: number) {
  return {
    exchange: 'binance',
    symbol: 'BTC/USDT',
    interval: '1m',
    openTime: 1_763_000_040_000 + i * 60_000,
    closeTime: 1_763_000_099_999 + i * 60_000,
    open: d('60000'),
    high: d('60010'),
    low: d('59990'),
    close: d('60005'),
    volume: d('1.5'),
    quoteVolume: d('90000'),
    tradeCount: 12,
    takerBuyBaseVolume: d('0.7'),
    takerBuyQuoteVolume: d('42000'),
    closed: false,
  };
}
