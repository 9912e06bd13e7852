// REST bodies, fuzzed, served by a real HTTP server: the adapter's REST client reads a broken
// answer to each of the requests its data comes from — the book snapshot, recent trades, the
// server time, the account's balances, an order. The caller gets the exact value or a typed
// VenuekitError; never an untyped exception, never a value that is not what Binance said.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BinanceAdapter } from '@venuekit/adapter-binance';
import { type AccountClient, createCredentials, isVenuekitError } from '@venuekit/core';
import { startFakeBinance } from '@venuekit/testkit';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerTestSecret } from '../src/guard/secret-guard';
import { fuzzRuns, junkValue } from './support/fuzz';

const KEY = 'LEAKCHECKfuzzRestApiKey'.padEnd(64, 'K');
const SECRET = 'LEAKCHECKfuzzRestSecret'.padEnd(64, 'S');
registerTestSecret(KEY);
registerTestSecret(SECRET);

let server: Server;
let adapter: BinanceAdapter;
let account: AccountClient;
let exchangeInfo = '';
/** The body the next request to `path` gets (text as sent), or undefined for a 404. */
const answers = new Map<string, string>();

beforeAll(async () => {
  // exchangeInfo (symbols, filters, limits) as the fake Binance serves it.
  const fake = await startFakeBinance({ symbols: ['BTCUSDT'], simulation: false });
  try {
    exchangeInfo = await (await fetch(`${fake.restUrl}/api/v3/exchangeInfo`)).text();
  } finally {
    await fake.close();
  }
  server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const body =
      path === '/api/v3/exchangeInfo'
        ? exchangeInfo
        : path === '/api/v3/time' && !answers.has(path)
          ? JSON.stringify({ serverTime: Date.now() })
          : answers.get(path);
    response.writeHead(body === undefined ? 404 : 200, { 'content-type': 'application/json' });
    response.end(body ?? '{"code":-1,"msg":"not served"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  adapter = new BinanceAdapter({
    urls: { rest: url, streams: 'ws://127.0.0.1:1', wsApi: 'ws://127.0.0.1:1' },
  });
  account = adapter.createAccount(createCredentials({ apiKey: KEY, secret: SECRET }), { userId: 'fuzz' });
});

afterAll(async () => {
  await account?.close();
  await adapter?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

const decimal = (v: unknown) => typeof v === 'string' && /^\d+(\.\d+)?$/.test(v);
const positive = (v: unknown) => decimal(v) && Number(v) > 0;
const count = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
const levels = (v: unknown) =>
  Array.isArray(v) && v.every((l) => Array.isArray(l) && l.length >= 2 && positive(l[0]) && decimal(l[1]));

interface Endpoint {
  readonly path: string;
  /** The official example (rest-api.md), with the fields the adapter reads and what it may accept. */
  readonly example: unknown;
  readonly fields: Readonly<Record<string, (v: unknown) => boolean>>;
  /** Mutations apply to this element of an array body. */
  readonly inArray?: boolean;
  call(): Promise<unknown>;
  /** What the untouched example must read as. */
  readonly exact: (value: unknown) => void;
}

const ENDPOINTS: readonly Endpoint[] = [
  {
    // rest-api.md "Order book": {"lastUpdateId":1027024,"bids":[["4.00000000","431.00000000"]],"asks":[["4.00000200","12.00000000"]]}
    path: '/api/v3/depth',
    example: {
      lastUpdateId: 1027024,
      bids: [['4.00000000', '431.00000000']],
      asks: [['4.00000200', '12.00000000']],
    },
    fields: { lastUpdateId: count, bids: levels, asks: levels },
    call: () => adapter.rest.fetchOrderBook('BTC/USDT', 5),
    exact: (value) => {
      const book = value as Awaited<ReturnType<BinanceAdapter['rest']['fetchOrderBook']>>;
      expect(book.updateId).toBe('1027024');
      expect(book.bids.map((l) => [l.price.toString(), l.quantity.toString()])).toEqual([['4', '431']]);
      expect(book.asks.map((l) => [l.price.toString(), l.quantity.toString()])).toEqual([['4.000002', '12']]);
    },
  },
  {
    // rest-api.md "Recent trades list"
    path: '/api/v3/trades',
    example: [
      {
        id: 28457,
        price: '4.00000100',
        qty: '12.00000000',
        quoteQty: '48.000012',
        time: 1499865549590,
        isBuyerMaker: true,
        isBestMatch: true,
      },
    ],
    inArray: true,
    fields: {
      id: count,
      price: positive,
      qty: positive,
      time: count,
      isBuyerMaker: (v) => typeof v === 'boolean',
    },
    call: () => adapter.rest.fetchTrades('BTC/USDT', { limit: 1 }),
    exact: (value) => {
      const [trade] = value as Awaited<ReturnType<BinanceAdapter['rest']['fetchTrades']>>;
      expect([trade?.id, trade?.price.toString(), trade?.quantity.toString(), trade?.timestamp]).toEqual([
        '28457',
        '4.000001',
        '12',
        1499865549590,
      ]);
    },
  },
  {
    // rest-api.md "Check server time": {"serverTime":1499827319559}
    path: '/api/v3/time',
    example: { serverTime: 1499827319559 },
    fields: { serverTime: count },
    call: () => adapter.rest.fetchTime(),
    exact: (value) => expect(value).toBe(1499827319559),
  },
  {
    // rest-api.md "Account information (USER_DATA)", the part the adapter reads.
    path: '/api/v3/account',
    example: {
      makerCommission: 15,
      takerCommission: 15,
      canTrade: true,
      canWithdraw: true,
      canDeposit: true,
      updateTime: 123456789,
      accountType: 'SPOT',
      balances: [
        { asset: 'BTC', free: '4723846.89208129', locked: '0.00000000' },
        { asset: 'LTC', free: '4763368.68006011', locked: '0.00000000' },
      ],
      permissions: ['SPOT'],
      uid: 354937868,
    },
    fields: {
      balances: (v) =>
        Array.isArray(v) &&
        v.every(
          (b) =>
            typeof b === 'object' &&
            b !== null &&
            typeof (b as { asset?: unknown }).asset === 'string' &&
            decimal((b as { free?: unknown }).free) &&
            decimal((b as { locked?: unknown }).locked),
        ),
    },
    call: () => account.getBalances(),
    exact: (value) => {
      const balances = value as Awaited<ReturnType<AccountClient['getBalances']>>;
      expect(balances.map((b) => [b.asset, b.free.toString(), b.locked.toString()])).toEqual([
        ['BTC', '4723846.89208129', '0'],
        ['LTC', '4763368.68006011', '0'],
      ]);
    },
  },
];

/** Whether a whole body is one the adapter may accept (an empty list of trades is). */
function valid(endpoint: Endpoint, body: unknown): boolean {
  const items = endpoint.inArray ? body : [body];
  if (!Array.isArray(items)) return false;
  return items.every(
    (item) =>
      typeof item === 'object' &&
      item !== null &&
      Object.entries(endpoint.fields).every(([name, check]) =>
        check((item as Record<string, unknown>)[name]),
      ),
  );
}

/** A body for an endpoint with one or two fields the adapter reads removed or mistyped. */
function brokenBody(endpoint: Endpoint): fc.Arbitrary<{ body: string; describe: string }> {
  const change = fc
    .tuple(
      fc.constantFrom(...Object.keys(endpoint.fields)),
      fc.oneof(fc.constant<'delete'>('delete'), junkValue),
    )
    .filter(
      ([name, value]) => value === 'delete' || !(endpoint.fields[name] as (v: unknown) => boolean)(value),
    );
  const fieldChanges = fc.array(change, { minLength: 1, maxLength: 2 }).map((changes) => {
    const example = structuredClone(endpoint.example) as Record<string, unknown> | Record<string, unknown>[];
    const target = (Array.isArray(example) ? example[0] : example) as Record<string, unknown>;
    for (const [name, value] of changes) {
      if (value === 'delete') delete target[name];
      else target[name] = value;
    }
    return {
      body: JSON.stringify(example),
      describe: changes
        .map(([n, v]) => (v === 'delete' ? `${n} removed` : `${n}=${JSON.stringify(v)}`))
        .join(' '),
    };
  });
  const wrongShape = fc
    .oneof(junkValue, fc.constantFrom<unknown>([], {}, [null], [[]], { data: endpoint.example }))
    .filter((value) => !valid(endpoint, value))
    .map((value) => ({ body: JSON.stringify(value) ?? 'null', describe: `body ${JSON.stringify(value)}` }));
  const notJson = fc
    .constantFrom('', '<html>502 Bad Gateway</html>', '{"lastUpdateId":', 'null', 'NaN')
    .map((body) => ({ body, describe: `body ${JSON.stringify(body)}` }));
  return fc.oneof({ weight: 4, arbitrary: fieldChanges }, wrongShape, notJson);
}

describe('fuzzed REST answers', () => {
  it('are refused with a typed error; the intact example is read exactly', async () => {
    // The untouched examples first: the property's other side.
    for (const endpoint of ENDPOINTS) {
      answers.set(endpoint.path, JSON.stringify(endpoint.example));
      endpoint.exact(await endpoint.call());
    }
    const cases = fc.oneof(
      ...ENDPOINTS.map((endpoint) => brokenBody(endpoint).map((broken) => ({ endpoint, ...broken }))),
    );
    await fc.assert(
      fc.asyncProperty(cases, async ({ endpoint, body, describe }) => {
        answers.set(endpoint.path, body);
        let value: unknown;
        try {
          value = await endpoint.call();
        } catch (error) {
          if (!isVenuekitError(error)) {
            throw new Error(`${endpoint.path} with ${describe}: an untyped ${String(error)}`);
          }
          return;
        } finally {
          answers.delete(endpoint.path);
        }
        throw new Error(
          `${endpoint.path} with ${describe}: accepted as ${JSON.stringify(value).slice(0, 200)}`,
        );
      }),
      fuzzRuns(300),
    );
  });
});
