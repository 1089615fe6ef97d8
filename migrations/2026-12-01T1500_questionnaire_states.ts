import { sql, type Kysely } from 'kysely';

// Frozen in time: this file never imports application code.
// A questionnaire is work with a customer, an owner and a deadline. Its review stage sits beside
// the processing status; "overdue" is computed from the due date and the clock, never stored.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('questionnaires')
    .addColumn('customer', 'text')
    .addColumn('owner', 'text')
    // A calendar day as text (YYYY-MM-DD), like the other dates of this schema: no time zone to drift.
    .addColumn('due_date', 'text', (c) => c.check(sql`due_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'`))
    .addColumn('review_stage', 'text', (c) => c.notNull().defaultTo('ready').check(sql`review_stage in ('ready','in-review','completed')`))
    .execute();
  // Questionnaires reviewed before this change: fully decided ones are completed, started ones in review.
  await sql`update questionnaires set review_stage = case
      when not exists (select 1 from questionnaire_items i where i.questionnaire_id = questionnaires.id and i.review_state = 'pending')
        and exists (select 1 from questionnaire_items i where i.questionnaire_id = questionnaires.id) then 'completed'
      when exists (select 1 from questionnaire_items i where i.questionnaire_id = questionnaires.id and i.review_state <> 'pending') then 'in-review'
      else 'ready' end`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('questionnaires').dropColumn('review_stage').dropColumn('due_date').dropColumn('owner').dropColumn('customer').execute();
}
