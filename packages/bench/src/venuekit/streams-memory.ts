// Memory per 1000 streams: the JavaScript heap (after full garbage collections) and the memory held
// outside it (socket buffers and other ArrayBuffers) that venuekit's Binance adapter adds for 1000
// subscribed trade streams, each with one subscriber, against the local server
// (which lists the symbols in exchangeInfo and confirms every SUBSCRIBE). Run with --expose-gc.
import { BinanceAdapter } from '@venuekit/adapter-binance';
import type { MarketDataSubscription } from '@venuekit/core';
import { serve } from '../ipc';

export interface StreamsMemoryResult {
  readonly streams: number;
  readonly connections: number;
  readonly heapBytesPerStream: number;
  /** `external` of process.memoryUsage(): buffers outside the heap. */
  readonly externalBytesPerStream: number;
}

const gc = (globalThis as { gc?: () => void }).gc;

function memory(): { heap: number; external: number } {
  for (let i = 0; i < 4; i++) gc?.();
  const usage = process.memoryUsage();
  return { heap: usage.heapUsed, external: usage.external };
}

async function measure({ streams }: { streams: number }): Promise<StreamsMemoryResult> {
  if (!gc) throw new Error('run with --expose-gc');
  const adapter = new BinanceAdapter({
    urls: {
      rest: process.env.BENCH_REST as string,
      streams: process.env.BENCH_STREAMS as string,
      wsApi: `${process.env.BENCH_STREAMS}/ws-api/v3`,
    },
  });
  const next = () => {};
  // One stream first: exchangeInfo, the first connection and the code paths are paid before measuring.
  const first = adapter.marketData.subscribe({ kind: 'trades', symbol: 'BTC/USDT' }, { next });
  await first.ready;
  const before = memory();
  const subscriptions: MarketDataSubscription[] = [];
  for (let i = 0; i < streams; i++) {
    subscriptions.push(adapter.marketData.subscribe({ kind: 'trades', symbol: `SYM${i}/USDT` }, { next }));
  }
  await Promise.all(subscriptions.map((s) => s.ready));
  const after = memory();
  const connections = adapter.marketData.connections().length;
  await Promise.all([first, ...subscriptions].map((s) => s.unsubscribe()));
  await adapter.close();
  return {
    streams,
    connections,
    heapBytesPerStream: (after.heap - before.heap) / streams,
    externalBytesPerStream: (after.external - before.external) / streams,
  };
}

serve({ measure }, { pid: process.pid });
