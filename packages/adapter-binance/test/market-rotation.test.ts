import type { AggTrade, StreamStatus, Trade } from '@venuekit/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type Market, startMarket, waitFor } from './support/harness';

// Trades across connection changes, against the fake Binance: a forced rotation, a
// serverShutdown, the maximum lifetime (all gapless: new connection first), and an outage
// (ids missed while disconnected are backfilled from REST, or reported as an exact gap).

let market: Market | undefined;
afterEach(async () => {
  await market?.close();
  market = undefined;
});

const yieldToIo = () => new Promise<void>((resolve) => setImmediate(resolve));

function watchTrades(m: Market) {
  const trades: Trade[] = [];
  const statuses: StreamStatus[] = [];
  const subscription = m.adapter.marketData.subscribe(
    { kind: 'trades', symbol: 'BTC/USDT' },
    { next: (t) => trades.push(t), status: (s) => statuses.push(s) },
  );
  return { trades, statuses, subscription };
}

/** The engine's last `count` trade ids, each delivered once, in order, and nothing else. */
function expectExactly(trades: readonly { id: string }[], m: Market, count: number): void {
  const seen = new Set<string>();
  const dups = trades.filter((t) => seen.has(t.id) || !seen.add(t.id)).map((t) => t.id);
  const ids0 = trades.map((t) => Number(t.id));
  const jumps = ids0.flatMap((id, i) =>
    i > 0 && id !== (ids0[i - 1] as number) + 1 ? [[ids0[i - 1], id, i]] : [],
  );
  expect({ dups, jumps }).toEqual({ dups: [], jumps: [] });
  expect(trades).toHaveLength(count);
  const ids = trades.map((t) => Number(t.id));
  const last = m.fake.handle.engine.recentTrades('BTCUSDT', 1)[0]?.id as number;
  expect(ids).toEqual(ids.map((_, i) => last - count + 1 + i));
}

/** Makes trades while `during` runs, yielding to the sockets between them. */
async function tradeWhile(m: Market, during: Promise<unknown>, minimum: number): Promise<number> {
  let made = 0;
  let finished = false;
  void during.finally(() => {
    finished = true;
  });
  while (!finished || made < minimum) {
    m.driver.trade();
    made++;
    await yieldToIo();
    if (made > 100_000) throw new Error('the connection change never finished');
  }
  return made;
}

describe('trades across connection changes', () => {
  it('a forced rotation (closeConnection): no trade id missing, none twice, no gap or reconnect status', async () => {
    market = await startMarket();
    const m = market;
    const { trades, statuses, subscription } = watchTrades(m);
    await subscription.ready;
    const before = m.adapter.marketData.connections()[0]?.id as string;
    for (let i = 0; i < 20; i++) m.driver.trade();
    const made = 20 + (await tradeWhile(m, m.adapter.marketData.closeConnection(before), 50));
    for (let i = 0; i < 20; i++) m.driver.trade();
    await waitFor(() => trades.length >= made + 20, `${made + 20} trades`);
    expectExactly(trades, m, made + 20);
    const after = m.adapter.marketData.connections();
    expect(after).toHaveLength(1);
    expect(after[0]?.id).not.toBe(before);
    expect(m.adapter.marketData.rotations).toBe(1);
    expect(statuses.map((s) => s.type)).toEqual(['subscribed']);
  });

  it('serverShutdown: rotates to a new connection before the old one is closed, without a gap', async () => {
    market = await startMarket();
    const m = market;
    const { trades, statuses, subscription } = watchTrades(m);
    await subscription.ready;
    const before = m.adapter.marketData.connections()[0]?.id as string;
    for (let i = 0; i < 20; i++) m.driver.trade();
    m.fake.handle.faults.serverShutdown({ closeAfterMs: 5_000 });
    const rotated = waitFor(
      () =>
        m.adapter.marketData.rotations === 1 &&
        m.adapter.marketData.connections().every((c) => c.id !== before),
      'the rotation',
    );
    const made = 20 + (await tradeWhile(m, rotated, 50));
    await waitFor(() => trades.length >= made, `${made} trades`);
    expectExactly(trades, m, made);
    expect(statuses.map((s) => s.type)).toEqual(['subscribed']);
  });

  it('rotates before the maximum lifetime, again and again, without a gap', async () => {
    market = await startMarket(
      { streams: { maxLifetimeMs: 1_500, silenceTimeoutMs: 5_000, pingIntervalMs: 1_000 } },
      { limits: { maxConnectionLifetimeMs: 3_000 } },
    );
    const m = market;
    const { trades, statuses, subscription } = watchTrades(m);
    await subscription.ready;
    const made = await tradeWhile(
      m,
      waitFor(() => m.adapter.marketData.rotations >= 3, 'three rotations', 60_000),
      50,
    );
    await waitFor(() => trades.length >= made, `${made} trades`);
    expectExactly(trades, m, made);
    expect(statuses.map((s) => s.type)).toEqual(['subscribed']);
    // The venue never had to end a connection at its own limit.
    expect(m.adapter.marketData.connections().every((c) => c.reconnects === 0)).toBe(true);
  }, 90_000);

  it('an outage: ids missed while disconnected are backfilled from REST, in order, with the exact range', async () => {
    market = await startMarket();
    const m = market;
    const { trades, statuses, subscription } = watchTrades(m);
    await subscription.ready;
    for (let i = 0; i < 10; i++) m.driver.trade();
    await waitFor(() => trades.length === 10, 'ten trades');
    m.fake.handle.faults.dropConnection({ kind: 'streams' });
    // The client is gone: these trades happen while nobody listens.
    for (let i = 0; i < 25; i++) m.driver.trade();
    const missedFrom = Number(trades.at(-1)?.id) + 1;
    await waitFor(() => statuses.some((s) => s.type === 'resubscribed'), 'the resubscription');
    for (let i = 0; i < 10; i++) m.driver.trade();
    await waitFor(() => trades.length === 45, 'all 45 trades');
    expectExactly(trades, m, 45);
    expect(statuses.find((s) => s.type === 'gap')).toEqual({
      type: 'gap',
      fromId: String(missedFrom),
      toId: String(missedFrom + 24),
      backfilled: true,
    });
    expect(statuses.map((s) => s.type)).toEqual(['subscribed', 'reconnecting', 'resubscribed', 'gap']);
  });

  it('without backfill the subscriber is told the exact range it missed', async () => {
    market = await startMarket({ streams: { backfillTrades: false } });
    const m = market;
    const { trades, statuses, subscription } = watchTrades(m);
    await subscription.ready;
    for (let i = 0; i < 5; i++) m.driver.trade();
    await waitFor(() => trades.length === 5, 'five trades');
    const last = Number(trades.at(-1)?.id);
    m.fake.handle.faults.dropConnection({ kind: 'streams' });
    for (let i = 0; i < 7; i++) m.driver.trade();
    await waitFor(() => statuses.some((s) => s.type === 'resubscribed'), 'the resubscription');
    m.driver.trade();
    await waitFor(() => trades.length === 6, 'the trade after the outage');
    expect(statuses.find((s) => s.type === 'gap')).toEqual({
      type: 'gap',
      fromId: String(last + 1),
      toId: String(last + 7),
      backfilled: false,
    });
    expect(trades.at(-1)?.id).toBe(String(last + 8));
  });

  it('aggregate trades are backfilled by id after an outage', async () => {
    market = await startMarket();
    const m = market;
    const aggs: AggTrade[] = [];
    const statuses: StreamStatus[] = [];
    const subscription = m.adapter.marketData.subscribe(
      { kind: 'aggTrades', symbol: 'BTC/USDT' },
      { next: (t) => aggs.push(t), status: (s) => statuses.push(s) },
    );
    await subscription.ready;
    for (let i = 0; i < 5; i++) m.driver.trade();
    await waitFor(() => aggs.length === 5, 'five aggregate trades');
    m.fake.handle.faults.dropConnection({ kind: 'streams' });
    for (let i = 0; i < 12; i++) m.driver.trade();
    await waitFor(() => statuses.some((s) => s.type === 'resubscribed'), 'the resubscription');
    m.driver.trade();
    await waitFor(() => aggs.length === 18, 'all 18 aggregate trades');
    const ids = aggs.map((a) => Number(a.id));
    expect(ids).toEqual(ids.map((_, i) => (ids[0] as number) + i));
    expect(statuses.filter((s) => s.type === 'gap')).toEqual([
      { type: 'gap', fromId: String(ids[5]), toId: String(ids[16]), backfilled: true },
    ]);
  });
});
