import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

type Spec = Record<string, unknown> & { paths?: Record<string, Record<string, unknown>> };

/** Fastify's `/a/:id` as OpenAPI writes it: `/a/{id}`. */
const openApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

/**
 * OpenAPI for the JSON API. The public explorer (/docs, /docs/json) documents only the routes
 * anyone may call: the staff API is an attack map for nobody's benefit. Staff read the whole API
 * at /admin/api-docs.json. The explorer needs its own, looser content-security policy (inline
 * styles); no other page gets it.
 */
export async function registerApiDocs(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      info: { title: 'Trust Center API', version: '1', description: 'Public trust data and the published answers. Staff calls take `Authorization: Bearer <token>`.' },
      servers: [{ url: app.config.baseUrl }],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    hideUntagged: false,
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    staticCSP: true,
    uiConfig: { docExpansion: 'list', deepLinking: false },
    transformSpecification: (spec) => publicOnly(app, spec as Spec),
  });
  app.get('/admin/api-docs.json', { config: { access: 'viewer' }, schema: { hide: true } }, async (_request, reply) => reply.header('cache-control', 'private, no-store').send(app.swagger()));
}

function publicOnly(app: FastifyInstance, spec: Spec): Spec {
  const open = new Set(app.routeIndex.filter((r) => r.access === 'public').map((r) => `${r.method.toLowerCase()} ${openApiPath(r.url)}`));
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [path, operations] of Object.entries(spec.paths ?? {})) {
    const kept = Object.fromEntries(Object.entries(operations).filter(([method]) => open.has(`${method} ${path}`)));
    if (Object.keys(kept).length) paths[path] = kept;
  }
  return { ...spec, paths };
}
