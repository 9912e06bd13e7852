import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FakeBinanceOptions } from '@venuekit/testkit';

export interface FakeChild {
  readonly restUrl: string;
  readonly streamsUrl: string;
  readonly wsApiUrl: string;
  /** Ends the process (closing its stdin) and waits for it to exit. */
  close(): Promise<void>;
}

/** Starts fake-process.ts in a child process and waits for its urls. */
export async function startFakeChild(options: FakeBinanceOptions): Promise<FakeChild> {
  const script = fileURLToPath(new URL('./fake-process.ts', import.meta.url));
  const child: ChildProcess = spawn(
    process.execPath,
    ['--conditions=@venuekit/source', '--import', 'tsx', script, JSON.stringify(options)],
    { cwd: fileURLToPath(new URL('../..', import.meta.url)), stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    errors += chunk.toString('utf8');
  });
  const urls = await new Promise<{ restUrl: string; streamsUrl: string; wsApiUrl: string }>(
    (resolve, reject) => {
      let output = '';
      const onData = (chunk: Buffer) => {
        output += chunk.toString('utf8');
        const line = output.split('\n')[0];
        if (output.includes('\n') && line) {
          child.stdout?.off('data', onData);
          resolve(JSON.parse(line));
        }
      };
      child.stdout?.on('data', onData);
      child.once('exit', (code) =>
        reject(new Error(`the fake exited (${code}) before starting: ${errors.slice(0, 500)}`)),
      );
    },
  );
  return {
    ...urls,
    close: async () => {
      child.stdin?.end();
      await exited;
    },
  };
}
