import type { FastifyInstance, FastifyRequest } from 'fastify';
import { NotFoundError, UnauthorizedError, ValidationError } from '../../errors.js';
import { safeNext } from '../../lib/page.js';
import { setSessionCookie } from '../../plugins/auth.js';
import { bodyOf, text } from '../../plugins/input.js';
import { actorOf } from '../audit/actor.js';
import { setLocalPasswordsDisabled, startSession } from '../staff/service.js';
import { accountForIdentity, OIDC_FLOW_PATH, type PendingSignIn } from './service.js';

const FLOW_COOKIE = 'evident_oidc';
const FLOW_PATH = OIDC_FLOW_PATH;

/**
 * Staff sign-in with the company's OpenID provider (only when OIDC_ISSUER is set). The flow's
 * secrets (state, nonce, PKCE verifier) travel in a signed cookie, not in this process's memory,
 * so the callback may reach any instance.
 */
export async function ssoRoutes(app: FastifyInstance): Promise<void> {
  const { db, clock } = app.deps;
  const settings = app.config.oidc;
  const client = app.oidc;
  // The routes exist either way (one routes table); without OIDC_ISSUER they answer 404.
  const configured = () => {
    if (!settings || !client) throw new NotFoundError('Single sign-on is not configured (OIDC_ISSUER).');
    return { settings, client };
  };
  const limit = { rateLimit: { max: app.config.loginRateLimit, timeWindow: 60_000 } };

  app.get(FLOW_PATH, { config: { access: 'public', ...limit } }, async (request, reply) => {
    const { client } = configured();
    const { next } = request.query as { next?: string };
    const { url, pending } = await client.begin(safeNext(typeof next === 'string' ? next : undefined));
    reply.setCookie(FLOW_COOKIE, JSON.stringify(pending), { path: FLOW_PATH, httpOnly: true, sameSite: 'lax', secure: app.config.secureCookies, signed: true, maxAge: 600 });
    return reply.header('cache-control', 'private, no-store').redirect(url, 303);
  });

  app.get(`${FLOW_PATH}/callback`, { config: { access: 'public', ...limit } }, async (request, reply) => {
    const { settings, client } = configured();
    const pending = readFlow(request);
    reply.clearCookie(FLOW_COOKIE, { path: FLOW_PATH });
    if (!pending) throw new UnauthorizedError('This sign-in took too long or was started in another browser. Start again.');
    const identity = await client.finish(new URL(request.url, app.config.baseUrl), pending);
    const user = await accountForIdentity(db, clock, settings, identity, request.ip);
    // A local second factor still applies when the provider did not report one.
    const mfaPending = user.mfaEnabled && !identity.mfa;
    const session = await startSession(db, clock, user, {
      mfaPending,
      previousSessionId: request.staff?.sessionId,
      ip: request.ip,
      userAgent: request.headers['user-agent'] ?? null,
      via: 'oidc',
      mfaByProvider: identity.mfa,
      idToken: identity.idToken,
    });
    setSessionCookie(request, reply, session.cookieValue, session.expiresAt);
    reply.header('cache-control', 'private, no-store');
    return reply.redirect(mfaPending ? `/admin/login/mfa?next=${encodeURIComponent(pending.next)}` : pending.next, 303);
  });

  app.post('/admin/settings/sso', { config: { access: 'admin' }, schema: { body: bodyOf({ disableLocalPasswords: text(10) }) } }, async (request, reply) => {
    configured();
    const body = request.body as { disableLocalPasswords?: string };
    if (body.disableLocalPasswords !== undefined && body.disableLocalPasswords !== 'on' && body.disableLocalPasswords !== '') throw new ValidationError('disableLocalPasswords must be "on" or empty.');
    await setLocalPasswordsDisabled(db, clock, body.disableLocalPasswords === 'on', actorOf(request));
    return reply.redirect('/admin/settings', 303);
  });
}

function readFlow(request: FastifyRequest): PendingSignIn | null {
  const raw = request.cookies[FLOW_COOKIE];
  const unsigned = raw ? request.unsignCookie(raw) : null;
  if (!unsigned?.valid || !unsigned.value) return null;
  try {
    const value = JSON.parse(unsigned.value) as Partial<PendingSignIn>;
    if (typeof value.state !== 'string' || typeof value.nonce !== 'string' || typeof value.verifier !== 'string') return null;
    return { state: value.state, nonce: value.nonce, verifier: value.verifier, next: safeNext(typeof value.next === 'string' ? value.next : undefined) };
  } catch {
    return null;
  }
}
