// Users benchmark: memory per connected user, and what a trading session adds to an order's round
// trip, with 1, 100 and 1000 users connected in one process.
//
//   pnpm --filter @venuekit/trading bench              full run (1, 100, 1000 users)
//   pnpm --filter @venuekit/trading bench -- --smoke   small N, for CI
//   ... bench -- --binance                             also over real sockets: the Binance adapter
//                                                      against the fake Binance (1, 100 and 1000 users)
//   ... bench -- --binance-only --binance-users=1000   only the rows over sockets, with these user counts
//
// The venue is the testkit's in-memory FakeExchange, so the figures are venuekit's own cost, without
// network or server time. With --binance the same rows are measured over 127.0.0.1 (the fake server
// runs in this process, so its per-connection memory is counted too). The connect columns are the wall
// time to connect every user (credentials check and user data subscription), one after another.
// "bare" is the adapter's AccountClient used directly (its own credentials check, user data
// subscription and order path); "session" is the same through UserManager (fair queue, input
// validation, client order id, order tracker, bus events, error enrichment).
// Not a test: it asserts nothing, and prints a markdown table.
import {
  type AccountClient,
  type Credentials,
  createCredentials,
  Decimal,
  InProcessBus,
  type UserDataSubscription,
} from '@venuekit/core';
import { BinanceAdapter } from '@venuekit/adapter-binance';
import { type ExchangeEngine, FakeExchange, startFakeBinance } from '@venuekit/testkit';
import { type TradingSession, UserManager } from '../src/index';

const smoke = process.argv.includes('--smoke');
const binanceOnly = process.argv.includes('--binance-only');
const binance = binanceOnly || process.argv.includes('--binance');
const usersArgument = process.argv.find((arg) => arg.startsWith('--binance-users='));
const BINANCE_USERS = usersArgument
  ? usersArgument
      .slice('--binance-users='.length)
      .split(',')
      .map((n) => Number.parseInt(n, 10))
      .filter((n) => n > 0)
  : smoke
    ? [1, 3]
    : [1, 100, 1000];
const USERS = smoke ? [1, 5, 20] : [1, 100, 1000];
const ORDERS = smoke ? 200 : 5000;
const WARMUP = smoke ? 20 : 500;

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  console.error('run with node --expose-gc (the bench script does) for stable memory figures');
}

interface Row {
  venue: string;
  users: number;
  bareBytesPerUser: number;
  sessionBytesPerUser: number;
  /** Wall time to connect all the users, one after another (ms). */
  bareConnectMs: number;
  sessionConnectMs: number;
  /** WebSocket API connections the venue saw (over sockets only). */
  wsApiConnections?: number;
  bare: Stats;
  session: Stats;
}

interface Stats {
  p50: number;
  p99: number;
  mean: number;
}

function heapUsed(): number {
  for (let i = 0; i < 3; i++) gc?.();
  return process.memoryUsage().heapUsed;
}

function keysFor(i: number): { apiKey: string; secretKey: string } {
  const id = String(i).padStart(6, '0');
  return { apiKey: `benchkey${id}`.padEnd(64, 'k'), secretKey: `benchsecret${id}`.padEnd(64, 's') };
}

function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const mean = sorted.reduce((sum, x) => sum + x, 0) / (sorted.length || 1);
  return { p50: at(0.5), p99: at(0.99), mean };
}

interface Venue {
  readonly name: string;
  readonly adapter: FakeExchange | BinanceAdapter;
  readonly engine: ExchangeEngine;
  /** WebSocket API connections open at the venue now (over sockets only). */
  wsApiConnections?(): number;
  close(): Promise<void>;
}

async function inMemory(): Promise<Venue> {
  const fake = new FakeExchange();
  return { name: 'in-memory', adapter: fake, engine: fake.engine, close: () => fake.close() };
}

async function overSockets(): Promise<Venue> {
  const server = await startFakeBinance({
    symbols: ['BTCUSDT'],
    simulation: false,
    accounts: [],
    limits: { connectionAttempts: 100_000, requestWeight: 10_000_000, ordersPer10s: 1_000_000 },
  });
  const adapter = new BinanceAdapter({
    urls: { rest: server.restUrl, streams: server.streamsUrl, wsApi: server.wsApiUrl },
  });
  return {
    name: 'binance (fake, 127.0.0.1)',
    adapter,
    engine: server.handle.engine,
    wsApiConnections: () => server.handle.connections('wsApi').length,
    close: async () => {
      await adapter.close();
      await server.close();
    },
  };
}

async function measure(users: number, open: () => Promise<Venue>): Promise<Row> {
  const venue = await open();
  const fake = venue.adapter;
  // Account `users` is the warm-up user: it pays the one-time costs (instruments, venue clock,
  // first connections, compiled code) before anything is measured, and stays connected.
  for (let i = 0; i <= users; i++) {
    venue.engine.createAccount({ ...keysFor(i), balances: { USDT: '100000000', BTC: '1000' } });
  }
  const credentials = (i: number): Credentials => {
    const { apiKey, secretKey } = keysFor(i);
    return createCredentials({ apiKey, secret: secretKey });
  };
  const order = (price: string) => ({
    symbol: 'BTC/USDT',
    side: 'buy' as const,
    type: 'limit' as const,
    quantity: new Decimal('0.001'),
    price: new Decimal(price),
    timeInForce: 'GTC' as const,
  });

  const bare: AccountClient[] = [];
  const bareSubscriptions: UserDataSubscription[] = [];
  const openBare = async (i: number) => {
    const account = fake.createAccount(credentials(i), { userId: `u${i}` });
    await account.verifyCredentials();
    bareSubscriptions.push(await account.subscribeUserData({ next() {} }));
    return account;
  };
  const bareWarm = await openBare(users);
  const warmOrder = await bareWarm.placeOrder({ ...order('20000.00'), clientOrderId: 'warmup1' });
  await bareWarm.cancelOrder({ symbol: 'BTC/USDT', orderId: warmOrder.id });

  const bus = new InProcessBus();
  const manager = new UserManager({ adapters: fake, bus });
  const sessionWarm = await manager.connectUser('warm', credentials(users));
  const warmSessionOrder = await sessionWarm.placeOrder({ ...order('20000.00') });
  await sessionWarm.cancelOrder({ symbol: 'BTC/USDT', orderId: warmSessionOrder.id });

  // Bare account clients, each with its credentials checked and its user data stream open.
  let before = heapUsed();
  let started = performance.now();
  for (let i = 0; i < users; i++) bare.push(await openBare(i));
  const bareConnectMs = performance.now() - started;
  const bareBytesPerUser = (heapUsed() - before) / users;

  // The same users through the manager.
  before = heapUsed();
  started = performance.now();
  const sessions: TradingSession[] = [];
  for (let i = 0; i < users; i++) {
    sessions.push(await manager.connectUser(`u${i}`, credentials(i)));
  }
  const sessionConnectMs = performance.now() - started;
  const sessionBytesPerUser = (heapUsed() - before) / users;
  const wsApiConnections = venue.wsApiConnections?.();

  // Round trips, alternating bare and session so that drift affects both alike. Each order rests far
  // from the market and is canceled at once (not timed), so books and open-order counts stay small.
  const bareTimes: number[] = [];
  const sessionTimes: number[] = [];
  for (let n = 0; n < WARMUP + ORDERS; n++) {
    const i = n % users;
    const price = (20000 + (n % 500)).toFixed(2);
    const input = { symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '0.001', price } as const;

    let t = performance.now();
    const viaSession = await (sessions[i] as TradingSession).placeOrder(input);
    const sessionMs = performance.now() - t;
    await (sessions[i] as TradingSession).cancelOrder({ symbol: 'BTC/USDT', orderId: viaSession.id });

    const account = bare[i] as AccountClient;
    t = performance.now();
    const viaBare = await account.placeOrder({ ...order(price), clientOrderId: `b${n}x${i}` });
    const bareMs = performance.now() - t;
    await account.cancelOrder({ symbol: 'BTC/USDT', orderId: viaBare.id });

    if (n >= WARMUP) {
      sessionTimes.push(sessionMs * 1000);
      bareTimes.push(bareMs * 1000);
    }
  }

  await manager.close();
  for (const subscription of bareSubscriptions) await subscription.unsubscribe();
  for (const account of [...bare, bareWarm]) await account.close();
  await bus.close();
  await venue.close();
  return {
    venue: venue.name,
    users,
    bareBytesPerUser,
    sessionBytesPerUser,
    bareConnectMs,
    sessionConnectMs,
    ...(wsApiConnections === undefined ? {} : { wsApiConnections }),
    bare: stats(bareTimes),
    session: stats(sessionTimes),
  };
}

function kb(bytes: number): string {
  return (bytes / 1024).toFixed(1);
}

function ms(x: number): string {
  return x.toFixed(0);
}

function us(x: number): string {
  return x.toFixed(1);
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  if (!binanceOnly) for (const users of USERS) rows.push(await measure(users, inMemory));
  if (binance) for (const users of BINANCE_USERS) rows.push(await measure(users, overSockets));
  const lines = [
    `Users benchmark${smoke ? ' (smoke)' : ''}: Node ${process.version}, ${ORDERS} orders per row`,
    '',
    '| venue | users | KiB/user bare | KiB/user session | session overhead KiB/user | connect ms bare / session (all users) | WS API connections | order µs bare p50 / p99 | order µs session p50 / p99 | overhead µs (mean) |',
    '| ----- | ----: | ------------: | ---------------: | ------------------------: | ------------------------------------: | -----------------: | ----------------------: | -------------------------: | -----------------: |',
  ];
  for (const row of rows) {
    lines.push(
      `| ${row.venue} | ${row.users} | ${kb(row.bareBytesPerUser)} | ${kb(row.sessionBytesPerUser)} | ${kb(row.sessionBytesPerUser - row.bareBytesPerUser)} | ${ms(row.bareConnectMs)} / ${ms(row.sessionConnectMs)} | ${row.wsApiConnections ?? '–'} | ${us(row.bare.p50)} / ${us(row.bare.p99)} | ${us(row.session.p50)} / ${us(row.session.p99)} | ${us(row.session.mean - row.bare.mean)} |`,
    );
  }
  console.log(lines.join('\n'));
}

await main();
