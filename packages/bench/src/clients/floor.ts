import WebSocket from 'ws';
import type { FeedKind } from '../server/feed-server';
import type { Endpoints, LibraryClient } from './library';
import type { Sink } from './sink';

interface Envelope {
  readonly stream?: string;
  readonly data?: { readonly t: number; readonly T: number; readonly u: number; readonly E: number };
}

/**
 * The floor: what Node can do at all. A raw `ws` client (the same package and options venuekit's
 * connections use) that only `JSON.parse`s each combined-stream frame and hands the id and send time
 * to the sink. No normalization, no book.
 */
export class FloorClient implements LibraryClient {
  #ws: WebSocket | undefined;

  async start(kind: FeedKind, endpoints: Endpoints, sink: Sink): Promise<void> {
    const stream = kind === 'trades' ? 'btcusdt@trade' : 'btcusdt@depth@100ms';
    const ws = new WebSocket(`${endpoints.streams}/stream`, {
      perMessageDeflate: false,
      skipUTF8Validation: true,
    });
    this.#ws = ws;
    if (kind === 'trades') {
      ws.on('message', (data: Buffer) => {
        const message = JSON.parse(data.toString()) as Envelope;
        const trade = message.data;
        if (trade !== undefined) sink.deliver(trade.t, trade.T);
      });
    } else {
      ws.on('message', (data: Buffer) => {
        const message = JSON.parse(data.toString()) as Envelope;
        const diff = message.data;
        if (diff !== undefined) sink.deliver(diff.u, diff.E);
      });
    }
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.on('error', () => {});
    ws.send(JSON.stringify({ method: 'SUBSCRIBE', params: [stream], id: 1 }));
  }

  top(): undefined {
    return undefined;
  }

  async close(): Promise<void> {
    const ws = this.#ws;
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      ws.once('close', () => resolve());
      ws.close();
    });
  }
}
