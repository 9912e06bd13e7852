import type { ExchangeAdapter } from './adapter';
import { ConfigurationError } from './errors';
import type { ExchangeId } from './market';

/** Every exchange adapter the system knows, by id. Empty, not an error, when none is registered. */
export class ExchangeRegistry {
  readonly #adapters = new Map<ExchangeId, ExchangeAdapter>();

  constructor(adapters: Iterable<ExchangeAdapter> = []) {
    for (const adapter of adapters) this.register(adapter);
  }

  /** Adds an adapter; a second adapter with the same id is a ConfigurationError. */
  register(adapter: ExchangeAdapter): void {
    if (typeof adapter?.id !== 'string' || adapter.id === '') {
      throw new ConfigurationError('ADAPTER_NOT_FOUND', {
        message: 'an exchange adapter needs a non-empty string id',
      });
    }
    if (this.#adapters.has(adapter.id)) {
      throw new ConfigurationError('ADAPTER_ALREADY_REGISTERED', {
        message: `an exchange adapter with id "${adapter.id}" is already registered`,
        context: { exchange: adapter.id },
      });
    }
    this.#adapters.set(adapter.id, adapter);
  }

  has(id: ExchangeId): boolean {
    return this.#adapters.has(id);
  }

  get(id: ExchangeId): ExchangeAdapter {
    const adapter = this.#adapters.get(id);
    if (!adapter) {
      const known = [...this.#adapters.keys()];
      throw new ConfigurationError('ADAPTER_NOT_FOUND', {
        message: `no exchange adapter "${id}" is registered${known.length ? ` (registered: ${known.join(', ')})` : ''}`,
        context: { exchange: id },
      });
    }
    return adapter;
  }

  /** The only adapter, or the one named; for the common one-exchange setup. */
  resolve(id?: ExchangeId): ExchangeAdapter {
    if (id !== undefined) return this.get(id);
    if (this.#adapters.size === 1) return this.#adapters.values().next().value as ExchangeAdapter;
    throw new ConfigurationError('ADAPTER_NOT_FOUND', {
      message:
        this.#adapters.size === 0
          ? 'no exchange adapter is registered: load an adapter module such as binanceModule()'
          : `several exchange adapters are registered (${this.ids().join(', ')}): name the exchange`,
    });
  }

  ids(): ExchangeId[] {
    return [...this.#adapters.keys()];
  }

  list(): ExchangeAdapter[] {
    return [...this.#adapters.values()];
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.list().map((adapter) => adapter.close()));
  }
}
