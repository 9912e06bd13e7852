// pnpm soak --minutes N [--seed S]: the chaos soak, longer than CI runs it, with its figures.
import { createWriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { installSecretGuard, summarizeFindings } from '../src/guard/secret-guard';
import { formatSoakReport } from '../src/soak/report';
import { runSoak } from '../src/soak/soak';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    seed: { type: 'string' },
    users: { type: 'string', default: '10' },
    'fault-interval-ms': { type: 'string', default: '500' },
    json: { type: 'boolean', default: false },
    log: { type: 'string' },
    'log-level': { type: 'string', default: 'info' },
    help: { type: 'boolean', default: false },
  },
  allowPositionals: false,
});
if (values.help) {
  console.log(
    'usage: pnpm soak [--minutes N] [--seed S] [--users N] [--fault-interval-ms MS] [--log FILE] [--log-level L] [--json]',
  );
  process.exit(0);
}
const minutes = Number(values.minutes);
const seed = values.seed === undefined ? Math.floor(Math.random() * 1_000_000) : Number(values.seed);
const users = Number(values.users);
if (!(minutes > 0) || !Number.isSafeInteger(seed) || !Number.isSafeInteger(users) || users < 1) {
  console.error('--minutes must be a positive number, --seed and --users integers');
  process.exit(2);
}
const guard = installSecretGuard();
if (typeof (globalThis as { gc?: unknown }).gc !== 'function') {
  console.error('note: run with --expose-gc (pnpm soak does) for exact heap figures');
}
console.log(`soak: seed ${seed}, ${minutes} min, ${users} users (reproduce with --seed ${seed})`);
const report = await runSoak({
  seed,
  durationMs: minutes * 60_000,
  users,
  faultIntervalMs: Number(values['fault-interval-ms']),
  ...(values.log ? { logSink: createWriteStream(values.log) } : {}),
  logLevel: values['log-level'] as 'trace' | 'debug' | 'info' | 'warn',
  onProgress: (p) =>
    console.log(
      `  ${(p.elapsedMs / 1000).toFixed(0)} s: ${p.faults} faults, ${p.orders} orders, ${p.bookChecks} book checks, ${p.trades} trades, heap ${p.heapMb.toFixed(1)} MB; ${p.rateLimit}`,
    ),
});
const findings = guard.takeFindings();
console.log(values.json ? JSON.stringify(report, null, 2) : formatSoakReport(report));
if (findings.length > 0) console.log(`secret guard: ${summarizeFindings(findings)}`);
process.exit(report.passed && findings.length === 0 ? 0 : 1);
