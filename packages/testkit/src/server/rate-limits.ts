import type { WireRateLimit } from '../engine/wire';
import { BinanceApiError, Errors } from './api-error';

/** The limits the fake enforces; Binance's values by default, shrinkable for tests. */
export interface RateLimitSettings {
  /** REQUEST_WEIGHT per IP per window (Binance: 6000 per 1 MINUTE). */
  readonly requestWeight: number;
  /**
   * The REQUEST_WEIGHT window (Binance: 60 000 ms), a whole number of seconds. exchangeInfo, the
   * `X-MBX-USED-WEIGHT-<n><letter>` header and `rateLimits` name it as Binance would: 10 000 ms is
   * 10 SECOND (`-10S`), 300 000 ms 5 MINUTE (`-5M`).
   */
  readonly requestWeightWindowMs: number;
  /** RAW_REQUESTS per IP per window (Binance: 300 000 per 5 MINUTE since 2026-04-02). */
  readonly rawRequests: number;
  /** The RAW_REQUESTS window (Binance: 300 000 ms), a whole number of seconds. */
  readonly rawRequestsWindowMs: number;
  /** ORDERS per account per 10 seconds (Binance's documented example: 50). */
  readonly ordersPer10s: number;
  /** ORDERS per account per day (Binance's documented example: 160 000). */
  readonly ordersPerDay: number;
  /**
   * How much an order's first fill as maker takes off the unfilled order counts (a first fill as
   * taker takes 1). Binance says "more than one" without a figure; its FAQ's example uses 5.
   */
  readonly makerFirstFillCredit: number;
  /**
   * Requests an IP may still send in the window after a 429 before it is banned (418). Binance
   * does not publish this number; it only says bans follow "repeatedly violating" limits.
   */
  readonly requestsAfter429BeforeBan: number;
  /** The first ban's length; each further ban doubles it, up to `maxBanMs` (Binance: 2 min → 3 days). */
  readonly firstBanMs: number;
  readonly maxBanMs: number;
}

export const BINANCE_RATE_LIMITS: RateLimitSettings = {
  requestWeight: 6000,
  requestWeightWindowMs: 60_000,
  rawRequests: 300_000,
  rawRequestsWindowMs: 300_000,
  ordersPer10s: 50,
  ordersPerDay: 160_000,
  makerFirstFillCredit: 5,
  requestsAfter429BeforeBan: 5,
  firstBanMs: 120_000,
  maxBanMs: 3 * 24 * 3_600_000,
};

const DAY_MS = 86_400_000;

/** A rate limit window as Binance names it: `interval` and `intervalNum`, and the header's letter. */
export interface RateLimitWindow {
  readonly interval: WireRateLimit['interval'];
  readonly intervalNum: number;
  /** The header suffix (rest-api.md "LIMITS": SECOND => S, MINUTE => M, HOUR => H, DAY => D), e.g. `10S`. */
  readonly suffix: string;
}

const UNITS = [
  { interval: 'DAY', ms: DAY_MS, letter: 'D' },
  { interval: 'HOUR', ms: 3_600_000, letter: 'H' },
  { interval: 'MINUTE', ms: 60_000, letter: 'M' },
  { interval: 'SECOND', ms: 1000, letter: 'S' },
] as const;

/** Whether Binance's intervals can name a window of `windowMs` (a whole number of seconds, 1 or more). */
export function isNameableWindow(windowMs: number): boolean {
  return Number.isSafeInteger(windowMs) && windowMs >= 1000 && windowMs % 1000 === 0;
}

/**
 * The window of `windowMs` in the largest interval that divides it: 60 000 ms is 1 MINUTE, 10 000
 * ms 10 SECOND (as Binance's own ORDERS limit), 90 000 ms 90 SECOND. Throws a RangeError for a
 * window that is not a whole number of seconds: Binance has no smaller interval.
 */
export function rateLimitWindow(windowMs: number): RateLimitWindow {
  if (isNameableWindow(windowMs)) {
    for (const unit of UNITS) {
      if (windowMs % unit.ms === 0) {
        const intervalNum = windowMs / unit.ms;
        return { interval: unit.interval, intervalNum, suffix: `${intervalNum}${unit.letter}` };
      }
    }
  }
  throw new RangeError(`a rate limit window must be a whole number of seconds, got ${windowMs} ms`);
}

/** A counter per key over fixed, aligned windows (a 1-minute window resets at each minute boundary). */
export class FixedWindowCounter {
  readonly windowMs: number;
  readonly #counts = new Map<string, { start: number; used: number }>();

  constructor(windowMs: number) {
    this.windowMs = windowMs;
  }

  windowStart(now: number): number {
    return Math.floor(now / this.windowMs) * this.windowMs;
  }

  used(key: string, now: number): number {
    const entry = this.#counts.get(key);
    return entry && entry.start === this.windowStart(now) ? entry.used : 0;
  }

  add(key: string, amount: number, now: number): number {
    const start = this.windowStart(now);
    const entry = this.#counts.get(key);
    if (!entry || entry.start !== start) {
      if (this.#counts.size > 10_000) this.#prune(start);
      this.#counts.set(key, { start, used: amount });
      return amount;
    }
    entry.used += amount;
    return entry.used;
  }

  /** Takes `amount` off the current window's count, never below zero. */
  subtract(key: string, amount: number, now: number): void {
    const entry = this.#counts.get(key);
    if (!entry || entry.start !== this.windowStart(now)) return;
    entry.used = Math.max(0, entry.used - amount);
  }

  /** Milliseconds until the current window ends. */
  remaining(now: number): number {
    return this.windowStart(now) + this.windowMs - now;
  }

  reset(): void {
    this.#counts.clear();
  }

  #prune(start: number): void {
    for (const [key, entry] of this.#counts) if (entry.start !== start) this.#counts.delete(key);
  }
}

interface BanState {
  offences: number;
  bannedUntil: number;
  /** Requests sent in the current window after it was answered 429. */
  after429: number;
  window429: number;
}

/** An account's ORDERS counts (`X-MBX-ORDER-COUNT-10S` / `-1D`). */
export interface OrderCounts {
  readonly tenSeconds: number;
  readonly day: number;
}

/** One `rateLimits` entry of the WebSocket API envelope. */
export interface RateLimitReport {
  readonly rateLimitType: 'REQUEST_WEIGHT' | 'ORDERS' | 'RAW_REQUESTS';
  readonly interval: WireRateLimit['interval'];
  readonly intervalNum: number;
  readonly limit: number;
  readonly count: number;
}

/**
 * REQUEST_WEIGHT and RAW_REQUESTS per IP, shared by the REST API and the WebSocket API as on
 * Binance; ORDERS per account; 429 then 418 bans that escalate for IPs that keep going.
 */
export class RateLimiter {
  readonly settings: RateLimitSettings;
  /** The REQUEST_WEIGHT window's name, e.g. 1 MINUTE. */
  readonly weightWindow: RateLimitWindow;
  /** `X-MBX-USED-WEIGHT-<intervalNum><letter>` of the weight window, e.g. `X-MBX-USED-WEIGHT-1M`. */
  readonly weightHeader: string;
  readonly #rawWindow: RateLimitWindow;
  readonly #weight: FixedWindowCounter;
  readonly #raw: FixedWindowCounter;
  readonly #orders10s = new FixedWindowCounter(10_000);
  readonly #ordersDay = new FixedWindowCounter(DAY_MS);
  readonly #bans = new Map<string, BanState>();

  constructor(settings: RateLimitSettings) {
    this.settings = settings;
    this.weightWindow = rateLimitWindow(settings.requestWeightWindowMs);
    this.weightHeader = `X-MBX-USED-WEIGHT-${this.weightWindow.suffix}`;
    this.#rawWindow = rateLimitWindow(settings.rawRequestsWindowMs);
    this.#weight = new FixedWindowCounter(settings.requestWeightWindowMs);
    this.#raw = new FixedWindowCounter(settings.rawRequestsWindowMs);
  }

  usedWeight(ip: string, now: number): number {
    return this.#weight.used(ip, now);
  }

  /**
   * Admits a request of `weight` from `ip` or throws the 429 / 418 answer. `charged` (default: the
   * weight) is counted at once; `charge` adds weight decided after the outcome (failed orders).
   */
  admit(ip: string, weight: number, now: number, charged = weight): void {
    const ban = this.#bans.get(ip);
    if (ban && ban.bannedUntil > now) throw this.#banError(ban.bannedUntil, now);
    this.#raw.add(ip, 1, now);
    const used = this.#weight.used(ip, now);
    const overRaw = this.#raw.used(ip, now) > this.settings.rawRequests;
    if (used + weight > this.settings.requestWeight || overRaw) {
      const state = ban ?? { offences: 0, bannedUntil: 0, after429: 0, window429: -1 };
      this.#bans.set(ip, state);
      const window = this.#weight.windowStart(now);
      if (state.window429 !== window) {
        state.window429 = window;
        state.after429 = 0;
      } else {
        state.after429++;
      }
      if (state.after429 > this.settings.requestsAfter429BeforeBan) {
        const length = Math.min(this.settings.firstBanMs * 2 ** state.offences, this.settings.maxBanMs);
        state.offences++;
        state.bannedUntil = now + length;
        state.after429 = 0;
        throw this.#banError(state.bannedUntil, now);
      }
      const retryAfterMs = overRaw ? this.#raw.remaining(now) : this.#weight.remaining(now);
      const error = overRaw
        ? new BinanceApiError(429, -1003, 'Too many requests queued.')
        : Errors.tooMuchWeight(this.settings.requestWeight, this.weightWindowText());
      throw withRetryAfter(error, retryAfterMs, now);
    }
    this.#weight.add(ip, charged, now);
  }

  charge(ip: string, weight: number, now: number): void {
    if (weight > 0) this.#weight.add(ip, weight, now);
  }

  /** Bans an IP now (a fault a test can script). */
  ban(ip: string, durationMs: number, now: number): void {
    const state = this.#bans.get(ip) ?? { offences: 0, bannedUntil: 0, after429: 0, window429: -1 };
    state.bannedUntil = now + durationMs;
    this.#bans.set(ip, state);
  }

  bannedUntil(ip: string, now: number): number | undefined {
    const until = this.#bans.get(ip)?.bannedUntil;
    return until !== undefined && until > now ? until : undefined;
  }

  /** Throws -1015 (HTTP 429, no Retry-After) when the account may not place another order now. */
  admitOrder(account: string, count: number, now: number): void {
    const { ordersPer10s, ordersPerDay } = this.settings;
    if (this.#orders10s.used(account, now) + count > ordersPer10s)
      throw Errors.tooManyOrders(ordersPer10s, '10 SECOND');
    if (this.#ordersDay.used(account, now) + count > ordersPerDay)
      throw Errors.tooManyOrders(ordersPerDay, '1 DAY');
  }

  countOrder(account: string, count: number, now: number): void {
    this.#orders10s.add(account, count, now);
    this.#ordersDay.add(account, count, now);
  }

  /** An order's first fill: the current ORDERS counts of every interval go down by `amount`, not below 0. */
  creditOrders(account: string, amount: number, now: number): void {
    this.#orders10s.subtract(account, amount, now);
    this.#ordersDay.subtract(account, amount, now);
  }

  orderCounts(account: string, now: number): { tenSeconds: number; day: number } {
    return { tenSeconds: this.#orders10s.used(account, now), day: this.#ordersDay.used(account, now) };
  }

  /** The weight window as the `-1003` message words it, e.g. `1 MINUTE`. */
  weightWindowText(): string {
    return `${this.weightWindow.intervalNum} ${this.weightWindow.interval}`;
  }

  weightReport(ip: string, now: number): RateLimitReport {
    return {
      rateLimitType: 'REQUEST_WEIGHT',
      interval: this.weightWindow.interval,
      intervalNum: this.weightWindow.intervalNum,
      limit: this.settings.requestWeight,
      count: this.#weight.used(ip, now),
    };
  }

  /** The ORDERS entries of `rateLimits`: the account's counts now, or those an answer took (`counts`). */
  orderReports(
    account: string,
    now: number,
    counts: OrderCounts = this.orderCounts(account, now),
  ): RateLimitReport[] {
    return [
      {
        rateLimitType: 'ORDERS',
        interval: 'SECOND',
        intervalNum: 10,
        limit: this.settings.ordersPer10s,
        count: counts.tenSeconds,
      },
      {
        rateLimitType: 'ORDERS',
        interval: 'DAY',
        intervalNum: 1,
        limit: this.settings.ordersPerDay,
        count: counts.day,
      },
    ];
  }

  /** The `rateLimits` of exchangeInfo. */
  exchangeInfoLimits(): Array<Omit<RateLimitReport, 'count'>> {
    return [
      {
        rateLimitType: 'REQUEST_WEIGHT',
        interval: this.weightWindow.interval,
        intervalNum: this.weightWindow.intervalNum,
        limit: this.settings.requestWeight,
      },
      { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: this.settings.ordersPer10s },
      { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: this.settings.ordersPerDay },
      {
        rateLimitType: 'RAW_REQUESTS',
        interval: this.#rawWindow.interval,
        intervalNum: this.#rawWindow.intervalNum,
        limit: this.settings.rawRequests,
      },
    ];
  }

  reset(): void {
    this.#weight.reset();
    this.#raw.reset();
    this.#orders10s.reset();
    this.#ordersDay.reset();
    this.#bans.clear();
  }

  #banError(until: number, now: number): BinanceApiError {
    return withRetryAfter(Errors.banned(until), until - now, now);
  }
}

/** A 429/418 answer carries when to retry: `Retry-After` (REST) and `data.retryAfter` (WebSocket API). */
export function withRetryAfter(error: BinanceApiError, retryAfterMs: number, now: number): BinanceApiError {
  return new BinanceApiError(error.httpStatus, error.code, error.msg, {
    serverTime: now,
    retryAfter: now + retryAfterMs,
  });
}

/** Seconds for a `Retry-After` header, rounded up, at least 1. */
export function retryAfterSeconds(error: BinanceApiError, now: number): number | undefined {
  const at = error.data?.retryAfter;
  if (typeof at !== 'number') return undefined;
  return Math.max(1, Math.ceil((at - now) / 1000));
}
