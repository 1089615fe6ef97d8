import { siteBase } from '../trust-page/render.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { GoneError, NotFoundError, ValidationError } from '../../errors.js';
import { renderMarkdown } from '../../lib/markdown.js';
import { renderAdmin, renderPage } from '../../lib/page.js';
import { toCsv } from '../../lib/csv.js';
import { appendAudit } from '../audit/service.js';
import { listMail, retryMail } from '../mail/service.js';
import { actorOf } from '../audit/actor.js';
import { bodyOf, text, textList } from '../../plugins/input.js';
import * as q from './queries.js';
import * as access from './service.js';
import { downloadAll, downloadDocument } from './downloads.js';
import { ALL, chosenDocuments, offeredBundles } from './bundles.js';
import { attachmentHeader } from '../../lib/download-name.js';

const visitorOf = (request: FastifyRequest) => ({ ip: request.ip, userAgent: request.headers['user-agent'] ?? null });

function asList(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : typeof value === 'string' && value ? [value] : [];
}

/** The provider's identity (name, logo, contacts) as every public page shows it. */
async function site(request: FastifyRequest) {
  return siteBase(await request.server.site.get(), request.url.split('?')[0]!).site;
}

const idParams = { type: 'object', properties: { id: text(100) }, required: ['id'] } as const;
// `bundles`: preset sets of documents (content/evidence/register.yaml), or `all`; their documents join `documents`.
const requestFields = { name: text(200), email: text(254), company: text(200), reason: text(2000), documents: textList(), bundles: textList(), website: text(500) };
// The HTML form re-renders itself with a friendly message for a missing field; the API names it.
const requestForm_ = bodyOf(requestFields);
const requestApi = bodyOf(requestFields, ['name', 'email', 'company', 'reason', 'documents']);
const approveBody = bodyOf({ documents: { type: 'array', maxItems: 100, items: text(200) }, expiresInDays: { type: 'integer', minimum: 1 } });

export async function accessRoutes(app: FastifyInstance): Promise<void> {
  const ctx = { db: app.deps.db, clock: app.deps.clock, config: app.config };
  const publicLimit = { rateLimit: { max: app.config.publicFormRateLimit, timeWindow: 60_000 } };
  const flushMail = () => void app.mail.flush().catch((e: unknown) => app.log.error({ err: e }, 'mail delivery failed'));

  /** What a form or query chose: documents one by one and bundles (or all), with the bundles on offer. */
  const choiceOf = async (source: Record<string, unknown> | undefined) => {
    const requestable = await q.findRequestableDocuments(ctx.db);
    const ids = requestable.map((d) => d.id);
    const bundles = offeredBundles((await app.site.get()).bundles, ids);
    const bundleIds = asList(source?.bundles);
    return { requestable, bundles, bundleIds, documents: chosenDocuments(asList(source?.documents), bundleIds, bundles, ids) };
  };

  const requestForm = async (request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}) => {
    const query = request.query as Record<string, unknown>;
    const choice = await choiceOf(query.documents !== undefined || query.bundles !== undefined ? query : (request.body as Record<string, unknown> | undefined));
    const documents = choice.requestable.map((d) => ({ ...d, checked: choice.documents.includes(d.id) }));
    const titles = new Map(documents.map((d) => [d.id, d.title]));
    const bundles = choice.bundles.map((b) => ({ ...b, documentList: b.documents.join(' '), titles: b.documents.map((id) => titles.get(id)).join(', '), checked: choice.bundleIds.includes(b.id) }));
    return renderPage(reply, 'views/access/request.hbs', {
      title: 'Request restricted documents',
      site: await site(request),
      csrf: request.csrfToken(),
      documents,
      bundles,
      all: { value: ALL, checked: choice.bundleIds.includes(ALL), several: documents.length > 1 },
      ...extra,
    });
  };

  app.get('/access/request', { config: { access: 'public' } }, async (request, reply) => requestForm(request, reply));

  app.post('/access/request', { config: { access: 'public', ...publicLimit }, schema: { body: requestForm_ } }, async (request, reply) => {
    const body = request.body as Record<string, unknown>;
    // A field people never see: bots fill it, and get the same thank-you without a request stored.
    if (typeof body.website === 'string' && body.website.trim()) {
      return renderPage(reply, 'views/access/thanks.hbs', { title: 'Request received', site: await site(request) });
    }
    try {
      await access.submitRequest(ctx, { ...body, documents: (await choiceOf(body)).documents }, request.ip);
    } catch (error) {
      if (error instanceof ValidationError) {
        reply.code(400);
        return requestForm(request, reply, { error: error.message, form: body });
      }
      throw error;
    }
    flushMail();
    return renderPage(reply, 'views/access/thanks.hbs', { title: 'Request received', site: await site(request) });
  });

  app.post('/api/v1/access-requests', { config: { access: 'public', ...publicLimit }, schema: { body: requestApi } }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    if (typeof body.website === 'string' && body.website.trim()) return reply.code(201).send({ id: crypto.randomUUID(), status: 'pending' });
    const result = await access.submitRequest(ctx, { ...body, documents: (await choiceOf(body)).documents }, request.ip);
    flushMail();
    return reply.code(201).send(result);
  });

  app.get('/api/v1/access-requests', { config: { access: 'viewer' } }, async () => ({ requests: await q.listRequests(ctx.db) }));

  app.post('/api/v1/access-requests/:id/approve', { config: { access: 'editor' }, schema: { params: idParams, body: approveBody } }, async (request) => {
    const body = (request.body ?? {}) as { documents?: unknown; expiresInDays?: unknown };
    const grant = await access.approveRequest(ctx, (request.params as { id: string }).id, { documents: body.documents ? asList(body.documents) : undefined, expiresInDays: body.expiresInDays === undefined ? undefined : Number(body.expiresInDays) }, actorOf(request));
    flushMail();
    return { grant };
  });

  app.post('/api/v1/access-requests/:id/deny', { config: { access: 'editor' }, schema: { params: idParams, body: bodyOf({ reason: text(2000) }, ['reason']) } }, async (request) => {
    await access.denyRequest(ctx, (request.params as { id: string }).id, String((request.body as { reason?: unknown } | undefined)?.reason ?? ''), actorOf(request));
    flushMail();
    return { ok: true };
  });

  app.get('/api/v1/grants', { config: { access: 'viewer' } }, async () => ({
    grants: (await q.listGrants(ctx.db)).map((g) => ({ ...g, state: access.grantState(g, ctx.clock.now()) })),
  }));

  app.post('/api/v1/grants/:id/revoke', { config: { access: 'editor' } }, async (request) => {
    await access.revokeGrant(ctx, (request.params as { id: string }).id, actorOf(request));
    return { ok: true };
  });

  // ---- the requester's link ----
  const withGone = async (request: FastifyRequest, reply: FastifyReply, run: () => Promise<unknown>) => {
    try {
      return await run();
    } catch (error) {
      if (error instanceof GoneError) {
        reply.code(410);
        return renderPage(reply, 'views/access/gone.hbs', { title: 'Link no longer valid', site: await site(request), message: error.message });
      }
      throw error;
    }
  };

  app.get('/access/:token', { config: { access: 'public' } }, async (request, reply) =>
    withGone(request, reply, async () => {
      const { token } = request.params as { token: string };
      const { grant, request: req } = await access.resolveGrant(ctx, token);
      reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
      if (!(await access.hasAcceptedCurrentNda(ctx, grant.id))) {
        const nda = await access.currentNda(ctx.db);
        return renderPage(reply, 'views/access/nda.hbs', { title: nda.title, site: await site(request), csrf: request.csrfToken(), token, nda, ndaHtml: renderMarkdown(nda.text), requester: req });
      }
      const documents = await q.findRequestableDocuments(ctx.db, grant.document_ids);
      return renderPage(reply, 'views/access/documents.hbs', { title: 'Your documents', site: await site(request), token, documents, several: documents.length > 1, requester: req, expiresAt: grant.expires_at });
    }),
  );

  app.post('/access/:token/nda', { config: { access: 'public', ...publicLimit }, schema: { body: bodyOf({ name: text(200), accept: text(10) }) } }, async (request, reply) =>
    withGone(request, reply, async () => {
      const { token } = request.params as { token: string };
      await access.acceptNda(ctx, token, request.body as Record<string, unknown>, request.ip, request.headers['user-agent'] ?? null);
      return reply.redirect(`/access/${token}`, 303);
    }),
  );

  // Each download is watermarked on the worker pool; a link (one grant) may fetch so many per hour.
  const downloadLimit = {
    rateLimit: {
      max: app.config.limits.downloadsPerHour,
      timeWindow: 60 * 60_000,
      keyGenerator: (request: FastifyRequest) => `download:${createHash('sha256').update(String((request.params as { token?: string }).token)).digest('base64url')}`,
      errorResponseBuilder: (_request: FastifyRequest, context: { max: number; after: string }) => ({
        statusCode: 429,
        message: `This link has been used for ${context.max} downloads in the last hour, the most allowed. Try again in ${context.after}.`,
      }),
    },
  };

  app.get('/access/:token/documents/:id', { config: { access: 'public', ...downloadLimit } }, async (request, reply) =>
    withGone(request, reply, async () => {
      const { token, id } = request.params as { token: string; id: string };
      const file = await downloadDocument({ ...ctx, pool: app.pool }, token, id, visitorOf(request));
      return sendGranted(reply, 'application/pdf', file.fileName, file.body);
    }),
  );

  // Every granted document in one ZIP; each copy inside counts as one download, as above.
  app.get('/access/:token/documents.zip', { config: { access: 'public', ...downloadLimit } }, async (request, reply) =>
    withGone(request, reply, async () => {
      const { token } = request.params as { token: string };
      const zip = await downloadAll({ ...ctx, pool: app.pool }, token, visitorOf(request), (error) => request.log.error({ err: error }, 'ZIP download stopped'));
      return sendGranted(reply, 'application/zip', zip.fileName, zip.stream);
    }),
  );

  // ---- staff ----
  app.get('/admin/access', { config: { access: 'viewer' } }, async (request, reply) => {
    const now = ctx.clock.now();
    return renderAdmin(request, reply, 'views/access/admin-list.hbs', {
      title: 'Access requests',
      pending: (await q.listRequests(ctx.db)).filter((r) => r.status === 'pending'),
      decided: (await q.listRequests(ctx.db)).filter((r) => r.status !== 'pending').slice(0, 100),
      grants: (await q.listGrants(ctx.db)).map((g) => ({ ...g, state: access.grantState(g, now) })),
      mail: await listMail(ctx.db, 50),
      canEdit: request.staff?.user.role !== 'viewer',
    });
  });

  app.get('/admin/access/:id', { config: { access: 'viewer' } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const req = await q.findRequest(ctx.db, id);
    if (!req) return reply.callNotFound();
    const grants = (await q.listGrants(ctx.db, id)).map((g) => ({ ...g, state: access.grantState(g, ctx.clock.now()) }));
    const ids = grants.map((g) => g.id);
    return renderAdmin(request, reply, 'views/access/admin-show.hbs', {
      title: `Request from ${req.company}`,
      req,
      documents: await q.findRequestableDocuments(ctx.db),
      grants,
      acceptances: await q.listAcceptances(ctx.db, ids),
      downloads: await q.listDownloads(ctx.db, ids),
      canEdit: request.staff?.user.role !== 'viewer',
    });
  });

  app.get('/admin/access/:id/export.csv', { config: { access: 'viewer' } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    if (!(await q.findRequest(ctx.db, id))) throw new NotFoundError('No such request.');
    const ids = (await q.listGrants(ctx.db, id)).map((g) => g.id);
    const rows = [
      ...(await q.listAcceptances(ctx.db, ids)).map((a) => ['nda_accepted', a.accepted_at, a.grant_id, a.name, a.email, `NDA ${a.nda_version} sha256 ${a.nda_sha256}`, a.ip]),
      ...(await q.listDownloads(ctx.db, ids)).map((d) => ['download', d.downloaded_at, d.grant_id, '', '', `${d.evidence_id} original sha256 ${d.original_sha256}`, d.ip]),
    ];
    // Names, emails and addresses of the people who signed: who took a copy is on the log.
    await appendAudit(ctx.db, ctx.clock, { ...actorOf(request), action: 'access.signers_exported', subject: id, details: { rows: rows.length } });
    reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="access-${id}.csv"`);
    return toCsv(['event', 'at', 'grant', 'name', 'email', 'what', 'ip'], rows);
  });

  app.post('/admin/access/:id/approve', { config: { access: 'editor' }, schema: { params: idParams, body: bodyOf({ documents: textList(), expiresInDays: text(5) }) } }, async (request, reply) => {
    const body = request.body as Record<string, unknown>;
    await access.approveRequest(ctx, (request.params as { id: string }).id, { documents: asList(body.documents), expiresInDays: body.expiresInDays ? Number(body.expiresInDays) : undefined }, actorOf(request));
    flushMail();
    return reply.redirect(`/admin/access/${(request.params as { id: string }).id}`, 303);
  });

  app.post('/admin/access/:id/deny', { config: { access: 'editor' }, schema: { params: idParams, body: bodyOf({ reason: text(2000) }) } }, async (request, reply) => {
    await access.denyRequest(ctx, (request.params as { id: string }).id, String((request.body as { reason?: unknown }).reason ?? ''), actorOf(request));
    flushMail();
    return reply.redirect(`/admin/access/${(request.params as { id: string }).id}`, 303);
  });

  app.post('/admin/grants/:id/revoke', { config: { access: 'editor' } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const grant = await q.findGrant(ctx.db, id);
    await access.revokeGrant(ctx, id, actorOf(request));
    return reply.redirect(grant ? `/admin/access/${grant.request_id}` : '/admin/access', 303);
  });

  app.post('/admin/mail/:id/retry', { config: { access: 'editor' } }, async (request, reply) => {
    await retryMail(ctx.db, ctx.clock, (request.params as { id: string }).id, actorOf(request));
    flushMail();
    return reply.redirect('/admin/access', 303);
  });
}

/** A granted copy: a download never kept by a cache, whose link never leaks through a referrer. */
function sendGranted(reply: FastifyReply, type: string, fileName: string, body: Buffer | NodeJS.ReadableStream): FastifyReply {
  return reply.header('content-type', type).header('content-disposition', attachmentHeader(fileName)).header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').send(body);
}
