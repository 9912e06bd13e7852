import type { Logger } from './logging';

export interface Closeable {
  close(): Promise<void> | void;
}

/**
 * What must be closed when the system shuts down, closed in reverse order of
 * creation (trading sessions before streams, streams before adapters).
 */
export class Lifecycle {
  readonly #items: { name: string; closeable: Closeable }[] = [];
  readonly #logger: Logger | undefined;
  #closing: Promise<void> | undefined;

  constructor(logger?: Logger) {
    this.#logger = logger;
  }

  add<T extends Closeable>(name: string, closeable: T): T {
    this.#items.push({ name, closeable });
    return closeable;
  }

  get closed(): boolean {
    return this.#closing !== undefined;
  }

  /** Closes everything once; errors are logged, not thrown, so one failure cannot leave the rest open. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      for (const { name, closeable } of this.#items.splice(0).reverse()) {
        try {
          await closeable.close();
        } catch (error) {
          this.#logger?.errorWithException(`closing ${name} failed`, error);
        }
      }
    })();
    return this.#closing;
  }
}
