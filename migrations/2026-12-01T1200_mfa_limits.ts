import type { Kysely } from 'kysely';

// Frozen in time: this file never imports application code.
// The second factor gets the limits the password already had: wrong codes are counted per
// pending session (it ends after a few) and per account (a growing delay across sessions), and
// the last TOTP time-step used is kept so a code is accepted only once.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('staff_sessions').addColumn('mfa_failures', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('staff_users').addColumn('mfa_failures', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('staff_users').addColumn('mfa_blocked_until', 'timestamptz').execute();
  await db.schema.alterTable('staff_users').addColumn('totp_last_step', 'integer').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('staff_users').dropColumn('totp_last_step').execute();
  await db.schema.alterTable('staff_users').dropColumn('mfa_blocked_until').execute();
  await db.schema.alterTable('staff_users').dropColumn('mfa_failures').execute();
  await db.schema.alterTable('staff_sessions').dropColumn('mfa_failures').execute();
}
