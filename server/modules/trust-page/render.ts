import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { cachedResponse, type SiteCache } from './cache.js';
import type { Site } from './site.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The public pages' view model, cached per content version (registered in app.ts). */
    site: SiteCache;
  }
}

/** What every public page's layout needs; nothing in it depends on who asks. */
export function siteBase(site: Site, path: string) {
  return {
    site: {
      name: site.provider.name,
      legalEntity: site.provider.legalEntity,
      logo: site.provider.branding?.logo ? '/brand/logo' : null,
      statusPage: site.provider.statusPage,
      securityEmail: site.provider.securityContact?.email,
    },
    feedUrl: '/changes.atom',
    path,
  };
}

/** The layout's model for a page with a form: the visitor's own CSRF token included. */
export function pageBase(site: Site, request: FastifyRequest) {
  return { ...siteBase(site, request.url.split('?')[0]!), csrf: request.csrfToken() };
}

/**
 * Renders a public page per request: for pages with a form (their CSRF token is the visitor's
 * own) or a result, which no shared cache may keep.
 */
export async function renderTrustPage(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, template: string, build: (site: Site) => Record<string, unknown>) {
  const site = await app.site.get();
  reply.header('cache-control', 'private, no-store');
  return reply.view(template, { ...pageBase(site, request), ...build(site) }, { layout: 'layouts/main.hbs' });
}

/** A page's model, or the address it moved to. */
export type PageModel = Record<string, unknown> | { redirect: string };

/**
 * A public page rendered once per content version and URL and served from memory (see
 * cachedResponse). The model must not depend on the request beyond its URL: no cookie, no
 * CSRF token (the cached pages have no form that posts).
 */
export function cachedPage(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, template: string, build: (site: Site) => PageModel | Promise<PageModel>) {
  return cachedResponse(app, request, reply, async (site) => {
    const model = await build(site);
    if (typeof model.redirect === 'string') return { redirect: model.redirect };
    const html = await app.view(template, { ...siteBase(site, request.url.split('?')[0]!), ...model }, { layout: 'layouts/main.hbs' });
    return { type: 'text/html; charset=utf-8', body: html };
  });
}
