import { sql, type Kysely } from 'kysely';

// Frozen in time: this file never imports application code.
// Heavy work (answering a questionnaire) runs as a job: its state and progress live here, so any
// page or instance can show "n of N", and an instance that stops can tell which jobs it left.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('questionnaire.answer')`))
    // What the job works on (a questionnaire id), so a page finds the job of what it shows.
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('input', 'jsonb', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('queued','running','succeeded','failed')`))
    .addColumn('progress_done', 'integer', (c) => c.notNull().defaultTo(0).check(sql`progress_done >= 0`))
    .addColumn('progress_total', 'integer', (c) => c.notNull().defaultTo(0).check(sql`progress_total >= 0`))
    .addColumn('error', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz')
    .addColumn('finished_at', 'timestamptz')
    // The instance that runs (or will run) the job, and until when its claim holds: what a shared
    // queue and the recovery of interrupted jobs need.
    .addColumn('locked_by', 'text')
    .addColumn('lease_until', 'timestamptz')
    .execute();
  await sql`alter table jobs add constraint jobs_finished check ((state in ('succeeded','failed')) = (finished_at is not null))`.execute(db);
  await db.schema.createIndex('jobs_subject').on('jobs').columns(['subject', 'created_at']).execute();
  await db.schema.createIndex('jobs_active').on('jobs').columns(['state', 'locked_by']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('jobs').ifExists().execute();
}
