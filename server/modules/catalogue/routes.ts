import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { NotFoundError } from '../../errors.js';
import { audienceOf } from '../../lib/audience.js';
import { resolveControlRef } from '../content/queries.js';
import { evidenceJson } from '../evidence/json.js';
import { currentModel, type ModelControl } from '../responsibility/model.js';
import { cachedResponse } from '../trust-page/cache.js';
import { listServices } from './queries.js';

const controlSummary = (c: ModelControl) => ({ id: c.id, ref: c.ref, title: c.title, theme: c.theme, description: c.description, focus: c.focus, cloudGuidance: Boolean(c.guidance) });

function controlDetail(c: ModelControl, staff: boolean) {
  return {
    ...controlSummary(c),
    guidance: c.guidance,
    isms: c.isms && { provider: c.isms.provider, ...(staff ? { owner: c.isms.owner } : {}), evidence: c.isms.evidence.map((e) => evidenceJson(e, staff)) },
    responsibilities: c.duties.map((d) => ({
      service: d.serviceId,
      party: d.party,
      provider: d.provider,
      customer: d.customer,
      reason: d.reason,
      owner: d.owner,
      thirdParties: d.thirdParties,
      regions: d.regions,
      evidence: d.evidence.map((e) => evidenceJson(e, staff)),
    })),
  };
}

/** The catalogue in the API: the services and the controls, each control with its split per service. */
export async function catalogueRoutes(app: FastifyInstance): Promise<void> {
  const deps = { db: app.deps.db, clock: app.deps.clock, config: app.config };
  const pub = { config: { access: 'public' as const } };
  const tags = ['operating model'];

  /** The same for everyone: rendered once per content version and served from memory (see the trust page's cache). */
  const publicJson = (request: FastifyRequest, reply: FastifyReply, build: () => Promise<unknown>) =>
    cachedResponse(app, request, reply, async () => ({ type: 'application/json; charset=utf-8', body: JSON.stringify(await build()) }));

  app.get('/api/v1/services', { ...pub, schema: { tags, summary: 'Cloud services and their service model' } }, (request, reply) =>
    publicJson(request, reply, async () => ({ services: (await listServices(deps.db)).map(({ description: _, ...s }) => s) })),
  );

  app.get('/api/v1/controls', { ...pub, schema: { tags, summary: 'ISO/IEC 27002:2022 and ISO/IEC 27017 cloud controls, described in our words' } }, (request, reply) =>
    publicJson(request, reply, async () => ({ controls: (await currentModel(deps, 'public')).controls.map(controlSummary) })),
  );

  app.get('/api/v1/controls/:id', { ...pub, schema: { tags, summary: 'One control: cloud guidance, responsibilities per service, evidence' } }, async (request) => {
    const { id } = request.params as { id: string };
    const controls = (await currentModel(deps, audienceOf(request))).controls;
    const direct = controls.find((c) => c.id === id);
    // "A.12.4.1" (ISO/IEC 27001:2013), "A.8.15", "5.15" or "CLD.9.5.1" resolve to today's control.
    const resolved = direct ? [direct.id] : await resolveControlRef(deps.db, id);
    if (resolved.length > 1) throw new NotFoundError(`"${id}" corresponds to several controls today: ${resolved.join(', ')}; ask for one of them.`);
    const control = controls.find((c) => c.id === resolved[0]);
    if (!control) throw new NotFoundError(`No control "${id}". Ids look like iso27002:5.15 or iso27017:CLD.6.3.1; ISO/IEC 27001:2013 numbers such as A.12.4.1 work too (see /api/v1/controls).`);
    return { control: controlDetail(control, audienceOf(request) === 'internal'), ...(direct ? {} : { resolvedFrom: id }) };
  });
}
