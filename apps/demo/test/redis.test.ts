import { connect } from 'node:net';
import { RedisBus } from '@venuekit/streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Demo, startDemo } from '../src/demo';
import type { WireOrder } from '../src/wire';
import { LiveClient } from './support/live-client';

// `npm run demo -- --redis`: market data reaches the dashboard through Redis (a gateway and a
// consumer in one process). Needs a Redis server: .ci/run starts one; elsewhere this is skipped.

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

function redisAnswers(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port || 6379), hostname);
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2_000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

const reachable = await redisAnswers(redisUrl);
if (!reachable) console.warn(`redis: nothing answers at ${redisUrl}, the --redis demo test is skipped`);

describe.skipIf(!reachable)('the demo with --redis', () => {
  let demo: Demo;
  let client: LiveClient;

  beforeAll(async () => {
    demo = await startDemo({ port: 0, redisUrl, symbols: ['BTC/USDT', 'ETH/USDT'] });
    client = new LiveClient(demo.url);
    await client.opened;
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    await demo?.close();
  });

  it('delivers market data to the dashboard through Redis, and trades as before', async () => {
    const hello = await client.waitFor('hello', () => client.messages.find((m) => m.type === 'hello'));
    expect(hello).toMatchObject({ bus: 'redis', symbols: ['BTC/USDT', 'ETH/USDT'] });
    client.watch('BTC/USDT', '1s');
    await client.waitFor('a synced book over Redis', () =>
      client.messages.some(
        (m) => m.type === 'update' && m.book?.symbol === 'BTC/USDT' && m.book.state === 'synced',
      ),
    );
    const bus = demo.system.marketBus;
    expect(bus).toBeInstanceOf(RedisBus);
    await client.waitFor(
      'events received from Redis',
      () => bus instanceof RedisBus && bus.stats().received > 10,
    );

    await client.waitFor('alice ready', () => client.user('alice')?.state === 'ready');
    const placed = await client.post<WireOrder>('/api/orders', {
      user: 'alice',
      symbol: 'BTC/USDT',
      side: 'buy',
      type: 'limit',
      price: '30000.00',
      quantity: '0.001',
      timeInForce: 'GTC',
    });
    if (!placed.answer.ok) throw new Error(placed.answer.error.message);
    const id = placed.answer.result.id;
    await client.waitFor("the order in alice's open orders", () =>
      client.user('alice')?.openOrders.some((o) => o.id === id),
    );
    await client.post('/api/orders/cancel', { user: 'alice', symbol: 'BTC/USDT', orderId: id });
  });
});
