/**
 * The contract between the HTTP layer and the rate governor. Every REST request
 * (public or signed, any user) passes through the adapter's one gate, because
 * Binance's request weight is counted per IP.
 */
export interface RequestGate {
  /**
   * Waits until `weight` may be spent without exceeding the venue's limit, and
   * for order placements until the account's order count allows one more. Rejects
   * with an IpBannedError while a 418 ban lasts, and with the signal's reason if aborted.
   */
  acquire(request: GateRequest): Promise<void>;
  /** Feeds what the venue reported: status, used weight and order counts headers, Retry-After. */
  observe(response: GateResponse): void;
}

export interface GateRequest {
  readonly weight: number;
  /** Order placements also count against the account's ORDERS limits. */
  readonly kind: 'read' | 'order' | 'cancel';
  /** Which account's order counts apply (an opaque per-credentials key). */
  readonly account?: string;
  readonly signal?: AbortSignal;
}

export interface GateResponse {
  readonly status: number;
  /** Lower-cased header names → values (X-MBX-USED-WEIGHT-1M, X-MBX-ORDER-COUNT-10S, Retry-After…). */
  readonly headers: Readonly<Record<string, string>>;
  readonly account?: string;
  /** The venue error code, when the body had one (-1003, -1015…). */
  readonly code?: number;
  /** The venue's error message: a -1015 names the order limit it is about ("… 50 orders per 10 SECOND."). */
  readonly message?: string;
  /** For 418 from the WebSocket API: when the ban lifts, epoch ms. */
  readonly bannedUntil?: number;
}

/** A gate that never waits: for tools and tests that do their own pacing. */
export const openGate: RequestGate = {
  acquire: async () => {},
  observe: () => {},
};
