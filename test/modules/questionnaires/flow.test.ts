import ExcelJS from 'exceljs';
import { strFromU8, unzipSync } from 'fflate';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../../server/modules/audit/service.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { engineContent } from '../../helpers/engine-content.js';
import { makeStaff, signIn, type SignedIn } from '../../helpers/staff.js';
import { buildHugeValidationWorkbook, buildRealisticWorkbook } from '../../helpers/workbooks.js';

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

/** Uploads and waits until the answering job is done (the upload itself returns at once). */
async function upload(file: Buffer, fileName: string, fields: Record<string, string> = {}, who = editor) {
  let req = who.agent.post('/api/v1/questionnaires').set('x-csrf-token', who.csrf).attach('file', file, fileName);
  for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
  const res = await req;
  await t.app.jobs.idle();
  return res;
}

describe('questionnaire flow over HTTP', () => {
  let id: string;

  it('uploads, answers in file order with citations, and abstains where it should', async () => {
    const res = await upload(await buildRealisticWorkbook(), 'vendor.xlsx');
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({ status: 'processing', jobId: expect.any(String) });
    id = res.body.id;
    const result = (await viewer.agent.get(`/api/v1/questionnaires/${id}`).expect(200)).body;
    expect(result).toMatchObject({ status: 'ready', jobId: res.body.jobId });
    expect(result.progress).toBeUndefined();
    expect(result.questions.map((q: { id: string }) => q.id)).toEqual(['AC-1', 'AC-2', 'DP-1', 'DP-2', '1', '2']);
    const mfa = result.questions[0];
    expect(mfa).toMatchObject({ status: 'answered', answer: 'Yes', sheet: 'Security', row: 6 });
    expect(mfa.controls[0]).toBe('iso27002:8.5');
    expect(mfa.citations.map((c: { kind: string }) => c.kind)).toEqual(expect.arrayContaining(['answer', 'control', 'evidence']));
    expect(result.questions[3]).toMatchObject({ question: 'What is your favourite colour?', status: 'unanswered', answer: null });
    expect(result.summary.total).toBe(6);
  });

  it('viewers may read but not upload or review', async () => {
    const res = await upload(await buildRealisticWorkbook(), 'vendor.xlsx', {}, viewer);
    expect(res.status).toBe(403);
    await viewer.agent.post(`/api/v1/questionnaires/${id}/approve-answered`).set('x-csrf-token', viewer.csrf).expect(403);
  });

  it('reviews: approve, edit (saved as a library phrasing), reject, assign, bulk approve — each on the audit log', async () => {
    const result = (await editor.agent.get(`/api/v1/questionnaires/${id}`)).body;
    const [mfa, access, encryption, colour, backup] = result.questions;
    const review = (itemId: number, body: object) => editor.agent.post(`/api/v1/questionnaires/${id}/items/${itemId}/review`).set('x-csrf-token', editor.csrf).send(body);
    await review(mfa.itemId, { action: 'approve' }).expect(200);
    await review(colour.itemId, { action: 'edit', answer: 'N/A', text: 'Not a security question.' }).expect(200);
    await review(access.itemId, { action: 'edit', answer: 'Partial', text: 'Quarterly for admins, yearly for others.', saveAsPhrasingOf: 'access-reviews', matchConfirmed: true }).expect(200);
    await review(backup.itemId, { action: 'assign', assignee: 'someone@provider.example' }).expect(200);
    await review(encryption.itemId, { action: 'reject', reason: 'We do not want to claim this.' }).expect(200);
    await review(backup.itemId, { action: 'edit', answer: 'Maybe', text: 'x' }).expect(400);
    const bulk = await editor.agent.post(`/api/v1/questionnaires/${id}/approve-answered`).set('x-csrf-token', editor.csrf).expect(200);
    expect(bulk.body.approved).toBeGreaterThan(0);

    const after = (await editor.agent.get(`/api/v1/questionnaires/${id}`)).body.questions;
    expect(after[0].review).toMatchObject({ state: 'approved', answer: 'Yes' });
    expect(after[1].review).toMatchObject({ state: 'edited', answer: 'Partial' });
    expect(after[4].review.assignee).toBe('someone@provider.example');
    expect(after[2].review).toMatchObject({ state: 'rejected', answer: null, text: null });
    const phrasings = await t.database.db.selectFrom('library_answers').select(['phrasings', 'edited_at']).where('id', '=', 'access-reviews').executeTakeFirstOrThrow();
    expect(phrasings.phrasings).toContain('Are user access rights reviewed at least quarterly?');
    expect(phrasings.edited_at).not.toBeNull();
    const actions = (await t.database.db.selectFrom('audit_log').select('action').where('subject', 'like', `${id}%`).execute()).map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['questionnaire.uploaded', 'questionnaire.item_approved', 'questionnaire.item_edited', 'questionnaire.item_assigned', 'questionnaire.item_rejected', 'questionnaire.bulk_approved']));
    expect((await verifyAuditChain(t.database.db)).ok).toBe(true);
  });

  it('exports the customer\'s own workbook: answers in their words, formatting and other sheets preserved', async () => {
    const res = await viewer.agent.get(`/api/v1/questionnaires/${id}/export?format=xlsx`).buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-disposition']).toContain('vendor-answered.xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body as unknown as ArrayBuffer);
    const sheet = wb.getWorksheet('Security')!;
    expect(sheet.getCell('C6').value).toBe('Y'); // the data-validation vocabulary, not "Yes"
    expect(String(sheet.getCell('D6').value)).toMatch(/hardware security key[\s\S]*Sources: ISO\/IEC 27002 8\.5/);
    expect(sheet.getCell('C7').value).toBe('Partial'); // edited; not in Y/N/N/A so the canonical word
    expect(sheet.getCell('C6').fill).toMatchObject({ fgColor: { argb: 'FFFFFF00' } });
    expect(sheet.getCell('A1').value).toBe('Vendor Security Assessment');
    expect(sheet.getCell('A1').font?.bold).toBe(true);
    expect(wb.getWorksheet('Scoring')!.state).toBe('hidden');
    expect((sheet.getCell('E10').value as { formula?: string }).formula).toBe('LEN(B10)');
    expect(sheet.getCell('C10').value).toBe('N/A');
  });

  it('leaves untouched parts of the package byte for byte, and whole-sheet validations in place', async () => {
    const big = await buildHugeValidationWorkbook(3, 50);
    const res = await upload(big, 'big.xlsx');
    expect(res.status).toBe(201);
    const exported = await viewer.agent.get(`/api/v1/questionnaires/${res.body.id}/export?format=xlsx`).buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    const before = unzipSync(big);
    const after = unzipSync(exported.body as Buffer);
    expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
    expect(strFromU8(after['xl/styles.xml'])).toBe(strFromU8(before['xl/styles.xml']));
    expect(strFromU8(after['xl/worksheets/sheet1.xml'])).toContain('sqref="N1:XFD1048576"');
  });

  it('neutralises formula injection in exported cells', async () => {
    const csv = Buffer.from('ID,Question\nX1,Do you patch operating systems?\n');
    const res = await upload(csv, 'q.csv');
    const item = (await editor.agent.get(`/api/v1/questionnaires/${res.body.id}`)).body.questions[0];
    await editor.agent.post(`/api/v1/questionnaires/${res.body.id}/items/${item.itemId}/review`).set('x-csrf-token', editor.csrf).send({ action: 'edit', answer: 'Yes', text: '=HYPERLINK("http://evil","x")' }).expect(200);
    const out = await viewer.agent.get(`/api/v1/questionnaires/${res.body.id}/export?format=csv`).expect(200);
    expect(out.text).toContain(`"'=HYPERLINK(""http://evil"",""x"")"`);
    expect(out.text).not.toMatch(/,=HYPERLINK/);
  });

  it('answers per service when asked: the customer patches the guest OS on IaaS', async () => {
    const csv = Buffer.from('ID,Question\nP1,Do you patch operating systems?\n');
    const vm = await upload(csv, 'q.csv', { service: 'vm' });
    const q = (await editor.agent.get(`/api/v1/questionnaires/${vm.body.id}`)).body.questions[0];
    // What the provider patches stays a Yes; the guest OS is added as the customer's part.
    expect(q.ownership).toBe('customer');
    expect(q.text).toMatch(/your responsibility/);
    expect(q.citations).toContainEqual(expect.objectContaining({ kind: 'responsibility', id: 'iso27002:8.8|vm' }));
    const db = await upload(csv, 'q.csv', { service: 'db' });
    expect((await editor.agent.get(`/api/v1/questionnaires/${db.body.id}`)).body.questions[0].answer).toBe('Yes');
    expect((await upload(csv, 'q.csv', { service: 'mainframe' })).status).toBe(400);
  });

  it('bad uploads get a clear error and store nothing', async () => {
    const before = await t.database.db.selectFrom('questionnaires').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    const xls = await upload(Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(512)]), 'old.xls');
    expect(xls.status).toBe(415);
    expect(xls.body.error.message).toMatch(/save it as \.xlsx/);
    const none = await upload(Buffer.from('a,b\n1,2\n'), 'n.csv');
    expect(none.status).toBe(422);
    const noFile = await editor.agent.post('/api/v1/questionnaires').set('x-csrf-token', editor.csrf).field('name', 'x');
    expect(noFile.status).toBe(400);
    const after = await t.database.db.selectFrom('questionnaires').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it('refuses files over the size limit with 413', async () => {
    const small = await createTestApp({ contentDir: content.dir, env: { UPLOAD_LIMIT_BYTES: '1000', LOGIN_RATE_LIMIT: '1000' } });
    const who = await signIn(small.app, (await makeStaff(small.database.db, small.clock, 'editor')).email);
    const res = await who.agent.post('/api/v1/questionnaires').set('x-csrf-token', who.csrf).attach('file', Buffer.alloc(5000, 'a'), 'big.csv');
    expect(res.status).toBe(413);
    expect(res.body.error.message).toMatch(/larger than/);
    await small.close();
  });
});

describe('POST /api/v1/answer', () => {
  it('answers one question for the public, from public content only', async () => {
    const res = await request(t.app.server).post('/api/v1/answer').send({ question: 'Is MFA enforced for admins?' }).expect(200);
    expect(res.body).toMatchObject({ status: 'answered', answer: 'Yes' });
    const none = await request(t.app.server).post('/api/v1/answer').send({ question: 'What is your favourite colour?' }).expect(200);
    expect(none.body.status).toBe('unanswered');
    await request(t.app.server).post('/api/v1/answer').send({}).expect(400);
  });
});


