// End to end over real sockets: the Binance adapter against the testkit's fake Binance on 127.0.0.1,
// with the stream manager sharing its subscriptions.
import { BinanceAdapter } from '@venuekit/adapter-binance';
import { Decimal, ExchangeRegistry, type StreamStatus, type Trade } from '@venuekit/core';
import { type FakeBinance, startFakeBinance } from '@venuekit/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { StreamManager } from '../src/stream-manager';
import { until } from './helpers';

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function setup() {
  const fake: FakeBinance = await startFakeBinance({
    symbols: ['BTCUSDT', 'ETHUSDT'],
    simulation: { paused: true },
  });
  closers.push(() => fake.close());
  const adapter = new BinanceAdapter({
    urls: { rest: fake.restUrl, streams: fake.streamsUrl, wsApi: fake.wsApiUrl },
  });
  closers.push(() => adapter.close());
  const streams = new StreamManager({ registry: new ExchangeRegistry([adapter]) });
  closers.push(() => streams.close());
  const truth: string[] = [];
  closers.push(
    fake.handle.engine.on(
      'trade',
      (trade) => void (trade.symbol === 'BTCUSDT' && truth.push(String(trade.id))),
    ),
  );
  return { fake, adapter, streams, truth };
}

/** Streams the fake Binance has subscribed, over all its market-stream connections. */
function serverStreams(fake: FakeBinance): string[] {
  return fake.handle.connections('streams').flatMap((c) => c.streams);
}

function trade(fake: FakeBinance, orders: number): void {
  const book = fake.handle.book('BTCUSDT');
  const [ask] = book.asks[0] ?? [];
  const [bid] = book.bids[0] ?? [];
  const depth = new Decimal('0.001').times(orders + 1);
  if (ask && bid) {
    fake.handle.placeParticipantOrder('BTCUSDT', {
      side: 'SELL',
      type: 'LIMIT',
      timeInForce: 'GTC',
      price: ask,
      quantity: depth,
    });
    fake.handle.placeParticipantOrder('BTCUSDT', {
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      price: bid,
      quantity: depth,
    });
  }
  for (let i = 0; i < orders; i++) {
    fake.handle.placeParticipantOrder('BTCUSDT', {
      side: i % 2 === 0 ? 'BUY' : 'SELL',
      type: 'MARKET',
      quantity: new Decimal('0.001'),
      account: 1,
    });
  }
}

describe('streams over the Binance adapter and the fake Binance (real sockets)', () => {
  it('callback, iterator and topic subscribers share one venue stream and get every trade in order', async () => {
    const { fake, streams, truth } = await setup();
    const byCallback: string[] = [];
    const byIterator: string[] = [];
    const byTopic: string[] = [];
    const sub = streams.subscribe({ kind: 'trades', symbol: 'BTC/USDT' }, (t) => void byCallback.push(t.id));
    const iterator = streams.watchTrades('BTC/USDT');
    const loop = (async () => {
      for await (const t of iterator) byIterator.push(t.id);
    })();
    const topic = await streams.subscribeToTrades('BTC/USDT');
    await streams.listen(topic, (event) => void byTopic.push((event.data as Trade).id));
    await Promise.all([sub.ready, iterator.ready]);
    expect(serverStreams(fake).filter((s) => s === 'btcusdt@trade')).toHaveLength(1);

    trade(fake, 50);
    expect(truth.length).toBeGreaterThanOrEqual(50);
    await until(
      () =>
        byCallback.length === truth.length &&
        byIterator.length === truth.length &&
        byTopic.length === truth.length,
    );
    expect(byCallback).toEqual(truth);
    expect(byIterator).toEqual(truth);
    expect(byTopic).toEqual(truth);

    await iterator.return();
    await loop;
    await sub.unsubscribe();
    expect(serverStreams(fake)).toContain('btcusdt@trade');
    await streams.unsubscribeFromPublicData('BTC/USDT');
    await until(
      () => !serverStreams(fake).includes('btcusdt@trade'),
      20_000,
      'the venue stream to be unsubscribed',
    );
  });

  it('keeps the full local order book equal to the exchange, and lists its connection', async () => {
    const { fake, streams } = await setup();
    const books: { updateId: string; bid?: string; ask?: string }[] = [];
    const statuses: StreamStatus['type'][] = [];
    const sub = streams.subscribe(
      { kind: 'orderBook', symbol: 'BTC/USDT', updateSpeedMs: 100 },
      {
        next: (u) =>
          void books.push({
            updateId: u.updateId,
            bid: u.book.bestBid()?.price.toString(),
            ask: u.book.bestAsk()?.price.toString(),
          }),
        status: (s) => statuses.push(s.type),
      },
    );
    await sub.ready;
    trade(fake, 10);
    const truth = fake.handle.book('BTCUSDT');
    await until(() => books.at(-1)?.updateId === String(truth.lastUpdateId), 20_000, 'the book to catch up');
    expect(books.at(-1)).toEqual({
      updateId: String(truth.lastUpdateId),
      bid: truth.bids[0]?.[0].toString(),
      ask: truth.asks[0]?.[0].toString(),
    });
    const [connection] = streams.connections.list();
    expect(connection).toMatchObject({ exchange: 'binance', kind: 'market', state: 'open', subscribers: 1 });
    expect(connection?.topics).toEqual(['market.binance.BTC/USDT.orderBook.100ms']);
    expect(streams.figures()[0]).toMatchObject({ connectionId: connection?.id, source: 'adapter' });

    // Closing the connection: the adapter moves its streams to a new connection (make before break),
    // and the book follows the exchange there.
    const closedId = connection?.id as string;
    await streams.connections.close(closedId);
    await until(
      () => {
        const now = streams.connections.list();
        return now.length === 1 && now[0]?.id !== closedId && now[0]?.state === 'open';
      },
      30_000,
      'the stream on a new connection',
    );
    expect(streams.connections.get(closedId)).toBeUndefined();
    trade(fake, 5);
    const after = fake.handle.book('BTCUSDT');
    await until(
      () => books.at(-1)?.updateId === String(after.lastUpdateId),
      30_000,
      'the book after the move',
    );
    expect(books.at(-1)).toMatchObject({
      bid: after.bids[0]?.[0].toString(),
      ask: after.asks[0]?.[0].toString(),
    });
    expect(streams.figures()[0]?.connectionId).toBe(streams.connections.list()[0]?.id);
    expect(statuses).not.toContain('stale');
  });
});
