import type { Kysely } from 'kysely';
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../clock.js';
import type { Config } from '../../config.js';
import type { Database, DbOrTx } from '../../db/database.js';
import { AppError, ForbiddenError, GoneError, NotFoundError, ValidationError } from '../../errors.js';
import { appendAudit, type Actor } from '../audit/service.js';
import { findContentDocument } from '../content/queries.js';
import type { AccessRules, NdaDocument } from '../content/types.js';
import { queueMail } from '../mail/service.js';
import * as q from './queries.js';

const EMAIL = /^[^\s@<>()",;:]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;
const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

export class RateLimitedError extends AppError {
  constructor(message: string) {
    super(429, 'rate_limited', message);
  }
}

export interface RequestInput {
  name: string;
  email: string;
  company: string;
  reason: string;
  documents: string[];
}

export interface AccessContext {
  db: Kysely<Database>;
  clock: Clock;
  config: Config;
}

const defaultRules: AccessRules = { autoApprove: { domains: [] }, autoDeny: { domains: [], reason: 'This request cannot be approved.' }, defaultExpiryDays: 30, maxExpiryDays: 365 };

async function rulesOf(db: Kysely<Database>): Promise<AccessRules> {
  return (await findContentDocument<AccessRules>(db, 'access-rules')) ?? defaultRules;
}

export async function currentNda(db: Kysely<Database>): Promise<NdaDocument> {
  const nda = await findContentDocument<NdaDocument>(db, 'nda');
  if (!nda) throw new AppError(503, 'no_nda', 'No NDA is configured (content/nda/nda.md); restricted documents cannot be shared yet.');
  return nda;
}

function clean(value: unknown, field: string, max: number): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (!text) throw new ValidationError(`Please fill in ${field}.`);
  if (text.length > max) throw new ValidationError(`${field[0].toUpperCase()}${field.slice(1)} is too long (${max} characters at most).`);
  return text;
}

function domainOf(email: string): string {
  return email.split('@')[1].toLowerCase();
}

function matchesDomain(domain: string, list: string[]): boolean {
  return list.some((d) => domain === d || domain.endsWith(`.${d}`));
}

/**
 * A request for restricted documents. Rules decide what they can (allow-listed customers are
 * approved, block-listed domains denied); everything else waits for staff. The answer looks the
 * same whoever asks, so it reveals nothing about known emails or companies.
 */
export async function submitRequest(ctx: AccessContext, raw: Partial<Record<keyof RequestInput, unknown>>, ip: string | null): Promise<{ id: string; status: 'pending' | 'approved' | 'denied' }> {
  const { db, clock, config } = ctx;
  const input: RequestInput = {
    name: clean(raw.name, 'your name', 200),
    email: clean(raw.email, 'your work email', 254),
    company: clean(raw.company, 'your company', 200),
    reason: clean(raw.reason, 'the reason for the request', 2000),
    documents: Array.isArray(raw.documents) ? raw.documents.map(String) : typeof raw.documents === 'string' ? [raw.documents] : [],
  };
  if (!EMAIL.test(input.email)) throw new ValidationError(`"${input.email}" is not an email address.`);
  const documents = [...new Set(input.documents)];
  if (!documents.length) throw new ValidationError('Choose at least one document.');
  const available = await q.findRequestableDocuments(db, documents);
  if (available.length !== documents.length) throw new ValidationError('One or more of the chosen documents cannot be requested.');
  const now = clock.now();
  if ((await q.countRecentRequestsByEmail(db, input.email, new Date(now.getTime() - 3_600_000))) >= 3) {
    throw new RateLimitedError('Too many requests from this email address in the last hour. Please try again later.');
  }
  const rules = await rulesOf(db);
  const domain = domainOf(input.email);
  const id = randomUUID();
  const decision = matchesDomain(domain, rules.autoDeny.domains) ? 'denied' : matchesDomain(domain, rules.autoApprove.domains) ? 'approved' : 'pending';
  await db.transaction().execute(async (tx) => {
    await tx
      .insertInto('access_requests')
      .values({
        id,
        name: input.name,
        email: input.email,
        company: input.company,
        reason: input.reason,
        document_ids: JSON.stringify(documents),
        status: decision,
        decided_by: decision === 'pending' ? null : `rule:${decision === 'approved' ? 'auto-approve' : 'auto-deny'} ${domain}`,
        decided_kind: decision === 'pending' ? null : 'rule',
        decision_reason: decision === 'denied' ? rules.autoDeny.reason : null,
        ip,
        created_at: now,
        decided_at: decision === 'pending' ? null : now,
      })
      .execute();
    await appendAudit(tx, clock, { actor: input.email, actorKind: 'public', action: 'access.requested', subject: id, ip, details: { documents, company: input.company } });
    if (decision === 'pending') {
      await queueMail(tx, clock, {
        to: input.email,
        subject: 'We received your request for security documents',
        purpose: 'access.acknowledgement',
        // Nothing the requester typed goes into mail to the address they typed: the form must not
        // become a way to send the provider's name with someone else's words to anyone.
        text: `Hello,\n\nthank you for your request for: ${available.map((d) => d.title).join(', ')}.\nOur team reviews requests within two working days; you will receive a link by email once it is approved.\nIf you did not ask for these documents, ignore this message.\n`,
      });
      for (const to of await q.staffRecipients(tx)) {
        await queueMail(tx, clock, {
          to,
          subject: `Document request from ${input.company}`,
          purpose: 'access.staff_notification',
          text: `${input.name} <${input.email}> of ${input.company} requests: ${available.map((d) => d.title).join(', ')}.\nReason: ${input.reason}\n\nDecide at ${config.baseUrl}/admin/access/${id}\n`,
        });
      }
      await appendAudit(tx, clock, { actor: 'evident', actorKind: 'system', action: 'access.email_queued', subject: id, details: { purpose: 'acknowledgement' } });
    } else if (decision === 'denied') {
      await appendAudit(tx, clock, { actor: `rule:auto-deny`, actorKind: 'rule', action: 'access.denied', subject: id, details: { domain, reason: rules.autoDeny.reason } });
      await queueMail(tx, clock, {
        to: input.email,
        subject: 'Your request for security documents',
        purpose: 'access.denied',
        text: `Hello,\n\nwe cannot approve this request: ${rules.autoDeny.reason}\n`,
      });
    } else {
      await createGrant(tx as unknown as Kysely<Database>, ctx, id, { name: input.name, email: input.email }, documents, rules.defaultExpiryDays, { actor: `rule:auto-approve`, actorKind: 'rule' });
    }
  });
  return { id, status: decision };
}

async function createGrant(
  tx: Kysely<Database>,
  ctx: AccessContext,
  requestId: string,
  requester: { name: string; email: string },
  documents: string[],
  expiresInDays: number,
  by: Actor,
): Promise<{ id: string; expiresAt: Date; documents: string[]; token: string }> {
  const token = randomBytes(32).toString('base64url');
  const id = randomUUID();
  const now = ctx.clock.now();
  const expiresAt = new Date(now.getTime() + expiresInDays * 86_400_000);
  await tx.insertInto('access_grants').values({ id, request_id: requestId, token_hash: sha256(token), document_ids: JSON.stringify(documents), expires_at: expiresAt, created_at: now }).execute();
  await appendAudit(tx, ctx.clock, { ...by, action: 'access.approved', subject: requestId, details: { grantId: id, documents, expiresAt: expiresAt.toISOString() } });
  const link = `${ctx.config.baseUrl}/access/${token}`;
  await queueMail(tx, ctx.clock, {
    to: requester.email,
    subject: 'Your access to security documents',
    purpose: 'access.grant_link',
    text: `Hello,\n\nyour request is approved. Open this link, accept the NDA, and download the documents:\n\n${link}\n\nThe link is personal and works until ${expiresAt.toISOString().slice(0, 10)}.\n`,
    secrets: [link],
  });
  await appendAudit(tx, ctx.clock, { actor: 'evident', actorKind: 'system', action: 'access.email_queued', subject: requestId, details: { purpose: 'grant_link', grantId: id } });
  return { id, expiresAt, documents, token };
}

export async function approveRequest(ctx: AccessContext, requestId: string, options: { documents?: string[]; expiresInDays?: number }, by: Actor) {
  const rules = await rulesOf(ctx.db);
  const days = options.expiresInDays ?? rules.defaultExpiryDays;
  if (!Number.isInteger(days) || days < 1 || days > rules.maxExpiryDays) throw new ValidationError(`expiresInDays must be a whole number from 1 to ${rules.maxExpiryDays}.`);
  return ctx.db.transaction().execute(async (tx) => {
    const request = await q.findRequest(tx, requestId);
    if (!request) throw new NotFoundError('No such request.');
    if (request.status !== 'pending') throw new ValidationError(`This request is already ${request.status}.`);
    const documents = options.documents?.length ? [...new Set(options.documents)] : request.document_ids;
    const available = await q.findRequestableDocuments(tx, documents);
    if (available.length !== documents.length) throw new ValidationError('One or more of the chosen documents cannot be shared.');
    await tx.updateTable('access_requests').set({ status: 'approved', decided_by: by.actor, decided_kind: 'user', decided_at: ctx.clock.now() }).where('id', '=', requestId).execute();
    const grant = await createGrant(tx as unknown as Kysely<Database>, ctx, requestId, request, documents, days, by);
    return { id: grant.id, expiresAt: grant.expiresAt, documents: grant.documents };
  });
}

export async function denyRequest(ctx: AccessContext, requestId: string, reason: string, by: Actor): Promise<void> {
  if (!reason?.trim()) throw new ValidationError('Give the reason for the denial; the requester reads it.');
  await ctx.db.transaction().execute(async (tx) => {
    const request = await q.findRequest(tx, requestId);
    if (!request) throw new NotFoundError('No such request.');
    if (request.status !== 'pending') throw new ValidationError(`This request is already ${request.status}.`);
    await tx.updateTable('access_requests').set({ status: 'denied', decided_by: by.actor, decided_kind: 'user', decision_reason: reason.trim(), decided_at: ctx.clock.now() }).where('id', '=', requestId).execute();
    await appendAudit(tx, ctx.clock, { ...by, action: 'access.denied', subject: requestId, details: { reason: reason.trim() } });
    await queueMail(tx, ctx.clock, { to: request.email, subject: 'Your request for security documents', purpose: 'access.denied', text: `Hello,\n\nwe cannot approve your request: ${reason.trim()}\n` });
  });
}

export async function revokeGrant(ctx: AccessContext, grantId: string, by: Actor): Promise<void> {
  await ctx.db.transaction().execute(async (tx) => {
    const grant = await q.findGrant(tx, grantId);
    if (!grant) throw new NotFoundError('No such grant.');
    if (grant.revoked_at) return;
    await tx.updateTable('access_grants').set({ revoked_at: ctx.clock.now(), revoked_by: by.actor }).where('id', '=', grantId).execute();
    await appendAudit(tx, ctx.clock, { ...by, action: 'access.revoked', subject: grant.request_id, details: { grantId } });
  });
}

export type GrantState = 'active' | 'expired' | 'revoked';

export function grantState(grant: { expires_at: Date; revoked_at: Date | null }, now: Date): GrantState {
  if (grant.revoked_at) return 'revoked';
  return grant.expires_at <= now ? 'expired' : 'active';
}

/**
 * The grant behind a link. Unknown tokens are indistinguishable from any missing page (404);
 * a token that existed but no longer works says only that (410).
 */
export async function resolveGrant(ctx: AccessContext, token: string) {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) throw new NotFoundError('There is nothing at this address.');
  const hash = sha256(token);
  const grant = await q.findGrantByTokenHash(ctx.db, hash);
  // The lookup is by hash; the final comparison is constant-time all the same.
  if (!grant || !timingSafeEqual(Buffer.from(grant.token_hash), Buffer.from(hash))) throw new NotFoundError('There is nothing at this address.');
  if (grantState(grant, ctx.clock.now()) !== 'active') throw new GoneError('This link is no longer valid: it has expired or was withdrawn. You can request the documents again.');
  const request = (await q.findRequest(ctx.db, grant.request_id))!;
  return { grant, request };
}

export async function hasAcceptedCurrentNda(ctx: AccessContext, grantId: string): Promise<boolean> {
  const nda = await currentNda(ctx.db);
  return Boolean(await q.findAcceptance(ctx.db, grantId, nda.version, nda.sha256));
}

export async function acceptNda(ctx: AccessContext, token: string, input: { name?: unknown; accept?: unknown }, ip: string | null, userAgent: string | null): Promise<void> {
  const { grant, request } = await resolveGrant(ctx, token);
  const name = typeof input.name === 'string' ? input.name.trim() : '';
  if (name.length < 2) throw new ValidationError('Type your full name to sign.');
  if (input.accept !== 'on' && input.accept !== true && input.accept !== 'true') throw new ValidationError('Tick the box to accept the agreement.');
  const nda = await currentNda(ctx.db);
  await ctx.db.transaction().execute(async (tx) => {
    await tx
      .insertInto('nda_acceptances')
      .values({ grant_id: grant.id, nda_version: nda.version, nda_sha256: nda.sha256, name: name.slice(0, 200), email: request.email, ip, user_agent: userAgent?.slice(0, 500) ?? null, accepted_at: ctx.clock.now() })
      .execute();
    await appendAudit(tx, ctx.clock, { actor: request.email, actorKind: 'public', action: 'access.nda_accepted', subject: request.id, ip, details: { grantId: grant.id, ndaVersion: nda.version, ndaSha256: nda.sha256, name } });
  });
}
