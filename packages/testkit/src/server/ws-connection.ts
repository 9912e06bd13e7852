import type { Clock, TimerHandle } from '@venuekit/core';
import type { WebSocket } from 'ws';
import type { ConnectionKind, FaultPlan, MessageFaultAction } from './faults';

/** What a test can see of an open WebSocket connection. */
export interface ConnectionInfo {
  readonly id: string;
  readonly kind: ConnectionKind;
  /** The request path and query, e.g. `/stream?streams=btcusdt@trade`. */
  readonly path: string;
  readonly remoteAddress: string;
  readonly openedAt: number;
  /** Market streams: the streams it is subscribed to. WebSocket API: empty. */
  readonly streams: readonly string[];
  /** True while a "go silent" fault holds it. */
  readonly silent: boolean;
  /** Frames received from the client so far (text, ping and pong). */
  readonly framesReceived: number;
}

export interface ConnectionTimings {
  readonly pingIntervalMs: number;
  readonly pongTimeoutMs: number;
  readonly maxLifetimeMs: number;
  /** Incoming frames per second before close 1008 (0: unlimited). */
  readonly incomingPerSecond: number;
}

export interface ConnectionHooks {
  onClose(connection: ServerConnection): void;
}

/** Bytes queued for a client that does not read before the connection is dropped. */
const MAX_BUFFERED_BYTES = 64 * 1024 * 1024;

/** Close codes and reasons the fake uses. */
export const CloseCodes = {
  tooManyRequests: { code: 1008, reason: 'Too many requests' },
  lifetime: { code: 1001, reason: 'Connection lifetime exceeded' },
  shutdown: { code: 1001, reason: 'Server shutdown' },
} as const;

/**
 * One server-side WebSocket: Binance's connection rules (ping frames and a pong deadline, a
 * maximum lifetime, the incoming message limit) and the message faults (drop, duplicate, delay,
 * reorder, corrupt, silence). Everything it schedules runs on the server clock and is cleared
 * when it closes.
 */
export class ServerConnection {
  readonly id: string;
  readonly kind: ConnectionKind;
  readonly path: string;
  readonly remoteAddress: string;
  readonly openedAt: number;
  readonly socket: WebSocket;
  #silent = false;
  #closed = false;
  #held: { data: Buffer | string; stream: string } | undefined;
  #pingTimer: TimerHandle | undefined;
  #pongTimer: TimerHandle | undefined;
  #lifetimeTimer: TimerHandle | undefined;
  readonly #delayTimers = new Set<TimerHandle>();
  #outstandingPing: string | undefined;
  #framesReceived = 0;
  readonly #incoming: number[] = [];
  readonly #clock: Clock;
  readonly #faults: FaultPlan;
  readonly #timings: ConnectionTimings;
  readonly #hooks: ConnectionHooks;
  /** Streams currently subscribed (market streams); kept here so `info()` can show them. */
  streams: () => readonly string[] = () => [];

  constructor(options: {
    id: string;
    kind: ConnectionKind;
    path: string;
    remoteAddress: string;
    socket: WebSocket;
    clock: Clock;
    faults: FaultPlan;
    timings: ConnectionTimings;
    hooks: ConnectionHooks;
  }) {
    this.id = options.id;
    this.kind = options.kind;
    this.path = options.path;
    this.remoteAddress = options.remoteAddress;
    this.socket = options.socket;
    this.#clock = options.clock;
    this.#faults = options.faults;
    this.#timings = options.timings;
    this.#hooks = options.hooks;
    this.openedAt = options.clock.now();

    const socket = this.socket;
    socket.on('ping', (data) => {
      if (!this.#countIncoming()) return;
      if (!this.#silent && socket.readyState === socket.OPEN) socket.pong(data);
    });
    socket.on('pong', (data) => {
      if (!this.#countIncoming()) return;
      // Only the echo of our ping counts; unsolicited pongs do not keep the connection alive.
      if (this.#outstandingPing !== undefined && data.toString() === this.#outstandingPing) {
        this.#outstandingPing = undefined;
        this.#clock.clearTimeout(this.#pongTimer);
        this.#pongTimer = undefined;
      }
    });
    socket.on('close', () => this.#onClosed());
    // An 'error' on a server socket (a reset by the peer) is followed by 'close'; never rethrown.
    socket.on('error', () => {});

    if (this.#timings.pingIntervalMs > 0) {
      this.#pingTimer = this.#clock.setInterval(() => this.#ping(), this.#timings.pingIntervalMs);
    }
    if (this.#timings.maxLifetimeMs > 0) {
      this.#lifetimeTimer = this.#clock.setTimeout(() => this.expire(), this.#timings.maxLifetimeMs);
    }
  }

  get open(): boolean {
    return !this.#closed && this.socket.readyState === this.socket.OPEN;
  }

  get silent(): boolean {
    return this.#silent;
  }

  info(): ConnectionInfo {
    return {
      id: this.id,
      kind: this.kind,
      path: this.path,
      remoteAddress: this.remoteAddress,
      openedAt: this.openedAt,
      streams: [...this.streams()],
      silent: this.#silent,
      framesReceived: this.#framesReceived,
    };
  }

  /**
   * Counts an incoming frame against the per-second limit; false (and the connection closed with
   * 1008 "Too many requests") when over it. Binance counts pings, pongs and JSON messages alike.
   */
  countIncoming(): boolean {
    return this.#countIncoming();
  }

  #countIncoming(): boolean {
    this.#framesReceived++;
    const limit = this.#timings.incomingPerSecond;
    if (limit <= 0 || this.#closed) return !this.#closed;
    const now = this.#clock.now();
    const window = this.#incoming;
    while (window.length > 0 && window[0]! <= now - 1000) window.shift();
    window.push(now);
    if (window.length > limit) {
      this.close(CloseCodes.tooManyRequests.code, CloseCodes.tooManyRequests.reason);
      return false;
    }
    return true;
  }

  /**
   * Sends a text frame through the message faults. `stream` names what it carries (a stream
   * name, a user-data event type or `'response'`) for faults that target it.
   */
  send(data: Buffer | string, stream: string): void {
    if (this.#closed || this.#silent) return;
    const fault = this.#faults.hasMessageFaults
      ? this.#faults.messageFault({ connectionId: this.id, kind: this.kind, stream })
      : undefined;
    if (fault) {
      this.#applyFault(fault, data, stream);
      return;
    }
    this.#write(data);
    if (this.#held) {
      const held = this.#held;
      this.#held = undefined;
      this.#write(held.data);
    }
  }

  /** Sends text as is, bypassing faults (a malformed frame, a scripted payload). */
  sendRaw(text: string): void {
    if (!this.#closed) this.#write(text);
  }

  #applyFault(fault: MessageFaultAction, data: Buffer | string, stream: string): void {
    switch (fault.type) {
      case 'drop':
        return;
      case 'duplicate':
        this.#write(data);
        this.#write(data);
        return;
      case 'corrupt': {
        const text = typeof data === 'string' ? data : data.toString('utf8');
        this.#write(text.slice(0, Math.max(1, Math.floor(text.length / 2))));
        return;
      }
      case 'reorder':
        if (this.#held) this.#write(this.#held.data);
        this.#held = { data, stream };
        return;
      case 'delay': {
        const timer = this.#clock.setTimeout(() => {
          this.#delayTimers.delete(timer);
          this.#write(data);
        }, fault.ms);
        this.#delayTimers.add(timer);
        return;
      }
    }
  }

  #write(data: Buffer | string): void {
    if (this.#closed || this.socket.readyState !== this.socket.OPEN) return;
    // A client that stops reading is dropped rather than buffered without bound.
    if (this.socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.terminate();
      return;
    }
    this.socket.send(data, { binary: false });
  }

  #ping(): void {
    if (this.#closed || this.#silent) return;
    if (this.#outstandingPing === undefined) {
      const payload = String(this.#clock.now());
      this.#outstandingPing = payload;
      this.#pongTimer = this.#clock.setTimeout(() => this.terminate(), this.#timings.pongTimeoutMs);
      this.socket.ping(payload);
    } else {
      // A ping is still unanswered: Binance keeps pinging, the deadline stays the first one's.
      this.socket.ping(this.#outstandingPing);
    }
  }

  /** Goes silent: no data, no pongs, no pings (the connection stays open). */
  silence(): void {
    this.#silent = true;
    this.#outstandingPing = undefined;
    this.#clock.clearTimeout(this.#pongTimer);
    this.#pongTimer = undefined;
  }

  resume(): void {
    this.#silent = false;
  }

  /** Closes with a close frame (the peer gets `code` and `reason`). */
  close(code = 1000, reason = ''): void {
    if (this.#closed) return;
    this.#stopTimers();
    try {
      this.socket.close(code, reason);
    } catch {
      this.socket.terminate();
    }
  }

  /** Drops the TCP connection without a close frame. */
  terminate(): void {
    this.#stopTimers();
    this.socket.terminate();
  }

  /** Ends the connection as Binance does at its maximum lifetime. */
  expire(): void {
    this.close(CloseCodes.lifetime.code, CloseCodes.lifetime.reason);
  }

  #stopTimers(): void {
    this.#clock.clearInterval(this.#pingTimer);
    this.#clock.clearTimeout(this.#pongTimer);
    this.#clock.clearTimeout(this.#lifetimeTimer);
    for (const timer of this.#delayTimers) this.#clock.clearTimeout(timer);
    this.#delayTimers.clear();
    this.#pingTimer = this.#pongTimer = this.#lifetimeTimer = undefined;
  }

  #onClosed(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopTimers();
    this.#held = undefined;
    this.#hooks.onClose(this);
  }
}
