import type { ConnectionKind } from './faults';
import type { ConnectionInfo, ServerConnection } from './ws-connection';

export type ConnectionListener = (info: ConnectionInfo) => void;

/** Every open WebSocket connection of the fake, for tests to find and fault. */
export class ConnectionRegistry {
  readonly #connections = new Map<string, ServerConnection>();
  readonly #listeners = new Set<ConnectionListener>();
  readonly #counters = new Map<ConnectionKind, number>();

  nextId(kind: ConnectionKind): string {
    const next = (this.#counters.get(kind) ?? 0) + 1;
    this.#counters.set(kind, next);
    return `${kind === 'streams' ? 'streams' : 'ws-api'}-${next}`;
  }

  add(connection: ServerConnection): void {
    this.#connections.set(connection.id, connection);
    if (this.#listeners.size > 0) {
      const info = connection.info();
      for (const listener of this.#listeners) listener(info);
    }
  }

  remove(connection: ServerConnection): void {
    this.#connections.delete(connection.id);
  }

  get(id: string): ServerConnection | undefined {
    return this.#connections.get(id);
  }

  all(kind?: ConnectionKind): ServerConnection[] {
    const all = [...this.#connections.values()];
    return kind ? all.filter((connection) => connection.kind === kind) : all;
  }

  onConnection(listener: ConnectionListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get size(): number {
    return this.#connections.size;
  }
}
