import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@venuekit/source'] },
  ssr: { resolve: { conditions: ['@venuekit/source'] } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The shared guard: no test secret in any output, nothing left open (packages/reliability).
    setupFiles: ['../../packages/reliability/src/guard/setup.ts'],
    // Tests wait on conditions with their own deadlines (up to 90 s on a loaded 2-core machine).
    testTimeout: 180_000,
    hookTimeout: 120_000,
    passWithNoTests: true,
  },
});
