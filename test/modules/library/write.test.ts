import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncContent } from '../../../server/modules/content/service.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { engineContent } from '../../helpers/engine-content.js';
import { makeStaff, signIn, type SignedIn } from '../../helpers/staff.js';
import { buildRealisticWorkbook } from '../../helpers/workbooks.js';

let t: TestApp;
let editor: SignedIn;
let viewer: SignedIn;
const content = engineContent();

beforeAll(async () => {
  t = await createTestApp({ contentDir: content.dir, env: { LOGIN_RATE_LIMIT: '1000' } });
  editor = await signIn(t.app, (await makeStaff(t.database.db, t.clock, 'editor')).email);
  viewer = await signIn(t.app, (await makeStaff(t.database.db, t.clock, 'viewer')).email);
});
afterAll(async () => {
  await t.close();
  content.remove();
});

const answerRow = (id: string) => t.database.db.selectFrom('library_answers').selectAll().where('id', '=', id).executeTakeFirst();
const auditFor = (subject: string) => t.database.db.selectFrom('audit_log').select(['action', 'details']).where('subject', '=', subject).orderBy('id').execute();

describe('writing library answers from the admin', () => {
  it('POST /api/v1/library creates an answer, nda unless chosen, that the next content sync keeps', async () => {
    const res = await editor.agent
      .post('/api/v1/library')
      .set('x-csrf-token', editor.csrf)
      .send({ question: 'Do you run a bug bounty programme?', kind: 'yes-no', answer: 'No', explanation: 'Not at present; researchers may report through security.txt.', controls: ['iso27002:8.8'] });
    expect(res.status, res.text).toBe(201);
    expect(res.body.id).toBe('do-you-run-a-bug-bounty-programme');
    const row = (await answerRow(res.body.id))!;
    expect(row).toMatchObject({ access: 'nda', kind: 'yes-no', answer: 'No', source_file: null });
    expect((await auditFor(`library:${res.body.id}`)).map((a) => a.action)).toEqual(['library.answer_created']);
    await syncContent(t.database.db, content.dir, t.clock);
    expect(await answerRow(res.body.id)).toBeDefined();
    // The engine answers from it at once.
    const answered = await editor.agent.post('/api/v1/answer').set('x-csrf-token', editor.csrf).send({ question: 'Do you run a bug bounty programme?' }).expect(200);
    expect(answered.body.why.answerId).toBe(res.body.id);
  });

  it('refuses what it cannot store, naming the field; viewers may not write', async () => {
    const post = (body: object) => editor.agent.post('/api/v1/library').set('x-csrf-token', editor.csrf).send(body);
    const base = { question: 'Is there a WAF?', answer: 'Yes', explanation: 'Yes.', controls: ['iso27002:8.20'] };
    expect((await post({ ...base, controls: ['iso27002:99.9'] }).expect(400)).body.error.message).toMatch(/controls/);
    expect((await post({ ...base, kind: 'yes-no', answer: null }).expect(400)).body.error.message).toMatch(/short answer/);
    expect((await post({ ...base, kind: 'sometimes' }).expect(400)).body.error.message).toMatch(/kind/);
    expect((await post({ ...base, access: 'everyone' }).expect(400)).body.error.message).toMatch(/access/);
    await viewer.agent.post('/api/v1/library').set('x-csrf-token', viewer.csrf).send(base).expect(403);
    await request(t.app.server).post('/api/v1/library').send(base).expect((r) => expect([401, 403]).toContain(r.status));
  });

  it('PATCH /api/v1/library/:id changes only what it names; the audit entry keeps the previous text and the owner', async () => {
    const before = (await answerRow('mfa-admins'))!;
    await editor.agent.patch('/api/v1/library/mfa-admins').set('x-csrf-token', editor.csrf).send({ explanation: 'Every administrator signs in with a hardware key.' }).expect(200);
    const after = (await answerRow('mfa-admins'))!;
    expect(after).toMatchObject({ explanation: 'Every administrator signs in with a hardware key.', question: before.question, answer: before.answer, access: before.access });
    const entry = (await auditFor('library:mfa-admins')).at(-1)!;
    expect(entry.action).toBe('library.answer_edited');
    expect(entry.details).toMatchObject({ owner: before.owner, before: { explanation: before.explanation } });
    await editor.agent.patch('/api/v1/library/no-such-answer').set('x-csrf-token', editor.csrf).send({ explanation: 'x' }).expect(404);
  });

  it('/admin/library/new takes ?question=&visitorQuestion= from the visitor-questions page; saving closes the visitor question', async () => {
    await request(t.app.server).post('/api/v1/visitor-questions').send({ question: 'Do you support SAML single sign-on?', email: 'visitor@example.com' }).expect(202);
    const open = (await editor.agent.get('/api/v1/visitor-questions').expect(200)).body;
    const visitor = (open.questions ?? open.visitorQuestions ?? open).find((v: { question: string }) => v.question === 'Do you support SAML single sign-on?');
    const form = await editor.agent.get(`/admin/library/new?question=${encodeURIComponent(visitor.question)}&visitorQuestion=${visitor.id}`).expect(200);
    expect(form.text).toContain('value="Do you support SAML single sign-on?"');
    expect(form.text).toMatch(/<option value="nda" selected>/);
    const saved = await editor.agent
      .post('/admin/library')
      .type('form')
      .send({ _csrf: editor.csrf, question: visitor.question, kind: 'yes-no', answer: 'Yes', explanation: 'Yes, SAML 2.0 for every customer account.', controls: 'iso27002:8.5', access: 'nda', visitorQuestion: visitor.id })
      .expect(303);
    expect(saved.headers.location).toBe('/admin/library/do-you-support-saml-single-sign-on');
    const closed = await t.database.db.selectFrom('visitor_questions').select(['status', 'library_answer_id']).where('id', '=', visitor.id).executeTakeFirstOrThrow();
    expect(closed).toEqual({ status: 'done', library_answer_id: 'do-you-support-saml-single-sign-on' });
  });
});

describe('corrections from the review page teach the right thing', () => {
  async function uploaded() {
    const res = await editor.agent.post('/api/v1/questionnaires').set('x-csrf-token', editor.csrf).attach('file', await buildRealisticWorkbook(), 'vendor.xlsx');
    await t.app.jobs.idle();
    const id = res.body.id as string;
    const questions = (await editor.agent.get(`/api/v1/questionnaires/${id}`)).body.questions as { itemId: number; id: string; question: string; why: { answerId: string | null } }[];
    return { id, questions };
  }
  const edit = (id: string, itemId: number, fields: Record<string, string>) =>
    editor.agent.post(`/admin/questionnaires/${id}/items/${itemId}`).type('form').send({ _csrf: editor.csrf, action: 'edit', ...fields });

  it('"update the matched library answer" changes it, with the previous text on the audit log', async () => {
    const { id, questions } = await uploaded();
    const access = questions.find((q) => q.id === 'AC-2')!;
    const target = access.why.answerId!;
    const before = (await answerRow(target))!;
    await edit(id, access.itemId, { answer: 'Partial', text: 'Quarterly for administrators, yearly for everyone else.', outcome: 'update-library' }).expect(303);
    expect((await answerRow(target))!).toMatchObject({ explanation: 'Quarterly for administrators, yearly for everyone else.', answer: 'Partial' });
    const entry = (await auditFor(`library:${target}`)).at(-1)!;
    expect(entry.details).toMatchObject({ owner: before.owner, before: { explanation: before.explanation, answer: before.answer } });
  });

  it('"save as a new library answer" creates one for this question (nda by default) and leaves the matched one alone', async () => {
    const { id, questions } = await uploaded();
    const mfa = questions.find((q) => q.id === 'AC-1')!;
    const matched = (await answerRow(mfa.why.answerId!))!;
    await edit(id, mfa.itemId, { answer: 'Yes', text: 'Hardware keys for every administrator.', outcome: 'new-library', newKind: 'yes-no', newControls: 'iso27002:8.5' }).expect(303);
    const created = await t.database.db.selectFrom('library_answers').selectAll().where('question', '=', mfa.question).where('id', '<>', matched.id).executeTakeFirstOrThrow();
    expect(created).toMatchObject({ access: 'nda', kind: 'yes-no', answer: 'Yes', explanation: 'Hardware keys for every administrator.' });
    expect(created.control_ids).toEqual(['iso27002:8.5']);
    expect((await answerRow(matched.id))!.explanation).toBe(matched.explanation);
  });

  it('adds the question as a phrasing only when the reviewer confirms the match was right', async () => {
    const { id, questions } = await uploaded();
    const encryption = questions.find((q) => q.id === 'DP-1')!;
    const target = encryption.why.answerId!;
    await edit(id, encryption.itemId, { answer: 'Yes', text: 'AES-256 at rest, TLS 1.2+ in transit.', saveAsPhrasing: 'on', answerId: target }).expect(303);
    expect((await answerRow(target))!.phrasings).not.toContain(encryption.question);
    await edit(id, encryption.itemId, { answer: 'Yes', text: 'AES-256 at rest, TLS 1.2+ in transit.', saveAsPhrasing: 'on', matchConfirmed: 'on', answerId: target }).expect(303);
    expect((await answerRow(target))!.phrasings).toContain(encryption.question);
  });
});
