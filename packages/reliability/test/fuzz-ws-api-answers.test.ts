// WebSocket API answers, fuzzed, over a real WebSocket API connection: the fake Binance executes
// each order.place and order.cancel for real (the order is placed, or canceled), then answers with
// a broken `result` in the documented envelope ({id, status: 200, result, rateLimits}; its
// `answer` request fault). The venue acted, so the caller must get the order as the exchange has
// it — looked up by the adapter — never a value built from the broken result, and never an error,
// which would read as "not placed" or "not canceled". The intact example, answered the same way, is
// read exactly: the property's other side.
import { BinanceAdapter } from '@venuekit/adapter-binance';
import { type AccountClient, createCredentials, Decimal, isVenuekitError, type Order } from '@venuekit/core';
import { type FakeBinance, startFakeBinance } from '@venuekit/testkit';
import * as docs from '@venuekit/testkit/docs-examples';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerTestSecret } from '../src/guard/secret-guard';
import { fuzzRuns, junkValue, WIRE_ORDER_STATUSES, WIRE_ORDER_TYPES, withField } from './support/fuzz';
import { count, decimal, name, oneOf, optional, signed } from './support/oracle';

const KEY = 'LEAKCHECKfuzzWsApiKey'.padEnd(64, 'K');
const SECRET = 'LEAKCHECKfuzzWsApiSecret'.padEnd(64, 'S');
registerTestSecret(KEY);
registerTestSecret(SECRET);

let fake: FakeBinance;
let adapter: BinanceAdapter;
let account: AccountClient;

beforeAll(async () => {
  fake = await startFakeBinance({
    symbols: ['BTCUSDT'],
    simulation: false,
    accounts: [{ id: 'fuzz', apiKey: KEY, secretKey: SECRET, balances: { USDT: '100000000' } }],
    // The fuzz places far more than Binance's 50 orders per 10 seconds and, with more runs,
    // spends more than 6000 request weight a minute: a request refused for it would not be
    // executed, though still answered with the fuzzed result.
    limits: { ordersPer10s: 1_000_000, requestWeight: 1_000_000 },
  });
  adapter = new BinanceAdapter({
    urls: { rest: fake.restUrl, streams: fake.streamsUrl, wsApi: fake.wsApiUrl },
  });
  account = adapter.createAccount(createCredentials({ apiKey: KEY, secret: SECRET }), {
    userId: 'fuzz',
    reconcileInitialDelayMs: 5,
    reconcileMaxDelayMs: 50,
  });
});

afterAll(async () => {
  await account?.close();
  await adapter?.close();
  await fake?.close();
});

const fill = (v: unknown) => {
  const f = v as Record<string, unknown> | null;
  return (
    typeof f === 'object' &&
    f !== null &&
    decimal(f.price) &&
    Number(f.price) > 0 &&
    decimal(f.qty) &&
    Number(f.qty) > 0 &&
    decimal(f.commission) &&
    typeof f.commissionAsset === 'string' &&
    count(f.tradeId)
  );
};

/** The fields of an order `result` the adapter reads, with the values it may accept. */
const ORDER_FIELDS: Readonly<Record<string, (v: unknown) => boolean>> = {
  symbol: name,
  orderId: count,
  clientOrderId: name,
  origClientOrderId: optional(name),
  orderListId: optional((v) => Number.isSafeInteger(v) && (v as number) >= -1),
  transactTime: optional(count),
  price: optional(decimal),
  origQty: optional(decimal),
  executedQty: optional(decimal),
  cummulativeQuoteQty: optional(signed),
  origQuoteOrderQty: optional(decimal),
  status: optional(oneOf(WIRE_ORDER_STATUSES)),
  type: optional(oneOf(WIRE_ORDER_TYPES)),
  side: optional(oneOf(['BUY', 'SELL'])),
  timeInForce: optional(name),
  fills: optional((v) => Array.isArray(v) && v.every(fill)),
};

type Method = 'order.place' | 'order.cancel';

// web-socket-api.md "Place new order" (FULL, the response type the adapter asks for) and "Cancel
// order": the `result` examples, as orders of this symbol.
const EXAMPLES: Readonly<Record<Method, Record<string, unknown>>> = {
  'order.place': { ...docs.wsApiOrderFull, symbol: 'BTCUSDT' },
  'order.cancel': { ...docs.wsApiCancelOrder, symbol: 'BTCUSDT' },
};

function validResult(result: unknown): boolean {
  return (
    typeof result === 'object' &&
    result !== null &&
    Object.entries(ORDER_FIELDS).every(([field, check]) => check((result as Record<string, unknown>)[field]))
  );
}

/** A `result` with one or two fields the adapter reads removed or mistyped, or another value. */
const brokenResult: fc.Arbitrary<{ result: (method: Method) => unknown; describe: string }> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .array(
        fc
          .tuple(
            fc.constantFrom(...Object.keys(ORDER_FIELDS)),
            fc.oneof(fc.constant<'delete'>('delete'), junkValue),
          )
          .filter(
            ([field, value]) =>
              !(ORDER_FIELDS[field] as (v: unknown) => boolean)(value === 'delete' ? undefined : value),
          ),
        { minLength: 1, maxLength: 2 },
      )
      .map((changes) => ({
        result: (method: Method) =>
          changes.reduce((result, [field, value]) => withField(result, field, value), EXAMPLES[method]),
        describe: changes
          .map(([field, value]) =>
            value === 'delete' ? `${field} removed` : `${field}=${JSON.stringify(value)}`,
          )
          .join(' '),
      })),
  },
  fc
    .oneof(
      junkValue,
      fc.constantFrom<unknown>(undefined, [], {}, [null], { result: EXAMPLES['order.place'] }),
    )
    .filter((value) => !validResult(value))
    .map((value) => ({ result: () => value, describe: `result ${JSON.stringify(value) ?? 'absent'}` })),
);

let sequence = 0;
const order = (clientOrderId: string) => ({
  symbol: 'BTC/USDT',
  side: 'buy' as const,
  type: 'limit' as const,
  quantity: new Decimal('0.01'),
  price: new Decimal('50000'),
  timeInForce: 'GTC' as const,
  clientOrderId,
});

/** The exchange's open orders under this client order id (the engine's own view). */
function openAtExchange(clientOrderId: string) {
  return fake.handle.orders('fuzz').filter((o) => o.clientOrderId === clientOrderId);
}

/** Sends `method` over the WebSocket API, answered with `result`: the order the caller got. */
async function answeredWith(
  method: Method,
  result: unknown,
): Promise<{ order: Order; clientOrderId: string; resting?: Order }> {
  const clientOrderId = `wsfuzz${++sequence}`;
  const resting = method === 'order.cancel' ? await account.placeOrder(order(clientOrderId)) : undefined;
  const fault = fake.handle.faults.failRequests({
    transport: 'wsApi',
    endpoint: method,
    action: { type: 'answer', result },
  });
  try {
    const value =
      method === 'order.place'
        ? await account.placeOrder(order(clientOrderId), { transport: 'websocket' })
        : await account.cancelOrder({ symbol: 'BTC/USDT', clientOrderId }, { transport: 'websocket' });
    // The request did go out and was answered with the chosen result.
    expect(fault.hits).toBe(1);
    return { order: value, clientOrderId, ...(resting ? { resting } : {}) };
  } finally {
    fault.remove();
  }
}

describe('fuzzed WebSocket API answers', () => {
  it('the intact examples are read exactly', async () => {
    const placed = await answeredWith('order.place', EXAMPLES['order.place']);
    expect([placed.order.id, placed.order.status, placed.order.filledQuantity.toString()]).toEqual([
      '12569099453',
      'filled',
      '0.00847',
    ]);
    const canceled = await answeredWith('order.cancel', EXAMPLES['order.cancel']);
    expect([canceled.order.id, canceled.order.clientOrderId, canceled.order.status]).toEqual([
      String(docs.wsApiCancelOrder.orderId),
      docs.wsApiCancelOrder.origClientOrderId,
      'canceled',
    ]);
  });

  it('a broken result is never believed: the caller gets the order as the exchange has it', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<Method>('order.place', 'order.cancel'),
        brokenResult,
        async (method, broken) => {
          let answer: Awaited<ReturnType<typeof answeredWith>>;
          try {
            answer = await answeredWith(method, broken.result(method));
          } catch (error) {
            const what = isVenuekitError(error)
              ? `${error.code}: ${error.message} ${JSON.stringify(error.context)}`
              : `an untyped ${String(error)}`;
            throw new Error(`${method} answered with ${broken.describe}: ${what}`);
          }
          const { order: got, clientOrderId, resting } = answer;
          const open = openAtExchange(clientOrderId);
          // Placed: resting on the book; canceled: gone from it.
          expect(open).toHaveLength(method === 'order.place' ? 1 : 0);
          const venueId = method === 'order.place' ? String(open[0]?.orderId) : resting?.id;
          expect(
            [got.id, got.clientOrderId, got.status, got.price?.toString(), got.quantity.toString()],
            `${method} answered with ${broken.describe}`,
          ).toEqual([venueId, clientOrderId, method === 'order.place' ? 'new' : 'canceled', '50000', '0.01']);
          // Off the book again: the symbol's open order cap (MAX_NUM_ORDERS) would refuse later ones.
          if (method === 'order.place') await account.cancelOrder({ symbol: 'BTC/USDT', clientOrderId });
        },
      ),
      fuzzRuns(120),
    );
  });
});
