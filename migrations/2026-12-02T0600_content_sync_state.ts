import { sql, type Kysely } from 'kysely';

// Frozen in time: this file never imports application code.
// What the last content sync read (a fingerprint of the files, the day and the code), so a
// restart with nothing changed skips checking and comparing the whole content again.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('content_sync_state')
    .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('synced_at', 'timestamptz', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('content_sync_state').ifExists().execute();
}
