import { defineConfig } from 'vitest/config';

/** `npm run e2e`: the whole system, one file at a time (each runs the service and its own Temporal server). */
export default defineConfig({
  test: {
    pool: 'forks',
    include: ['e2e/**/*.e2e.ts'],
    fileParallelism: false,
    globalSetup: ['e2e/summary.ts'],
    testTimeout: 600_000,
    hookTimeout: 180_000,
  },
});
