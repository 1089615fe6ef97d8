import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentTotp, enableMfa, newTotpSecret } from '../../server/modules/staff/mfa.js';
import { setMfaRequired } from '../../server/modules/staff/service.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { makeStaff, signIn, TEST_PASSWORD } from '../helpers/staff.js';
import { mfaOf } from '../helpers/staff.js';

// Issue 15, finding 5: what public routes return to staff is widened only for staff fully signed
// in and meeting the MFA policy, and never lands in a shared cache.

let t: TestApp;
const system = { actor: 'test', actorKind: 'system' as const };
beforeAll(async () => {
  t = await createTestApp({ env: { LOGIN_RATE_LIMIT: '1000' } });
});
afterAll(async () => t.close());

type Agent = ReturnType<typeof request.agent>;

async function widened(agent: Agent | ReturnType<typeof request>, csrf = '') {
  const evidence = await agent.get('/api/v1/evidence').expect(200);
  const oscal = await agent.get('/api/v1/oscal/component-definition.json').expect(200);
  const answer = await agent.post('/api/v1/answer').set('x-csrf-token', csrf).send({ question: 'Do you encrypt data at rest?' }).expect(200);
  return {
    internalEvidence: (evidence.body.evidence as { access: string }[]).filter((e) => e.access !== 'public').length,
    oscalBytes: oscal.text.length,
    publicAnswerShape: 'published' in answer.body,
    headers: [evidence.headers, oscal.headers, answer.headers],
  };
}

describe('public routes and staff', () => {
  it('show more to staff fully signed in, marked private, no-store and varying on the credentials', async () => {
    const anonymous = await widened(request(t.app.server));
    expect(anonymous.internalEvidence).toBe(0);
    expect(anonymous.publicAnswerShape).toBe(true);

    const viewer = await makeStaff(t.database.db, t.clock, 'viewer');
    const { agent, csrf } = await signIn(t.app, viewer.email);
    const staff = await widened(agent, csrf);
    expect(staff.internalEvidence).toBeGreaterThan(0);
    expect(staff.oscalBytes).toBeGreaterThan(anonymous.oscalBytes);
    expect(staff.publicAnswerShape).toBe(false);
    for (const headers of staff.headers) {
      expect(headers['cache-control']).toBe('private, no-store');
      expect(headers.vary).toMatch(/Cookie/);
      expect(headers.vary).toMatch(/Authorization/);
    }
  });

  it('show only the public view to a sign-in still waiting for its code', async () => {
    const user = await makeStaff(t.database.db, t.clock, 'admin');
    const secret = newTotpSecret();
    await enableMfa(mfaOf(t), user.id, secret, currentTotp(secret, user.email, t.clock.now()), null);
    const agent = request.agent(t.app.server);
    const signedIn = await agent.post('/api/v1/session').send({ email: user.email, password: TEST_PASSWORD }).expect(200);
    const pending = await widened(agent, signedIn.body.csrfToken);
    expect(pending.internalEvidence).toBe(0);
    expect(pending.publicAnswerShape).toBe(true);
  });

  it('show only the public view to a session without MFA while MFA is required', async () => {
    const viewer = await makeStaff(t.database.db, t.clock, 'viewer');
    const { agent, csrf } = await signIn(t.app, viewer.email);
    await setMfaRequired(t.database.db, t.clock, true, system);
    try {
      const held = await widened(agent, csrf);
      expect(held.internalEvidence).toBe(0);
      expect(held.publicAnswerShape).toBe(true);
      // Still nothing a shared cache may keep: the response went to a signed-in caller.
      expect(held.headers[0]['cache-control']).toBe('private, no-store');
    } finally {
      await setMfaRequired(t.database.db, t.clock, false, system);
    }
  });

  it('staff pages are private, no-store; static files keep their caching', async () => {
    const viewer = await makeStaff(t.database.db, t.clock, 'viewer');
    const { agent } = await signIn(t.app, viewer.email);
    const page = await agent.get('/admin').expect(200);
    expect(page.headers['cache-control']).toBe('private, no-store');
    const api = await agent.get('/api/v1/session').expect(200);
    expect(api.headers['cache-control']).toBe('private, no-store');
    const css = await agent.get('/static/css/main.css').expect(200);
    expect(css.headers['cache-control']).not.toMatch(/no-store/);
  });
});
