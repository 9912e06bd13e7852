import { type Handlers, serve } from '../ipc';
import type { FeedKind } from '../server/feed-server';
import type { LibraryClient } from './library';
import { type ArmOptions, Sink } from './sink';

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

/**
 * Runs one library under test in this process (so that its peak RSS is its own): started by the
 * orchestrator with BENCH_KIND, BENCH_REST and BENCH_STREAMS set, then driven over IPC. Each library
 * has its own entry (clients/entries/*.ts) that loads only that library.
 */
export function runClient(create: () => LibraryClient): void {
  main(create).catch((error: unknown) => {
    process.stderr.write(
      `client failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  });
}

async function main(create: () => LibraryClient): Promise<void> {
  const kind = env('BENCH_KIND') as FeedKind;
  if (kind !== 'trades' && kind !== 'depth') throw new Error(`unknown kind ${kind}`);
  const sink = new Sink();
  const client = create();
  await client.start(kind, { rest: env('BENCH_REST'), streams: env('BENCH_STREAMS') }, sink);
  const handlers = {
    arm: (options: ArmOptions) => {
      sink.arm(options);
      return true;
    },
    reached: () => sink.reached(),
    top: () => client.top() ?? null,
    close: async () => {
      await client.close();
      return { maxRssKb: process.resourceUsage().maxRSS };
    },
  } satisfies Handlers;
  serve(handlers, { pid: process.pid });
}
