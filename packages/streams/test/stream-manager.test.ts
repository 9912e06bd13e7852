import {
  type BusEvent,
  ConfigurationError,
  createVenuekit,
  CoreTokens,
  InProcessBus,
  ValidationError,
} from '@venuekit/core';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisBus } from '../src/redis-bus';
import { StreamManager } from '../src/stream-manager';
import { streamsModule } from '../src/module';
import { REDIS_URL, openChannels, uniquePrefix, until } from './helpers';

const closeables: { close(): Promise<void> }[] = [];
function manager(options: ConstructorParameters<typeof StreamManager>[0] = {}): StreamManager {
  const created = new StreamManager(options);
  closeables.push(created);
  return created;
}
afterEach(async () => {
  for (const c of closeables.splice(0).reverse()) await c.close();
});

describe('StreamManager: requests are checked before anything is sent', () => {
  const streams = () => manager({ defaultExchange: 'binance', source: 'bus' });

  it.each([
    [{ kind: 'candles', symbol: 'BTC/USDT' }, 'kind'],
    [{ kind: 'trades', symbol: 'BTCUSDT' }, 'symbol'],
    [{ kind: 'depth', symbol: 'BTC/USDT', levels: 15 }, 'levels'],
    [{ kind: 'klines', symbol: 'BTC/USDT', interval: '7m' }, 'interval'],
    [{ kind: 'orderBook', symbol: 'BTC/USDT', updateSpeedMs: 250 }, 'updateSpeedMs'],
    [{ kind: 'trades', symbol: 'BTC/USDT', exchange: '' }, 'exchange'],
  ])('refuses %o naming the field %s', (request, field) => {
    expect(() => streams().subscribe(request as never, () => {})).toThrow(ValidationError);
    try {
      streams().subscribe(request as never, () => {});
    } catch (error) {
      expect((error as ValidationError).field).toBe(field);
      expect((error as ValidationError).rule).toBeTruthy();
    }
  });

  it('refuses a bad queue policy or capacity', () => {
    const s = streams();
    expect(() => s.subscribe({ kind: 'trades', symbol: 'BTC/USDT' }, () => {}, { capacity: 0 })).toThrow(
      expect.objectContaining({ field: 'capacity' }),
    );
    expect(() =>
      s.subscribe({ kind: 'trades', symbol: 'BTC/USDT' }, () => {}, { policy: 'newest' as never }),
    ).toThrow(expect.objectContaining({ field: 'policy' }));
    expect(() => s.subscribe({ kind: 'trades', symbol: 'BTC/USDT' }, 42 as never)).toThrow(
      expect.objectContaining({ field: 'consumer' }),
    );
  });

  it('the promise verbs reject instead of throwing', async () => {
    await expect(streams().subscribeToDepth('BTC/USDT', 7 as never)).rejects.toMatchObject({
      code: 'INVALID_PARAMETER',
      field: 'levels',
    });
    await expect(streams().subscribeToTicker('nope')).rejects.toMatchObject({ code: 'INVALID_SYMBOL' });
  });

  it('needs an exchange when none is registered and no default is set', () => {
    const s = manager();
    expect(() => s.watchTrades('BTC/USDT')).toThrow(
      expect.objectContaining({ code: 'MISSING_PARAMETER', field: 'exchange' }),
    );
  });

  it('an unknown exchange on an in-process bus is a configuration error, not a silent wait', () => {
    const s = manager();
    expect(() => s.watchTrades('BTC/USDT', { exchange: 'kraken' })).toThrow(ConfigurationError);
  });

  it('computes topics from the request', () => {
    const s = streams();
    expect(s.topicOf({ kind: 'ticker', symbol: 'btc/usdt' })).toBe('market.binance.BTC/USDT.ticker');
    expect(s.topicOf({ kind: 'depth', symbol: 'BTC/USDT', levels: 10 })).toBe(
      'market.binance.BTC/USDT.depth.10',
    );
    expect(s.topicOf({ kind: 'depth', symbol: 'BTC/USDT', levels: 20, updateSpeedMs: 100 })).toBe(
      'market.binance.BTC/USDT.depth.20@100ms',
    );
    expect(s.topicOf({ kind: 'klines', symbol: 'ETH/BTC', interval: '1m', exchange: 'x' })).toBe(
      'market.x.ETH/BTC.klines.1m',
    );
  });

  it('refuses everything after close', async () => {
    const s = streams();
    await s.close();
    expect(() => s.watchTrades('BTC/USDT')).toThrow(expect.objectContaining({ code: 'CLOSED' }));
    await expect(s.subscribeToTrades('BTC/USDT')).rejects.toMatchObject({ code: 'CLOSED' });
  });
});

describe('StreamManager.listen: bus topics through a bounded queue', () => {
  it('a slow topic listener drops its oldest events while a fast one gets all, in order', async () => {
    const bus = new InProcessBus();
    closeables.push(bus);
    const s = manager({ bus });
    const topic = 'market.binance.BTC/USDT.trades';
    let release!: () => void;
    const blocked = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow: number[] = [];
    const fast: number[] = [];
    await s.listen(
      topic,
      (e) => {
        slow.push(e.data as number);
        return slow.length === 1 ? blocked : undefined;
      },
      { capacity: 3 },
    );
    const fastSub = await s.listen(topic, (e) => {
      fast.push(e.data as number);
    });
    for (let n = 0; n < 20; n++) {
      bus.publish({ topic, type: 'trade', exchange: 'binance', data: n, publishedAt: n });
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(fast).toEqual(Array.from({ length: 20 }, (_, n) => n));
    expect(slow).toEqual([0]);
    release();
    await until(() => slow.length === 4);
    expect(slow).toEqual([0, 17, 18, 19]);
    expect(fastSub.figures()).toMatchObject({ style: 'topic', delivered: 20, dropped: 0 });
  });

  it('unsubscribeFromPublicData ends the listeners of the symbol and only those', async () => {
    const bus = new InProcessBus();
    closeables.push(bus);
    const s = manager({ bus, defaultExchange: 'binance', source: 'bus' });
    await s.listen('market.binance.BTC/USDT.ticker', () => {});
    await s.listen('market.binance.ETH/USDT.ticker', () => {});
    expect(bus.topics().sort()).toEqual(['market.binance.BTC/USDT.ticker', 'market.binance.ETH/USDT.ticker']);
    await s.unsubscribeFromPublicData('BTC/USDT');
    expect(bus.topics()).toEqual(['market.binance.ETH/USDT.ticker']);
  });

  it('stops at an AbortSignal and frees the bus subscription', async () => {
    const bus = new InProcessBus();
    closeables.push(bus);
    const s = manager({ bus });
    const controller = new AbortController();
    const seen: BusEvent[] = [];
    await s.listen(
      'custom',
      (e) => {
        seen.push(e);
      },
      { signal: controller.signal },
    );
    bus.publish({ topic: 'custom', type: 'x', exchange: 'e', data: 1, publishedAt: 1 });
    await until(() => seen.length === 1);
    controller.abort();
    await until(() => bus.subscriberCount('custom') === 0);
  });
});

describe('StreamManager as a consumer of a remote bus', () => {
  it('fails the stream with a TimeoutError when no gateway answers, and leaves nothing subscribed', async () => {
    const prefix = uniquePrefix();
    const bus = new RedisBus({ url: REDIS_URL, prefix });
    closeables.push(bus);
    const s = manager({ bus, defaultExchange: 'binance', acquireTimeoutMs: 300 });
    const errors: unknown[] = [];
    const sub = s.subscribe(
      { kind: 'ticker', symbol: 'BTC/USDT' },
      { next: () => {}, error: (e) => errors.push(e) },
    );
    await expect(sub.ready).rejects.toMatchObject({ code: 'REQUEST_TIMEOUT' });
    await until(() => errors.length === 1 && !sub.active);
    expect(s.figures()).toEqual([]);
    await until(() => bus.topics().length <= 1); // the reply topic stays until close
    await s.close();
    await until(() => bus.topics().length === 0);
    expect(await openChannels(prefix)).toEqual([]);
  });
});

describe('streamsModule', () => {
  it('exposes the manager as venuekit.streams, contributes health, and closes with the system', async () => {
    const venuekit = createVenuekit({ modules: [streamsModule({ defaultExchange: 'binance' })] });
    const streams = venuekit.streams;
    expect(streams).toBeInstanceOf(StreamManager);
    expect(venuekit.streams).toBe(streams);
    const health = venuekit.getAll(CoreTokens.HealthContributor);
    expect(health.map((h) => h.component)).toContain('marketDataStreams');
    expect(await health.find((h) => h.component === 'marketDataStreams')?.check()).toMatchObject({
      status: 'healthy',
      streams: 0,
    });
    await venuekit.close();
    expect(streams.closed).toBe(true);
  });
});
