import { sql, type Kysely } from 'kysely';

// Frozen in time: this file never imports application code.
// A message that carries a personal link (NDA grant, subscription confirmation) keeps the link
// only until it is delivered; body_after_delivery is what the row keeps from then on. Messages
// delivered before this migration lose their links now.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('mail_messages').addColumn('body_after_delivery', 'text').execute();
  await sql`update mail_messages
    set body_text = regexp_replace(body_text, '/(access|subscribe|unsubscribe)/[A-Za-z0-9_.-]{20,}', '/\\1/[personal link removed after delivery]', 'g')
    where status = 'sent'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('mail_messages').dropColumn('body_after_delivery').execute();
}
