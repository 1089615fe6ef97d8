import type { FastifyInstance } from 'fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildApp } from '../../server/app.js';
import { adjustableClock, type AdjustableClock } from './clock.js';
import { loadConfig, projectRoot, type Config } from '../../server/config.js';
import type { OpenDatabase } from '../../server/db/connect.js';
import { syncContent } from '../../server/modules/content/service.js';
import { createTestDatabase } from './database.js';
import { appDatabase } from '../../server/app-database.js';

/** The day every test lives on, unless it says otherwise. */
export const TEST_NOW = '2026-11-28T12:00:00Z';

export const demoContentDir = path.join(projectRoot, 'content');

export interface TestApp {
  app: FastifyInstance;
  database: OpenDatabase;
  config: Config;
  clock: AdjustableClock;
  dataDir: string;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Content folder to sync; null syncs nothing. Default: the shipped demo content. */
  contentDir?: string | null;
  now?: string;
  env?: Record<string, string>;
}

/** Builds the app on a fresh migrated database (and synced content); close() tears it all down. */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'evident-test-'));
  const contentDir = options.contentDir === undefined ? demoContentDir : options.contentDir;
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    CONTENT_DIR: contentDir ?? demoContentDir,
    // A quarter of the production cost keeps hundreds of sign-ins cheap; one test checks the default.
    PASSWORD_SCRYPT_N: '16384',
    ...options.env,
  });
  const clock = adjustableClock(options.now ?? TEST_NOW);
  const database = appDatabase(await createTestDatabase(), config, clock);
  if (contentDir) await syncContent(database.db, contentDir, clock);
  const app = await buildApp(config, { db: database.db, databaseKind: database.kind, clock, listen: database.listen });
  await app.ready();
  return {
    app,
    database,
    config,
    clock,
    dataDir,
    async close() {
      await app.close();
      await database.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
