/**
 * A diff depth payload's ids and times read straight from the frame's text, for the order book's
 * hot path (no JSON.parse). Only the layout Binance sends is read (web-socket-streams.md, "Diff.
 * Depth Stream": `{"e":"depthUpdate","E":…,"s":"BNBBTC","U":157,"u":160,"b":[…],"a":[…]}`, no
 * whitespace, the fields in that order); anything else is left to JSON.parse and the checked path.
 */

/** What `readDepthHeader` read; one object, reused. */
export interface DepthHeader {
  E: number;
  U: number;
  u: number;
  /** Where the bids' array starts. */
  levelsAt: number;
}

// Where the last readCount stopped.
let countEnd = 0;

/**
 * A JSON integer from `at` that is a count (`isCount`: a safe integer, not negative): digits, no
 * leading zero, at most 16 of them. Sets `countEnd` past it; -1 when it is not that.
 */
function readCount(text: string, at: number): number {
  let value = 0;
  let i = at;
  const limit = Math.min(text.length, at + 17);
  for (; i < limit; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit >>> 0 > 9) break;
    value = value * 10 + digit;
  }
  const digits = i - at;
  if (digits === 0 || digits > 16 || (digits > 1 && text.charCodeAt(at) === 48)) return -1;
  if (!Number.isSafeInteger(value)) return -1;
  countEnd = i;
  return value;
}

const EVENT = '{"e":"depthUpdate","E":';

/**
 * Reads the header of a diff depth payload that starts at `at` in `text` into `out`: true when it is
 * exactly `{"e":"depthUpdate","E":<count>,"s":"<plain string>","U":<count>,"u":<count>,"b":` with
 * `u >= U` (what `isWireDepthHeader` asks of the parsed payload); false otherwise.
 */
export function readDepthHeader(text: string, at: number, out: DepthHeader): boolean {
  if (!text.startsWith(EVENT, at)) return false;
  const E = readCount(text, at + EVENT.length);
  if (E < 0 || !text.startsWith(',"s":"', countEnd)) return false;
  // The symbol: any string without escapes or control characters (JSON.parse would refuse those,
  // or read them differently); its value is not used.
  let i = countEnd + 6;
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 34) break;
    if (!(c >= 32) || c === 92) return false; // NaN past the end, a control character, a backslash
    i++;
  }
  if (!text.startsWith(',"U":', i + 1)) return false;
  const U = readCount(text, i + 6);
  if (U < 0 || !text.startsWith(',"u":', countEnd)) return false;
  const u = readCount(text, countEnd + 5);
  if (u < U || !text.startsWith(',"b":', countEnd)) return false;
  out.E = E;
  out.U = U;
  out.u = u;
  out.levelsAt = countEnd + 5;
  return true;
}
