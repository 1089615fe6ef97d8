import { sql, type Kysely } from 'kysely';

// Frozen in time: this file never imports application code.
// Evidence as an auditor reads it: when it was issued, the period a report covers, its version,
// who approved it, and whether a recipient may pass it on. Existing rows get the default their
// access level implies (public may be passed on); the next content sync fills in the rest.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('evidence')
    .addColumn('issued_on', 'text')
    .addColumn('period_start', 'text')
    .addColumn('period_end', 'text')
    .addColumn('version', 'text')
    .addColumn('approver', 'text')
    .addColumn('redistribution', 'text', (c) => c.notNull().defaultTo('not-allowed').check(sql`redistribution in ('allowed','with-consent','not-allowed')`))
    .execute();
  await db.updateTable('evidence').set({ redistribution: 'allowed' }).where('access', '=', 'public').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('evidence')
    .dropColumn('issued_on')
    .dropColumn('period_start')
    .dropColumn('period_end')
    .dropColumn('version')
    .dropColumn('approver')
    .dropColumn('redistribution')
    .execute();
}
