import diagnosticsChannel from 'node:diagnostics_channel';
import type { CircuitState } from './resilience';

/**
 * Telemetry over `node:diagnostics_channel`. Publishers check `hasSubscribers`
 * before building a message, so a channel nobody listens to costs one property
 * read. Subscribe with `telemetry.<name>.subscribe(fn)` or with
 * `diagnostics_channel.subscribe('<channel name>', fn)`. The table of channels
 * is in the core README.
 */
export interface TelemetryChannel<T> {
  readonly name: string;
  readonly hasSubscribers: boolean;
  publish(message: T): void;
  /** Returns a function that unsubscribes. */
  subscribe(listener: (message: T) => void): () => void;
}

/**
 * A typed channel on `node:diagnostics_channel`, for packages that publish telemetry of their own
 * (the recorder, a custom adapter). Name it `venuekit:<area>:<event>` or after your own package.
 */
export function createTelemetryChannel<T>(name: string): TelemetryChannel<T> {
  const ch = diagnosticsChannel.channel(name);
  return {
    name,
    get hasSubscribers() {
      return ch.hasSubscribers;
    },
    publish(message: T) {
      if (ch.hasSubscribers) ch.publish(message);
    },
    subscribe(listener: (message: T) => void) {
      const wrapped = (message: unknown) => listener(message as T);
      ch.subscribe(wrapped);
      return () => {
        ch.unsubscribe(wrapped);
      };
    },
  };
}

export type ConnectionKind = 'market' | 'user' | 'api';

export interface ConnectionStartedEvent {
  exchange: string;
  connectionId: string;
  kind: ConnectionKind;
  url: string;
}
export interface ConnectionClosedEvent {
  exchange: string;
  connectionId: string;
  kind: ConnectionKind;
  code: number;
  reason: string;
  /** Why we closed it, when we did: `rotation`, `watchdog`, `unsubscribed`, `shutdown`… */
  initiatedBy: 'client' | 'server';
  durationMs: number;
}
export interface ConnectionReconnectingEvent {
  exchange: string;
  connectionId: string;
  kind: ConnectionKind;
  attempt: number;
  delayMs: number;
  reason: string;
}
export interface CircuitStateEvent {
  exchange: string;
  connectionId: string;
  state: CircuitState;
}
export interface MessageReceivedEvent {
  exchange: string;
  connectionId: string;
  /** Stream name, or `control` / `api` for non-data frames. */
  stream: string;
  receivedAt: number;
}
/**
 * A data frame exactly as it arrived, for recorders and audits. Published only while someone listens
 * (adapters check `hasSubscribers` before building it), so an unobserved tap costs one property read.
 * Only venue data is tapped (market streams, user data events), never request answers that may carry keys.
 */
export interface RawMessageEvent {
  exchange: string;
  connectionId: string;
  /** `market` for market streams, `user` for a user's data events. */
  kind: ConnectionKind;
  /** The venue's stream name (e.g. `btcusdt@trade`), for market frames. */
  stream?: string;
  /** The stream's canonical key (`MarketDataStreamClient.streamKey`), when the adapter knows it. */
  streamKey?: string;
  /** The user the account belongs to (`AccountOptions.userId`), for user data frames. */
  userId?: string;
  /** The frame's text as received. */
  payload: string;
  /** Local receive time, epoch ms. */
  receivedAt: number;
}
export interface SubscriptionEvent {
  exchange: string;
  connectionId: string;
  streams: readonly string[];
  error?: { code: string; message: string };
}
export interface RequestEvent {
  exchange: string;
  transport: 'rest' | 'websocket';
  method: string;
  /** Endpoint path or WebSocket API method, never a signed query. */
  path: string;
  status?: number;
  venueCode?: number | string;
  weight?: number;
  durationMs: number;
  errorCode?: string;
}
export interface OrderEvent {
  exchange: string;
  userId?: string;
  symbol: string;
  clientOrderId: string;
  orderId?: string;
  /** What happened to the order intent. */
  event: 'sent' | 'accepted' | 'rejected' | 'unknown' | 'reconciled' | 'canceled' | 'filled' | 'updated';
  status?: string;
  durationMs?: number;
}
export interface BookResyncEvent {
  exchange: string;
  symbol: string;
  reason: 'gap' | 'crossed' | 'reconnect' | 'stale_snapshot' | 'start' | 'error';
}
export interface StreamGapEvent {
  exchange: string;
  symbol: string;
  stream: string;
  fromId: string;
  toId: string;
  backfilled: boolean;
}
export interface DropEvent {
  topic: string;
  subscriberId: string;
  dropped: number;
  policy: 'conflate' | 'drop_oldest';
}
export interface RateLimitEvent {
  exchange: string;
  usedWeight: number;
  weightLimit: number;
  /** When set, all traffic to the venue is stopped until this time (epoch ms). */
  bannedUntil?: number;
  retryAfterMs?: number;
}
export interface ClockSyncEvent {
  exchange: string;
  offsetMs: number;
  roundTripMs: number;
}
export interface UserSessionEvent {
  exchange: string;
  userId: string;
  event: 'connected' | 'disconnected' | 'failed';
}
/**
 * A line a core logger wrote (`createLogger`), exactly as it went to its destination: already
 * redacted. For test-run guards that scan all log output, and for log shippers; published only
 * while someone listens.
 */
export interface LogLineEvent {
  line: string;
}
export interface DiscardEvent {
  exchange: string;
  connectionId?: string;
  reason: string;
}

export const telemetry = {
  connectionStarted: createTelemetryChannel<ConnectionStartedEvent>('venuekit:connection:started'),
  connectionClosed: createTelemetryChannel<ConnectionClosedEvent>('venuekit:connection:closed'),
  connectionReconnecting: createTelemetryChannel<ConnectionReconnectingEvent>(
    'venuekit:connection:reconnecting',
  ),
  circuitState: createTelemetryChannel<CircuitStateEvent>('venuekit:connection:circuit'),
  messageReceived: createTelemetryChannel<MessageReceivedEvent>('venuekit:message:received'),
  messageDiscarded: createTelemetryChannel<DiscardEvent>('venuekit:message:discarded'),
  rawMessage: createTelemetryChannel<RawMessageEvent>('venuekit:message:raw'),
  subscriptionConfirmed: createTelemetryChannel<SubscriptionEvent>('venuekit:subscription:confirmed'),
  subscriptionFailed: createTelemetryChannel<SubscriptionEvent>('venuekit:subscription:failed'),
  requestResolved: createTelemetryChannel<RequestEvent>('venuekit:request:resolved'),
  requestRejected: createTelemetryChannel<RequestEvent>('venuekit:request:rejected'),
  order: createTelemetryChannel<OrderEvent>('venuekit:order:event'),
  bookResync: createTelemetryChannel<BookResyncEvent>('venuekit:book:resync'),
  streamGap: createTelemetryChannel<StreamGapEvent>('venuekit:stream:gap'),
  subscriberDrop: createTelemetryChannel<DropEvent>('venuekit:stream:drop'),
  rateLimit: createTelemetryChannel<RateLimitEvent>('venuekit:ratelimit:update'),
  clockSync: createTelemetryChannel<ClockSyncEvent>('venuekit:clock:synced'),
  userSession: createTelemetryChannel<UserSessionEvent>('venuekit:user:session'),
  logLine: createTelemetryChannel<LogLineEvent>('venuekit:log:line'),
} as const;

export type TelemetryChannelName = keyof typeof telemetry;
