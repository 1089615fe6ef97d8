import { defineConfig } from 'vitest/config';

// The browser suite: one server, one Chromium, run in order (the flows build on each other).
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    server: { deps: { inline: ['kysely'] } },
  },
});
