import type { LibraryName } from './clients/library';
import { cell, parseTables } from './markdown';
import type { FeedKind } from './server/feed-server';
import type { SessionResult } from './side-by-side';
import { type LatencyStats, median } from './stats';
import type { VenuekitOnlyResults } from './venuekit-only';

export const LIBRARY_TITLES: Record<LibraryName, string> = {
  floor: 'floor: `ws` + `JSON.parse`',
  venuekit: 'venuekit',
  'venuekit-read': 'venuekit, reading values',
  binance: 'binance SDK',
  ccxt: 'ccxt Pro',
};

/** venuekit's targets, as ratios to the floor in the same run (issue 10). */
export const TARGETS = {
  tradesRatio: 0.7,
  depthRatio: 0.75,
  p99DeltaUs: 100,
  rssDeltaMb: 25,
} as const;

export interface Figures {
  /**
   * Messages per second, per kind and message count: the best run. A busy machine only ever slows a
   * run down, so the best run is the least disturbed one.
   */
  readonly rate: (kind: FeedKind, count: number) => number;
  /** The client's CPU µs per message (median over runs): the work done, whatever the machine's load. */
  readonly cpuPerMessage: (kind: FeedKind, count: number) => number;
  readonly delivered: (kind: FeedKind, count: number) => number;
  readonly p50: (kind: FeedKind) => number;
  readonly p90: (kind: FeedKind) => number;
  readonly p99: (kind: FeedKind) => number;
  readonly p999: (kind: FeedKind) => number;
  readonly rssMb: (kind: FeedKind) => number;
  /** Deliveries in the latency run (fewer than its messages where the library conflates). */
  readonly latencyDelivered: (kind: FeedKind) => number;
  readonly bookMatches: (kind: FeedKind) => boolean | undefined;
  readonly errors: string[];
}

/** Medians over runs of one library's sessions. */
export function figuresOf(results: readonly SessionResult[], library: LibraryName): Figures {
  const mine = results.filter((r) => r.library === library);
  const of = (kind: FeedKind) => mine.filter((r) => r.kind === kind && !r.error);
  const throughput = (kind: FeedKind, count: number) =>
    of(kind).flatMap((r) => r.throughput.filter((t) => t.count === count));
  return {
    rate: (kind, count) => {
      const rates = throughput(kind, count).map((t) => t.perSecond);
      return rates.length === 0 ? Number.NaN : Math.max(...rates);
    },
    cpuPerMessage: (kind, count) => median(throughput(kind, count).map((t) => t.cpuUsPerMessage)),
    delivered: (kind, count) => median(throughput(kind, count).map((t) => t.delivered)),
    p50: (kind) => median(of(kind).map((r) => r.latency?.p50 ?? Number.NaN)),
    p90: (kind) => median(of(kind).map((r) => r.latency?.p90 ?? Number.NaN)),
    p99: (kind) => median(of(kind).map((r) => r.latency?.p99 ?? Number.NaN)),
    p999: (kind) => median(of(kind).map((r) => r.latency?.p999 ?? Number.NaN)),
    rssMb: (kind) => median(of(kind).map((r) => r.maxRssMb ?? Number.NaN)),
    latencyDelivered: (kind) => median(of(kind).map((r) => r.latency?.delivered ?? Number.NaN)),
    bookMatches: (kind) => {
      const books = of(kind).flatMap((r) => (r.book ? [r.book.matches] : []));
      return books.length === 0 ? undefined : books.every(Boolean);
    },
    errors: mine.filter((r) => r.error).map((r) => `${r.kind} run ${r.run}: ${r.error}`),
  };
}

function int(x: number): string {
  return Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '—';
}

function ratio(x: number, floor: number): string {
  return Number.isFinite(x) && Number.isFinite(floor) && floor > 0 ? (x / floor).toFixed(2) : '—';
}

function delta(x: number, floor: number, unit: string): string {
  if (!Number.isFinite(x) || !Number.isFinite(floor)) return '—';
  const d = x - floor;
  return `${d >= 0 ? '+' : '−'}${Math.abs(d).toFixed(0)} ${unit}`;
}

function short(count: number): string {
  return count >= 1000 && count % 1000 === 0 ? `${count / 1000}k` : String(count);
}

export interface TableOptions {
  readonly libraries: readonly LibraryName[];
  readonly kinds: readonly FeedKind[];
  readonly counts: readonly number[];
  readonly latencyPerSecond: number;
  /** Messages in the latency run. */
  readonly latencyCount: number;
}

/**
 * The side-by-side table: one row per figure, one column per library; every library's figure is
 * followed by its ratio to (or difference from) the floor measured in the same run. The last
 * column says whether venuekit meets its target.
 */
export function sideBySideTable(results: readonly SessionResult[], options: TableOptions): string {
  const libraries = options.libraries.filter((l) => l !== 'floor');
  const floor = figuresOf(results, 'floor');
  const figures = new Map(libraries.map((l) => [l, figuresOf(results, l)] as const));
  const venuekit = figures.get('venuekit');
  const header = [
    `| Figure | floor | ${libraries.map((l) => LIBRARY_TITLES[l]).join(' | ')} | venuekit target |`,
    `| --- | ---: | ${libraries.map(() => '---: |').join(' ')} --- |`,
  ];
  const rows: string[] = [];
  const verdict = (ok: boolean | undefined) => (ok === undefined ? '' : ok ? ' ✅' : ' ❌');
  const kindTitle: Record<FeedKind, string> = {
    trades: 'Trades delivered',
    depth: 'Diff depth, book kept',
  };
  for (const kind of options.kinds) {
    for (const count of options.counts) {
      const f = floor.rate(kind, count);
      const cells = libraries.map((l) => {
        const x = (figures.get(l) as Figures).rate(kind, count);
        return `${int(x)} (${ratio(x, f)})`;
      });
      const target = kind === 'trades' ? TARGETS.tradesRatio : TARGETS.depthRatio;
      const v = venuekit ? venuekit.rate(kind, count) / f : Number.NaN;
      rows.push(
        `| ${kindTitle[kind]}, msg/s, ${short(count)} messages | ${int(f)} | ${cells.join(' | ')} | ≥ ${target}${verdict(Number.isFinite(v) ? v >= target : undefined)} |`,
      );
    }
  }
  for (const kind of options.kinds) {
    const count = options.counts.at(-1) as number;
    const f = floor.cpuPerMessage(kind, count);
    const cells = libraries.map((l) => {
      const x = (figures.get(l) as Figures).cpuPerMessage(kind, count);
      return `${x.toFixed(2)} (${ratio(f, x)})`;
    });
    rows.push(
      `| ${kindTitle[kind]}: client CPU µs per message, ${short(count)} (in brackets: floor ÷ this) | ${f.toFixed(2)} | ${cells.join(' | ')} | |`,
    );
  }
  for (const kind of options.kinds) {
    const f = floor;
    const cells = libraries.map((l) => {
      const x = figures.get(l) as Figures;
      return `${int(x.p50(kind))} / ${int(x.p90(kind))} / ${int(x.p99(kind))} / ${int(x.p999(kind))} (p99 ${delta(x.p99(kind), f.p99(kind), 'µs')})`;
    });
    const d = venuekit ? venuekit.p99(kind) - f.p99(kind) : Number.NaN;
    rows.push(
      `| ${kind === 'trades' ? 'Trades' : 'Depth'}: latency µs p50 / p90 / p99 / p99.9 at ${int(options.latencyPerSecond)} msg/s | ${int(f.p50(kind))} / ${int(f.p90(kind))} / ${int(f.p99(kind))} / ${int(f.p999(kind))} | ${cells.join(' | ')} | p99 ≤ floor + ${TARGETS.p99DeltaUs} µs${verdict(Number.isFinite(d) ? d <= TARGETS.p99DeltaUs : undefined)} |`,
    );
  }
  for (const kind of options.kinds) {
    const f = floor.rssMb(kind);
    const cells = libraries.map((l) => {
      const x = (figures.get(l) as Figures).rssMb(kind);
      return `${int(x)} (${delta(x, f, 'MB')})`;
    });
    const d = venuekit ? venuekit.rssMb(kind) - f : Number.NaN;
    rows.push(
      `| Peak RSS MB, ${kind === 'trades' ? 'trades' : 'depth'} session | ${int(f)} | ${cells.join(' | ')} | ≤ floor + ${TARGETS.rssDeltaMb} MB${verdict(Number.isFinite(d) ? d <= TARGETS.rssDeltaMb : undefined)} |`,
    );
  }
  return [...header, ...rows].join('\n');
}

/** Notes under the table: conflation, book checks, failures. */
export function sideBySideNotes(results: readonly SessionResult[], options: TableOptions): string[] {
  const notes: string[] = [];
  for (const library of options.libraries) {
    const f = figuresOf(results, library);
    for (const error of f.errors) notes.push(`${LIBRARY_TITLES[library]} failed (${error}).`);
    for (const kind of options.kinds) {
      const matches = f.bookMatches(kind);
      if (matches === false)
        notes.push(`${LIBRARY_TITLES[library]}: its book did NOT match the server's at the end.`);
      const latencySamples = f.latencyDelivered(kind);
      if (Number.isFinite(latencySamples) && latencySamples < options.latencyCount) {
        notes.push(
          `${LIBRARY_TITLES[library]}, ${kind} latency: ${int(latencySamples)} deliveries for ${int(options.latencyCount)} messages, so its percentiles are of batches, not of messages, and not comparable.`,
        );
      }
      for (const count of options.counts) {
        const delivered = f.delivered(kind, count);
        if (Number.isFinite(delivered) && delivered < count) {
          notes.push(
            `${LIBRARY_TITLES[library]}, ${kind} ${short(count)}: the subscriber was handed ${int(delivered)} deliveries for ${int(count)} messages (${kind === 'depth' ? 'one book per batch of diffs' : 'trades conflated or dropped'}).`,
          );
        }
      }
    }
  }
  return notes;
}

function mb(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1);
}

function us(stats: LatencyStats): string {
  return `${stats.p50.toFixed(0)} / ${stats.p99.toFixed(0)}`;
}

/** venuekit's own figures, one row each; the other packages' tables follow in full. */
export function venuekitOnlyTable(results: VenuekitOnlyResults): string {
  const rows: string[] = ['| Figure | Value |', '| --- | --- |'];
  const book = results.bookApply;
  if (book) {
    rows.push(
      `| Order book: diffs applied per second (${book.levelsPerDiff} level changes each, ~${int(book.bookLevels)}-level book), through \`BinanceBookSync\` (sequencing, book, delivery) | ${int(book.syncPerSecond)} (${int(book.syncPerSecond * book.levelsPerDiff)} levels/s) |`,
      `| Order book: the same diffs through core's \`OrderBook.apply\` alone | ${int(book.bookPerSecond)} (${int(book.bookPerSecond * book.levelsPerDiff)} levels/s) |`,
    );
  }
  const fanout = results.fanout ? parseTables(results.fanout.stdout)[0] : undefined;
  if (fanout) {
    for (const [path, consumer] of [
      ['in-process', 'callback'],
      ['in-process', 'iterator'],
      ['redis', 'callback'],
    ] as const) {
      const found = fanout.rows.filter((r) => r[0] === path && r[1] === consumer);
      if (found.length === 0) continue;
      const values = found.map(
        (r) => `${cell(fanout, r, 'subscribers')}: ${cell(fanout, r, 'deliveries/s')}`,
      );
      rows.push(
        `| Fan-out ${path === 'redis' ? 'through Redis' : 'in-process'} (${consumer}), deliveries/s by subscribers | ${values.join(' · ')} |`,
      );
    }
  }
  const memory = results.streamsMemory;
  if (memory) {
    rows.push(
      `| Memory per 1000 streams (trade streams with one subscriber each, ${memory.connections} connection${memory.connections === 1 ? '' : 's'}; measured with ${int(memory.streams)}): heap + buffers outside it | ${mb(memory.heapBytesPerStream * 1000)} MB + ${mb(memory.externalBytesPerStream * 1000)} MB |`,
    );
  }
  const users = results.users ? parseTables(results.users.stdout)[0] : undefined;
  if (users) {
    const inMemory = users.rows.filter((r) => r[0] === 'in-memory');
    const largest = inMemory.at(-1);
    if (largest) {
      const count = cell(users, largest, 'users');
      const session = Number(cell(users, largest, 'KiB/user session'));
      const bare = Number(cell(users, largest, 'KiB/user bare'));
      rows.push(
        `| Memory per 1000 connected users (measured with ${count}; heap): trading sessions / bare account clients | ${((session * 1000) / 1024).toFixed(1)} MB / ${((bare * 1000) / 1024).toFixed(1)} MB |`,
      );
    }
  }
  const orders = results.orders;
  if (orders) {
    rows.push(
      `| Order round trip over REST, µs p50 / p99: venuekit \`placeOrder\` vs a raw signed request | ${us(orders.venuekitRest)} vs ${us(orders.rawRest)} (+${(orders.venuekitRest.p50 - orders.rawRest.p50).toFixed(0)} µs at p50) |`,
      `| Order round trip over the WebSocket API, µs p50 / p99: venuekit vs a raw signed message | ${us(orders.venuekitWs)} vs ${us(orders.rawWs)} (+${(orders.venuekitWs.p50 - orders.rawWs.p50).toFixed(0)} µs at p50) |`,
    );
  }
  return rows.join('\n');
}
