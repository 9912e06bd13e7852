import { BinanceAdapter } from '@venuekit/adapter-binance';
import {
  type BusEvent,
  ExchangeRegistry,
  InProcessBus,
  type Logger,
  silentLogger,
  topics,
} from '@venuekit/core';
import { StreamManager } from '@venuekit/streams';
import { type FakeBinance, type FakeBinanceOptions, startFakeBinance } from '@venuekit/testkit';
import { UserManager } from '@venuekit/trading';
import { migrateDatabase } from '../../src/db/migrator';
import { Recorder, type RecorderOptions } from '../../src/recorder';
import { PG, TestDatabase } from './db';
import { TcpProxy } from './tcp-proxy';

// A recorded session against the fake Binance over real sockets: the Binance adapter, the streams
// manager, trading sessions, and the recorder writing to the real PostgreSQL (through a TCP proxy the
// test can take away).

export const ALICE = {
  apiKey: 'VKTESTrecorderApiKey0alice'.padEnd(64, 'Q'),
  secretKey: 'VKTESTrecorderSecret0alice'.padEnd(64, 'Q'),
};

export interface Session {
  readonly db: TestDatabase;
  readonly proxy: TcpProxy;
  readonly fake: FakeBinance;
  readonly adapter: BinanceAdapter;
  readonly registry: ExchangeRegistry;
  readonly bus: InProcessBus;
  readonly streams: StreamManager;
  readonly trading: UserManager;
  readonly recorder: Recorder;
  /** The application name of the recorder's connections (for pg_terminate_backend). */
  readonly applicationName: string;
  /** Everything published on a user's topics, as a subscriber saw it. */
  userEvents(userId: string): Promise<BusEvent[]>;
  close(): Promise<void>;
}

export async function startSession(
  options: {
    fake?: FakeBinanceOptions;
    recorder?: Partial<RecorderOptions>;
    logger?: Logger;
    /** The PostgreSQL to record into (default: the shared one at 127.0.0.1:5432). */
    target?: typeof PG;
  } = {},
): Promise<Session> {
  const closers: (() => Promise<unknown> | unknown)[] = [];
  const close = async () => {
    for (const fn of closers.splice(0).reverse()) await fn();
  };
  try {
    const target = options.target ?? PG;
    const db = await TestDatabase.open('ses', target);
    closers.push(() => db.close());
    await migrateDatabase(db.options());
    const proxy = await TcpProxy.start({ host: target.host, port: target.port });
    closers.push(() => proxy.close());
    const fake = await startFakeBinance({
      symbols: ['BTCUSDT'],
      simulation: { rate: 40, paused: true },
      streamTimings: { slowMs: 100, fastMs: 50, klineMs: 100, kline1sMs: 100 },
      accounts: [{ id: 'alice', ...ALICE, balances: { BTC: '10', USDT: '1000000' } }],
      ...options.fake,
    });
    closers.push(() => fake.close());
    const logger = options.logger ?? silentLogger;
    const adapter = new BinanceAdapter(
      { urls: { rest: fake.restUrl, streams: fake.streamsUrl, wsApi: fake.wsApiUrl } },
      { logger },
    );
    closers.push(() => adapter.close());
    const registry = new ExchangeRegistry([adapter]);
    const bus = new InProcessBus();
    closers.push(() => bus.close());
    const streams = new StreamManager({ registry, bus, logger });
    closers.push(() => streams.close());
    const trading = new UserManager({ adapters: adapter, bus, logger });
    closers.push(() => trading.close());
    const applicationName = `rec-${db.schema}`.slice(0, 60);
    const recorder = new Recorder({
      database: db.options({ port: proxy.port, applicationName }),
      streams,
      bus,
      exchanges: registry,
      logger,
      buffer: { flushIntervalMs: 20, batchRows: 500 },
      reconnect: { initialMs: 20, maxMs: 200 },
      lossReportIntervalMs: 50,
      ...options.recorder,
    });
    closers.push(() => recorder.close());
    return {
      db,
      proxy,
      fake,
      adapter,
      registry,
      bus,
      streams,
      trading,
      recorder,
      applicationName,
      async userEvents(userId) {
        const events: BusEvent[] = [];
        for (const kind of ['orders', 'fills', 'balances'] as const) {
          const sub = await bus.subscribe(topics.user(userId, kind), (e) => events.push(e));
          closers.push(() => sub.unsubscribe());
        }
        return events;
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
