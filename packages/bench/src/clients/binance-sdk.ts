import { WebsocketClient } from 'binance';
import type { FeedKind } from '../server/feed-server';
import type { Endpoints, LibraryClient } from './library';
import type { Sink } from './sink';

interface RawEvent {
  readonly t: number;
  readonly T: number;
  readonly u: number;
  readonly E: number;
}

const quiet = {
  trace: () => {},
  info: () => {},
  error: (...args: unknown[]) => process.stderr.write(`binance sdk: ${args.map(String).join(' ')}\n`),
};

/**
 * The `binance` package's WebsocketClient with its defaults (raw events, no beautifier), pointed at
 * the local server with its `wsUrl` option; it connects to `<wsUrl>/stream` and subscribes with
 * `subscribe(topics, 'main')`. It hands each event's payload as parsed JSON: no normalization and no
 * local book (the SDK does not keep one).
 */
export class BinanceSdkClient implements LibraryClient {
  #client: WebsocketClient | undefined;

  async start(kind: FeedKind, endpoints: Endpoints, sink: Sink): Promise<void> {
    const client = new WebsocketClient({ wsUrl: endpoints.streams }, quiet);
    this.#client = client;
    if (kind === 'trades') {
      client.on('message', (event) => {
        const trade = event as unknown as RawEvent;
        sink.deliver(trade.t, trade.T);
      });
    } else {
      client.on('message', (event) => {
        const diff = event as unknown as RawEvent;
        sink.deliver(diff.u, diff.E);
      });
    }
    client.on('exception', (event) => quiet.error('exception', JSON.stringify(event)));
    await client.subscribe([kind === 'trades' ? 'btcusdt@trade' : 'btcusdt@depth@100ms'], 'main');
  }

  top(): undefined {
    return undefined;
  }

  async close(): Promise<void> {
    this.#client?.closeAll(true);
  }
}
