import { sql, type Kysely } from 'kysely';

// Frozen in time: this file never imports application code.
// Each audit entry names the key its HMAC was made with, so keys can rotate. Entries written
// before keys existed carry the id "legacy" (an unkeyed SHA-256 chain), which is also the default
// so that older backups restore as what they are.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('audit_log')
    .addColumn('key_id', 'text', (c) => c.notNull().defaultTo('legacy').check(sql`key_id ~ '^[A-Za-z0-9_.-]{1,40}$'`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  // Dropping a column is no UPDATE or DELETE: the append-only triggers do not fire.
  await db.schema.alterTable('audit_log').dropColumn('key_id').execute();
}
