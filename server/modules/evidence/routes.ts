import type { FastifyInstance, FastifyRequest } from 'fastify';
import { NotFoundError } from '../../errors.js';
import { audienceOf, countBy } from '../../lib/audience.js';
import { renderAdmin } from '../../lib/page.js';
import { readSingleFileUpload } from '../../lib/upload.js';
import { actorOf } from '../audit/actor.js';
import { currentModel } from '../responsibility/model.js';
import { evidenceJson } from './json.js';
import { findEvidence, listEvidenceVersions } from './queries.js';
import { uploadEvidenceVersion } from './service.js';

function readEvidenceUpload(request: FastifyRequest) {
  return readSingleFileUpload(request, { missing: 'Attach the new version as the "file" field.', defaultName: 'evidence' });
}

/** The evidence register: in the API by level, its versions, staff uploads and the staff pages. */
export async function evidenceRoutes(app: FastifyInstance): Promise<void> {
  const deps = { db: app.deps.db, clock: app.deps.clock, config: app.config, databaseKind: app.deps.databaseKind };
  const model = (request: FastifyRequest) => currentModel(deps, audienceOf(request));
  const tags = ['operating model'];

  app.get('/api/v1/evidence', { config: { access: 'public' }, schema: { tags, summary: 'The evidence register: public items for everyone, the full register for staff' } }, async (request) => {
    const staff = audienceOf(request) === 'internal';
    return { evidence: (await model(request)).evidence.map((e) => evidenceJson(e, staff)) };
  });

  app.get('/api/v1/evidence/:id/versions', { config: { access: 'viewer' }, schema: { tags, summary: 'Every version of an evidence artifact with its hash' } }, async (request) => {
    const { id } = request.params as { id: string };
    const versions = await listEvidenceVersions(deps.db, id);
    if (!versions.length && !(await findEvidence(deps.db, id))) throw new NotFoundError(`No evidence "${id}".`);
    return { versions: versions.map((v) => ({ version: v.version, origin: v.origin, fileName: v.file_name, mediaType: v.media_type, size: v.size, sha256: v.sha256, createdBy: v.created_by, createdAt: v.created_at })) };
  });

  app.post('/api/v1/evidence/:id/versions', { config: { access: 'editor' }, schema: { tags, summary: 'Upload a new version (multipart field "file"; optional "reviewBy")' } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const upload = await readEvidenceUpload(request);
    const result = await uploadEvidenceVersion(deps, id, upload, actorOf(request), upload.fields.reviewBy || undefined);
    return reply.code(201).send(result);
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
    return renderAdmin(request, reply, 'views/operating-model/evidence-show.hbs', {
      title: item.title,
      item,
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
