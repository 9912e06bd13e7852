import { describe, expect, it } from 'vitest';
import { depthUpdateEvent } from '@venuekit/testkit/docs-examples';
import { isWireDepthHeader } from '../parsing/wire-checks';
import { type DepthHeader, readDepthHeader } from './depth-text';

const FRAME_START = '{"stream":"bnbbtc@depth","data":';

function read(payload: string): DepthHeader | undefined {
  const out: DepthHeader = { E: -1, U: -1, u: -1, levelsAt: -1 };
  return readDepthHeader(`${FRAME_START}${payload}}`, FRAME_START.length, out) ? out : undefined;
}

describe('readDepthHeader', () => {
  it("reads the docs' diff depth event as Binance sends it", () => {
    const payload = JSON.stringify(depthUpdateEvent);
    const header = read(payload);
    expect(header).toEqual({
      E: 1672515782136,
      U: 157,
      u: 160,
      levelsAt: FRAME_START.length + payload.indexOf('"b":') + 4,
    });
    expect(`${FRAME_START}${payload}}`.slice(header?.levelsAt)).toBe(
      '[["0.0024","10"]],"a":[["0.0026","100"]]}}',
    );
  });

  it('reads nothing but that layout, and no header isWireDepthHeader would refuse', () => {
    const docs = JSON.stringify(depthUpdateEvent);
    const other = [
      // Another layout of the same event: left to JSON.parse.
      JSON.stringify(depthUpdateEvent, null, 1),
      JSON.stringify({ E: 1, e: 'depthUpdate', s: 'BNBBTC', U: 157, u: 160, b: [], a: [] }),
      docs.replace('"s":"BNBBTC"', '"s":"BNB\\u0042TC"'),
      docs.replace('"s":"BNBBTC"', '"s":"BNB\tBTC"'),
      docs.replace('"s":"BNBBTC",', ''),
      docs.replace('"e":"depthUpdate"', '"e":"depthUpdatf"'),
      // Ids and times that are not counts, or are not what JSON.parse would read.
      docs.replace('"U":157', '"U":-157'),
      docs.replace('"U":157', '"U":157.0'),
      docs.replace('"U":157', '"U":1.57e2'),
      docs.replace('"U":157', '"U":0157'),
      docs.replace('"U":157', '"U":"157"'),
      docs.replace('"u":160', '"u":156'),
      docs.replace('"u":160', '"u":'),
      docs.replace('"E":1672515782136', `"E":${2 ** 53}`),
      docs.replace('"E":1672515782136', '"E":12345678901234567'),
      docs.replace(',"b":[["0.0024","10"]]', ''),
      docs.slice(0, docs.indexOf('"s":"') + 7),
    ];
    for (const payload of other) expect(read(payload)).toBeUndefined();
    // Whatever it does read, isWireDepthHeader takes, with the same ids.
    for (const [U, u, E] of [
      [0, 0, 0],
      [157, 160, 1],
      [2 ** 53 - 2, 2 ** 53 - 1, 9_007_199_254_740_991],
    ] as const) {
      const event = { ...depthUpdateEvent, U, u, E };
      expect(read(JSON.stringify(event))).toMatchObject({ U, u, E });
      expect(isWireDepthHeader(event)).toBe(true);
    }
  });
});
