import { sql, type Kysely } from 'kysely';

// Frozen in time: this file never imports application code.
// A responsibility can be carried by a subservice organisation (a colocation operator runs the
// physical controls): parties `third-party` and `shared-third-party`, naming the subprocessors.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table responsibilities drop constraint if exists responsibilities_party_check`.execute(db);
  await sql`alter table responsibilities add constraint responsibilities_party_check
    check (party in ('provider','customer','shared','third-party','shared-third-party','not-applicable'))`.execute(db);
  await db.schema
    .alterTable('responsibilities')
    .addColumn('third_parties', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('responsibilities').dropColumn('third_parties').execute();
  // The older vocabulary has no subservice organisation: the provider remains accountable.
  await sql`update responsibilities set party = 'provider' where party = 'third-party'`.execute(db);
  await sql`update responsibilities set party = 'shared' where party = 'shared-third-party'`.execute(db);
  await sql`alter table responsibilities drop constraint if exists responsibilities_party_check`.execute(db);
  await sql`alter table responsibilities add constraint responsibilities_party_check
    check (party in ('provider','customer','shared','not-applicable'))`.execute(db);
}
