import {
  type Clock,
  ClosedError,
  IpBannedError,
  type Logger,
  type RateLimitStatus,
  silentLogger,
  systemClock,
  telemetry,
  ValidationError,
} from '@venuekit/core';
import type { GateRequest, GateResponse, RequestGate } from './request-gate';

export type RateLimitType = 'REQUEST_WEIGHT' | 'ORDERS' | 'RAW_REQUESTS';

/** One of the venue's limiters: at most `limit` per fixed, aligned window of `intervalMs`. */
export interface RateLimitRule {
  readonly type: RateLimitType;
  readonly intervalMs: number;
  readonly limit: number;
}

/** A `rateLimits` entry of exchangeInfo or of a WebSocket API response (`count` only in the latter). */
export interface BinanceRateLimitEntry {
  readonly rateLimitType: string;
  readonly interval: string;
  readonly intervalNum: number;
  readonly limit: number;
  readonly count?: number;
}

export interface RateGovernorOptions {
  readonly exchange?: string;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /**
   * The limits to respect until the venue's own (exchangeInfo) are configured. Default:
   * Binance's documented REQUEST_WEIGHT 6000/1m, RAW_REQUESTS 300 000/5m, ORDERS 50/10s and
   * 160 000/1d (the most conservative of the documented examples).
   */
  readonly limits?: readonly RateLimitRule[];
  /** Venue time minus local time, ms; windows are aligned on the venue's clock. Default 0. */
  readonly offsetMs?: () => number;
  /**
   * A request sent this close to a window boundary may be counted in either window, so it is
   * charged to both. Covers clock-offset error and transit time. Default 250 ms.
   */
  readonly boundaryGuardMs?: number;
  /** How long a 418 without a Retry-After stops traffic (Binance's shortest ban). Default 120 000 ms. */
  readonly defaultBanMs?: number;
  /**
   * The share of each window that background requests leave to live ones (0 to 1): a background
   * request is admitted only while the window stays within `1 - liveReserve` of its limit, so an
   * order placed in the middle of a catch-up storm still finds room at once. Default 0.2.
   */
  readonly liveReserve?: number;
  /**
   * How long a background request waits behind live ones at most: after that it takes its turn
   * with them by arrival (and may use the live reserve), so a steady flow of live requests never
   * starves it. Default 60 000 ms (one window of Binance's request weight).
   */
  readonly backgroundMaxWaitMs?: number;
}

/**
 * Which requests go first at the governor. `live`: orders, cancels, and every read a caller is
 * waiting for. `background`: reads nobody is waiting for right now — a user data catch-up after a
 * reconnect, the reconciliation of an order whose caller was already told its state is unknown.
 */
export type RequestPriority = 'live' | 'background';

/** A request to the rate governor with its priority (a plain GateRequest is live). */
export interface GovernedRequest extends GateRequest {
  /** Default `live`. */
  readonly priority?: RequestPriority;
}

export const BINANCE_DEFAULT_LIMITS: readonly RateLimitRule[] = [
  { type: 'REQUEST_WEIGHT', intervalMs: 60_000, limit: 6000 },
  { type: 'RAW_REQUESTS', intervalMs: 300_000, limit: 300_000 },
  { type: 'ORDERS', intervalMs: 10_000, limit: 50 },
  { type: 'ORDERS', intervalMs: 86_400_000, limit: 160_000 },
];

const INTERVAL_MS: Record<string, number> = {
  SECOND: 1000,
  MINUTE: 60_000,
  HOUR: 3_600_000,
  DAY: 86_400_000,
  S: 1000,
  M: 60_000,
  H: 3_600_000,
  D: 86_400_000,
};

/** Converts exchangeInfo / WebSocket API `rateLimits` entries to rules; unknown types are skipped. */
export function rulesFromRateLimits(entries: readonly BinanceRateLimitEntry[]): RateLimitRule[] {
  const rules: RateLimitRule[] = [];
  for (const entry of entries) {
    const unit = INTERVAL_MS[entry.interval];
    if (unit === undefined) continue;
    if (
      entry.rateLimitType !== 'REQUEST_WEIGHT' &&
      entry.rateLimitType !== 'ORDERS' &&
      entry.rateLimitType !== 'RAW_REQUESTS'
    ) {
      continue;
    }
    rules.push({ type: entry.rateLimitType, intervalMs: unit * entry.intervalNum, limit: entry.limit });
  }
  return rules;
}

/**
 * The headers a WebSocket API response's `rateLimits` stand for, so that REST and the
 * WebSocket API feed the governor the same way (`X-MBX-USED-WEIGHT-1M`, `X-MBX-ORDER-COUNT-10S`…).
 */
export function headersFromRateLimits(entries: readonly BinanceRateLimitEntry[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const entry of entries) {
    if (entry.count === undefined) continue;
    const letter = entry.interval.charAt(0).toLowerCase();
    if (entry.rateLimitType === 'REQUEST_WEIGHT')
      headers[`x-mbx-used-weight-${entry.intervalNum}${letter}`] = String(entry.count);
    else if (entry.rateLimitType === 'ORDERS')
      headers[`x-mbx-order-count-${entry.intervalNum}${letter}`] = String(entry.count);
  }
  return headers;
}

/** Usage of one limiter in its current window, plus what is already owed to the next one. */
interface Window {
  readonly rule: RateLimitRule;
  start: number;
  used: number;
  /** Charged to the next window by requests sent within the boundary guard. */
  carry: number;
}

interface Waiter {
  readonly request: GateRequest;
  readonly background: boolean;
  /** When it joined the queue (local ms): its place among live requests once promoted. */
  readonly enqueuedAt: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
  readonly onAbort?: () => void;
}

const HEADER = /^x-mbx-(used-weight|order-count)-(\d+)([smhd])$/;

/**
 * The adapter's one rate governor: every REST and WebSocket API request of every user on this
 * IP passes through it. It counts request weight per IP and orders per account in the venue's
 * fixed windows, corrects its count from the `X-MBX-USED-WEIGHT-*` / `X-MBX-ORDER-COUNT-*`
 * headers, and queues a request (first in, first out) rather than exceed a limit. Live requests
 * go before background ones (catch-ups, reconciliations nobody waits for), which also leave
 * `liveReserve` of each window to them and are promoted after `backgroundMaxWaitMs`. After a 429
 * it waits out `Retry-After`; after a 418 it refuses all traffic with an IpBannedError until the
 * ban ends, and reports the ban through telemetry, the log and `status()`.
 */
export class BinanceRateGovernor implements RequestGate {
  readonly #exchange: string;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #offset: () => number;
  readonly #guardMs: number;
  readonly #defaultBanMs: number;
  /** 1 - liveReserve: the share of a window background requests may fill. */
  readonly #backgroundShare: number;
  readonly #backgroundMaxWaitMs: number;
  #ipWindows: Window[] = [];
  #orderRules: RateLimitRule[] = [];
  readonly #accounts = new Map<string, Window[]>();
  /** Accounts told by a -1015 with Retry-After to hold their orders until then (local ms). */
  readonly #accountBackoff = new Map<string, number>();
  /** Live requests (and promoted background ones), in arrival order. */
  readonly #live: Waiter[] = [];
  /** Background requests not yet promoted, in arrival order. */
  readonly #background: Waiter[] = [];
  #timer: ReturnType<Clock['setTimeout']> | undefined;
  #timerAt = Number.POSITIVE_INFINITY;
  #bannedUntil = 0;
  #backoffUntil = 0;
  #closed = false;

  constructor(options: RateGovernorOptions = {}) {
    this.#exchange = options.exchange ?? 'binance';
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? silentLogger;
    this.#offset = options.offsetMs ?? (() => 0);
    this.#guardMs = options.boundaryGuardMs ?? 250;
    this.#defaultBanMs = options.defaultBanMs ?? 120_000;
    const reserve = options.liveReserve ?? 0.2;
    if (!(reserve >= 0 && reserve < 1)) {
      throw new ValidationError('INVALID_PARAMETER', {
        field: 'liveReserve',
        rule: 'must be a number from 0 to less than 1',
      });
    }
    this.#backgroundShare = 1 - reserve;
    const maxWait = options.backgroundMaxWaitMs ?? 60_000;
    if (!(maxWait >= 0 && Number.isFinite(maxWait))) {
      throw new ValidationError('INVALID_PARAMETER', {
        field: 'backgroundMaxWaitMs',
        rule: 'must be a finite number of ms, 0 or more',
      });
    }
    this.#backgroundMaxWaitMs = maxWait;
    this.configure(options.limits ?? BINANCE_DEFAULT_LIMITS);
  }

  /** Replaces the limits, e.g. with exchangeInfo's `rateLimits`. Usage counted so far is kept. */
  configure(rules: readonly RateLimitRule[]): void {
    const previous = this.#ipWindows;
    this.#ipWindows = rules
      .filter((rule) => rule.type !== 'ORDERS' && rule.limit > 0 && rule.intervalMs > 0)
      .map((rule) => {
        const old = previous.find((w) => w.rule.type === rule.type && w.rule.intervalMs === rule.intervalMs);
        return { rule, start: old?.start ?? 0, used: old?.used ?? 0, carry: old?.carry ?? 0 };
      });
    this.#orderRules = rules.filter(
      (rule) => rule.type === 'ORDERS' && rule.limit > 0 && rule.intervalMs > 0,
    );
    this.#accounts.clear();
    this.#accountBackoff.clear();
    this.#pump();
  }

  /**
   * Waits until the request may be sent. A background request (`priority: 'background'`) waits
   * behind every live one; a live one never waits for a background one.
   */
  acquire(request: GovernedRequest): Promise<void> {
    if (this.#closed) return Promise.reject(new ClosedError({ message: 'the rate governor is closed' }));
    if (request.signal?.aborted) return Promise.reject(request.signal.reason);
    const banned = this.#banError();
    if (banned) return Promise.reject(banned);
    const background = request.priority === 'background';
    if (
      this.#live.length === 0 &&
      (!background || this.#background.length === 0) &&
      this.#admissible(request, background) === 'yes'
    ) {
      this.#charge(request);
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const signal = request.signal;
      const onAbort = signal
        ? () => {
            this.#remove(waiter);
            reject(signal.reason);
            this.#pump();
          }
        : undefined;
      const waiter: Waiter = {
        request,
        background,
        enqueuedAt: this.#clock.now(),
        resolve: () => {
          if (onAbort) signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject: (error) => {
          if (onAbort) signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
        ...(onAbort ? { onAbort } : {}),
      };
      if (onAbort) signal?.addEventListener('abort', onAbort, { once: true });
      (background ? this.#background : this.#live).push(waiter);
      this.#pump();
    });
  }

  /** Requests waiting now, by priority (promoted background requests count as live). */
  queued(): { readonly live: number; readonly background: number } {
    return { live: this.#live.length, background: this.#background.length };
  }

  observe(response: GateResponse): void {
    if (this.#closed) return;
    const now = this.#venueNow();
    let weightChanged = false;
    for (const name in response.headers) {
      const match = HEADER.exec(name.toLowerCase());
      if (!match) continue;
      const value = Number(response.headers[name]);
      if (!Number.isFinite(value)) continue;
      const intervalMs = Number(match[2]) * (INTERVAL_MS[match[3]!.toUpperCase()] ?? 0);
      if (match[1] === 'used-weight') {
        const window = this.#windowFor(this.#ipWindows, 'REQUEST_WEIGHT', intervalMs);
        if (window && this.#raise(window, value, now)) weightChanged = true;
      } else if (response.account !== undefined) {
        const window = this.#windowFor(this.#accountWindows(response.account), 'ORDERS', intervalMs);
        if (window) this.#raise(window, value, now);
      }
    }
    if (response.status === 418) this.#ban(response);
    else if (response.status === 429) this.#backoff(response, now);
    else if (weightChanged) this.#publish();
    this.#pump();
  }

  status(): RateLimitStatus {
    const now = this.#venueNow();
    const weight =
      this.#ipWindows.find((w) => w.rule.type === 'REQUEST_WEIGHT' && w.rule.intervalMs === 60_000) ??
      this.#ipWindows.find((w) => w.rule.type === 'REQUEST_WEIGHT');
    const local = this.#clock.now();
    return {
      usedWeight: weight ? this.#roll(weight, now).used : 0,
      weightLimit: weight?.rule.limit ?? 0,
      queued: this.#live.length + this.#background.length,
      ...(this.#bannedUntil > local ? { bannedUntil: this.#bannedUntil } : {}),
      ...(this.#backoffUntil > local ? { backoffUntil: this.#backoffUntil } : {}),
    };
  }

  /** Rejects every queued request with a ClosedError and stops the timer. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#clearTimer();
    this.#rejectAll(
      new ClosedError({ message: 'the rate governor was closed', context: { exchange: this.#exchange } }),
    );
  }

  // -------------------------------------------------------------------------

  #venueNow(): number {
    return this.#clock.now() + this.#offset();
  }

  #roll(window: Window, now: number): Window {
    const start = Math.floor(now / window.rule.intervalMs) * window.rule.intervalMs;
    if (start !== window.start) {
      window.used = start === window.start + window.rule.intervalMs ? window.carry : 0;
      window.carry = 0;
      window.start = start;
    }
    return window;
  }

  /**
   * Whether `amount` more fits in this window now (and in the next, within the boundary guard),
   * counting only `share` of its limit (background requests leave the rest to live ones).
   */
  #fits(window: Window, amount: number, now: number, share = 1): boolean {
    this.#roll(window, now);
    const limit = share === 1 ? window.rule.limit : Math.floor(window.rule.limit * share);
    // A single request heavier than the whole budget can only go into an empty window.
    if (window.used === 0 && amount > limit) return this.#nearNext(window, now) ? window.carry === 0 : true;
    if (window.used + amount > limit) return false;
    return !this.#nearNext(window, now) || window.carry + amount <= limit;
  }

  #nearNext(window: Window, now: number): boolean {
    return now + this.#guardMs >= window.start + window.rule.intervalMs;
  }

  #add(window: Window, amount: number, now: number): void {
    this.#roll(window, now);
    window.used += amount;
    if (this.#nearNext(window, now)) window.carry += amount;
  }

  /**
   * 'yes', 'ip' (blocked for everyone of its priority) or 'account' (only this account's order
   * limit). A background request may fill each IP window only up to the background share.
   */
  #admissible(request: GateRequest, background = false): 'yes' | 'ip' | 'account' {
    const local = this.#clock.now();
    if (this.#backoffUntil > local || this.#bannedUntil > local) return 'ip';
    const now = local + this.#offset();
    const share = background ? this.#backgroundShare : 1;
    for (const window of this.#ipWindows) {
      const amount = window.rule.type === 'RAW_REQUESTS' ? 1 : request.weight;
      if (!this.#fits(window, amount, now, share)) return 'ip';
    }
    if (request.kind === 'order' && request.account !== undefined) {
      const heldUntil = this.#accountBackoff.get(request.account);
      if (heldUntil !== undefined) {
        if (heldUntil > local) return 'account';
        this.#accountBackoff.delete(request.account);
      }
      for (const window of this.#accountWindows(request.account)) {
        if (!this.#fits(window, 1, now)) return 'account';
      }
    }
    return 'yes';
  }

  #charge(request: GateRequest): void {
    const now = this.#venueNow();
    for (const window of this.#ipWindows) {
      this.#add(window, window.rule.type === 'RAW_REQUESTS' ? 1 : request.weight, now);
    }
    if (request.kind === 'order' && request.account !== undefined) {
      for (const window of this.#accountWindows(request.account)) this.#add(window, 1, now);
    }
  }

  #accountWindows(account: string): Window[] {
    let windows = this.#accounts.get(account);
    if (!windows) {
      windows = this.#orderRules.map((rule) => ({ rule, start: 0, used: 0, carry: 0 }));
      this.#accounts.set(account, windows);
    }
    return windows;
  }

  #windowFor(windows: readonly Window[], type: RateLimitType, intervalMs: number): Window | undefined {
    const exact = windows.find((w) => w.rule.type === type && w.rule.intervalMs === intervalMs);
    if (exact) return exact;
    // A venue reporting an interval we do not track (a test server with short windows keeps the
    // `-1M` header name) still informs the only limiter of that type.
    const ofType = windows.filter((w) => w.rule.type === type);
    return ofType.length === 1 ? ofType[0] : undefined;
  }

  /** The venue counted at least `value` in this window: never count less than that. */
  #raise(window: Window, value: number, now: number): boolean {
    this.#roll(window, now);
    // Shortly after a boundary a response may still report the previous window's count.
    if (now - window.start < this.#guardMs && value > window.used) return false;
    if (value <= window.used) return false;
    window.used = value;
    return true;
  }

  #backoff(response: GateResponse, venueNow: number): void {
    const retryAfterMs = parseRetryAfter(response.headers, this.#clock.now());
    const orderLimit = response.code === -1015 || (retryAfterMs === undefined && response.code !== -1003);
    if (orderLimit && response.account !== undefined) {
      this.#orderLimitReached(response.account, response, retryAfterMs, venueNow);
      return;
    }
    if (retryAfterMs !== undefined) {
      // The venue says when to come back: trust it over our count.
      this.#backoffUntil = Math.max(this.#backoffUntil, this.#clock.now() + retryAfterMs);
    } else {
      // No Retry-After: treat the weight windows as full until they turn.
      for (const window of this.#ipWindows) {
        if (window.rule.type !== 'REQUEST_WEIGHT') continue;
        this.#roll(window, venueNow);
        window.used = Math.max(window.used, window.rule.limit);
      }
    }
    this.#logger.warn('request weight limit reached (429); traffic waits', {
      exchange: this.#exchange,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
    this.#publish(retryAfterMs);
  }

  /**
   * A -1015: this account may not place another order now. With a Retry-After, its orders wait
   * that long; without one, the window the answer names ("… 50 orders per 10 SECOND.") is
   * counted as full until it turns — only that one: filling the daily window too would hold the
   * account's orders until 00:00 UTC. An answer that names no window we know fills the shortest.
   */
  #orderLimitReached(
    account: string,
    response: GateResponse,
    retryAfterMs: number | undefined,
    venueNow: number,
  ): void {
    if (retryAfterMs !== undefined) {
      const until = this.#clock.now() + retryAfterMs;
      if (until > (this.#accountBackoff.get(account) ?? 0)) this.#accountBackoff.set(account, until);
    } else {
      const windows = this.#accountWindows(account);
      const named = parseOrderLimit(response.message);
      const window =
        (named && windows.find((w) => w.rule.intervalMs === named.intervalMs)) ??
        windows.reduce<Window | undefined>(
          (shortest, w) =>
            shortest === undefined || w.rule.intervalMs < shortest.rule.intervalMs ? w : shortest,
          undefined,
        );
      if (window) {
        this.#roll(window, venueNow);
        window.used = Math.max(window.used, window.rule.limit);
      }
    }
    this.#logger.warn('order rate limit reached; orders of this account wait', {
      exchange: this.#exchange,
      code: response.code,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }

  #ban(response: GateResponse): void {
    const local = this.#clock.now();
    const retryAfterMs = parseRetryAfter(response.headers, this.#clock.now());
    let until: number;
    if (response.bannedUntil !== undefined) until = response.bannedUntil - this.#offset();
    else until = local + (retryAfterMs ?? this.#defaultBanMs);
    if (until <= this.#bannedUntil) return;
    this.#bannedUntil = until;
    this.#logger.error('the venue banned this IP (418): all traffic is stopped until the ban ends', {
      exchange: this.#exchange,
      bannedUntil: until,
      retryAfterMs: until - local,
    });
    this.#publish(until - local);
    const error = this.#banError();
    if (error) this.#rejectAll(error);
  }

  #banError(): IpBannedError | undefined {
    const remaining = this.#bannedUntil - this.#clock.now();
    if (remaining <= 0) return undefined;
    return new IpBannedError({
      message: `Binance has banned this IP for ${Math.ceil(remaining / 1000)} s more; no request is sent until then`,
      retryAfterMs: remaining,
      context: { exchange: this.#exchange },
    });
  }

  #publish(retryAfterMs?: number): void {
    if (!telemetry.rateLimit.hasSubscribers) return;
    const status = this.status();
    telemetry.rateLimit.publish({
      exchange: this.#exchange,
      usedWeight: status.usedWeight,
      weightLimit: status.weightLimit,
      ...(status.bannedUntil === undefined ? {} : { bannedUntil: status.bannedUntil }),
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }

  #rejectAll(error: unknown): void {
    const waiters = [...this.#live.splice(0), ...this.#background.splice(0)];
    for (const waiter of waiters) waiter.reject(error);
  }

  #remove(waiter: Waiter): void {
    for (const queue of [this.#live, this.#background]) {
      const index = queue.indexOf(waiter);
      if (index >= 0) queue.splice(index, 1);
    }
  }

  /** Background requests that waited `backgroundMaxWaitMs` join the live ones, by arrival. */
  #promote(local: number): void {
    const background = this.#background;
    while (background.length > 0 && local - background[0]!.enqueuedAt >= this.#backgroundMaxWaitMs) {
      const waiter = background.shift()!;
      let at = this.#live.length;
      while (at > 0 && this.#live[at - 1]!.enqueuedAt > waiter.enqueuedAt) at--;
      this.#live.splice(at, 0, waiter);
    }
  }

  /**
   * Admits what fits: live requests first, in order, then — unless a live one is held by the IP's
   * budget — background ones within their share. Schedules itself for when a head may fit.
   */
  #pump(): void {
    if (this.#closed) return;
    const banned = this.#banError();
    if (banned) {
      this.#rejectAll(banned);
      return;
    }
    this.#promote(this.#clock.now());
    let blockedByIp = this.#admit(this.#live, false);
    if (!blockedByIp) blockedByIp = this.#admit(this.#background, true);
    if (this.#live.length > 0 || this.#background.length > 0) this.#schedule();
    else this.#clearTimer();
  }

  /** Admits the queue's requests that fit, in order; true if one is held by the IP's budget. */
  #admit(queue: Waiter[], background: boolean): boolean {
    let blockedByIp = false;
    for (let i = 0; i < queue.length; ) {
      const waiter = queue[i]!;
      const verdict = blockedByIp ? 'ip' : this.#admissible(waiter.request, background);
      if (verdict === 'yes') {
        queue.splice(i, 1);
        this.#charge(waiter.request);
        waiter.resolve();
        continue;
      }
      // First in, first out for the IP's budget; an account waiting for its order limit does not hold up others.
      if (verdict === 'ip') blockedByIp = true;
      i++;
    }
    return blockedByIp;
  }

  #schedule(): void {
    const local = this.#clock.now();
    const offset = this.#offset();
    let at = Number.POSITIVE_INFINITY;
    if (this.#backoffUntil > local) at = this.#backoffUntil;
    else {
      // The next boundary of any window in play, or the end of its boundary guard.
      const windows = [...this.#ipWindows];
      for (const waiter of [...this.#live, ...this.#background]) {
        if (waiter.request.kind === 'order' && waiter.request.account !== undefined) {
          windows.push(...this.#accountWindows(waiter.request.account));
          const heldUntil = this.#accountBackoff.get(waiter.request.account);
          if (heldUntil !== undefined && heldUntil > local && heldUntil < at) at = heldUntil;
        }
      }
      const venueNow = local + offset;
      for (const window of windows) {
        this.#roll(window, venueNow);
        const next = window.start + window.rule.intervalMs - offset;
        const candidate = next > local ? next : next + window.rule.intervalMs;
        if (candidate < at) at = candidate;
      }
    }
    // The oldest background request's promotion.
    const oldest = this.#background[0];
    if (oldest !== undefined) at = Math.min(at, oldest.enqueuedAt + this.#backgroundMaxWaitMs);
    if (!Number.isFinite(at)) at = local + 1000;
    if (this.#timer !== undefined && at >= this.#timerAt) return;
    this.#clearTimer();
    this.#timerAt = at;
    this.#timer = this.#clock.setTimeout(
      () => {
        this.#timer = undefined;
        this.#timerAt = Number.POSITIVE_INFINITY;
        this.#pump();
      },
      Math.max(1, at - local),
    );
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
  }
}

/**
 * A `Retry-After` header (lower-cased name): seconds (rest-api.md, "LIMITS"), or an HTTP date.
 * Undefined when absent or unreadable.
 */
export function parseRetryAfter(
  headers: Readonly<Record<string, string>>,
  now: number = Date.now(),
): number | undefined {
  const raw = headers['retry-after']?.trim();
  if (raw === undefined || raw === '') return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return seconds >= 0 ? Math.round(seconds * 1000) : undefined;
  const date = Date.parse(raw);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}

// "Too many new orders; current limit is 50 orders per 10 SECOND." (errors.md, -1015)
const ORDER_LIMIT = /current limit is (\d+) orders? per (\d+) (SECOND|MINUTE|HOUR|DAY)/i;

/** The order limit a -1015 message names, e.g. `{ limit: 50, intervalMs: 10_000 }`. */
export function parseOrderLimit(
  message: string | undefined,
): { limit: number; intervalMs: number } | undefined {
  const match = message === undefined ? null : ORDER_LIMIT.exec(message);
  if (!match) return undefined;
  const unit = INTERVAL_MS[match[3]!.toUpperCase()];
  const count = Number(match[2]);
  if (unit === undefined || !(count > 0)) return undefined;
  return { limit: Number(match[1]), intervalMs: count * unit };
}
