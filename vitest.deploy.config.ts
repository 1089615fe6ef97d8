import { defineConfig } from 'vitest/config';

// Several instances behind nginx on one PostgreSQL database: real processes, run by .ci/run.
export default defineConfig({
  test: {
    include: ['test/deploy/**/*.deploy.ts'],
    testTimeout: 120_000,
    hookTimeout: 240_000,
    fileParallelism: false,
    server: { deps: { inline: ['kysely'] } },
  },
});
