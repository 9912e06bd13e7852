import { Container } from 'inversify';
import { describe, expect, it } from 'vitest';
import { capabilities, type ExchangeAdapter } from './adapter';
import { bindExchangeAdapter, coreModule, createVenuekit, VenuekitModule } from './container';
import { ConfigurationError } from './errors';
import { InProcessBus } from './in-process-bus';
import { silentLogger } from './logging';
import { ExchangeRegistry } from './registry';
import { CoreTokens, resolve, resolveAll, token } from './tokens';
import type { BusEvent } from './bus';

function fakeAdapter(id: string, closed: string[] = []): ExchangeAdapter {
  return {
    id,
    name: `Fake ${id}`,
    has: capabilities(['fetchInstruments']),
    instruments: {
      list: async () => [],
      get: async () => {
        throw new Error('none');
      },
    },
    status: () => ({ exchange: id, connections: [], streams: [] }),
    close: async () => {
      closed.push(id);
    },
  };
}

function adapterModule(id: string, closed?: string[]) {
  return new VenuekitModule(id, ({ bind }) => bindExchangeAdapter(bind, () => fakeAdapter(id, closed)));
}

describe('createVenuekit', () => {
  it('collects adapters from modules into the registry, with capabilities users can query', () => {
    const vk = createVenuekit({
      modules: [adapterModule('alpha'), adapterModule('beta')],
      logger: silentLogger,
    });
    expect(vk.registry.ids()).toEqual(['alpha', 'beta']);
    expect(vk.exchange('beta').has.fetchInstruments).toBe(true);
    expect(vk.exchange('beta').has.watchOrderBook).toBe(false);
    expect(() => vk.exchange()).toThrow(/several exchange adapters/);
    expect(() => vk.exchange('gamma')).toThrow(ConfigurationError);
  });

  it('registers a custom adapter with one call and refuses a duplicate id', () => {
    const vk = createVenuekit({ modules: [], logger: silentLogger });
    expect(vk.registry.list()).toEqual([]);
    vk.registerAdapter(fakeAdapter('mine'));
    expect(vk.exchange().id).toBe('mine');
    expect(() => vk.registerAdapter(fakeAdapter('mine'))).toThrow(
      expect.objectContaining({
        code: 'ADAPTER_ALREADY_REGISTERED',
        message: expect.stringContaining('"mine"'),
      }),
    );
  });

  it('exposes module facades by name, built lazily', () => {
    let built = 0;
    const Answer = token<{ value: number }>('test/Answer');
    const mod = new VenuekitModule(
      'answers',
      ({ bind }) => {
        bind(Answer).toDynamicValue(() => {
          built++;
          return { value: 42 };
        });
      },
      (container) => resolve(container, Answer),
    );
    const vk = createVenuekit({ modules: [mod], logger: silentLogger });
    expect(built).toBe(0);
    expect(vk.answers.value).toBe(42);
    expect(vk.answers).toBe(vk.answers);
  });

  it('names a missing binding', () => {
    const vk = createVenuekit({ modules: [], logger: silentLogger });
    expect(() => vk.get(token<string>('@venuekit/streams/StreamManager'))).toThrow(
      /nothing is bound to @venuekit\/streams\/StreamManager/,
    );
    expect(vk.getAll(CoreTokens.HealthContributor)).toEqual([]);
  });

  it('refuses the same module twice', () => {
    expect(() =>
      createVenuekit({ modules: [adapterModule('a'), adapterModule('a')], logger: silentLogger }),
    ).toThrow(/loaded twice/);
  });

  it('close() closes adapters and the bus', async () => {
    const closed: string[] = [];
    const vk = createVenuekit({ modules: [adapterModule('a', closed)], logger: silentLogger });
    const bus = vk.bus as InProcessBus;
    const seen: BusEvent[] = [];
    await bus.subscribe('t', (e) => seen.push(e));
    await vk.close();
    expect(closed).toEqual(['a']);
    bus.publish({ topic: 't', type: 'x', exchange: 'a', data: 1, publishedAt: 0 });
    expect(seen).toEqual([]);
  });

  it('modules load into a user-owned container too', () => {
    const container = new Container();
    container.loadSync(coreModule({ logger: silentLogger }), adapterModule('z'));
    expect(resolve(container, CoreTokens.ExchangeRegistry).ids()).toEqual(['z']);
    expect(resolveAll(container, CoreTokens.ExchangeAdapter)).toHaveLength(1);
  });
});

describe('ExchangeRegistry and InProcessBus with plain new', () => {
  it('works without a container', async () => {
    const registry = new ExchangeRegistry([fakeAdapter('x')]);
    expect(registry.get('x').name).toBe('Fake x');
    expect(() => new ExchangeRegistry([fakeAdapter('x'), fakeAdapter('x')])).toThrow(ConfigurationError);

    const bus = new InProcessBus();
    const got: unknown[] = [];
    const sub = await bus.subscribe('topic', (e) => got.push(e.data));
    await bus.subscribe('topic', () => {
      throw new Error('a bad handler');
    });
    bus.publish({ topic: 'topic', type: 't', exchange: 'x', data: 1, publishedAt: 0 });
    await sub.unsubscribe();
    bus.publish({ topic: 'topic', type: 't', exchange: 'x', data: 2, publishedAt: 0 });
    expect(got).toEqual([1]);
  });
});
