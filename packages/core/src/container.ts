import { Container, ContainerModule, type ContainerModuleLoadOptions } from 'inversify';
import type { ExchangeAdapter } from './adapter';
import type { MessageBus } from './bus';
import { type Clock, systemClock } from './clock';
import { ConfigurationError } from './errors';
import { InProcessBus } from './in-process-bus';
import { Lifecycle } from './lifecycle';
import { createLogger, type Logger } from './logging';
import { ExchangeRegistry } from './registry';
import { CoreTokens, resolve, resolveAll, type Token } from './tokens';

/**
 * A package's contribution to the container: a ContainerModule with a name and,
 * optionally, a facade that `createVenuekit` exposes under that name
 * (`venuekit.streams`, `venuekit.trading`, `venuekit.health`).
 */
export class VenuekitModule<Name extends string = string, Facade = undefined> extends ContainerModule {
  readonly moduleName: Name;
  readonly facade: ((container: Container) => Facade) | undefined;

  constructor(
    name: Name,
    load: (options: ContainerModuleLoadOptions) => void,
    facade?: (container: Container) => Facade,
  ) {
    super(load);
    this.moduleName = name;
    this.facade = facade;
  }
}

export interface CoreModuleOptions {
  logger?: Logger;
  clock?: Clock;
  /** Default: an in-process bus. */
  bus?: MessageBus;
}

/** Binds the clock, logger, lifecycle, exchange registry and bus. */
export function coreModule(options: CoreModuleOptions = {}): VenuekitModule<'core'> {
  return new VenuekitModule('core', ({ bind }) => {
    const logger = options.logger ?? createLogger();
    bind(CoreTokens.Clock).toConstantValue(options.clock ?? systemClock);
    bind(CoreTokens.Logger).toConstantValue(logger);
    bind(CoreTokens.Lifecycle)
      .toDynamicValue(() => new Lifecycle(logger))
      .inSingletonScope();
    bind(CoreTokens.ExchangeRegistry)
      .toDynamicValue((ctx) => {
        const adapters = ctx.getAll<ExchangeAdapter>(CoreTokens.ExchangeAdapter, { optional: true }) ?? [];
        const registry = new ExchangeRegistry(adapters);
        ctx.get<Lifecycle>(CoreTokens.Lifecycle).add('exchange adapters', registry);
        return registry;
      })
      .inSingletonScope();
    bind(CoreTokens.MessageBus)
      .toDynamicValue((ctx) => {
        const bus = options.bus ?? new InProcessBus(logger);
        // The lifecycle closes in reverse order; the bus was resolved before its users, so it closes after them.
        ctx.get<Lifecycle>(CoreTokens.Lifecycle).add('message bus', bus);
        return bus;
      })
      .inSingletonScope();
  });
}

/** Binds an exchange adapter (built lazily) under the multi-bound adapter token. */
export function bindExchangeAdapter(
  bind: ContainerModuleLoadOptions['bind'],
  create: (container: { get<T>(token: Token<T>): T }) => ExchangeAdapter,
): void {
  bind(CoreTokens.ExchangeAdapter)
    .toDynamicValue((ctx) => create({ get: <T>(t: Token<T>) => ctx.get<T>(t) }))
    .inSingletonScope();
}

type AnyModule = VenuekitModule<string, unknown>;

/** `{ streams: StreamManager, trading: UserManager, … }` for the modules given. */
export type FacadesOf<M extends AnyModule> = {
  [K in M as K extends VenuekitModule<infer N, infer F>
    ? [F] extends [undefined]
      ? never
      : N
    : never]: K extends VenuekitModule<string, infer F> ? F : never;
};

export interface Venuekit {
  readonly container: Container;
  readonly registry: ExchangeRegistry;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly bus: MessageBus;
  /** The adapter with this id, or the only one when there is one. */
  exchange(id?: string): ExchangeAdapter;
  /** Registers a custom exchange adapter in one call. */
  registerAdapter(adapter: ExchangeAdapter): void;
  get<T>(token: Token<T>): T;
  getAll<T>(token: Token<T>): T[];
  /** Closes everything the system opened, in reverse order. */
  close(): Promise<void>;
}

export interface VenuekitOptions<M extends AnyModule> extends CoreModuleOptions {
  /** The modules of the installed packages, e.g. `[binanceModule(), streamsModule(), tradingModule()]`. */
  modules: readonly M[];
}

const RESERVED = new Set([
  'container',
  'registry',
  'logger',
  'clock',
  'bus',
  'exchange',
  'registerAdapter',
  'get',
  'getAll',
  'close',
]);

/**
 * Assembles a working system from package modules: the simple case needs no
 * knowledge of the container. Advanced users load the same modules into their
 * own container instead.
 */
export function createVenuekit<M extends AnyModule>(options: VenuekitOptions<M>): Venuekit & FacadesOf<M> {
  const container = new Container({ defaultScope: 'Singleton' });
  container.loadSync(coreModule(options));
  const names = new Set<string>();
  for (const module of options.modules) {
    if (!(module instanceof VenuekitModule)) {
      throw new ConfigurationError('MISSING_BINDING', {
        message: 'createVenuekit modules must be VenuekitModule instances',
      });
    }
    if (names.has(module.moduleName) || module.moduleName === 'core') {
      throw new ConfigurationError('ADAPTER_ALREADY_REGISTERED', {
        message: `module "${module.moduleName}" is loaded twice`,
      });
    }
    names.add(module.moduleName);
    container.loadSync(module);
  }
  const registry = resolve(container, CoreTokens.ExchangeRegistry);
  const lifecycle = resolve(container, CoreTokens.Lifecycle);
  const venuekit: Venuekit = {
    container,
    registry,
    logger: resolve(container, CoreTokens.Logger),
    clock: resolve(container, CoreTokens.Clock),
    get bus() {
      return resolve(container, CoreTokens.MessageBus);
    },
    exchange: (id) => registry.resolve(id),
    registerAdapter: (adapter) => registry.register(adapter),
    get: (id) => resolve(container, id),
    getAll: (id) => resolveAll(container, id),
    close: () => lifecycle.close(),
  };
  for (const module of options.modules) {
    if (!module.facade) continue;
    if (RESERVED.has(module.moduleName)) {
      throw new ConfigurationError('MISSING_BINDING', {
        message: `module name "${module.moduleName}" is reserved`,
      });
    }
    const facade = module.facade;
    let value: unknown;
    Object.defineProperty(venuekit, module.moduleName, {
      enumerable: true,
      get: () => {
        value ??= facade(container);
        return value;
      },
    });
  }
  return venuekit as Venuekit & FacadesOf<M>;
}
