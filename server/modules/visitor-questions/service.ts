import type { Kysely } from 'kysely';
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../clock.js';
import type { Database } from '../../db/database.js';
import { NotFoundError, ValidationError } from '../../errors.js';
import { appendAudit, type Actor } from '../audit/service.js';
import { queueMail } from '../mail/service.js';
import * as q from './queries.js';

const EMAIL = /^[^\s@<>()",;:]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;
/** A visitor may send this many questions an hour: enough to ask, too few to flood the team. */
const PER_HOUR = 5;

export interface VisitorQuestionContext {
  db: Kysely<Database>;
  clock: Clock;
  /** Where the security team reads visitor questions. */
  teamEmail: string | null;
  providerName: string;
}

/**
 * A question nothing published answers goes to the security team. The visitor's acknowledgement
 * never repeats what they wrote, so the form cannot be used to send arbitrary text to anyone.
 */
export async function sendVisitorQuestion(ctx: VisitorQuestionContext, input: { question?: unknown; email?: unknown }, ip: string | null): Promise<string | null> {
  const question = typeof input.question === 'string' ? input.question.trim() : '';
  const email = typeof input.email === 'string' ? input.email.trim() : '';
  if (question.length < 5) throw new ValidationError('Write the question you want the security team to answer.');
  if (question.length > 2000) throw new ValidationError('The question is too long (2,000 characters at most).');
  if (!EMAIL.test(email) || email.length > 254) throw new ValidationError('Enter a valid email address so the security team can reply.');
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (tx) => {
    if ((await q.countRecentFrom(tx, email, new Date(now.getTime() - 3_600_000))) >= PER_HOUR) return null;
    const id = randomUUID();
    await q.insertVisitorQuestion(tx, { id, question, email, created_at: now });
    await appendAudit(tx, ctx.clock, { actor: email, actorKind: 'public', action: 'visitor_question.received', subject: `visitor-question:${id}`, ip, details: { length: question.length } });
    if (ctx.teamEmail) {
      await queueMail(tx, ctx.clock, {
        to: ctx.teamEmail,
        subject: 'A visitor asked a security question',
        purpose: 'visitor_question.team',
        text: `A visitor of the trust center asked a question that nothing published answers.\n\nFrom: ${email}\n\n${question}\n\nAnswer it and mark it done in the admin under Visitor questions.\n`,
      });
    }
    await queueMail(tx, ctx.clock, {
      to: email,
      subject: `${ctx.providerName}: we received your security question`,
      purpose: 'visitor_question.ack',
      text: `Hello,\n\nthe ${ctx.providerName} security team received your question and will reply to this address.\n\nIf you did not ask a question on our trust center, ignore this message.\n`,
    });
    return id;
  });
}

export async function closeVisitorQuestion(db: Kysely<Database>, clock: Clock, id: string, by: Actor, libraryAnswerId: string | null = null): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const found = await q.findVisitorQuestion(tx, id);
    if (!found) throw new NotFoundError('No such visitor question.');
    if (found.status === 'done' && !libraryAnswerId) return;
    await q.markVisitorQuestion(tx, id, { status: 'done', by: by.actor, at: clock.now(), libraryAnswerId });
    await appendAudit(tx, clock, { ...by, action: 'visitor_question.done', subject: `visitor-question:${id}`, details: { libraryAnswerId } });
  });
}

export { listVisitorQuestions, findVisitorQuestion } from './queries.js';
