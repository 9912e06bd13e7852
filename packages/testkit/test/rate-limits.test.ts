import { Decimal, ManualClock } from '@venuekit/core';
import { describe, expect, it } from 'vitest';
import { ALICE_KEY, ALICE_SECRET, startTestExchange } from './support/fake';
import { hmacHex, wsPayload } from './support/signing';
import { TestSocket } from './support/ws-client';

// Request weight per IP (X-MBX-USED-WEIGHT-<n><letter>, 429 + Retry-After + -1003, then 418 bans that
// escalate) and order counts per account (X-MBX-ORDER-COUNT-*, -1015), with shrunken limits.

describe('REST rate limits', () => {
  it('resets the used weight at each minute boundary', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1, 12, 0, 30));
    const t = await startTestExchange({ clock });
    try {
      await t.public.get('/api/v3/exchangeInfo');
      const second = await t.public.get('/api/v3/ping');
      expect(second.headers.get('x-mbx-used-weight-1m')).toBe('21');
      await clock.advance(30_000);
      const next = await t.public.get('/api/v3/ping');
      expect(next.headers.get('x-mbx-used-weight-1m')).toBe('1');
    } finally {
      await t.close();
    }
  });

  it('answers 429 with Retry-After, then bans with 418 an IP that keeps going, longer each time', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1, 12, 0, 45));
    const t = await startTestExchange({
      clock,
      limits: { requestWeight: 10, requestsAfter429BeforeBan: 1, firstBanMs: 120_000 },
    });
    try {
      const exhaust = await t.public.get('/api/v3/ticker/24hr', { symbol: 'BTCUSDT' }); // 2
      expect(exhaust.status).toBe(200);
      for (let i = 0; i < 4; i++) await t.public.get('/api/v3/ticker/24hr', { symbol: 'BTCUSDT' }); // 10
      const limited = await t.public.get('/api/v3/ping');
      expect(limited.status).toBe(429);
      expect(limited.body).toEqual({
        code: -1003,
        msg: 'Too much request weight used; current limit is 10 request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.',
      });
      expect(limited.headers.get('retry-after')).toBe('15');
      expect(limited.headers.get('x-mbx-used-weight-1m')).toBe('10');
      expect((await t.public.get('/api/v3/ping')).status).toBe(429);
      const banned = await t.public.get('/api/v3/ping');
      expect(banned.status).toBe(418);
      const until = clock.now() + 120_000;
      expect(banned.body).toEqual({
        code: -1003,
        msg: `Way too much request weight used; IP banned until ${until}. Please use WebSocket Streams for live updates to avoid bans.`,
      });
      expect(banned.headers.get('retry-after')).toBe('120');
      // Still banned in the next minute; free again once the ban is over.
      await clock.advance(60_000);
      expect((await t.public.get('/api/v3/ping')).status).toBe(418);
      await clock.advance(60_000);
      expect((await t.public.get('/api/v3/ping')).status).toBe(200);
      // A second offence doubles the ban.
      await clock.advance(60_000 - (clock.now() % 60_000));
      for (let i = 0; i < 5; i++) await t.public.get('/api/v3/ticker/24hr', { symbol: 'BTCUSDT' });
      await t.public.get('/api/v3/ping');
      await t.public.get('/api/v3/ping');
      const again = await t.public.get('/api/v3/ping');
      expect(again.status).toBe(418);
      expect(again.headers.get('retry-after')).toBe('240');
    } finally {
      await t.close();
    }
  });

  it('refuses even an order once the weight is used up, though a successful order costs none', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1, 12, 0, 1));
    const t = await startTestExchange({ clock, limits: { requestWeight: 10 } });
    t.alice.now = () => clock.now();
    try {
      const order = () =>
        t.alice.signed('POST', '/api/v3/order', {
          symbol: 'BTCUSDT',
          side: 'BUY',
          type: 'LIMIT',
          timeInForce: 'GTC',
          quantity: '0.01',
          price: '50000',
        });
      for (let i = 0; i < 5; i++) await t.public.get('/api/v3/ticker/24hr', { symbol: 'BTCUSDT' });
      const refused = await order();
      expect([refused.status, (refused.body as { code: number }).code]).toEqual([429, -1003]);
      expect(t.fake.handle.orders('alice')).toHaveLength(0);
      await clock.advance(60_000);
      const placed = await order();
      expect(placed.status).toBe(200);
      expect(placed.headers.get('x-mbx-used-weight-1m')).toBe('0');
    } finally {
      await t.close();
    }
  });

  it('counts orders per account and answers -1015 without Retry-After past the limit', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1, 12, 0, 1));
    const t = await startTestExchange({ clock, limits: { ordersPer10s: 2 } });
    t.alice.now = () => clock.now();
    t.ed.now = () => clock.now();
    try {
      const order = () =>
        t.alice.signed('POST', '/api/v3/order', {
          symbol: 'BTCUSDT',
          side: 'BUY',
          type: 'LIMIT',
          timeInForce: 'GTC',
          quantity: '0.01',
          price: '50000',
        });
      const first = await order();
      const second = await order();
      expect([first.status, second.status]).toEqual([200, 200]);
      expect(second.headers.get('x-mbx-order-count-10s')).toBe('2');
      const third = await order();
      expect(third.status).toBe(429);
      expect(third.body).toEqual({
        code: -1015,
        msg: 'Too many new orders; current limit is 2 orders per 10 SECOND.',
      });
      expect(third.headers.get('retry-after')).toBeNull();
      expect(t.fake.handle.orders('alice')).toHaveLength(2);
      // Other accounts are not affected.
      const ed = await t.ed.signed('POST', '/api/v3/order', {
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'LIMIT',
        timeInForce: 'GTC',
        quantity: '0.01',
        price: '50000',
      });
      expect(ed.status).toBe(200);
      // The next 10-second window accepts orders again.
      await clock.advance(10_000);
      expect((await order()).status).toBe(200);
    } finally {
      await t.close();
    }
  });
});

// rest-api.md "LIMITS": the windows are named by `interval` and `intervalNum` (enums.md "Rate
// limiters"), and the weight header by `(intervalNum)(intervalLetter)` (SECOND => S, MINUTE => M…).
describe('rate limit windows as Binance names them', () => {
  type Limit = {
    rateLimitType: string;
    interval: string;
    intervalNum: number;
    limit: number;
    count?: number;
  };
  const weightOf = (limits: Limit[] | undefined) => limits?.find((l) => l.rateLimitType === 'REQUEST_WEIGHT');

  it('reports a 10-second weight window in exchangeInfo, the header and the WebSocket API rateLimits', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1, 12, 0, 1));
    const t = await startTestExchange({
      clock,
      limits: { requestWeight: 50, requestWeightWindowMs: 10_000, rawRequestsWindowMs: 120_000 },
    });
    const socket = await TestSocket.open(t.fake.wsApiUrl);
    try {
      const info = await t.public.get('/api/v3/exchangeInfo');
      const rateLimits = (info.body as { rateLimits: Limit[] }).rateLimits;
      expect(rateLimits).toEqual([
        { rateLimitType: 'REQUEST_WEIGHT', interval: 'SECOND', intervalNum: 10, limit: 50 },
        { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 50 },
        { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 160_000 },
        { rateLimitType: 'RAW_REQUESTS', interval: 'MINUTE', intervalNum: 2, limit: 300_000 },
      ]);
      // The WebSocket API connection (2) and exchangeInfo (20), in the 10-second window's header.
      expect(info.headers.get('x-mbx-used-weight-10s')).toBe('22');
      expect(info.headers.get('x-mbx-used-weight-1m')).toBeNull();

      type Envelope = { status: number; result: { rateLimits?: Limit[] }; rateLimits?: Limit[] };
      const answer = await socket.request<Envelope>({ id: 'info', method: 'exchangeInfo', params: {} });
      expect(answer.status).toBe(200);
      expect(weightOf(answer.result.rateLimits)).toEqual(weightOf(rateLimits));
      expect(weightOf(answer.rateLimits)).toEqual({
        rateLimitType: 'REQUEST_WEIGHT',
        interval: 'SECOND',
        intervalNum: 10,
        limit: 50,
        count: 42,
      });

      // The window really is 10 seconds: the next one starts at zero, and the 429 names it.
      await clock.advance(10_000);
      const next = await t.public.get('/api/v3/ping');
      expect(next.headers.get('x-mbx-used-weight-10s')).toBe('1');
      for (let i = 0; i < 2; i++) await t.public.get('/api/v3/exchangeInfo');
      const limited = await t.public.get('/api/v3/exchangeInfo');
      expect(limited.status).toBe(429);
      expect((limited.body as { msg: string }).msg).toMatch(
        /current limit is 50 request weight per 10 SECOND\./,
      );
      expect(limited.headers.get('x-mbx-used-weight-10s')).toBe('41');
      // A scripted 429 names the same limit and window.
      t.fake.handle.faults.failRequests({ endpoint: '/api/v3/time', action: { type: 'error', status: 429 } });
      await clock.advance(10_000);
      const scripted = await t.public.get('/api/v3/time');
      expect([scripted.status, (scripted.body as { msg: string }).msg]).toEqual([
        429,
        expect.stringMatching(/current limit is 50 request weight per 10 SECOND\./),
      ]);
    } finally {
      await socket.close();
      await t.close();
    }
  });

  it("reports Binance's own windows by default", async () => {
    const t = await startTestExchange();
    try {
      const info = await t.public.get('/api/v3/exchangeInfo');
      expect((info.body as { rateLimits: Limit[] }).rateLimits).toEqual([
        { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 },
        { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 50 },
        { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 160_000 },
        { rateLimitType: 'RAW_REQUESTS', interval: 'MINUTE', intervalNum: 5, limit: 300_000 },
      ]);
      expect(info.headers.get('x-mbx-used-weight-1m')).toBe('20');
    } finally {
      await t.close();
    }
  });
});

// faqs/order_count_decrement.md (official docs): an order's first fill takes one (as taker) or
// more (as maker; the FAQ's example: 5) off the current unfilled order counts, never below zero;
// cancels, expiries and later fills change nothing. The tables below are the FAQ's examples.
describe('the unfilled order count (faqs/order_count_decrement.md)', () => {
  const startOfWindow = Date.UTC(2026, 0, 1, 12, 0, 0);

  async function exchange() {
    const clock = new ManualClock(startOfWindow);
    const t = await startTestExchange({ clock, limits: { ordersPer10s: 100 } });
    t.alice.now = () => clock.now();
    const at = (second: number) => clock.set(startOfWindow + second * 1000);
    const limit = (side: 'BUY' | 'SELL', price: string, quantity = '0.01', extra = {}) =>
      t.alice.signed<{ orderId: number; status: string }>('POST', '/api/v3/order', {
        symbol: 'BTCUSDT',
        side,
        type: 'LIMIT',
        timeInForce: 'GTC',
        quantity,
        price,
        ...extra,
      });
    const answered = (answer: { headers: Headers }) => Number(answer.headers.get('x-mbx-order-count-10s'));
    const current = async () => {
      const answer = await t.alice.signed<Array<{ interval: string; count: number }>>(
        'GET',
        '/api/v3/rateLimit/order',
      );
      const [tenSeconds, day] = answer.body.map((entry) => entry.count);
      expect(day).toBe(tenSeconds); // decremented "for all intervals"
      return tenSeconds;
    };
    /** The rest of the market trading against alice's resting orders. */
    const marketTakes = (side: 'BUY' | 'SELL', price: string, quantity: string) =>
      t.engine.placeOrder('maker', {
        symbol: 'BTCUSDT',
        side,
        type: 'LIMIT',
        timeInForce: 'IOC',
        price: new Decimal(price),
        quantity: new Decimal(quantity),
      });
    return { t, clock, at, limit, answered, current, marketTakes };
  }

  it('Example 1, taker: an order that trades on arrival is counted, then taken off', async () => {
    const { t, at, limit, answered, current, marketTakes } = await exchange();
    try {
      at(1);
      expect(answered(await limit('BUY', '50000'))).toBe(1); // A
      at(2);
      const b = await limit('BUY', '60001', '0.15'); // B: 0.1 filled as taker, 0.05 rests
      expect([b.body.status, answered(b)]).toEqual(['PARTIALLY_FILLED', 2]);
      expect(await current()).toBe(1); // first fill as taker (-1)
      at(3);
      expect(answered(await limit('BUY', '50000'))).toBe(2); // C
      at(4);
      marketTakes('SELL', '60001', '0.02'); // B partially filled again
      marketTakes('SELL', '60001', '0.03'); // B filled
      expect(await current()).toBe(2);
      at(5);
      const d = await t.alice.signed('POST', '/api/v3/order', {
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'MARKET',
        quantity: '0.01',
      });
      expect(answered(d)).toBe(3); // D: the answer still counts it
      expect(await current()).toBe(2); // fully filled as taker (-1)
    } finally {
      await t.close();
    }
  });

  it('Example 2, maker: a first fill in the maker phase takes off more, down to zero', async () => {
    const { t, at, limit, answered, current, marketTakes } = await exchange();
    try {
      t.engine.cancelOpenOrders('maker', 'BTCUSDT'); // alice's asks are the whole ask side
      at(1);
      await limit('SELL', '60100'); // A
      await limit('SELL', '60200'); // B
      at(2);
      await limit('SELL', '60300'); // C
      await limit('SELL', '60300'); // D
      expect(answered(await limit('SELL', '60300'))).toBe(5); // E
      at(3);
      marketTakes('BUY', '60100', '0.005'); // A partially filled
      expect(await current()).toBe(0); // first fill as maker (-5)
      at(4);
      await limit('SELL', '60400'); // F
      expect(answered(await limit('SELL', '60400'))).toBe(2); // G
      at(5);
      marketTakes('BUY', '60100', '0.005'); // A filled
      expect(await current()).toBe(2);
      marketTakes('BUY', '60200', '0.005'); // B partially filled
      expect(await current()).toBe(0); // -5, not below zero
      at(6);
      expect(answered(await limit('SELL', '60400'))).toBe(1); // H
    } finally {
      await t.close();
    }
  });

  it('cancels and expiries change nothing; a filled FOK order is taken off', async () => {
    const { t, at, limit, answered, current } = await exchange();
    try {
      at(1);
      const a = await limit('BUY', '50000');
      at(2);
      await t.alice.signed('DELETE', '/api/v3/order', { symbol: 'BTCUSDT', orderId: a.body.orderId });
      expect(await current()).toBe(1);
      expect(answered(await limit('BUY', '50000'))).toBe(2); // B
      at(3);
      const c = await limit('BUY', '60001', '0.01', { timeInForce: 'FOK' });
      expect([c.body.status, answered(c)]).toEqual(['FILLED', 3]);
      expect(await current()).toBe(2);
      at(5);
      const d = await limit('BUY', '50000');
      expect(answered(d)).toBe(3);
      at(6);
      const e = await limit('BUY', '59000', '0.01', { timeInForce: 'FOK' });
      expect([e.body.status, answered(e)]).toEqual(['EXPIRED', 4]);
      expect(await current()).toBe(4);
      at(7);
      await t.alice.signed('DELETE', '/api/v3/order', { symbol: 'BTCUSDT', orderId: d.body.orderId });
      expect(answered(await limit('BUY', '50000'))).toBe(5); // F
    } finally {
      await t.close();
    }
  });

  it('lets a trader whose orders fill keep trading past the limit, on REST and the WebSocket API', async () => {
    const clock = new ManualClock(startOfWindow + 1000);
    const t = await startTestExchange({ clock, limits: { ordersPer10s: 3 } });
    t.alice.now = () => clock.now();
    const socket = await TestSocket.open(t.fake.wsApiUrl);
    try {
      const market = () =>
        t.alice.signed('POST', '/api/v3/order', {
          symbol: 'BTCUSDT',
          side: 'BUY',
          type: 'MARKET',
          quantity: '0.001',
        });
      for (let i = 0; i < 6; i++) expect((await market()).status).toBe(200);
      const signedWs = (params: Record<string, string | number>) => {
        const withKey = { ...params, apiKey: ALICE_KEY, timestamp: clock.now() };
        return { ...withKey, signature: hmacHex(ALICE_SECRET, wsPayload(withKey)) };
      };
      type Envelope = { status: number; rateLimits?: Array<{ rateLimitType: string; count: number }> };
      const ordersCount = (answer: Envelope) =>
        answer.rateLimits?.find((entry) => entry.rateLimitType === 'ORDERS')?.count;
      const placed = await socket.request<Envelope>({
        id: 'market',
        method: 'order.place',
        params: signedWs({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.001' }),
      });
      expect([placed.status, ordersCount(placed)]).toEqual([200, 1]); // counted in its answer
      const counts = await socket.request<Envelope & { result: Array<{ count: number }> }>({
        id: 'counts',
        method: 'account.rateLimits.orders',
        params: signedWs({}),
      });
      expect(counts.result.map((entry) => entry.count)).toEqual([0, 0]); // then taken off
      // Orders that rest are not taken off: the fourth in the window is refused.
      const resting = () =>
        t.alice.signed('POST', '/api/v3/order', {
          symbol: 'BTCUSDT',
          side: 'BUY',
          type: 'LIMIT',
          timeInForce: 'GTC',
          quantity: '0.01',
          price: '50000',
        });
      expect([(await resting()).status, (await resting()).status, (await resting()).status]).toEqual([
        200, 200, 200,
      ]);
      expect((await resting()).body).toEqual({
        code: -1015,
        msg: 'Too many new orders; current limit is 3 orders per 10 SECOND.',
      });
    } finally {
      await socket.close();
      await t.close();
    }
  });
});
