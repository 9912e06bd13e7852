import type { BusEvent, BusHandler, BusSubscription, MessageBus } from './bus';
import type { Logger } from './logging';

/**
 * The default bus: topics within one process. Publishing calls each handler in
 * order of subscription; a handler that throws is logged and the others still
 * receive the event. Handlers should be cheap (queue, don't work).
 */
export class InProcessBus implements MessageBus {
  readonly kind = 'in-process';
  readonly #topics = new Map<string, BusHandler[]>();
  readonly #logger: Logger | undefined;
  #closed = false;

  constructor(logger?: Logger) {
    this.#logger = logger;
  }

  publish(event: BusEvent): void {
    const handlers = this.#topics.get(event.topic);
    if (!handlers) return;
    for (let i = 0; i < handlers.length; i++) {
      try {
        (handlers[i] as BusHandler)(event);
      } catch (error) {
        this.#logger?.errorWithException('bus handler threw', error, { topic: event.topic });
      }
    }
  }

  async subscribe(topic: string, handler: BusHandler): Promise<BusSubscription> {
    if (this.#closed) throw new Error('bus is closed');
    const handlers = this.#topics.get(topic);
    // Copy on write, so a handler that unsubscribes during delivery cannot skip another.
    this.#topics.set(topic, handlers ? [...handlers, handler] : [handler]);
    let active = true;
    return {
      unsubscribe: async () => {
        if (!active) return;
        active = false;
        const current = this.#topics.get(topic);
        if (!current) return;
        const rest = current.filter((h) => h !== handler);
        if (rest.length === 0) this.#topics.delete(topic);
        else this.#topics.set(topic, rest);
      },
    };
  }

  /** Topics with at least one subscriber. */
  topics(): string[] {
    return [...this.#topics.keys()];
  }

  subscriberCount(topic: string): number {
    return this.#topics.get(topic)?.length ?? 0;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#topics.clear();
  }
}
