// User input, fuzzed: order parameters, stream requests (symbols, kinds, levels), user ids and
// configuration. Whatever a caller passes, the answer is a typed error naming the field and the
// rule, before anything is sent — or, for input that is valid after all, the right thing happens.
import { BinanceAdapter, resolveBinanceConfig } from '@venuekit/adapter-binance';
import {
  ExchangeRegistry,
  isVenuekitError,
  normalizeOrderRequest,
  type RequestEvent,
  telemetry,
  ValidationError,
} from '@venuekit/core';
import { StreamManager } from '@venuekit/streams';
import { type FakeBinance, startFakeBinance } from '@venuekit/testkit';
import { type TradingSession, UserManager } from '@venuekit/trading';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerTestSecret } from '../src/guard/secret-guard';

const KEY = 'LEAKCHECKfuzzInputApiKey'.padEnd(64, 'K');
const SECRET = 'LEAKCHECKfuzzInputSecret'.padEnd(64, 'S');
registerTestSecret(KEY);
registerTestSecret(SECRET);

/** Values a careless or hostile caller might pass anywhere. */
const junk = fc.oneof(
  fc.constantFrom(
    null,
    undefined,
    '',
    ' ',
    'NaN',
    'Infinity',
    '-0',
    '1e400',
    '0x10',
    '１２',
    '💥',
    'BTC\u0000/USDT',
  ),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constant({}),
  fc.array(fc.integer(), { maxLength: 2 }),
);

/** Decimal-ish text: valid, negative, zero, huge, exponent, too many places. */
const amount = fc.oneof(
  fc.constantFrom(
    '0.001',
    '0.0001',
    '0.00012',
    '1',
    '-1',
    '0',
    '0.000000001',
    '99999999999999999999',
    '1e-3',
    '.5',
    '5.',
  ),
  fc.integer({ min: -5, max: 5 }),
  fc.double({ min: -1, max: 1, noNaN: false }),
  junk,
);
const price = fc.oneof(
  fc.constantFrom('60000', '60000.01', '60000.001', '-60000', '0', '1e5', '0.01', '6000000000'),
  junk,
);

const anyOrderField = fc.record(
  {
    symbol: fc.oneof(
      fc.constantFrom('BTC/USDT', 'btc/usdt', 'BTCUSDT', 'ETH/USDT', 'BTC/XYZ', 'BTC/', '/USDT', 'БТК/USDT'),
      junk,
    ),
    side: fc.oneof(fc.constantFrom('buy', 'SELL', 'Buy', 'hold'), junk),
    type: fc.oneof(fc.constantFrom('limit', 'MARKET', 'stop_loss_limit', 'limit_maker', 'iceberg'), junk),
    quantity: amount,
    quoteQuantity: amount,
    price,
    stopPrice: price,
    timeInForce: fc.oneof(fc.constantFrom('GTC', 'ioc', 'FOK', 'GTD'), junk),
    clientOrderId: fc.oneof(fc.constantFrom('ok-id-1', 'x'.repeat(37), 'bad id', 'ünïcode'), junk),
  },
  { requiredKeys: [] },
);

/** A valid order (a resting limit or a small market order) with none, one or two fields replaced. */
const orderInput = fc
  .tuple(
    fc.constantFrom<Record<string, unknown>>(
      {
        symbol: 'BTC/USDT',
        side: 'buy',
        type: 'limit',
        quantity: '0.001',
        price: '50000.00',
        timeInForce: 'GTC',
      },
      {
        symbol: 'BTC/USDT',
        side: 'sell',
        type: 'limit',
        quantity: '0.002',
        price: '70000.00',
        timeInForce: 'GTC',
      },
      { symbol: 'ETH/USDT', side: 'BUY', type: 'LIMIT', quantity: '0.01', price: '2500.00' },
      { symbol: 'BTC/USDT', side: 'buy', type: 'market', quoteQuantity: '20' },
    ),
    anyOrderField,
    fc.integer({ min: 0, max: 2 }),
  )
  .map(([base, replacements, count]) => {
    const input: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(replacements).slice(0, count)) input[key] = value;
    return input;
  });

/** A typed refusal: a ValidationError that names the field and the rule. */
function expectNamedRefusal(error: unknown): asserts error is ValidationError {
  expect(error).toBeInstanceOf(ValidationError);
  const context = (error as ValidationError).context as { field?: unknown; rule?: unknown };
  expect(typeof context.field).toBe('string');
  expect(typeof context.rule).toBe('string');
}

describe('order parameters', () => {
  it('normalizeOrderRequest returns the exact order or a ValidationError naming the field', () => {
    fc.assert(
      fc.property(orderInput, (input) => {
        let request: ReturnType<typeof normalizeOrderRequest>;
        try {
          request = normalizeOrderRequest(input);
        } catch (error) {
          expectNamedRefusal(error);
          return;
        }
        // Accepted: every amount is the caller's decimal, exactly, and positive.
        for (const name of ['quantity', 'quoteQuantity', 'price', 'stopPrice'] as const) {
          const value = request[name];
          if (value === undefined) continue;
          expect(value.gt(0)).toBe(true);
          expect(value.eq(String((input as Record<string, unknown>)[name]))).toBe(true);
        }
        expect(['buy', 'sell']).toContain(request.side);
      }),
      { numRuns: 2000, seed: 1121 },
    );
  });
});

describe('over real sockets: a session and a stream manager on the fake Binance', () => {
  let fake: FakeBinance;
  let adapter: BinanceAdapter;
  let manager: UserManager;
  let streams: StreamManager;
  let session: TradingSession;
  const orderRequests: RequestEvent[] = [];
  const offs: Array<() => void> = [];

  beforeAll(async () => {
    fake = await startFakeBinance({
      symbols: ['BTCUSDT', 'ETHUSDT'],
      simulation: false,
      accounts: [
        { id: 'fuzz', apiKey: KEY, secretKey: SECRET, balances: { BTC: '5', ETH: '50', USDT: '500000' } },
      ],
    });
    adapter = new BinanceAdapter({
      urls: { rest: fake.restUrl, streams: fake.streamsUrl, wsApi: fake.wsApiUrl },
    });
    manager = new UserManager({ adapters: adapter });
    streams = new StreamManager({ registry: new ExchangeRegistry([adapter]) });
    session = await manager.connectUser('fuzz', KEY, SECRET);
    const isOrder = (event: RequestEvent) => event.path === '/api/v3/order' || event.path === 'order.place';
    for (const channel of [telemetry.requestResolved, telemetry.requestRejected]) {
      offs.push(channel.subscribe((event) => isOrder(event) && orderRequests.push(event)));
    }
  });
  afterAll(async () => {
    for (const off of offs) off();
    await streams?.close();
    await manager?.close();
    await adapter?.close();
    await fake?.close();
  });

  it('placeOrder: a ValidationError before anything is sent, or an order the exchange has exactly', async () => {
    let placed = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(orderInput, async (input) => {
        const sentBefore = orderRequests.length;
        const ordersBefore = fake.handle.orders('fuzz').length;
        try {
          // The session takes unknown input as a caller's JavaScript would pass it.
          const order = await session.placeOrder(
            input as unknown as Parameters<TradingSession['placeOrder']>[0],
          );
          placed++;
          const truth = fake.handle.engine.getOrder('fuzz', {
            symbol: order.symbol.replace('/', ''),
            origClientOrderId: order.clientOrderId,
          });
          expect(order.quantity.eq(truth.origQty)).toBe(true);
          expect(order.status).toBe(truth.status.toLowerCase());
          if (truth.status === 'NEW') await session.cancelOrder({ symbol: order.symbol, orderId: order.id });
        } catch (error) {
          expect(isVenuekitError(error)).toBe(true);
          // Nothing reached the venue: then it was the input, and the error says which field.
          if (orderRequests.length === sentBefore) {
            refused++;
            expectNamedRefusal(error);
            expect(fake.handle.orders('fuzz').length).toBe(ordersBefore);
          }
        }
      }),
      { numRuns: 300, seed: 1121 },
    );
    // Both sides of the property were exercised.
    expect(refused).toBeGreaterThan(50);
    expect(placed).toBeGreaterThan(20);
  });

  it('stream requests: bad symbols, kinds and levels are refused before a venue subscription exists', async () => {
    const anyField = fc.record(
      {
        kind: fc.oneof(
          fc.constantFrom('trades', 'ticker', 'depth', 'klines', 'orderBook', 'candles', 'TRADES'),
          junk,
        ),
        symbol: fc.oneof(
          fc.constantFrom(
            'ETH/USDT',
            'eth/usdt',
            'ETHUSDT',
            'ETH/',
            'ETH/USDT/X',
            'ЕТН/USDT',
            'ETH/USDT ',
            '🚀/USDT',
            'ABC/DEF',
          ),
          fc.string({ maxLength: 12 }),
          junk,
        ),
        levels: fc.oneof(fc.constantFrom(5, 10, 20, 15, 0, -5, 5.5), junk),
        interval: fc.oneof(fc.constantFrom('1m', '1h', '7m', '1M'), junk),
      },
      { requiredKeys: [] },
    );
    // A valid request with none, one or two fields replaced.
    const request = fc
      .tuple(
        fc.constantFrom<Record<string, unknown>>(
          { kind: 'trades', symbol: 'ETH/USDT' },
          { kind: 'depth', symbol: 'ETH/USDT', levels: 10 },
          { kind: 'klines', symbol: 'BTC/USDT', interval: '1m' },
          { kind: 'ticker', symbol: 'BTC/USDT' },
        ),
        anyField,
        fc.integer({ min: 0, max: 2 }),
      )
      .map(([base, replacements, count]) => {
        const spec: Record<string, unknown> = { ...base };
        for (const [key, value] of Object.entries(replacements).slice(0, count)) spec[key] = value;
        return spec;
      });
    let refused = 0;
    let wellFormed = 0;
    await fc.assert(
      fc.asyncProperty(request, async (spec) => {
        const streamsBefore = adapter.marketData.streamStats().length;
        let subscription: ReturnType<StreamManager['subscribe']>;
        try {
          subscription = streams.subscribe(
            spec as unknown as Parameters<StreamManager['subscribe']>[0],
            () => {},
          );
        } catch (error) {
          refused++;
          expectNamedRefusal(error);
          expect(adapter.marketData.streamStats().length).toBe(streamsBefore);
          return;
        }
        // Well formed: the venue confirms it or refuses it with a typed error; either way it is released.
        wellFormed++;
        try {
          await subscription.ready;
        } catch (error) {
          expect(isVenuekitError(error)).toBe(true);
        } finally {
          await subscription.unsubscribe();
        }
      }),
      { numRuns: 200, seed: 1121 },
    );
    expect(refused).toBeGreaterThan(50);
    expect(wellFormed).toBeGreaterThan(10);
    expect(adapter.marketData.streamStats().filter((s) => s.subscribers > 0)).toEqual([]);
  });

  it('user ids: refused with a ValidationError naming userId, or connected (and the wrong key refused by the venue)', async () => {
    let askedVenue = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 140 }),
          fc.stringMatching(/^[A-Za-z0-9_:@+-]{1,20}$/),
          fc.constantFrom('a b', 'ünï', 'x'.repeat(129), 'ok-user_1:@+'),
        ),
        async (userId) => {
          try {
            await manager.connectUser(userId, 'LEAKCHECKnotAKnownKey'.padEnd(64, 'Z'), SECRET);
            await manager.disconnectUser(userId);
            throw new Error('a key the venue does not know was accepted');
          } catch (error) {
            expect(isVenuekitError(error)).toBe(true);
            if (error instanceof ValidationError) {
              expect((error.context as { field?: string }).field).toMatch(/userId|credentials/);
            } else {
              askedVenue++;
              expect((error as { category?: string }).category).toBe('authentication');
            }
          }
        },
      ),
      { numRuns: 60, seed: 1121 },
    );
    expect(askedVenue).toBeGreaterThan(3);
    expect(manager.stats().totalUsers).toBe(1);
  });
});

describe('configuration', () => {
  const anyValue = fc.oneof(
    junk,
    fc.integer({ min: -10, max: 100_000 }),
    fc.constantFrom(0, 1, 5, 1024, 3_600_000),
  );
  const config = fc.record(
    {
      environment: fc.oneof(fc.constantFrom('prod', 'testnet', 'demo', 'mainnet'), junk),
      urls: fc.oneof(
        fc.record(
          { rest: fc.oneof(fc.constantFrom('http://127.0.0.1:1', 'ftp://x', 'not a url'), junk) },
          { requiredKeys: [] },
        ),
        junk,
      ),
      rest: fc.oneof(fc.record({ timeoutMs: anyValue }, { requiredKeys: [] }), junk),
      streams: fc.oneof(
        fc.record(
          {
            pingIntervalMs: anyValue,
            maxStreamsPerConnection: anyValue,
            maxControlMessagesPerSecond: anyValue,
            backfillTrades: anyValue,
            reconnect: fc.oneof(
              fc.record({ initialDelayMs: anyValue, maxDelayMs: anyValue }, { requiredKeys: [] }),
              junk,
            ),
          },
          { requiredKeys: [] },
        ),
        junk,
      ),
      orderBook: fc.oneof(fc.record({ snapshotLimit: anyValue }, { requiredKeys: [] }), junk),
    },
    { requiredKeys: [] },
  );

  it('resolveBinanceConfig returns a usable config or a ValidationError naming the field', () => {
    let refused = 0;
    fc.assert(
      fc.property(config, (input) => {
        let resolved: ReturnType<typeof resolveBinanceConfig>;
        try {
          resolved = resolveBinanceConfig(input as Parameters<typeof resolveBinanceConfig>[0]);
        } catch (error) {
          refused++;
          expectNamedRefusal(error);
          return;
        }
        for (const value of [
          resolved.rest.timeoutMs,
          resolved.streams.pingIntervalMs,
          resolved.streams.maxStreamsPerConnection,
          resolved.streams.reconnect.initialDelayMs,
          resolved.orderBook.snapshotLimit,
        ]) {
          expect(Number.isFinite(value) && value >= 0).toBe(true);
        }
        expect(typeof resolved.streams.backfillTrades).toBe('boolean');
        expect(['prod', 'testnet', 'demo']).toContain(resolved.environment);
      }),
      { numRuns: 2000, seed: 1121 },
    );
    expect(refused).toBeGreaterThan(500);
  });
});
