import { defineConfig } from 'vitest/config';

/** The engine benchmark's own checks: `npx vitest run --config bench/engine/vitest.config.ts` from the repository root. */
export default defineConfig({
  test: {
    include: ['bench/engine/**/*.test.ts'],
    testTimeout: 60_000,
    pool: 'forks',
  },
});
