import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { makeStaff, signIn } from '../../helpers/staff.js';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({ env: { LOGIN_RATE_LIMIT: '1000', PUBLIC_FORM_RATE_LIMIT: '1000' } });
});
afterAll(() => t.close());

const ask = (q: string) => request(t.app.server).get(`/ask?q=${encodeURIComponent(q)}`);

async function sendToTeam(question: string, email: string, status: number) {
  const agent = request.agent(t.app.server);
  const page = await agent.get(`/ask?q=${encodeURIComponent(question)}`).expect(200);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
  return agent.post('/ask/security-team').type('form').send({ _csrf: csrf, question, email }).expect(status);
}

describe('/ask: the public face answers only from what is published', () => {
  it('answers "Are you FedRAMP High authorized?" No, linking the certifications page', async () => {
    const page = await ask('Are you FedRAMP High authorized?').expect(200);
    expect(page.text).toMatch(/<strong>No<\/strong>/);
    expect(page.text).toContain('href="/certifications"');
    expect(page.text).not.toMatch(/authorit/i);
  });

  it('says plainly that nothing is published about an off-topic question, and offers the security team', async () => {
    const page = await ask("What is the name of your CEO's dog?").expect(200);
    expect(page.text).toContain('There is no published answer to this question.');
    expect(page.text).not.toContain('Closest published answer');
    expect(page.text).toContain('action="/ask/security-team"');
  });

  it('the public API hides what only staff would review, and gives the full result to staff', async () => {
    // Stitched from two library answers, so a person must review it before anyone relies on it.
    const question = 'Do you encrypt data at rest and in transit?';
    const anonymous = (await request(t.app.server).post('/api/v1/answer').send({ question }).expect(200)).body;
    expect(anonymous).toMatchObject({ published: false, status: 'unanswered', answer: null, text: null, citations: [] });
    expect(anonymous.reason).toMatch(/no published answer/);
    const editor = await signIn(t.app, (await makeStaff(t.database.db, t.clock, 'editor')).email);
    const staff = (await editor.agent.post('/api/v1/answer').set('x-csrf-token', editor.csrf).send({ question }).expect(200)).body;
    expect(staff).toMatchObject({ status: 'review', answer: 'Yes' });
    expect(staff.published).toBeUndefined();
  });
});

describe('/ask: words nothing published mentions', () => {
  it('does not publish an answer for a question naming something nobody wrote about, though staff get it with those words named', async () => {
    const question = 'Do you run a bug bounty for the mobile app built on quantum widgets?';
    const anonymous = (await request(t.app.server).post('/api/v1/answer').send({ question }).expect(200)).body;
    expect(anonymous).toMatchObject({ published: false, answer: null });
    const editor = await signIn(t.app, (await makeStaff(t.database.db, t.clock, 'editor')).email);
    const staff = (await editor.agent.post('/api/v1/answer').set('x-csrf-token', editor.csrf).send({ question }).expect(200)).body;
    expect(staff.status).toBe('answered');
    expect(staff.why.unknownTerms).toEqual(expect.arrayContaining(['quantum', 'widget']));
    // The same subject without the unknown words is published.
    const plain = (await request(t.app.server).post('/api/v1/answer').send({ question: 'Do you run a bug bounty programme?' }).expect(200)).body;
    expect(plain).toMatchObject({ published: true, answer: 'Yes' });
  });
});

describe('visitor questions', () => {
  it('stores the question, tells the team, acknowledges without echoing it, and audits it', async () => {
    const question = 'Do you run a bug bounty for the mobile app built on quantum widgets?';
    const res = await sendToTeam(question, 'pat@buyer.example', 200);
    expect(res.text).toMatch(/Your question is with the security team/);
    const stored = await t.database.db.selectFrom('visitor_questions').selectAll().where('email', '=', 'pat@buyer.example').execute();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ question, status: 'open' });
    const mail = await t.database.db.selectFrom('mail_messages').selectAll().where('purpose', 'like', 'visitor_question.%').execute();
    const team = mail.find((m) => m.purpose === 'visitor_question.team')!;
    const ack = mail.find((m) => m.purpose === 'visitor_question.ack')!;
    expect(team.to_address).toBe('security@nimbus.example');
    expect(team.body_text).toContain(question);
    expect(ack.to_address).toBe('pat@buyer.example');
    expect(ack.body_text).not.toContain('quantum');
    expect(ack.subject).not.toContain('quantum');
    const audit = await t.database.db.selectFrom('audit_log').selectAll().where('action', '=', 'visitor_question.received').execute();
    expect(audit.map((a) => a.subject)).toContain(`visitor-question:${stored[0].id}`);
  });

  it('refuses a missing e-mail with a message, and stops one address flooding the team', async () => {
    const bad = await sendToTeam('What is your RTO for the analytics app?', 'not-an-address', 400);
    expect(bad.text).toContain('Enter a valid email address');
    for (let i = 0; i < 7; i++) await sendToTeam(`Question number ${i} about key rotation?`, 'flood@buyer.example', 200);
    const stored = await t.database.db.selectFrom('visitor_questions').select('id').where('email', '=', 'flood@buyer.example').execute();
    expect(stored).toHaveLength(5);
  });

  it('staff see the questions and mark them done; viewers may read but not close them', async () => {
    const [open] = await t.database.db.selectFrom('visitor_questions').select('id').where('email', '=', 'pat@buyer.example').execute();
    const viewer = await signIn(t.app, (await makeStaff(t.database.db, t.clock, 'viewer')).email);
    const list = await viewer.agent.get('/admin/visitor-questions?status=open').expect(200);
    expect(list.text).toContain('quantum widgets');
    await viewer.agent.post(`/api/v1/visitor-questions/${open.id}/done`).set('x-csrf-token', viewer.csrf).send({}).expect(403);
    const editor = await signIn(t.app, (await makeStaff(t.database.db, t.clock, 'editor')).email);
    await editor.agent.post(`/api/v1/visitor-questions/${open.id}/done`).set('x-csrf-token', editor.csrf).send({}).expect(200);
    const row = await t.database.db.selectFrom('visitor_questions').selectAll().where('id', '=', open.id).executeTakeFirstOrThrow();
    expect(row.status).toBe('done');
    expect(row.handled_by).toMatch(/editor/);
  });
});
