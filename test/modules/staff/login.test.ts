import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_ABSOLUTE_MS, SESSION_IDLE_MS } from '../../../server/modules/staff/service.js';
import { currentTotp, enableMfa, newTotpSecret } from '../../../server/modules/staff/mfa.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { minimalContentDir } from '../../helpers/content-fixture.js';
import { makeStaff, signIn, TEST_PASSWORD } from '../../helpers/staff.js';
import { mfaOf } from '../../helpers/staff.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ contentDir: minimalContentDir, env: { LOGIN_RATE_LIMIT: '1000' } });
});
afterAll(async () => t.close());

const cookieOf = (res: request.Response, name: string) =>
  ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith(`${name}=`));

async function auditActions(): Promise<string[]> {
  const rows = await t.database.db.selectFrom('audit_log').select('action').orderBy('id').execute();
  return rows.map((r) => r.action);
}

describe('sign in', () => {
  it('through the HTML form: sets an HttpOnly SameSite=Lax session cookie and redirects', async () => {
    const user = await makeStaff(t.database.db, t.clock, 'editor');
    const agent = request.agent(t.app.server);
    const page = await agent.get('/admin/login').expect(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
    const res = await agent.post('/admin/login').type('form').send({ _csrf: csrf, email: user.email.toUpperCase(), password: TEST_PASSWORD, next: '/admin/account' }).expect(303);
    expect(res.headers.location).toBe('/admin/account');
    const cookie = cookieOf(res, 'evident_session')!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/); // http BASE_URL in tests
    await agent.get('/admin').expect(200);
    expect(await auditActions()).toContain('staff.login');
  });

  it('never follows a next= to another site', async () => {
    const user = await makeStaff(t.database.db, t.clock, 'viewer');
    const agent = request.agent(t.app.server);
    const page = await agent.get('/admin/login');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
    const res = await agent.post('/admin/login').type('form').send({ _csrf: csrf, email: user.email, password: TEST_PASSWORD, next: '//evil.example/x' }).expect(303);
    expect(res.headers.location).toBe('/admin');
  });

  it('gives the same answer for an unknown email and a wrong password', async () => {
    const user = await makeStaff(t.database.db, t.clock, 'viewer');
    const wrong = await request(t.app.server).post('/api/v1/session').send({ email: user.email, password: 'not the password' }).expect(401);
    const unknown = await request(t.app.server).post('/api/v1/session').send({ email: 'nobody@provider.example', password: 'not the password' }).expect(401);
    expect(wrong.body.error).toEqual(unknown.body.error);
    expect(await auditActions()).toContain('staff.login_failed');
  });

  it('refuses a disabled account with the same answer', async () => {
    const user = await makeStaff(t.database.db, t.clock, 'viewer');
    await t.database.db.updateTable('staff_users').set({ disabled_at: t.clock.now() }).where('id', '=', user.id).execute();
    const res = await request(t.app.server).post('/api/v1/session').send({ email: user.email, password: TEST_PASSWORD }).expect(401);
    expect(res.body.error.code).toBe('invalid_credentials');
  });
});

describe('sessions', () => {
  it('rotates the session id at login and revokes the previous one', async () => {
    const user = await makeStaff(t.database.db, t.clock, 'viewer');
    const { agent } = await signIn(t.app, user.email);
    const firstSessions = await t.database.db.selectFrom('staff_sessions').select(['id', 'revoked_at']).where('user_id', '=', user.id).execute();
    expect(firstSessions).toHaveLength(1);
    await agent.post('/api/v1/session').send({ email: user.email, password: TEST_PASSWORD }).expect(200);
    const sessions = await t.database.db.selectFrom('staff_sessions').select(['id', 'revoked_at']).where('user_id', '=', user.id).orderBy('created_at').execute();
    expect(sessions).toHaveLength(2);
    expect(sessions.find((s) => s.id === firstSessions[0].id)!.revoked_at).not.toBeNull();
  });

  it('logout revokes the session server-side', async () => {
    const user = await makeStaff(t.database.db, t.clock, 'viewer');
    const { agent, csrf } = await signIn(t.app, user.email);
    const cookie = (await agent.get('/api/v1/session')).request.cookies;
    await agent.delete('/api/v1/session').set('x-csrf-token', csrf).expect(204);
    const session = await request(t.app.server).get('/api/v1/session').set('cookie', cookie).expect(200);
    expect(session.body.user).toBeNull();
  });

  it('expires after the idle timeout and after the absolute lifetime', async () => {
    const user = await makeStaff(t.database.db, t.clock, 'viewer');
    const { agent } = await signIn(t.app, user.email);
    t.clock.advance(SESSION_IDLE_MS - 60_000);
    expect((await agent.get('/api/v1/session')).body.user?.email).toBe(user.email);
    t.clock.advance(SESSION_IDLE_MS + 1000);
    expect((await agent.get('/api/v1/session')).body.user).toBeNull();

    const again = await signIn(t.app, user.email);
    for (let spent = 0; spent < SESSION_ABSOLUTE_MS; spent += SESSION_IDLE_MS / 2) {
      t.clock.advance(SESSION_IDLE_MS / 2);
      await again.agent.get('/api/v1/session');
    }
    expect((await again.agent.get('/api/v1/session')).body.user).toBeNull();
  });

  it('a password change ends the other sessions', async () => {
    const user = await makeStaff(t.database.db, t.clock, 'viewer');
    const other = await signIn(t.app, user.email);
    const current = await signIn(t.app, user.email);
    await current.agent
      .post('/admin/account/password')
      .type('form')
      .send({ _csrf: current.csrf, current: TEST_PASSWORD, password: 'a brand new passphrase', confirm: 'a brand new passphrase' })
      .expect(200);
    expect((await other.agent.get('/api/v1/session')).body.user).toBeNull();
    expect((await current.agent.get('/api/v1/session')).body.user?.email).toBe(user.email);
    expect(await auditActions()).toContain('staff.password_changed');
  });
});

describe('CSRF', () => {
  it('refuses a cookie-authenticated change without the token, accepts it with', async () => {
    const user = await makeStaff(t.database.db, t.clock, 'viewer');
    const { agent, csrf } = await signIn(t.app, user.email);
    const refused = await agent.delete('/api/v1/session').expect(403);
    expect(refused.body.error.message).toMatch(/CSRF/);
    await agent.delete('/api/v1/session').set('x-csrf-token', 'forged').expect(403);
    await agent.delete('/api/v1/session').set('x-csrf-token', csrf).expect(204);
  });

  it('refuses a form post without the hidden field', async () => {
    const res = await request(t.app.server).post('/admin/login').type('form').send({ email: 'x@y.example', password: 'whatever' }).expect(403);
    expect(res.text).toContain('CSRF');
  });
});

describe('lockout and rate limits', () => {
  it('locks an account after five failures, even for the right password, with Retry-After; an admin unlock lifts it', async () => {
    const user = await makeStaff(t.database.db, t.clock, 'viewer');
    for (let i = 0; i < 5; i++) {
      await request(t.app.server).post('/api/v1/session').set('x-forwarded-for', `10.0.0.${i}`).send({ email: user.email, password: 'wrong password!' });
    }
    const locked = await request(t.app.server).post('/api/v1/session').send({ email: user.email, password: TEST_PASSWORD }).expect(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect(locked.body.error.message).toMatch(/Too many failed sign-in attempts/);

    const admin = await makeStaff(t.database.db, t.clock, 'admin');
    const { agent, csrf } = await signIn(t.app, admin.email);
    await agent.post(`/admin/users/${user.id}/unlock`).type('form').send({ _csrf: csrf }).expect(303);
    await request(t.app.server).post('/api/v1/session').send({ email: user.email, password: TEST_PASSWORD }).expect(200);
  });

  it('locks unknown emails the same way, so lockout reveals nothing', async () => {
    for (let i = 0; i < 5; i++) await request(t.app.server).post('/api/v1/session').send({ email: 'ghost@provider.example', password: 'wrong password!' });
    await request(t.app.server).post('/api/v1/session').send({ email: 'ghost@provider.example', password: 'wrong password!' }).expect(429);
  });

  it('rate-limits sign-in attempts per address with 429 and Retry-After', async () => {
    const limited = await createTestApp({ contentDir: null, env: { LOGIN_RATE_LIMIT: '10' } });
    const statuses: number[] = [];
    let last: request.Response | null = null;
    for (let i = 0; i < 12; i++) {
      last = await request(limited.app.server).post('/api/v1/session').send({ email: `flood${i}@provider.example`, password: 'x' });
      statuses.push(last.status);
    }
    await limited.close();
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);
    expect(last!.headers['retry-after']).toBeDefined();
  });
});

describe('MFA', () => {
  it('enrols TOTP, then requires the code at login; a recovery code works once', async () => {
    const user = await makeStaff(t.database.db, t.clock, 'editor');
    const { agent, csrf } = await signIn(t.app, user.email);
    const account = await agent.get('/admin/account').expect(200);
    const secret = /name="secret" value="([A-Z2-7]+)"/.exec(account.text)![1];
    const enabled = await agent.post('/admin/account/mfa').type('form').send({ _csrf: csrf, secret, code: currentTotp(secret, user.email, t.clock.now()) }).expect(200);
    const codes = [...enabled.text.matchAll(/<code class="secret">([0-9a-f]{10})<\/code>/g)].map((m) => m[1]);
    expect(codes).toHaveLength(10);

    // The code that turned MFA on is spent; the next sign-in uses the next one.
    t.clock.advance(30_000);
    const pending = request.agent(t.app.server);
    const first = await pending.post('/api/v1/session').send({ email: user.email, password: TEST_PASSWORD }).expect(200);
    expect(first.body).toMatchObject({ user: null, mfaRequired: true });
    await pending.get('/api/v1/questionnaires-not-a-route').expect(404);
    expect((await pending.get('/api/v1/session')).body.user).toBeNull();
    await pending.post('/api/v1/session/mfa').send({ code: '000000' }).expect(400);
    await pending.post('/api/v1/session/mfa').send({ code: currentTotp(secret, user.email, t.clock.now()) }).expect(200);
    expect((await pending.get('/api/v1/session')).body.user.email).toBe(user.email);

    const viaRecovery = request.agent(t.app.server);
    await viaRecovery.post('/api/v1/session').send({ email: user.email, password: TEST_PASSWORD });
    await viaRecovery.post('/api/v1/session/mfa').send({ code: codes[0] }).expect(200);
    const reuse = request.agent(t.app.server);
    await reuse.post('/api/v1/session').send({ email: user.email, password: TEST_PASSWORD });
    await reuse.post('/api/v1/session/mfa').send({ code: codes[0] }).expect(400);
  });

  it('when an admin requires MFA, accounts without it are sent to set it up', async () => {
    const admin = await makeStaff(t.database.db, t.clock, 'admin');
    const a = await signIn(t.app, admin.email);
    const refused = await a.agent.post('/admin/settings').type('form').send({ _csrf: a.csrf, requireMfa: 'on' }).expect(400);
    expect(refused.text).toContain('Turn on two-step verification for your own account first');
    const secret = newTotpSecret();
    await enableMfa(mfaOf(t), admin.id, secret, currentTotp(secret, admin.email, t.clock.now()), null);
    await a.agent.post('/admin/settings').type('form').send({ _csrf: a.csrf, requireMfa: 'on' }).expect(303);
    const viewer = await makeStaff(t.database.db, t.clock, 'viewer');
    const v = await signIn(t.app, viewer.email);
    const res = await v.agent.get('/admin').expect(303);
    expect(res.headers.location).toBe('/admin/account?mfa=required');
    await v.agent.get('/admin/account').expect(200);
    await a.agent.post('/admin/settings').type('form').send({ _csrf: a.csrf }).expect(303);
    await v.agent.get('/admin').expect(200);
  });
});
