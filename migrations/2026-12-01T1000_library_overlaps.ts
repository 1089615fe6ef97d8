import { sql, type Kysely } from 'kysely';

// Frozen in time: this file never imports application code.
// Library overlaps (two answers to the same question that disagree) are computed once per
// knowledge version and kept here, so no page view recomputes them.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('library_overlaps')
    .addColumn('knowledge_version', 'text', (c) => c.primaryKey())
    .addColumn('computed_at', 'timestamptz', (c) => c.notNull())
    .addColumn('overlaps', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('library_overlaps').ifExists().execute();
}
