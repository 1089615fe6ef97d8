import { sql, type Kysely } from 'kysely';

// Frozen in time: this file never imports application code.
// A responsibility has a scope: the service to the customer (one row per control and service, as
// before) or the provider's own ISMS, how it runs the control for itself (one row per control,
// no service). Existing rows are all about a service. A service row may differ in some regions
// (another colocation operator, say): region id → the fields that differ there.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('responsibilities')
    .addColumn('scope', 'text', (c) => c.notNull().defaultTo('service').check(sql`scope in ('service','isms')`))
    .execute();
  await db.schema.alterTable('responsibilities').addColumn('region_overrides', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`)).execute();
  await sql`alter table responsibilities alter column service_id drop not null`.execute(db);
  await sql`alter table responsibilities add constraint responsibilities_scope_service check ((scope = 'isms') = (service_id is null))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.deleteFrom('responsibilities').where('scope', '=', 'isms').execute();
  await sql`alter table responsibilities drop constraint if exists responsibilities_scope_service`.execute(db);
  await sql`alter table responsibilities alter column service_id set not null`.execute(db);
  await db.schema.alterTable('responsibilities').dropColumn('scope').dropColumn('region_overrides').execute();
}
