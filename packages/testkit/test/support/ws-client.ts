import WebSocket from 'ws';

export interface Received {
  readonly text: string;
  readonly json: unknown;
  readonly at: number;
}

/**
 * A test client over a real socket: records every frame, lets a test wait for one that matches,
 * and records how the connection ended. `autoPong: false` leaves pings unanswered.
 */
export class TestSocket {
  readonly socket: WebSocket;
  readonly received: Received[] = [];
  readonly pings: Buffer[] = [];
  closed: { code: number; reason: string } | undefined;
  #waiters: Array<() => void> = [];

  private constructor(socket: WebSocket) {
    this.socket = socket;
    socket.on('message', (data) => {
      const text = data.toString();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      this.received.push({ text, json, at: Date.now() });
      this.#notify();
    });
    socket.on('ping', (data) => {
      this.pings.push(Buffer.from(data));
      this.#notify();
    });
    socket.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.#notify();
    });
    socket.on('error', () => {});
  }

  static open(url: string, options: { autoPong?: boolean } = {}): Promise<TestSocket> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { autoPong: options.autoPong ?? true });
      const client = new TestSocket(socket);
      socket.once('open', () => resolve(client));
      socket.once('unexpected-response', (_request, response) => {
        reject(new Error(`handshake answered HTTP ${response.statusCode}`));
        response.resume();
        socket.terminate();
      });
      socket.once('error', reject);
    });
  }

  /** Opens expecting the handshake to be refused; resolves with the HTTP status. */
  static refused(url: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      socket.on('error', () => {});
      socket.once('open', () => {
        socket.terminate();
        reject(new Error('the connection was accepted'));
      });
      socket.once('unexpected-response', (_request, response) => {
        resolve(response.statusCode ?? 0);
        response.resume();
        socket.terminate();
      });
    });
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** JSON messages received so far that match. */
  matching<T = Record<string, unknown>>(predicate: (json: T) => boolean): T[] {
    return this.received
      .filter((message) => message.json !== undefined && predicate(message.json as T))
      .map((message) => message.json as T);
  }

  /** Waits for a JSON message matching `predicate` received after index `from`. */
  async next<T = Record<string, unknown>>(
    predicate: (json: T) => boolean,
    { timeoutMs = 15_000, from = 0 }: { timeoutMs?: number; from?: number } = {},
  ): Promise<T> {
    return this.#until(
      () => {
        for (let i = from; i < this.received.length; i++) {
          const json = this.received[i]!.json;
          if (json !== undefined && predicate(json as T)) return json as T;
        }
        return undefined;
      },
      timeoutMs,
      'a matching message',
    );
  }

  /** Sends a request and waits for the answer with the same id. */
  async request<T = Record<string, unknown>>(message: { id: unknown } & Record<string, unknown>): Promise<T> {
    const from = this.received.length;
    this.send(message);
    return this.next<T>((json) => (json as { id?: unknown }).id === message.id, { from });
  }

  /** Waits until at least `count` frames (JSON or not) have arrived. */
  waitForFrames(count: number, timeoutMs = 15_000): Promise<Received[]> {
    return this.#until(
      () => (this.received.length >= count ? this.received : undefined),
      timeoutMs,
      `${count} frames`,
    );
  }

  waitForClose(timeoutMs = 15_000): Promise<{ code: number; reason: string }> {
    return this.#until(() => this.closed, timeoutMs, 'the connection to close');
  }

  waitForPing(count = 1, timeoutMs = 15_000): Promise<Buffer> {
    return this.#until(
      () => (this.pings.length >= count ? this.pings[count - 1] : undefined),
      timeoutMs,
      'a ping',
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    if (this.socket.readyState === WebSocket.CONNECTING || this.socket.readyState === WebSocket.OPEN) {
      this.socket.close();
      try {
        await this.waitForClose(5000);
      } catch {
        this.socket.terminate();
      }
    } else {
      this.socket.terminate();
    }
  }

  #notify(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) waiter();
  }

  #until<T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)),
        timeoutMs,
      );
      const attempt = () => {
        const value = check();
        if (value !== undefined) {
          clearTimeout(timer);
          resolve(value);
        } else {
          this.#waiters.push(attempt);
        }
      };
      attempt();
    });
  }
}
