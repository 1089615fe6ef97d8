import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

interface Question {
  itemId: number;
  id: string;
  text: string | null;
  answer: string | null;
  why: { answerId: string | null };
  review: { state: string };
}

async function uploaded(): Promise<{ id: string; questions: Question[] }> {
  const res = await editor.agent.post('/api/v1/questionnaires').set('x-csrf-token', editor.csrf).attach('file', await buildRealisticWorkbook(), 'vendor.xlsx');
  expect(res.status, res.text).toBe(201);
  await t.app.jobs.idle();
  const id = res.body.id as string;
  return { id, questions: (await editor.agent.get(`/api/v1/questionnaires/${id}`)).body.questions };
}

const section = (html: string, heading: string) => html.split(`>${heading}`)[1].split('</section>')[0];

describe('the check before export', () => {
  it('counts by status and lists the rows going out blank (rejected or unanswered) and those not reviewed', async () => {
    const { id, questions } = await uploaded();
    const mfa = questions.find((q) => q.id === 'AC-1')!;
    await editor.agent.post(`/api/v1/questionnaires/${id}/items/${mfa.itemId}/review`).set('x-csrf-token', editor.csrf).send({ action: 'reject', reason: 'Wrong' }).expect(200);
    const page = await viewer.agent.get(`/admin/questionnaires/${id}/export-check`).expect(200);
    expect(page.headers['cache-control']).toContain('no-store');
    expect(page.text).toContain('<strong>1</strong> rejected');
    expect(page.text).toContain(`<strong>${questions.length - 1}</strong> still pending`);
    const blank = section(page.text, 'Going out blank');
    expect(blank).toContain(`#item-${mfa.itemId}">AC-1</a>`);
    expect(blank).toContain('(rejected)');
    const colour = questions.find((q) => q.id === 'DP-2')!;
    expect(blank).toContain(`#item-${colour.itemId}">DP-2</a>`);
    expect(blank).toContain('(no answer)');
    // Viewers read the check but get no re-answer buttons.
    expect(page.text).not.toContain('Re-answer');
  });

  it('flags rows whose library answer changed since answering; "re-answer this row" answers it again, pending review', async () => {
    const { id, questions } = await uploaded();
    const mfa = questions.find((q) => q.id === 'AC-1')!;
    await editor.agent.post(`/api/v1/questionnaires/${id}/items/${mfa.itemId}/review`).set('x-csrf-token', editor.csrf).send({ action: 'approve' }).expect(200);
    t.clock.advance(60_000);
    await editor.agent.patch(`/api/v1/library/${mfa.why.answerId}`).set('x-csrf-token', editor.csrf).send({ explanation: 'Hardware security keys for every administrator, enforced by the identity provider.' }).expect(200);
    const check = await editor.agent.get(`/admin/questionnaires/${id}/export-check`).expect(200);
    const stale = section(check.text, 'Changed since answering');
    expect(stale).toContain(`#item-${mfa.itemId}">AC-1</a>`);
    expect(stale).toMatch(/the library answer “[^”]+” changed/);
    await viewer.agent.post(`/admin/questionnaires/${id}/reanswer`).type('form').send({ _csrf: viewer.csrf, items: String(mfa.itemId) }).expect(403);
    const res = await editor.agent.post(`/admin/questionnaires/${id}/reanswer`).type('form').send({ _csrf: editor.csrf, items: String(mfa.itemId) }).expect(303);
    expect(res.headers.location).toBe(`/admin/questionnaires/${id}/export-check?reanswered=1`);
    const after = (await editor.agent.get(`/api/v1/questionnaires/${id}`)).body.questions.find((q: Question) => q.itemId === mfa.itemId);
    expect(after.text).toBe('Hardware security keys for every administrator, enforced by the identity provider.');
    expect(after.review.state).toBe('pending');
    const again = await editor.agent.get(`/admin/questionnaires/${id}/export-check?reanswered=1`).expect(200);
    expect(again.text).toContain('Answered 1 row again');
    expect(section(again.text, 'Changed since answering')).not.toContain(`#item-${mfa.itemId}"`);
  });

  it('"re-answer all" takes every stale row the check finds', async () => {
    const { id, questions } = await uploaded();
    const cited = [...new Set(questions.map((q) => q.why.answerId).filter(Boolean))] as string[];
    t.clock.advance(60_000);
    for (const answerId of cited.slice(0, 2)) {
      await editor.agent.patch(`/api/v1/library/${answerId}`).set('x-csrf-token', editor.csrf).send({ owner: 'Platform Operations' }).expect(200);
    }
    const before = section((await editor.agent.get(`/admin/questionnaires/${id}/export-check`)).text, 'Changed since answering');
    const flagged = [...before.matchAll(/#item-(\d+)"/g)].length;
    expect(flagged).toBeGreaterThanOrEqual(2);
    const res = await editor.agent.post(`/admin/questionnaires/${id}/reanswer`).type('form').send({ _csrf: editor.csrf, scope: 'stale' }).expect(303);
    expect(res.headers.location).toContain(`reanswered=${flagged}`);
    const after = section((await editor.agent.get(`/admin/questionnaires/${id}/export-check`)).text, 'Changed since answering');
    expect(after).toContain('Nothing any answer cites has changed');
  });

  it('exports JSON with each row\'s review state, answer in the customer\'s words and ownership', async () => {
    const { id, questions } = await uploaded();
    const mfa = questions.find((q) => q.id === 'AC-1')!;
    await editor.agent.post(`/api/v1/questionnaires/${id}/items/${mfa.itemId}/review`).set('x-csrf-token', editor.csrf).send({ action: 'reject' }).expect(200);
    const res = await viewer.agent.get(`/api/v1/questionnaires/${id}/export?format=json`).expect(200);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.headers['content-disposition']).toMatch(/-answered\.json"/);
    const body = JSON.parse(res.text);
    expect(body.questionnaire).toMatchObject({ id });
    expect(body.questions).toHaveLength(questions.length);
    expect(body.questions[0]).toMatchObject({ id: 'AC-1', review: 'rejected', answer: null, text: null });
    expect(body.questions.every((q: object) => 'ownership' in q)).toBe(true);
    const encrypted = body.questions.find((q: { id: string }) => q.id === 'DP-1');
    // The workbook offers Y/N/N/A: the answer is in its words.
    if (encrypted.answer) expect(['Y', 'N', 'N/A']).toContain(encrypted.answer);
  });
});
