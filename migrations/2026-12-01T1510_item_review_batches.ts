import type { Kysely } from 'kysely';

// Frozen in time: this file never imports application code.
// A bulk decision marks the rows it changed with one batch id, so it can be undone as a whole;
// a rejection keeps the reviewer's reason beside the row.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('questionnaire_items').addColumn('review_batch', 'text').addColumn('review_reason', 'text').execute();
  await db.schema.createIndex('questionnaire_items_batch').on('questionnaire_items').columns(['questionnaire_id', 'review_batch']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('questionnaire_items_batch').ifExists().execute();
  await db.schema.alterTable('questionnaire_items').dropColumn('review_reason').dropColumn('review_batch').execute();
}
