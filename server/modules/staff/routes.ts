import type { FastifyInstance, FastifyRequest } from "fastify";
import { ValidationError } from '../../errors.js';
import { renderAdmin, safeNext } from '../../lib/page.js';
import { clearSessionCookie, setSessionCookie } from '../../plugins/auth.js';
import { actorOf } from '../audit/actor.js';
import { bodyOf, text } from '../../plugins/input.js';
import { listTokens, listUsers } from './queries.js';
import * as staff from './service.js';
import * as mfa from './mfa.js';
import { revokeToken } from './tokens.js';
import type { StaffPrincipal } from './types.js';

// Kept here too for callers that still import it from the staff routes.
export { actorOf };

function me(request: FastifyRequest): StaffPrincipal {
  return request.staff!;
}

type Body = Record<string, string | undefined>;

function lockedMessage(seconds: number): string {
  return `Too many failed sign-in attempts for this account. Try again in ${Math.ceil(seconds / 60)} minute(s), or ask an admin to unlock it.`;
}

export async function staffRoutes(app: FastifyInstance): Promise<void> {
  const { db, clock } = app.deps;
  const mfaContext: mfa.MfaContext = { db, clock, totpKey: app.config.totpKey };
  const loginRateLimit = { rateLimit: { max: app.config.loginRateLimit, timeWindow: 60_000 } };

  // ---- sign in (HTML, works without JavaScript) ----
  app.get('/admin/login', { config: { access: 'public' } }, async (request, reply) => {
    const { next } = request.query as { next?: string };
    return renderAdmin(request, reply, 'views/staff/login.hbs', { title: 'Sign in', next: safeNext(next), oidc: Boolean(app.config.oidc) });
  });

  app.post('/admin/login', { config: { access: 'public', ...loginRateLimit }, schema: { body: bodyOf({ email: text(254), password: text(1000), next: text(2000) }) } }, async (request, reply) => {
    const body = request.body as Body;
    const result = await staff.checkCredentials(db, clock, body.email ?? '', body.password ?? '', request.ip);
    if (!result.ok) {
      if (result.reason === 'locked') reply.code(429).header('retry-after', String(result.retryAfterSeconds));
      else reply.code(401);
      const error = result.reason === 'locked' ? lockedMessage(result.retryAfterSeconds) : 'The email or password is not correct.';
      return renderAdmin(request, reply, 'views/staff/login.hbs', { title: 'Sign in', error, email: body.email, next: safeNext(body.next), oidc: Boolean(app.config.oidc) });
    }
    const session = await staff.startSession(db, clock, result.user, {
      mfaPending: result.mfaRequired,
      previousSessionId: request.staff?.sessionId,
      ip: request.ip,
      userAgent: request.headers['user-agent'] ?? null,
    });
    setSessionCookie(request, reply, session.cookieValue, session.expiresAt);
    return reply.redirect(result.mfaRequired ? `/admin/login/mfa?next=${encodeURIComponent(safeNext(body.next))}` : safeNext(body.next), 303);
  });

  app.get('/admin/login/mfa', { config: { access: 'viewer', mfaStep: true } }, async (request, reply) => {
    const { next } = request.query as { next?: string };
    return renderAdmin(request, reply, 'views/staff/mfa.hbs', { title: 'Two-step verification', next: safeNext(next) });
  });

  app.post('/admin/login/mfa', { config: { access: 'viewer', mfaStep: true, ...loginRateLimit }, schema: { body: bodyOf({ code: text(100), next: text(2000) }) } }, async (request, reply) => {
    const body = request.body as Body;
    const result = await mfa.completeMfa(mfaContext, me(request), body.code ?? '', request.ip, request.headers['user-agent'] ?? null);
    if (!result.ok) {
      if (result.reason === 'ended') {
        clearSessionCookie(request, reply);
        reply.code(401);
        return renderAdmin(request, reply, 'views/staff/login.hbs', { title: 'Sign in', error: result.message, next: safeNext(body.next) });
      }
      if (result.reason === 'blocked') reply.code(429).header('retry-after', String(result.retryAfterSeconds));
      else reply.code(400);
      return renderAdmin(request, reply, 'views/staff/mfa.hbs', { title: 'Two-step verification', error: result.message, next: safeNext(body.next) });
    }
    setSessionCookie(request, reply, result.session.cookieValue, result.session.expiresAt);
    return reply.redirect(safeNext(body.next), 303);
  });

  app.post('/admin/logout', { config: { access: 'viewer', allowWithoutMfa: true, mfaStep: true } }, async (request, reply) => {
    const { idToken } = await staff.endSession(db, clock, me(request), request.ip);
    clearSessionCookie(request, reply);
    // A session started at the company's provider ends there too, which then sends the browser back here.
    const atProvider = idToken && app.oidc ? await app.oidc.endSessionUrl(idToken, `${app.config.baseUrl}/admin/login`) : null;
    return reply.redirect(atProvider ?? '/admin/login', 303);
  });

  // ---- own account: password, MFA, tokens ----
  app.get('/admin/account', { config: { access: 'viewer', allowWithoutMfa: true } }, async (request, reply) => {
    const user = me(request).user;
    const { mfa: required } = request.query as { mfa?: string };
    // Offered also when MFA is on: replacing the authenticator then needs the password and a current code.
    const secret = mfa.newTotpSecret();
    return renderAdmin(request, reply, 'views/staff/account.hbs', {
      title: 'Your account',
      user,
      mfaRequired: required === 'required',
      mfaSecret: secret,
      mfaUri: mfa.totpUri(secret, user.email),
      tokens: await listTokens(db, user.id),
    });
  });

  app.post('/admin/account/password', { config: { access: 'viewer', allowWithoutMfa: true }, schema: { body: bodyOf({ current: text(1000), password: text(1000), confirm: text(1000) }) } }, async (request, reply) => {
    const body = request.body as Body;
    const principal = me(request);
    const check = await staff.checkCredentials(db, clock, principal.user.email, body.current ?? '', request.ip);
    if (!check.ok) throw new ValidationError('Your current password is not correct.');
    if (body.password !== body.confirm) throw new ValidationError('The new password and its confirmation differ.');
    await staff.setPassword(db, clock, principal.user.email, body.password ?? '', actorOf(request), { keepSessionId: principal.sessionId ?? undefined, action: 'staff.password_changed' });
    return renderAdmin(request, reply, 'views/staff/done.hbs', { title: 'Password changed', flash: 'Your password is changed. Your other sessions have been signed out.' });
  });

  app.post(
    '/admin/account/mfa',
    { config: { access: 'viewer', allowWithoutMfa: true }, schema: { body: bodyOf({ secret: text(200), code: text(100), password: text(1000), currentCode: text(100) }) } },
    async (request, reply) => {
    const body = request.body as Body;
    const reauth = { password: body.password ?? '', currentCode: body.currentCode ?? '' };
    const codes = await mfa.enableMfa(mfaContext, me(request).user.id, body.secret ?? '', body.code ?? '', request.ip, reauth);
    return renderAdmin(request, reply, 'views/staff/recovery-codes.hbs', { title: 'Two-step verification is on', codes });
    },
  );

  // ---- users (admin) ----
  app.get('/admin/users', { config: { access: 'admin' } }, async (request, reply) => {
    const users = (await listUsers(db)).map(staff.toStaffUser);
    return renderAdmin(request, reply, 'views/staff/users.hbs', { title: 'Users', users, tokens: await listTokens(db), roles: staff.ROLES });
  });

  app.post('/admin/users', { config: { access: 'admin' }, schema: { body: bodyOf({ email: text(254), name: text(200), role: text(20) }) } }, async (request, reply) => {
    const body = request.body as Body;
    const password = staff.generatePassword();
    const user = await staff.createUser(db, clock, { email: body.email ?? '', name: body.name, role: body.role ?? 'viewer', password }, actorOf(request));
    return renderAdmin(request, reply, 'views/staff/done.hbs', {
      title: 'User created',
      flash: `${user.email} can now sign in with the one-time password below. Pass it on privately; it is not shown again.`,
      secret: password,
    });
  });

  app.post('/admin/users/:id/:action', { config: { access: 'admin' }, schema: { body: bodyOf({ role: text(20) }) } }, async (request, reply) => {
    const { id, action } = request.params as { id: string; action: string };
    const body = (request.body ?? {}) as Body;
    const users = await listUsers(db);
    const user = users.find((u) => u.id === id);
    if (!user) return reply.callNotFound();
    const by = actorOf(request);
    let secret: string | undefined;
    switch (action) {
      case 'role':
        await staff.setRole(db, clock, user.email, body.role ?? '', by);
        break;
      case 'disable':
        await staff.setDisabled(db, clock, user.email, true, by);
        break;
      case 'enable':
        await staff.setDisabled(db, clock, user.email, false, by);
        break;
      case 'unlock':
        await staff.unlockAccount(db, clock, user.email, by);
        break;
      case 'reset-mfa':
        await mfa.disableMfa(db, clock, user.email, by);
        break;
      case 'reset-password':
        secret = staff.generatePassword();
        await staff.setPassword(db, clock, user.email, secret, by);
        break;
      default:
        return reply.callNotFound();
    }
    if (secret) return renderAdmin(request, reply, 'views/staff/done.hbs', { title: 'Password reset', flash: `New one-time password for ${user.email}:`, secret });
    return reply.redirect('/admin/users', 303);
  });

  app.post('/admin/tokens/:id/revoke', { config: { access: 'viewer' } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const principal = me(request);
    await revokeToken(db, clock, id, actorOf(request), principal.user.role === 'admin' ? undefined : principal.user.id);
    return reply.redirect(principal.user.role === 'admin' ? '/admin/users' : '/admin/account', 303);
  });

  app.get('/admin/settings', { config: { access: 'admin' } }, async (request, reply) =>
    renderAdmin(request, reply, 'views/staff/settings.hbs', { title: 'Settings', requireMfa: await staff.isMfaRequired(db), oidc: Boolean(app.config.oidc), localPasswordsDisabled: await staff.localPasswordsDisabled(db) }),
  );

  app.post('/admin/settings', { config: { access: 'admin' }, schema: { body: bodyOf({ requireMfa: text(10) }) } }, async (request, reply) => {
    const body = request.body as Body;
    const required = body.requireMfa === 'on';
    // Requiring it without having it would lock the admin out of this very page.
    if (required && !me(request).user.mfaEnabled && !me(request).mfaByProvider) throw new ValidationError('Turn on two-step verification for your own account first (Your account), then require it for everyone.');
    await staff.setMfaRequired(db, clock, required, actorOf(request));
    return reply.redirect('/admin/settings', 303);
  });

  // ---- JSON API ----
  app.get('/api/v1/session', { config: { access: 'public' } }, async (request) => ({
    user: request.staff && !request.staff.mfaPending ? request.staff.user : null,
    mfaPending: request.staff?.mfaPending ?? false,
    csrfToken: request.csrfToken(),
  }));

  app.post('/api/v1/session', { config: { access: 'public', csrf: 'same-origin', ...loginRateLimit }, schema: { body: bodyOf({ email: text(254), password: text(1000) }, ['email', 'password']) } }, async (request, reply) => {
    const body = (request.body ?? {}) as Body;
    if (typeof body.email !== 'string' || typeof body.password !== 'string') throw new ValidationError('Send {"email": "...", "password": "..."}.');
    const result = await staff.checkCredentials(db, clock, body.email, body.password, request.ip);
    if (!result.ok) {
      if (result.reason === 'locked') {
        reply.header('retry-after', String(result.retryAfterSeconds));
        return reply.code(429).send({ error: { code: 'locked', message: lockedMessage(result.retryAfterSeconds) } });
      }
      return reply.code(401).send({ error: { code: 'invalid_credentials', message: 'The email or password is not correct.' } });
    }
    const session = await staff.startSession(db, clock, result.user, {
      mfaPending: result.mfaRequired,
      previousSessionId: request.staff?.sessionId,
      ip: request.ip,
      userAgent: request.headers['user-agent'] ?? null,
    });
    setSessionCookie(request, reply, session.cookieValue, session.expiresAt);
    return { user: result.mfaRequired ? null : result.user, mfaRequired: result.mfaRequired, csrfToken: request.csrfToken() };
  });

  app.post('/api/v1/session/mfa', { config: { access: 'viewer', mfaStep: true, csrf: 'same-origin', ...loginRateLimit }, schema: { body: bodyOf({ code: text(100) }, ['code']) } }, async (request, reply) => {
    const body = (request.body ?? {}) as Body;
    const result = await mfa.completeMfa(mfaContext, me(request), String(body.code ?? ''), request.ip, request.headers['user-agent'] ?? null);
    if (!result.ok) {
      if (result.reason === 'ended') {
        clearSessionCookie(request, reply);
        return reply.code(401).send({ error: { code: 'mfa_ended', message: result.message } });
      }
      if (result.reason === 'blocked') return reply.code(429).header('retry-after', String(result.retryAfterSeconds)).send({ error: { code: 'mfa_blocked', message: result.message } });
      return reply.code(400).send({ error: { code: 'invalid_code', message: result.message } });
    }
    setSessionCookie(request, reply, result.session.cookieValue, result.session.expiresAt);
    return { user: me(request).user, csrfToken: request.csrfToken() };
  });

  app.delete('/api/v1/session', { config: { access: 'viewer', allowWithoutMfa: true, mfaStep: true } }, async (request, reply) => {
    await staff.endSession(db, clock, me(request), request.ip);
    clearSessionCookie(request, reply);
    return reply.code(204).send();
  });

  app.get('/api/v1/users', { config: { access: 'admin' } }, async () => ({ users: (await listUsers(db)).map(staff.toStaffUser) }));

  app.get('/api/v1/tokens', { config: { access: 'viewer' } }, async (request) => {
    const principal = me(request);
    return { tokens: await listTokens(db, principal.user.role === 'admin' ? undefined : principal.user.id) };
  });

  app.delete('/api/v1/tokens/:id', { config: { access: 'viewer' } }, async (request, reply) => {
    const principal = me(request);
    await revokeToken(db, clock, (request.params as { id: string }).id, actorOf(request), principal.user.role === 'admin' ? undefined : principal.user.id);
    return reply.code(204).send();
  });
}

