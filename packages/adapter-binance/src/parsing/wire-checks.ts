import type { WireAggTrade, WireDepthUpdate, WireTrade } from '../ws/wire';

/**
 * Shape checks of the stream payloads whose ids drive sequencing (trades, aggregate trades, diff
 * depth). A payload that fails one is discarded before its id is taken: a malformed frame must
 * neither reach subscribers as a wrong value nor take the place of the real frame with that id.
 * Found by the reliability suite's frame fuzzing (packages/reliability). Cheap enough for the hot
 * path: type checks and one scan of each decimal string.
 */

/** A non-negative integer id or time, as JSON numbers carry them. */
function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/**
 * Plain decimal text as Binance writes it: digits, at most one point with digits after it. With
 * `positive`, not zero either (a price or a traded quantity).
 */
function isDecimalText(value: unknown, positive: boolean): value is string {
  if (typeof value !== 'string') return false;
  const length = value.length;
  if (length === 0 || length > 64) return false;
  let point = false;
  let nonZero = false;
  for (let i = 0; i < length; i++) {
    const code = value.charCodeAt(i);
    if (code === 46) {
      if (point || i === 0 || i === length - 1) return false;
      point = true;
    } else if (code < 48 || code > 57) {
      return false;
    } else if (code !== 48) {
      nonZero = true;
    }
  }
  return nonZero || !positive;
}

// web-socket-streams.md "Trade Streams": {"e":"trade","E":…,"s":"BNBBTC","t":12345,"p":"0.001","q":"100","T":…,"m":true,"M":true}
export function isWireTrade(w: unknown): w is WireTrade {
  if (typeof w !== 'object' || w === null) return false;
  const t = w as Record<string, unknown>;
  return (
    isCount(t.t) &&
    isDecimalText(t.p, true) &&
    isDecimalText(t.q, true) &&
    isCount(t.T) &&
    typeof t.m === 'boolean'
  );
}

// web-socket-streams.md "Aggregate Trade Streams": {"e":"aggTrade",…,"a":12345,"p":"0.001","q":"100","f":100,"l":105,"T":…,"m":true}
export function isWireAggTrade(w: unknown): w is WireAggTrade {
  if (typeof w !== 'object' || w === null) return false;
  const t = w as Record<string, unknown>;
  return (
    isCount(t.a) &&
    isDecimalText(t.p, true) &&
    isDecimalText(t.q, true) &&
    isCount(t.f) &&
    isCount(t.l) &&
    (t.l as number) >= (t.f as number) &&
    isCount(t.T) &&
    typeof t.m === 'boolean'
  );
}

function isLevels(value: unknown): boolean {
  if (!Array.isArray(value)) return false;
  for (let i = 0; i < value.length; i++) {
    const level = value[i] as unknown;
    if (!Array.isArray(level) || level.length < 2) return false;
    if (!isDecimalText(level[0], true) || !isDecimalText(level[1], false)) return false;
  }
  return true;
}

// web-socket-streams.md "Diff. Depth Stream": {"e":"depthUpdate","E":…,"s":"BNBBTC","U":157,"u":160,"b":[["0.0024","10"]],"a":[["0.0026","100"]]}
export function isWireDepthUpdate(w: unknown): w is WireDepthUpdate {
  if (typeof w !== 'object' || w === null) return false;
  const d = w as Record<string, unknown>;
  return (
    isCount(d.U) &&
    isCount(d.u) &&
    (d.u as number) >= (d.U as number) &&
    isCount(d.E) &&
    isLevels(d.b) &&
    isLevels(d.a)
  );
}
