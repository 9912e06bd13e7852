import { createVenuekit, silentLogger } from '@venuekit/core';
import { afterEach, describe, expect, it } from 'vitest';
import { streamsModule } from '../src/module';
import { RedisBus } from '../src/redis-bus';
import { makeTrades, quietFake, recordTrades } from './fake-market';
import {
  type Child,
  openChannels,
  PROCESS_TEST_TIMEOUT_MS,
  REDIS_URL,
  spawnFixture,
  uniquePrefix,
  until,
} from './helpers';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

function track(child: Child): Child {
  cleanup.push(() => {
    if (child.process.exitCode === null) child.process.kill();
  });
  return child;
}

describe('two OS processes through Redis', () => {
  it('a consumer process gets every trade of the gateway process, in order per topic, Decimals exact', {
    timeout: PROCESS_TEST_TIMEOUT_MS,
  }, async () => {
    const prefix = uniquePrefix();
    const fake = quietFake();
    const gateway = createVenuekit({
      logger: silentLogger,
      bus: new RedisBus({ url: REDIS_URL, prefix }),
      modules: [streamsModule({ gateway: true })],
    });
    gateway.registerAdapter(fake);
    cleanup.push(() => gateway.close());
    await gateway.streams.serve();
    const truth = recordTrades(fake);
    cleanup.push(truth.stop);

    const child = track(spawnFixture('stream-consumer.ts', [prefix, 'BTC/USDT', 'ETH/USDT']));
    await until(() => child.lines.includes('ready'), 60_000, `the consumer process (${child.stderr()})`);
    expect(
      gateway.streams
        .publications()
        .map((p) => p.topic)
        .sort(),
    ).toEqual([
      'market.fake.BTC/USDT.ticker',
      'market.fake.BTC/USDT.trades',
      'market.fake.ETH/USDT.ticker',
      'market.fake.ETH/USDT.trades',
    ]);

    // Interleaved bursts on both symbols.
    for (let round = 0; round < 10; round++) {
      makeTrades(fake, 'BTCUSDT', 30);
      makeTrades(fake, 'ETHUSDT', 30);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const prices = new Map<string, string>();
    const expected = {
      'BTC/USDT': truth.ids.get('BTCUSDT') ?? [],
      'ETH/USDT': truth.ids.get('ETHUSDT') ?? [],
    };
    expect(expected['BTC/USDT'].length).toBeGreaterThanOrEqual(300);
    const received = (symbol: string) =>
      child.lines.filter((l) => l.startsWith(`trade ${symbol} `)).map((l) => l.split(' ')[2]);
    await until(
      () =>
        received('BTC/USDT').length >= expected['BTC/USDT'].length &&
        received('ETH/USDT').length >= expected['ETH/USDT'].length,
      60_000,
      'every trade in the consumer process',
    );
    expect(received('BTC/USDT')).toEqual(expected['BTC/USDT']);
    expect(received('ETH/USDT')).toEqual(expected['ETH/USDT']);

    // Prices crossed the wire as exact decimals: compare with the exchange's own trade list.
    for (const trade of await fake.rest.fetchTrades('BTC/USDT', { limit: 50 }))
      prices.set(trade.id, trade.price.toString());
    for (const line of child.lines.filter((l) => l.startsWith('trade BTC/USDT '))) {
      const [, , id, price] = line.split(' ');
      if (prices.has(id as string)) expect(price).toBe(prices.get(id as string));
    }
    const truthTicker = await fake.rest.fetchTicker('ETH/USDT');
    await until(
      () => child.lines.includes(`ticker ETH/USDT ${truthTicker.tradeCount}`),
      30_000,
      'the latest ticker',
    );

    // The consumer closes: its leases are released, the gateway frees the exchange subscriptions, and
    // the consumer process exits by itself.
    child.process.stdin?.write('stop\n');
    expect(await child.exited).toBe(0);
    expect(child.lines.at(-1)).toBe('closed');
    await until(
      () => gateway.streams.publications().length === 0,
      30_000,
      'the gateway to drop the released streams',
    );
    await until(
      () => fake.marketData.streamStats().length === 0,
      30_000,
      'the exchange subscriptions to be freed',
    );
    await gateway.close();
    expect(await openChannels(prefix)).toEqual([]);
  });

  it('a gateway and a consumer in one process close everything: the process exits by itself', {
    timeout: PROCESS_TEST_TIMEOUT_MS,
  }, async () => {
    const prefix = uniquePrefix();
    const child = track(spawnFixture('self-contained.ts', [prefix]));
    const code = await Promise.race([
      child.exited,
      new Promise<string>((resolve) => setTimeout(() => resolve('still running'), 60_000)),
    ]);
    expect(child.stderr()).toBe('');
    expect(code).toBe(0);
    expect(child.lines).toEqual(['closed books=5 trades>0']);
    expect(await openChannels(prefix)).toEqual([]);
  });
});
