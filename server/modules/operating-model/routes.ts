import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { NotFoundError, ValidationError } from '../../errors.js';
import { readSingleFileUpload } from '../../lib/upload.js';
import { renderAdmin } from '../../lib/page.js';
import type { AccessLevel, Party } from '../content/tables.js';
import { actorOf } from '../audit/actor.js';
import { resolveControlRef } from '../content/queries.js';
import { findGaps } from './gaps.js';
import { listEvidenceVersions } from './queries.js';
import type { ModelControl, ModelEvidence } from './model.js';
import { buildSoa } from './soa.js';
import { currentModel, exportOscal, exportSoa, uploadEvidenceVersion } from './service.js';
import { dashboardModel } from './dashboard.js';
import { cachedResponse } from '../trust-page/cache.js';

const PARTIES: Party[] = ['provider', 'customer', 'shared', 'third-party', 'shared-third-party', 'not-applicable'];

/** Staff fully signed in (and meeting the MFA policy) read everything; everyone else what is public. */
function audienceOf(request: FastifyRequest): AccessLevel {
  return request.staffReader ? 'internal' : 'public';
}

const evidenceJson = (e: ModelEvidence, staff: boolean) => ({
  id: e.id,
  title: e.title,
  kind: e.kind,
  access: e.access,
  collected: e.collected,
  reviewBy: e.reviewBy,
  freshness: e.freshness,
  controls: e.controls,
  ...(staff ? { owner: e.owner, fileName: e.fileName, sha256: e.sha256, storage: e.storage } : {}),
  download: e.access === 'public' && e.fileName ? `/documents/${encodeURIComponent(e.id)}/file` : null,
});

const controlSummary = (c: ModelControl) => ({ id: c.id, ref: c.ref, title: c.title, theme: c.theme, description: c.description, focus: c.focus, cloudGuidance: Boolean(c.guidance) });

function controlDetail(c: ModelControl, staff: boolean) {
  return {
    ...controlSummary(c),
    guidance: c.guidance,
    responsibilities: c.duties.map((d) => ({
      service: d.serviceId,
      party: d.party,
      provider: d.provider,
      customer: d.customer,
      reason: d.reason,
      owner: d.owner,
      evidence: d.evidence.map((e) => evidenceJson(e, staff)),
    })),
  };
}

function sendFile(reply: FastifyReply, file: { body: Buffer | string; mediaType: string; fileName: string }) {
  return reply.header('content-type', file.mediaType).header('content-disposition', `attachment; filename="${file.fileName}"`).send(file.body);
}

function readEvidenceUpload(request: FastifyRequest) {
  return readSingleFileUpload(request, { missing: 'Attach the new version as the "file" field.', defaultName: 'evidence' });
}

export async function operatingModelRoutes(app: FastifyInstance): Promise<void> {
  const deps = { db: app.deps.db, clock: app.deps.clock, config: app.config, databaseKind: app.deps.databaseKind };
  const model = (request: FastifyRequest) => currentModel(deps, audienceOf(request));
  const pub = { config: { access: 'public' as const } };
  const tags = ['operating model'];

  /** The same for everyone: rendered once per content version and served from memory (see the trust page's cache). */
  const publicJson = (request: FastifyRequest, reply: FastifyReply, build: () => Promise<unknown>) =>
    cachedResponse(app, request, reply, async () => ({ type: 'application/json; charset=utf-8', body: JSON.stringify(await build()) }));

  app.get('/api/v1/services', { ...pub, schema: { tags, summary: 'Cloud services and their service model' } }, (request, reply) =>
    publicJson(request, reply, async () => ({ services: await deps.db.selectFrom('services').select(['id', 'name', 'model', 'summary', 'layers']).orderBy('position').execute() })),
  );

  app.get('/api/v1/controls', { ...pub, schema: { tags, summary: 'ISO/IEC 27002:2022 and ISO/IEC 27017 cloud controls, described in our words' } }, (request, reply) =>
    publicJson(request, reply, async () => ({ controls: (await currentModel(deps, 'public')).controls.map(controlSummary) })),
  );

  app.get('/api/v1/controls/:id', { ...pub, schema: { tags, summary: 'One control: cloud guidance, responsibilities per service, evidence' } }, async (request) => {
    const { id } = request.params as { id: string };
    const controls = (await model(request)).controls;
    const direct = controls.find((c) => c.id === id);
    // "A.12.4.1" (ISO/IEC 27001:2013), "A.8.15", "5.15" or "CLD.9.5.1" resolve to today's control.
    const resolved = direct ? [direct.id] : await resolveControlRef(deps.db, id);
    if (resolved.length > 1) throw new NotFoundError(`"${id}" corresponds to several controls today: ${resolved.join(', ')}; ask for one of them.`);
    const control = controls.find((c) => c.id === resolved[0]);
    if (!control) throw new NotFoundError(`No control "${id}". Ids look like iso27002:5.15 or iso27017:CLD.6.3.1; ISO/IEC 27001:2013 numbers such as A.12.4.1 work too (see /api/v1/controls).`);
    return { control: controlDetail(control, audienceOf(request) === 'internal'), ...(direct ? {} : { resolvedFrom: id }) };
  });

  app.get('/api/v1/responsibilities', { ...pub, schema: { tags, summary: 'The responsibility matrix, filtered by ?service=, ?control=, ?party=' } }, async (request) => {
    const { service, control, party } = request.query as { service?: string; control?: string; party?: string };
    const m = await model(request);
    if (service && !m.services.some((s) => s.id === service)) throw new ValidationError(`Unknown service "${service}"; choose one of ${m.services.map((s) => s.id).join(', ')}.`);
    if (party && !PARTIES.includes(party as Party)) throw new ValidationError(`party must be one of ${PARTIES.join(', ')}.`);
    const staff = audienceOf(request) === 'internal';
    return {
      responsibilities: m.controls
        .filter((c) => !control || c.id === control)
        .flatMap((c) =>
          c.duties
            .filter((d) => (!service || d.serviceId === service) && (!party || d.party === party))
            .map((d) => ({ control: c.id, title: c.title, service: d.serviceId, party: d.party, provider: d.provider, customer: d.customer, reason: d.reason, owner: d.owner, evidence: d.evidence.map((e) => evidenceJson(e, staff)) })),
        ),
    };
  });

  app.get('/api/v1/evidence', { ...pub, schema: { tags, summary: 'The evidence register: public items for everyone, the full register for staff' } }, async (request) => {
    const staff = audienceOf(request) === 'internal';
    return { evidence: (await model(request)).evidence.map((e) => evidenceJson(e, staff)) };
  });

  app.get('/api/v1/evidence/:id/versions', { config: { access: 'viewer' }, schema: { tags, summary: 'Every version of an evidence artifact with its hash' } }, async (request) => {
    const { id } = request.params as { id: string };
    const versions = await listEvidenceVersions(deps.db, id);
    if (!versions.length && !(await deps.db.selectFrom('evidence').select('id').where('id', '=', id).executeTakeFirst())) throw new NotFoundError(`No evidence "${id}".`);
    return { versions: versions.map((v) => ({ version: v.version, origin: v.origin, fileName: v.file_name, mediaType: v.media_type, size: v.size, sha256: v.sha256, createdBy: v.created_by, createdAt: v.created_at })) };
  });

  app.post('/api/v1/evidence/:id/versions', { config: { access: 'editor' }, schema: { tags, summary: 'Upload a new version (multipart field "file"; optional "reviewBy")' } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const upload = await readEvidenceUpload(request);
    const result = await uploadEvidenceVersion(deps, id, upload, actorOf(request), upload.fields.reviewBy || undefined);
    return reply.code(201).send(result);
  });

  app.get('/api/v1/soa', { config: { access: 'viewer' }, schema: { tags, summary: 'Statement of Applicability as JSON' } }, async (request) => ({ soa: buildSoa(await model(request)) }));
  app.get('/api/v1/soa.xlsx', { config: { access: 'viewer' }, schema: { tags, summary: 'Statement of Applicability as XLSX' } }, async (request, reply) => sendFile(reply, await exportSoa(deps, 'xlsx', actorOf(request))));
  app.get('/api/v1/soa.csv', { config: { access: 'viewer' }, schema: { tags, summary: 'Statement of Applicability as CSV' } }, async (request, reply) => sendFile(reply, await exportSoa(deps, 'csv', actorOf(request))));
  app.get('/api/v1/gaps', { config: { access: 'viewer' }, schema: { tags, summary: 'Gaps in the operating model, most severe first' } }, async (request) => ({ gaps: findGaps(await model(request)) }));

  app.get('/api/v1/oscal/component-definition.json', { ...pub, schema: { tags, summary: 'OSCAL 1.0.6 component-definition: one component per service' } }, async (request, reply) =>
    reply.header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(await exportOscal(deps, audienceOf(request)), null, 2)),
  );

  // Staff pages.
  app.get('/admin', { config: { access: 'viewer' } }, async (request, reply) =>
    renderAdmin(request, reply, 'views/operating-model/dashboard.hbs', { title: 'Dashboard', ...(await dashboardModel(deps, await model(request))) }),
  );

  app.get('/admin/soa', { config: { access: 'viewer' } }, async (request, reply) => {
    const { status, theme } = request.query as { status?: string; theme?: string };
    const m = await model(request);
    const rows = buildSoa(m);
    return renderAdmin(request, reply, 'views/operating-model/soa.hbs', {
      title: 'Statement of Applicability',
      services: m.services,
      rows: rows.filter((r) => (!status || r.status === status) && (!theme || r.theme === theme)).map((r) => ({ ...r, parties: m.services.map((s) => r.responsibility[s.id]) })),
      total: rows.length,
      counts: countBy(rows.map((r) => r.status)),
      statuses: ['implemented', 'partially implemented', 'customer responsibility', 'not applicable'],
      themes: [...new Set(rows.map((r) => r.theme))],
      filter: { status, theme },
    });
  });

  app.get('/admin/gaps', { config: { access: 'viewer' } }, async (request, reply) => {
    const { owner, severity } = request.query as { owner?: string; severity?: string };
    const gaps = findGaps(await model(request));
    return renderAdmin(request, reply, 'views/operating-model/gaps.hbs', {
      title: 'Gaps',
      gaps: gaps.filter((g) => (!owner || g.owner === owner) && (!severity || g.severity === severity)),
      total: gaps.length,
      counts: countBy(gaps.map((g) => g.severity)),
      owners: [...new Set(gaps.map((g) => g.owner))].sort(),
      filter: { owner, severity },
    });
  });

  app.get('/admin/responsibility', { config: { access: 'viewer' } }, async (request, reply) => {
    const m = await model(request);
    const { service = m.services[0]?.id, party } = request.query as { service?: string; party?: string };
    const chosen = m.services.find((s) => s.id === service);
    if (!chosen) throw new NotFoundError(`No service "${service}".`);
    const rows = m.controls
      .map((c) => ({ control: c, duty: c.duties.find((d) => d.serviceId === chosen.id) }))
      .filter((r) => r.duty && (!party || r.duty.party === party));
    return renderAdmin(request, reply, 'views/operating-model/responsibility.hbs', { title: `Responsibility: ${chosen.name}`, services: m.services, service: chosen, rows, parties: PARTIES, filter: { party } });
  });

  app.get('/admin/evidence', { config: { access: 'viewer' } }, async (request, reply) => {
    const { freshness, access } = request.query as { freshness?: string; access?: string };
    const m = await model(request);
    return renderAdmin(request, reply, 'views/operating-model/evidence-list.hbs', {
      title: 'Evidence register',
      evidence: m.evidence.filter((e) => (!freshness || e.freshness === freshness) && (!access || e.access === access)),
      total: m.evidence.length,
      counts: countBy(m.evidence.map((e) => e.freshness)),
      filter: { freshness, access },
    });
  });

  app.get('/admin/evidence/:id', { config: { access: 'viewer' } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const { uploaded } = request.query as { uploaded?: string };
    const m = await model(request);
    const item = m.evidence.find((e) => e.id === id);
    if (!item) throw new NotFoundError(`No evidence "${id}".`);
    const row = await deps.db.selectFrom('evidence').select(['summary', 'source', 'edited_by', 'edited_at']).where('id', '=', id).executeTakeFirstOrThrow();
    return renderAdmin(request, reply, 'views/operating-model/evidence-show.hbs', {
      title: item.title,
      item: { ...item, ...row },
      versions: await listEvidenceVersions(deps.db, id),
      usedBy: m.controls.flatMap((c) => c.duties.filter((d) => d.evidence.some((e) => e.id === id)).map((d) => ({ control: c.id, title: c.title, service: d.serviceId, party: d.party }))),
      canEdit: request.staff?.user.role !== 'viewer',
      flash: uploaded ? `Version ${uploaded} uploaded. It now wins over the content file until that file changes.` : undefined,
    });
  });

  app.post('/admin/evidence/:id/versions', { config: { access: 'editor' } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const upload = await readEvidenceUpload(request);
    const result = await uploadEvidenceVersion(deps, id, upload, actorOf(request), upload.fields.reviewBy || undefined);
    return reply.redirect(`/admin/evidence/${encodeURIComponent(id)}?uploaded=${result.version}`, 303);
  });
}

function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}

