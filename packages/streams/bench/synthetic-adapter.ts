import {
  type AdapterStatus,
  capabilities,
  ConfigurationError,
  Decimal,
  type ExchangeAdapter,
  type InstrumentsClient,
  type MarketDataStreamClient,
  type MarketDataSubscription,
  type StreamObserver,
  type StreamSpec,
  type Trade,
} from '@venuekit/core';

/**
 * A benchmark source, not a test double: an adapter whose only stream is trades it makes up, emitted
 * in bursts (as frames read from one socket chunk would be), so the fan-out cost is measured alone.
 */
export class SyntheticAdapter implements ExchangeAdapter {
  readonly id = 'bench';
  readonly name = 'Synthetic benchmark source';
  readonly has = capabilities(['watchTrades']);
  readonly instruments: InstrumentsClient = {
    list: async () => [],
    get: async () => {
      throw new ConfigurationError('ADAPTER_NOT_FOUND', {
        message: 'the benchmark source has no instruments',
      });
    },
  };
  readonly marketData: SyntheticMarketData = new SyntheticMarketData();

  status(): AdapterStatus {
    return { exchange: this.id, connections: [], streams: [] };
  }

  async close(): Promise<void> {
    await this.marketData.close();
  }
}

export class SyntheticMarketData implements MarketDataStreamClient {
  readonly #observers = new Set<StreamObserver<Trade>>();
  /** Venue subscriptions opened so far (the stream manager should open one however many subscribers). */
  subscriptions = 0;

  subscribe(spec: StreamSpec, observer: StreamObserver<never>): MarketDataSubscription {
    const typed = observer as unknown as StreamObserver<Trade>;
    this.#observers.add(typed);
    this.subscriptions++;
    return {
      key: this.streamKey(spec),
      ready: Promise.resolve(),
      unsubscribe: async () => {
        this.#observers.delete(typed);
      },
    };
  }

  streamKey(spec: StreamSpec): string {
    return `${spec.symbol}:${spec.kind}`;
  }

  connections() {
    return [];
  }

  streamStats() {
    return [];
  }

  async closeConnection(): Promise<void> {}

  async close(): Promise<void> {
    this.#observers.clear();
  }

  /** Emits `count` trades, `burst` per macrotask; resolves when all were handed to the observers. */
  async emit(count: number, burst: number): Promise<void> {
    const price = new Decimal('65432.10');
    const quantity = new Decimal('0.00100000');
    let n = 0;
    while (n < count) {
      const end = Math.min(count, n + burst);
      for (; n < end; n++) {
        const trade: Trade = {
          exchange: 'bench',
          symbol: 'BTC/USDT',
          id: String(n),
          price,
          quantity,
          timestamp: n,
          side: 'buy',
          buyerIsMaker: false,
        };
        for (const observer of this.#observers) observer.next(trade);
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}
