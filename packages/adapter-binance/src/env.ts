import { ValidationError } from '@venuekit/core';
import type { BinanceConfigInput } from './config';
import { BINANCE_ENVIRONMENTS, type BinanceEnvironment } from './urls';

/**
 * The one place the Binance adapter reads environment variables. Returns a
 * config input to pass to `binanceModule()` / `new BinanceAdapter()`; values a
 * caller passes explicitly should be spread over it.
 *
 * - `BINANCE_ENV`: `prod` (default), `testnet` or `demo`
 * - `BINANCE_REST_URL`, `BINANCE_STREAMS_URL`, `BINANCE_WS_API_URL`: override one url
 */
export function binanceConfigFromEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
): BinanceConfigInput {
  const name = env.BINANCE_ENV?.trim().toLowerCase();
  let environment: BinanceEnvironment | undefined;
  if (name) {
    const aliases: Record<string, BinanceEnvironment> = { production: 'prod', live: 'prod', test: 'testnet' };
    const resolved = aliases[name] ?? name;
    if (!BINANCE_ENVIRONMENTS.includes(resolved as BinanceEnvironment)) {
      throw new ValidationError('INVALID_PARAMETER', {
        field: 'BINANCE_ENV',
        rule: `must be one of ${BINANCE_ENVIRONMENTS.join(', ')}`,
      });
    }
    environment = resolved as BinanceEnvironment;
  }
  const rest = env.BINANCE_REST_URL?.trim() || undefined;
  const streams = env.BINANCE_STREAMS_URL?.trim() || undefined;
  const wsApi = env.BINANCE_WS_API_URL?.trim() || undefined;
  const urls = {
    ...(rest ? { rest } : {}),
    ...(streams ? { streams } : {}),
    ...(wsApi ? { wsApi } : {}),
  };
  return {
    ...(environment ? { environment } : {}),
    ...(Object.keys(urls).length > 0 ? { urls } : {}),
  };
}
