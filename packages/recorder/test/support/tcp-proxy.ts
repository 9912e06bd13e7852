import net from 'node:net';

/**
 * A TCP proxy in front of PostgreSQL for fault tests: the database "goes away" (connections cut,
 * new ones refused) and comes back, or a connection is cut right after it sent COMMIT so that the
 * client cannot know whether its transaction committed.
 */
export class TcpProxy {
  readonly #server: net.Server;
  readonly #target: { host: string; port: number };
  readonly #pairs = new Set<{ client: net.Socket; upstream: net.Socket }>();
  #refusing = false;
  #cutAfterCommit = 0;
  /** Connections accepted so far. */
  accepted = 0;
  /** Times a connection was cut after forwarding a COMMIT. */
  commitsCut = 0;

  private constructor(server: net.Server, target: { host: string; port: number }) {
    this.#server = server;
    this.#target = target;
  }

  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const server = net.createServer();
    const proxy = new TcpProxy(server, target);
    server.on('connection', (socket) => proxy.#accept(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.#server.address() as net.AddressInfo).port;
  }

  /** The database goes away: open connections are cut, new ones are closed at once. */
  down(): void {
    this.#refusing = true;
    for (const { client, upstream } of this.#pairs) {
      client.destroy();
      upstream.destroy();
    }
    this.#pairs.clear();
  }

  up(): void {
    this.#refusing = false;
  }

  /** The next `times` COMMITs reach the database, but their connection is cut before the answer comes back. */
  cutAfterCommit(times = 1): void {
    this.#cutAfterCommit = times;
  }

  #accept(client: net.Socket): void {
    client.on('error', () => {});
    if (this.#refusing) {
      client.destroy();
      return;
    }
    this.accepted++;
    const upstream = net.connect(this.#target.port, this.#target.host);
    upstream.on('error', () => client.destroy());
    const pair = { client, upstream };
    this.#pairs.add(pair);
    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk);
      // A simple-protocol Query message: 'Q', int32 length, "COMMIT\0".
      if (this.#cutAfterCommit > 0 && chunk.includes('COMMIT\u0000')) {
        this.#cutAfterCommit--;
        this.commitsCut++;
        this.#pairs.delete(pair);
        client.destroy();
        // The database reads the COMMIT and answers into a connection that is closing.
        upstream.once('data', () => upstream.end());
      }
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!client.destroyed) client.write(chunk);
    });
    client.on('close', () => {
      this.#pairs.delete(pair);
      if (!upstream.destroyed && upstream.listenerCount('data') <= 1) upstream.end();
    });
    upstream.on('close', () => {
      this.#pairs.delete(pair);
      client.destroy();
    });
  }

  async close(): Promise<void> {
    this.down();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
