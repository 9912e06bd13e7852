import { createServer, type Server, type Socket, connect } from 'node:net';

/**
 * A TCP proxy between a client and a WebSocket server that reads the
 * client→server bytes and records every WebSocket frame the server receives
 * (text, ping, pong, close), with its arrival time. It measures what the
 * server sees, independently of the client's own accounting.
 */
export interface RecordedFrame {
  readonly connection: number;
  readonly opcode: number;
  readonly at: number;
  /** Text frames only. */
  readonly text?: string;
}

export interface FrameProxy {
  readonly url: string;
  readonly frames: RecordedFrame[];
  /** The largest number of frames one connection sent within any `windowMs`. */
  maxFramesPerWindow(windowMs: number, filter?: (frame: RecordedFrame) => boolean): number;
  close(): Promise<void>;
}

export async function startFrameProxy(targetUrl: string): Promise<FrameProxy> {
  const target = new URL(targetUrl);
  const frames: RecordedFrame[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((client) => {
    const id = ++connections;
    sockets.add(client);
    const upstream = connect(Number(target.port), target.hostname);
    sockets.add(upstream);
    let handshake = true;
    let buffer = Buffer.alloc(0);
    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk);
      buffer = Buffer.concat([buffer, chunk]);
      if (handshake) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        buffer = buffer.subarray(end + 4);
        handshake = false;
      }
      const now = Date.now();
      for (;;) {
        if (buffer.length < 2) return;
        const opcode = (buffer[0] as number) & 0x0f;
        const masked = ((buffer[1] as number) & 0x80) !== 0;
        let length = (buffer[1] as number) & 0x7f;
        let offset = 2;
        if (length === 126) {
          if (buffer.length < 4) return;
          length = buffer.readUInt16BE(2);
          offset = 4;
        } else if (length === 127) {
          if (buffer.length < 10) return;
          length = Number(buffer.readBigUInt64BE(2));
          offset = 10;
        }
        const maskOffset = offset;
        if (masked) offset += 4;
        if (buffer.length < offset + length) return;
        let text: string | undefined;
        if (opcode === 1) {
          const payload = Buffer.from(buffer.subarray(offset, offset + length));
          if (masked)
            for (let i = 0; i < payload.length; i++)
              payload[i] = (payload[i] as number) ^ (buffer[maskOffset + (i % 4)] as number);
          text = payload.toString();
        }
        frames.push({ connection: id, opcode, at: now, ...(text === undefined ? {} : { text }) });
        buffer = buffer.subarray(offset + length);
      }
    });
    upstream.on('data', (chunk) => client.write(chunk));
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no proxy port');
  return {
    url: `ws://127.0.0.1:${address.port}`,
    frames,
    maxFramesPerWindow(windowMs, filter = () => true) {
      const byConnection = new Map<number, number[]>();
      for (const frame of frames) {
        if (!filter(frame)) continue;
        const list = byConnection.get(frame.connection) ?? [];
        list.push(frame.at);
        byConnection.set(frame.connection, list);
      }
      let max = 0;
      for (const times of byConnection.values()) {
        let start = 0;
        for (let i = 0; i < times.length; i++) {
          while ((times[i] as number) - (times[start] as number) >= windowMs) start++;
          max = Math.max(max, i - start + 1);
        }
      }
      return max;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
