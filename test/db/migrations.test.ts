import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenDatabase } from '../../server/db/connect.js';
import { migrateAllDown, migrateToLatest } from '../../server/db/migrate.js';
import { createTestDatabase, testDatabaseUrl } from '../helpers/database.js';
import { databaseColumns } from './schema-columns.js';

let database: OpenDatabase;

beforeAll(async () => {
  database = await createTestDatabase({ migrate: false });
});
afterAll(async () => database.close());

async function tableColumns(): Promise<Record<string, string[]>> {
  const rows = await sql<{ table_name: string; column_name: string }>`
    select table_name, column_name from information_schema.columns
    where table_schema = current_schema() and table_name not like 'kysely_%'
    order by table_name, column_name`.execute(database.db);
  const tables: Record<string, string[]> = {};
  for (const row of rows.rows) (tables[row.table_name] ??= []).push(row.column_name);
  for (const columns of Object.values(tables)) columns.sort();
  return tables;
}

describe('migrations', () => {
  it('migrate up, all the way down, and up again', async () => {
    const applied = await migrateToLatest(database.db);
    expect(applied.length).toBeGreaterThan(0);
    expect(Object.keys(await tableColumns())).toContain('controls');
    await migrateAllDown(database.db);
    expect(await tableColumns()).toEqual({});
    await migrateToLatest(database.db);
    expect(await migrateToLatest(database.db)).toEqual([]);
  });

  it('the Database interface and the migrated schema agree, table by table and column by column', async () => {
    const actual = await tableColumns();
    const declared = Object.fromEntries(Object.entries(databaseColumns).map(([t, cols]) => [t, Object.keys(cols).sort()]));
    expect(actual).toEqual(declared);
  });
});

// Several test files (and staging schemas) share one PostgreSQL database: a schema dropped by
// another process while this one migrates must not fail the migration.
describe.runIf(testDatabaseUrl)('migrations beside other schemas', () => {
  it('complete while other schemas are created and dropped', async () => {
    const other = await createTestDatabase({ migrate: false });
    let churning = true;
    const churn = (async () => {
      for (let i = 0; churning; i++) {
        const name = sql.id(`churn_${process.pid}_${i}`);
        await sql`create schema ${name}`.execute(other.db);
        await sql`create table ${name}.t (id serial primary key)`.execute(other.db);
        await sql`drop schema ${name} cascade`.execute(other.db);
      }
    })();
    try {
      for (let round = 0; round < 3; round++) {
        await migrateAllDown(database.db);
        expect((await migrateToLatest(database.db)).length).toBeGreaterThan(0);
      }
    } finally {
      churning = false;
      await churn;
      await other.close();
    }
  });
});
