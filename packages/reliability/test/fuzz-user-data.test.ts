// User data events, fuzzed, sent by a real server: the fake Binance writes each fuzzed event on the
// user's own WebSocket API connection. Each is built to say something false if believed — the
// user's resting order canceled, balances that are not the account's, a deposit that never happened
// — and has at least one field broken. A session must not believe it: its tracked order and
// balances stay equal to the exchange's, the event is a counted discard, and nothing throws.
import { BinanceAdapter } from '@venuekit/adapter-binance';
import { Decimal, type Order, telemetry } from '@venuekit/core';
import { type FakeBinance, startFakeBinance } from '@venuekit/testkit';
import * as docs from '@venuekit/testkit/docs-examples';
import { type TradingSession, UserManager } from '@venuekit/trading';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerTestSecret } from '../src/guard/secret-guard';
import { fuzzRuns, junkValue, WIRE_ORDER_TYPES } from './support/fuzz';
import { oneOf } from './support/oracle';
import { waitFor } from './support/wait';

const KEY = 'LEAKCHECKfuzzUserDataKey'.padEnd(64, 'K');
const SECRET = 'LEAKCHECKfuzzUserDataSecret'.padEnd(64, 'S');
registerTestSecret(KEY);
registerTestSecret(SECRET);

let fake: FakeBinance;
let adapter: BinanceAdapter;
let manager: UserManager;
let session: TradingSession;
let resting: Order;
let discards = 0;
let subscriptionId: number | undefined;
const closers: Array<() => unknown> = [];

beforeAll(async () => {
  fake = await startFakeBinance({
    symbols: ['BTCUSDT'],
    simulation: false,
    accounts: [{ id: 'fuzz', apiKey: KEY, secretKey: SECRET, balances: { BTC: '2', USDT: '100000' } }],
  });
  closers.push(() => fake.close());
  adapter = new BinanceAdapter({
    urls: { rest: fake.restUrl, streams: fake.streamsUrl, wsApi: fake.wsApiUrl },
  });
  closers.push(() => adapter.close());
  manager = new UserManager({ adapters: adapter });
  closers.push(() => manager.close());
  closers.push(telemetry.messageDiscarded.subscribe(() => discards++));
  // The subscription id the venue gave this user's stream, read off a real event: a fuzzed event
  // must carry it, or the adapter drops it before reading it as not being ours.
  closers.push(
    telemetry.rawMessage.subscribe((message) => {
      if (message.kind !== 'user' || subscriptionId !== undefined) return;
      const id = (JSON.parse(message.payload) as { subscriptionId?: unknown }).subscriptionId;
      if (typeof id === 'number') subscriptionId = id;
    }),
  );
  session = await manager.connectUser('fuzz', KEY, SECRET);
  await session.getBalances();
  resting = await session.placeOrder({
    symbol: 'BTC/USDT',
    side: 'buy',
    type: 'limit',
    quantity: '0.01',
    price: '50000.00',
    timeInForce: 'GTC',
  });
  await waitFor(() => subscriptionId !== undefined, 'the first user data event');
});

afterAll(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** The account's balances as the exchange has them, in the session's terms. */
function exchangeBalances(): string {
  return fake.handle
    .balances('fuzz')
    .map((b) => `${b.asset} ${new Decimal(b.free).toString()} ${new Decimal(b.locked).toString()}`)
    .sort()
    .join(', ');
}
function trackedBalances(): string {
  return session
    .trackedBalances()
    .filter((b) => !b.total.isZero())
    .map((b) => `${b.asset} ${b.free.toString()} ${b.locked.toString()}`)
    .sort()
    .join(', ');
}

const decimal = (zeroOk: boolean) => (v: unknown) =>
  typeof v === 'string' && /^\d+(\.\d+)?$/.test(v) && (zeroOk || Number(v) > 0);
const count = (min: number) => (v: unknown) => Number.isSafeInteger(v) && (v as number) >= min;

/**
 * user-data-stream.md "Order Update" (executionReport), as the fake sends it for the resting order
 * — but saying the order was CANCELED. Each field the adapter reads, with the values it may accept.
 */
function canceledReport(order: Order): Record<string, unknown> {
  const now = Date.now();
  return {
    ...docs.executionReport,
    E: now,
    s: 'BTCUSDT',
    c: 'cancel-by-fuzz',
    q: '0.01000000',
    p: '50000.00000000',
    C: order.clientOrderId,
    x: 'CANCELED',
    X: 'CANCELED',
    i: Number(order.id),
    T: now,
    w: false,
    O: order.createdAt,
    W: order.createdAt,
    V: 'EXPIRE_MAKER',
  };
}
const REPORT_FIELDS: Readonly<Record<string, (v: unknown) => boolean>> = {
  E: count(0),
  c: (v) => typeof v === 'string' && v.length > 0,
  S: oneOf(['BUY', 'SELL']),
  o: oneOf(WIRE_ORDER_TYPES),
  f: oneOf(['GTC', 'IOC', 'FOK']),
  q: decimal(true),
  p: decimal(true),
  P: decimal(true),
  g: count(-1),
  C: (v) => typeof v === 'string',
  x: oneOf(['NEW', 'CANCELED', 'REPLACED', 'REJECTED', 'TRADE', 'EXPIRED', 'TRADE_PREVENTION']),
  X: oneOf([
    'NEW',
    'PENDING_NEW',
    'PARTIALLY_FILLED',
    'FILLED',
    'CANCELED',
    'REJECTED',
    'EXPIRED',
    'EXPIRED_IN_MATCH',
  ]),
  r: (v) => typeof v === 'string',
  i: count(0),
  l: decimal(true),
  z: decimal(true),
  L: decimal(true),
  n: decimal(true),
  N: (v) => v === null || typeof v === 'string',
  T: count(0),
  t: count(-1),
  m: (v) => typeof v === 'boolean',
  O: count(0),
  Z: decimal(true),
  Y: decimal(true),
  Q: decimal(true),
};

// user-data-stream.md "Account Update": the example, with amounts the account does not have.
function falseBalances(): Record<string, unknown> {
  const now = Date.now();
  return {
    ...docs.outboundAccountPosition,
    E: now,
    u: now,
    B: [{ a: 'USDT', f: '123.45000000', l: '0.00000000' }],
  };
}
const asset = (v: unknown) =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as { a?: unknown }).a === 'string' &&
  decimal(true)((v as { f?: unknown }).f) &&
  decimal(true)((v as { l?: unknown }).l);
const POSITION_FIELDS: Readonly<Record<string, (v: unknown) => boolean>> = {
  E: count(0),
  B: (v) => Array.isArray(v) && v.every(asset),
};

// user-data-stream.md "Balance Update": the example, as a deposit that never happened.
function falseDeposit(): Record<string, unknown> {
  const now = Date.now();
  return { ...docs.balanceUpdate, E: now, a: 'USDT', d: '5.00000000', T: now };
}
const DELTA_FIELDS: Readonly<Record<string, (v: unknown) => boolean>> = {
  E: count(0),
  a: (v) => typeof v === 'string' && v.length > 0,
  d: (v) => typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v),
};

/** One false event with one or two of the fields the adapter reads broken (removed or mistyped). */
function broken(
  base: () => Record<string, unknown>,
  fields: Readonly<Record<string, (v: unknown) => boolean>>,
): fc.Arbitrary<{ event: Record<string, unknown>; describe: string }> {
  const one = fc
    .tuple(fc.constantFrom(...Object.keys(fields)), fc.oneof(fc.constant<'delete'>('delete'), junkValue))
    .filter(([name, value]) => value === 'delete' || !(fields[name] as (v: unknown) => boolean)(value));
  return fc.array(one, { minLength: 1, maxLength: 2 }).map((changes) => {
    const event = base();
    for (const [name, value] of changes) {
      if (value === 'delete') delete event[name];
      else event[name] = value;
    }
    return {
      event,
      describe: changes
        .map(([name, value]) => (value === 'delete' ? `${name} removed` : `${name}=${JSON.stringify(value)}`))
        .join(' '),
    };
  });
}

describe('fuzzed user data events on the user’s own connection', () => {
  it('are never believed: the tracked order and balances stay the exchange’s, and each is discarded', async () => {
    let sent = 0;
    const events = fc.oneof(
      { weight: 3, arbitrary: broken(() => canceledReport(resting), REPORT_FIELDS) },
      broken(falseBalances, POSITION_FIELDS),
      broken(falseDeposit, DELTA_FIELDS),
    );
    await fc.assert(
      fc.asyncProperty(events, async ({ event, describe }) => {
        const connection = fake.handle.connections('wsApi')[0];
        expect(connection).toBeDefined();
        const discardsBefore = discards;
        fake.handle.faults.sendMalformed(connection?.id as string, JSON.stringify({ subscriptionId, event }));
        sent++;
        // A real change after it: a deposit of 1 USDT, whose events follow the fuzzed one.
        fake.handle.engine.adjustBalance('fuzz', 'USDT', '1');
        await waitFor(() => trackedBalances() === exchangeBalances(), `the real deposit after ${describe}`);
        expect(session.trackedOrder({ symbol: 'BTC/USDT', orderId: resting.id })?.status).toBe('new');
        expect(discards).toBeGreaterThan(discardsBefore);
      }),
      fuzzRuns(120),
    );
    expect(sent).toBe(fuzzRuns(120).numRuns);
    expect(fake.handle.orders('fuzz').map((o) => o.status)).toEqual(['NEW']);
  });
});
