import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { makeStaff, signIn, type SignedIn } from '../../helpers/staff.js';
import { buildHecvatStyleWorkbook } from '../../helpers/workbooks.js';
import { parseQuestionnaire } from '../../../server/modules/questionnaires/import/parse.js';

let t: TestApp;
let editor: SignedIn;

beforeAll(async () => {
  t = await createTestApp({ env: { LOGIN_RATE_LIMIT: '1000' } });
  editor = await signIn(t.app, (await makeStaff(t.database.db, t.clock, 'editor')).email);
});
afterAll(() => t.close());

async function uploadAndWait(file: Buffer, fields: Record<string, string> = {}) {
  let req = editor.agent.post('/api/v1/questionnaires').set('x-csrf-token', editor.csrf).attach('file', file, 'assessment.xlsx');
  for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
  const res = await req;
  expect(res.status, res.text).toBe(201);
  for (let i = 0; i < 600; i++) {
    const result = (await editor.agent.get(`/api/v1/questionnaires/${res.body.id}`).expect(200)).body;
    if (result.status !== 'processing') return result;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the questionnaire did not finish');
}

describe('a workbook with instructions, a vendor sheet and the requester\'s evaluation sheet', () => {
  it('imports only the vendor sheet and says why the others were skipped', async () => {
    const imported = parseQuestionnaire(await buildHecvatStyleWorkbook(), 'assessment.xlsx');
    expect(new Set(imported.questions.map((q) => q.sheet))).toEqual(new Set(['Vendor Questions']));
    expect(imported.questions.map((q) => q.id)).toEqual(['GNRL-01', 'GNRL-02', 'GNRL-03', 'DATA-01', 'DATA-02', 'DATA-03', 'DATA-04', 'DATA-05', 'NOTE-01']);
    const report = Object.fromEntries(imported.sheets.map((s) => [s.name, s]));
    expect(report['Vendor Questions']).toMatchObject({ taken: 9, reason: null });
    expect(report.Instructions).toMatchObject({ taken: 0, reason: expect.stringMatching(/requester/) });
    expect(report.Evaluation).toMatchObject({ taken: 0, reason: expect.stringMatching(/requester|formulas/) });
    const forced = parseQuestionnaire(await buildHecvatStyleWorkbook(), 'assessment.xlsx', { includeSheets: ['instructions'] });
    expect(forced.questions.some((q) => q.sheet === 'Instructions')).toBe(true);
  });

  it('gives every row its kind, a canonical answer only to yes/no rows, and counts what is not a question', async () => {
    const result = await uploadAndWait(await buildHecvatStyleWorkbook());
    const byId = Object.fromEntries(result.questions.map((q: { id: string }) => [q.id, q]));
    expect(result.sheets.map((s: { name: string; taken: number }) => [s.name, s.taken])).toEqual([['Instructions', 0], ['Vendor Questions', 9], ['Evaluation', 0]]);
    expect(byId['GNRL-01']).toMatchObject({ kind: 'field', answer: null });
    expect(byId['GNRL-02']).toMatchObject({ kind: 'field', status: 'answered', answer: null, text: 'security@nimbus.example' });
    expect(byId['GNRL-03']).toMatchObject({ kind: 'field', status: 'unanswered', answer: null });
    expect(byId['DATA-01']).toMatchObject({ kind: 'yes-no', answer: 'Yes' });
    // Nothing in the content says whether cardholder data is processed: no claim either way.
    expect(byId['DATA-02'].answer).not.toBe('Yes');
    expect(byId['DATA-02'].status).not.toBe('answered');
    expect(byId['DATA-03']).toMatchObject({ kind: 'open', status: 'answered', answer: null });
    expect(byId['DATA-03'].text).toMatch(/Frankfurt/);
    expect(byId['DATA-04']).toMatchObject({ kind: 'open', answer: null });
    expect(byId['DATA-05']).toMatchObject({ kind: 'yes-no', status: 'answered', answer: 'No' });
    expect(byId['DATA-05'].citations).toContainEqual(expect.objectContaining({ url: '/certifications' }));
    expect(byId['NOTE-01']).toMatchObject({ kind: 'not-a-question', status: 'unanswered', answer: null });
    const s = result.summary;
    expect(s.notAQuestion).toBe(1);
    expect(s.answered + s.review + s.unanswered + s.notAQuestion).toBe(s.total);
  });

  it('writes nothing into the Yes/No column for open and field rows; their text goes beside it', async () => {
    const result = await uploadAndWait(await buildHecvatStyleWorkbook());
    const res = await editor.agent.get(`/api/v1/questionnaires/${result.id ?? ''}/export?format=xlsx`).buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(res.status, String(res.body)).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body as never);
    const sheet = wb.getWorksheet('Vendor Questions')!;
    const row = (id: string) => 3 + ['GNRL-01', 'GNRL-02', 'GNRL-03', 'DATA-01', 'DATA-02', 'DATA-03', 'DATA-04', 'DATA-05', 'NOTE-01'].indexOf(id);
    expect(sheet.getCell(`C${row('GNRL-02')}`).value).toBeNull();
    expect(String(sheet.getCell(`D${row('GNRL-02')}`).value)).toMatch(/security@nimbus\.example/);
    expect(sheet.getCell(`C${row('DATA-03')}`).value).toBeNull();
    expect(String(sheet.getCell(`D${row('DATA-03')}`).value)).toMatch(/Frankfurt/);
    expect(sheet.getCell(`C${row('DATA-01')}`).value).toBe('Yes');
    expect(sheet.getCell(`C${row('DATA-05')}`).value).toBe('No');
    expect(sheet.getCell(`C${row('NOTE-01')}`).value).toBeNull();
    expect(sheet.getCell(`D${row('NOTE-01')}`).value).toBeNull();
    // The requester's evaluation sheet is left exactly as it came.
    expect(wb.getWorksheet('Evaluation')!.getCell('C2').value).toBe(5);
  });
});
