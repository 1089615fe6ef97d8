import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backTo, bandOf, filterQuery, parseFilter } from '../../../server/modules/questionnaires/grid.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { engineContent } from '../../helpers/engine-content.js';
import { makeStaff, signIn, type SignedIn } from '../../helpers/staff.js';
import { buildRealisticWorkbook } from '../../helpers/workbooks.js';

describe('grid filters (pure)', () => {
  it('keeps only known filters with valid values, in a fixed order', () => {
    const filter = parseFilter(new URLSearchParams('q=backup&band=high&review=pending&evil=1&status=nonsense&mine=1&page=3'));
    expect(filter).toEqual({ q: 'backup', band: 'high', review: 'pending', mine: true, page: 3 });
    expect(filterQuery(filter)).toBe('review=pending&band=high&mine=1&q=backup&page=3');
    expect(backTo('q1', 'review=pending&band=low&x=<script>', 7)).toBe('/admin/questionnaires/q1?review=pending&band=low#item-7');
    expect(backTo('q1', undefined)).toBe('/admin/questionnaires/q1');
  });

  it('bands confidence by the configured thresholds', () => {
    const bands = { high: 0.5, check: 0.25 };
    expect([bandOf(0.9, bands), bandOf(0.5, bands), bandOf(0.3, bands), bandOf(0.1, bands)]).toEqual(['high', 'high', 'check', 'low']);
  });
});

describe('the review grid over HTTP', () => {
  let t: TestApp;
  let editor: SignedIn;
  let editorEmail: string;
  const content = engineContent();

  beforeAll(async () => {
    t = await createTestApp({ contentDir: content.dir, env: { LOGIN_RATE_LIMIT: '1000', LOG_LEVEL: 'error' } });
    editorEmail = (await makeStaff(t.database.db, t.clock, 'editor')).email;
    editor = await signIn(t.app, editorEmail);
  });
  afterAll(async () => {
    await t.close();
    content.remove();
  });

  interface Question {
    itemId: number;
    id: string;
    answer: string | null;
    text: string | null;
    status: string;
    confidence: number;
    why: { runnerUp: { id: string } | null };
    review: { state: string; assignee: string | null; reason: string | null; text: string | null };
  }

  async function upload(): Promise<{ id: string; questions: Question[] }> {
    const res = await editor.agent.post('/api/v1/questionnaires').set('x-csrf-token', editor.csrf).attach('file', await buildRealisticWorkbook(), 'vendor.xlsx');
    expect(res.status, res.text).toBe(201);
    await t.app.jobs.idle();
    const id = res.body.id as string;
    return { id, questions: await questionsOf(id) };
  }
  async function questionsOf(id: string): Promise<Question[]> {
    return (await editor.agent.get(`/api/v1/questionnaires/${id}`).expect(200)).body.questions;
  }
  const FILTERS = 'review=pending&band=high&q=a';
  const form = (id: string, itemId: number, fields: Record<string, string>) =>
    editor.agent.post(`/admin/questionnaires/${id}/items/${itemId}`).type('form').send({ _csrf: editor.csrf, back: FILTERS, ...fields });
  const fetchJson = (url: string, fields: Record<string, string | string[]>) =>
    editor.agent.post(url).set('accept', 'application/json').type('form').send({ _csrf: editor.csrf, ...fields });

  it('shows one row per question with its short answer or "—", band, source and status', async () => {
    const { id, questions } = await upload();
    const page = await editor.agent.get(`/admin/questionnaires/${id}`).expect(200);
    expect(page.headers['cache-control']).toContain('no-store');
    expect(page.text.match(/<tr id="item-\d+"/g)).toHaveLength(questions.length);
    const open = questions.find((q) => q.answer === null)!;
    const row = page.text.split(`<tr id="item-${open.itemId}"`)[1].split('</tr>')[0];
    expect(row).toContain('data-cell="short">—<');
    expect(row).toMatch(/class="band band-(high|check|low)" title="confidence [\d.]+"/);
    expect(page.text).toContain('0 of 6 reviewed');
    expect(page.text).toContain('<script src="/static/js/review.js" defer></script>');
    await editor.agent.get('/static/js/review.js').expect(200).expect('content-type', /javascript/);
  });

  it('says why in words: the matched library question, its owner and review date, coverage, runner-up; ids only in a details toggle', async () => {
    const { id, questions } = await upload();
    const mfa = questions.find((q) => q.id === 'AC-1')! as Question & { why: { answerId: string; coverage: number; terms: string[] } };
    const library = await t.database.db.selectFrom('library_answers').select(['question', 'owner']).where('id', '=', mfa.why.answerId).executeTakeFirstOrThrow();
    const page = await editor.agent.get(`/admin/questionnaires/${id}`).expect(200);
    const row = page.text.split(`<tr id="item-${mfa.itemId}"`)[1].split('</tr>')[0];
    const why = row.split('<summary>Why this answer</summary>')[1];
    expect(why).toContain(`Matched the library answer <em>${library.question.replace(/'/g, '&#x27;')}</em> (owner ${library.owner}, reviewed `);
    expect(why).toContain(`covers ${Math.round(mfa.why.coverage * 100)} % of the question's words`);
    expect(why).toMatch(/<dt>Library answer<\/dt>[\s\S]*<dt>Controls<\/dt>[\s\S]*<dt>Evidence<\/dt>/);
    expect(why).toMatch(/<span class="fresh-(current|expiring|stale)">/);
    // The library answer's id and the stemmed terms appear only inside the "Engine details" toggle.
    const [words, engine] = why.split('<summary>Engine details</summary>');
    expect(words).not.toContain(`library answer ${mfa.why.answerId}`);
    expect(engine).toContain(`library answer ${mfa.why.answerId}`);
    const withRunnerUp = questions.find((q) => q.why.runnerUp)!;
    const other = page.text.split(`<tr id="item-${withRunnerUp.itemId}"`)[1].split('</tr>')[0];
    expect(other).toMatch(/Runner-up: <em>[^<]+<\/em> — use it instead/);
  });

  it('filters by review state, band, section, assignee, "mine" and search', async () => {
    const { id, questions } = await upload();
    const mfa = questions.find((q) => q.id === 'AC-1')!;
    await fetchJson(`/admin/questionnaires/${id}/items/${mfa.itemId}`, { action: 'assign', assignee: editorEmail }).expect(200);
    const rows = async (query: string) => [...(await editor.agent.get(`/admin/questionnaires/${id}?${query}`).expect(200)).text.matchAll(/<tr id="item-(\d+)"/g)].map((m) => Number(m[1]));
    expect(await rows('q=multi-factor')).toEqual([mfa.itemId]);
    expect(await rows('mine=1')).toEqual([mfa.itemId]);
    expect(await rows(`assignee=${encodeURIComponent(editorEmail)}`)).toEqual([mfa.itemId]);
    expect(await rows('section=Data+protection')).toEqual(questions.filter((q) => q.id.startsWith('DP-')).map((q) => q.itemId));
    const high = questions.filter((q) => (q.confidence ?? 0) >= t.config.confidenceBands.high).map((q) => q.itemId);
    expect(await rows('band=high')).toEqual(high);
    expect((await rows('band=low')).every((itemId) => !high.includes(itemId))).toBe(true);
    expect(await rows('review=approved')).toEqual([]);
    // A search with LIKE's wildcards finds them literally, not everything.
    expect(await rows('q=%25')).toEqual([]);
  });

  it('every action works as a plain form post: 303 back to the same filters, at the row, with a note', async () => {
    const { id, questions } = await upload();
    const [first, second, third, fourth] = questions;
    const approvable = questions.find((q) => q.text && q.itemId !== second.itemId && q.itemId !== third.itemId && q.itemId !== fourth.itemId)!;
    for (const [itemId, fields, done] of [
      [approvable.itemId, { action: 'approve' }, 'approved'],
      [second.itemId, { action: 'reject', reason: 'Cites the partner, not us' }, 'rejected'],
      [third.itemId, { action: 'assign', assignee: editorEmail }, 'assigned'],
      [fourth.itemId, { action: 'edit', answer: 'Yes', text: 'Reviewed wording.' }, 'edited'],
    ] as const) {
      const res = await form(id, itemId, fields).expect(303);
      expect(res.headers.location).toBe(`/admin/questionnaires/${id}?${FILTERS}&done=${done}#item-${itemId}`);
    }
    const after = new Map((await questionsOf(id)).map((q) => [q.itemId, q]));
    expect(after.get(approvable.itemId)!.review.state).toBe('approved');
    expect(after.get(second.itemId)!.review).toMatchObject({ state: 'rejected', reason: 'Cites the partner, not us' });
    expect(after.get(third.itemId)!.review.assignee).toBe(editorEmail);
    expect(after.get(fourth.itemId)!.review).toMatchObject({ state: 'edited', text: 'Reviewed wording.' });
    const page = await editor.agent.get(`/admin/questionnaires/${id}?done=edited`).expect(200);
    expect(page.text).toContain('Saved: the question was edited.');
    expect(first).toBeDefined();
  });

  it('every action works in place: JSON with the updated row and header, no redirect', async () => {
    const { id, questions } = await upload();
    const answered = questions.find((q) => q.text)!;
    const approve = (await fetchJson(`/admin/questionnaires/${id}/items/${answered.itemId}`, { action: 'approve', back: FILTERS }).expect(200)).body;
    expect(approve.row).toMatchObject({ itemId: answered.itemId, state: 'approved', canApprove: false });
    expect(approve.header.reviewLine).toBe('1 of 6 reviewed');
    const other = questions.find((q) => q.itemId !== answered.itemId)!;
    const reject = (await fetchJson(`/admin/questionnaires/${id}/items/${other.itemId}`, { action: 'reject', reason: 'Out of date' }).expect(200)).body;
    expect(reject.row).toMatchObject({ state: 'rejected', rejectReason: 'Out of date', short: '—' });
    const edit = (await fetchJson(`/admin/questionnaires/${id}/items/${other.itemId}`, { action: 'edit', answer: 'No', text: 'Not at present.' }).expect(200)).body;
    expect(edit.row).toMatchObject({ state: 'edited', short: 'No', text: 'Not at present.' });
    const assign = (await fetchJson(`/admin/questionnaires/${id}/items/${other.itemId}`, { action: 'assign', assignee: editorEmail }).expect(200)).body;
    expect(assign.row.assignee).toBe(editorEmail);
    expect(assign.header.reviewLine).toBe('2 of 6 reviewed · 1 edited');
    // An error comes back as JSON too, naming what to fix.
    const bad = await fetchJson(`/admin/questionnaires/${id}/items/${other.itemId}`, { action: 'edit', answer: 'Maybe', text: 'x' }).expect(400);
    expect(bad.body.error.message).toMatch(/Yes, No, Partial/);
  });

  it('swaps to the runner-up library answer, in both modes', async () => {
    const { id, questions } = await upload();
    const withRunnerUp = questions.filter((q) => q.why.runnerUp);
    expect(withRunnerUp.length).toBeGreaterThan(0);
    const target = withRunnerUp[0];
    const runnerUp = await t.database.db.selectFrom('library_answers').select(['explanation']).where('id', '=', target.why.runnerUp!.id).executeTakeFirstOrThrow();
    const json = (await fetchJson(`/admin/questionnaires/${id}/items/${target.itemId}`, { action: 'swap' }).expect(200)).body;
    expect(json.row).toMatchObject({ state: 'edited', text: runnerUp.explanation });
    const noRunnerUp = questions.find((q) => !q.why.runnerUp);
    if (noRunnerUp) await fetchJson(`/admin/questionnaires/${id}/items/${noRunnerUp.itemId}`, { action: 'swap' }).expect(400);
    if (withRunnerUp[1]) {
      const res = await form(id, withRunnerUp[1].itemId, { action: 'swap' }).expect(303);
      expect(res.headers.location).toContain(`?${FILTERS}&done=swapped#item-${withRunnerUp[1].itemId}`);
    }
  });

  it('bulk approve asks first (count and least certain row), then approves, and undo puts exactly those rows back', async () => {
    const { id, questions } = await upload();
    const ticked = questions.filter((q) => q.text).map((q) => q.itemId);
    expect(ticked.length).toBeGreaterThan(1);
    const lowest = questions.filter((q) => q.text).reduce((a, b) => ((b.confidence ?? 0) < (a.confidence ?? 0) ? b : a));
    const ask = await editor.agent.post(`/admin/questionnaires/${id}/bulk`).type('form').send({ _csrf: editor.csrf, action: 'approve', items: ticked.map(String), back: FILTERS }).expect(200);
    expect(ask.text).toContain(`Approve ${ticked.length} answers? Lowest confidence: ${lowest.id}, ${(lowest.confidence ?? 0).toFixed(2)}.`);
    expect((await questionsOf(id)).every((q) => q.review.state === 'pending')).toBe(true);
    const done = await editor.agent
      .post(`/admin/questionnaires/${id}/bulk`)
      .type('form')
      .send({ _csrf: editor.csrf, action: 'approve', confirmed: '1', items: ticked.map(String), back: FILTERS })
      .expect(303);
    const location = new URL(done.headers.location, 'http://x');
    expect(location.searchParams.get('review')).toBe('pending');
    expect(location.searchParams.get('count')).toBe(String(ticked.length));
    const batch = location.searchParams.get('undo')!;
    const page = await editor.agent.get(done.headers.location).expect(200);
    expect(page.text).toContain(`Approved ${ticked.length} questions.`);
    expect(page.text).toContain(`name="batch" value="${batch}"`);
    // A reviewer changes one row afterwards: undo leaves that one as it is.
    const changed = ticked[0];
    await form(id, changed, { action: 'edit', answer: 'Yes', text: 'Changed after the bulk approval.' }).expect(303);
    const undo = await editor.agent.post(`/admin/questionnaires/${id}/undo`).type('form').send({ _csrf: editor.csrf, batch, back: FILTERS }).expect(303);
    expect(undo.headers.location).toContain(`?${FILTERS}&done=undone&count=${ticked.length - 1}`);
    const after = await questionsOf(id);
    expect(after.filter((q) => q.review.state === 'approved')).toEqual([]);
    expect(after.find((q) => q.itemId === changed)!.review.state).toBe('edited');
    await editor.agent.post(`/admin/questionnaires/${id}/undo`).type('form').send({ _csrf: editor.csrf, batch }).expect(400);
  });

  it('bulk approve in place: a confirmation in JSON, then the rows and an undo batch', async () => {
    const { id, questions } = await upload();
    const askRes = await fetchJson(`/admin/questionnaires/${id}/approve-answered`, { action: 'approve' });
    expect(askRes.status, askRes.text).toBe(200);
    const ask = askRes.body;
    const confident = questions.filter((q) => q.status === 'answered');
    expect(ask).toMatchObject({ confirm: true, count: confident.length, confirmUrl: `/admin/questionnaires/${id}/bulk` });
    expect(ask.message).toMatch(new RegExp(`^Approve ${confident.length} answers?\\? Lowest confidence: `));
    const done = (await fetchJson(ask.confirmUrl, { action: 'approve', confirmed: '1', items: ask.itemIds.map(String) }).expect(200)).body;
    expect(done).toMatchObject({ ok: true, count: confident.length, batch: expect.any(String) });
    expect(done.rows.every((r: { state: string }) => r.state === 'approved')).toBe(true);
    expect(done.header.reviewLine).toBe(`${confident.length} of 6 reviewed`);
    const undo = (await fetchJson(`/admin/questionnaires/${id}/undo`, { batch: done.batch }).expect(200)).body;
    expect(undo).toMatchObject({ ok: true, count: confident.length, header: { reviewLine: '0 of 6 reviewed', state: 'ready' } });
  });

  it('bulk assign and bulk reject, in both modes; nothing ticked is a plain 400', async () => {
    const { id, questions } = await upload();
    const ids = questions.slice(0, 3).map((q) => String(q.itemId));
    const assigned = (await fetchJson(`/admin/questionnaires/${id}/bulk`, { action: 'assign', assignee: editorEmail, items: ids }).expect(200)).body;
    expect(assigned.rows.map((r: { assignee: string }) => r.assignee)).toEqual([editorEmail, editorEmail, editorEmail]);
    const rejected = await editor.agent.post(`/admin/questionnaires/${id}/bulk`).type('form').send({ _csrf: editor.csrf, action: 'reject', reason: 'Stale', items: ids, back: FILTERS }).expect(303);
    expect(rejected.headers.location).toContain(`?${FILTERS}&done=bulk-reject&count=3`);
    const after = await questionsOf(id);
    expect(after.slice(0, 3).map((q) => q.review)).toEqual(after.slice(0, 3).map(() => expect.objectContaining({ state: 'rejected', reason: 'Stale' })));
    await fetchJson(`/admin/questionnaires/${id}/bulk`, { action: 'assign', assignee: editorEmail }).expect(400);
  });
});
