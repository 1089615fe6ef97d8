import type { Kysely } from 'kysely';

// Frozen in time: this file never imports application code.
// Failed sign-ins counted per (email, client address), so one address's failures slow down that
// address only; login_attempts keeps the per-email count, which now answers with a growing delay
// (its locked_until) at a higher threshold instead of a lock from everywhere.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('login_failures')
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('ip', 'text', (c) => c.notNull())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('last_failure_at', 'timestamptz', (c) => c.notNull())
    .addColumn('blocked_until', 'timestamptz')
    .addPrimaryKeyConstraint('login_failures_pkey', ['email', 'ip'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('login_failures').execute();
}
