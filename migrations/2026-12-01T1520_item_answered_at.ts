import type { Kysely } from 'kysely';

// Frozen in time: this file never imports application code.
// When a row was last answered again on its own, so the export check compares what it cites with
// that moment rather than with the first answering of the whole file.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('questionnaire_items').addColumn('answered_at', 'timestamptz').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('questionnaire_items').dropColumn('answered_at').execute();
}
