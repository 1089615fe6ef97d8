import type { Kysely } from 'kysely';

// Frozen in time: this file never imports application code.
// A session started at the OpenID provider keeps the ID token it was given, so signing out can
// end the session at the provider too (sent back as id_token_hint); cleared when the session ends.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('staff_sessions').addColumn('oidc_id_token', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('staff_sessions').dropColumn('oidc_id_token').execute();
}
