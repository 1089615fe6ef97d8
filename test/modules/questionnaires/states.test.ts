import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isOverdue, parseDueDate, progressLine, reviewCounts, stageFromCounts } from '../../../server/modules/questionnaires/states.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { engineContent } from '../../helpers/engine-content.js';
import { makeStaff, signIn, type SignedIn } from '../../helpers/staff.js';
import { buildRealisticWorkbook } from '../../helpers/workbooks.js';

describe('review counts, stages and deadlines (pure)', () => {
  it('counts every decided row as reviewed and words the header like a person would', () => {
    const counts = reviewCounts([
      { state: 'approved', n: 18 },
      { state: 'edited', n: 1 },
      { state: 'rejected', n: 1 },
    ]);
    expect(counts).toMatchObject({ total: 20, reviewed: 20, pending: 0 });
    expect(progressLine(counts)).toBe('20 of 20 reviewed · 1 edited · 1 rejected');
    expect(progressLine(reviewCounts([{ state: 'approved', n: 18 }, { state: 'pending', n: 2 }]))).toBe('18 of 20 reviewed');
  });

  it('moves from ready to in-review to completed as rows are decided', () => {
    expect(stageFromCounts(reviewCounts([{ state: 'pending', n: 3 }]))).toBe('ready');
    expect(stageFromCounts(reviewCounts([{ state: 'pending', n: 2 }, { state: 'rejected', n: 1 }]))).toBe('in-review');
    expect(stageFromCounts(reviewCounts([{ state: 'approved', n: 3 }]))).toBe('completed');
    expect(stageFromCounts(reviewCounts([]))).toBe('ready');
  });

  it('is overdue only after the due day, and never once completed or failed', () => {
    expect(isOverdue('2026-11-27', 'in-review', '2026-11-28')).toBe(true);
    expect(isOverdue('2026-11-28', 'in-review', '2026-11-28')).toBe(false);
    expect(isOverdue('2026-11-27', 'completed', '2026-11-28')).toBe(false);
    expect(isOverdue('2026-11-27', 'failed', '2026-11-28')).toBe(false);
    expect(isOverdue(null, 'ready', '2026-11-28')).toBe(false);
  });

  it('takes only real calendar days', () => {
    expect(parseDueDate('2026-12-24')).toBe('2026-12-24');
    expect(parseDueDate('')).toBeNull();
    expect(parseDueDate('2026-02-30')).toBe('invalid');
    expect(parseDueDate('24/12/2026')).toBe('invalid');
  });
});

describe('questionnaire states over HTTP', () => {
  let t: TestApp;
  let editor: SignedIn;
  let editorEmail: string;
  const content = engineContent();

  beforeAll(async () => {
    t = await createTestApp({ contentDir: content.dir, env: { LOGIN_RATE_LIMIT: '1000' } });
    editorEmail = (await makeStaff(t.database.db, t.clock, 'editor')).email;
    editor = await signIn(t.app, editorEmail);
  });
  afterAll(async () => {
    await t.close();
    content.remove();
  });

  async function upload(fields: Record<string, string>): Promise<string> {
    let req = editor.agent.post('/api/v1/questionnaires').set('x-csrf-token', editor.csrf).attach('file', await buildRealisticWorkbook(), 'vendor.xlsx');
    for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
    const res = await req;
    expect(res.status, res.text).toBe(201);
    await t.app.jobs.idle();
    return res.body.id as string;
  }

  it('carries customer, owner and due date from the upload; the uploader owns it by default', async () => {
    const id = await upload({ customer: 'Contoso Ltd', dueDate: '2026-12-04' });
    const result = (await editor.agent.get(`/api/v1/questionnaires/${id}`).expect(200)).body;
    expect(result).toMatchObject({ status: 'ready', state: 'ready', customer: 'Contoso Ltd', owner: editorEmail, dueDate: '2026-12-04', overdue: false });
    expect(result.review).toMatchObject({ total: 6, reviewed: 0, pending: 6 });
    const list = (await editor.agent.get('/api/v1/questionnaires').expect(200)).body.questionnaires;
    expect(list.find((q: { id: string }) => q.id === id)).toMatchObject({ state: 'ready', customer: 'Contoso Ltd', dueDate: '2026-12-04' });
  });

  it('refuses a due date that is not a calendar day, or an unknown stage, naming the field', async () => {
    const bad = await editor.agent.post('/api/v1/questionnaires').set('x-csrf-token', editor.csrf).attach('file', await buildRealisticWorkbook(), 'vendor.xlsx').field('dueDate', 'next Friday');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/dueDate/);
    const id = await upload({});
    const patch = await editor.agent.patch(`/api/v1/questionnaires/${id}`).set('x-csrf-token', editor.csrf).send({ dueDate: '2026-13-01' });
    expect(patch.status).toBe(400);
    expect(patch.body.error.message).toMatch(/dueDate/);
    const state = await editor.agent.patch(`/api/v1/questionnaires/${id}`).set('x-csrf-token', editor.csrf).send({ state: 'done' });
    expect(state.status).toBe(400);
    expect(state.body.error.message).toMatch(/state/);
  });

  it('follows the decisions: in-review after the first, completed after the last; the header counts them', async () => {
    const id = await upload({ customer: 'Fabrikam', dueDate: '2026-12-01' });
    const questions = (await editor.agent.get(`/api/v1/questionnaires/${id}`)).body.questions as { itemId: number; answer: string | null }[];
    const review = (itemId: number, body: Record<string, string>) =>
      editor.agent.post(`/api/v1/questionnaires/${id}/items/${itemId}/review`).set('x-csrf-token', editor.csrf).send(body).expect(200);
    await review(questions[0].itemId, { action: 'reject', reason: 'Wrong certificate' });
    expect((await editor.agent.get(`/api/v1/questionnaires/${id}`)).body).toMatchObject({ state: 'in-review', reviewLine: '1 of 6 reviewed · 1 rejected' });
    await review(questions[1].itemId, { action: 'edit', answer: 'Yes', text: 'Yes, for every administrator.' });
    // The rest: approved where there is an answer, rejected where there is none.
    for (const q of questions.slice(2)) await review(q.itemId, q.answer ? { action: 'approve' } : { action: 'reject' });
    const unanswered = questions.slice(2).filter((q) => !q.answer).length;
    const done = (await editor.agent.get(`/api/v1/questionnaires/${id}`)).body;
    expect(done).toMatchObject({ state: 'completed', reviewLine: `6 of 6 reviewed · 1 edited · ${1 + unanswered} rejected`, overdue: false });
    expect(done.review).toMatchObject({ reviewed: 6, pending: 0, approved: 4 - unanswered, edited: 1, rejected: 1 + unanswered });
    expect(done.questions[0].review).toMatchObject({ state: 'rejected', reason: 'Wrong certificate' });
  });

  it('is overdue from the day after its due date, computed from the clock; the list and dashboard say so', async () => {
    // Late in the due day, then just past midnight (within the session's idle time).
    t.clock.set('2026-11-28T23:30:00Z');
    editor = await signIn(t.app, editorEmail);
    const id = await upload({ customer: 'Northwind', dueDate: '2026-11-28' });
    expect((await editor.agent.get(`/api/v1/questionnaires/${id}`)).body.overdue).toBe(false);
    t.clock.set('2026-11-29T00:30:00Z');
    try {
      expect((await editor.agent.get(`/api/v1/questionnaires/${id}`)).body.overdue).toBe(true);
      const list = await editor.agent.get('/admin/questionnaires').expect(200);
      const row = list.text.split('<tr>').find((r) => r.includes(`/admin/questionnaires/${id}"`))!;
      expect(row).toContain('Northwind');
      expect(row).toContain('overdue');
      expect(row).toContain('0 of 6 reviewed');
      const dashboard = await editor.agent.get('/admin').expect(200);
      expect(dashboard.text).toMatch(/questionnaires? to review/);
      expect(dashboard.text).toMatch(/\d+ overdue/);
      // Completing it (by hand, through the form) ends the overdue state.
      await editor.agent
        .post(`/admin/questionnaires/${id}/details`)
        .type('form')
        .send({ _csrf: editor.csrf, customer: 'Northwind Traders', owner: 'someone@example.com', dueDate: '2026-11-28', state: 'completed' })
        .expect(303);
      expect((await editor.agent.get(`/api/v1/questionnaires/${id}`)).body).toMatchObject({ state: 'completed', overdue: false, customer: 'Northwind Traders', owner: 'someone@example.com' });
    } finally {
      t.clock.set('2026-11-28T12:00:00Z');
      editor = await signIn(t.app, editorEmail);
    }
  });

  it('counts on the dashboard only the questionnaires still to review', async () => {
    const count = async () => Number(/<strong>(\d+)<\/strong> questionnaires? to review/.exec((await editor.agent.get('/admin').expect(200)).text)![1]);
    const before = await count();
    const id = await upload({});
    expect(await count()).toBe(before + 1);
    await editor.agent.patch(`/api/v1/questionnaires/${id}`).set('x-csrf-token', editor.csrf).send({ state: 'completed' }).expect(200);
    expect(await count()).toBe(before);
  });
});
