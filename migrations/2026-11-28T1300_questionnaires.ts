import { sql, type Kysely } from 'kysely';

// Frozen in time: this file never imports application code.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('questionnaires')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull().check(sql`format in ('xlsx','csv','json')`))
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('service_id', 'text')
    .addColumn('audience', 'text', (c) => c.notNull().check(sql`audience in ('public','nda','internal')`))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('processing','ready','failed')`))
    .addColumn('error', 'text')
    .addColumn('summary', 'jsonb', (c) => c.notNull())
    .addColumn('layouts', 'jsonb', (c) => c.notNull())
    .addColumn('warnings', 'jsonb', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();

  // The original file, kept so the export fills the customer's own workbook.
  await db.schema
    .createTable('questionnaire_files')
    .addColumn('questionnaire_id', 'text', (c) => c.primaryKey().references('questionnaires.id').onDelete('cascade'))
    .addColumn('data', 'bytea', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('questionnaire_items')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('questionnaire_id', 'text', (c) => c.notNull().references('questionnaires.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('ext_id', 'text', (c) => c.notNull())
    .addColumn('sheet', 'text')
    .addColumn('sheet_part', 'text')
    .addColumn('row', 'integer')
    .addColumn('section', 'text')
    .addColumn('question', 'text', (c) => c.notNull())
    .addColumn('answer_cell', 'text')
    .addColumn('comment_cell', 'text')
    .addColumn('vocabulary', 'jsonb')
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('answered','review','unanswered')`))
    .addColumn('result', 'jsonb', (c) => c.notNull())
    .addColumn('review_state', 'text', (c) => c.notNull().check(sql`review_state in ('pending','approved','edited','rejected')`))
    .addColumn('final_answer', 'text', (c) => c.check(sql`final_answer in ('Yes','No','Partial','N/A')`))
    .addColumn('final_text', 'text')
    .addColumn('assignee', 'text')
    .addColumn('reviewed_by', 'text')
    .addColumn('reviewed_at', 'timestamptz')
    .addUniqueConstraint('questionnaire_items_position', ['questionnaire_id', 'position'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('questionnaire_items').ifExists().execute();
  await db.schema.dropTable('questionnaire_files').ifExists().execute();
  await db.schema.dropTable('questionnaires').ifExists().execute();
}
