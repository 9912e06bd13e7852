import { type Clock, type ConnectionInfo, type Logger, silentLogger, systemClock } from '@venuekit/core';
import type { BinanceStreamsConfig } from '../config';
import { ConnectionAttemptBudget } from './connection';
import { BinanceStreamConnection, type StreamSink } from './stream-connection';

export interface StreamManagerOptions {
  /** Streams base url, e.g. `wss://stream.binance.com:9443`; `/stream` is appended. */
  readonly streamsUrl: string;
  readonly config: BinanceStreamsConfig;
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly exchange?: string;
  /** Shared with other connections to the same venue (e.g. the WebSocket API's). */
  readonly attemptBudget?: ConnectionAttemptBudget;
}

/**
 * Places venue streams on combined-stream connections: at most
 * `maxStreamsPerConnection` each (more streams, more connections), opens a
 * connection when the first stream needs one and closes it when its last
 * stream leaves. Rotates a connection without a gap — new connection first,
 * subscribed, then the old one closed — before Binance's 24 h limit, on
 * `serverShutdown` and on request; the overlap is de-duplicated by the sinks.
 */
export class BinanceStreamManager {
  readonly #options: StreamManagerOptions;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #budget: ConnectionAttemptBudget;
  readonly #url: string;
  #connections: BinanceStreamConnection[] = [];
  #serial = 0;
  #rotations = 0;
  #closed = false;
  readonly #rotating = new Set<Promise<void>>();

  constructor(options: StreamManagerOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? silentLogger;
    this.#budget =
      options.attemptBudget ??
      new ConnectionAttemptBudget(
        options.config.maxConnectionAttempts,
        options.config.connectionAttemptWindowMs,
      );
    this.#url = `${options.streamsUrl.replace(/\/+$/, '')}/stream`;
  }

  /** Rotations started so far (lifetime, serverShutdown, closeConnection). */
  get rotations(): number {
    return this.#rotations;
  }

  get connectionCount(): number {
    return this.#connections.length;
  }

  /** Subscribes a stream on a connection with room for it. */
  add(name: string, sink: StreamSink): void {
    if (this.#closed) return;
    const max = this.#options.config.maxStreamsPerConnection;
    let target = this.#connections.find((c) => !c.retiring && c.size < max);
    if (!target) {
      target = this.#create();
      // The stream is added first: a connection that must wait (for the connection attempt
      // budget) says so to the streams it carries as soon as it starts.
      target.add(name, sink, 'new');
      target.start();
      return;
    }
    target.add(name, sink, 'new');
  }

  /** Unsubscribes a stream everywhere it is; closes connections left empty. */
  async remove(name: string): Promise<void> {
    const holders = this.#connections.filter((c) => c.has(name));
    // Also connections emptied otherwise (the venue refused their last stream).
    const empty = this.#connections.filter((c) => c.size === 0 && !c.retiring && !holders.includes(c));
    await Promise.all([
      ...holders.map(async (connection) => {
        const done = connection.remove(name);
        if (connection.size === 0 && !connection.retiring) await this.#drop(connection);
        await done;
      }),
      ...empty.map((connection) => this.#drop(connection)),
    ]);
  }

  /** The connection carrying a stream (the newest, during a rotation). */
  connectionIdOf(name: string): string | undefined {
    for (let i = this.#connections.length - 1; i >= 0; i--) {
      const connection = this.#connections[i] as BinanceStreamConnection;
      if (connection.has(name)) return connection.id;
    }
    return undefined;
  }

  connections(): ConnectionInfo[] {
    return this.#connections.map((c) => c.info());
  }

  /** Moves a connection's streams to a new one without a gap, then closes it. */
  async rotate(connectionId: string, reason: string): Promise<void> {
    const connection = this.#connections.find((c) => c.id === connectionId);
    if (connection) await this.#rotate(connection, reason);
  }

  async close(): Promise<void> {
    this.#closed = true;
    const all = this.#connections.splice(0);
    await Promise.all(all.map((c) => c.close()));
    await Promise.all([...this.#rotating]);
  }

  // -------------------------------------------------------------------------

  #create(): BinanceStreamConnection {
    const connection = new BinanceStreamConnection({
      url: this.#url,
      serial: ++this.#serial,
      config: this.#options.config,
      clock: this.#clock,
      logger: this.#logger,
      attemptBudget: this.#budget,
      ...(this.#options.exchange ? { exchange: this.#options.exchange } : {}),
      events: {
        serverShutdown: (c) => void this.#rotate(c, 'serverShutdown'),
        lifetimeReached: (c) => void this.#rotate(c, 'maximum connection lifetime'),
        retiredEarly: (c, reason) => {
          // The old socket died before the new one confirmed: those streams did miss data.
          for (const other of this.#connections) {
            if (other !== c && !other.retiring) other.interruptUnconfirmed(reason);
          }
        },
      },
    });
    this.#connections.push(connection);
    return connection;
  }

  #rotate(old: BinanceStreamConnection, reason: string): Promise<void> {
    if (old.retiring || this.#closed || !this.#connections.includes(old)) return Promise.resolve();
    old.retiring = true;
    this.#rotations++;
    this.#logger.info('rotating connection', { connectionId: old.id, reason, streams: old.size });
    const task: Promise<void> = (async () => {
      if (old.size > 0) {
        const fresh = this.#create();
        for (const [name, sink] of old.sinks()) fresh.add(name, sink, 'moved');
        fresh.start();
        await fresh.whenSettled();
      }
      await this.#drop(old);
    })()
      .catch((error: unknown) => this.#logger.errorWithException('rotation failed', error))
      .finally(() => this.#rotating.delete(task));
    this.#rotating.add(task);
    return task;
  }

  async #drop(connection: BinanceStreamConnection): Promise<void> {
    const index = this.#connections.indexOf(connection);
    if (index >= 0) this.#connections.splice(index, 1);
    await connection.close();
  }
}
