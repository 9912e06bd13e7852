import type { BookTop } from '../feed/messages';
import type { FeedKind } from '../server/feed-server';
import type { Sink } from './sink';

export interface Endpoints {
  /** REST base, e.g. `http://127.0.0.1:4000`. */
  readonly rest: string;
  /** Streams base, e.g. `ws://127.0.0.1:4000`. */
  readonly streams: string;
}

/** One library under test, doing the same work as the others: subscribe, and hand each message to the sink. */
export interface LibraryClient {
  /** Connects and subscribes to BTCUSDT trades or diff depth; resolves when the subscription is sent. */
  start(kind: FeedKind, endpoints: Endpoints, sink: Sink): Promise<void>;
  /** The client's local book now (libraries that keep one). */
  top(): BookTop | undefined;
  close(): Promise<void>;
}

export const LIBRARIES = ['floor', 'venuekit', 'venuekit-read', 'binance', 'ccxt'] as const;
export type LibraryName = (typeof LIBRARIES)[number];
