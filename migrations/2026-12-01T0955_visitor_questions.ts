import { sql, type Kysely } from 'kysely';

// Frozen in time: this file never imports application code.
// Questions visitors send to the security team when nothing published answers them.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('visitor_questions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('question', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('open','done')`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('handled_by', 'text')
    .addColumn('handled_at', 'timestamptz')
    .addColumn('library_answer_id', 'text')
    .execute();
  await sql`create index visitor_questions_status_idx on visitor_questions (status, created_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('visitor_questions').ifExists().execute();
}
