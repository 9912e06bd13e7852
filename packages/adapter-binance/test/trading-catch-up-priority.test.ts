// Many accounts catching up at once after their WebSocket API connection dropped, on an IP with a
// small request weight limit: the catch-ups are background requests at the rate governor, so an
// order placed in the middle of the storm goes out at once, and every catch-up still completes.
// Over real sockets against the fake Binance.
import {
  type AccountClient,
  createCredentials,
  normalizeOrderRequest,
  type RequestEvent,
  type StreamStatus,
  telemetry,
  type UserDataEvent,
} from '@venuekit/core';
import { type FakeBinance, startFakeBinance } from '@venuekit/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { BinanceAdapter } from '../src/adapter';
import { rulesFromRateLimits } from '../src/rest/rate-governor';
import { eventually } from './trading-harness';

const ACCOUNTS = 12;
// The fake's limit, 400 request weight per 1 SECOND, which the governor reads from the fake's
// exchangeInfo. A catch-up costs 122 (resubscribe 2, all-symbol openOrders 80, account 20, myTrades
// of the traded symbol 20), so the storm needs several windows.
const WEIGHT_LIMIT = 400;
const WINDOW_MS = 1000;

const keysOf = (i: number) => {
  const id = String(i).padStart(4, '0');
  return { apiKey: `VKSTORMKEY${id}`.padEnd(64, 'k'), secretKey: `VKSTORMSECRET${id}`.padEnd(64, 's') };
};

interface Member {
  readonly account: AccountClient;
  readonly events: UserDataEvent[];
  readonly statuses: StreamStatus[];
}

const closers: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

const buy = (price: string) =>
  normalizeOrderRequest({ symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '0.001', price });

async function setup() {
  const fake: FakeBinance = await startFakeBinance({
    symbols: ['BTCUSDT'],
    simulation: false,
    accounts: Array.from({ length: ACCOUNTS }, (_, i) => ({
      id: `a${i}`,
      ...keysOf(i),
      balances: { BTC: '1', USDT: '1000000' },
    })),
    limits: { requestWeight: WEIGHT_LIMIT, requestWeightWindowMs: WINDOW_MS },
  });
  closers.push(() => fake.close());
  const adapter = new BinanceAdapter(
    { urls: { rest: fake.restUrl, streams: fake.streamsUrl, wsApi: fake.wsApiUrl } },
    { trading: { wsApiConnection: { backoff: { initialMs: 50, maxMs: 500 } } } },
  );
  closers.push(() => adapter.close());
  // The governor's limits come from the venue's exchangeInfo, loaded with the first order below.
  const gate = adapter.governor;
  const members: Member[] = [];
  for (let i = 0; i < ACCOUNTS; i++) {
    const { apiKey, secretKey } = keysOf(i);
    const account = adapter.createAccount(createCredentials({ apiKey, secret: secretKey }), {
      userId: `u${i}`,
    });
    const member: Member = { account, events: [], statuses: [] };
    await account.subscribeUserData({
      next: (event) => member.events.push(event),
      status: (status) => member.statuses.push(status),
    });
    // A resting order: the symbol is traded, so its fills are part of the catch-up.
    await account.placeOrder(buy((10_000 + i).toFixed(2)));
    members.push(member);
  }
  // What the governor was configured with: the fake's window, from its exchangeInfo.
  expect(rulesFromRateLimits(adapter.instruments.rateLimits)).toContainEqual({
    type: 'REQUEST_WEIGHT',
    intervalMs: WINDOW_MS,
    limit: WEIGHT_LIMIT,
  });
  expect(gate.status()).toMatchObject({ weightLimit: WEIGHT_LIMIT });
  return { fake, gate, members };
}

describe('the user data catch-up after a reconnect', () => {
  it('gives way to a live order: placed at once mid-storm, and every catch-up still completes', async () => {
    const refused: RequestEvent[] = [];
    closers.push(
      telemetry.requestRejected.subscribe((event) => {
        if (event.status === 429 || event.status === 418) refused.push(event);
      }),
    );
    // The catch-ups' all-symbol open orders answered so far (GET /api/v3/openOrders, weight 80).
    let openOrdersAnswered = 0;
    closers.push(
      telemetry.requestResolved.subscribe((event) => {
        if (event.method === 'GET' && event.path === '/api/v3/openOrders') openOrdersAnswered++;
      }),
    );
    const { fake, gate, members } = await setup();
    const caughtUp = () => members.filter((m) => m.statuses.some((s) => s.type === 'resubscribed')).length;
    const balancesSince = members.map((m) => m.events.length);

    expect(fake.handle.faults.dropConnection({ kind: 'wsApi' })).toBe(1);
    // The storm has begun: a first catch-up has its open orders, the others wait for their turn.
    await eventually(() => openOrdersAnswered > 0, 20_000, 'a first catch-up request');
    expect(gate.queued().background).toBeGreaterThan(0);

    const trader = members[0] as Member;
    const order = await trader.account.placeOrder(buy('9000.00'));
    // It did not queue behind the catch-ups waiting when it was placed (first in, first out
    // would have sent every account's open orders query first).
    expect(openOrdersAnswered).toBeLessThan(ACCOUNTS);
    expect(caughtUp()).toBeLessThan(ACCOUNTS);
    expect(fake.handle.orders('a0').map((o) => o.clientOrderId)).toContain(order.clientOrderId);

    // Every catch-up completes: each account resubscribed and got its balances from the venue.
    await eventually(() => caughtUp() === ACCOUNTS, 60_000, 'every catch-up');
    for (const [i, member] of members.entries()) {
      const after = member.events.slice(balancesSince[i]);
      expect(after.some((e) => e.type === 'balances')).toBe(true);
      expect(member.account.status()).toMatchObject({ userDataConnected: true, userDataReconnects: 1 });
    }
    expect(gate.queued()).toEqual({ live: 0, background: 0 });
    // The governor kept within the venue's limit throughout.
    expect(refused).toEqual([]);
  }, 90_000);
});
