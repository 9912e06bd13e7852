import { BinanceAdapter, type BinanceConfigInput } from '@venuekit/adapter-binance';
import { type FakeBinance, type FakeBinanceOptions, startFakeBinance } from '@venuekit/testkit';
import { HealthMonitor, type HealthMonitorOptions } from '../../src/health-monitor';

/** Polls a condition with a generous deadline (the machine is shared): never a fixed sleep. */
export async function waitFor<T>(
  probe: () => T | Promise<T>,
  accept: (value: T) => boolean,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await probe();
    if (accept(last)) return last;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${JSON.stringify(last)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export interface Rig {
  readonly fake: FakeBinance;
  readonly adapter: BinanceAdapter;
  readonly health: HealthMonitor;
  /** The health server's base url. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * The fake Binance over real sockets, the real Binance adapter pointed at it, and a health
 * monitor watching the adapter with its HTTP server listening on 127.0.0.1.
 */
export async function startRig(
  options: {
    binance?: BinanceConfigInput;
    fake?: FakeBinanceOptions;
    health?: Omit<HealthMonitorOptions, 'adapters'>;
  } = {},
): Promise<Rig> {
  const fake = await startFakeBinance({ simulation: false, ...options.fake });
  const adapter = new BinanceAdapter({
    ...options.binance,
    urls: { rest: fake.restUrl, streams: fake.streamsUrl, wsApi: fake.wsApiUrl },
  });
  // The application component is left out: these tests are about the venue, and the event-loop
  // delay of a machine shared by several test runs is not.
  const health = new HealthMonitor({ exclude: ['application'], ...options.health, adapters: [adapter] });
  let url: string;
  try {
    url = (await health.listen()).url;
  } catch (error) {
    await Promise.allSettled([health.close(), adapter.close(), fake.close()]);
    throw error;
  }
  return {
    fake,
    adapter,
    health,
    url,
    async close() {
      await health.close();
      await adapter.close();
      await fake.close();
    },
  };
}

export async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

export async function getText(url: string): Promise<{ status: number; text: string }> {
  const response = await fetch(url);
  return { status: response.status, text: await response.text() };
}
