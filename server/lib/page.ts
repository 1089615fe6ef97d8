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

const ORIGIN_CHECK_BASE = 'http://evident.invalid';

/**
 * Only a path on this site is followed after login, never another site. Browsers drop tab, CR and
 * LF from URLs and read a backslash as a slash, so "/\t/evil.example" (or its %09 form) would
 * leave the site: those are stripped or decoded first, and what remains must resolve on our origin.
 */
export function safeNext(next: unknown, fallback = '/admin'): string {
  if (typeof next !== 'string') return fallback;
  const cleaned = next.replace(/[\t\r\n]/g, '');
  let decoded: string;
  try {
    decoded = decodeURIComponent(cleaned).replace(/[\t\r\n]/g, '');
  } catch {
    return fallback;
  }
  for (const candidate of [cleaned, decoded]) {
    if (!candidate.startsWith('/') || candidate.startsWith('//') || candidate.includes('\\') || /[\x00-\x1f\x7f]/.test(candidate)) return fallback;
    if (new URL(candidate, ORIGIN_CHECK_BASE).origin !== ORIGIN_CHECK_BASE) return fallback;
  }
  return cleaned;
}
