import { type ConnectionInfo, type ExchangeAdapter, type ExchangeId, ValidationError } from '@venuekit/core';
import type { StreamFigures } from './types';

/** An adapter's connection, with what this stream manager runs over it. */
export interface StreamConnection extends ConnectionInfo {
  /** This manager's streams carried by the connection. */
  readonly topics: readonly string[];
  /** Local subscribers of those streams. */
  readonly subscribers: number;
  /** Values waiting in those subscribers' queues (the adapter's own control queue is `queuedMessages`). */
  readonly queuedForSubscribers: number;
  /** Values dropped or conflated away for those subscribers. */
  readonly dropped: number;
}

export interface ConnectionRegistryHost {
  adapters(): readonly ExchangeAdapter[];
  figures(): readonly StreamFigures[];
}

/**
 * The market-data connections of every registered adapter: list them, inspect
 * one (streams, subscribers, reconnects, last message time, queued messages),
 * close one (its streams reconnect and resubscribe on a new one).
 */
export class ConnectionRegistry {
  readonly #host: ConnectionRegistryHost;

  constructor(host: ConnectionRegistryHost) {
    this.#host = host;
  }

  list(exchange?: ExchangeId): StreamConnection[] {
    const figures = this.#host.figures();
    const out: StreamConnection[] = [];
    for (const adapter of this.#host.adapters()) {
      if (exchange !== undefined && adapter.id !== exchange) continue;
      const client = adapter.marketData;
      if (!client) continue;
      for (const info of client.connections()) out.push(withFigures(info, figures));
    }
    return out;
  }

  get(connectionId: string): StreamConnection | undefined {
    return this.list().find((connection) => connection.id === connectionId);
  }

  /** Closes one connection; throws a ValidationError for an id no adapter knows. */
  async close(connectionId: string): Promise<void> {
    for (const adapter of this.#host.adapters()) {
      const client = adapter.marketData;
      if (client?.connections().some((connection) => connection.id === connectionId)) {
        await client.closeConnection(connectionId);
        return;
      }
    }
    throw new ValidationError('INVALID_PARAMETER', {
      field: 'connectionId',
      rule: 'must be the id of an open market-data connection (see connections.list())',
      message: `no market-data connection "${String(connectionId).slice(0, 64)}" is open`,
    });
  }
}

function withFigures(info: ConnectionInfo, figures: readonly StreamFigures[]): StreamConnection {
  const topics: string[] = [];
  let subscribers = 0;
  let queued = 0;
  let dropped = 0;
  for (const stream of figures) {
    if (stream.connectionId !== info.id || stream.exchange !== info.exchange) continue;
    topics.push(stream.topic);
    subscribers += stream.subscribers;
    queued += stream.queued;
    dropped += stream.dropped;
  }
  return { ...info, topics, subscribers, queuedForSubscribers: queued, dropped };
}
