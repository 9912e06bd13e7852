import { bundlePath, type Entry } from './build';
import type { LibraryName } from './clients/library';
import type { Reached } from './clients/sink';
import type { BookTop, IdRange } from './feed/messages';
import { Worker } from './ipc';
import type { FeedKind, SendResult } from './server/feed-server';
import type { LatencyStats } from './stats';

export interface SideBySidePlan {
  readonly libraries: readonly LibraryName[];
  readonly kinds: readonly FeedKind[];
  /** Messages sent as fast as the socket allows before anything is measured (JIT warm-up). */
  readonly warmup: number;
  /** Message counts of the throughput measures, in order. */
  readonly counts: readonly number[];
  /** The latency measure: `count` messages at `perSecond`. */
  readonly latency: { readonly count: number; readonly perSecond: number };
  /** Whole sessions per library and kind; figures are the median over runs. */
  readonly runs: number;
  /** Extra node flags for the library processes (e.g. `--cpu-prof`). */
  readonly clientExecArgv?: (library: LibraryName, kind: FeedKind) => string[];
  readonly log?: (line: string) => void;
}

export interface ThroughputFigure {
  readonly count: number;
  readonly perSecond: number;
  /** Deliveries the subscriber got (fewer than `count` where the library conflates, as ccxt's book does). */
  readonly delivered: number;
  /** The client process's CPU time per message, µs: the work, whatever else the machine was doing. */
  readonly cpuUsPerMessage: number;
}

export interface SessionResult {
  readonly library: LibraryName;
  readonly kind: FeedKind;
  readonly run: number;
  readonly throughput: ThroughputFigure[];
  readonly latency?: LatencyStats & { readonly delivered: number };
  readonly maxRssMb?: number;
  /** Depth only, for libraries that keep a book: their book against the server's at the end. */
  readonly book?: { readonly matches: boolean; readonly detail: string };
  readonly error?: string;
}

interface ServerInfo {
  readonly rest: string;
  readonly streams: string;
}

/**
 * One library, one kind, in fresh processes: the server, then the library's client. The client
 * subscribes; the server sends a message every few milliseconds until the client has one in hand
 * (for books: synced from the snapshot); then a warm-up burst; then each throughput burst; then the
 * paced latency run. A phase ends when the message carrying the phase's last id reaches the
 * subscriber. Throughput is the phase's messages over the time from the server stamping the first
 * one to the subscriber holding the last one, on the monotonic clock both processes share.
 */
export async function runSession(
  library: LibraryName,
  kind: FeedKind,
  run: number,
  plan: SideBySidePlan,
): Promise<SessionResult> {
  const server = await Worker.start<ServerInfo>(bundlePath('server'));
  let client: Worker<{ pid: number }> | undefined;
  const throughput: ThroughputFigure[] = [];
  try {
    client = await Worker.start<{ pid: number }>(bundlePath(library as Entry), {
      env: { BENCH_KIND: kind, BENCH_REST: server.info.rest, BENCH_STREAMS: server.info.streams },
      execArgv: plan.clientExecArgv?.(library, kind) ?? [],
    });
    const c = client;
    await server.call('waitForSubscriber', { kind });

    // Until the first delivery: a book must have synced from its snapshot.
    await c.call('arm', { fromId: 0, toId: 0, latency: false, capacity: 0 });
    const primed = c.call<Reached>('reached', undefined, 120_000);
    await server.call('startPriming', { kind });
    await primed;
    await server.call('stopPriming');

    const phase = async (count: number, perSecond?: number) => {
      const range = await server.call<IdRange>('plan', { kind, count });
      await c.call('arm', {
        fromId: range.firstId,
        toId: range.lastId,
        latency: perSecond !== undefined,
        capacity: count,
      });
      // Generous: at least a minute, or 5 000 messages per second.
      const timeoutMs = Math.max(60_000, (count / 5000) * 1000);
      const reached = c.call<Reached>('reached', undefined, timeoutMs);
      const sent = await server.call<SendResult>(
        perSecond === undefined ? 'burst' : 'paced',
        { kind, count, perSecond },
        timeoutMs,
      );
      const result = await reached;
      return { sent, result };
    };

    await phase(plan.warmup);
    for (const count of plan.counts) {
      const { sent, result } = await phase(count);
      const seconds = (result.doneUs - sent.firstSendUs) / 1e6;
      throughput.push({
        count,
        perSecond: count / seconds,
        delivered: result.delivered,
        cpuUsPerMessage: result.cpuUs / count,
      });
    }
    const { result } = await phase(plan.latency.count, plan.latency.perSecond);
    const latency = result.latency ? { ...result.latency, delivered: result.delivered } : undefined;

    let book: SessionResult['book'];
    if (kind === 'depth') {
      const truth = await server.call<BookTop>('top');
      const mine = await c.call<BookTop | null>('top');
      if (mine) {
        const matches =
          mine.lastUpdateId === truth.lastUpdateId &&
          mine.bestBid === truth.bestBid &&
          mine.bestAsk === truth.bestAsk;
        book = {
          matches,
          detail: `update ${mine.lastUpdateId} vs ${truth.lastUpdateId}, best ${mine.bestBid}/${mine.bestAsk} vs ${truth.bestBid}/${truth.bestAsk}, levels ${mine.bids}+${mine.asks} vs ${truth.bids}+${truth.asks}`,
        };
      }
    }
    const { maxRssKb } = await c.call<{ maxRssKb: number }>('close');
    return {
      library,
      kind,
      run,
      throughput,
      ...(latency ? { latency } : {}),
      maxRssMb: maxRssKb / 1024,
      ...(book ? { book } : {}),
    };
  } catch (error) {
    return { library, kind, run, throughput, error: error instanceof Error ? error.message : String(error) };
  } finally {
    await client?.stop();
    await server.call('close').catch(() => {});
    await server.stop();
  }
}

/** Every library and kind, `runs` times, libraries interleaved so that drift in the machine's load hits all alike. */
export async function runSideBySide(plan: SideBySidePlan): Promise<SessionResult[]> {
  const results: SessionResult[] = [];
  for (let run = 1; run <= plan.runs; run++) {
    for (const kind of plan.kinds) {
      for (const library of plan.libraries) {
        const result = await runSession(library, kind, run, plan);
        plan.log?.(describe(result));
        results.push(result);
      }
    }
  }
  return results;
}

function describe(r: SessionResult): string {
  const head = `run ${r.run} ${r.kind} ${r.library}:`;
  if (r.error) return `${head} FAILED ${r.error}`;
  const rates = r.throughput.map(
    (t) =>
      `${t.count}: ${Math.round(t.perSecond).toLocaleString('en-US')}/s (${t.cpuUsPerMessage.toFixed(2)} µs CPU)`,
  );
  const latency = r.latency ? `p50/p99/p99.9 ${r.latency.p50}/${r.latency.p99}/${r.latency.p999} µs` : '';
  const book = r.book ? (r.book.matches ? 'book ok' : `BOOK MISMATCH ${r.book.detail}`) : '';
  return [head, ...rates, latency, `${r.maxRssMb?.toFixed(0)} MB`, book].filter(Boolean).join('  ');
}
