import { Decimal } from '@venuekit/core';
import { FakeExchange } from '@venuekit/testkit';

/** The testkit's in-memory exchange with a seeded book that only the test moves (no simulated clock ticks). */
export function quietFake(id = 'fake'): FakeExchange {
  return new FakeExchange({ id, simulation: { seed: 7, paused: true } });
}

/** Trade ids the engine made, per native symbol: the truth subscribers are compared with. */
export function recordTrades(fake: FakeExchange): { ids: Map<string, string[]>; stop(): void } {
  const ids = new Map<string, string[]>();
  const stop = fake.engine.on('trade', (trade) => {
    const list = ids.get(trade.symbol) ?? [];
    list.push(String(trade.id));
    ids.set(trade.symbol, list);
  });
  return { ids, stop };
}

/**
 * Makes at least `orders` trades on a native symbol: a participant takes liquidity with small market
 * orders, alternately buying and selling, after another one has put plenty at the best prices.
 */
export function makeTrades(fake: FakeExchange, symbol: string, orders: number): void {
  const btc = symbol === 'BTCUSDT';
  const quantity = new Decimal(btc ? '0.001' : '0.01');
  const depth = quantity.times(orders + 1);
  const book = fake.market.book(symbol);
  const [bid] = book.bids[0] ?? [];
  const [ask] = book.asks[0] ?? [];
  if (bid && ask) {
    fake.market.placeParticipantOrder(symbol, {
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      price: bid,
      quantity: depth,
    });
    fake.market.placeParticipantOrder(symbol, {
      side: 'SELL',
      type: 'LIMIT',
      timeInForce: 'GTC',
      price: ask,
      quantity: depth,
    });
  }
  for (let i = 0; i < orders; i++) {
    fake.market.placeParticipantOrder(symbol, {
      side: i % 2 === 0 ? 'BUY' : 'SELL',
      type: 'MARKET',
      quantity,
      account: 1,
    });
  }
}
