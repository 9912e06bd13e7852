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

/** Makes trades on a native symbol: a participant takes liquidity with small market orders. */
export function makeTrades(fake: FakeExchange, symbol: string, orders: number): void {
  const quantity = new Decimal(symbol === 'BTCUSDT' ? '0.001' : '0.01');
  for (let i = 0; i < orders; i++) {
    fake.market.placeParticipantOrder(symbol, {
      side: i % 2 === 0 ? 'BUY' : 'SELL',
      type: 'MARKET',
      quantity,
      account: 1,
    });
  }
}
