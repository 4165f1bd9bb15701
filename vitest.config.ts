import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    // CLI tests start real processes; on a loaded 2-core machine that takes seconds, not milliseconds.
    testTimeout: 60_000,
  },
});
