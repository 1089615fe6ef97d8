import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueMail } from '../../../server/modules/mail/service.js';
import { accessContent } from '../../helpers/access-content.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { makeStaff, makeToken, signIn } from '../../helpers/staff.js';

let t: TestApp;
let content: Awaited<ReturnType<typeof accessContent>>;

beforeAll(async () => {
  content = await accessContent();
  t = await createTestApp({ contentDir: content.dir, env: { LOGIN_RATE_LIMIT: '1000', PUBLIC_FORM_RATE_LIMIT: '1000' } });
});
afterAll(async () => {
  await t.close();
  content.remove();
});

/** Audit entries with this action written since `afterId` (each test reads only what it caused). */
async function entries(action: string, afterId = '0') {
  return t.database.db.selectFrom('audit_log').selectAll().where('action', '=', action).where('id', '>', afterId).orderBy('id').execute();
}

async function lastId(): Promise<string> {
  const row = await t.database.db.selectFrom('audit_log').select('id').orderBy('id', 'desc').limit(1).executeTakeFirst();
  return String(row?.id ?? '0');
}

async function bearer(role: 'viewer' | 'editor' | 'admin') {
  const user = await makeStaff(t.database.db, t.clock, role);
  return { user, auth: `Bearer ${await makeToken(t.database.db, t.clock, user.email)}` };
}

async function requestDocuments(email: string): Promise<string> {
  const res = await request(t.app.server).post('/api/v1/access-requests').send({ name: 'Pat Buyer', email, company: 'Contoso', reason: 'Due diligence', documents: ['ev-soc2'] }).expect(201);
  return res.body.id as string;
}

describe('exports of personal data are on the audit log', () => {
  it('the NDA-signer CSV of a request; an unknown request is a 404 and records nothing', async () => {
    const requestId = await requestDocuments('signers@contoso.example');
    const { user, auth } = await bearer('viewer');
    const before = await lastId();
    await request(t.app.server).get(`/admin/access/${requestId}/export.csv`).set('authorization', auth).expect(200);
    const exported = await entries('access.signers_exported', before);
    expect(exported).toHaveLength(1);
    expect(exported[0]).toMatchObject({ actor: user.email, actor_kind: 'token', subject: requestId });

    await request(t.app.server).get('/admin/access/no-such-request/export.csv').set('authorization', auth).expect(404);
    expect(await entries('access.signers_exported', before)).toHaveLength(1);
  });

  it('the audit CSV', async () => {
    const { user, auth } = await bearer('admin');
    const before = await lastId();
    await request(t.app.server).get('/admin/audit.csv?action=access.').set('authorization', auth).expect(200);
    const exported = await entries('audit.exported', before);
    expect(exported).toHaveLength(1);
    expect(exported[0]).toMatchObject({ actor: user.email, details: { filter: { action: 'access.' } } });
  });

  it('the Statement of Applicability, as XLSX and as CSV', async () => {
    const { auth } = await bearer('viewer');
    const before = await lastId();
    await request(t.app.server).get('/api/v1/soa.csv').set('authorization', auth).expect(200);
    await request(t.app.server).get('/api/v1/soa.xlsx').set('authorization', auth).expect(200);
    expect((await entries('soa.exported', before)).map((e) => (e.details as { format: string }).format)).toEqual(['csv', 'xlsx']);
  });
});

describe('refusals of signed-in callers are on the audit log', () => {
  it('a role that does not reach: one entry per person and route a minute, then the held-back count', async () => {
    const { user, auth } = await bearer('viewer');
    const before = await lastId();
    for (let i = 0; i < 3; i++) await request(t.app.server).get('/api/v1/users').set('authorization', auth).expect(403);
    const first = await entries('staff.denied', before);
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ actor: user.email, subject: 'GET /api/v1/users', details: { reason: expect.stringMatching(/needs the admin role/) } });

    t.clock.advance(61_000);
    await request(t.app.server).get('/api/v1/users').set('authorization', auth).expect(403);
    const after = await entries('staff.denied', before);
    expect(after).toHaveLength(2);
    expect(after[1].details).toMatchObject({ suppressed: 2 });
  });

  it('a CSRF failure with a session is recorded; an anonymous one is not', async () => {
    const viewer = await makeStaff(t.database.db, t.clock, 'viewer');
    const { agent } = await signIn(t.app, viewer.email);
    const before = await lastId();
    await agent.delete('/api/v1/session').expect(403);
    expect((await entries('staff.denied', before)).map((e) => e.actor)).toEqual([viewer.email]);

    const anonymousBefore = await lastId();
    await request(t.app.server).post('/access/request').type('form').send({ name: 'x' }).expect(403);
    expect(await entries('staff.denied', anonymousBefore)).toHaveLength(0);
  });
});

describe('only what happened is recorded', () => {
  it('a bulk approval on a missing questionnaire is a 404 and writes nothing', async () => {
    const { auth } = await bearer('editor');
    const before = await lastId();
    await request(t.app.server).post('/api/v1/questionnaires/no-such-questionnaire/approve-answered').set('authorization', auth).expect(404);
    expect(await entries('questionnaire.bulk_approved', before)).toHaveLength(0);
  });

  it('retrying a failed message is recorded; a message that has not failed cannot be retried', async () => {
    const { user, auth } = await bearer('editor');
    const failed = await queueMail(t.database.db, t.clock, { to: 'x@contoso.example', subject: 's', text: 't', purpose: 'test.retry' });
    await t.database.db.updateTable('mail_messages').set({ status: 'failed', attempts: 5 }).where('id', '=', failed).execute();
    const pending = await queueMail(t.database.db, t.clock, { to: 'y@contoso.example', subject: 's', text: 't', purpose: 'test.retry' });
    const before = await lastId();
    await request(t.app.server).post(`/admin/mail/${failed}/retry`).set('authorization', auth).expect(303);
    await request(t.app.server).post(`/admin/mail/${pending}/retry`).set('authorization', auth).set('accept', 'application/json').expect(409);
    await request(t.app.server).post('/admin/mail/no-such-message/retry').set('authorization', auth).set('accept', 'application/json').expect(404);
    const retried = await entries('mail.retry_requested', before);
    expect(retried.map((e) => [e.actor, e.subject])).toEqual([[user.email, failed]]);
    // Back in the queue (the delivery that follows the retry may already have sent it).
    const row = await t.database.db.selectFrom('mail_messages').select('status').where('id', '=', failed).executeTakeFirstOrThrow();
    expect(['pending', 'sent']).toContain(row.status);
  });
});
