import { normalizeSymbol, type UnifiedSymbol, ValidationError } from '@venuekit/core';

/** Where the demo's market (and, for `testnet`, its trading) comes from. */
export type DemoVenue = 'fake' | 'live' | 'testnet';

export interface DemoOptions {
  /** `fake` (default): the embedded fake Binance. `live`: Binance production market data, no trading. `testnet`: Binance's spot testnet. */
  readonly venue: DemoVenue;
  /** The dashboard's port; 0 picks a free one. Default 8300. */
  readonly port: number;
  /** The interface the dashboard listens on. Default 127.0.0.1. */
  readonly host: string;
  /** The markets shown. Default BTC/USDT, ETH/USDT, BNB/USDT, ETH/BTC. */
  readonly symbols: readonly UnifiedSymbol[];
  /** Market data over a Redis bus (a gateway and a consumer in this process), at this url. */
  readonly redisUrl?: string;
  /** Seed of the fake market's simulation (fake venue only). Default: a new one per run. */
  readonly seed?: number;
}

export const DEFAULT_PORT = 8300;
export const DEFAULT_SYMBOLS: readonly UnifiedSymbol[] = ['BTC/USDT', 'ETH/USDT', 'BNB/USDT', 'ETH/BTC'];
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export const USAGE = `venuekit demo: a live dashboard over venuekit

Usage: npm run demo -- [options]

  --port <n>          dashboard port (default ${DEFAULT_PORT}; 0 picks a free one)
  --host <address>    interface to listen on (default 127.0.0.1)
  --symbols <list>    markets to show, e.g. BTC/USDT,ETH/USDT (default ${DEFAULT_SYMBOLS.join(',')})
  --seed <n>          seed of the fake market's simulation (same seed, same market)
  --live              public market data from Binance production (needs internet, no keys, no trading)
  --testnet           trade on Binance's spot testnet with keys from the environment
                      (BINANCE_TESTNET_API_KEY and BINANCE_TESTNET_SECRET_KEY, optionally a second
                      user's BINANCE_TESTNET_API_KEY_2 and BINANCE_TESTNET_SECRET_KEY_2)
  --redis [url]       carry market data over the Redis bus (default ${DEFAULT_REDIS_URL}, or REDIS_URL)
  --help              this text

Without --live or --testnet the demo runs against the embedded fake Binance: no keys, no network.`;

export type ParsedArgs = { readonly help: true } | { readonly help: false; readonly options: DemoOptions };

/**
 * Parses the demo's command line. Throws a ValidationError naming the option and the rule
 * for anything it cannot use; nothing is started before the whole line is valid.
 */
export function parseDemoArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
): ParsedArgs {
  let venue: DemoVenue = 'fake';
  let port = DEFAULT_PORT;
  let host = '127.0.0.1';
  let symbols: readonly UnifiedSymbol[] = DEFAULT_SYMBOLS;
  let redisUrl: string | undefined;
  let seed: number | undefined;
  const venueFlags: string[] = [];

  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i] as string;
    // `pnpm start -- --port 1` passes the `--` through.
    if (raw === '--') continue;
    const eq = raw.indexOf('=');
    const name = eq > 0 ? raw.slice(0, eq) : raw;
    const inline = eq > 0 ? raw.slice(eq + 1) : undefined;
    const value = (): string => {
      if (inline !== undefined) return inline;
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) {
        throw invalid(name, 'needs a value');
      }
      i++;
      return next;
    };
    switch (name) {
      case '--help':
      case '-h':
        return { help: true };
      case '--port':
        port = parsePort(value());
        break;
      case '--host':
        host = parseHost(value());
        break;
      case '--symbols':
        symbols = parseSymbols(value());
        break;
      case '--seed':
        seed = parseSeed(value());
        break;
      case '--live':
      case '--testnet':
        if (inline !== undefined) throw invalid(name, 'takes no value');
        venue = name === '--live' ? 'live' : 'testnet';
        venueFlags.push(name);
        break;
      case '--redis': {
        // The url is optional: `--redis`, `--redis redis://host:6379` or `--redis=redis://…`.
        let explicit = inline;
        const next = argv[i + 1];
        if (explicit === undefined && next !== undefined && !next.startsWith('--')) {
          explicit = next;
          i++;
        }
        redisUrl = parseRedisUrl(explicit ?? env.REDIS_URL ?? DEFAULT_REDIS_URL);
        break;
      }
      default:
        throw new ValidationError('INVALID_PARAMETER', {
          field: name,
          rule: 'is not an option of the demo (see --help)',
        });
    }
  }
  if (venueFlags.length > 1) {
    throw invalid('--live', 'cannot be combined with --testnet: pick one venue');
  }
  if (seed !== undefined && venue !== 'fake') {
    throw invalid('--seed', 'only applies to the embedded fake exchange (not with --live or --testnet)');
  }
  return {
    help: false,
    options: {
      venue,
      port,
      host,
      symbols,
      ...(redisUrl !== undefined ? { redisUrl } : {}),
      ...(seed !== undefined ? { seed } : {}),
    },
  };
}

function invalid(field: string, rule: string): ValidationError {
  return new ValidationError('INVALID_PARAMETER', { field, rule });
}

function parsePort(text: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65_535) {
    throw invalid('--port', 'must be an integer from 0 to 65535');
  }
  return Number(text);
}

function parseHost(text: string): string {
  if (!/^[A-Za-z0-9.:[\]-]+$/.test(text)) throw invalid('--host', 'must be a hostname or an IP address');
  return text;
}

function parseSeed(text: string): number {
  if (!/^\d{1,9}$/.test(text)) throw invalid('--seed', 'must be a non-negative integer below 1e9');
  return Number(text);
}

function parseSymbols(text: string): UnifiedSymbol[] {
  const parts = text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  if (parts.length === 0) throw invalid('--symbols', 'must list at least one market, e.g. BTC/USDT');
  if (parts.length > 12) throw invalid('--symbols', 'must list at most 12 markets');
  const symbols: UnifiedSymbol[] = [];
  for (const part of parts) {
    let symbol: UnifiedSymbol;
    try {
      symbol = normalizeSymbol(part);
    } catch {
      throw invalid('--symbols', `must be markets written BASE/QUOTE (got "${part}")`);
    }
    if (!symbols.includes(symbol)) symbols.push(symbol);
  }
  return symbols;
}

function parseRedisUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid('--redis', 'must be a url like redis://127.0.0.1:6379');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw invalid('--redis', 'must be a redis:// or rediss:// url');
  }
  return text;
}
