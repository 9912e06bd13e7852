import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@venuekit/source'] },
  ssr: { resolve: { conditions: ['@venuekit/source'] } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    setupFiles: ['src/guard/setup.ts'],
    // The leak loops force garbage collection before comparing heaps.
    execArgv: ['--expose-gc'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    passWithNoTests: true,
  },
});
