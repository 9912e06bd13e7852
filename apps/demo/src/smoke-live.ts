import { createLogger } from '@venuekit/core';
import { type CheckResult, runLiveChecks } from './live-checks';

// `pnpm smoke:live`: the release-time checks against real Binance. Each part runs only where
// the machine can (internet, keys) and says why when it cannot; a failure exits non-zero.

const MARKS: Record<CheckResult['status'], string> = { passed: 'PASS', failed: 'FAIL', skipped: 'SKIP' };

async function main(): Promise<void> {
  console.log('venuekit live smoke checks (Binance production and spot testnet)\n');
  const results = await runLiveChecks({ logger: createLogger({ level: 'warn', name: 'smoke-live' }) });
  for (const result of results) {
    console.log(`${MARKS[result.status]}  ${result.name}  (${(result.durationMs / 1000).toFixed(1)} s)`);
    console.log(`      ${result.detail}`);
  }
  const count = (status: CheckResult['status']) => results.filter((r) => r.status === status).length;
  console.log(`\n${count('passed')} passed, ${count('failed')} failed, ${count('skipped')} skipped`);
  if (count('failed') > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error('the smoke checks could not run:', error);
  process.exitCode = 1;
});
