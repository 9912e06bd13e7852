import type { SoakReport } from './soak';

/** The soak's figures as a short text table, for the console and the README. */
export function formatSoakReport(report: SoakReport): string {
  const lines: string[] = [];
  const row = (name: string, value: string | number) => lines.push(`  ${name.padEnd(34)} ${value}`);
  lines.push(
    `soak ${report.passed ? 'PASSED' : 'FAILED'} — seed ${report.seed}, ${(report.durationMs / 60_000).toFixed(1)} min of faults, ${report.users} users, ${report.symbols.join(' ')} (${(report.elapsedMs / 1000).toFixed(0)} s in all)`,
  );
  row('faults injected', `${report.faults.total} (${Object.keys(report.faults.byKind).length} kinds)`);
  row('reconnects', report.reconnects);
  row('connections closed', report.connectionsClosed);
  row(
    'book resyncs',
    `${report.resyncs.total} (${Object.entries(report.resyncs.byReason)
      .map(([reason, count]) => `${reason} ${count}`)
      .join(', ')})`,
  );
  row('frames discarded (counted)', report.discardedFrames);
  row('book checks against the exchange', `${report.books.checks} + ${report.books.finalChecks} at the end`);
  row('book divergences', report.books.divergences);
  row('trades delivered', report.trades.delivered);
  row('trades backfilled after outages', report.trades.backfilled);
  row('trades announced missing (gap)', report.trades.reportedMissing);
  row('trades duplicated', report.trades.duplicates);
  row('trades lost silently', report.trades.lost);
  row('trades with a wrong value', report.trades.wrongValues);
  const o = report.orders;
  row('order intents', `${o.intents} (+ ${o.cancels} cancels)`);
  row('  answered with the order', o.resolved);
  row(
    '  answered with an error',
    `${o.rejected} (${o.placedDespiteError} of them placed after all, settled)`,
  );
  row('  OrderStateUnknownError', `${o.unknown} (reconciled afterwards)`);
  row('  never placed', o.notPlaced);
  row('orders placed twice', o.doubled);
  row('orders whose state diverged', o.divergent);
  row('balances checked / diverged', `${report.balances.checked} / ${report.balances.divergences}`);
  row('unhandled rejections / exceptions', `${report.unhandled.rejections} / ${report.unhandled.exceptions}`);
  row('secrets in output', report.secretFindings);
  row(
    'heap after warm-up → end',
    `${report.heap.afterWarmupMb} → ${report.heap.endMb} MB (growth ${report.heap.growthMb} MB, ${report.heap.samples} samples)`,
  );
  row(
    'log lines',
    Object.entries(report.logLines)
      .map(([level, count]) => `${level} ${count}`)
      .join(', ') || '0',
  );
  lines.push('  faults by kind:');
  for (const [kind, count] of Object.entries(report.faults.byKind).sort((a, b) => b[1] - a[1])) {
    lines.push(`    ${String(count).padStart(5)}  ${kind}`);
  }
  if (report.problems.length > 0) {
    lines.push('  problems:');
    for (const text of report.problems) lines.push(`    - ${text}`);
  }
  return lines.join('\n');
}
