import { inspect } from 'node:util';
import {
  ClosedError,
  createLogger,
  ExchangeRegistry,
  InProcessBus,
  type Trade,
  ValidationError,
} from '@venuekit/core';
import { StreamManager } from '@venuekit/streams';
import { FakeExchange } from '@venuekit/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { RecorderHealth } from '../src/health';
import { Recorder, type RecorderOptions } from '../src/recorder';
import { column } from '../src/schema/columns';
import { defineStructure } from '../src/schema/structure';
import { eventually, TestDatabase } from './support/db';
import { makeTicker } from './support/values';

const closers: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

function recorder(options: RecorderOptions): Recorder {
  const r = new Recorder(options);
  closers.push(() => r.close());
  return r;
}

function fieldOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).context.field;
  }
  throw new Error('expected a ValidationError');
}

// Nowhere to connect: port 1 refuses at once.
const NOWHERE = { host: '127.0.0.1', port: 1, user: 'postgres', database: 'test', connectTimeoutMs: 500 };

describe('Recorder', () => {
  it('refuses bad options and requests with a ValidationError naming the field, before anything starts', async () => {
    expect(fieldOf(() => new Recorder({ buffer: { capacity: 10 } }))).toBe('buffer.capacity');
    expect(fieldOf(() => new Recorder({ buffer: { capacity: 1_000, batchRows: 600 } }))).toBe(
      'buffer.batchRows',
    );
    expect(fieldOf(() => new Recorder({ buffer: { highWaterMark: 0 } }))).toBe('buffer.highWaterMark');
    expect(fieldOf(() => new Recorder({ id: 'has spaces' }))).toBe('id');
    expect(fieldOf(() => new Recorder({ database: { schema: 'x;drop' } }))).toBe('database.schema');
    const r = recorder({ database: NOWHERE, closeTimeoutMs: 0 });
    expect(fieldOf(() => r.recordStream({ kind: 'trades', symbol: 'BTC/USDT' }))).toBe('streams');
    await expect(r.recordUser('alice')).rejects.toMatchObject({ context: { field: 'bus' } });
    // @ts-expect-error: not a structure
    expect(fieldOf(() => r.record('candles', {}))).toBe('structure');
    const streams = new StreamManager({ registry: new ExchangeRegistry([new FakeExchange()]) });
    closers.push(() => streams.close());
    const withStreams = recorder({ database: NOWHERE, streams, bus: new InProcessBus(), closeTimeoutMs: 0 });
    expect(fieldOf(() => withStreams.recordStream({ kind: 'trades', symbol: 'BTCUSDT' }))).toBe('symbol');
    expect(
      fieldOf(() => withStreams.recordStream({ kind: 'orderBook', symbol: 'BTC/USDT' }, { intervalMs: 1 })),
    ).toBe('options.intervalMs');
    await expect(withStreams.recordUser('bad user id')).rejects.toMatchObject({
      context: { field: 'userId' },
    });
    withStreams.recordStream({ kind: 'ticker', symbol: 'BTC/USDT' });
    expect(fieldOf(() => withStreams.recordStream({ kind: 'ticker', symbol: 'btc/usdt' }))).toBe('request');
    expect(withStreams.figures().streams).toHaveLength(1);
    await withStreams.close();
    expect(() => withStreams.recordStream({ kind: 'trades', symbol: 'BTC/USDT' })).toThrow(ClosedError);
  });

  it('with the database unreachable: record() pushes back at the high-water mark, health says why, nothing leaks the password', async () => {
    const lines: string[] = [];
    const password = 'VKTEST-pa55word-that-must-never-show';
    const r = recorder({
      database: { ...NOWHERE, password },
      buffer: { capacity: 1_000, highWaterMark: 100, batchRows: 100 },
      logger: createLogger({ level: 'trace', destination: { write: (l: string) => lines.push(l) } }),
      reconnect: { initialMs: 20, maxMs: 100 },
      closeTimeoutMs: 200,
    });
    await r.start();
    expect(r.figures().state).toBe('down');
    let accepted = 0;
    while (r.record('ticker', makeTicker(accepted))) accepted++;
    expect(accepted).toBe(99);
    let writable = false;
    void r.whenWritable().then(() => {
      writable = true;
    });
    const health = new RecorderHealth(r).check();
    expect(health).toMatchObject({ status: 'degraded', state: 'down', bufferedRows: 100 });
    expect(String(health.lastError)).toMatch(/ECONNREFUSED/);
    await eventually(() => lines.some((l) => l.includes('database unreachable')), 'the outage logged');
    await r.close();
    expect(writable).toBe(true);
    expect(r.figures().lostByReason.closed).toBe(100);
    expect(new RecorderHealth(r).check().status).toBe('unhealthy');
    const outputs = [...lines, JSON.stringify(r.figures()), inspect(r, { depth: 6 }), JSON.stringify(health)];
    for (const text of outputs) expect(text).not.toContain(password);
  });

  it('records values given directly and reads them back; a ticker field added to core would fail the type check', async () => {
    const db = await TestDatabase.open('rec');
    closers.push(() => db.close());
    const r = recorder({ database: db.options(), migrate: true, buffer: { flushIntervalMs: 10 } });
    await r.start();
    const trade: Trade = {
      exchange: 'binance',
      symbol: 'ETH/BTC',
      id: '18446744073709551615',
      price: makeTicker(0).last,
      quantity: makeTicker(0).quoteVolume,
      timestamp: 1_763_000_000_001,
      side: 'sell',
      buyerIsMaker: true,
    };
    expect(r.record('trade', trade)).toBe(true);
    expect(r.record('trade', trade)).toBe(true); // the same trade twice is stored once
    await r.flush();
    const rows = await db.query<{ trade_id: string; price: string; quantity: string; event_time: Date }>(
      `SELECT trade_id, price::text, quantity::text, event_time FROM "${db.schema}".trades`,
    );
    expect(rows).toEqual([
      {
        trade_id: '18446744073709551615',
        price: '60000',
        quantity: '739999999.123456789012345678',
        event_time: new Date(1_763_000_000_001),
      },
    ]);
    await eventually(() => new RecorderHealth(r).check().status === 'healthy', 'healthy');
  });
});

// The compiler is the test here: `tsc --noEmit` fails if a structure stops having to name every field.
export function typeCheckOnly(): void {
  defineStructure<Trade>({
    name: 'x',
    type: 'Trade',
    description: '',
    table: 'x',
    mode: 'append',
    // @ts-expect-error: `buyerIsMaker` and others are neither stored nor omitted
    fields: { exchange: column.text('exchange', ''), symbol: column.text('symbol', '') },
    indexes: [],
    priority: 0,
  });
  defineStructure<Trade>({
    name: 'x',
    type: 'Trade',
    description: '',
    table: 'x',
    mode: 'append',
    fields: {
      exchange: column.text('exchange', ''),
      symbol: column.text('symbol', ''),
      id: column.text('id', ''),
      // @ts-expect-error: a price is a Decimal, not text
      price: column.text('price', ''),
      quantity: column.numeric('quantity', ''),
      timestamp: column.time('t', ''),
      side: column.text('side', ''),
      buyerIsMaker: column.boolean('m', ''),
    },
    indexes: [],
    priority: 0,
  });
}
