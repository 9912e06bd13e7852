/**
 * The shared guard of every package's test run (a vitest `setupFiles` entry):
 *
 * - secrets: everything the test file prints, every core log line, text-carrying telemetry and
 *   every failed test's error are scanned for test secrets (the markers every test credential
 *   carries, and values registered with `registerTestSecret`); a file in which one appears fails.
 * - leaks: when the file ends, no more sockets, servers or timers may be open than when it started
 *   (`process.getActiveResourcesInfo()`, polled with a deadline since sockets close asynchronously).
 *
 * Use it with `setupFiles: ['../reliability/src/guard/setup.ts']` (the path from the package).
 */
import { afterAll, afterEach, beforeAll } from 'vitest';
import { activeResources, type ResourceCounts, settleResources } from './resources';
import { installSecretGuard, summarizeFindings } from './secret-guard';

const guard = installSecretGuard();
let baseline: ResourceCounts = activeResources();

beforeAll(() => {
  baseline = activeResources();
});

afterEach((context) => {
  // A failed test's errors are serialised for the report: they must not carry a secret either.
  for (const error of context.task.result?.errors ?? []) guard.scan(error, `error in "${context.task.name}"`);
});

afterAll(async () => {
  const leftovers = await settleResources(baseline, { timeoutMs: 8_000 });
  const findings = guard.takeFindings();
  const problems: string[] = [];
  if (findings.length > 0) {
    problems.push(
      `a test secret appeared ${findings.length} time(s) in this file's output — ${summarizeFindings(findings)}`,
    );
  }
  if (leftovers.length > 0) {
    problems.push(
      `left open after the file's tests: ${leftovers.join(', ')} (close every server, socket and timer)`,
    );
  }
  if (problems.length > 0) throw new Error(`reliability guard: ${problems.join('; ')}`);
}, 30_000);
