import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { notModified, type SiteCache } from './cache.js';
import type { Site } from './site.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The public pages' view model, cached per content version (registered in app.ts). */
    site: SiteCache;
  }
}

export function pageBase(site: Site, request: FastifyRequest) {
  return {
    site: {
      name: site.provider.name,
      legalEntity: site.provider.legalEntity,
      logo: site.provider.branding?.logo ? '/brand/logo' : null,
      statusPage: site.provider.statusPage,
      securityEmail: site.provider.securityContact?.email,
    },
    feedUrl: '/changes.atom',
    csrf: request.csrfToken(),
    path: request.url.split('?')[0],
  };
}

/** Renders a public page from the cached view model, with ETag/304 and the standard layout. */
export async function renderTrustPage(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, template: string, build: (site: Site) => Record<string, unknown>) {
  const site = await app.site.get();
  if (notModified(request, reply, site)) return reply;
  return reply.view(template, { ...pageBase(site, request), ...build(site) }, { layout: 'layouts/main.hbs' });
}

