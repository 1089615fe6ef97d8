import { sql, type Kysely } from 'kysely';

// Frozen in time: this file never imports application code.
// Staff may sign in with the company's OpenID provider: an account remembers the provider's
// subject it belongs to; a break-glass admin (made with the CLI) keeps a local password when
// local passwords are switched off; a session knows whether the provider checked a second factor.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('staff_users').addColumn('oidc_subject', 'text').execute();
  await db.schema.alterTable('staff_users').addColumn('break_glass', 'boolean', (c) => c.notNull().defaultTo(false)).execute();
  await db.schema.createIndex('staff_users_oidc_subject').on('staff_users').column('oidc_subject').unique().execute();
  await db.schema.alterTable('staff_sessions').addColumn('mfa_by_provider', 'boolean', (c) => c.notNull().defaultTo(false)).execute();
  await sql`alter table staff_users add constraint staff_users_break_glass_local check (not (break_glass and oidc_subject is not null))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table staff_users drop constraint if exists staff_users_break_glass_local`.execute(db);
  await db.schema.alterTable('staff_sessions').dropColumn('mfa_by_provider').execute();
  await db.schema.dropIndex('staff_users_oidc_subject').ifExists().execute();
  await db.schema.alterTable('staff_users').dropColumn('break_glass').execute();
  await db.schema.alterTable('staff_users').dropColumn('oidc_subject').execute();
}
