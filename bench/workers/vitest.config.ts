import { defineConfig } from 'vitest/config';

/** The scale-out benchmark's own checks: `npx vitest run --config bench/workers/vitest.config.ts` from the repository root. */
export default defineConfig({
  test: {
    include: ['bench/workers/**/*.test.ts'],
    testTimeout: 180_000,
    pool: 'forks',
  },
});
