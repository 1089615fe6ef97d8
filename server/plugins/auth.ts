import type { Multipart } from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { ForbiddenError, UnauthorizedError } from '../errors.js';
import { isMfaRequired, resolveSession } from '../modules/staff/service.js';
import { resolveToken } from '../modules/staff/tokens.js';
import { roleAllows, type RouteAccess, type StaffPrincipal } from '../modules/staff/types.js';

export const SESSION_COOKIE = 'evident_session';
export const CSRF_COOKIE = 'evident_csrf';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route. Every /admin and /api/v1 route must say. */
    access?: RouteAccess;
    /** The second step of a login: reachable with a session still waiting for its MFA code. */
    mfaStep?: boolean;
    /** Reachable before MFA is set up when an admin requires it (the set-up page itself, logout). */
    allowWithoutMfa?: boolean;
    /**
     * false: no CSRF check (one-click links from mail). 'same-origin': no token (the caller has
     * none yet, e.g. signing in through the API), but cross-site and form-encoded posts are refused.
     */
    csrf?: false | 'same-origin';
  }
  interface FastifyRequest {
    staff: StaffPrincipal | null;
    /**
     * The principal that public routes may show more to (internal evidence, NDA answers): fully
     * signed in and meeting the MFA policy. Null for the public, a sign-in still waiting for its
     * code, and a session without MFA while MFA is required.
     */
    staffReader: StaffPrincipal | null;
    csrfToken(): string;
    /** A multipart form's parts after its CSRF token (read by the check before the route runs). */
    formParts?: AsyncIterableIterator<Multipart>;
  }
  interface FastifyInstance {
    /** Every route with its declared access, for the role-matrix test and the README table. */
    routeIndex: { method: string; url: string; access: RouteAccess | undefined }[];
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function guarded(url: string): boolean {
  return url === '/admin' || url.startsWith('/admin/') || url.startsWith('/api/v1/');
}

export function isApiRequest(request: FastifyRequest): boolean {
  return request.url.startsWith('/api/');
}

function sameToken(a: string | undefined, b: string): boolean {
  if (!a) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieOptions(request: FastifyRequest) {
  return { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: request.server.config.secureCookies, signed: true };
}

/** Reads the CSRF cookie (signed, so a neighbour site cannot plant one), issuing it when missing. */
function csrfTokenOf(request: FastifyRequest, reply: FastifyReply): string {
  const raw = request.cookies[CSRF_COOKIE];
  const unsigned = raw ? request.unsignCookie(raw) : null;
  if (unsigned?.valid && unsigned.value) return unsigned.value;
  const token = randomBytes(24).toString('base64url');
  reply.setCookie(CSRF_COOKIE, token, cookieOptions(request));
  request.cookies[CSRF_COOKIE] = reply.signCookie(token);
  return token;
}

export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, value: string, expiresAt: Date): void {
  // Max-Age, not Expires: the lifetime then holds whatever the browser's clock says.
  const maxAge = Math.max(0, Math.floor((expiresAt.getTime() - request.server.deps.clock.now().getTime()) / 1000));
  reply.setCookie(SESSION_COOKIE, value, { ...cookieOptions(request), signed: false, maxAge });
  // A new session gets a new CSRF token too.
  const token = randomBytes(24).toString('base64url');
  reply.setCookie(CSRF_COOKIE, token, cookieOptions(request));
  request.cookies[CSRF_COOKIE] = reply.signCookie(token);
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/' });
}

async function authenticate(request: FastifyRequest): Promise<StaffPrincipal | null> {
  const { db, clock } = request.server.deps;
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) {
    const resolved = await resolveToken(db, clock, header.slice(7).trim());
    if (!resolved.ok) throw resolved.reason === 'mfa' ? new ForbiddenError(resolved.message) : new UnauthorizedError(resolved.message);
    return resolved.principal;
  }
  const cookie = request.cookies[SESSION_COOKIE];
  return cookie ? resolveSession(db, clock, cookie) : null;
}

/**
 * The token of a multipart form, read from its first part before any file is: forms put the
 * hidden _csrf field first, and browsers send fields in form order. It is never taken from the
 * URL, where it would land in access logs and browser history. The rest of the parts stay for
 * the route (request.formParts).
 */
async function multipartToken(request: FastifyRequest, reply: FastifyReply): Promise<string | undefined> {
  if (typeof request.parts !== 'function') return undefined;
  const parts = request.parts();
  const first = await parts.next();
  if (!first.done && first.value.type === 'field' && first.value.fieldname === '_csrf') {
    request.formParts = parts;
    return String(first.value.value ?? '');
  }
  // Refused unread: close the connection rather than take in the rest of an upload.
  if (!first.done && first.value.type === 'file') first.value.file.resume();
  reply.header('connection', 'close');
  return undefined;
}

/**
 * Without a token to check, the browser's own word decides: Sec-Fetch-Site, then Origin. Forms
 * (which a page on any site can post without either header in older browsers) are refused
 * outright, so a sign-in endpoint cannot be driven from another site (login CSRF).
 */
function checkSameOrigin(request: FastifyRequest): void {
  const refuse = () => {
    throw new ForbiddenError('This request came from another site or as a form; sign in from this site.');
  };
  const contentType = (request.headers['content-type'] ?? '').toLowerCase();
  if (/^(application\/x-www-form-urlencoded|multipart\/form-data|text\/plain)/.test(contentType)) refuse();
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') refuse();
  const origin = request.headers.origin;
  if (origin === undefined) return;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return refuse();
  }
  if (origin !== new URL(request.server.config.baseUrl).origin && host !== request.headers.host) refuse();
}

async function checkCsrf(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (!UNSAFE.has(request.method)) return;
  const csrf = request.routeOptions.config.csrf;
  if (csrf === 'same-origin') return checkSameOrigin(request);
  if (csrf === false) return;
  if (request.staff?.via === 'token') return;
  const contentType = request.headers['content-type'] ?? '';
  const isMultipart = contentType.startsWith('multipart/form-data');
  const isForm = contentType.startsWith('application/x-www-form-urlencoded') || isMultipart;
  const hasSession = Boolean(request.cookies[SESSION_COOKIE]);
  // Anonymous JSON API calls carry no ambient authority, so they need no token.
  if (!isForm && !hasSession) return;
  const raw = request.cookies[CSRF_COOKIE];
  const expected = raw ? request.unsignCookie(raw) : null;
  const header = request.headers['x-csrf-token'] as string | undefined;
  const sent = header ?? (isMultipart ? await multipartToken(request, reply) : ((request.body as Record<string, unknown> | null | undefined)?._csrf as string | undefined));
  if (!expected?.valid || !expected.value || !sameToken(sent, expected.value)) {
    throw new ForbiddenError('The form has expired or did not come from this site (CSRF check failed). Reload the page and try again.');
  }
}

async function enforceAccess(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | void> {
  const config = request.routeOptions.config;
  const access = config.access;
  if (!access || access === 'public') return;
  const principal = request.staff;
  const loginUrl = `/admin/login?next=${encodeURIComponent(request.url)}`;
  if (!principal || (principal.mfaPending && !config.mfaStep)) {
    if (isApiRequest(request)) throw new UnauthorizedError();
    return reply.redirect(principal?.mfaPending ? '/admin/login/mfa' : loginUrl, 303);
  }
  if (principal.tokenScope === 'read' && UNSAFE.has(request.method)) throw new ForbiddenError('This API token is read-only; create a token with the write scope for changes.');
  if (config.mfaStep) return;
  // The policy is met by local TOTP or by a provider sign-in that reported a second factor.
  if (principal.via === 'session' && !principal.user.mfaEnabled && !principal.mfaByProvider && !config.allowWithoutMfa && (await isMfaRequired(request.server.deps.db))) {
    if (isApiRequest(request)) throw new ForbiddenError('Your organisation requires multi-factor authentication: set it up at /admin/account first.');
    return reply.redirect('/admin/account?mfa=required', 303);
  }
  if (!roleAllows(principal.user.role, access)) throw new ForbiddenError(`This needs the ${access} role; you are ${principal.user.role}.`);
}

async function staffReaderOf(request: FastifyRequest): Promise<StaffPrincipal | null> {
  const principal = request.staff;
  if (!principal || principal.mfaPending) return null;
  // Tokens that fail the MFA policy never resolve (see tokens.ts); sessions are checked here.
  if (principal.via === 'session' && !principal.user.mfaEnabled && !principal.mfaByProvider && (await isMfaRequired(request.server.deps.db))) return null;
  return principal;
}

/**
 * Whatever a signed-in caller receives stays out of shared caches and is keyed on the
 * credentials; static files are the same for everyone and keep their caching.
 */
function markPrivate(request: FastifyRequest, reply: FastifyReply): void {
  if (!request.staff || request.url.startsWith('/static/')) return;
  reply.header('cache-control', 'private, no-store');
  const vary = String(reply.getHeader('vary') ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  for (const name of ['Cookie', 'Authorization']) if (!vary.some((v) => v.toLowerCase() === name.toLowerCase())) vary.push(name);
  reply.header('vary', vary.join(', '));
}

export function registerAuth(app: FastifyInstance): void {
  app.decorateRequest('staff', null);
  app.decorateRequest('staffReader', null);
  app.decorateRequest('csrfToken', function (this: FastifyRequest) {
    return '';
  });
  app.decorate('routeIndex', []);

  app.addHook('onRoute', (route) => {
    const access = route.config?.access;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'HEAD' || method === 'OPTIONS') continue;
      app.routeIndex.push({ method, url: route.url, access });
    }
    if (guarded(route.url) && !access) throw new Error(`route ${methods.join(',')} ${route.url} must declare config.access`);
  });

  app.addHook('onRequest', async (request, reply) => {
    request.csrfToken = () => csrfTokenOf(request, reply);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    markPrivate(request, reply);
    return payload;
  });

  // Before validation: who may call a route is settled before what they sent is judged, so a
  // caller without access learns nothing from a 400 (and never gets one instead of a 401/403).
  app.addHook('preValidation', async (request, reply) => {
    request.staff = await authenticate(request);
    request.staffReader = await staffReaderOf(request);
    await checkCsrf(request, reply);
    return enforceAccess(request, reply);
  });
}
