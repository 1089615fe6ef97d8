import { sql, type Kysely } from 'kysely';

// Frozen in time: this file never imports application code.
// A library answer says what kind of question it answers; only yes/no and event answers carry a
// canonical short answer, and an event answer states the day it was true on.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('library_answers')
    .addColumn('kind', 'text', (c) => c.notNull().defaultTo('yes-no').check(sql`kind in ('yes-no','open','responsibility','field','event')`))
    .execute();
  await db.schema.alterTable('library_answers').addColumn('as_of', 'text').execute();
  await db.schema.alterTable('library_answers').alterColumn('answer', (c) => c.dropNotNull()).execute();
  await sql`alter table library_answers add constraint library_answers_kind_answer check (
    (kind in ('yes-no','event')) = (answer is not null))`.execute(db);
  await sql`alter table library_answers add constraint library_answers_event_as_of check (kind <> 'event' or as_of is not null)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table library_answers drop constraint library_answers_event_as_of`.execute(db);
  await sql`alter table library_answers drop constraint library_answers_kind_answer`.execute(db);
  await sql`update library_answers set answer = 'Yes' where answer is null`.execute(db);
  await db.schema.alterTable('library_answers').alterColumn('answer', (c) => c.setNotNull()).execute();
  await db.schema.alterTable('library_answers').dropColumn('as_of').execute();
  await db.schema.alterTable('library_answers').dropColumn('kind').execute();
}
