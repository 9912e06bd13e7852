import { type BusEvent, Decimal, type Trade } from '@venuekit/core';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { JsonBusCodec } from '../src/codec';
import { RedisBus } from '../src/redis-bus';
import {
  openChannels,
  PROCESS_TEST_TIMEOUT_MS,
  REDIS_URL,
  spawnFixture,
  uniquePrefix,
  until,
} from './helpers';

const opened: RedisBus[] = [];
function bus(prefix: string): RedisBus {
  const created = new RedisBus({ url: REDIS_URL, prefix });
  opened.push(created);
  return created;
}
afterEach(async () => {
  await Promise.all(opened.splice(0).map((b) => b.close()));
});

function tradeEvent(topic: string, n: number): BusEvent {
  return {
    topic,
    type: 'trade',
    exchange: 'fake',
    symbol: 'BTC/USDT',
    data: { id: String(n), price: new Decimal(`6543.${n}0000001`), quantity: new Decimal('0.00100000') },
    publishedAt: 1,
  };
}

describe('RedisBus (real Redis)', () => {
  it('delivers events between two bus instances in order per topic, Decimals exact', async () => {
    const prefix = uniquePrefix();
    const publisher = bus(prefix);
    const consumer = bus(prefix);
    const topics = ['market.fake.BTC/USDT.trades', 'market.fake.ETH/USDT.trades'];
    const received = new Map<string, Trade[]>(topics.map((t) => [t, []]));
    for (const topic of topics) {
      await consumer.subscribe(topic, (event) => received.get(event.topic)?.push(event.data as Trade));
    }
    for (let n = 0; n < 500; n++) for (const topic of topics) publisher.publish(tradeEvent(topic, n));
    await until(() => [...received.values()].every((list) => list.length === 500), 20_000, 'all events');
    for (const list of received.values()) {
      expect(list.map((t) => t.id)).toEqual(Array.from({ length: 500 }, (_, n) => String(n)));
      expect(list[7]?.price.toString()).toBe('6543.70000001');
      expect(list[7]?.quantity.toString()).toBe('0.001');
      expect(Decimal.isDecimal(list[7]?.price)).toBe(true);
    }
    expect(consumer.stats()).toMatchObject({ received: 1000, missed: 0, outOfOrder: 0, decodeErrors: 0 });
  });

  it('delivers to every handler of a topic, stops after unsubscribe, and frees the channel', async () => {
    const prefix = uniquePrefix();
    const b = bus(prefix);
    const topic = 'market.fake.BTC/USDT.ticker';
    const a: BusEvent[] = [];
    const c: BusEvent[] = [];
    const subA = await b.subscribe(topic, (e) => a.push(e));
    const subC = await b.subscribe(topic, (e) => c.push(e));
    expect(await openChannels(prefix)).toEqual([`${prefix}:${topic}`]);
    b.publish(tradeEvent(topic, 1));
    await until(() => a.length === 1 && c.length === 1);
    await subA.unsubscribe();
    b.publish(tradeEvent(topic, 2));
    await until(() => c.length === 2);
    expect(a).toHaveLength(1);
    await subC.unsubscribe();
    await until(() => b.topics().length === 0);
    // The server drops the channel once nobody subscribes to it.
    const deadline = Date.now() + 10_000;
    while ((await openChannels(prefix)).length > 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    expect(await openChannels(prefix)).toEqual([]);
  });

  it('a throwing handler does not stop the others', async () => {
    const prefix = uniquePrefix();
    const b = bus(prefix);
    const topic = 'custom.topic';
    const seen: unknown[] = [];
    await b.subscribe(topic, () => {
      throw new Error('handler bug');
    });
    await b.subscribe(topic, (e) => seen.push(e.data));
    b.publish({
      topic,
      type: 'note',
      exchange: 'fake',
      data: { amount: new Decimal('1.10') },
      publishedAt: 1,
    });
    await until(() => seen.length === 1);
    expect((seen[0] as { amount: Decimal }).amount.toString()).toBe('1.1');
    expect(b.stats().handlerErrors).toBe(1);
  });

  it('counts messages that never arrived from a publisher (sequence gap)', async () => {
    const prefix = uniquePrefix();
    const b = bus(prefix);
    const topic = 'market.fake.BTC/USDT.trades';
    const seen: BusEvent[] = [];
    await b.subscribe(topic, (e) => seen.push(e));
    // Another publisher whose messages 2..4 were lost: written straight to Redis with the same codec.
    const raw = new Redis(REDIS_URL);
    try {
      const codec = new JsonBusCodec();
      await raw.publish(`${prefix}:${topic}`, codec.encode(topic, [tradeEvent(topic, 1)], 'other', 1));
      await raw.publish(
        `${prefix}:${topic}`,
        codec.encode(topic, [tradeEvent(topic, 5), tradeEvent(topic, 6)], 'other', 5),
      );
      await raw.publish(`${prefix}:${topic}`, 'garbage');
    } finally {
      await raw.quit();
    }
    await until(() => seen.length === 3 && b.stats().decodeErrors === 1);
    expect(b.stats()).toMatchObject({ missed: 3, received: 3 });
    expect(seen.map((e) => (e.data as Trade).id)).toEqual(['1', '5', '6']);
  });

  it('rejects a bad prefix, and subscribe after close', async () => {
    expect(() => new RedisBus({ prefix: 'has space' })).toThrow(/prefix/);
    const b = bus(uniquePrefix());
    await b.close();
    await expect(b.subscribe('t', () => {})).rejects.toMatchObject({ code: 'CLOSED' });
    b.publish(tradeEvent('t', 1)); // ignored, never throws
  });

  it('receives everything another OS process publishes, nothing lost or reordered per topic', {
    timeout: PROCESS_TEST_TIMEOUT_MS,
  }, async () => {
    const prefix = uniquePrefix();
    const consumer = bus(prefix);
    const topicCount = 4;
    const perTopic = 2000;
    const received = new Map<string, string[]>();
    for (let i = 0; i < topicCount; i++) {
      const topic = `market.fake.T${i}/USDT.trades`;
      received.set(topic, []);
      await consumer.subscribe(topic, (event) => {
        const trade = event.data as { id: string; price: Decimal };
        received.get(event.topic)?.push(`${trade.id}:${trade.price.toString()}`);
      });
    }
    const child = spawnFixture('bus-publisher.ts', [prefix, String(topicCount), String(perTopic)]);
    try {
      await until(() => child.lines.includes('ready'), 30_000, 'the publisher process to start');
      child.process.stdin?.write('go\n');
      await until(
        () => [...received.values()].every((list) => list.length === perTopic),
        60_000,
        'every event from the other process',
      );
      expect(await child.exited).toBe(0);
      expect(child.lines).toContain(`done ${topicCount * perTopic}`);
    } finally {
      child.process.kill();
    }
    for (const list of received.values()) {
      expect(list).toEqual(Array.from({ length: perTopic }, (_, i) => `${i + 1}:${i + 1}.00000001`));
    }
    expect(consumer.stats()).toMatchObject({ missed: 0, outOfOrder: 0 });
  });
});
