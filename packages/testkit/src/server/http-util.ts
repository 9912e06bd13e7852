import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** Starts an HTTP server on 127.0.0.1 (port 0: ephemeral) and tracks its sockets for close(). */
export async function listen(server: Server, port: number, host = '127.0.0.1'): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

/** A node:http server whose every socket is tracked, so close() ends keep-alive sockets too. */
export function trackedServer(): { server: Server; sockets: Set<Socket> } {
  const server = createServer();
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // A peer reset is normal for a test server; it must not become an unhandled 'error'.
    socket.on('error', () => {});
  });
  // A malformed request: drop the socket. Errors of the listening server after start (rare) must
  // not crash the process; listen() reports the ones that happen while starting.
  server.on('clientError', (_error, socket) => {
    if (!socket.destroyed) socket.destroy();
  });
  server.on('error', () => {});
  return { server, sockets };
}

export async function closeServer(server: Server, sockets: Set<Socket>): Promise<void> {
  if (!server.listening) return;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  for (const socket of sockets) socket.destroy();
  sockets.clear();
  server.closeAllConnections?.();
  await closed;
}

export function remoteAddress(request: IncomingMessage): string {
  return request.socket.remoteAddress ?? 'unknown';
}

/** Answers an upgrade request with a plain HTTP error and closes the socket. */
export function rejectUpgrade(socket: Socket, status: number, message: string, body = ''): void {
  if (socket.destroyed) return;
  socket.end(
    `HTTP/1.1 ${status} ${message}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
