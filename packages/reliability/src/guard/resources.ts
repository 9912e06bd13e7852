/**
 * Open handles, as Node reports them (`process.getActiveResourcesInfo()`: what keeps the event loop
 * alive — unref'd timers are not listed). The guard compares a test file's end with its start.
 */

/** Sockets, servers and timers: what a test that "closes what it opens" leaves behind otherwise. */
export const WATCHED_RESOURCES: readonly string[] = [
  'TCPSocketWrap',
  'TCPServerWrap',
  'TCPWrap',
  'UDPWrap',
  'Timeout',
  'Immediate',
];

export type ResourceCounts = ReadonlyMap<string, number>;

export function activeResources(kinds: readonly string[] = WATCHED_RESOURCES): ResourceCounts {
  const counts = new Map<string, number>();
  for (const name of process.getActiveResourcesInfo()) {
    if (kinds.includes(name)) counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return counts;
}

/** What `after` holds beyond `before`, e.g. `['2 × TCPSocketWrap']`; empty when nothing grew. */
export function resourceGrowth(before: ResourceCounts, after: ResourceCounts): string[] {
  const out: string[] = [];
  for (const [name, count] of after) {
    const extra = count - (before.get(name) ?? 0);
    if (extra > 0) out.push(`${extra} × ${name}`);
  }
  return out;
}

/**
 * Waits (polling, with a deadline) until no more resources are open than at `baseline`; returns
 * what is still left over at the deadline (empty when everything closed). Sockets close
 * asynchronously, so a closed server's last socket may need a moment.
 */
export async function settleResources(
  baseline: ResourceCounts,
  options: { readonly timeoutMs?: number; readonly kinds?: readonly string[] } = {},
): Promise<string[]> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  for (;;) {
    // Measured while none of our own timers is pending.
    const left = resourceGrowth(baseline, activeResources(options.kinds));
    if (left.length === 0 || Date.now() >= deadline) return left;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
