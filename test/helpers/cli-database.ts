import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { bossSchemaOf } from '../../server/modules/jobs/postgres-queue.js';
import { testDatabaseUrl } from './database.js';

/**
 * Environment for CLI child processes working on a database of their own: a fresh PGlite
 * data folder, or a fresh schema on the PostgreSQL server (selected through the URL's options).
 */
export async function cliDatabase(): Promise<{ env: Record<string, string>; cleanup(): Promise<void> }> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'evident-cli-db-'));
  if (!testDatabaseUrl) {
    // A copy of the migrated folder the global setup built: the first command need not migrate.
    const template = process.env.EVIDENT_TEST_DATA_FOLDER;
    if (template) cpSync(template, path.join(dataDir, 'pglite'), { recursive: true });
    return { env: { DATA_DIR: dataDir }, cleanup: async () => rmSync(dataDir, { recursive: true, force: true }) };
  }
  const schema = `cli_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: testDatabaseUrl });
  await client.connect();
  await client.query(`create schema ${schema}`);
  await client.end();
  const url = new URL(testDatabaseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    env: { DATA_DIR: dataDir, DATABASE_URL: url.toString() },
    async cleanup() {
      const c = new pg.Client({ connectionString: testDatabaseUrl ?? undefined });
      await c.connect();
      // With the job queue's schema (pg-boss) that a server on it created beside it.
      await c.query(`drop schema if exists ${schema}, ${bossSchemaOf(schema)} cascade`);
      await c.end();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
