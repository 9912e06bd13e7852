import type { BinanceParamValue } from '../credentials';
import type { WireUserEvent } from '../parsing/user-data';
import type { BinanceRateLimitEntry } from '../rest/rate-governor';

/**
 * WebSocket API frames (web-socket-api.md, "Request format" / "Response format"):
 * `{"id":…,"method":"order.place","params":{…}}` →
 * `{"id":…,"status":200,"result":{…},"rateLimits":[…]}` or `{"id":…,"status":400,"error":{"code":-2010,"msg":"…"}}`.
 * User data arrives on the same connection as `{"subscriptionId":0,"event":{…}}`.
 */
export interface WsApiRequestFrame {
  readonly id: number;
  readonly method: string;
  readonly params?: Readonly<Record<string, BinanceParamValue>>;
}

export interface WsApiErrorBody {
  readonly code: number;
  readonly msg: string;
  /** 418 / 429: `{ serverTime, retryAfter }` (epoch ms). */
  readonly data?: {
    readonly serverTime?: number;
    readonly retryAfter?: number;
    readonly [key: string]: unknown;
  };
}

export interface WsApiResponseFrame<T = unknown> {
  readonly id: number | string | null;
  readonly status: number;
  readonly result?: T;
  readonly error?: WsApiErrorBody;
  readonly rateLimits?: readonly BinanceRateLimitEntry[];
}

export interface WsApiEventFrame {
  readonly subscriptionId?: number;
  readonly event: WireUserEvent;
}

/** `session.logon` / `session.status` result. */
export interface WsApiSessionStatus {
  readonly apiKey: string | null;
  readonly authorizedSince: number | null;
  readonly connectedSince: number;
  readonly returnRateLimits: boolean;
  readonly serverTime: number;
  readonly userDataStream: boolean | null;
}
