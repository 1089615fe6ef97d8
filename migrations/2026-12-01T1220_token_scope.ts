import { sql, type Kysely } from 'kysely';

// Frozen in time: this file never imports application code.
// API tokens get a scope (read: safe methods only; write: what the owner's role allows) and an
// optional expiry. Existing tokens keep what they could do: write, except a viewer's, which
// could only ever read.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('api_tokens')
    .addColumn('scope', 'text', (c) => c.notNull().defaultTo('write').check(sql`scope in ('read','write')`))
    .execute();
  await db.schema.alterTable('api_tokens').addColumn('expires_at', 'timestamptz').execute();
  await sql`update api_tokens set scope = 'read' where user_id in (select id from staff_users where role = 'viewer')`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('api_tokens').dropColumn('expires_at').execute();
  await db.schema.alterTable('api_tokens').dropColumn('scope').execute();
}
