import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'node_modules/**'],
    // Generous: on a busy shared machine a fresh database or a child process can take long to start;
    // a timeout is a guard against a hang, never a measure of speed (timings belong to npm run bench).
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // PGlite instances are memory-hungry; two workers match the two cores here.
    maxWorkers: 2,
    server: { deps: { inline: ['kysely'] } },
    globalSetup: ['test/helpers/global-setup.ts'],
    // Password hashing at a quarter of the production cost (2^14) wherever a test reads process.env
    // (in-process CLI commands, spawned children); test/helpers/app.ts sets the same for apps.
    env: { PASSWORD_SCRYPT_N: '16384' },
  },
});
