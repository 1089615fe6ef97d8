import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { audienceOf, countBy } from '../../lib/audience.js';
import { renderAdmin } from '../../lib/page.js';
import { actorOf } from '../audit/actor.js';
import { currentModel } from '../responsibility/model.js';
import { dashboardModel } from './dashboard.js';
import { findGaps } from './gaps.js';
import { exportOscal, exportSoa } from './service.js';
import { buildSoa } from './soa.js';

function sendFile(reply: FastifyReply, file: { body: Buffer | string; mediaType: string; fileName: string }) {
  return reply.header('content-type', file.mediaType).header('content-disposition', `attachment; filename="${file.fileName}"`).send(file.body);
}

/** Reports over the catalogue, the matrix and the evidence: Statement of Applicability, gaps, OSCAL, the staff dashboard. */
export async function reportRoutes(app: FastifyInstance): Promise<void> {
  const deps = { db: app.deps.db, clock: app.deps.clock, config: app.config };
  const model = (request: FastifyRequest) => currentModel(deps, audienceOf(request));
  const tags = ['operating model'];

  app.get('/api/v1/soa', { config: { access: 'viewer' }, schema: { tags, summary: 'Statement of Applicability as JSON' } }, async (request) => ({ soa: buildSoa(await model(request)) }));
  app.get('/api/v1/soa.xlsx', { config: { access: 'viewer' }, schema: { tags, summary: 'Statement of Applicability as XLSX' } }, async (request, reply) => sendFile(reply, await exportSoa(deps, 'xlsx', actorOf(request))));
  app.get('/api/v1/soa.csv', { config: { access: 'viewer' }, schema: { tags, summary: 'Statement of Applicability as CSV' } }, async (request, reply) => sendFile(reply, await exportSoa(deps, 'csv', actorOf(request))));
  app.get('/api/v1/gaps', { config: { access: 'viewer' }, schema: { tags, summary: 'Gaps in the operating model, most severe first' } }, async (request) => ({ gaps: findGaps(await model(request)) }));

  app.get('/api/v1/oscal/component-definition.json', { config: { access: 'public' }, schema: { tags, summary: 'OSCAL 1.0.6 component-definition: one component per service' } }, async (request, reply) =>
    reply.header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(await exportOscal(deps, audienceOf(request)), null, 2)),
  );

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
}
