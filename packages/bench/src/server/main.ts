// The local Binance-format server, in a process of its own (it never shares an event loop with a
// client). Driven by the orchestrator over IPC.
import { type Handlers, serve } from '../ipc';
import { type FeedKind, FeedServer } from './feed-server';

async function main(): Promise<void> {
  const server = new FeedServer({
    seed: Number(process.env.BENCH_SEED ?? 1),
    extraSymbols: Number(process.env.BENCH_EXTRA_SYMBOLS ?? 0),
  });
  await server.listen();
  const handlers = {
    waitForSubscriber: ({ kind }: { kind: FeedKind }) => server.waitForSubscriber(kind),
    plan: ({ kind, count }: { kind: FeedKind; count: number }) => server.plan(kind, count),
    burst: ({ kind, count }: { kind: FeedKind; count: number }) => server.burst(kind, count),
    paced: ({ kind, count, perSecond }: { kind: FeedKind; count: number; perSecond: number }) =>
      server.paced(kind, count, perSecond),
    startPriming: ({ kind }: { kind: FeedKind }) => {
      server.startPriming(kind);
      return true;
    },
    stopPriming: () => server.stopPriming(),
    top: () => server.depth.top(),
    close: () => server.close(),
  } satisfies Handlers;
  serve(handlers, { rest: server.restUrl, streams: server.streamsUrl });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `server failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
