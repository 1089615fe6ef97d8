import type { Kysely } from 'kysely';
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../clock.js';
import type { Database, DbOrTx } from '../../db/database.js';
import type { MailTransport } from './transport.js';

export interface MailInput {
  to: string;
  subject: string;
  text: string;
  purpose: string;
}

const MAX_ATTEMPTS = 5;

/** Queues a message in the caller's transaction: it exists exactly when the change it reports does. */
export async function queueMail(db: DbOrTx, clock: Clock, mail: MailInput): Promise<string> {
  const id = randomUUID();
  await db
    .insertInto('mail_messages')
    .values({ id, to_address: mail.to, subject: mail.subject, body_text: mail.text, purpose: mail.purpose, status: 'pending', attempts: 0, created_at: clock.now(), next_attempt_at: clock.now() })
    .execute();
  return id;
}

/**
 * Sends what is due. A failure is retried with growing pauses and, after five attempts, marked
 * failed for staff to see — never silently dropped.
 */
export async function deliverDueMail(db: Kysely<Database>, clock: Clock, transport: MailTransport, from: string, log: (msg: string) => void = () => {}): Promise<{ sent: number; failed: number }> {
  const now = clock.now();
  const due = await db.selectFrom('mail_messages').selectAll().where('status', '=', 'pending').where('next_attempt_at', '<=', now).orderBy('created_at').limit(50).execute();
  let sent = 0;
  let failed = 0;
  for (const mail of due) {
    try {
      await transport.send({ id: mail.id, from, to: mail.to_address, subject: mail.subject, text: mail.body_text, date: now });
      await db.updateTable('mail_messages').set({ status: 'sent', sent_at: now, attempts: mail.attempts + 1, last_error: null }).where('id', '=', mail.id).execute();
      sent++;
    } catch (error) {
      const attempts = mail.attempts + 1;
      const message = error instanceof Error ? error.message : String(error);
      await db
        .updateTable('mail_messages')
        .set({
          attempts,
          last_error: message.slice(0, 500),
          status: attempts >= MAX_ATTEMPTS ? 'failed' : 'pending',
          next_attempt_at: new Date(now.getTime() + 60_000 * 2 ** attempts),
        })
        .where('id', '=', mail.id)
        .execute();
      log(`mail ${mail.id} to ${mail.to_address} failed (attempt ${attempts}): ${message}`);
      failed++;
    }
  }
  return { sent, failed };
}

export async function listMail(db: DbOrTx, limit = 100) {
  return db.selectFrom('mail_messages').selectAll().orderBy('created_at', 'desc').limit(limit).execute();
}

/** Puts a failed message back in the queue (staff action). */
export async function retryMail(db: DbOrTx, clock: Clock, id: string): Promise<void> {
  await db.updateTable('mail_messages').set({ status: 'pending', next_attempt_at: clock.now() }).where('id', '=', id).where('status', '=', 'failed').execute();
}
