import type { Kysely, Selectable } from 'kysely';
import type { MailMessagesTable } from './tables.js';
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../clock.js';
import type { Database, DbOrTx } from '../../db/database.js';
import type { MailTransport } from './transport.js';
import { ConflictError, NotFoundError } from '../../errors.js';
import { appendAudit, type Actor } from '../audit/service.js';

export interface MailInput {
  to: string;
  subject: string;
  text: string;
  purpose: string;
  /**
   * Parts of the text that grant access (personal links): kept only until the message is
   * delivered, so the outbox table (and every backup of it) does not hold working links.
   */
  secrets?: string[];
}

export const REMOVED_AFTER_DELIVERY = '[personal link removed after delivery]';

/** The text as the row keeps it once delivered, or null when there is nothing to remove. */
export function textAfterDelivery(mail: Pick<MailInput, 'text' | 'secrets'>): string | null {
  const secrets = (mail.secrets ?? []).filter(Boolean);
  if (!secrets.length) return null;
  return secrets.reduce((text, secret) => text.split(secret).join(REMOVED_AFTER_DELIVERY), mail.text);
}

const MAX_ATTEMPTS = 5;

/** Queues a message in the caller's transaction: it exists exactly when the change it reports does. */
export async function queueMail(db: DbOrTx, clock: Clock, mail: MailInput): Promise<string> {
  const id = randomUUID();
  await db
    .insertInto('mail_messages')
    .values({
      id,
      to_address: mail.to,
      subject: mail.subject,
      body_text: mail.text,
      body_after_delivery: textAfterDelivery(mail),
      purpose: mail.purpose,
      status: 'pending',
      attempts: 0,
      created_at: clock.now(),
      next_attempt_at: clock.now(),
    })
    .execute();
  return id;
}

/**
 * Sends what is due. A failure is retried with growing pauses and, after five attempts, marked
 * failed for staff to see — never silently dropped. Several instances may drain the outbox at
 * once: each message is claimed with FOR UPDATE SKIP LOCKED and sent while its row stays locked,
 * so another instance skips it and, once committed as sent, never sees it due again.
 */
export async function deliverDueMail(db: Kysely<Database>, clock: Clock, transport: MailTransport, from: string, log: (msg: string) => void = () => {}): Promise<{ sent: number; failed: number }> {
  const now = clock.now();
  let sent = 0;
  let failed = 0;
  for (let i = 0; i < BATCH; i++) {
    const outcome = await db.transaction().execute(async (tx) => {
      const mail = await tx
        .selectFrom('mail_messages')
        .selectAll()
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', now)
        .orderBy('created_at')
        .limit(1)
        .forUpdate()
        .skipLocked()
        .executeTakeFirst();
      if (!mail) return null;
      return deliverOne(tx, mail, { now, transport, from, log });
    });
    if (outcome === null) break;
    if (outcome === 'sent') sent++;
    else failed++;
  }
  return { sent, failed };
}

const BATCH = 50;

async function deliverOne(
  tx: DbOrTx,
  mail: Selectable<MailMessagesTable>,
  { now, transport, from, log }: { now: Date; transport: MailTransport; from: string; log: (msg: string) => void },
): Promise<'sent' | 'failed'> {
  try {
    await transport.send({ id: mail.id, from, to: mail.to_address, subject: mail.subject, text: mail.body_text, date: now });
  } catch (error) {
    const attempts = mail.attempts + 1;
    const message = error instanceof Error ? error.message : String(error);
    await tx
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
    return 'failed';
  }
  await tx
    .updateTable('mail_messages')
    .set((eb) => ({ status: 'sent', sent_at: now, attempts: mail.attempts + 1, last_error: null, body_text: eb.fn.coalesce('body_after_delivery', 'body_text'), body_after_delivery: null }))
    .where('id', '=', mail.id)
    .execute();
  return 'sent';
}

export async function listMail(db: DbOrTx, limit = 100) {
  return db.selectFrom('mail_messages').selectAll().orderBy('created_at', 'desc').limit(limit).execute();
}

/** Puts a failed message back in the queue (staff action), on the audit log with it. */
export async function retryMail(db: Kysely<Database>, clock: Clock, id: string, by: Actor): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const mail = await tx.selectFrom('mail_messages').select(['id', 'status', 'purpose', 'attempts']).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!mail) throw new NotFoundError('No such message.');
    if (mail.status !== 'failed') throw new ConflictError(`This message is ${mail.status}; only a failed message can be retried.`);
    await tx.updateTable('mail_messages').set({ status: 'pending', next_attempt_at: clock.now() }).where('id', '=', id).execute();
    await appendAudit(tx, clock, { ...by, action: 'mail.retry_requested', subject: id, details: { purpose: mail.purpose, attempts: mail.attempts } });
  });
}
