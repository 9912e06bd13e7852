import { token } from '@venuekit/core';
import type { TradingFacade } from './user-manager';

export const TradingTokens = {
  /** The user manager: `venuekit.trading`. */
  UserManager: token<TradingFacade>('@venuekit/trading/UserManager'),
} as const;
