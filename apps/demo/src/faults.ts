import { type UnifiedSymbol, ValidationError } from '@venuekit/core';
import type { FakeBinanceFaults } from '@venuekit/testkit';
import type { FaultName, WireFaultInfo } from './wire';

export const FAULTS: readonly WireFaultInfo[] = [
  {
    id: 'drop',
    label: 'Drop market data',
    description:
      'The fake cuts the market-data connections without a close frame, as a network failure would. venuekit reconnects, resubscribes and rebuilds the books.',
  },
  {
    id: 'stall',
    label: 'Stall market data',
    description:
      'The fake keeps the socket open but sends nothing, not even pongs. venuekit notices the silence, marks streams stale and replaces the connection.',
  },
  {
    id: 'depthGap',
    label: 'Skip a depth update',
    description:
      'The fake drops one diff-depth update of the selected market. venuekit sees the sequence gap and rebuilds that book from a fresh snapshot.',
  },
  {
    id: 'dropUserData',
    label: 'Drop user data',
    description:
      "The fake cuts the users' WebSocket API connections. venuekit reconnects, resubscribes their user data and catches up on what was missed.",
  },
  {
    id: 'ambiguousOrder',
    label: 'Ambiguous next order',
    description:
      'The next order is executed by the fake but answered with a 503 "execution status unknown". venuekit reconciles it by its client order id instead of sending it again.',
  },
];

const NAMES = new Set<string>(FAULTS.map((fault) => fault.id));

export function isFaultName(value: unknown): value is FaultName {
  return typeof value === 'string' && NAMES.has(value);
}

/** The outcome of an injected fault, for the page and the incident log. */
export interface InjectedFault {
  readonly fault: FaultName;
  /** What was done, in words. */
  readonly text: string;
  /** Connections affected (for connection faults). */
  readonly connections?: number;
}

/**
 * Injects the dashboard's faults through the fake exchange's handle. Only the fake venue has
 * one: against real Binance there is nothing to inject.
 */
export class FaultInjector {
  readonly #faults: FakeBinanceFaults;
  readonly #nativeSymbol: (symbol: UnifiedSymbol) => string;

  constructor(faults: FakeBinanceFaults, nativeSymbol: (symbol: UnifiedSymbol) => string = toBinanceSymbol) {
    this.#faults = faults;
    this.#nativeSymbol = nativeSymbol;
  }

  inject(fault: unknown, symbol: UnifiedSymbol): InjectedFault {
    if (!isFaultName(fault)) {
      throw new ValidationError('INVALID_PARAMETER', {
        field: 'fault',
        rule: `must be one of ${[...NAMES].join(', ')}`,
      });
    }
    const faults = this.#faults;
    switch (fault) {
      case 'drop': {
        const connections = faults.dropConnection({ kind: 'streams' });
        return { fault, connections, text: `dropped ${plural(connections, 'market-data connection')}` };
      }
      case 'stall': {
        const connections = faults.silence({ kind: 'streams' });
        return { fault, connections, text: `stalled ${plural(connections, 'market-data connection')}` };
      }
      case 'depthGap':
        faults.depthGap(this.#nativeSymbol(symbol));
        return { fault, text: `the next ${symbol} depth update will be skipped` };
      case 'dropUserData': {
        const connections = faults.dropConnection({ kind: 'wsApi' });
        return { fault, connections, text: `dropped ${plural(connections, 'user-data connection')}` };
      }
      case 'ambiguousOrder':
        // The dashboard places orders over REST (the sessions' default transport).
        faults.failRequests({
          transport: 'rest',
          endpoint: 'POST /api/v3/order',
          action: { type: 'unknownOutcome' },
        });
        return { fault, text: 'the next order will be executed but answered "execution status unknown"' };
    }
  }
}

/** `BTC/USDT` → `BTCUSDT`. */
export function toBinanceSymbol(symbol: UnifiedSymbol): string {
  return symbol.replace('/', '').toUpperCase();
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
