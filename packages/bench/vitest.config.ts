import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@venuekit/source'] },
  ssr: { resolve: { conditions: ['@venuekit/source'] } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The shared guard: no test secret in any output, nothing left open (packages/reliability).
    setupFiles: ['../reliability/src/guard/setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
