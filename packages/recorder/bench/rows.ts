// Recorder benchmark: rows per second sustained into the real PostgreSQL, per structure and batch
// size. A producer records as fast as the recorder's backpressure allows (it waits on
// `whenWritable()` when `record()` returns false) for a fixed time; the rate is rows written divided
// by the time until the last of them is committed.
//
//   pnpm --filter @venuekit/recorder bench            full run (10 s per row)
//   pnpm --filter @venuekit/recorder bench:smoke      a short run, for CI
//   DATABASE_URL=postgres://user@host:5432/db  (default postgres://postgres@127.0.0.1:5432/test)
//
// Not a test: it asserts only that nothing was lost, and prints a markdown table.
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import {
  Decimal,
  type Fill,
  type Order,
  type RawMessageEvent,
  type Ticker,
  type Trade,
} from '@venuekit/core';
import pg from 'pg';
import { migrateDatabase } from '../src/db/migrator';
import { Recorder, type StructureValues } from '../src/recorder';
import type { RecordContext } from '../src/schema/structure';
import type { StructureName } from '../src/schema/structures';

const smoke = process.argv.includes('--smoke');
const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const DURATION_MS = smoke ? 500 : 10_000;
const schema = `bench_${process.pid}_${randomBytes(3).toString('hex')}`;

const d = (s: string) => new Decimal(s);
const T0 = 1_763_000_000_000;

interface Scenario {
  readonly name: string;
  readonly structure: StructureName;
  readonly batchRows: number;
  /** The i-th value (unique where the table has a key) and its context. */
  make(i: number): { value: unknown; context?: RecordContext };
}

const raw = (i: number): RawMessageEvent => ({
  exchange: 'binance',
  connectionId: 'binance-market-1',
  kind: 'market',
  stream: 'btcusdt@trade',
  streamKey: 'binance:trades:btcusdt@trade',
  // A trade frame as Binance sends it (web-socket-streams.md, Trade Streams).
  payload: `{"stream":"btcusdt@trade","data":{"e":"trade","E":${T0 + i},"s":"BTCUSDT","t":${i},"p":"60000.01000000","q":"0.00100000","T":${T0 + i},"m":true,"M":true}}`,
  receivedAt: T0 + i,
});

const trade = (i: number): Trade => ({
  exchange: 'binance',
  symbol: 'BTC/USDT',
  id: String(i),
  price: d('60000.01'),
  quantity: d('0.00123'),
  timestamp: T0 + i,
  side: i % 2 === 0 ? 'buy' : 'sell',
  buyerIsMaker: i % 2 === 0,
});

const ticker = (i: number): Ticker => ({
  exchange: 'binance',
  symbol: 'BTC/USDT',
  timestamp: T0 + i,
  last: d('60000.01'),
  lastQuantity: d('0.001'),
  open: d('59000'),
  high: d('61000'),
  low: d('58000'),
  change: d('1000.01'),
  changePercent: d('1.695'),
  vwap: d('59876.12345678'),
  baseVolume: d('12345.6789'),
  quoteVolume: d('739999999.1234'),
  bid: d('60000'),
  bidQuantity: d('1.5'),
  ask: d('60000.02'),
  askQuantity: d('2'),
  openTime: T0 - 86_400_000 + i,
  closeTime: T0 + i,
  firstTradeId: '1',
  lastTradeId: String(i),
  tradeCount: i,
});

// 1000 orders, each updated again and again: every row is an upsert plus a history row.
const order = (i: number): Order => ({
  exchange: 'binance',
  symbol: 'BTC/USDT',
  id: String(i % 1000),
  clientOrderId: `vk-${i % 1000}`,
  side: 'buy',
  type: 'limit',
  timeInForce: 'GTC',
  status: 'partially_filled',
  price: d('60000'),
  quantity: d('1'),
  filledQuantity: d(`0.${String(i).padStart(6, '0')}`),
  filledQuoteQuantity: d('1234.5'),
  averagePrice: d('60000'),
  fees: [{ asset: 'BNB', amount: d('0.0001') }],
  createdAt: T0,
  updatedAt: T0 + i,
});

const fill = (i: number): Fill => ({
  exchange: 'binance',
  symbol: 'BTC/USDT',
  tradeId: String(i),
  orderId: String(i % 1000),
  clientOrderId: `vk-${i % 1000}`,
  side: 'buy',
  price: d('60000'),
  quantity: d('0.001'),
  quoteQuantity: d('60'),
  fee: { asset: 'BNB', amount: d('0.00001') },
  isMaker: false,
  timestamp: T0 + i,
});

const ALICE: RecordContext = { userId: 'alice', source: 'stream', executionType: 'trade' };

const SCENARIOS: Scenario[] = [
  {
    name: 'raw market frames (json)',
    structure: 'rawMarketFrame',
    batchRows: 5_000,
    make: (i) => ({ value: raw(i) }),
  },
  { name: 'trades (unique key)', structure: 'trade', batchRows: 5_000, make: (i) => ({ value: trade(i) }) },
  { name: 'trades (unique key)', structure: 'trade', batchRows: 1_000, make: (i) => ({ value: trade(i) }) },
  {
    name: 'tickers (23 columns)',
    structure: 'ticker',
    batchRows: 5_000,
    make: (i) => ({ value: ticker(i) }),
  },
  {
    name: 'orders (upsert + history)',
    structure: 'order',
    batchRows: 5_000,
    make: (i) => ({ value: order(i), context: ALICE }),
  },
  {
    name: 'fills (unique key)',
    structure: 'fill',
    batchRows: 5_000,
    make: (i) => ({ value: fill(i), context: ALICE }),
  },
];

interface Result {
  readonly name: string;
  readonly batchRows: number;
  readonly rows: number;
  readonly seconds: number;
  readonly rowsPerSecond: number;
  readonly batches: number;
  readonly lost: number;
}

async function run(scenario: Scenario): Promise<Result> {
  const recorder = new Recorder({
    database: { url, schema, applicationName: 'venuekit-recorder-bench' },
    buffer: { capacity: 200_000, highWaterMark: 50_000, batchRows: scenario.batchRows, flushIntervalMs: 50 },
  });
  await recorder.start();
  if (recorder.figures().state !== 'up')
    throw new Error(`cannot reach ${url}: ${recorder.figures().lastError}`);
  const started = performance.now();
  let i = 0;
  while (performance.now() - started < DURATION_MS) {
    for (let n = 0; n < 1_000; n++) {
      const { value, context } = scenario.make(i++);
      if (
        !recorder.record(scenario.structure, value as StructureValues[typeof scenario.structure], context)
      ) {
        await recorder.whenWritable();
      }
    }
    // Let the writer's I/O run between bursts even when the buffer has room.
    await new Promise((resolve) => setImmediate(resolve));
  }
  await recorder.flush();
  const seconds = (performance.now() - started) / 1_000;
  const f = recorder.figures();
  await recorder.close();
  return {
    name: scenario.name,
    batchRows: scenario.batchRows,
    rows: f.written,
    seconds,
    rowsPerSecond: f.written / seconds,
    batches: f.batches,
    lost: f.lost,
  };
}

async function main(): Promise<void> {
  await migrateDatabase({ url, schema });
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const version = (await client.query<{ server_version: string }>('SHOW server_version')).rows[0]
    ?.server_version;
  const results: Result[] = [];
  try {
    for (const scenario of SCENARIOS) {
      // Each scenario starts from empty tables, so unique keys and upserts see the same work.
      await client.query(
        `TRUNCATE "${schema}".raw_market_frames, "${schema}".trades, "${schema}".tickers, "${schema}".orders, "${schema}".order_events, "${schema}".fills, "${schema}".recorder_batches`,
      );
      results.push(await run(scenario));
    }
  } finally {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  }
  console.log(
    `\n@venuekit/recorder rows per second (${smoke ? 'smoke' : 'full'} run, ${DURATION_MS / 1000} s per row)`,
  );
  console.log(
    `node ${process.version}, ${cpus().length} × ${cpus()[0]?.model.trim()}, load ${loadavg()[0]?.toFixed(2)}, PostgreSQL ${version} (local)\n`,
  );
  console.log('| structure | batch rows | rows written | seconds | rows/s | transactions | lost |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of results) {
    console.log(
      `| ${r.name} | ${r.batchRows} | ${r.rows} | ${r.seconds.toFixed(2)} | ${Math.round(r.rowsPerSecond).toLocaleString('en-US')} | ${r.batches} | ${r.lost} |`,
    );
  }
  const lost = results.reduce((n, r) => n + r.lost, 0);
  if (lost > 0) {
    console.error(`\n${lost} rows were lost: the benchmark is not valid`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
