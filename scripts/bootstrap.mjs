#!/usr/bin/env node
// Makes the README's Quick start work on a machine that has only Node and npm:
// it runs pnpm at the version pinned in package.json (through npx when pnpm is
// not installed), installs from the lockfile, then runs the requested task.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { packageManager } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const pinned = packageManager.split('@')[1];
const [task, ...rest] = process.argv.slice(2);

const tasks = {
  demo: ['--filter', '@venuekit/demo', 'start', ...rest],
  test: ['run', 'test:all', ...rest],
};
if (!(task in tasks)) {
  console.error(`usage: node scripts/bootstrap.mjs <${Object.keys(tasks).join('|')}> [args]`);
  process.exit(2);
}

function installedPnpmMatches() {
  const probe = spawnSync('pnpm', ['--version'], { encoding: 'utf8', shell: process.platform === 'win32' });
  return probe.status === 0 && probe.stdout.trim() === pinned;
}
const usePath = installedPnpmMatches();

function pnpm(args) {
  const [cmd, argv] = usePath ? ['pnpm', args] : ['npx', ['--yes', `pnpm@${pinned}`, ...args]];
  const result = spawnSync(cmd, argv, {
    cwd: root,
    stdio: 'inherit',
    shell: process.platform === 'win32',
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1', COREPACK_ENABLE_STRICT: '0' },
  });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

const installed = pnpm(['install', '--frozen-lockfile', '--prefer-offline']);
if (installed !== 0) process.exit(installed);
process.exit(pnpm(tasks[task]));
