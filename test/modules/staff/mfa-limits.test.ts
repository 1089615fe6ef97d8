import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentTotp, enableMfa, newTotpSecret } from '../../../server/modules/staff/mfa.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { makeStaff, signIn, TEST_PASSWORD } from '../../helpers/staff.js';
import { mfaOf } from '../../helpers/staff.js';

// Issue 15, finding 3 and the low findings on MFA: guessing the code, replaying it, re-enrolling.

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ contentDir: null, env: { LOGIN_RATE_LIMIT: '1000' } });
});
afterAll(async () => t.close());

/** A user with MFA on; the clock is moved past the enrolment code's time-step. */
async function userWithMfa() {
  const user = await makeStaff(t.database.db, t.clock, 'editor');
  const secret = newTotpSecret();
  await enableMfa(mfaOf(t), user.id, secret, currentTotp(secret, user.email, t.clock.now()), null);
  t.clock.advance(30_000);
  return { user, secret, code: () => currentTotp(secret, user.email, t.clock.now()) };
}

async function pendingSignIn(email: string) {
  const agent = request.agent(t.app.server);
  const res = await agent.post('/api/v1/session').send({ email, password: TEST_PASSWORD }).expect(200);
  expect(res.body.mfaRequired).toBe(true);
  return agent;
}

/** A six-digit code that is not the current one (nor its neighbours). */
function wrongCode(right: string): string {
  return String((Number(right) + 500_000) % 1_000_000).padStart(6, '0');
}

describe('the MFA step', () => {
  it('ends the pending sign-in after five wrong codes; the right code then no longer helps', async () => {
    const { user, code } = await userWithMfa();
    const agent = await pendingSignIn(user.email);
    for (let i = 0; i < 4; i++) {
      const res = await agent.post('/api/v1/session/mfa').send({ code: wrongCode(code()) }).expect(400);
      expect(res.body.error.code).toBe('invalid_code');
    }
    const ended = await agent.post('/api/v1/session/mfa').send({ code: wrongCode(code()) }).expect(401);
    expect(ended.body.error.code).toBe('mfa_ended');
    await agent.post('/api/v1/session/mfa').send({ code: code() }).expect(401);
    const sessions = await t.database.db.selectFrom('staff_sessions').select(['revoked_at', 'mfa_failures']).where('user_id', '=', user.id).execute();
    expect(sessions).toHaveLength(1);
    expect(sessions[0].revoked_at).not.toBeNull();
  });

  it('the sign-in form ends the same way, back on the password page', async () => {
    const { user, code } = await userWithMfa();
    const agent = request.agent(t.app.server);
    const login = await agent.get('/admin/login').expect(200);
    const loginCsrf = /name="_csrf" value="([^"]+)"/.exec(login.text)![1];
    const step = await agent.post('/admin/login').type('form').send({ _csrf: loginCsrf, email: user.email, password: TEST_PASSWORD }).expect(303);
    expect(step.headers.location).toMatch(/^\/admin\/login\/mfa/);
    const page = await agent.get('/admin/login/mfa').expect(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
    for (let i = 0; i < 4; i++) await agent.post('/admin/login/mfa').type('form').send({ _csrf: csrf, code: wrongCode(code()) }).expect(400);
    const ended = await agent.post('/admin/login/mfa').type('form').send({ _csrf: csrf, code: wrongCode(code()) }).expect(401);
    expect(ended.text).toContain('this sign-in has ended');
    expect(ended.text).toContain('name="password"');
  });

  it('counts wrong codes per account across sessions and answers with a growing delay', async () => {
    const { user, code } = await userWithMfa();
    const first = await pendingSignIn(user.email);
    for (let i = 0; i < 4; i++) await first.post('/api/v1/session/mfa').send({ code: wrongCode(code()) }).expect(400);
    const second = await pendingSignIn(user.email);
    await second.post('/api/v1/session/mfa').send({ code: wrongCode(code()) }).expect(400);
    // Five wrong in all: even the right code waits now, from any session.
    const held = await second.post('/api/v1/session/mfa').send({ code: code() }).expect(429);
    expect(Number(held.headers['retry-after'])).toBe(30);
    const stored = await t.database.db.selectFrom('staff_users').select(['mfa_failures', 'mfa_blocked_until']).where('id', '=', user.id).executeTakeFirstOrThrow();
    expect(stored.mfa_failures).toBe(5);

    t.clock.advance(31_000);
    await second.post('/api/v1/session/mfa').send({ code: wrongCode(code()) }).expect(400);
    const longer = await second.post('/api/v1/session/mfa').send({ code: code() }).expect(429);
    expect(Number(longer.headers['retry-after'])).toBe(60);

    t.clock.advance(61_000);
    await second.post('/api/v1/session/mfa').send({ code: code() }).expect(200);
    const after = await t.database.db.selectFrom('staff_users').select('mfa_failures').where('id', '=', user.id).executeTakeFirstOrThrow();
    expect(after.mfa_failures).toBe(0);
  });

  it('accepts a TOTP code once', async () => {
    const { user, code } = await userWithMfa();
    const used = code();
    await (await pendingSignIn(user.email)).post('/api/v1/session/mfa').send({ code: used }).expect(200);
    const replay = await (await pendingSignIn(user.email)).post('/api/v1/session/mfa').send({ code: used }).expect(400);
    expect(replay.body.error.code).toBe('invalid_code');
    t.clock.advance(30_000);
    await (await pendingSignIn(user.email)).post('/api/v1/session/mfa').send({ code: code() }).expect(200);
  });

  it('the code that turned MFA on cannot sign in', async () => {
    const user = await makeStaff(t.database.db, t.clock, 'viewer');
    const secret = newTotpSecret();
    const enrolment = currentTotp(secret, user.email, t.clock.now());
    await enableMfa(mfaOf(t), user.id, secret, enrolment, null);
    await (await pendingSignIn(user.email)).post('/api/v1/session/mfa').send({ code: enrolment }).expect(400);
  });

  it('a recovery code is a second factor only, never a password', async () => {
    const user = await makeStaff(t.database.db, t.clock, 'viewer');
    const secret = newTotpSecret();
    const codes = await enableMfa(mfaOf(t), user.id, secret, currentTotp(secret, user.email, t.clock.now()), null);
    await request(t.app.server).post('/api/v1/session').send({ email: user.email, password: codes[0] }).expect(401);
    await (await pendingSignIn(user.email)).post('/api/v1/session/mfa').send({ code: codes[0] }).expect(200);
  });
});

describe('re-enrolment', () => {
  it('needs the password and a current code from the authenticator being replaced', async () => {
    const { user, secret: oldSecret, code } = await userWithMfa();
    const pending = await pendingSignIn(user.email);
    const login = await pending.post('/api/v1/session/mfa').send({ code: code() }).expect(200);
    const csrf = login.body.csrfToken as string;
    t.clock.advance(30_000);
    const secret = newTotpSecret();
    const newCode = () => currentTotp(secret, user.email, t.clock.now());

    const bare = await pending.post('/admin/account/mfa').type('form').send({ _csrf: csrf, secret, code: newCode() }).expect(400);
    expect(bare.text).toContain('enter your password and a code from your current authenticator');
    const wrongPassword = await pending
      .post('/admin/account/mfa')
      .type('form')
      .send({ _csrf: csrf, secret, code: newCode(), password: 'not my password at all', currentCode: code() })
      .expect(400);
    expect(wrongPassword.text).toContain('Your password is not correct');
    await pending.post('/admin/account/mfa').type('form').send({ _csrf: csrf, secret, code: newCode(), password: TEST_PASSWORD, currentCode: wrongCode(code()) }).expect(400);
    let stored = await t.database.db.selectFrom('staff_users').select('mfa_secret').where('id', '=', user.id).executeTakeFirstOrThrow();
    expect(stored.mfa_secret).not.toBeNull();

    await pending.post('/admin/account/mfa').type('form').send({ _csrf: csrf, secret, code: newCode(), password: TEST_PASSWORD, currentCode: code() }).expect(200);
    t.clock.advance(30_000);
    await (await pendingSignIn(user.email)).post('/api/v1/session/mfa').send({ code: currentTotp(oldSecret, user.email, t.clock.now()) }).expect(400);
    await (await pendingSignIn(user.email)).post('/api/v1/session/mfa').send({ code: newCode() }).expect(200);
    stored = await t.database.db.selectFrom('staff_users').select('mfa_secret').where('id', '=', user.id).executeTakeFirstOrThrow();
    expect(stored.mfa_secret).not.toBeNull();
  });

  it('first enrolment needs only a code from the new authenticator', async () => {
    const user = await makeStaff(t.database.db, t.clock, 'viewer');
    const { agent, csrf } = await signIn(t.app, user.email);
    const secret = newTotpSecret();
    await agent.post('/admin/account/mfa').type('form').send({ _csrf: csrf, secret, code: currentTotp(secret, user.email, t.clock.now()) }).expect(200);
  });
});
