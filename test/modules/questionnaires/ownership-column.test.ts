import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownershipInWords } from '../../../server/modules/questionnaires/export/ownership.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { makeStaff, signIn, type SignedIn } from '../../helpers/staff.js';
import { buildCaiqWorkbook, CAIQ_OWNERSHIP_WORDS } from '../../helpers/workbooks.js';
import { parseCsv } from '../../../server/modules/questionnaires/import/csv.js';

const CAIQ_WORDS = ['CSP-owned', 'CSC-owned', 'Shared CSP and CSC', 'Third-party outsourced'];

/** Shaped like CSA's CAIQ v4: an answer column, an ownership column with its own list, then free text. */
async function buildCaiqStyleWorkbook(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('CAIQv4');
  sheet.getRow(1).values = ['Question ID', 'Question', 'CSP CAIQ Answer', 'SSRM Control Ownership', 'CSP Implementation Description', 'CSC Responsibilities'];
  const questions = [
    'Is multi-factor authentication enforced for administrators?',
    'Are backups of customer data taken daily?',
    'Is customer data encrypted at rest?',
    'Are user access rights reviewed at least quarterly?',
    'Are operating systems patched within a defined time?',
  ];
  questions.forEach((q, i) => {
    sheet.getRow(i + 2).values = [`IAM-0${i + 1}`, q];
    sheet.getCell(`C${i + 2}`).dataValidation = { type: 'list', allowBlank: true, formulae: ['"Yes,No,NA"'] };
    sheet.getCell(`D${i + 2}`).dataValidation = { type: 'list', allowBlank: true, formulae: [`"${CAIQ_WORDS.join(',')}"`] };
  });
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describe('ownership in the workbook\'s words (pure)', () => {
  it('maps each party to the list\'s own word, and to plain words without a list', () => {
    expect(ownershipInWords('provider', CAIQ_WORDS)).toBe('CSP-owned');
    expect(ownershipInWords('customer', CAIQ_WORDS)).toBe('CSC-owned');
    expect(ownershipInWords('shared', CAIQ_WORDS)).toBe('Shared CSP and CSC');
    expect(ownershipInWords('third-party', CAIQ_WORDS)).toBe('Third-party outsourced');
    expect(ownershipInWords('shared-third-party', CAIQ_WORDS)).toBe('Third-party outsourced');
    expect(ownershipInWords('provider', ['Provider', 'Customer', 'Shared'])).toBe('Provider');
    expect(ownershipInWords('shared', null)).toBe('Shared');
    // A party the list has no word for stays blank rather than breaking the list.
    expect(ownershipInWords('not-applicable', CAIQ_WORDS)).toBe('');
    expect(ownershipInWords(null, CAIQ_WORDS)).toBe('');
  });
});

describe('a CAIQ-shaped workbook', () => {
  let t: TestApp;
  let editor: SignedIn;
  beforeAll(async () => {
    t = await createTestApp({ env: { LOGIN_RATE_LIMIT: '1000' } });
    editor = await signIn(t.app, (await makeStaff(t.database.db, t.clock, 'editor')).email);
  });
  afterAll(async () => {
    await t.close();
  });

  it('finds the ownership column and fills it from each result\'s ownership, in the list\'s words', async () => {
    const res = await editor.agent.post('/api/v1/questionnaires').set('x-csrf-token', editor.csrf).field('service', 'compute').attach('file', await buildCaiqStyleWorkbook(), 'caiq.xlsx');
    expect(res.status, res.text).toBe(201);
    await t.app.jobs.idle();
    const id = res.body.id as string;
    const result = (await editor.agent.get(`/api/v1/questionnaires/${id}`).expect(200)).body;
    const layouts = (await t.database.db.selectFrom('questionnaires').select('layouts').where('id', '=', id).executeTakeFirstOrThrow()).layouts as { ownershipColumn: number; commentColumn: number }[];
    expect(layouts[0]).toMatchObject({ ownershipColumn: 4, commentColumn: 5 });
    const exported = await editor.agent.get(`/api/v1/questionnaires/${id}/export?format=xlsx`).buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    }).expect(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(exported.body as never);
    const sheet = wb.getWorksheet('CAIQv4')!;
    let filled = 0;
    for (const q of result.questions as { row: number; ownership: string | null; text: string | null; answer: string | null; status: string }[]) {
      const cell = String(sheet.getCell(`D${q.row}`).value ?? '');
      const goesOut = q.status === 'answered' && (q.answer || q.text);
      const expected = goesOut ? ownershipInWords(q.ownership as never, CAIQ_WORDS) : '';
      expect(cell, `row ${q.row}`).toBe(expected);
      if (cell) {
        expect(CAIQ_WORDS).toContain(cell);
        filled++;
      }
      // The explanation lands in the implementation description, not in the ownership column.
      if (goesOut && q.text) expect(String(sheet.getCell(`E${q.row}`).value ?? '')).toContain(q.text.slice(0, 20));
    }
    expect(filled).toBeGreaterThan(0);
    const csv = await editor.agent.get(`/api/v1/questionnaires/${id}/export?format=csv`).expect(200);
    expect(csv.text.split('\n')[0]).toMatch(/,ownership,customer responsibilities\r?$/);
  });

  it("fills the customer responsibilities column from the matrix's customer text, and the CSV and JSON carry it", async () => {
    const res = await editor.agent.post('/api/v1/questionnaires').set('x-csrf-token', editor.csrf).field('service', 'compute').attach('file', await buildCaiqWorkbook(), 'caiq-duties.xlsx');
    expect(res.status, res.text).toBe(201);
    await t.app.jobs.idle();
    const id = res.body.id as string;
    const layouts = (await t.database.db.selectFrom('questionnaires').select('layouts').where('id', '=', id).executeTakeFirstOrThrow()).layouts;
    expect(layouts[0]).toMatchObject({ answerColumn: 3, commentColumn: 4, ownershipColumn: 5, customerDutyColumn: 6, ownershipVocabulary: CAIQ_OWNERSHIP_WORDS });
    const result = (await editor.agent.get(`/api/v1/questionnaires/${id}`).expect(200)).body;
    type Row = { id: string; row: number; ownership: string | null; customerDuty: string | null; text: string | null; answer: string | null; status: string };
    const questions = result.questions as Row[];
    const computeDuties = (await t.database.db.selectFrom('responsibilities').select('customer_duty').where('service_id', '=', 'compute').execute()).map((r) => r.customer_duty).filter(Boolean) as string[];
    const goesOut = (q: Row) => q.status === 'answered' && Boolean(q.answer || q.text);
    const withDuty = questions.filter((q) => goesOut(q) && q.customerDuty);
    expect(withDuty.length).toBeGreaterThan(0);
    // The duty is the matrix's own text for the chosen service, never another service's.
    for (const q of withDuty) expect(computeDuties.some((d) => q.customerDuty!.startsWith(d)), q.customerDuty!).toBe(true);

    const exported = await editor.agent.get(`/api/v1/questionnaires/${id}/export?format=xlsx`).buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    }).expect(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(exported.body as never);
    const sheet = wb.getWorksheet('CAIQ')!;
    for (const q of questions) {
      const owner = String(sheet.getCell(`E${q.row}`).value ?? '');
      const duties = String(sheet.getCell(`F${q.row}`).value ?? '');
      expect(owner, `row ${q.row}`).toBe(goesOut(q) ? ownershipInWords(q.ownership as never, CAIQ_OWNERSHIP_WORDS) : '');
      if (owner) expect(CAIQ_OWNERSHIP_WORDS).toContain(owner);
      expect(duties, `row ${q.row}`).toBe(goesOut(q) ? (q.customerDuty ?? '') : '');
      // The explanation stays in the implementation description.
      if (goesOut(q) && q.text) expect(String(sheet.getCell(`D${q.row}`).value ?? '')).toContain(q.text.slice(0, 20));
    }
    const colour = questions.find((q) => q.id === 'CQ-06')!;
    expect(colour.status).toBe('unanswered');
    expect(String(sheet.getCell(`F${colour.row}`).value ?? '')).toBe('');

    const csv = parseCsv((await editor.agent.get(`/api/v1/questionnaires/${id}/export?format=csv`).expect(200)).text, ',', 10_000);
    expect(csv[0].slice(-2)).toEqual(['ownership', 'customer responsibilities']);
    const csvRow = csv.find((r) => r[0] === withDuty[0].id)!;
    expect(csvRow.at(-1)).toBe(withDuty[0].customerDuty);
    expect(CAIQ_OWNERSHIP_WORDS).toContain(csvRow.at(-2));

    const json = (await editor.agent.get(`/api/v1/questionnaires/${id}/export?format=json`).expect(200)).body as { questions: { id: string; customerResponsibilities: string | null; ownershipInWords: string | null }[] };
    const jsonRow = json.questions.find((r) => r.id === withDuty[0].id)!;
    expect(jsonRow.customerResponsibilities).toBe(withDuty[0].customerDuty);
    expect(jsonRow.ownershipInWords).toBe(csvRow.at(-2));
    expect(json.questions.find((r) => r.id === 'CQ-06')!.customerResponsibilities).toBeNull();
  });
});
