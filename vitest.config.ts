import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    // the command line and the processes the reliability tests start are the compiled dist/
    globalSetup: ['test/global-setup.ts'],
    // two files at a time: most of a service test's time is spent waiting (on PostgreSQL, Redis,
    // child processes), so two share two cores well; vitest's default on 2 cores is one
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
