import { describe, expect, it } from 'vitest';
import { isWireAggTrade, isWireDepthUpdate, isWireTrade } from './wire-checks';

// The official examples (web-socket-streams.md): accepted as they are.
const TRADE = {
  e: 'trade',
  E: 1672515782136,
  s: 'BNBBTC',
  t: 12345,
  p: '0.001',
  q: '100',
  T: 1672515782136,
  m: true,
  M: true,
};
const AGG = {
  e: 'aggTrade',
  E: 1672515782136,
  s: 'BNBBTC',
  a: 12345,
  p: '0.001',
  q: '100',
  f: 100,
  l: 105,
  T: 1672515782136,
  m: true,
  M: true,
};
const DEPTH = {
  e: 'depthUpdate',
  E: 1672515782136,
  s: 'BNBBTC',
  U: 157,
  u: 160,
  b: [['0.0024', '10']],
  a: [['0.0026', '100']],
};

describe('stream payload checks', () => {
  it('accept the documented payloads, a removed level (quantity 0) and empty sides', () => {
    expect(isWireTrade(TRADE)).toBe(true);
    expect(isWireAggTrade(AGG)).toBe(true);
    expect(isWireDepthUpdate(DEPTH)).toBe(true);
    expect(isWireDepthUpdate({ ...DEPTH, b: [['0.0024', '0.00000000']], a: [] })).toBe(true);
  });

  it('refuse a missing or mistyped field, a negative or zero amount, a fractional id, reversed ids', () => {
    const { T: _time, ...noTime } = TRADE;
    for (const broken of [
      noTime,
      { ...TRADE, t: '12345' },
      { ...TRADE, t: 1.5 },
      { ...TRADE, p: '-0.001' },
      { ...TRADE, q: '0' },
      { ...TRADE, p: 0.001 },
      { ...TRADE, p: '1e-3' },
      { ...TRADE, m: 'true' },
      null,
      'trade',
    ]) {
      expect(isWireTrade(broken)).toBe(false);
    }
    expect(isWireAggTrade({ ...AGG, l: 99 })).toBe(false);
    expect(isWireDepthUpdate({ ...DEPTH, U: 161 })).toBe(false);
    expect(isWireDepthUpdate({ ...DEPTH, U: undefined })).toBe(false);
    expect(isWireDepthUpdate({ ...DEPTH, b: [['0.0024']] })).toBe(false);
    expect(isWireDepthUpdate({ ...DEPTH, a: [['0.0026', '-1']] })).toBe(false);
    expect(isWireDepthUpdate({ ...DEPTH, b: 'none' })).toBe(false);
  });
});
