import { ManualClock } from '@venuekit/core';
import { describe, expect, it } from 'vitest';
import { startTestExchange } from './support/fake';

// Request weight per IP (X-MBX-USED-WEIGHT-1M, 429 + Retry-After + -1003, then 418 bans that
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
