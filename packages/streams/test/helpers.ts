import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';

/**
 * For a test that starts OS processes: each compiles its TypeScript at start, which on a loaded
 * machine can take a large part of the default 30 s; the test's own waits are the real bounds.
 */
export const PROCESS_TEST_TIMEOUT_MS = 120_000;

export const REDIS_URL = process.env.VENUEKIT_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A channel prefix no other test run shares. */
export function uniquePrefix(): string {
  return `vk-test-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** Resolves when `check` is true, polling every 5 ms; fails after the deadline. */
export async function until(check: () => boolean, deadlineMs = 20_000, what = 'condition'): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`${what} not met within ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Channels with the prefix that still have subscribers on the server. */
export async function openChannels(prefix: string): Promise<string[]> {
  const admin = new Redis(REDIS_URL);
  try {
    return (await admin.pubsub('CHANNELS', `${prefix}:*`)) as string[];
  } finally {
    await admin.quit();
  }
}

const here = dirname(fileURLToPath(import.meta.url));
const tsx = join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist', 'cli.mjs');

export interface Child {
  readonly process: ChildProcess;
  readonly lines: string[];
  /** Resolves with the exit code; the child must exit by itself (nothing left open). */
  readonly exited: Promise<number | null>;
  stderr(): string;
}

/** Runs a fixture script in its own Node process, with the workspace's sources. */
export function spawnFixture(name: string, args: readonly string[]): Child {
  const child = spawn(
    process.execPath,
    [tsx, '--conditions=@venuekit/source', join(here, 'fixtures', name), ...args],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, NODE_OPTIONS: '' },
    },
  );
  const lines: string[] = [];
  let partial = '';
  let errors = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts.filter((line) => line !== ''));
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    errors += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { process: child, lines, exited, stderr: () => errors };
}
