import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    exclude: ['**/node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two files at a time even on 2 cores: most end-to-end files wait on child processes, rate windows and timers,
    // so a second file overlaps that waiting (vitest's default here would be one file at a time).
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['core/src/**/*.test.ts', 'cli/src/**/*.test.ts', 'connectors/*/src/**/*.test.ts', 'studio/server/**/*.test.ts', 'studio/shared/**/*.test.ts'],
          // The tests beside the code share their worker's modules from file to file instead of loading core, the
          // connectors and their libraries again for each of some 150 files (about two thirds of their time). So a
          // test file restores what it changes outside its own objects (timers, environment, listeners).
          isolate: false,
        },
      },
      {
        extends: true,
        // End-to-end files drive child processes; each keeps a fresh module state of its own.
        test: { name: 'e2e', include: ['test/**/*.test.ts'] },
      },
    ],
  },
});
