import { randomBytes } from 'node:crypto';
import {
  type BusEvent,
  type BusHandler,
  type BusSubscription,
  ClosedError,
  type Logger,
  type MessageBus,
  NetworkError,
  silentLogger,
  ValidationError,
} from '@venuekit/core';
import { Redis, type RedisOptions } from 'ioredis';
import { type BusCodec, JsonBusCodec } from './codec';

export interface RedisBusOptions {
  /** Default `redis://127.0.0.1:6379`. Ignored when `client` is given. */
  readonly url?: string;
  /** ioredis options (password, tls, retryStrategy…). Ignored when `client` is given. */
  readonly redis?: RedisOptions;
  /** An ioredis client to publish with (not closed by the bus); the bus subscribes on a duplicate of it. */
  readonly client?: Redis;
  /** Channel prefix: topic `t` travels on channel `<prefix>:t`. Default `venuekit`. */
  readonly prefix?: string;
  readonly codec?: BusCodec;
  readonly logger?: Logger;
}

export interface RedisBusStats {
  readonly published: number;
  readonly received: number;
  /** Events a publisher sent on a topic that never arrived here (gaps in its sequence). */
  readonly missed: number;
  /** Events that arrived with a sequence at or before one already seen (dropped, not delivered twice). */
  readonly outOfOrder: number;
  readonly decodeErrors: number;
  readonly publishErrors: number;
  readonly handlerErrors: number;
  readonly topics: number;
}

const PREFIX_PATTERN = /^[\w.:-]{1,100}$/;
/** Most events in one Redis message. */
const MAX_BATCH = 256;

/**
 * A MessageBus over Redis pub/sub, so that one gateway process holding the
 * exchange connections fans events out to consumers in other processes.
 *
 * Two connections: one publishes (auto-pipelined), one subscribes. The events
 * of a topic published in one tick travel as one message. Events keep their
 * order per topic from one publisher; each carries the publisher's per-topic
 * sequence number, so events lost while a connection was down are counted
 * (`stats().missed`) instead of vanishing silently. Redis pub/sub does
 * not store anything: no keys are created, and a consumer that is disconnected
 * misses what was published meanwhile.
 */
export class RedisBus implements MessageBus {
  readonly kind = 'redis';
  readonly prefix: string;
  readonly publisherId = randomBytes(6).toString('base64url');
  readonly #codec: BusCodec;
  readonly #logger: Logger;
  readonly #pub: Redis;
  readonly #ownsPub: boolean;
  readonly #sub: Redis;
  readonly #handlers = new Map<string, BusHandler[]>();
  /** The SUBSCRIBE issued when a topic got its first handler, awaited by everyone who joins before it is confirmed. */
  readonly #subscribing = new Map<string, Promise<void>>();
  /** The last sequence number sent per topic. */
  readonly #seq = new Map<string, number>();
  /** Events published in this tick, per topic, in order. */
  readonly #batches = new Map<string, BusEvent[]>();
  #flushScheduled = false;
  readonly #seen = new Map<string, Map<string, number>>();
  #closed = false;
  #closing: Promise<void> | undefined;
  #published = 0;
  #received = 0;
  #missed = 0;
  #outOfOrder = 0;
  #decodeErrors = 0;
  #publishErrors = 0;
  #handlerErrors = 0;
  #lastConnectionWarning = 0;

  constructor(options: RedisBusOptions = {}) {
    const prefix = options.prefix ?? 'venuekit';
    if (!PREFIX_PATTERN.test(prefix)) {
      throw new ValidationError('INVALID_PARAMETER', {
        field: 'prefix',
        rule: 'must be 1 to 100 letters, digits, ".", ":", "_" or "-"',
      });
    }
    this.prefix = prefix;
    this.#codec = options.codec ?? new JsonBusCodec();
    this.#logger = options.logger ?? silentLogger;
    if (options.client) {
      this.#pub = options.client;
      this.#ownsPub = false;
      this.#sub = options.client.duplicate();
    } else {
      const redisOptions: RedisOptions = { enableAutoPipelining: true, ...options.redis };
      this.#pub = new Redis(options.url ?? 'redis://127.0.0.1:6379', redisOptions);
      this.#ownsPub = true;
      this.#sub = new Redis(options.url ?? 'redis://127.0.0.1:6379', { ...options.redis });
    }
    this.#pub.on('error', this.#onConnectionError);
    this.#sub.on('error', this.#onConnectionError);
    this.#sub.on('message', this.#onMessage);
  }

  /**
   * Hot path: queues the event; the events of one topic published in the same tick leave as one Redis
   * message (at most `MAX_BATCH`), in order. Never throws.
   */
  publish(event: BusEvent): void {
    if (this.#closed) return;
    const batch = this.#batches.get(event.topic);
    if (batch === undefined) {
      this.#batches.set(event.topic, [event]);
    } else {
      batch.push(event);
      if (batch.length >= MAX_BATCH) {
        this.#batches.delete(event.topic);
        this.#send(event.topic, batch);
        return;
      }
    }
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      queueMicrotask(this.#flush);
    }
  }

  /** Resolves once Redis confirmed the subscription; events published after that reach the handler. */
  async subscribe(topic: string, handler: BusHandler): Promise<BusSubscription> {
    if (this.#closed) throw new ClosedError({ message: 'the redis bus is closed' });
    if (typeof topic !== 'string' || topic === '') {
      throw new ValidationError('INVALID_PARAMETER', { field: 'topic', rule: 'must be a non-empty string' });
    }
    const handlers = this.#handlers.get(topic);
    // Copy on write, so a handler that unsubscribes during delivery cannot skip another.
    this.#handlers.set(topic, handlers ? [...handlers, handler] : [handler]);
    let confirmed = this.#subscribing.get(topic);
    if (!handlers || confirmed === undefined) {
      confirmed = this.#sub.subscribe(this.#channel(topic)).then(
        () => undefined,
        (error: unknown) => {
          throw new NetworkError({
            message: `redis did not confirm the subscription to ${topic}`,
            cause: error,
          });
        },
      );
      this.#subscribing.set(topic, confirmed);
    }
    let active = true;
    const subscription: BusSubscription = {
      unsubscribe: async () => {
        if (!active) return;
        active = false;
        this.#removeHandler(topic, handler);
      },
    };
    try {
      await confirmed;
    } catch (error) {
      await subscription.unsubscribe();
      throw error;
    }
    return subscription;
  }

  /** Topics with at least one local handler. */
  topics(): string[] {
    return [...this.#handlers.keys()];
  }

  stats(): RedisBusStats {
    return {
      published: this.#published,
      received: this.#received,
      missed: this.#missed,
      outOfOrder: this.#outOfOrder,
      decodeErrors: this.#decodeErrors,
      publishErrors: this.#publishErrors,
      handlerErrors: this.#handlerErrors,
      topics: this.#handlers.size,
    };
  }

  /** Waits for published messages to be written, then closes both connections. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#flush();
      this.#closed = true;
      this.#handlers.clear();
      this.#subscribing.clear();
      this.#seen.clear();
      await Promise.allSettled([this.#ownsPub ? quit(this.#pub) : Promise.resolve(), quit(this.#sub)]);
      this.#pub.off('error', this.#onConnectionError);
      this.#sub.off('error', this.#onConnectionError);
      this.#sub.off('message', this.#onMessage);
    })();
    return this.#closing;
  }

  #channel(topic: string): string {
    return `${this.prefix}:${topic}`;
  }

  readonly #flush = (): void => {
    this.#flushScheduled = false;
    if (this.#batches.size === 0) return;
    for (const [topic, events] of this.#batches) this.#send(topic, events);
    this.#batches.clear();
  };

  #send(topic: string, events: BusEvent[]): void {
    const firstSeq = (this.#seq.get(topic) ?? 0) + 1;
    let payload: string;
    try {
      payload = this.#codec.encode(topic, events, this.publisherId, firstSeq);
    } catch (error) {
      this.#publishErrors += events.length;
      this.#logger.errorWithException('redis bus could not encode events', error, { topic });
      return;
    }
    this.#seq.set(topic, firstSeq + events.length - 1);
    this.#published += events.length;
    this.#pub.publish(this.#channel(topic), payload).catch(this.#onPublishError);
  }

  #removeHandler(topic: string, handler: BusHandler): void {
    const current = this.#handlers.get(topic);
    if (!current || this.#closed) return;
    const rest = current.filter((h) => h !== handler);
    if (rest.length > 0) {
      this.#handlers.set(topic, rest);
      return;
    }
    this.#handlers.delete(topic);
    this.#subscribing.delete(topic);
    this.#seen.delete(topic);
    this.#sub.unsubscribe(this.#channel(topic)).catch((error: unknown) => {
      this.#logger.warn('redis bus could not unsubscribe', { topic, error: String(error) });
    });
  }

  readonly #onMessage = (channel: string, payload: string): void => {
    const topic = channel.slice(this.prefix.length + 1);
    const handlers = this.#handlers.get(topic);
    if (handlers === undefined) return;
    let message: ReturnType<BusCodec['decode']>;
    try {
      message = this.#codec.decode(topic, payload);
    } catch (error) {
      this.#decodeErrors++;
      if (this.#decodeErrors <= 3 || this.#decodeErrors % 1000 === 0) {
        this.#logger.warn('redis bus dropped a message it could not decode', {
          topic,
          decodeErrors: this.#decodeErrors,
          error: error instanceof Error ? error.message : String(error),
        });
      }
      return;
    }
    const events = message.events;
    this.#received += events.length;
    this.#track(topic, message.publisherId, message.firstSeq, events.length);
    for (let e = 0; e < events.length; e++) {
      const event = events[e] as BusEvent;
      for (let i = 0; i < handlers.length; i++) {
        try {
          (handlers[i] as BusHandler)(event);
        } catch (error) {
          this.#handlerErrors++;
          if (this.#handlerErrors <= 3 || this.#handlerErrors % 1000 === 0) {
            this.#logger.errorWithException('bus handler threw', error, { topic });
          }
        }
      }
    }
  };

  #track(topic: string, publisherId: string, firstSeq: number, count: number): void {
    let publishers = this.#seen.get(topic);
    if (publishers === undefined) {
      publishers = new Map();
      this.#seen.set(topic, publishers);
    }
    const last = publishers.get(publisherId);
    if (last !== undefined) {
      if (firstSeq > last + 1) {
        this.#missed += firstSeq - last - 1;
        this.#logger.warn('redis bus missed messages on a topic', {
          topic,
          publisherId,
          missed: firstSeq - last - 1,
        });
      } else if (firstSeq <= last) {
        this.#outOfOrder += count;
        return;
      }
    }
    publishers.set(publisherId, firstSeq + count - 1);
  }

  readonly #onPublishError = (error: unknown): void => {
    this.#publishErrors++;
    if (this.#publishErrors <= 3 || this.#publishErrors % 1000 === 0) {
      this.#logger.warn('redis bus could not publish', {
        publishErrors: this.#publishErrors,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  };

  readonly #onConnectionError = (error: Error): void => {
    // ioredis reports every failed reconnect attempt; one line per 10 s is enough.
    const now = Date.now();
    if (now - this.#lastConnectionWarning < 10_000) return;
    this.#lastConnectionWarning = now;
    this.#logger.warn('redis bus connection error', { prefix: this.prefix, error: error.message });
  };
}

async function quit(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  if (redis.status !== 'ready') {
    redis.disconnect();
    return;
  }
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  }
}
