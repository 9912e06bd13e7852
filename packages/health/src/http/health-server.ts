import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { type Logger, silentLogger, ValidationError } from '@venuekit/core';
import type { HealthRequestHandler } from './health-handler';

export interface HealthServerOptions {
  /** Default 0: an ephemeral port (read it from `port` after `listen`). */
  readonly port?: number;
  /**
   * Default `127.0.0.1`. Use `0.0.0.0` (or `::`) when an orchestrator probes the process from
   * outside, e.g. Kubernetes probing a pod's IP.
   */
  readonly host?: string;
  readonly logger?: Logger;
}

/** A standalone HTTP server for the health endpoints. */
export class HealthServer {
  readonly #server: Server;
  readonly #port: number;
  readonly #host: string;
  readonly #logger: Logger;
  readonly #sockets = new Set<Socket>();
  #listening: Promise<void> | undefined;
  #closing: Promise<void> | undefined;

  constructor(handler: HealthRequestHandler, options: HealthServerOptions = {}) {
    const { port = 0, host = '127.0.0.1' } = options;
    if (!Number.isInteger(port) || port < 0 || port > 65_535) {
      throw new ValidationError('INVALID_PARAMETER', {
        field: 'port',
        rule: 'must be an integer from 0 to 65535',
      });
    }
    if (typeof host !== 'string' || host === '') {
      throw new ValidationError('INVALID_PARAMETER', { field: 'host', rule: 'must be a non-empty string' });
    }
    this.#port = port;
    this.#host = host;
    this.#logger = options.logger ?? silentLogger;
    this.#server = createServer((request, response) => handler(request, response));
    this.#server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
    // After listening, a server error must not crash the process: log it.
    this.#server.on('error', (error) => {
      if (this.#server.listening) this.#logger.errorWithException('health server error', error);
    });
  }

  /** Starts listening; rejects if the port cannot be bound (e.g. EADDRINUSE). */
  listen(): Promise<void> {
    this.#listening ??= new Promise<void>((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      this.#server.once('error', onError);
      this.#server.listen(this.#port, this.#host, () => {
        this.#server.off('error', onError);
        resolve();
      });
    });
    return this.#listening;
  }

  /** The bound port (after `listen`). */
  get port(): number {
    return (this.#server.address() as AddressInfo | null)?.port ?? this.#port;
  }

  /** `http://host:port`, with IPv6 hosts in brackets. */
  get url(): string {
    const host = this.#host.includes(':') ? `[${this.#host}]` : this.#host;
    return `http://${host}:${this.port}`;
  }

  /** Stops accepting connections and ends the open ones, including idle keep-alive connections. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      // A close during listen waits for the bind, so no server is left behind.
      await this.#listening?.catch(() => {});
      if (!this.#server.listening) return;
      await new Promise<void>((resolve) => {
        this.#server.close(() => resolve());
        for (const socket of this.#sockets) socket.destroy();
      });
    })();
    return this.#closing;
  }
}
