// Fan-out benchmark: events per second delivered to 1, 10 and 100 subscribers of one trade stream,
// in-process and through Redis (a gateway StreamManager publishing, a consumer StreamManager with the
// subscribers, each with its own Redis connections, in this process).
//
//   pnpm --filter @venuekit/streams bench            full run
//   pnpm --filter @venuekit/streams bench -- --smoke small N, for CI (Redis rows skipped if no server)
//
// Not a test: it asserts nothing, and prints a markdown table.
import { cpus, loadavg } from 'node:os';
import { ExchangeRegistry, type Trade } from '@venuekit/core';
import { Redis } from 'ioredis';
import { RedisBus, StreamManager } from '../src/index';
import { SyntheticAdapter } from './synthetic-adapter';

const smoke = process.argv.includes('--smoke');
const redisUrl = process.env.VENUEKIT_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const FANOUT = [1, 10, 100];
const EVENTS_IN_PROCESS = smoke ? 2_000 : 200_000;
const EVENTS_REDIS = smoke ? 1_000 : 200_000;
const BURST = 64;
const RUNS = smoke ? 1 : 3;

interface Row {
  path: string;
  style: string;
  subscribers: number;
  events: number;
  delivered: number;
  dropped: number;
  elapsedMs: number;
}

async function inProcess(subscribers: number, style: 'callback' | 'iterator'): Promise<Row> {
  const adapter = new SyntheticAdapter();
  const manager = new StreamManager({ registry: new ExchangeRegistry([adapter]) });
  let delivered = 0;
  const target = EVENTS_IN_PROCESS * subscribers;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  const count = (): void => {
    if (++delivered === target) done();
  };
  const loops: Promise<void>[] = [];
  const capacity = EVENTS_IN_PROCESS;
  for (let i = 0; i < subscribers; i++) {
    if (style === 'callback') {
      manager.subscribe({ kind: 'trades', symbol: 'BTC/USDT' }, count, { capacity });
    } else {
      const it = manager.watchTrades('BTC/USDT', { capacity });
      loops.push(
        (async () => {
          for await (const _trade of it) count();
        })(),
      );
    }
  }
  if (adapter.marketData.subscriptions !== 1)
    throw new Error('subscribers did not share one venue subscription');
  const start = performance.now();
  await adapter.marketData.emit(EVENTS_IN_PROCESS, BURST);
  await finished;
  const elapsedMs = performance.now() - start;
  const dropped = manager.figures().reduce((n, f) => n + f.dropped, 0);
  await manager.close();
  await Promise.all(loops);
  return { path: 'in-process', style, subscribers, events: EVENTS_IN_PROCESS, delivered, dropped, elapsedMs };
}

async function throughRedis(subscribers: number): Promise<Row> {
  const prefix = `vk-bench-${process.pid}-${Date.now().toString(36)}`;
  const adapter = new SyntheticAdapter();
  const gateway = new StreamManager({
    registry: new ExchangeRegistry([adapter]),
    bus: new RedisBus({ url: redisUrl, prefix }),
    gateway: true,
  });
  const consumer = new StreamManager({
    bus: new RedisBus({ url: redisUrl, prefix }),
    defaultExchange: 'bench',
  });
  await gateway.serve();
  let delivered = 0;
  let lastId = -1;
  const target = EVENTS_REDIS * subscribers;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  const subscriptions = [];
  for (let i = 0; i < subscribers; i++) {
    subscriptions.push(
      consumer.subscribe(
        { kind: 'trades', symbol: 'BTC/USDT' },
        (trade: Trade) => {
          if (i === 0) lastId = Number(trade.id);
          if (++delivered === target) done();
        },
        { capacity: EVENTS_REDIS },
      ),
    );
  }
  await Promise.all(subscriptions.map((s) => s.ready));
  const start = performance.now();
  await adapter.marketData.emit(EVENTS_REDIS, BURST);
  // Through Redis, the measure ends when the last event reached the last subscriber (or nothing moves for 5 s).
  let stalledSince = performance.now();
  let before = delivered;
  await Promise.race([
    finished,
    (async () => {
      while (delivered < target) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        if (delivered !== before) {
          before = delivered;
          stalledSince = performance.now();
        } else if (performance.now() - stalledSince > 5000) return;
      }
    })(),
  ]);
  const elapsedMs = performance.now() - start;
  const dropped = consumer.figures().reduce((n, f) => n + f.dropped, 0);
  await consumer.close();
  await gateway.close();
  await Promise.all([consumer.bus.close(), gateway.bus.close()]);
  if (lastId !== EVENTS_REDIS - 1) process.stderr.write(`redis: the last event seen was ${lastId}\n`);
  return {
    path: 'redis',
    style: 'callback',
    subscribers,
    events: EVENTS_REDIS,
    delivered,
    dropped,
    elapsedMs,
  };
}

async function redisReachable(): Promise<boolean> {
  const probe = new Redis(redisUrl, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  probe.on('error', () => {});
  try {
    await probe.connect();
    await probe.ping();
    return true;
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

function format(rows: Row[]): string {
  const lines = [
    '| path | consumer | subscribers | events | delivered | dropped | elapsed ms | deliveries/s | events/s per subscriber |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows) {
    const seconds = r.elapsedMs / 1000;
    lines.push(
      `| ${r.path} | ${r.style} | ${r.subscribers} | ${r.events} | ${r.delivered} | ${r.dropped} | ${r.elapsedMs.toFixed(0)} | ${Math.round(r.delivered / seconds).toLocaleString('en-US')} | ${Math.round(r.delivered / r.subscribers / seconds).toLocaleString('en-US')} |`,
    );
  }
  return lines.join('\n');
}

/** The fastest of `runs` (the machine is shared: the best run is the least disturbed one). */
async function best(run: () => Promise<Row>): Promise<Row> {
  let fastest: Row | undefined;
  for (let i = 0; i < RUNS; i++) {
    const row = await run();
    if (!fastest || row.elapsedMs < fastest.elapsedMs) fastest = row;
  }
  return fastest as Row;
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  // Warm-up, untimed: the first configuration measured must not pay for the JIT.
  await inProcess(10, 'callback');
  await inProcess(10, 'iterator');
  for (const n of FANOUT) rows.push(await best(() => inProcess(n, 'callback')));
  for (const n of FANOUT) rows.push(await best(() => inProcess(n, 'iterator')));
  const redis = await redisReachable();
  if (redis) for (const n of FANOUT) rows.push(await best(() => throughRedis(n)));
  process.stdout.write(
    `\n## Fan-out (${smoke ? 'smoke run' : `full run, best of ${RUNS}`}, Node ${process.version}, ${cpus().length} CPUs, load ${loadavg()[0]?.toFixed(1)})\n\n${format(rows)}\n`,
  );
  if (!redis) process.stdout.write(`\nRedis rows skipped: no server at ${redisUrl}.\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
