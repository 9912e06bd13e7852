import ccxt from 'ccxt';
import type { BookTop } from '../feed/messages';
import type { FeedKind } from '../server/feed-server';
import type { Endpoints, LibraryClient } from './library';
import type { Sink } from './sink';

type Binance = InstanceType<typeof ccxt.pro.binance>;

interface CcxtBook {
  readonly nonce?: number;
  readonly timestamp?: number;
  readonly bids: readonly (readonly number[])[];
  readonly asks: readonly (readonly number[])[];
}

/**
 * ccxt Pro's binance, used the way its manual shows: `await watchTrades()` (new trades since the last
 * call) and `await watchOrderBook()` (its own local book from a REST snapshot plus the diff stream),
 * in a loop. Pointed at the local server by its urls (`urls.api.public`, `urls.api.ws.spot`); only
 * spot markets are loaded (`options.fetchMarkets.types`) and currencies are not fetched (that call
 * needs keys); `loadHttpProxyAgent()` gives it the http agent it needs for a `ws://` url. Its order book resolves once per batch of diffs, so the sink sees the book's last
 * update id (`nonce`) and event time, and fewer deliveries than messages.
 */
export class CcxtProClient implements LibraryClient {
  #exchange: Binance | undefined;
  #closed = false;
  #loop: Promise<void> | undefined;
  #book: CcxtBook | undefined;

  async start(kind: FeedKind, endpoints: Endpoints, sink: Sink): Promise<void> {
    const exchange = new ccxt.pro.binance({
      options: { fetchMarkets: { types: ['spot'] }, fetchCurrencies: false },
    });
    const api = exchange.urls.api as Record<string, unknown> & { ws: Record<string, unknown> };
    api.public = `${endpoints.rest}/api/v3`;
    api.ws.spot = `${endpoints.streams}/stream`;
    this.#exchange = exchange;
    // ccxt needs a plain http agent for ws:// urls (the local server has no TLS).
    await exchange.loadHttpProxyAgent();
    await exchange.loadMarkets();
    this.#loop =
      kind === 'trades'
        ? (async () => {
            while (!this.#closed) {
              const trades = await exchange.watchTrades('BTC/USDT');
              for (let i = 0; i < trades.length; i++) {
                const trade = trades[i] as { id?: string; timestamp?: number };
                sink.deliver(Number(trade.id), trade.timestamp as number);
              }
            }
          })()
        : (async () => {
            while (!this.#closed) {
              const book = (await exchange.watchOrderBook('BTC/USDT')) as unknown as CcxtBook;
              this.#book = book;
              sink.deliver(book.nonce as number, book.timestamp as number);
            }
          })();
    this.#loop.catch((error: unknown) => {
      if (!this.#closed) process.stderr.write(`ccxt loop failed: ${String(error)}\n`);
    });
  }

  top(): BookTop | undefined {
    const book = this.#book;
    if (!book) return undefined;
    const bid = book.bids[0]?.[0];
    const ask = book.asks[0]?.[0];
    return {
      lastUpdateId: book.nonce ?? -1,
      bestBid: bid === undefined ? undefined : bid.toFixed(8),
      bestAsk: ask === undefined ? undefined : ask.toFixed(8),
      bids: book.bids.length,
      asks: book.asks.length,
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#exchange?.close();
  }
}
