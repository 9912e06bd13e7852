/**
 * Binance market stream payloads as they arrive (binance-spot-api-docs,
 * web-socket-streams.md). Letters are Binance's; numbers that are ids stay
 * numbers on the wire (JSON) and become strings in core types.
 */

/** Combined-stream envelope: `{"stream":"btcusdt@trade","data":{...}}`. */
export interface WireCombined<T = unknown> {
  readonly stream: string;
  readonly data: T;
}

/** A reply to SUBSCRIBE/UNSUBSCRIBE/LIST_SUBSCRIPTIONS: `{"result":null,"id":1}`. */
export interface WireControlResult {
  readonly result: unknown;
  readonly id: number | string | null;
}

/**
 * A control error. The docs show `{"code":2,"msg":"..."}`; clients observe it
 * wrapped: `{"error":{"code":2,"msg":"Invalid request: ..."},"id":2}`. Both are accepted.
 */
export interface WireControlError {
  readonly error?: { readonly code: number; readonly msg: string };
  readonly code?: number;
  readonly msg?: string;
  readonly id?: number | string | null;
}

export interface WireTrade {
  readonly e: 'trade';
  readonly E: number;
  readonly s: string;
  readonly t: number;
  readonly p: string;
  readonly q: string;
  readonly T: number;
  readonly m: boolean;
  readonly M?: boolean;
  /** Removed from the stream on 2024-06-18; tolerated, not required. */
  readonly b?: number;
  readonly a?: number;
}

export interface WireAggTrade {
  readonly e: 'aggTrade';
  readonly E: number;
  readonly s: string;
  readonly a: number;
  readonly p: string;
  readonly q: string;
  readonly f: number;
  readonly l: number;
  readonly T: number;
  readonly m: boolean;
  readonly M?: boolean;
}

export interface WireKline {
  readonly e: 'kline';
  readonly E: number;
  readonly s: string;
  readonly k: {
    readonly t: number;
    readonly T: number;
    readonly s: string;
    readonly i: string;
    readonly f: number;
    readonly L: number;
    readonly o: string;
    readonly c: string;
    readonly h: string;
    readonly l: string;
    readonly v: string;
    readonly n: number;
    readonly x: boolean;
    readonly q: string;
    readonly V: string;
    readonly Q: string;
    readonly B?: string;
  };
}

export interface WireMiniTicker {
  readonly e: '24hrMiniTicker';
  readonly E: number;
  readonly s: string;
  readonly c: string;
  readonly o: string;
  readonly h: string;
  readonly l: string;
  readonly v: string;
  readonly q: string;
}

export interface WireTicker {
  readonly e: '24hrTicker';
  readonly E: number;
  readonly s: string;
  readonly p: string;
  readonly P: string;
  readonly w: string;
  readonly x?: string;
  readonly c: string;
  readonly Q: string;
  readonly b: string;
  readonly B: string;
  readonly a: string;
  readonly A: string;
  readonly o: string;
  readonly h: string;
  readonly l: string;
  readonly v: string;
  readonly q: string;
  readonly O: number;
  readonly C: number;
  readonly F: number;
  readonly L: number;
  readonly n: number;
}

/** No event type and no event time: identified by its stream name. */
export interface WireBookTicker {
  readonly u: number;
  readonly s: string;
  readonly b: string;
  readonly B: string;
  readonly a: string;
  readonly A: string;
}

/** `<s>@depth<5|10|20>[@100ms]`: no symbol, no time. */
export interface WirePartialDepth {
  readonly lastUpdateId: number;
  readonly bids: readonly (readonly [string, string])[];
  readonly asks: readonly (readonly [string, string])[];
}

/** `<s>@depth[@100ms]`. */
export interface WireDepthUpdate {
  readonly e: 'depthUpdate';
  readonly E: number;
  readonly s: string;
  readonly U: number;
  readonly u: number;
  readonly b: readonly (readonly [string, string])[];
  readonly a: readonly (readonly [string, string])[];
}

/** Sent shortly before a maintenance shutdown; reconnect right away. */
export interface WireServerShutdown {
  readonly e: 'serverShutdown';
  readonly E: number;
}
