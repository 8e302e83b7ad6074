import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-build.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Docker and network-namespace suites create real resources; a few files at once is plenty on 2 cores.
    maxWorkers: 2,
    minWorkers: 1,
  },
});
