import WebSocket from 'ws';
import type { ApiAnswer, ServerMessage, WireHealth, WireUpdate, WireUser } from '../../src/wire';

/**
 * A test's view of the dashboard: the same `/ws` socket and HTTP API the page uses,
 * with the latest state folded from the pushes and a way to wait for a condition.
 */
export class LiveClient {
  readonly messages: ServerMessage[] = [];
  users: readonly WireUser[] = [];
  health: WireHealth | undefined;
  readonly #ws: WebSocket;
  readonly #waiters = new Set<() => void>();
  readonly opened: Promise<void>;

  constructor(readonly baseUrl: string) {
    this.#ws = new WebSocket(new URL('/ws', baseUrl).toString().replace(/^http/, 'ws'));
    this.opened = new Promise((resolve, reject) => {
      this.#ws.once('open', () => resolve());
      this.#ws.once('error', reject);
    });
    this.#ws.on('message', (data) => {
      const message = JSON.parse(data.toString()) as ServerMessage;
      this.messages.push(message);
      if (message.type === 'update') this.#fold(message);
      for (const wake of [...this.#waiters]) wake();
    });
  }

  watch(symbol: string, interval: string): void {
    this.#ws.send(JSON.stringify({ type: 'watch', symbol, interval }));
  }

  /** Resolves with the first truthy value of `probe`, re-evaluated after every push; rejects at the deadline. */
  waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 45_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const value = probe();
        if (value !== undefined && value !== false) {
          cleanup();
          resolve(value);
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.#waiters.delete(check);
      };
      this.#waiters.add(check);
      check();
    });
  }

  user(id: string): WireUser | undefined {
    return this.users.find((user) => user.id === id);
  }

  async post<T>(
    path: string,
    body: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; answer: ApiAnswer<T> }> {
    const response = await fetch(new URL(path, this.baseUrl), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: response.status, answer: (await response.json()) as ApiAnswer<T> };
  }

  close(): Promise<void> {
    for (const wake of this.#waiters) wake();
    if (this.#ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.#ws.once('close', () => resolve());
      this.#ws.terminate();
    });
  }

  #fold(update: WireUpdate): void {
    if (update.users) this.users = update.users;
    if (update.health) this.health = update.health;
  }
}
