import type { Clock } from './clock';

export interface BackoffOptions {
  /** First delay, in ms. Default 500. */
  initialMs?: number;
  /** Largest delay, in ms. Default 30 000. */
  maxMs?: number;
  /** Growth per attempt. Default 2. */
  factor?: number;
  /**
   * `full`: a random delay in [0, d]; `equal`: d/2 plus a random half (default);
   * `none`: exactly d. Jitter spreads reconnects of many clients after an outage.
   */
  jitter?: 'full' | 'equal' | 'none';
  /** Source of randomness in [0, 1); default Math.random. */
  random?: () => number;
}

/** Exponential backoff with jitter. */
export class ExponentialBackoff {
  readonly #initialMs: number;
  readonly #maxMs: number;
  readonly #factor: number;
  readonly #jitter: 'full' | 'equal' | 'none';
  readonly #random: () => number;
  #attempt = 0;

  constructor(options: BackoffOptions = {}) {
    this.#initialMs = options.initialMs ?? 500;
    this.#maxMs = options.maxMs ?? 30_000;
    this.#factor = options.factor ?? 2;
    this.#jitter = options.jitter ?? 'equal';
    this.#random = options.random ?? Math.random;
  }

  /** Attempts made since the last reset. */
  get attempt(): number {
    return this.#attempt;
  }

  /** The delay before the next attempt. */
  next(): number {
    const ceiling = Math.min(this.#maxMs, this.#initialMs * this.#factor ** this.#attempt);
    this.#attempt++;
    switch (this.#jitter) {
      case 'none':
        return ceiling;
      case 'full':
        return Math.floor(this.#random() * ceiling);
      default:
        return Math.floor(ceiling / 2 + (this.#random() * ceiling) / 2);
    }
  }

  reset(): void {
    this.#attempt = 0;
  }
}

export type CircuitState = 'closed' | 'open' | 'half_open';

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. Default 5. */
  failureThreshold?: number;
  /** How long the circuit stays open before one probe is allowed, in ms. Default 30 000. */
  openMs?: number;
  clock: Clock;
  onStateChange?: (state: CircuitState) => void;
}

/**
 * Stops hammering a venue after repeated failures: closed (normal) → open (no
 * attempts) after `failureThreshold` failures → half open (one probe) after
 * `openMs` → closed on the probe's success, open again on its failure.
 */
export class CircuitBreaker {
  readonly #threshold: number;
  readonly #openMs: number;
  readonly #clock: Clock;
  readonly #onStateChange: ((state: CircuitState) => void) | undefined;
  #state: CircuitState = 'closed';
  #failures = 0;
  #openedAt = 0;
  #opens = 0;

  constructor(options: CircuitBreakerOptions) {
    this.#threshold = options.failureThreshold ?? 5;
    this.#openMs = options.openMs ?? 30_000;
    this.#clock = options.clock;
    this.#onStateChange = options.onStateChange;
  }

  get state(): CircuitState {
    if (this.#state === 'open' && this.#clock.now() - this.#openedAt >= this.#openMs) this.#set('half_open');
    return this.#state;
  }

  get consecutiveFailures(): number {
    return this.#failures;
  }

  /** Times the circuit has opened. */
  get opens(): number {
    return this.#opens;
  }

  /** Milliseconds until an attempt is allowed; 0 when one is allowed now. */
  get retryInMs(): number {
    if (this.state !== 'open') return 0;
    return Math.max(0, this.#openedAt + this.#openMs - this.#clock.now());
  }

  canAttempt(): boolean {
    return this.state !== 'open';
  }

  recordSuccess(): void {
    this.#failures = 0;
    if (this.#state !== 'closed') this.#set('closed');
  }

  recordFailure(): void {
    this.#failures++;
    const state = this.state;
    if (state === 'half_open' || (state === 'closed' && this.#failures >= this.#threshold)) {
      this.#openedAt = this.#clock.now();
      this.#opens++;
      this.#set('open');
    }
  }

  reset(): void {
    this.#failures = 0;
    if (this.#state !== 'closed') this.#set('closed');
  }

  #set(state: CircuitState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.#onStateChange?.(state);
  }
}
