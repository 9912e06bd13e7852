// Order book updates applied per second, in one process and without a socket: the same diff
// stream the side-by-side run sends (DepthFeed), parsed beforehand, applied through venuekit's
// BinanceBookSync (Binance's sequencing rules, the book, the update handed to a listener) and,
// separately, through core's OrderBook alone. Only the applying is timed.
import { BinanceBookSync, type WireDepthUpdate, type WirePartialDepth } from '@venuekit/adapter-binance';
import { OrderBook } from '@venuekit/core';
import { DepthFeed } from '../feed/messages';
import { serve } from '../ipc';

export interface BookApplyResult {
  readonly diffs: number;
  readonly levelsPerDiff: number;
  /** BinanceBookSync.onDiff: diffs per second (best of the timed passes). */
  readonly syncPerSecond: number;
  /** OrderBook.apply alone. */
  readonly bookPerSecond: number;
  readonly bookLevels: number;
}

const BLOCK = 10_000;

function parsedBlock(feed: DepthFeed, count: number): WireDepthUpdate[] {
  const out: WireDepthUpdate[] = [];
  for (let i = 0; i < count; i++) out.push(JSON.parse(feed.next(i)) as WireDepthUpdate);
  return out;
}

async function syncRate(diffs: number): Promise<number> {
  const feed = new DepthFeed({ seed: 7 });
  const snapshot = feed.snapshot(5000) as WirePartialDepth;
  let delivered = 0;
  const sync = new BinanceBookSync({
    symbol: 'BTC/USDT',
    fetchSnapshot: async () => snapshot,
    listener: { update: () => void delivered++, status: () => {} },
  });
  // The first diff starts the snapshot request; once it is applied the book is synced.
  sync.onDiff(parsedBlock(feed, 1)[0] as WireDepthUpdate);
  while (sync.state !== 'synced') await new Promise((resolve) => setImmediate(resolve));
  let elapsed = 0;
  for (let done = 0; done < diffs; done += BLOCK) {
    const block = parsedBlock(feed, Math.min(BLOCK, diffs - done));
    const start = performance.now();
    for (let i = 0; i < block.length; i++) sync.onDiff(block[i] as WireDepthUpdate);
    elapsed += performance.now() - start;
  }
  if (delivered !== diffs + 1 || sync.state !== 'synced') throw new Error('the book fell out of sync');
  sync.close();
  return diffs / (elapsed / 1000);
}

function bookRate(diffs: number): { perSecond: number; levels: number } {
  const feed = new DepthFeed({ seed: 7 });
  const snapshot = feed.snapshot(5000);
  const book = new OrderBook('binance', 'BTC/USDT');
  book.reset(snapshot.bids, snapshot.asks, snapshot.lastUpdateId, 0);
  let elapsed = 0;
  for (let done = 0; done < diffs; done += BLOCK) {
    const block = parsedBlock(feed, Math.min(BLOCK, diffs - done));
    const start = performance.now();
    for (let i = 0; i < block.length; i++) {
      const w = block[i] as WireDepthUpdate;
      book.apply(w.b, w.a, w.u, w.E);
    }
    elapsed += performance.now() - start;
  }
  return { perSecond: diffs / (elapsed / 1000), levels: book.bidCount + book.askCount };
}

async function measure({ diffs, passes }: { diffs: number; passes: number }): Promise<BookApplyResult> {
  await syncRate(Math.min(diffs, 20_000)); // warm-up
  bookRate(Math.min(diffs, 20_000));
  let syncPerSecond = 0;
  let bookPerSecond = 0;
  let bookLevels = 0;
  for (let i = 0; i < passes; i++) {
    syncPerSecond = Math.max(syncPerSecond, await syncRate(diffs));
    const book = bookRate(diffs);
    bookPerSecond = Math.max(bookPerSecond, book.perSecond);
    bookLevels = book.levels;
  }
  return { diffs, levelsPerDiff: new DepthFeed().idsPerMessage, syncPerSecond, bookPerSecond, bookLevels };
}

serve({ measure }, { pid: process.pid });
