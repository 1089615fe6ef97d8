import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { openDatabase, type OpenDatabase } from '../../server/db/connect.js';
import { createMigrator, migrateToLatest } from '../../server/db/migrate.js';
import { loadConfig } from '../../server/config.js';
import { keyedDatabase } from '../../server/modules/audit/keys.js';
import { bossSchemaOf } from '../../server/modules/jobs/postgres-queue.js';

/** The audit key tests sign with (NODE_ENV=test's fixed key), unless a test attaches its own. */
export const testAuditKeys = loadConfig({ NODE_ENV: 'test' }).auditKeys;

export const testDatabaseUrl = process.env.DATABASE_URL || null;

/**
 * A fresh, migrated database for one test file: a PGlite instance cloned from the migrated
 * template, or a new schema on the PostgreSQL server when DATABASE_URL is set.
 */
export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<OpenDatabase & { schema?: string }> {
  return keyedDatabase(await openTestDatabase(options.migrate !== false), testAuditKeys);
}

async function openTestDatabase(migrate: boolean): Promise<OpenDatabase & { schema?: string }> {
  if (testDatabaseUrl) {
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const opened = await openDatabase({ url: testDatabaseUrl, schema, poolSize: 4 });
    if (migrate) await migrateToLatest(opened.db);
    return {
      ...opened,
      schema,
      async close() {
        // The job queue's schema (pg-boss) goes with the app's.
        for (const name of [schema, bossSchemaOf(schema)]) await sql`drop schema if exists ${sql.id(name)} cascade`.execute(opened.db).catch(() => {});
        await opened.close();
      },
    };
  }
  const template = process.env.EVIDENT_TEST_TEMPLATE;
  if (migrate && template) {
    return openDatabase({ pgliteDump: new Blob([readFileSync(template)]) });
  }
  const opened = await openDatabase({});
  if (migrate) await migrateToLatest(opened.db);
  return opened;
}

/** A test database migrated up to the migration before `migration`: a database as it was before that change. */
export async function createDatabaseBefore(migration: string): Promise<OpenDatabase> {
  const database = await createTestDatabase({ migrate: false });
  const migrator = await createMigrator(database.db);
  const names = (await migrator.getMigrations()).map((m) => m.name);
  if (!names.includes(migration)) throw new Error(`no migration "${migration}"`);
  const moved = await migrator.migrateTo(names[names.indexOf(migration) - 1]!);
  if (moved.error) throw moved.error;
  return database;
}
