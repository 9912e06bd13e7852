/** The Binance spot environments venuekit knows by name. */
export type BinanceEnvironment = 'prod' | 'testnet' | 'demo';

export const BINANCE_ENVIRONMENTS: readonly BinanceEnvironment[] = ['prod', 'testnet', 'demo'];

/** Base urls of one environment; paths (`/api/v3/...`, `/stream`, `/ws-api/v3`) are added by the clients. */
export interface BinanceUrls {
  /** REST base, e.g. `https://api.binance.com`. */
  readonly rest: string;
  /** Market streams base, e.g. `wss://stream.binance.com:9443`. */
  readonly streams: string;
  /** WebSocket API endpoint, including its path, e.g. `wss://ws-api.binance.com:443/ws-api/v3`. */
  readonly wsApi: string;
}

// binance-spot-api-docs: rest-api.md, web-socket-streams.md, web-socket-api.md, testnet/*, demo-mode/general-info.md.
export const BINANCE_URLS: Readonly<Record<BinanceEnvironment, BinanceUrls>> = Object.freeze({
  prod: Object.freeze({
    rest: 'https://api.binance.com',
    streams: 'wss://stream.binance.com:9443',
    wsApi: 'wss://ws-api.binance.com:443/ws-api/v3',
  }),
  testnet: Object.freeze({
    rest: 'https://testnet.binance.vision',
    streams: 'wss://stream.testnet.binance.vision',
    wsApi: 'wss://ws-api.testnet.binance.vision/ws-api/v3',
  }),
  demo: Object.freeze({
    rest: 'https://demo-api.binance.com',
    streams: 'wss://demo-stream.binance.com',
    wsApi: 'wss://demo-ws-api.binance.com/ws-api/v3',
  }),
});

/** Market-data-only endpoints on production (no user data, no trading). */
export const BINANCE_MARKET_DATA_ONLY_URLS: Readonly<Pick<BinanceUrls, 'rest' | 'streams'>> = Object.freeze({
  rest: 'https://data-api.binance.vision',
  streams: 'wss://data-stream.binance.vision',
});

/** A url without credentials, query string or fragment: safe for logs, telemetry and health. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    parsed.search = '';
    parsed.hash = '';
    return parsed.toString();
  } catch {
    return '[invalid url]';
  }
}
