import type { FastifyReply, FastifyRequest } from 'fastify';
import { findContentDocument } from '../modules/content/queries.js';
import type { ProviderProfile } from '../modules/content/types.js';

/** What every admin page gets: who is signed in, the CSRF token, the provider's name. */
export async function adminPageModel(request: FastifyRequest, model: Record<string, unknown>): Promise<Record<string, unknown>> {
  const provider = await findContentDocument<ProviderProfile>(request.server.deps.db, 'provider');
  return {
    ...model,
    site: { name: provider?.name ?? 'Evident', legalEntity: provider?.legalEntity },
    staff: request.staff?.mfaPending ? null : request.staff?.user,
    csrf: request.csrfToken(),
  };
}

export async function renderAdmin(request: FastifyRequest, reply: FastifyReply, template: string, model: Record<string, unknown>) {
  return reply.view(template, await adminPageModel(request, model), { layout: 'layouts/admin.hbs' });
}

export async function renderPage(reply: FastifyReply, template: string, model: Record<string, unknown>) {
  return reply.view(template, model, { layout: 'layouts/main.hbs' });
}

/** Only local paths are followed after login, never another site. */
export function safeNext(next: unknown, fallback = '/admin'): string {
  return typeof next === 'string' && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : fallback;
}
