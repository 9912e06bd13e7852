import {
  type Capability,
  type ExchangeId,
  KLINE_INTERVALS,
  type KlineInterval,
  normalizeSymbol,
  type StreamKind,
  type StreamSpec,
  topics,
  ValidationError,
} from '@venuekit/core';
import type { QueueOptions, QueuePolicy, ResolvedRequest } from './types';

/** Per kind: the adapter capability it needs, the bus event type, and the default queue policy. */
export const KIND_INFO: Readonly<
  Record<StreamKind, { readonly capability: Capability; readonly type: string; readonly policy: QueuePolicy }>
> = {
  ticker: { capability: 'watchTicker', type: 'ticker', policy: 'conflate' },
  miniTicker: { capability: 'watchMiniTicker', type: 'miniTicker', policy: 'conflate' },
  bookTicker: { capability: 'watchBookTicker', type: 'bookTicker', policy: 'conflate' },
  trades: { capability: 'watchTrades', type: 'trade', policy: 'drop_oldest' },
  aggTrades: { capability: 'watchAggTrades', type: 'aggTrade', policy: 'drop_oldest' },
  klines: { capability: 'watchKlines', type: 'kline', policy: 'drop_oldest' },
  depth: { capability: 'watchDepth', type: 'depth', policy: 'conflate' },
  orderBook: { capability: 'watchOrderBook', type: 'orderBook', policy: 'conflate' },
};

export const STREAM_KINDS = Object.keys(KIND_INFO) as StreamKind[];

export const DEFAULT_CAPACITY: Readonly<Record<QueuePolicy, number>> = { conflate: 16, drop_oldest: 1024 };
export const MAX_CAPACITY = 1_000_000;

const DEPTH_LEVELS = [5, 10, 20] as const;
const UPDATE_SPEEDS = [100, 1000] as const;

/**
 * Checks a request and returns its canonical form with its topic, or throws a
 * ValidationError naming the field and the rule. Nothing is sent before this passes.
 */
export function resolveRequest(input: unknown, exchange: ExchangeId): ResolvedRequest {
  if (input === null || typeof input !== 'object') {
    throw new ValidationError('INVALID_PARAMETER', {
      field: 'request',
      rule: 'must be an object like { kind: "trades", symbol: "BTC/USDT" }',
    });
  }
  const raw = input as Record<string, unknown>;
  const kind = raw.kind;
  if (typeof kind !== 'string' || !Object.hasOwn(KIND_INFO, kind)) {
    throw new ValidationError('INVALID_PARAMETER', {
      field: 'kind',
      rule: `must be one of ${STREAM_KINDS.join(', ')}`,
    });
  }
  const symbol = normalizeSymbol(raw.symbol, 'symbol');
  switch (kind as StreamKind) {
    case 'ticker':
    case 'miniTicker':
    case 'bookTicker':
    case 'trades':
    case 'aggTrades': {
      const spec = { kind, symbol } as StreamSpec;
      return withTopic(spec, exchange, undefined);
    }
    case 'klines': {
      const interval = raw.interval;
      if (typeof interval !== 'string' || !(KLINE_INTERVALS as readonly string[]).includes(interval)) {
        throw new ValidationError('INVALID_PARAMETER', {
          field: 'interval',
          rule: `must be one of ${KLINE_INTERVALS.join(', ')}`,
        });
      }
      return withTopic({ kind: 'klines', symbol, interval: interval as KlineInterval }, exchange, interval);
    }
    case 'depth': {
      const levels = raw.levels ?? 5;
      if (!DEPTH_LEVELS.includes(levels as 5)) {
        throw new ValidationError('INVALID_PARAMETER', { field: 'levels', rule: 'must be 5, 10 or 20' });
      }
      const speed = updateSpeed(raw.updateSpeedMs);
      const spec = {
        kind: 'depth',
        symbol,
        levels: levels as 5 | 10 | 20,
        ...(speed === undefined ? {} : { updateSpeedMs: speed }),
      } as const;
      return withTopic(spec, exchange, speed === undefined ? `${levels}` : `${levels}@${speed}ms`);
    }
    case 'orderBook': {
      const speed = updateSpeed(raw.updateSpeedMs);
      const spec = {
        kind: 'orderBook',
        symbol,
        ...(speed === undefined ? {} : { updateSpeedMs: speed }),
      } as const;
      return withTopic(spec, exchange, speed === undefined ? undefined : `${speed}ms`);
    }
  }
}

function updateSpeed(value: unknown): 100 | 1000 | undefined {
  if (value === undefined) return undefined;
  if (!UPDATE_SPEEDS.includes(value as 100)) {
    throw new ValidationError('INVALID_PARAMETER', { field: 'updateSpeedMs', rule: 'must be 100 or 1000' });
  }
  return value as 100 | 1000;
}

function withTopic(spec: StreamSpec, exchange: ExchangeId, variant: string | undefined): ResolvedRequest {
  return { ...spec, exchange, topic: topics.market(exchange, spec.symbol, spec.kind, variant) };
}

/** The spec an adapter receives: the request without the exchange and topic. */
export function specOf(request: ResolvedRequest): StreamSpec {
  const { exchange: _exchange, topic: _topic, ...spec } = request;
  return spec as StreamSpec;
}

export function validateExchange(value: unknown): ExchangeId {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ValidationError('INVALID_PARAMETER', { field: 'exchange', rule: 'must be a non-empty string' });
  }
  return value;
}

/** The queue a subscriber gets: the caller's choice, or the kind's default. */
export function resolveQueue(
  options: QueueOptions | undefined,
  fallback: QueuePolicy,
): { policy: QueuePolicy; capacity: number } {
  const policy = options?.policy ?? fallback;
  if (policy !== 'conflate' && policy !== 'drop_oldest') {
    throw new ValidationError('INVALID_PARAMETER', {
      field: 'policy',
      rule: 'must be "conflate" or "drop_oldest"',
    });
  }
  const capacity = options?.capacity ?? DEFAULT_CAPACITY[policy];
  if (!Number.isSafeInteger(capacity) || capacity < 1 || capacity > MAX_CAPACITY) {
    throw new ValidationError('INVALID_PARAMETER', {
      field: 'capacity',
      rule: `must be an integer from 1 to ${MAX_CAPACITY}`,
    });
  }
  return { policy, capacity };
}
