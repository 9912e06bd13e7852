import { Decimal, isDecimal, type Ticker } from '@venuekit/core';

/** Decimals as exact strings, for deep comparison of what was recorded with what was read back. */
export function plain(value: unknown): unknown {
  if (isDecimal(value)) return `D(${(value as Decimal).toString()})`;
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = plain(v);
    return out;
  }
  return value;
}

/** A ticker with a unique event time (`base + i`) and exact decimals, including long fractions. */
export function makeTicker(i: number, base = 1_763_000_000_000, symbol = 'BTC/USDT'): Ticker {
  const d = (s: string) => new Decimal(s);
  return {
    exchange: 'binance',
    symbol,
    timestamp: base + i,
    last: d(`60000.${String(i).padStart(8, '0')}`),
    lastQuantity: d('0.00012345'),
    open: d('59000.5'),
    high: d('61000'),
    low: d('58000.00000001'),
    change: d('-1000.5'),
    changePercent: d('-1.67'),
    vwap: d('59876.12345678'),
    baseVolume: d('12345.6789'),
    quoteVolume: d('739999999.123456789012345678'),
    ...(i % 2 === 0
      ? { bid: d('59999.99'), bidQuantity: d('1.5'), ask: d('60000.01'), askQuantity: d('2') }
      : {}),
    openTime: base - 86_400_000 + i,
    closeTime: base + i,
    firstTradeId: '9007199254740993',
    lastTradeId: String(9007199254740993n + BigInt(i)),
    tradeCount: 1000 + i,
  };
}
