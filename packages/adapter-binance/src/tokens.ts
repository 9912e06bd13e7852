import { token } from '@venuekit/core';
import type { BinanceAdapter } from './adapter';
import type { BinanceConfig } from './config';

/** Container tokens of @venuekit/adapter-binance. */
export const BinanceTokens = {
  /** The resolved BinanceConfig. */
  Config: token<BinanceConfig>('@venuekit/adapter-binance/Config'),
  /** The adapter itself, with its Binance-specific parts (also bound as core's ExchangeAdapter). */
  Adapter: token<BinanceAdapter>('@venuekit/adapter-binance/Adapter'),
} as const;
