import { sql, type Kysely } from 'kysely';

// Frozen in time: this file never imports application code.
// What the import did with each sheet of a questionnaire (taken, skipped and why).

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('questionnaires').addColumn('sheets', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`)).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('questionnaires').dropColumn('sheets').execute();
}
