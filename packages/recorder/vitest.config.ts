import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@venuekit/source'] },
  ssr: { resolve: { conditions: ['@venuekit/source'] } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    passWithNoTests: true,
  },
});
