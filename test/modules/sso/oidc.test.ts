import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import Provider from 'oidc-provider';
import type { CustomFetch } from 'openid-client';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../server/app.js';
import { loadConfig } from '../../../server/config.js';
import { makeBreakGlassAdmin, setLocalPasswordsDisabled, setMfaRequired, SESSION_ABSOLUTE_MS } from '../../../server/modules/staff/service.js';
import { adjustableClock } from '../../helpers/clock.js';
import { minimalContentDir } from '../../helpers/content-fixture.js';
import { createTestDatabase } from '../../helpers/database.js';
import { appDatabase } from '../../../server/app-database.js';
import { syncContent } from '../../../server/modules/content/service.js';
import type { FastifyInstance } from 'fastify';
import type { OpenDatabase } from '../../../server/db/connect.js';
import { makeStaff, signIn, TEST_PASSWORD } from '../../helpers/staff.js';

/** People at the company's provider: their groups and how they last proved who they are. */
const people = new Map<string, { email: string; name: string; groups: string[] }>();
let nextLogin: { amr: string[]; acr?: string } = { amr: ['pwd'] };
/** What the test does to the token response on its way to the app (a forged or stale ID token). */
let tamper: ((claims: JWTPayload) => JWTPayload) | null = null;

let idp: Server;
let issuer: string;
let signingKey: CryptoKey;
let app: FastifyInstance;
let database: OpenDatabase;
const clock = adjustableClock(new Date().toISOString());
const BASE_URL = 'http://127.0.0.1:3999';

async function startProvider(): Promise<void> {
  idp = createServer();
  await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  signingKey = privateKey;
  const jwk = { ...(await exportJWK(privateKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  const provider = new Provider(issuer, {
    clients: [{ client_id: 'evident', client_secret: 'evident-client-secret-for-tests', redirect_uris: [`${BASE_URL}/admin/login/oidc/callback`], post_logout_redirect_uris: [`${BASE_URL}/admin/login`], grant_types: ['authorization_code'], response_types: ['code'] }],
    jwks: { keys: [jwk] },
    claims: { openid: ['sub', 'acr', 'amr'], email: ['email', 'email_verified'], profile: ['name', 'groups'] },
    conformIdTokenClaims: false,
    findAccount: async (_ctx, id) => ({ accountId: id, claims: async () => ({ sub: id, ...people.get(id) }) }),
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    cookies: { keys: ['oidc-test-cookie-key'] },
  });
  const callback = provider.callback();
  // The provider's login page, reduced to "the person whose turn it is signs in and consents".
  idp.on('request', (req, res) => {
    if (!req.url?.startsWith('/interaction/')) return void callback(req, res);
    void (async () => {
      const details = await provider.interactionDetails(req, res);
      const accountId = String(details.params.login_hint);
      const grant = new provider.Grant({ accountId, clientId: String(details.params.client_id) });
      grant.addOIDCScope(String(details.params.scope));
      const grantId = await grant.save();
      await provider.interactionFinished(req, res, { login: { accountId, amr: nextLogin.amr, ...(nextLogin.acr ? { acr: nextLogin.acr } : {}) }, consent: { grantId } }, { mergeWithLastSubmission: false });
    })().catch((error: unknown) => {
      res.statusCode = 500;
      res.end(String(error));
    });
  });
}

/** The token endpoint's answer, with the ID token re-signed by the provider's own key after `tamper` changed it. */
const tamperingFetch: CustomFetch = async (url, options) => {
  const response = await fetch(url, options as RequestInit);
  if (!tamper || !url.endsWith('/token')) return response;
  const body = (await response.json()) as { id_token: string };
  const claims = tamper(decodeJwt(body.id_token));
  body.id_token = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: decodeProtectedHeader(body.id_token).kid }).sign(signingKey);
  return new Response(JSON.stringify(body), { status: response.status, headers: { 'content-type': 'application/json' } });
};

beforeAll(async () => {
  await startProvider();
  const config = loadConfig({
    NODE_ENV: 'test',
    CONTENT_DIR: minimalContentDir,
    BASE_URL,
    LOGIN_RATE_LIMIT: '1000',
    OIDC_ISSUER: issuer,
    OIDC_CLIENT_ID: 'evident',
    OIDC_CLIENT_SECRET: 'evident-client-secret-for-tests',
    OIDC_ROLE_MAP: 'evident-admins=admin,evident-editors=editor,evident-readers=viewer',
    OIDC_MFA_VALUES: 'mfa,otp',
  });
  database = appDatabase(await createTestDatabase(), config, clock);
  await syncContent(database.db, minimalContentDir, clock);
  app = await buildApp(config, { db: database.db, databaseKind: database.kind, clock, oidcFetch: tamperingFetch });
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await database.close();
  await new Promise((resolve) => idp.close(resolve));
});

/**
 * A browser signing in: the app sends it to the provider, the provider signs `accountId` in and
 * sends it back with a code; `changeCallback` may alter the way back. Returns the agent and the
 * app's answer to the callback.
 */
async function signInAtProvider(accountId: string, options: { changeCallback?: (url: URL) => void; beforeCallback?: () => void } = {}) {
  const agent = request.agent(app.server);
  const start = await agent.get('/admin/login/oidc?next=/admin/library').expect(303);
  let url = new URL(start.headers.location);
  url.searchParams.set('login_hint', accountId);
  const jar = new Map<string, string>();
  for (let hops = 0; url.origin === issuer; hops++) {
    if (hops > 10) throw new Error('the provider keeps redirecting');
    const res = await fetch(url, { redirect: 'manual', headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } });
    for (const cookie of res.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      jar.set(pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1));
    }
    if (!res.headers.get('location')) throw new Error(`the provider answered ${res.status}: ${await res.text()}`);
    url = new URL(res.headers.get('location')!, url);
  }
  options.changeCallback?.(url);
  options.beforeCallback?.();
  const answer = await agent.get(url.pathname + url.search);
  return { agent, answer };
}

const roleOf = async (agent: ReturnType<typeof request.agent>) => (await agent.get('/api/v1/session').expect(200)).body;

describe('staff sign-in with OpenID Connect (authorization code + PKCE against oidc-provider)', () => {
  it('signs a new person in just in time with the role of their group, for at most 12 hours', async () => {
    people.set('u-ada', { email: 'ada@acme.example', name: 'Ada', groups: ['staff', 'evident-editors'] });
    const { agent, answer } = await signInAtProvider('u-ada');
    expect(answer.status).toBe(303);
    expect(answer.headers.location).toBe('/admin/library');
    await agent.get('/admin/library').expect(200);
    const user = await database.db.selectFrom('staff_users').select(['email', 'role', 'oidc_subject', 'break_glass']).where('email', '=', 'ada@acme.example').executeTakeFirstOrThrow();
    expect(user).toEqual({ email: 'ada@acme.example', role: 'editor', oidc_subject: 'u-ada', break_glass: false });
    const session = await database.db.selectFrom('staff_sessions').innerJoin('staff_users', 'staff_users.id', 'staff_sessions.user_id').select(['staff_sessions.created_at', 'staff_sessions.expires_at']).where('staff_users.email', '=', 'ada@acme.example').executeTakeFirstOrThrow();
    expect(session.expires_at.getTime() - session.created_at.getTime()).toBe(SESSION_ABSOLUTE_MS);
    const audit = await database.db.selectFrom('audit_log').select(['action', 'subject']).where('subject', '=', 'ada@acme.example').orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual(['staff.user_created', 'staff.login']);
  });

  it('signing out of a provider session ends it at the provider too (RP-initiated logout); a password session signs out here only', async () => {
    people.set('u-ev', { email: 'ev@acme.example', name: 'Ev', groups: ['evident-editors'] });
    const { agent, answer } = await signInAtProvider('u-ev');
    expect(answer.status).toBe(303);
    const page = await agent.get('/admin/library').expect(200);
    // The sign-out form's redirect to the provider is allowed by the page's policy.
    expect(page.headers['content-security-policy']).toContain(`form-action 'self' ${issuer}`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
    const out = await agent.post('/admin/logout').type('form').send({ _csrf: csrf }).expect(303);
    const to = new URL(out.headers.location);
    expect(to.origin + to.pathname).toBe(`${issuer}/session/end`);
    expect(to.searchParams.get('post_logout_redirect_uri')).toBe(`${BASE_URL}/admin/login`);
    expect(decodeJwt(to.searchParams.get('id_token_hint')!)).toMatchObject({ sub: 'u-ev', aud: 'evident', iss: issuer });
    // The provider accepts the hint and the way back (it asks the person to confirm; an error would be a 400).
    expect((await fetch(to, { redirect: 'manual' })).status).toBe(200);
    // Here the session has ended and its ID token is not kept.
    expect((await agent.get('/api/v1/session').expect(200)).body.user).toBeNull();
    const sessions = await database.db.selectFrom('staff_sessions').innerJoin('staff_users', 'staff_users.id', 'staff_sessions.user_id').select(['revoked_at', 'oidc_id_token']).where('staff_users.email', '=', 'ev@acme.example').execute();
    expect(sessions).toEqual([{ revoked_at: expect.any(Date), oidc_id_token: null }]);

    const local = await signIn(app, (await makeStaff(database.db, clock, 'viewer')).email);
    const localOut = await local.agent.post('/admin/logout').type('form').send({ _csrf: local.csrf }).expect(303);
    expect(localOut.headers.location).toBe('/admin/login');
  });

  it('a group change at the provider changes the role at the next sign-in; leaving every group ends access and sessions', async () => {
    people.set('u-bo', { email: 'bo@acme.example', name: 'Bo', groups: ['evident-readers'] });
    const first = await signInAtProvider('u-bo');
    expect(first.answer.status).toBe(303);
    expect((await first.agent.get('/api/v1/session').expect(200)).body).toMatchObject({ user: { role: 'viewer' } });
    await first.agent.get('/admin/users').expect(403);

    people.set('u-bo', { email: 'bo@acme.example', name: 'Bo', groups: ['evident-admins', 'evident-readers'] });
    const second = await signInAtProvider('u-bo');
    expect(second.answer.status).toBe(303);
    await second.agent.get('/admin/users').expect(200);

    people.set('u-bo', { email: 'bo@acme.example', name: 'Bo', groups: ['marketing'] });
    const third = await signInAtProvider('u-bo');
    expect(third.answer.status).toBe(403);
    expect(third.answer.text).toContain('no group that gives access');
    expect((await second.agent.get('/api/v1/session').expect(200)).body.user).toBeNull();
    await second.agent.get('/admin/users').expect(303);
  });

  it('refuses an answer whose state does not match this sign-in, and a callback without the flow cookie', async () => {
    people.set('u-cy', { email: 'cy@acme.example', name: 'Cy', groups: ['evident-editors'] });
    const forged = await signInAtProvider('u-cy', { changeCallback: (url) => url.searchParams.set('state', 'not-the-state-we-sent') });
    expect(forged.answer.status).toBe(401);
    expect(forged.answer.text).toContain('does not belong to this sign-in');
    const stray = await request(app.server).get('/admin/login/oidc/callback?code=abc&state=def').expect(401);
    expect(stray.text).toContain('Start again');
    expect(await database.db.selectFrom('staff_users').select('id').where('email', '=', 'cy@acme.example').execute()).toEqual([]);
  });

  it('refuses an ID token issued to another application (wrong audience), signed by the provider', async () => {
    people.set('u-di', { email: 'di@acme.example', name: 'Di', groups: ['evident-admins'] });
    tamper = (claims) => ({ ...claims, aud: 'another-application' });
    try {
      const { answer } = await signInAtProvider('u-di');
      expect(answer.status).toBe(401);
      expect(answer.text).toContain('issued to another application');
    } finally {
      tamper = null;
    }
    expect(await database.db.selectFrom('staff_users').select('id').where('email', '=', 'di@acme.example').execute()).toEqual([]);
  });

  it('refuses an expired ID token (judged on the app\'s clock)', async () => {
    people.set('u-ed', { email: 'ed@acme.example', name: 'Ed', groups: ['evident-admins'] });
    tamper = (claims) => ({ ...claims, iat: Number(claims.iat) - 7200, exp: Number(claims.iat) - 3600 });
    try {
      const { answer } = await signInAtProvider('u-ed');
      expect(answer.status).toBe(401);
      expect(answer.text).toContain('expired');
    } finally {
      tamper = null;
    }
    // The same happens to a fresh token when the app's clock has moved past its expiry.
    const { answer } = await signInAtProvider('u-ed', { beforeCallback: () => clock.advance(2 * 3600_000) });
    clock.advance(-2 * 3600_000);
    expect(answer.status).toBe(401);
  });

  it('the "require MFA" policy is met by a provider sign-in that reports a second factor, and only then', async () => {
    const admin = await makeStaff(database.db, clock, 'admin');
    await setMfaRequired(database.db, clock, true, { actor: admin.email, actorKind: 'user' });
    try {
      people.set('u-fy', { email: 'fy@acme.example', name: 'Fy', groups: ['evident-editors'] });
      nextLogin = { amr: ['pwd'] };
      const weak = await signInAtProvider('u-fy');
      expect(weak.answer.status).toBe(303);
      expect((await weak.agent.get('/admin/library').expect(303)).headers.location).toBe('/admin/account?mfa=required');
      nextLogin = { amr: ['pwd', 'otp'] };
      const strong = await signInAtProvider('u-fy');
      await strong.agent.get('/admin/library').expect(200);
      nextLogin = { amr: ['pwd'], acr: 'mfa' };
      const byAcr = await signInAtProvider('u-fy');
      await byAcr.agent.get('/admin/library').expect(200);
    } finally {
      nextLogin = { amr: ['pwd'] };
      await setMfaRequired(database.db, clock, false, { actor: admin.email, actorKind: 'user' });
    }
  });

  it('with local passwords switched off, only the break-glass admin signs in with a password, and never through the provider', async () => {
    const cli = { actor: 'cli', actorKind: 'system' as const };
    await expect(setLocalPasswordsDisabled(database.db, clock, true, cli)).rejects.toThrow(/break-glass admin first/);
    await makeBreakGlassAdmin(database.db, clock, 'glass@acme.example', TEST_PASSWORD, cli);
    const local = await makeStaff(database.db, clock, 'editor');
    await setLocalPasswordsDisabled(database.db, clock, true, cli);
    try {
      expect((await request(app.server).post('/api/v1/session').send({ email: local.email, password: TEST_PASSWORD })).status).toBe(401);
      const glass = await signIn(app, 'glass@acme.example');
      await glass.agent.get('/admin/users').expect(200);
      people.set('u-glass', { email: 'glass@acme.example', name: 'Impostor', groups: ['evident-admins'] });
      const { answer } = await signInAtProvider('u-glass');
      expect(answer.status).toBe(403);
      expect(answer.text).toContain('break-glass');
    } finally {
      await setLocalPasswordsDisabled(database.db, clock, false, cli);
    }
  });
});

describe('the last-admin guard', () => {
  it('an admin cannot demote or disable the last enabled admin from the web; the break-glass admin counts as one', async () => {
    const db = database.db;
    // Only one enabled admin left besides the break-glass one made above: disable the others first.
    const glass = await signIn(app, 'glass@acme.example');
    const admins = await db.selectFrom('staff_users').select(['id', 'email']).where('role', '=', 'admin').where('disabled_at', 'is', null).where('break_glass', '=', false).execute();
    for (const a of admins) await glass.agent.post(`/admin/users/${a.id}/disable`).type('form').send({ _csrf: glass.csrf }).expect(303);
    const me = await db.selectFrom('staff_users').select('id').where('email', '=', 'glass@acme.example').executeTakeFirstOrThrow();
    const refused = await glass.agent.post(`/admin/users/${me.id}/role`).type('form').send({ _csrf: glass.csrf, role: 'viewer' }).expect(409);
    expect(refused.text).toContain('last enabled admin');
    await glass.agent.post(`/admin/users/${me.id}/disable`).type('form').send({ _csrf: glass.csrf }).expect(409);
    expect(await db.selectFrom('staff_users').select(['role', 'disabled_at']).where('id', '=', me.id).executeTakeFirstOrThrow()).toEqual({ role: 'admin', disabled_at: null });
  });
});
