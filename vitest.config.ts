import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['core/src/**/*.test.ts', 'cli/src/**/*.test.ts', 'connectors/*/src/**/*.test.ts', 'test/**/*.test.ts', 'studio/server/**/*.test.ts', 'studio/shared/**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two files at a time even on 2 cores: most end-to-end files wait on child processes, rate windows and timers,
    // so a second file overlaps that waiting (vitest's default here would be one file at a time).
    maxWorkers: 2,
  },
});
