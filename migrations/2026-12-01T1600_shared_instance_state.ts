import { sql, type Kysely } from 'kysely';

// Frozen in time: this file never imports application code.
// What one instance used to keep to itself, in rows every instance reads (when DATABASE_URL is
// set): uploaded evidence files, uploads waiting for a question column, and rate-limit counters.

export async function up(db: Kysely<any>): Promise<void> {
  // Content-addressed: one row per distinct file, however many versions point at it.
  await db.schema
    .createTable('evidence_files')
    .addColumn('sha256', 'text', (c) => c.primaryKey().check(sql`sha256 ~ '^[0-9a-f]{64}$'`))
    .addColumn('data', 'bytea', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull().check(sql`size >= 0`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('pending_uploads')
    .addColumn('token', 'text', (c) => c.primaryKey())
    .addColumn('owner', 'text', (c) => c.notNull())
    // Everything about the upload except its bytes (name, service, audience, file name).
    .addColumn('input', 'jsonb', (c) => c.notNull())
    .addColumn('data', 'bytea', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('pending_uploads_expiry').on('pending_uploads').column('expires_at').execute();
  await db.schema
    .createTable('rate_limit_hits')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('hits', 'integer', (c) => c.notNull().check(sql`hits >= 0`))
    .addColumn('window_ends', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('rate_limit_hits_window').on('rate_limit_hits').column('window_ends').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('rate_limit_hits').ifExists().execute();
  await db.schema.dropTable('pending_uploads').ifExists().execute();
  await db.schema.dropTable('evidence_files').ifExists().execute();
}
