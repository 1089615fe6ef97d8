import type { FastifyInstance } from 'fastify';
import { NotFoundError, ValidationError } from '../../errors.js';
import { audienceOf } from '../../lib/audience.js';
import { renderAdmin } from '../../lib/page.js';
import { PARTIES } from '../content/schema.js';
import type { Party } from '../content/tables.js';
import { evidenceJson } from '../evidence/json.js';
import { currentModel } from './model.js';

/** The responsibility matrix: in the API for everyone (evidence by level), and the staff page per service. */
export async function responsibilityRoutes(app: FastifyInstance): Promise<void> {
  const deps = { db: app.deps.db, clock: app.deps.clock, config: app.config };

  app.get('/api/v1/responsibilities', { config: { access: 'public' }, schema: { tags: ['operating model'], summary: 'The responsibility matrix, filtered by ?service=, ?control=, ?party=' } }, async (request) => {
    const { service, control, party } = request.query as { service?: string; control?: string; party?: string };
    const m = await currentModel(deps, audienceOf(request));
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

  app.get('/admin/responsibility', { config: { access: 'viewer' } }, async (request, reply) => {
    const m = await currentModel(deps, audienceOf(request));
    const { service = m.services[0]?.id, party } = request.query as { service?: string; party?: string };
    const chosen = m.services.find((s) => s.id === service);
    if (!chosen) throw new NotFoundError(`No service "${service}".`);
    const rows = m.controls
      .map((c) => ({ control: c, duty: c.duties.find((d) => d.serviceId === chosen.id) }))
      .filter((r) => r.duty && (!party || r.duty.party === party));
    return renderAdmin(request, reply, 'views/operating-model/responsibility.hbs', { title: `Responsibility: ${chosen.name}`, services: m.services, service: chosen, rows, parties: PARTIES, filter: { party } });
  });
}
