import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/run';
import { MIGRATIONS } from '../src/migrations';
import { recorderManifest } from '../src/schema/manifest';
import { PG, TestDatabase } from './support/db';

let db: TestDatabase;
beforeEach(async () => {
  db = await TestDatabase.open('cli');
});
afterEach(async () => {
  await db.close();
});

async function run(args: string[], env: Record<string, string | undefined> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    env,
  });
  return { code, stdout, stderr };
}

const url = `postgres://${PG.user}@${PG.host}:${PG.port}/${PG.database}`;

describe('venuekit-recorder', () => {
  it('migrate applies the migrations once, then says the schema is up to date; status agrees', async () => {
    const first = await run(['migrate', '--url', url, '--schema', db.schema]);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toContain(`applied initial to schema ${db.schema}`);
    expect(await db.count('trades')).toBe(0);

    const again = await run(['migrate', '--schema', db.schema], { DATABASE_URL: url });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`is up to date at version ${MIGRATIONS.length}`);

    const status = await run(['status', '--url', url, '--schema', db.schema]);
    expect(status.stdout).toContain(`version ${MIGRATIONS.length} of ${MIGRATIONS.length}\nup to date`);
  });

  it('bad options exit 2 naming the option; an unreachable database exits 1 without printing the password', async () => {
    const bad = await run(['migrate', '--url', url, '--schema', 'Robert); DROP TABLE']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('schema');
    expect((await run(['frobnicate', '--url', url])).code).toBe(2);
    expect((await run(['migrate', '--port', 'x'])).code).toBe(2);
    expect((await run([])).code).toBe(2);

    const password = 'VKTEST-hunter2-but-longer-than-eight';
    const down = await run([
      'migrate',
      '--url',
      `postgres://postgres:${password}@127.0.0.1:1/test`,
      '--schema',
      db.schema,
    ]);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain('migrate failed on postgres://postgres@127.0.0.1:1/test');
    expect(down.stderr).toMatch(/ECONNREFUSED/);
    expect(down.stdout + down.stderr).not.toContain(password);
  });

  it('sql prints the migrations for the schema; manifest prints the manifest', async () => {
    const sql = await run(['sql', '--schema', 'research']);
    expect(sql.code).toBe(0);
    expect(sql.stdout).toContain('CREATE TABLE "research"."trades"');
    expect(sql.stdout).not.toContain('{{schema}}');
    const manifest = await run(['manifest']);
    expect(JSON.parse(manifest.stdout)).toEqual(recorderManifest());
  });

  it('runs as a real process (the bin) and exits 0', async () => {
    const cwd = fileURLToPath(new URL('..', import.meta.url));
    const child = spawn(
      process.execPath,
      ['--conditions=@venuekit/source', '--import', 'tsx', 'src/cli.ts', 'migrate', '--schema', db.schema],
      { cwd, env: { ...process.env, DATABASE_URL: url }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      output += d.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(output).toContain(`applied initial to schema ${db.schema}`);
    expect(code).toBe(0);
    expect(await db.count('orders')).toBe(0);
  });
});
