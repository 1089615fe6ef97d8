import ExcelJS from 'exceljs';
import { strFromU8, strToU8, unzipSync, zipSync, type Zippable } from 'fflate';

/**
 * A questionnaire shaped like the ones customers send: a title block above the header, merged
 * section rows, a Yes/No/N/A validation on the answer column, a hidden scoring sheet, and a
 * second sheet.
 */
export async function buildRealisticWorkbook(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const main = wb.addWorksheet('Security');
  main.getCell('A1').value = 'Vendor Security Assessment';
  main.getCell('A1').font = { bold: true, size: 16 };
  main.getCell('A2').value = 'Please answer every question and add comments where helpful.';
  main.addRow([]);
  main.getRow(4).values = ['Ref', 'Question', 'Response', 'Comments'];
  main.getRow(4).font = { bold: true };
  main.getRow(5).values = ['Access control'];
  main.mergeCells('A5:D5');
  main.getRow(5).font = { bold: true };
  main.getRow(6).values = ['AC-1', 'Is multi-factor authentication enforced for administrators?'];
  main.getRow(7).values = ['AC-2', 'Are user access rights reviewed at least quarterly?'];
  main.getRow(8).values = ['Data protection'];
  main.mergeCells('A8:D8');
  main.getRow(8).font = { bold: true };
  main.getRow(9).values = ['DP-1', 'Do you encrypt data at rest and in transit?'];
  main.getRow(10).values = ['DP-2', 'What is your favourite colour?'];
  main.getCell('E10').value = { formula: 'LEN(B10)', result: 30 };
  main.getCell('C6').fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFFF00' } };
  for (let r = 6; r <= 10; r++) main.getCell(`C${r}`).dataValidation = { type: 'list', allowBlank: true, formulae: ['"Y,N,N/A"'] };
  main.getColumn(2).width = 60;

  const ops = wb.addWorksheet('Operations');
  ops.getRow(1).values = ['#', 'Requirement', 'Answer', 'Notes'];
  ops.getRow(2).values = [1, 'Do you back up customer data daily?'];
  ops.getRow(3).values = [2, 'Describe your incident response process.'];

  const scoring = wb.addWorksheet('Scoring', { state: 'hidden' });
  scoring.getRow(1).values = ['Question', 'Weight'];
  scoring.getRow(2).values = ['Is this a hidden question?', 5];
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** Rewrites one part of an OOXML package (e.g. to add what exceljs would not write). */
export function patchPart(xlsx: Uint8Array, part: string, change: (xml: string) => string): Buffer {
  const files = unzipSync(xlsx);
  files[part] = strToU8(change(strFromU8(files[part])));
  return Buffer.from(zipSync(files));
}

/**
 * A big, odd workbook like real ones: many sheets, formulas everywhere, and data validation
 * declared over whole sheets (sqref="N1:XFD1048576") that naive readers expand cell by cell.
 */
export async function buildHugeValidationWorkbook(sheets = 12, rowsPerSheet = 400): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  for (let s = 1; s <= sheets; s++) {
    const ws = wb.addWorksheet(`Domain ${s}`);
    ws.getRow(1).values = ['ID', 'Question', 'Answer', 'Comment', 'Score'];
    for (let r = 2; r <= rowsPerSheet; r++) {
      ws.getRow(r).values = [`D${s}-${r}`, `Do you maintain control number ${r} of domain ${s} with documented procedures?`];
      ws.getCell(`E${r}`).value = { formula: `IF(C${r}="Yes",1,0)`, result: 0 };
    }
  }
  let buffer: Uint8Array = Buffer.from(await wb.xlsx.writeBuffer());
  for (let s = 1; s <= sheets; s++) {
    buffer = patchPart(buffer, `xl/worksheets/sheet${s}.xml`, (xml) =>
      xml.replace(
        /(<\/sheetData>(?:<mergeCells[\s\S]*?<\/mergeCells>)?)/,
        '$1<dataValidations count="2"><dataValidation type="list" allowBlank="1" sqref="C2:C1048576"><formula1>"Yes,No,N/A"</formula1></dataValidation>' +
          '<dataValidation type="list" allowBlank="1" sqref="N1:XFD1048576"><formula1>"A,B"</formula1></dataValidation></dataValidations>',
      ),
    );
  }
  return Buffer.from(buffer);
}

/**
 * Shaped like a higher-education vendor assessment: an instructions sheet, a vendor sheet whose
 * answer column takes only Yes/No (a validation list) although some rows ask for a name, a number
 * or a description, and the requester's evaluation sheet computed by formulas.
 */
export async function buildHecvatStyleWorkbook(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const start = wb.addWorksheet('Instructions');
  start.getCell('A1').value = 'How to complete this assessment';
  start.getCell('A2').value = 'Answer every question on the vendor sheet. DO NOT complete any fields in the Evaluation sheets.';
  start.getCell('A3').value = 'Jump to Privacy Scorecard';
  start.getCell('A4').value = 'Do you understand that incomplete answers are scored as No?';

  const vendor = wb.addWorksheet('Vendor Questions');
  vendor.getRow(1).values = ['ID', 'Question', 'Vendor Answer', 'Additional Information'];
  vendor.getRow(1).font = { bold: true };
  vendor.getRow(2).values = ['General Information'];
  vendor.mergeCells('A2:D2');
  vendor.getRow(2).font = { bold: true };
  const rows: [string, string][] = [
    ['GNRL-01', 'Vendor Name'],
    ['GNRL-02', 'Security contact email address'],
    ['GNRL-03', 'Number of employees'],
    ['DATA-01', 'Do you encrypt customer data at rest?'],
    ['DATA-02', 'Is the solution designed to process, store, or transmit credit card information?'],
    ['DATA-03', 'Where is customer data stored?'],
    ['DATA-04', 'Describe your incident response process.'],
    ['DATA-05', 'Are you FedRAMP authorized?'],
    ['NOTE-01', 'Please complete every yellow cell on this tab before returning the workbook.'],
  ];
  rows.forEach(([id, question], i) => {
    vendor.getRow(3 + i).values = [id, question];
    vendor.getCell(`C${3 + i}`).dataValidation = { type: 'list', allowBlank: true, formulae: ['"Yes,No"'] };
  });
  vendor.getColumn(2).width = 70;

  const evaluation = wb.addWorksheet('Evaluation');
  evaluation.getRow(1).values = ['Question', 'Score', 'Weight', 'Weighted'];
  rows.forEach(([id], i) => {
    evaluation.getCell(`A${2 + i}`).value = { formula: `'Vendor Questions'!B${3 + i}`, result: id };
    evaluation.getCell(`B${2 + i}`).value = { formula: `IF('Vendor Questions'!C${3 + i}="Yes",1,0)`, result: 0 };
    evaluation.getCell(`C${2 + i}`).value = 5;
    evaluation.getCell(`D${2 + i}`).value = { formula: `B${2 + i}*C${2 + i}`, result: 0 };
  });
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/**
 * A minimal workbook written as raw package parts (fast at any size): `sheets` sheets of an
 * ID / Question / Answer header and `rows` questions each, plus any extra parts (e.g. padding).
 */
export function buildRawWorkbook(options: { sheets: number; rows: number; question?: (sheet: number, row: number) => string; extra?: Record<string, Uint8Array> }): Buffer {
  const text = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const cell = (ref: string, value: string) => `<c r="${ref}" t="inlineStr"><is><t>${text(value)}</t></is></c>`;
  const question = options.question ?? ((s, r) => `Do you review access rights for system ${s}-${r} at least once a year?`);
  const files: Record<string, Uint8Array | [Uint8Array, { level: 0 | 9 }]> = {};
  const sheetEntries: string[] = [];
  const rels: string[] = [];
  const overrides: string[] = [];
  for (let s = 1; s <= options.sheets; s++) {
    const rows = [`<row r="1">${cell('A1', 'ID')}${cell('B1', 'Question')}${cell('C1', 'Answer')}</row>`];
    for (let r = 2; r <= options.rows + 1; r++) rows.push(`<row r="${r}">${cell(`A${r}`, `S${s}-${r}`)}${cell(`B${r}`, question(s, r))}</row>`);
    files[`xl/worksheets/sheet${s}.xml`] = strToU8(
      `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${rows.join('')}</sheetData></worksheet>`,
    );
    sheetEntries.push(`<sheet name="Sheet ${s}" sheetId="${s}" r:id="rId${s}"/>`);
    rels.push(`<Relationship Id="rId${s}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet${s}.xml"/>`);
    overrides.push(`<Override PartName="/xl/worksheets/sheet${s}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`);
  }
  files['[Content_Types].xml'] = strToU8(
    `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>${overrides.join('')}</Types>`,
  );
  files['_rels/.rels'] = strToU8(
    `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
  );
  files['xl/workbook.xml'] = strToU8(
    `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>${sheetEntries.join('')}</sheets></workbook>`,
  );
  files['xl/_rels/workbook.xml.rels'] = strToU8(`<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${rels.join('')}</Relationships>`);
  for (const [name, data] of Object.entries(options.extra ?? {})) files[name] = [data, { level: 9 }];
  return Buffer.from(zipSync(files as Zippable));
}

const SAMPLE_QUESTIONS = [
  'Is multi-factor authentication enforced for all administrative access?',
  'Do you encrypt customer data at rest, and who manages the keys?',
  'Are backups taken daily and restored in a test at least once a year?',
  'Describe your incident response process and how customers are notified.',
  'Do you perform penetration tests at least annually by an independent party?',
  'How are operating systems and applications patched, and within what time?',
  'Are user access rights reviewed at least quarterly?',
  'Do you maintain an inventory of assets, including cloud resources?',
  'Is data in transit protected with TLS 1.2 or newer?',
  'Do you hold an ISO/IEC 27001 certification, and what is its scope?',
  'Where is customer data stored, and can the customer choose the region?',
  'How do you vet subprocessors before they handle customer data?',
  'Are security events logged centrally and kept for at least one year?',
  'Do employees receive security awareness training when they join and yearly?',
  'Is there a documented business continuity plan that is tested?',
  'How is customer data deleted at the end of the contract?',
];

/** The largest questionnaire the default limits allow: `rows` realistic questions on one sheet. */
export function buildLargestQuestionnaire(rows = 5_000): Buffer {
  return buildRawWorkbook({ sheets: 1, rows, question: (_s, r) => `${SAMPLE_QUESTIONS[r % SAMPLE_QUESTIONS.length]} (${r - 1})` });
}

/** CAIQ v4's ownership words, as its data-validation list offers them. */
export const CAIQ_OWNERSHIP_WORDS = ['CSP-owned', 'CSC-owned', 'Shared CSP and CSC', 'Third-party outsourced', 'Shared CSP and 3rd-party'];

/**
 * Shaped like a CAIQ: question id and text, a Yes/No/NA answer, the provider's implementation
 * description, an ownership column with its own list, and a column for the customer's part.
 */
export async function buildCaiqWorkbook(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('CAIQ');
  sheet.getRow(1).values = ['Question ID', 'Question', 'CSP CAIQ Answer', 'CSP Implementation Description', 'CSP Owned/Shared/CSC owned', 'Customer Responsibilities'];
  const questions = [
    'Is multi-factor authentication required for administrative access?',
    'Are operating systems patched within a defined time?',
    'Is customer data encrypted at rest?',
    'Are user access rights reviewed at least quarterly?',
    'Are backups of customer data taken daily?',
    'What is your favourite colour?',
  ];
  questions.forEach((q, i) => {
    const r = i + 2;
    sheet.getRow(r).values = [`CQ-0${i + 1}`, q];
    sheet.getCell(`C${r}`).dataValidation = { type: 'list', allowBlank: true, formulae: ['"Yes,No,NA"'] };
    sheet.getCell(`E${r}`).dataValidation = { type: 'list', allowBlank: true, formulae: [`"${CAIQ_OWNERSHIP_WORDS.join(',')}"`] };
  });
  return Buffer.from(await wb.xlsx.writeBuffer());
}
