import {
  type AdapterStatus,
  type CircuitState,
  type ConnectionInfo,
  type ConnectionState,
  capabilities,
  type ExchangeAdapter,
  type StreamStats,
} from '@venuekit/core';

/**
 * An ExchangeAdapter whose status() the test sets: for the roll-up rules, where driving a real
 * venue into every combination would test the venue, not the rules. Fault-driven tests use the
 * real Binance adapter against the fake server instead.
 */
export class ControlledAdapter implements ExchangeAdapter {
  readonly name: string;
  readonly has = capabilities([]);
  readonly instruments = {
    list: async () => [],
    get: async () => {
      throw new Error('no instruments');
    },
  };
  current: AdapterStatus;
  closed = false;
  failWith: Error | undefined;

  constructor(
    readonly id: string,
    status: Partial<AdapterStatus> = {},
  ) {
    this.name = `Controlled ${id}`;
    this.current = { exchange: id, connections: [], streams: [], ...status };
  }

  status(): AdapterStatus {
    if (this.failWith) throw this.failWith;
    return this.current;
  }

  set(status: Partial<AdapterStatus>): void {
    this.current = { ...this.current, ...status };
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

export function connection(
  id: string,
  state: ConnectionState = 'open',
  circuitState: CircuitState = 'closed',
  extra: Partial<ConnectionInfo> = {},
): ConnectionInfo {
  return {
    id,
    exchange: 'test',
    kind: 'market',
    url: 'wss://example.invalid/stream',
    state,
    circuitState,
    streams: [],
    queuedMessages: 0,
    reconnects: 0,
    messagesReceived: 0,
    ...extra,
  };
}

export function stream(key: string, extra: Partial<StreamStats> = {}): StreamStats {
  return {
    key,
    exchange: 'test',
    symbol: 'BTC/USDT',
    kind: 'trades',
    subscribers: 1,
    subscribedAt: 0,
    largestGapMs: 0,
    messages: 0,
    reconnects: 0,
    resyncs: 0,
    ...extra,
  };
}
