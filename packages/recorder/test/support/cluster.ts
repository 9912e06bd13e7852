import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A PostgreSQL server of the test's own (initdb in a temporary directory, its own port), so that a
 * test can really stop and restart a database without touching the shared one. Root runs it as the
 * `postgres` user, as initdb requires.
 */
export class PrivateCluster {
  readonly port: number;
  readonly #dir: string;
  readonly #bin: string;
  readonly #asPostgres: boolean;

  private constructor(dir: string, bin: string, port: number, asPostgres: boolean) {
    this.#dir = dir;
    this.#bin = bin;
    this.port = port;
    this.#asPostgres = asPostgres;
  }

  /** Why a private cluster cannot run here, or undefined when it can. */
  static unavailable(): string | undefined {
    if (process.platform !== 'linux') return 'needs Linux';
    if (!PrivateCluster.#binDir())
      return 'no PostgreSQL server binaries (initdb, pg_ctl) under /usr/lib/postgresql';
    if (process.getuid?.() === 0 && !existsSync('/usr/sbin/runuser'))
      return 'running as root without runuser';
    return undefined;
  }

  static #binDir(): string | undefined {
    const root = '/usr/lib/postgresql';
    if (!existsSync(root)) return undefined;
    const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
    for (const v of versions) {
      const bin = join(root, v, 'bin');
      if (existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_ctl'))) return bin;
    }
    return undefined;
  }

  static async start(): Promise<PrivateCluster> {
    const bin = PrivateCluster.#binDir() as string;
    const dir = mkdtempSync(join(tmpdir(), 'venuekit-pg-'));
    const asPostgres = process.getuid?.() === 0;
    if (asPostgres) {
      const { stdout } = await run('id', ['-u', 'postgres']);
      const { stdout: gid } = await run('id', ['-g', 'postgres']);
      chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
    }
    const cluster = new PrivateCluster(dir, bin, await freePort(), asPostgres);
    await cluster.#exec('initdb', [
      '-D',
      cluster.#data,
      '-A',
      'trust',
      '-U',
      'postgres',
      '--no-sync',
      '-E',
      'UTF8',
    ]);
    await cluster.start();
    return cluster;
  }

  get #data(): string {
    return join(this.#dir, 'data');
  }

  async #exec(tool: string, args: string[]): Promise<void> {
    const path = join(this.#bin, tool);
    if (this.#asPostgres)
      await run('/usr/sbin/runuser', ['-u', 'postgres', '--', path, ...args], { timeout: 60_000 });
    else await run(path, args, { timeout: 60_000 });
  }

  async start(): Promise<void> {
    await this.#exec('pg_ctl', [
      '-D',
      this.#data,
      '-w',
      '-l',
      join(this.#dir, 'log'),
      '-o',
      `-p ${this.port} -k ${this.#dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=20`,
      'start',
    ]);
  }

  /** A fast shutdown: sessions are ended, in-flight transactions rolled back (as an operator's restart). */
  async stop(): Promise<void> {
    await this.#exec('pg_ctl', ['-D', this.#data, '-w', '-m', 'fast', 'stop']);
  }

  async destroy(): Promise<void> {
    await this.stop().catch(() => {});
    rmSync(this.#dir, { recursive: true, force: true });
  }
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
