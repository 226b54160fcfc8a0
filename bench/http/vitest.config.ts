import { defineConfig } from 'vitest/config';

/** The HTTP and GHL rate benchmarks' own checks: `npx vitest run --config bench/http/vitest.config.ts`. */
export default defineConfig({
  test: {
    include: ['bench/http/**/*.test.ts', 'bench/ghl-rate/**/*.test.ts'],
    testTimeout: 60_000,
    pool: 'forks',
  },
});
