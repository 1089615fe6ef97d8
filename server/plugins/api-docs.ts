import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

/**
 * OpenAPI for the JSON API at /docs/json, and the explorer at /docs. The explorer needs its
 * own, looser content-security policy (inline styles); no other page gets it.
 */
export async function registerApiDocs(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      info: { title: 'Evident API', version: '1', description: 'Public trust data, the questionnaire engine, and staff operations. Staff calls take `Authorization: Bearer <token>`.' },
      servers: [{ url: app.config.baseUrl }],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    hideUntagged: false,
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    staticCSP: true,
    uiConfig: { docExpansion: 'list', deepLinking: false },
  });
}
