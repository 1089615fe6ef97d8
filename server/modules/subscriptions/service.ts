import type { Kysely } from 'kysely';
import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../clock.js';
import { today } from '../../clock.js';
import type { Config } from '../../config.js';
import type { Database } from '../../db/database.js';
import { NotFoundError, ValidationError } from '../../errors.js';
import { appendAudit } from '../audit/service.js';
import { queueMail } from '../mail/service.js';

const EMAIL = /^[^\s@<>()",;:]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

interface Ctx {
  db: Kysely<Database>;
  clock: Clock;
  config: Config;
}

/**
 * Double opt-in: a subscription counts only once its owner follows the link sent to it. The
 * answer is the same whether the address was already subscribed or not.
 */
export async function subscribe(ctx: Ctx, rawEmail: unknown, ip: string | null): Promise<void> {
  const email = typeof rawEmail === 'string' ? rawEmail.trim() : '';
  if (!EMAIL.test(email) || email.length > 254) throw new ValidationError('Enter a valid email address.');
  const token = randomBytes(32).toString('base64url');
  await ctx.db.transaction().execute(async (tx) => {
    const recent = await tx
      .selectFrom('subscriptions')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
      .where('created_at', '>', new Date(ctx.clock.now().getTime() - 3_600_000))
      .executeTakeFirstOrThrow();
    if (Number(recent.n) >= 3) return; // quietly: no mail flood to someone else's inbox
    await tx.insertInto('subscriptions').values({ id: randomUUID(), email, token_hash: sha256(token), status: 'pending', created_at: ctx.clock.now() }).execute();
    await queueMail(tx, ctx.clock, {
      to: email,
      subject: 'Confirm your subscription to trust-center changes',
      purpose: 'subscription.confirm',
      text: `Someone (hopefully you) asked to receive notices of changes to data locations, subprocessors and certifications.\n\nConfirm here:\n${ctx.config.baseUrl}/subscribe/${token}\n\nIf it was not you, ignore this message.\n`,
      secrets: [`${ctx.config.baseUrl}/subscribe/${token}`],
    });
    await appendAudit(tx, ctx.clock, { actor: email, actorKind: 'public', action: 'subscription.requested', subject: email, ip });
  });
}

async function byToken(ctx: Ctx, token: string) {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) throw new NotFoundError('There is nothing at this address.');
  const row = await ctx.db.selectFrom('subscriptions').selectAll().where('token_hash', '=', sha256(token)).executeTakeFirst();
  if (!row) throw new NotFoundError('There is nothing at this address.');
  return row;
}

export async function confirm(ctx: Ctx, token: string): Promise<string> {
  const row = await byToken(ctx, token);
  if (row.status === 'pending') {
    await ctx.db.updateTable('subscriptions').set({ status: 'confirmed', confirmed_at: ctx.clock.now() }).where('id', '=', row.id).execute();
    await appendAudit(ctx.db, ctx.clock, { actor: row.email, actorKind: 'public', action: 'subscription.confirmed', subject: row.email });
  }
  return row.email;
}

/** A stable one-click unsubscribe token: the subscription id signed with the server secret. */
export function unsubscribeToken(config: Config, subscriptionId: string): string {
  return `${subscriptionId}.${createHmac('sha256', config.sessionSecret).update(`unsubscribe:${subscriptionId}`).digest('base64url')}`;
}

export async function unsubscribe(ctx: Ctx, token: string): Promise<string> {
  const [id] = token.split('.');
  const expected = id ? unsubscribeToken(ctx.config, id) : '';
  if (!id || expected.length !== token.length || !timingSafeEqual(Buffer.from(expected), Buffer.from(token))) throw new NotFoundError('There is nothing at this address.');
  const row = await ctx.db.selectFrom('subscriptions').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError('There is nothing at this address.');
  if (row.status !== 'unsubscribed') {
    await ctx.db.updateTable('subscriptions').set({ status: 'unsubscribed', unsubscribed_at: ctx.clock.now() }).where('id', '=', row.id).execute();
    await appendAudit(ctx.db, ctx.clock, { actor: row.email, actorKind: 'public', action: 'subscription.cancelled', subject: row.email });
  }
  return row.email;
}

/** Mails every confirmed subscriber each published change not yet announced, with a one-click unsubscribe link. */
export async function announceChanges(ctx: Ctx): Promise<number> {
  const day = today(ctx.clock);
  const changes = await ctx.db
    .selectFrom('disclosure_changes')
    .leftJoin('announced_changes', 'announced_changes.change_id', 'disclosure_changes.id')
    .select(['disclosure_changes.id', 'disclosure_changes.data', 'disclosure_changes.effective_on'])
    .where('announced_changes.change_id', 'is', null)
    .where('disclosure_changes.published_on', '<=', day)
    .orderBy('disclosure_changes.published_on')
    .execute();
  if (!changes.length) return 0;
  return ctx.db.transaction().execute(async (tx) => {
    const subscribers = await tx.selectFrom('subscriptions').select(['id', 'email']).where('status', '=', 'confirmed').execute();
    let sent = 0;
    for (const change of changes) {
      const data = change.data as { title?: string; summary?: string; reason?: string };
      for (const s of subscribers) {
        const unsubscribeLink = `${ctx.config.baseUrl}/unsubscribe/${unsubscribeToken(ctx.config, s.id)}`;
        await queueMail(tx, ctx.clock, {
          to: s.email,
          subject: `Change notice: ${data.title ?? change.id}`,
          purpose: 'subscription.change',
          text: `${data.title ?? ''}\n\n${data.summary ?? ''}\n${data.reason ? `Reason: ${data.reason}\n` : ''}Effective: ${change.effective_on}\n\nDetails: ${ctx.config.baseUrl}/changes#${change.id}\n\nUnsubscribe with one click: ${unsubscribeLink}\n`,
          secrets: [unsubscribeLink],
        });
        sent++;
      }
      await tx.insertInto('announced_changes').values({ change_id: change.id, announced_at: ctx.clock.now(), recipients: subscribers.length }).execute();
    }
    return sent;
  });
}
