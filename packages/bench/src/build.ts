import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
// Under node_modules: ignored by git and by the linter, and externals (ccxt, binance) resolve from there.
const OUT_DIR = join(PACKAGE_DIR, 'node_modules', '.cache', 'bench');

/** Where --cpu-prof writes the library processes' profiles. */
export const PROFILE_DIR = join(OUT_DIR, 'profiles');

/** The child processes' entry points, bundled. */
export const ENTRIES = {
  server: 'src/server/main.ts',
  floor: 'src/clients/entries/floor.ts',
  venuekit: 'src/clients/entries/venuekit.ts',
  'venuekit-read': 'src/clients/entries/venuekit-read.ts',
  binance: 'src/clients/entries/binance.ts',
  ccxt: 'src/clients/entries/ccxt.ts',
  'book-apply': 'src/venuekit/book-apply.ts',
  'streams-memory': 'src/venuekit/streams-memory.ts',
  'fake-binance': 'src/venuekit/fake-binance.ts',
  orders: 'src/venuekit/orders.ts',
} as const;

export type Entry = keyof typeof ENTRIES;

export function bundlePath(entry: Entry): string {
  return join(OUT_DIR, `${entry}.mjs`);
}

/**
 * Bundles the child processes with esbuild, venuekit from its sources (the `@venuekit/source`
 * condition), as tsup builds the packages. The children then run on plain `node`: no TypeScript
 * loader in their memory or their profile. ccxt and binance stay external (they load from
 * node_modules as they ship); so do `ws`'s optional native helpers, which venuekit does not install.
 */
export async function bundle(): Promise<void> {
  await build({
    absWorkingDir: PACKAGE_DIR,
    entryPoints: Object.fromEntries(Object.entries(ENTRIES)),
    outdir: OUT_DIR,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    conditions: ['@venuekit/source'],
    sourcemap: 'linked',
    external: ['ccxt', 'binance', 'bufferutil', 'utf-8-validate'],
    // Bundled CommonJS modules (ws, pino) require Node's built-ins.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
}
