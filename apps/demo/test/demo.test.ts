import { connect } from 'node:net';
import { ERROR_CATALOGUE } from '@venuekit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Demo, startDemo } from '../src/demo';
import type { WireBook, WireMarketSnapshot, WireOrder, WireUpdate } from '../src/wire';
import { LiveClient } from './support/live-client';

// The demo as `npm run demo` starts it (fake Binance, venuekit, dashboard server), driven over
// real sockets on 127.0.0.1 through the same WebSocket and HTTP API the page uses.

let demo: Demo;
let client: LiveClient;

beforeAll(async () => {
  demo = await startDemo({ port: 0, seed: 11 });
  client = new LiveClient(demo.url);
  await client.opened;
}, 60_000);

afterAll(async () => {
  await client?.close();
  await demo?.close();
});

function updates(): WireUpdate[] {
  return client.messages.filter((m): m is WireUpdate => m.type === 'update');
}

function portOf(url: string): number {
  return Number(new URL(url).port);
}

describe('the demo over its own sockets', () => {
  it('greets a page with the venue, the markets, the faults and the current picture', async () => {
    const hello = await client.waitFor('hello', () => client.messages.find((m) => m.type === 'hello'));
    expect(hello).toMatchObject({
      type: 'hello',
      venue: 'fake',
      bus: 'in-process',
      symbols: ['BTC/USDT', 'ETH/USDT', 'BNB/USDT', 'ETH/BTC'],
      intervals: ['1s', '1m'],
      trading: true,
    });
    if (hello.type !== 'hello') throw new Error('unreachable');
    expect(hello.faults.map((f) => f.id)).toEqual([
      'drop',
      'stall',
      'depthGap',
      'dropUserData',
      'ambiguousOrder',
    ]);
    expect(demo.marketReady).toBe(true);
  });

  it('streams live prices, candles, trades and a consistent book for the watched market', async () => {
    client.watch('BTC/USDT', '1s');
    const snapshot = await client.waitFor('the BTC/USDT snapshot', () =>
      client.messages.find((m): m is WireMarketSnapshot => m.type === 'market' && m.symbol === 'BTC/USDT'),
    );
    expect(snapshot.interval).toBe('1s');
    const seen = updates().length;
    // Prices move: tickers and trades keep arriving after the snapshot.
    await client.waitFor('two BTC/USDT ticker updates', () => {
      const later = updates().slice(seen);
      return later.filter((u) => u.tickers?.some((t) => t.symbol === 'BTC/USDT')).length >= 2;
    });
    await client.waitFor('BTC/USDT trades', () =>
      updates().some((u) => u.symbol === 'BTC/USDT' && u.trades?.length),
    );
    await client.waitFor('1s candles', () =>
      updates().some((u) => u.symbol === 'BTC/USDT' && u.candles?.length),
    );
    const book = await client.waitFor('a synced book', () =>
      updates()
        .map((u) => u.book)
        .reverse()
        .find((b): b is WireBook => b?.state === 'synced' && b.bids.length > 0 && b.asks.length > 0),
    );
    const bids = book.bids.map(([p]) => Number(p));
    const asks = book.asks.map(([p]) => Number(p));
    expect(bids).toEqual([...bids].sort((a, b) => b - a));
    expect(asks).toEqual([...asks].sort((a, b) => a - b));
    expect(bids[0]).toBeLessThan(asks[0] as number);
    // Decimals travel as exact strings.
    expect(book.bids[0]?.[0]).toMatch(/^\d+(\.\d+)?$/);
  });

  it('serves the page, its assets and venuekit health endpoints, and nothing else', async () => {
    const page = await fetch(demo.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await page.text()).toContain('<script type="module" src="/app.js">');
    for (const asset of ['app.js', 'charts.js', 'format.js', 'style.css', 'favicon.svg']) {
      expect((await fetch(new URL(asset, demo.url))).status, asset).toBe(200);
    }
    expect((await fetch(new URL('/../package.json', demo.url))).status).toBe(404);
    expect((await fetch(new URL('/src/demo.ts', demo.url))).status).toBe(404);
    const health = await fetch(new URL('/ops/health', demo.url));
    expect([200, 503]).toContain(health.status);
    expect(((await health.json()) as { components: Record<string, unknown> }).components).toHaveProperty(
      'websocketConnections',
    );
    const metrics = await (await fetch(new URL('/ops/metrics', demo.url))).text();
    expect(metrics).toContain('venuekit_ws_connections_opened_total');
  });

  it('refuses cross-site and non-JSON requests before doing anything', async () => {
    const crossSite = await client.post('/api/faults', { fault: 'drop' }, { Origin: 'http://evil.example' });
    expect(crossSite.status).toBe(403);
    const form = await fetch(new URL('/api/faults', demo.url), {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: '{"fault":"drop"}',
    });
    expect(form.status).toBe(415);
    const badJson = await client.post('/api/faults', '{not json');
    expect(badJson.status).toBe(400);
    const unknownFault = await client.post('/api/faults', { fault: 'meteor' });
    expect(unknownFault.status).toBe(400);
    expect(unknownFault.answer).toMatchObject({
      ok: false,
      error: { code: 'INVALID_PARAMETER', field: 'fault' },
    });
    // None of them reached the fake exchange: every injection is logged, and none was.
    expect(demo.incidents.recent().filter((i) => i.text.startsWith('fault injected'))).toEqual([]);
  });

  it('shows a dropped market-data connection in the health panel, then its recovery', async () => {
    const before = demo.system.venuekit
      .exchange()
      .status()
      .connections.reduce((n, c) => n + c.reconnects, 0);
    const { status, answer } = await client.post<{ connections: number }>('/api/faults', { fault: 'drop' });
    expect(status).toBe(200);
    expect(answer.ok && answer.result.connections).toBeGreaterThan(0);
    await client.waitFor(
      'the reconnect in the health panel',
      () => (client.health?.totalReconnects ?? 0) > before,
    );
    await client.waitFor('an incident naming the lost connection', () =>
      updates().some((u) => u.incidents?.some((i) => /market data connection .* closed/.test(i.text))),
    );
    await client.waitFor('every connection open again', () => {
      const health = client.health;
      return (
        health !== undefined &&
        health.totalReconnects > before &&
        health.connections.length > 0 &&
        health.connections.every((c) => c.state === 'open')
      );
    });
    // And the data flows again: a fresh ticker after recovery.
    const seen = updates().length;
    await client.waitFor('a ticker after the reconnect', () =>
      updates()
        .slice(seen)
        .some((u) => u.tickers?.length),
    );
  });

  it('rebuilds a book from a snapshot after an injected depth gap', async () => {
    client.watch('ETH/USDT', '1m');
    await client.waitFor('the ETH/USDT book in sync', () => lastBook('ETH/USDT')?.state === 'synced');
    const resyncsBefore = lastBook('ETH/USDT')?.resyncs ?? 0;
    const seen = updates().length;
    const { status, answer } = await client.post<{ text: string }>('/api/faults', {
      fault: 'depthGap',
      symbol: 'ETH/USDT',
    });
    expect(status).toBe(200);
    expect(answer.ok && answer.result.text).toBe('the next ETH/USDT depth update will be skipped');
    const later = () => updates().slice(seen);
    // The stale spell can be shorter than one push interval: the counter is what always shows it.
    await client.waitFor('the resync counted', () => (lastBook('ETH/USDT')?.resyncs ?? 0) > resyncsBefore);
    await client.waitFor('the book in sync again', () => lastBook('ETH/USDT')?.state === 'synced');
    await client.waitFor('the rebuild in the incident log', () =>
      later().some((u) => u.incidents?.some((i) => i.text.startsWith('ETH/USDT order book rebuilt'))),
    );
    // Other markets' books were not touched.
    expect(later().some((u) => u.incidents?.some((i) => i.text.startsWith('BTC/USDT order book')))).toBe(
      false,
    );
  });

  it('places and cancels orders for either user, shown in their open orders and on the venue', async () => {
    await client.waitFor(
      'both users ready',
      () => client.users.length === 2 && client.users.every((u) => u.state === 'ready'),
    );
    const fake = demo.system.fake!;
    const price = belowMarket('BTCUSDT', 0.9);
    const placed = await client.post<WireOrder>('/api/orders', {
      user: 'alice',
      symbol: 'BTC/USDT',
      side: 'buy',
      type: 'limit',
      price,
      quantity: '0.01',
      timeInForce: 'GTC',
    });
    expect(placed.status).toBe(200);
    if (!placed.answer.ok) throw new Error(placed.answer.error.message);
    const order = placed.answer.result;
    expect(order).toMatchObject({
      symbol: 'BTC/USDT',
      side: 'buy',
      type: 'limit',
      status: 'new',
      price,
      quantity: '0.01',
    });
    expect(order.clientOrderId).toMatch(/^demo/);
    expect(fake.handle.orders('alice').map((o) => String(o.orderId))).toContain(order.id);
    expect(fake.handle.orders('bob')).toEqual([]);
    await client.waitFor("the order in alice's open orders", () =>
      client.user('alice')?.openOrders.some((o) => o.id === order.id),
    );
    expect(client.user('bob')?.openOrders).toEqual([]);
    // 600 USDT are locked for it.
    expect(client.user('alice')?.balances.find((b) => b.asset === 'USDT')?.locked).not.toBe('0');

    const canceled = await client.post<WireOrder>('/api/orders/cancel', {
      user: 'alice',
      symbol: 'BTC/USDT',
      orderId: order.id,
    });
    expect(canceled.answer).toMatchObject({ ok: true, result: { id: order.id, status: 'canceled' } });
    expect(fake.handle.orders('alice')).toEqual([]);
    await client.waitFor("the order gone from alice's open orders", () =>
      client.user('alice')?.openOrders.every((o) => o.id !== order.id),
    );
  });

  it('shows a filled order as a fill with its fee, and the balances that moved', async () => {
    const btcBefore = client.user('bob')?.balances.find((b) => b.asset === 'BTC')?.free;
    const placed = await client.post<WireOrder>('/api/orders', {
      user: 'bob',
      symbol: 'BTC/USDT',
      side: 'buy',
      type: 'market',
      quantity: '0.002',
    });
    if (!placed.answer.ok) throw new Error(placed.answer.error.message);
    expect(placed.answer.result.status).toBe('filled');
    const orderId = placed.answer.result.id;
    const fills = await client.waitFor("bob's fills", () => {
      const own = client.user('bob')?.fills.filter((f) => f.orderId === orderId) ?? [];
      return own.length > 0 ? own : undefined;
    });
    expect(fills.every((f) => f.side === 'buy' && f.symbol === 'BTC/USDT' && !f.isMaker)).toBe(true);
    expect(fills.some((f) => f.fee !== '0')).toBe(true);
    await client.waitFor("bob's BTC balance moved", () => {
      const free = client.user('bob')?.balances.find((b) => b.asset === 'BTC')?.free;
      return free !== undefined && free !== btcBefore;
    });
  });

  it("answers a rejected order with the error's user message and places nothing", async () => {
    const fake = demo.system.fake!;
    const tooBig = await client.post<WireOrder>('/api/orders', {
      user: 'bob',
      symbol: 'BTC/USDT',
      side: 'buy',
      type: 'limit',
      price: belowMarket('BTCUSDT', 0.99),
      quantity: '5',
      timeInForce: 'GTC',
    });
    expect(tooBig.status).toBe(422);
    expect(tooBig.answer).toMatchObject({
      ok: false,
      error: { code: 'INSUFFICIENT_FUNDS', userMessage: ERROR_CATALOGUE.INSUFFICIENT_FUNDS.userMessage },
    });
    expect(fake.handle.orders('bob')).toEqual([]);

    const badSide = await client.post('/api/orders', {
      user: 'bob',
      symbol: 'BTC/USDT',
      side: 'up',
      type: 'market',
      quantity: '1',
    });
    expect(badSide.status).toBe(400);
    expect(badSide.answer).toMatchObject({ ok: false, error: { category: 'validation', field: 'side' } });
    const float = await client.post('/api/orders', {
      user: 'bob',
      symbol: 'BTC/USDT',
      side: 'buy',
      type: 'market',
      quantity: 0.1,
    });
    expect(float.answer).toMatchObject({ ok: false, error: { field: 'quantity' } });
    const nobody = await client.post('/api/orders', {
      user: 'mallory',
      symbol: 'BTC/USDT',
      side: 'buy',
      type: 'market',
      quantity: '1',
    });
    expect(nobody.answer).toMatchObject({
      ok: false,
      error: { field: 'user', rule: 'must be one of alice, bob' },
    });
    await client.waitFor('the refusal in the incident log', () =>
      updates().some((u) =>
        u.incidents?.some(
          (i) => i.level === 'error' && i.text.startsWith('bob: order refused: Insufficient'),
        ),
      ),
    );
  });

  it('settles an order whose answer was lost, without placing it twice', async () => {
    const fake = demo.system.fake!;
    const injected = await client.post('/api/faults', { fault: 'ambiguousOrder' });
    expect(injected.status).toBe(200);
    const price = belowMarket('BTCUSDT', 0.8);
    const placed = await client.post<WireOrder>('/api/orders', {
      user: 'alice',
      symbol: 'BTC/USDT',
      side: 'buy',
      type: 'limit',
      price,
      quantity: '0.001',
      timeInForce: 'GTC',
    });
    // The venue executed it and answered "status unknown": venuekit found the order by its client id.
    expect(placed.answer).toMatchObject({ ok: true, result: { status: 'new', price } });
    const onVenue = fake.handle.orders('alice').filter((o) => o.price.eq(price));
    expect(onVenue).toHaveLength(1);
    // The lost answer really happened, and the page was told how it was settled.
    const clientOrderId = onVenue[0]?.clientOrderId;
    await client.waitFor('the reconciliation in the incident log', () =>
      updates().some((u) =>
        u.incidents?.some((i) => i.text === `alice: order ${clientOrderId} reconciled (placed)`),
      ),
    );
    if (!placed.answer.ok) throw new Error('unreachable');
    await client.post('/api/orders/cancel', {
      user: 'alice',
      symbol: 'BTC/USDT',
      orderId: placed.answer.result.id,
    });
    expect(fake.handle.orders('alice')).toEqual([]);
  });

  it("keeps a user's orders current across a dropped user-data connection", async () => {
    const fake = demo.system.fake!;
    const dropped = await client.post<{ connections: number }>('/api/faults', { fault: 'dropUserData' });
    expect(dropped.answer.ok && dropped.answer.result.connections).toBeGreaterThan(0);
    await client.waitFor('the user-data reconnect in the health panel', () =>
      client.health?.components.some(
        (c) => c.name === 'userConnections' && /[1-9]\d* reconnects?/.test(c.summary),
      ),
    );
    await client.waitFor('both user streams up again', () =>
      client.users.every((u) => u.userData === 'connected'),
    );
    // An order placed by someone else's hand on the venue still reaches the page: the stream is live.
    const price = belowMarket('BTCUSDT', 0.85);
    const placed = await client.post<WireOrder>('/api/orders', {
      user: 'bob',
      symbol: 'BTC/USDT',
      side: 'buy',
      type: 'limit',
      price,
      quantity: '0.001',
      timeInForce: 'GTC',
    });
    if (!placed.answer.ok) throw new Error(placed.answer.error.message);
    await client.waitFor("bob's order on the page", () =>
      client.user('bob')?.openOrders.some((o) => o.price === price),
    );
    await client.post('/api/orders/cancel', {
      user: 'bob',
      symbol: 'BTC/USDT',
      orderId: placed.answer.result.id,
    });
    expect(fake.handle.orders('bob')).toEqual([]);
  });

  it('closes everything it opened: the page, venuekit and the fake exchange', async () => {
    const fake = demo.system.fake;
    if (!fake) throw new Error('the fake venue has a fake exchange');
    const ports = [demo.url, fake.restUrl, fake.streamsUrl, fake.wsApiUrl].map(portOf);
    await client.close();
    await demo.close();
    await demo.close(); // idempotent
    for (const port of ports) {
      const refused = await new Promise<boolean>((resolve) => {
        const socket = connect(port, '127.0.0.1');
        socket.once('connect', () => {
          socket.destroy();
          resolve(false);
        });
        socket.once('error', () => resolve(true));
      });
      expect(refused, `port ${port} still accepts connections`).toBe(true);
    }
  });
});

/** A limit price at `fraction` of the fake's best bid, on the tick (it rests instead of filling). */
function belowMarket(nativeSymbol: string, fraction: number): string {
  const best = demo.system.fake?.handle.book(nativeSymbol).bids[0]?.[0];
  if (!best) throw new Error(`no bid on ${nativeSymbol}`);
  // As venuekit writes decimals (no trailing zeros), so it compares equal to what the page gets.
  return best.mul(fraction).toDecimalPlaces(2).toString();
}

function lastBook(symbol: string): WireBook | undefined {
  const all = client.messages.flatMap((m) =>
    m.type === 'update' && m.book?.symbol === symbol
      ? [m.book]
      : m.type === 'market' && m.book?.symbol === symbol
        ? [m.book]
        : [],
  );
  return all[all.length - 1];
}
