import { Decimal, ManualClock, OrderBook, type OrderBookSnapshot } from '@venuekit/core';
import { describe, expect, it } from 'vitest';
import { BookSampler } from './book-sampler';

function book(): OrderBook {
  const b = new OrderBook('binance', 'BTC/USDT');
  b.reset(
    [
      ['100', '1'],
      ['99', '2'],
      ['98', '3'],
    ],
    [
      ['101', '1'],
      ['102', '2'],
    ],
    10,
    1_000,
  );
  return b;
}

describe('BookSampler', () => {
  it('copies the top levels at each tick only when the book changed and is not stale', async () => {
    const clock = new ManualClock();
    const samples: OrderBookSnapshot[] = [];
    const sampler = new BookSampler({ clock, intervalMs: 100, levels: 2, emit: (s) => samples.push(s) });
    const b = book();
    sampler.update({
      exchange: 'binance',
      symbol: 'BTC/USDT',
      book: b,
      updateId: '10',
      timestamp: 1_000,
      resynced: true,
    });
    await clock.advance(100);
    expect(samples).toHaveLength(1);
    expect(samples[0]?.bids.map((l) => l.price.toString())).toEqual(['100', '99']);
    expect(samples[0]?.updateId).toBe('10');
    await clock.advance(300); // unchanged: nothing more
    expect(samples).toHaveLength(1);

    sampler.status({ type: 'stale', reason: 'gap' });
    sampler.update({
      exchange: 'binance',
      symbol: 'BTC/USDT',
      book: b,
      updateId: '11',
      timestamp: 1_100,
      resynced: false,
    });
    await clock.advance(200);
    expect(samples).toHaveLength(1);
    expect(sampler.skippedStale).toBe(2);
    sampler.status({ type: 'resynced', updateId: '12' });
    await clock.advance(100);
    expect(samples).toHaveLength(2);
    sampler.stop();
  });

  it('trims a partial book snapshot to the levels asked for and stops ticking when stopped', async () => {
    const clock = new ManualClock();
    const samples: OrderBookSnapshot[] = [];
    const sampler = new BookSampler({ clock, intervalMs: 50, levels: 1, emit: (s) => samples.push(s) });
    const level = (p: string) => ({ price: new Decimal(p), quantity: new Decimal('1') });
    sampler.snapshot({
      exchange: 'binance',
      symbol: 'BTC/USDT',
      bids: [level('10'), level('9')],
      asks: [level('11'), level('12')],
      updateId: '5',
      timestamp: 1,
    });
    await clock.advance(50);
    expect(samples[0]?.bids).toHaveLength(1);
    expect(samples[0]?.asks).toHaveLength(1);
    sampler.snapshot({ ...(samples[0] as OrderBookSnapshot), updateId: '6' });
    sampler.stop();
    await clock.advance(500);
    expect(samples).toHaveLength(1);
  });
});
