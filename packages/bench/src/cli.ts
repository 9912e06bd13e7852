// pnpm bench [--smoke] [--runs N] [--only side|alone] [--libraries floor,venuekit,…] [--kinds trades,depth]
//            [--cpu-prof]
//
// BENCH_NODE_FLAGS (e.g. "--trace-gc") is passed to the library processes.
//
// Runs the side-by-side benchmarks (the floor, venuekit, the binance SDK and ccxt Pro against a local
// Binance-format server) and venuekit's own figures, and prints a markdown report. A complete run
// (every library, both kinds, venuekit's own figures) writes packages/bench/results/latest.md and puts
// the same figures in the root README's performance section, so the two never disagree; a partial run
// writes results/partial.md, a smoke run results/smoke.md (neither committed). Not a test: it asserts
// nothing about speed; it fails only when a benchmark could not run.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { bundle, PACKAGE_DIR, PROFILE_DIR } from './build';
import { LIBRARIES, type LibraryName } from './clients/library';
import { tablesOnly } from './markdown';
import { sideBySideNotes, sideBySideTable, type TableOptions, venuekitOnlyTable } from './report';
import type { FeedKind } from './server/feed-server';
import { runSideBySide, type SessionResult, type SideBySidePlan } from './side-by-side';
import { runVenuekitOnly, type VenuekitOnlyResults } from './venuekit-only';

interface Options {
  readonly smoke: boolean;
  readonly runs: number;
  readonly side: boolean;
  readonly alone: boolean;
  readonly libraries: LibraryName[];
  readonly kinds: FeedKind[];
  readonly cpuProf: boolean;
}

function parse(argv: readonly string[]): Options {
  const value = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const smoke = argv.includes('--smoke');
  const only = value('--only');
  if (only !== undefined && only !== 'side' && only !== 'alone')
    throw new Error('--only takes side or alone');
  const libraries = (
    value('--libraries')?.split(',') ?? ['floor', 'venuekit', 'venuekit-read', 'binance', 'ccxt']
  ).map((name) => {
    if (!(LIBRARIES as readonly string[]).includes(name)) throw new Error(`unknown library ${name}`);
    return name as LibraryName;
  });
  if (!libraries.includes('floor')) libraries.unshift('floor'); // every ratio needs the floor of the same run
  const kinds = (value('--kinds')?.split(',') ?? ['trades', 'depth']).map((kind) => {
    if (kind !== 'trades' && kind !== 'depth') throw new Error(`unknown kind ${kind}`);
    return kind as FeedKind;
  });
  const runs = Number(value('--runs') ?? (smoke ? 1 : 3));
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs takes a positive integer');
  return {
    smoke,
    runs,
    side: only !== 'alone',
    alone: only !== 'side',
    libraries,
    kinds,
    cpuProf: argv.includes('--cpu-prof'),
  };
}

function machine(): string {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  return `Node ${process.version}, ${cpus().length} × ${cpu}`;
}

async function main(): Promise<void> {
  const options = parse(process.argv.slice(2));
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const started = Date.now();
  const loadBefore = loadavg()[0] ?? 0;
  await bundle();

  const plan: SideBySidePlan = {
    libraries: options.libraries,
    kinds: options.kinds,
    warmup: options.smoke ? 2_000 : 50_000,
    counts: options.smoke ? [2_000, 5_000] : [100_000, 500_000],
    latency: { count: options.smoke ? 2_000 : 100_000, perSecond: 20_000 },
    runs: options.runs,
    log,
    clientExecArgv: (library: LibraryName, kind: FeedKind) => [
      ...(process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? []),
      ...(options.cpuProf
        ? [
            '--cpu-prof',
            `--cpu-prof-dir=${PROFILE_DIR}`,
            `--cpu-prof-name=${library}-${kind}-${Date.now()}.cpuprofile`,
          ]
        : []),
    ],
  };
  const tableOptions: TableOptions = {
    libraries: plan.libraries,
    kinds: plan.kinds,
    counts: plan.counts,
    latencyPerSecond: plan.latency.perSecond,
    latencyCount: plan.latency.count,
  };

  let sessions: SessionResult[] = [];
  if (options.side) sessions = await runSideBySide(plan);
  let alone: VenuekitOnlyResults | undefined;
  if (options.alone) alone = await runVenuekitOnly({ smoke: options.smoke, log });
  const loadAfter = loadavg()[0] ?? 0;

  const command = `pnpm bench${options.smoke ? ' --smoke' : ''}${options.runs !== (options.smoke ? 1 : 3) ? ` --runs ${options.runs}` : ''}`;
  const sideTable = sessions.length > 0 ? sideBySideTable(sessions, tableOptions) : '';
  const notes = sessions.length > 0 ? sideBySideNotes(sessions, tableOptions) : [];
  const lines: string[] = [
    `# venuekit benchmarks${options.smoke ? ' (smoke run: small N, figures not meaningful)' : ''}`,
    '',
    `\`${command}\` on ${new Date(started).toISOString().slice(0, 16).replace('T', ' ')} UTC: ${machine()}, load average ${loadBefore.toFixed(1)} before and ${loadAfter.toFixed(1)} after; ${((Date.now() - started) / 60_000).toFixed(1)} min.`,
    '',
  ];
  if (sideTable) {
    lines.push(
      `## Side by side (${plan.runs} run${plan.runs === 1 ? '' : 's'}: throughput is the best run, the rest medians; in brackets: the ratio to the floor, or the difference)`,
      '',
      sideTable,
      '',
      ...notes.map((note) => `- ${note}`),
      ...(notes.length > 0 ? [''] : []),
    );
  }
  if (alone) {
    lines.push('## venuekit alone', '', venuekitOnlyTable(alone), '');
    for (const error of alone.errors) lines.push(`- Did not run: ${error}`);
    if (alone.errors.length > 0) lines.push('');
    if (alone.fanout)
      lines.push('### Fan-out', '', `\`${alone.fanout.command}\``, '', tablesOnly(alone.fanout.stdout), '');
    if (alone.users)
      lines.push('### Users', '', `\`${alone.users.command}\``, '', tablesOnly(alone.users.stdout), '');
  }
  const report = lines.join('\n');
  process.stdout.write(`\n${report}\n`);

  const resultsDir = join(PACKAGE_DIR, 'results');
  mkdirSync(resultsDir, { recursive: true });
  const complete =
    options.side &&
    options.alone &&
    LIBRARIES.every((library) => options.libraries.includes(library)) &&
    options.kinds.length === 2;
  const base = options.smoke ? 'smoke' : complete ? 'latest' : 'partial';
  writeFileSync(join(resultsDir, `${base}.md`), `${report}\n`);
  writeFileSync(
    join(resultsDir, `${base}.json`),
    `${JSON.stringify({ command, started, sessions, alone }, null, 2)}\n`,
  );
  // Laid out by the formatter; the root README is not (its other sections are someone else's).
  format([join(resultsDir, `${base}.md`)]);
  if (base === 'latest') {
    // The root README gets the run's line, the side-by-side table and venuekit's own figures; the
    // other packages' full tables stay in results/latest.md.
    const section = [
      lines[2] as string,
      '',
      `Side by side (in brackets: the ratio to the floor of the same run, or the difference; throughput is the best of ${plan.runs} runs, the rest medians):`,
      '',
      sideTable,
      '',
      ...notes.map((note) => `- ${note}`),
      ...(notes.length > 0 ? [''] : []),
      ...(alone ? ['venuekit alone:', '', venuekitOnlyTable(alone), ''] : []),
      'How it is measured, where the time goes and which targets are missed: [packages/bench](packages/bench/README.md);',
      'every table in full: [packages/bench/results/latest.md](packages/bench/results/latest.md).',
    ];
    updateReadme(section.join('\n'));
  }
  log(`written: packages/bench/results/${base}.md and ${base}.json`);

  const failed = sessions.some((s) => s.error) || (alone?.errors.length ?? 0) > 0;
  if (failed) {
    log('some benchmarks did not run (see above)');
    process.exitCode = 1;
  }
}

const START = '<!-- performance:start';
const END = '<!-- performance:end -->';

/** Lays the markdown tables out as the repository's formatter (biome) wants them; skipped without biome. */
function format(paths: string[]): void {
  try {
    const biome = createRequire(join(PACKAGE_DIR, '..', '..', 'package.json')).resolve(
      '@biomejs/biome/bin/biome',
    );
    spawnSync(process.execPath, [biome, 'format', '--write', ...paths], { stdio: 'ignore' });
  } catch {
    // Not installed: the tables stay as written.
  }
}

/** Replaces what is between the README's performance markers (its own lines stay). */
function updateReadme(body: string): void {
  const path = join(PACKAGE_DIR, '..', '..', 'README.md');
  const text = readFileSync(path, 'utf8');
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start < 0 || end < start) throw new Error('README.md has no performance markers');
  const startLineEnd = text.indexOf('\n', start) + 1;
  writeFileSync(path, `${text.slice(0, startLineEnd)}\n${body.trim()}\n\n${text.slice(end)}`);
  process.stderr.write('README.md: performance section updated\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
