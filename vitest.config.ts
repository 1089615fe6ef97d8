import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // PGlite instances are memory-hungry; two workers match the two cores here.
    maxWorkers: 2,
    server: { deps: { inline: ['kysely'] } },
    globalSetup: ['test/helpers/global-setup.ts'],
  },
});
