import { sql, type Kysely } from 'kysely';

// Frozen in time: this file never imports application code.
// Each service says who runs each layer of its stack (facility up to identities), for the
// stack picture on the responsibility pages: a JSON list, as content/services.yaml writes it.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('services')
    .addColumn('layers', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('services').dropColumn('layers').execute();
}
