import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

// `npm run demo` ends in `tsx --conditions=@venuekit/source src/main.ts`: run exactly that, as a
// user would, and check that Ctrl+C stops it completely (a leaked socket or timer would keep the
// process alive).

const demoDir = fileURLToPath(new URL('..', import.meta.url));
const tsxCli = createRequire(import.meta.url).resolve('tsx/cli');
const children = new Set<ChildProcess>();

afterEach(() => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
});

function run(args: string[]): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [tsxCli, '--conditions=@venuekit/source', 'src/main.ts', ...args], {
    cwd: demoDir,
    env: { ...process.env, VENUEKIT_LOG_LEVEL: 'error' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => text, exited };
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

describe('the demo command', () => {
  it('prints its address, serves the page, and stops completely on Ctrl+C', async () => {
    const demo = run(['--port', '0', '--symbols', 'BTC/USDT,ETH/USDT']);
    const url = await within(
      new Promise<string>((resolve, reject) => {
        const check = () => {
          const match = /Dashboard: +(http:\/\/127\.0\.0\.1:\d+\/)/.exec(demo.output());
          if (match && demo.output().includes('Press Ctrl+C')) resolve(match[1] as string);
        };
        demo.child.stdout?.on('data', check);
        demo.exited.then((code) => reject(new Error(`the demo exited with ${code}:\n${demo.output()}`)));
      }),
      90_000,
      'the dashboard address',
    );
    expect(demo.output()).toContain('Users:      alice, bob');
    expect((await fetch(url)).status).toBe(200);
    demo.child.kill('SIGINT');
    const code = await within(demo.exited, 60_000, 'the demo to exit after SIGINT');
    expect(code).toBe(0);
    expect(demo.output()).toContain('Stopped.');
    await expect(fetch(url)).rejects.toThrow();
  });

  it('says which port is taken when it cannot listen, and exits', async () => {
    const { createServer } = await import('node:net');
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as { port: number };
    try {
      const demo = run(['--port', String(port), '--symbols', 'BTC/USDT']);
      expect(await within(demo.exited, 90_000, 'the demo to give up')).toBe(1);
      expect(demo.output()).toContain(`port ${port} is in use`);
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  });

  it('explains its options with --help and refuses a bad one before starting anything', async () => {
    const help = run(['--help']);
    expect(await within(help.exited, 60_000, '--help')).toBe(0);
    expect(help.output()).toContain('--testnet');
    const bad = run(['--port', 'eighty']);
    expect(await within(bad.exited, 60_000, 'the refusal')).toBe(2);
    expect(bad.output()).toContain('--port must be an integer from 0 to 65535');
  });
});
