import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['core/src/**/*.test.ts', 'cli/src/**/*.test.ts', 'connectors/*/src/**/*.test.ts', 'test/**/*.test.ts', 'studio/server/**/*.test.ts', 'studio/shared/**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
