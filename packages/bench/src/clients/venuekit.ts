import { BinanceAdapter } from '@venuekit/adapter-binance';
import type { Decimal, MarketDataSubscription, OrderBookLevel, ReadonlyOrderBook } from '@venuekit/core';
import type { BookTop } from '../feed/messages';
import type { FeedKind } from '../server/feed-server';
import type { Endpoints, LibraryClient } from './library';
import type { Sink } from './sink';

/** Where the reading subscriber keeps what it read, so that the reads cannot be optimized away. */
export const lastRead: { price?: Decimal; quantity?: Decimal; bid?: OrderBookLevel; ask?: OrderBookLevel } =
  {};

/**
 * venuekit: the Binance adapter's market data client, as a user subscribes to it. Trades arrive as
 * core `Trade` objects; diff depth is kept as a full local order book (snapshot from REST plus every
 * diff, Binance's sequencing rules) and each update is delivered with the live book.
 *
 * `read: true` is a subscriber that also reads what it got: each trade's price and quantity, and the
 * book's best bid and ask after each update (the Decimals venuekit builds only when asked for).
 */
export class VenuekitClient implements LibraryClient {
  readonly #read: boolean;
  #adapter: BinanceAdapter | undefined;
  #subscription: MarketDataSubscription | undefined;
  #book: ReadonlyOrderBook | undefined;

  constructor(options: { read?: boolean } = {}) {
    this.#read = options.read ?? false;
  }

  async start(kind: FeedKind, endpoints: Endpoints, sink: Sink): Promise<void> {
    const adapter = new BinanceAdapter({
      urls: { rest: endpoints.rest, streams: endpoints.streams, wsApi: `${endpoints.streams}/ws-api/v3` },
    });
    this.#adapter = adapter;
    const read = this.#read;
    if (kind === 'trades') {
      this.#subscription = adapter.marketData.subscribe(
        { kind: 'trades', symbol: 'BTC/USDT' },
        {
          next: read
            ? (trade) => {
                lastRead.price = trade.price;
                lastRead.quantity = trade.quantity;
                sink.deliver(Number(trade.id), trade.timestamp);
              }
            : (trade) => sink.deliver(Number(trade.id), trade.timestamp),
        },
      );
    } else {
      this.#subscription = adapter.marketData.subscribe(
        { kind: 'orderBook', symbol: 'BTC/USDT' },
        {
          next: read
            ? (update) => {
                this.#book = update.book;
                lastRead.bid = update.book.bestBid();
                lastRead.ask = update.book.bestAsk();
                sink.deliver(Number(update.updateId), update.timestamp);
              }
            : (update) => {
                this.#book = update.book;
                sink.deliver(Number(update.updateId), update.timestamp);
              },
        },
      );
    }
    await this.#subscription.ready;
  }

  top(): BookTop | undefined {
    const book = this.#book;
    if (!book) return undefined;
    return {
      lastUpdateId: Number(book.updateId),
      bestBid: book.bestBid()?.price.toFixed(8),
      bestAsk: book.bestAsk()?.price.toFixed(8),
      bids: book.bidCount,
      asks: book.askCount,
    };
  }

  async close(): Promise<void> {
    await this.#subscription?.unsubscribe();
    await this.#adapter?.close();
  }
}
