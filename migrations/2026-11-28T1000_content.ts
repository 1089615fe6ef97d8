import { sql, type Kysely } from 'kysely';

// Frozen in time: this file never imports application code.


export async function up(db: Kysely<any>): Promise<void> {
  const synced = (t: any) =>
    t
      .addColumn('position', 'integer', (c: any) => c.notNull().defaultTo(0))
      .addColumn('source_file', 'text')
      .addColumn('content_hash', 'text', (c: any) => c.notNull())
      .addColumn('edited_by', 'text')
      .addColumn('edited_at', 'timestamptz')
      .addColumn('synced_at', 'timestamptz', (c: any) => c.notNull().defaultTo(sql`now()`));

  await db.schema
    .createTable('content_revisions')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('synced_at', 'timestamptz', (c) => c.notNull())
    .addColumn('counts', 'jsonb', (c) => c.notNull())
    .addColumn('changes', 'jsonb', (c) => c.notNull())
    .addColumn('conflicts', 'jsonb', (c) => c.notNull())
    .execute();

  await synced(
    db.schema
      .createTable('content_documents')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('data', 'jsonb', (c) => c.notNull()),
  ).execute();

  await synced(
    db.schema
      .createTable('frameworks')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('edition', 'text', (c) => c.notNull()),
  ).execute();

  await synced(
    db.schema
      .createTable('controls')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('framework_id', 'text', (c) => c.notNull())
      .addColumn('ref', 'text', (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('theme', 'text', (c) => c.notNull().check(sql`theme in ('organizational','people','physical','technological','cloud')`))
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('keywords', 'jsonb', (c) => c.notNull())
      .addColumn('focus', 'jsonb', (c) => c.notNull())
      .addColumn('guidance_clause', 'text')
      .addColumn('guidance_provider', 'text')
      .addColumn('guidance_customer', 'text'),
  ).execute();

  await synced(
    db.schema
      .createTable('control_mappings')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('title_2013', 'text', (c) => c.notNull())
      .addColumn('to_refs', 'jsonb', (c) => c.notNull())
      .addColumn('relationship', 'text', (c) => c.notNull()),
  ).execute();

  await synced(
    db.schema
      .createTable('services')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('model', 'text', (c) => c.notNull().check(sql`model in ('IaaS','PaaS','SaaS')`))
      .addColumn('summary', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull()),
  ).execute();

  await synced(
    db.schema
      .createTable('responsibilities')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('control_id', 'text', (c) => c.notNull())
      .addColumn('service_id', 'text', (c) => c.notNull())
      .addColumn('party', 'text', (c) => c.notNull().check(sql`party in ('provider','customer','shared','not-applicable')`))
      .addColumn('provider_duty', 'text')
      .addColumn('customer_duty', 'text')
      .addColumn('reason', 'text')
      .addColumn('owner', 'text')
      .addColumn('evidence_ids', 'jsonb', (c) => c.notNull()),
  ).execute();
  await db.schema.createIndex('responsibilities_control_idx').on('responsibilities').column('control_id').execute();
  await db.schema.createIndex('responsibilities_service_idx').on('responsibilities').column('service_id').execute();

  await synced(
    db.schema
      .createTable('evidence')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('summary', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) =>
        c.notNull().check(sql`kind in ('policy','procedure','report','certificate','configuration','log-sample','record','test-result','screenshot')`),
      )
      .addColumn('owner', 'text', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('collected_on', 'text', (c) => c.notNull())
      .addColumn('review_by', 'text', (c) => c.notNull())
      .addColumn('control_ids', 'jsonb', (c) => c.notNull())
      .addColumn('access', 'text', (c) => c.notNull().check(sql`access in ('public','nda','internal')`))
      .addColumn('file_name', 'text')
      .addColumn('media_type', 'text')
      .addColumn('size', 'integer')
      .addColumn('sha256', 'text')
      .addColumn('storage', 'text', (c) => c.notNull().defaultTo('content').check(sql`storage in ('content','upload')`)),
  ).execute();

  await db.schema
    .createTable('evidence_versions')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('evidence_id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('origin', 'text', (c) => c.notNull().check(sql`origin in ('content','upload')`))
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('media_type', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('storage_key', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addUniqueConstraint('evidence_versions_unique', ['evidence_id', 'version'])
    .execute();

  await synced(
    db.schema
      .createTable('data_categories')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull()),
  ).execute();

  await synced(
    db.schema
      .createTable('regions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('data', 'jsonb', (c) => c.notNull()),
  ).execute();

  await synced(
    db.schema
      .createTable('subprocessors')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('data', 'jsonb', (c) => c.notNull()),
  ).execute();

  await synced(
    db.schema
      .createTable('certifications')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('data', 'jsonb', (c) => c.notNull()),
  ).execute();

  await synced(
    db.schema
      .createTable('disclosure_changes')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('published_on', 'text', (c) => c.notNull())
      .addColumn('effective_on', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('location','subprocessor','certification','notice')`))
      .addColumn('data', 'jsonb', (c) => c.notNull()),
  ).execute();

  await synced(
    db.schema
      .createTable('library_answers')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('topic', 'text', (c) => c.notNull())
      .addColumn('question', 'text', (c) => c.notNull())
      .addColumn('phrasings', 'jsonb', (c) => c.notNull())
      .addColumn('answer', 'text', (c) => c.notNull().check(sql`answer in ('Yes','No','Partial','N/A')`))
      .addColumn('explanation', 'text', (c) => c.notNull())
      .addColumn('control_ids', 'jsonb', (c) => c.notNull())
      .addColumn('evidence_ids', 'jsonb', (c) => c.notNull())
      .addColumn('access', 'text', (c) => c.notNull().check(sql`access in ('public','nda','internal')`))
      .addColumn('owner', 'text', (c) => c.notNull())
      .addColumn('reviewed_on', 'text', (c) => c.notNull())
      .addColumn('service_overrides', 'jsonb', (c) => c.notNull()),
  ).execute();

  await synced(
    db.schema
      .createTable('faq_entries')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('question', 'text', (c) => c.notNull())
      .addColumn('answer_md', 'text', (c) => c.notNull())
      .addColumn('citations', 'jsonb', (c) => c.notNull()),
  ).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'faq_entries',
    'library_answers',
    'disclosure_changes',
    'certifications',
    'subprocessors',
    'regions',
    'data_categories',
    'evidence_versions',
    'evidence',
    'responsibilities',
    'services',
    'control_mappings',
    'controls',
    'frameworks',
    'content_documents',
    'content_revisions',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
