import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { bundlePath, PACKAGE_DIR } from './build';
import { Worker } from './ipc';
import type { BookApplyResult } from './venuekit/book-apply';
import type { OrdersResult } from './venuekit/orders';
import type { StreamsMemoryResult } from './venuekit/streams-memory';

export interface VenuekitOnlyPlan {
  readonly smoke: boolean;
  readonly log?: (line: string) => void;
}

export interface ScriptOutput {
  readonly command: string;
  readonly ok: boolean;
  readonly stdout: string;
  readonly stderr: string;
}

export interface VenuekitOnlyResults {
  readonly bookApply?: BookApplyResult;
  readonly streamsMemory?: StreamsMemoryResult;
  readonly orders?: OrdersResult;
  /** packages/streams/bench/fanout.ts, run as it is. */
  readonly fanout?: ScriptOutput;
  /** packages/trading/bench/users.ts, run as it is. */
  readonly users?: ScriptOutput;
  readonly errors: string[];
}

const REPO_DIR = join(PACKAGE_DIR, '..', '..');

/** Runs another package's benchmark script the way its package.json does, and keeps its output. */
function runScript(
  packageDir: string,
  script: string,
  args: string[],
  execArgv: string[] = [],
): Promise<ScriptOutput> {
  const argv = [...execArgv, '--conditions=@venuekit/source', '--import', 'tsx', script, ...args];
  const command = `node ${argv.join(' ')}`;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, argv, {
      cwd: join(REPO_DIR, packageDir),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('close', (code) =>
      resolve({ command: `(cd ${packageDir} && ${command})`, ok: code === 0, stdout, stderr }),
    );
  });
}

async function bookApply(smoke: boolean): Promise<BookApplyResult> {
  const worker = await Worker.start<unknown>(bundlePath('book-apply'));
  try {
    return await worker.call<BookApplyResult>(
      'measure',
      { diffs: smoke ? 5_000 : 200_000, passes: smoke ? 1 : 3 },
      600_000,
    );
  } finally {
    await worker.stop();
  }
}

async function streamsMemory(smoke: boolean): Promise<StreamsMemoryResult> {
  const streams = smoke ? 100 : 1000;
  const server = await Worker.start<{ rest: string; streams: string }>(bundlePath('server'), {
    env: { BENCH_EXTRA_SYMBOLS: String(streams) },
  });
  const worker = await Worker.start<unknown>(bundlePath('streams-memory'), {
    env: { BENCH_REST: server.info.rest, BENCH_STREAMS: server.info.streams },
    execArgv: ['--expose-gc'],
  });
  try {
    return await worker.call<StreamsMemoryResult>('measure', { streams }, 600_000);
  } finally {
    await worker.stop();
    await server.call('close').catch(() => {});
    await server.stop();
  }
}

async function orders(smoke: boolean): Promise<OrdersResult> {
  // Throwaway keys for the fake's one account, made for this run.
  const keys = {
    BENCH_API_KEY: randomBytes(32).toString('hex'),
    BENCH_SECRET_KEY: randomBytes(32).toString('hex'),
  };
  const fake = await Worker.start<{ rest: string; streams: string; wsApi: string }>(
    bundlePath('fake-binance'),
    {
      env: keys,
    },
  );
  const worker = await Worker.start<unknown>(bundlePath('orders'), {
    env: {
      ...keys,
      BENCH_REST: fake.info.rest,
      BENCH_STREAMS: fake.info.streams,
      BENCH_WS_API: fake.info.wsApi,
    },
  });
  try {
    return await worker.call<OrdersResult>(
      'measure',
      { orders: smoke ? 50 : 2000, warmup: smoke ? 10 : 200 },
      600_000,
    );
  } finally {
    await worker.stop();
    await fake.call('close').catch(() => {});
    await fake.stop();
  }
}

/** venuekit's own figures: book updates, memory per stream and per user, fan-out, order round trip. */
export async function runVenuekitOnly(plan: VenuekitOnlyPlan): Promise<VenuekitOnlyResults> {
  const errors: string[] = [];
  const log = plan.log ?? (() => {});
  const attempt = async <T>(name: string, run: () => Promise<T>): Promise<T | undefined> => {
    try {
      const result = await run();
      log(`${name}: done`);
      return result;
    } catch (error) {
      const message = `${name}: ${error instanceof Error ? error.message : String(error)}`;
      log(message);
      errors.push(message);
      return undefined;
    }
  };
  const smokeArgs = plan.smoke ? ['--smoke'] : [];
  const book = await attempt('order book updates', () => bookApply(plan.smoke));
  const memory = await attempt('memory per 1000 streams', () => streamsMemory(plan.smoke));
  const roundTrip = await attempt('order round trip', () => orders(plan.smoke));
  const fanout = await attempt('fan-out (packages/streams/bench/fanout.ts)', async () => {
    const out = await runScript('packages/streams', 'bench/fanout.ts', smokeArgs);
    if (!out.ok) throw new Error(`failed: ${out.stderr.trim().split('\n').slice(-3).join(' ')}`);
    return out;
  });
  const users = await attempt('users (packages/trading/bench/users.ts)', async () => {
    const out = await runScript('packages/trading', 'bench/users.ts', smokeArgs, ['--expose-gc']);
    if (!out.ok) throw new Error(`failed: ${out.stderr.trim().split('\n').slice(-3).join(' ')}`);
    return out;
  });
  return {
    ...(book ? { bookApply: book } : {}),
    ...(memory ? { streamsMemory: memory } : {}),
    ...(roundTrip ? { orders: roundTrip } : {}),
    ...(fanout ? { fanout } : {}),
    ...(users ? { users } : {}),
    errors,
  };
}
