import {
  type DropEvent,
  ExchangeRegistry,
  InProcessBus,
  ManualClock,
  type OrderBookUpdate,
  type StreamStatus,
  type Ticker,
  type Trade,
  telemetry,
} from '@venuekit/core';
import type { FakeExchange } from '@venuekit/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { StreamsHealth } from '../src/health';
import { StreamManager } from '../src/stream-manager';
import { makeTrades, quietFake, recordTrades } from './fake-market';
import { until } from './helpers';

const closeables: { close(): Promise<void> | void }[] = [];
function setup(): { fake: FakeExchange; streams: StreamManager } {
  const fake = quietFake();
  const streams = new StreamManager({ registry: new ExchangeRegistry([fake]) });
  closeables.push(fake, streams);
  return { fake, streams };
}
afterEach(async () => {
  for (const c of closeables.splice(0).reverse()) await c.close();
});

/** The venue subscriptions the fake exchange has open, with how many observers each has. */
function venueStreams(fake: FakeExchange): { key: string; subscribers: number }[] {
  return fake.marketData.streamStats().map((s) => ({ key: s.key, subscribers: s.subscribers }));
}

describe('shared subscriptions over the in-memory fake exchange', () => {
  it('many subscribers share one exchange subscription; the last to leave frees it', async () => {
    const { fake, streams } = setup();
    const a = streams.subscribe({ kind: 'trades', symbol: 'BTC/USDT' }, () => {});
    const b = streams.subscribe({ kind: 'trades', symbol: 'btc/usdt' }, () => {});
    const it = streams.watchTrades('BTC/USDT');
    await Promise.all([a.ready, b.ready, it.ready]);
    expect(venueStreams(fake)).toEqual([{ key: 'BTC/USDT|trades', subscribers: 1 }]);
    expect(streams.figures()).toMatchObject([
      { topic: 'market.fake.BTC/USDT.trades', subscribers: 3, source: 'adapter' },
    ]);

    await a.unsubscribe();
    await it.return();
    expect(venueStreams(fake)).toEqual([{ key: 'BTC/USDT|trades', subscribers: 1 }]);
    await b.unsubscribe();
    expect(venueStreams(fake)).toEqual([]);
    expect(streams.figures()).toEqual([]);

    // A new subscriber opens it again.
    const c = streams.subscribe({ kind: 'trades', symbol: 'BTC/USDT' }, () => {});
    await c.ready;
    expect(venueStreams(fake)).toEqual([{ key: 'BTC/USDT|trades', subscribers: 1 }]);
  });

  it('every stream kind delivers through the manager', async () => {
    const { fake, streams } = setup();
    const requests = [
      { kind: 'ticker', symbol: 'BTC/USDT' },
      { kind: 'miniTicker', symbol: 'BTC/USDT' },
      { kind: 'bookTicker', symbol: 'BTC/USDT' },
      { kind: 'trades', symbol: 'BTC/USDT' },
      { kind: 'aggTrades', symbol: 'BTC/USDT' },
      { kind: 'klines', symbol: 'BTC/USDT', interval: '1m' },
      { kind: 'depth', symbol: 'BTC/USDT', levels: 5 },
      { kind: 'depth', symbol: 'BTC/USDT', levels: 10 },
      { kind: 'depth', symbol: 'BTC/USDT', levels: 20 },
      { kind: 'orderBook', symbol: 'BTC/USDT' },
    ] as const;
    const received = new Map<string, { symbol: string }[]>();
    const subs = requests.map((request) =>
      streams.subscribe(request, (value) => {
        const topic = streams.topicOf(request);
        received.set(topic, [...(received.get(topic) ?? []), value as { symbol: string }]);
      }),
    );
    await Promise.all(subs.map((s) => s.ready));
    makeTrades(fake, 'BTCUSDT', 5);
    await until(() => received.size === requests.length, 20_000, `every kind (${[...received.keys()]})`);
    for (const values of received.values()) expect(values[0]?.symbol).toBe('BTC/USDT');
    const depth5 = received.get('market.fake.BTC/USDT.depth.5')?.at(-1) as unknown as { bids: unknown[] };
    expect(depth5.bids.length).toBeLessThanOrEqual(5);
  });

  it('different streams of a symbol are separate subscriptions', async () => {
    const { fake, streams } = setup();
    const subs = [
      streams.subscribe({ kind: 'trades', symbol: 'BTC/USDT' }, () => {}),
      streams.subscribe({ kind: 'ticker', symbol: 'BTC/USDT' }, () => {}),
      streams.subscribe({ kind: 'depth', symbol: 'BTC/USDT', levels: 10 }, () => {}),
      streams.subscribe({ kind: 'depth', symbol: 'BTC/USDT', levels: 5 }, () => {}),
    ];
    await Promise.all(subs.map((s) => s.ready));
    expect(
      venueStreams(fake)
        .map((s) => s.key)
        .sort(),
    ).toEqual(['BTC/USDT|depth|10|1000', 'BTC/USDT|depth|5|1000', 'BTC/USDT|ticker', 'BTC/USDT|trades']);
  });

  it('callback, iterator and bus topic receive the same trades, in the engine order', async () => {
    const { fake, streams } = setup();
    const truth = recordTrades(fake);
    closeables.push({ close: truth.stop });
    const byCallback: string[] = [];
    const byIterator: string[] = [];
    const byTopic: string[] = [];
    const sub = streams.subscribe({ kind: 'trades', symbol: 'BTC/USDT' }, (trade) => {
      byCallback.push(trade.id);
    });
    const iterator = streams.watchTrades('BTC/USDT');
    const loop = (async () => {
      for await (const trade of iterator) byIterator.push(trade.id);
    })();
    const topic = await streams.subscribeToTrades('BTC/USDT');
    expect(topic).toBe('market.fake.BTC/USDT.trades');
    await streams.listen(topic, (event) => {
      expect(event).toMatchObject({ type: 'trade', exchange: 'fake', symbol: 'BTC/USDT', topic });
      byTopic.push((event.data as Trade).id);
    });
    await Promise.all([sub.ready, iterator.ready]);
    expect(venueStreams(fake)).toEqual([{ key: 'BTC/USDT|trades', subscribers: 1 }]);

    makeTrades(fake, 'BTCUSDT', 40);
    const expected = truth.ids.get('BTCUSDT') ?? [];
    expect(expected.length).toBeGreaterThanOrEqual(40);
    await until(
      () =>
        byTopic.length === expected.length &&
        byIterator.length === expected.length &&
        byCallback.length === expected.length,
    );
    expect(byCallback).toEqual(expected);
    expect(byIterator).toEqual(expected);
    expect(byTopic).toEqual(expected);

    await iterator.return();
    await loop;
  });

  it('a deliberately slow consumer drops its oldest trades, the others get every one', async () => {
    const { fake, streams } = setup();
    const truth = recordTrades(fake);
    closeables.push({ close: truth.stop });
    const drops: DropEvent[] = [];
    closeables.push({ close: telemetry.subscriberDrop.subscribe((e) => drops.push(e)) });
    let release!: () => void;
    const blocked = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow: string[] = [];
    const fast: string[] = [];
    const slowSub = streams.subscribe(
      { kind: 'trades', symbol: 'BTC/USDT' },
      (trade) => {
        slow.push(trade.id);
        return slow.length === 1 ? blocked : undefined;
      },
      { capacity: 5, id: 'slow-reader' },
    );
    const fastIterator = streams.watchTrades('BTC/USDT', { capacity: 10_000 });
    const loop = (async () => {
      for await (const trade of fastIterator) fast.push(trade.id);
    })();
    await slowSub.ready;

    makeTrades(fake, 'BTCUSDT', 1);
    await until(() => slow.length === 1);
    makeTrades(fake, 'BTCUSDT', 60);
    const expected = truth.ids.get('BTCUSDT') ?? [];
    await until(() => fast.length === expected.length);
    expect(fast).toEqual(expected);
    expect(slow).toEqual(expected.slice(0, 1));

    release();
    await until(() => slow.length === 6);
    expect(slow).toEqual([...expected.slice(0, 1), ...expected.slice(-5)]);
    const dropped = expected.length - 6;
    expect(slowSub.figures()).toMatchObject({ dropped, delivered: 6, queued: 0 });
    expect(streams.figures()[0]?.dropped).toBe(dropped);
    await until(
      () =>
        drops.filter((d) => d.subscriberId === 'slow-reader').reduce((n, d) => n + d.dropped, 0) === dropped,
    );
    expect(drops.find((d) => d.subscriberId === 'slow-reader')).toMatchObject({
      topic: 'market.fake.BTC/USDT.trades',
      policy: 'drop_oldest',
    });
    await fastIterator.return();
    await loop;
  });

  it('a slow ticker consumer gets the latest ticker, not a backlog (conflate)', async () => {
    const { fake, streams } = setup();
    let release!: () => void;
    const blocked = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tickers: Ticker[] = [];
    const sub = streams.subscribe({ kind: 'ticker', symbol: 'BTC/USDT' }, (ticker) => {
      tickers.push(ticker);
      return tickers.length === 1 ? blocked : undefined;
    });
    await sub.ready;
    makeTrades(fake, 'BTCUSDT', 1);
    await until(() => tickers.length === 1);
    for (let i = 0; i < 10; i++) {
      makeTrades(fake, 'BTCUSDT', 1);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const truth = await fake.rest.fetchTicker('BTC/USDT');
    release();
    await until(() => tickers.length === 2);
    await new Promise((resolve) => setTimeout(resolve, 20));
    // The one delivered after the wait is the latest: every trade counted, nothing in between.
    expect(tickers).toHaveLength(2);
    expect(tickers[1]?.tradeCount).toBe(truth.tradeCount);
    const received = streams.figures()[0]?.messages ?? 0;
    expect(received).toBeGreaterThan(2);
    expect(sub.figures()).toMatchObject({ policy: 'conflate', delivered: 2, dropped: received - 2 });
  });

  it('watchOrderBook hands out the live local book, equal to the exchange book', async () => {
    const { fake, streams } = setup();
    const updates: { resynced: boolean; bid: string; ask: string; updateId: string }[] = [];
    const iterator = streams.watchOrderBook('BTC/USDT');
    const loop = (async () => {
      for await (const update of iterator) {
        updates.push({
          resynced: update.resynced,
          bid: update.book.bestBid()?.price.toString() ?? '',
          ask: update.book.bestAsk()?.price.toString() ?? '',
          updateId: update.updateId,
        });
      }
    })();
    await iterator.ready;
    await until(() => updates.length >= 1);
    makeTrades(fake, 'BTCUSDT', 5);
    const truth = fake.market.book('BTCUSDT');
    await until(() => updates.at(-1)?.updateId === String(truth.lastUpdateId));
    expect(updates[0]?.resynced).toBe(true);
    expect(updates.at(-1)).toMatchObject({
      bid: truth.bids[0]?.[0].toString(),
      ask: truth.asks[0]?.[0].toString(),
    });
    await iterator.return();
    await loop;
  });

  it('a symbol the exchange does not list is refused before anything is sent', async () => {
    const { fake, streams } = setup();
    expect(() => streams.subscribe({ kind: 'trades', symbol: 'DOGE/USDT' }, () => {})).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_SYMBOL' }),
    );
    expect(() => streams.watchTrades('DOGE/USDT')).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_SYMBOL' }),
    );
    await expect(streams.subscribeToTicker('DOGE/USDT')).rejects.toMatchObject({ code: 'UNKNOWN_SYMBOL' });
    expect(streams.figures()).toEqual([]);
    expect(streams.publications()).toEqual([]);
    expect(venueStreams(fake)).toEqual([]);
  });

  it('a stream the exchange refuses later fails every subscriber with its error; nothing stays open', async () => {
    const { fake, streams } = setup();
    await fake.marketData.close(); // the venue side is gone: it refuses every new stream
    const errors: string[] = [];
    const sub = streams.subscribe(
      { kind: 'trades', symbol: 'BTC/USDT' },
      { next: () => {}, error: (e) => errors.push(e.code) },
    );
    const iterator = streams.watchTrades('BTC/USDT');
    await expect(sub.ready).rejects.toMatchObject({ code: 'CLOSED' });
    await expect(iterator.next()).rejects.toMatchObject({ code: 'CLOSED' });
    await until(() => errors.length === 1);
    expect(sub.active).toBe(false);
    expect(streams.figures()).toEqual([]);
    await expect(streams.subscribeToTicker('BTC/USDT')).rejects.toMatchObject({ code: 'CLOSED' });
    expect(streams.publications()).toEqual([]);
  });

  it('refuses a stream the adapter cannot do, from its capability map', () => {
    const { streams } = setup();
    const fake = quietFake('limited');
    closeables.push(fake);
    Object.defineProperty(fake, 'has', { value: { ...fake.has, watchKlines: false } });
    const limited = new StreamManager({ registry: new ExchangeRegistry([fake]) });
    closeables.push(limited);
    expect(() => limited.watchKlines('BTC/USDT', '1m')).toThrow(
      expect.objectContaining({ code: 'NOT_SUPPORTED', field: 'kind' }),
    );
    expect(streams).toBeDefined();
  });

  it('unsubscribeFromPublicData ends everything of the symbol and frees its exchange subscriptions', async () => {
    const { fake, streams } = setup();
    const iterator = streams.watchTrades('BTC/USDT');
    const done = (async () => {
      for await (const _ of iterator) {
        // waits
      }
      return 'ended';
    })();
    const callback = streams.subscribe({ kind: 'ticker', symbol: 'BTC/USDT' }, () => {});
    const other = streams.subscribe({ kind: 'ticker', symbol: 'ETH/USDT' }, () => {});
    await streams.subscribeToDepth('BTC/USDT', 10);
    await Promise.all([iterator.ready, callback.ready, other.ready]);
    expect(venueStreams(fake)).toHaveLength(4);

    await streams.unsubscribeFromPublicData('BTC/USDT');
    expect(await done).toBe('ended');
    expect(callback.active).toBe(false);
    expect(other.active).toBe(true);
    expect(streams.publications()).toEqual([]);
    expect(venueStreams(fake)).toEqual([{ key: 'ETH/USDT|ticker', subscribers: 1 }]);
  });

  it('an AbortSignal ends a watch loop and frees the subscription', async () => {
    const { fake, streams } = setup();
    const controller = new AbortController();
    const seen: string[] = [];
    const iterator = streams.watchTrades('BTC/USDT', { signal: controller.signal });
    const loop = (async () => {
      for await (const trade of iterator) {
        seen.push(trade.id);
        if (seen.length === 3) controller.abort();
      }
    })();
    await iterator.ready;
    makeTrades(fake, 'BTCUSDT', 10);
    await loop;
    expect(seen).toHaveLength(3);
    expect(venueStreams(fake)).toEqual([]);
  });

  it('closing the manager ends every subscriber and exchange subscription it opened', async () => {
    const { fake, streams } = setup();
    const iterator = streams.watchOrderBook('ETH/USDT');
    const ended = (async () => {
      for await (const _ of iterator) {
        // waits
      }
      return 'ended';
    })();
    const sub = streams.subscribe({ kind: 'klines', symbol: 'BTC/USDT', interval: '1m' }, () => {});
    await streams.subscribeToTicker('BNB/USDT');
    await streams.listen('market.fake.BNB/USDT.ticker', () => {});
    await Promise.all([iterator.ready, sub.ready]);
    expect(venueStreams(fake)).toHaveLength(3);
    await streams.close();
    expect(await ended).toBe('ended');
    expect(sub.active).toBe(false);
    expect(venueStreams(fake)).toEqual([]);
    expect(streams.figures()).toEqual([]);
  });
});

describe('figures, connections and health', () => {
  it('reports per-stream figures operators watch', async () => {
    const { fake, streams } = setup();
    const seen: Trade[] = [];
    const sub = streams.subscribe({ kind: 'trades', symbol: 'BTC/USDT' }, (t) => {
      seen.push(t);
    });
    await sub.ready;
    makeTrades(fake, 'BTCUSDT', 3);
    await until(() => seen.length >= 3);
    const [figures] = streams.figures();
    expect(figures).toMatchObject({
      topic: 'market.fake.BTC/USDT.trades',
      exchange: 'fake',
      symbol: 'BTC/USDT',
      kind: 'trades',
      source: 'adapter',
      connectionId: 'fake-memory-market',
      subscribers: 1,
      messages: seen.length,
      dropped: 0,
      queued: 0,
      reconnects: 0,
    });
    expect(figures?.timeToFirstMessageMs).toBeGreaterThanOrEqual(0);
    expect(figures?.largestGapMs).toBeGreaterThanOrEqual(0);
    expect(figures?.messagesPerSecond).toBeGreaterThan(0);
  });

  it('lists, inspects and closes connections; streams see the reconnect', async () => {
    const { streams } = setup();
    const statuses: StreamStatus['type'][] = [];
    const books: OrderBookUpdate[] = [];
    const sub = streams.subscribe(
      { kind: 'orderBook', symbol: 'BTC/USDT' },
      { next: (u) => void books.push(u), status: (s) => statuses.push(s.type) },
    );
    const other = streams.subscribe({ kind: 'trades', symbol: 'BTC/USDT' }, () => {});
    await Promise.all([sub.ready, other.ready]);
    const [connection] = streams.connections.list();
    expect(connection).toMatchObject({
      id: 'fake-memory-market',
      exchange: 'fake',
      state: 'open',
      subscribers: 2,
      reconnects: 0,
      queuedForSubscribers: 0,
    });
    expect([...(connection?.topics ?? [])].sort()).toEqual([
      'market.fake.BTC/USDT.orderBook',
      'market.fake.BTC/USDT.trades',
    ]);
    expect(streams.connections.get('fake-memory-market')?.streams).toHaveLength(2);
    expect(streams.connections.list('another')).toEqual([]);

    await streams.connections.close('fake-memory-market');
    await until(() => statuses.includes('resubscribed'));
    expect(statuses).toContain('reconnecting');
    await until(() => books.some((b) => b.resynced) && books.length >= 2);
    expect(streams.connections.get('fake-memory-market')?.reconnects).toBe(1);
    expect(streams.figures().every((f) => f.reconnects === 1)).toBe(true);
    await expect(streams.connections.close('nope')).rejects.toMatchObject({
      code: 'INVALID_PARAMETER',
      field: 'connectionId',
    });
  });

  it('health: fresh streams are healthy, quiet ones stale', async () => {
    const clock = new ManualClock();
    const fake = quietFake();
    const streams = new StreamManager({ registry: new ExchangeRegistry([fake]), clock });
    closeables.push(fake, streams);
    const health = new StreamsHealth(streams, {
      clock,
      staleAfterMs: 5000,
      staleAfterMsByKind: { ticker: 60_000 },
    });
    const seen: Trade[] = [];
    const trades = streams.subscribe({ kind: 'trades', symbol: 'BTC/USDT' }, (t) => {
      seen.push(t);
    });
    await trades.ready;
    makeTrades(fake, 'BTCUSDT', 1);
    await until(() => seen.length > 0);
    expect(health.check()).toMatchObject({ status: 'healthy', streams: 1, staleStreams: 0 });
    const ticker = streams.subscribe({ kind: 'ticker', symbol: 'ETH/USDT' }, () => {});
    await ticker.ready;
    await clock.advance(6000);
    expect(health.check()).toMatchObject({ status: 'degraded', streams: 2, staleStreams: 1 });
    await clock.advance(60_000);
    expect(health.check()).toMatchObject({ status: 'unhealthy', staleStreams: 2 });
  });
});

describe('a gateway and a consumer on one bus', () => {
  function pair(gatewayClock = new ManualClock()) {
    const fake = quietFake();
    const bus = new InProcessBus();
    const gateway = new StreamManager({
      registry: new ExchangeRegistry([fake]),
      bus,
      gateway: true,
      clock: gatewayClock,
    });
    const consumer = new StreamManager({
      bus,
      source: 'bus',
      defaultExchange: 'fake',
      leaseMs: 3000,
      clock: gatewayClock,
    });
    closeables.push(fake, bus, gateway, consumer);
    return { fake, bus, gateway, consumer, gatewayClock };
  }

  it('the consumer gets the same trades and books through the bus, sharing one lease', async () => {
    const { fake, gateway, consumer } = pair();
    await gateway.serve();
    const truth = recordTrades(fake);
    closeables.push({ close: truth.stop });
    const a: string[] = [];
    const b: string[] = [];
    const subA = consumer.subscribe({ kind: 'trades', symbol: 'BTC/USDT' }, (t) => {
      a.push(t.id);
    });
    const subB = consumer.subscribe({ kind: 'trades', symbol: 'BTC/USDT' }, (t) => {
      b.push(t.id);
    });
    await Promise.all([subA.ready, subB.ready]);
    expect(gateway.publications()).toEqual([
      { topic: 'market.fake.BTC/USDT.trades', local: false, remoteConsumers: 1 },
    ]);
    expect(consumer.figures()).toMatchObject([{ source: 'bus', subscribers: 2 }]);

    makeTrades(fake, 'BTCUSDT', 20);
    const expected = truth.ids.get('BTCUSDT') ?? [];
    await until(() => a.length === expected.length && b.length === expected.length);
    expect(a).toEqual(expected);
    expect(b).toEqual(expected);

    await subA.unsubscribe();
    expect(gateway.publications()).toHaveLength(1);
    await subB.unsubscribe();
    await until(() => gateway.publications().length === 0);
    await until(() => fake.marketData.streamStats().length === 0);
  });

  it('a consumer order book is rebuilt from the gateway snapshots', async () => {
    const { fake, gateway, consumer } = pair();
    await gateway.serve();
    const iterator = consumer.watchOrderBook('BTC/USDT');
    const seen: OrderBookUpdate[] = [];
    const loop = (async () => {
      for await (const update of iterator) seen.push({ ...update, book: update.book });
    })();
    await iterator.ready;
    makeTrades(fake, 'BTCUSDT', 3);
    const truth = fake.market.book('BTCUSDT');
    await until(() => seen.at(-1)?.updateId === String(truth.lastUpdateId));
    const book = seen.at(-1)?.book;
    expect(seen[0]?.resynced).toBe(true);
    expect(book?.bids(5).map((l) => `${l.price}@${l.quantity}`)).toEqual(
      truth.bids.slice(0, 5).map(([p, q]) => `${p}@${q}`),
    );
    expect(book?.asks(5).map((l) => `${l.price}@${l.quantity}`)).toEqual(
      truth.asks.slice(0, 5).map(([p, q]) => `${p}@${q}`),
    );
    await iterator.return();
    await loop;
  });

  it('status signals cross the bus in order with the data: a consumer sees the gateway reconnect', async () => {
    const { gateway, consumer } = pair();
    await gateway.serve();
    const log: string[] = [];
    const sub = consumer.subscribe(
      { kind: 'orderBook', symbol: 'BTC/USDT' },
      { next: (u) => void log.push(`book resynced=${u.resynced}`), status: (s) => void log.push(s.type) },
    );
    await sub.ready;
    await until(() => log.includes('book resynced=true'));
    await gateway.connections.close('fake-memory-market');
    await until(() => log.filter((l) => l === 'book resynced=true').length === 2);
    const after = log.slice(log.indexOf('reconnecting'));
    expect(after).toEqual(['reconnecting', 'resubscribed', 'book resynced=true']);
    expect(consumer.figures()[0]?.reconnects).toBe(1);
  });

  it('the seed verbs work the same from a consumer process', async () => {
    const { fake, gateway, consumer } = pair();
    await gateway.serve();
    const topic = await consumer.subscribeToTicker('BTC/USDT');
    expect(topic).toBe('market.fake.BTC/USDT.ticker');
    const tickers: Ticker[] = [];
    await consumer.listen(topic, (event) => {
      tickers.push(event.data as Ticker);
    });
    makeTrades(fake, 'BTCUSDT', 2);
    const truth = await fake.rest.fetchTicker('BTC/USDT');
    await until(() => tickers.at(-1)?.tradeCount === truth.tradeCount);
    expect(tickers.at(-1)?.last.toString()).toBe(truth.last.toString());
    expect(tickers.at(-1)?.last.constructor).toBe(truth.last.constructor);
    await consumer.unsubscribeFromPublicData('BTC/USDT');
    await until(() => gateway.publications().length === 0);
    await expect(consumer.subscribeToDepth('DOGE/USDT')).rejects.toMatchObject({ code: 'UNKNOWN_SYMBOL' });
  });

  it('a consumer renews its lease while it holds the stream, and releases it when it leaves', async () => {
    const { fake, gateway, consumer, gatewayClock } = pair();
    await gateway.serve();
    const sub = consumer.subscribe({ kind: 'ticker', symbol: 'ETH/USDT' }, () => {});
    await sub.ready;
    for (let i = 0; i < 10; i++) await gatewayClock.advance(1000);
    expect(gateway.publications()).toEqual([
      { topic: 'market.fake.ETH/USDT.ticker', local: false, remoteConsumers: 1 },
    ]);
    expect(fake.marketData.streamStats()).toHaveLength(1);
    await sub.unsubscribe();
    await until(() => gateway.publications().length === 0);
    await until(() => fake.marketData.streamStats().length === 0);
  });

  it('a consumer that stops renewing loses its lease, and the exchange subscription is freed', async () => {
    const { fake, bus, gateway, gatewayClock } = pair();
    await gateway.serve();
    const replies: unknown[] = [];
    await bus.subscribe('streams.control.c-vanished', (event) => replies.push(event.type));
    bus.publish({
      topic: 'streams.control',
      type: 'acquire',
      exchange: 'fake',
      data: {
        requestId: '1',
        consumerId: 'c-vanished',
        leaseMs: 2000,
        request: { kind: 'trades', symbol: 'ETH/USDT', exchange: 'fake' },
      },
      publishedAt: Date.now(),
    });
    await until(() => replies.length === 1);
    expect(replies).toEqual(['acquired']);
    expect(fake.marketData.streamStats()).toHaveLength(1);
    await gatewayClock.advance(1500);
    expect(gateway.publications()).toHaveLength(1);
    await gatewayClock.advance(1500);
    expect(gateway.publications()).toEqual([]);
    await until(() => fake.marketData.streamStats().length === 0);
  });

  it('the gateway refuses a malformed request with a typed error', async () => {
    const { bus, gateway } = pair();
    await gateway.serve();
    const replies: { type: string; data: unknown }[] = [];
    await bus.subscribe('streams.control.c-bad', (event) =>
      replies.push({ type: event.type, data: event.data }),
    );
    bus.publish({
      topic: 'streams.control',
      type: 'acquire',
      exchange: 'fake',
      data: {
        requestId: '9',
        consumerId: 'c-bad',
        leaseMs: 5000,
        request: { kind: 'depth', symbol: 'BTC/USDT', levels: 3, exchange: 'fake' },
      },
      publishedAt: Date.now(),
    });
    await until(() => replies.length === 1);
    expect(replies[0]).toMatchObject({
      type: 'refused',
      data: { requestId: '9', error: { code: 'INVALID_PARAMETER', context: { field: 'levels' } } },
    });
    expect(gateway.publications()).toEqual([]);
  });
});
