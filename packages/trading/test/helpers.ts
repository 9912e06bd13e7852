import { type BusEvent, type BusSubscription, createLogger, type Logger } from '@venuekit/core';
import type { TradingFacade, UserEventKind } from '../src/index';

/**
 * Credentials that are easy to find in any output: the scan for leaks looks for
 * these exact strings. 64 characters each, like real Binance keys.
 */
export function recognisableKeys(name: string): { apiKey: string; secretKey: string } {
  const pad = (prefix: string) => `${prefix}${name}`.padEnd(64, 'Q');
  return { apiKey: pad('LEAKCHECKapikey'), secretKey: pad('LEAKCHECKsecret') };
}

/** A logger that keeps every line (at trace level) for the leak scan. */
export function capturingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = createLogger({
    level: 'trace',
    destination: {
      write(line: string) {
        lines.push(line);
      },
    },
  });
  return { logger, lines };
}

/** Polls `check` until it returns something truthy, or fails after `timeoutMs`. */
export async function waitFor<T>(
  check: () => T | undefined | null | false,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Every event published for each user, by user id. */
export async function recordUserEvents(
  manager: TradingFacade,
  userIds: readonly string[],
): Promise<{ events: Map<string, BusEvent[]>; stop(): Promise<void> }> {
  const events = new Map<string, BusEvent[]>();
  const subscriptions: BusSubscription[] = [];
  for (const userId of userIds) {
    const list: BusEvent[] = [];
    events.set(userId, list);
    for (const kind of ['orders', 'fills', 'balances', 'status'] as UserEventKind[]) {
      subscriptions.push(await manager.subscribe(userId, kind, (event) => list.push(event)));
    }
  }
  return {
    events,
    stop: async () => {
      await Promise.all(subscriptions.map((subscription) => subscription.unsubscribe()));
    },
  };
}

/** Captures what the process writes to stdout and stderr while `fn` runs. */
export function captureProcessOutput(): { output: string[]; restore(): void } {
  const output: string[] = [];
  const stdout = process.stdout.write.bind(process.stdout);
  const stderr = process.stderr.write.bind(process.stderr);
  const capture =
    (original: typeof process.stdout.write) =>
    (chunk: unknown, ...rest: unknown[]): boolean => {
      output.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      return (original as (...args: unknown[]) => boolean)(chunk, ...rest);
    };
  process.stdout.write = capture(stdout) as typeof process.stdout.write;
  process.stderr.write = capture(stderr) as typeof process.stderr.write;
  return {
    output,
    restore() {
      process.stdout.write = stdout;
      process.stderr.write = stderr;
    },
  };
}
