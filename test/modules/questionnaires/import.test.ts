import { strToU8, zipSync } from 'fflate';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { ImportError } from '../../../server/modules/questionnaires/import/errors.js';
import { parseQuestionnaire } from '../../../server/modules/questionnaires/import/parse.js';
import { parseInWorker } from '../../../server/modules/questionnaires/import/run.js';
import { buildHugeValidationWorkbook, buildRealisticWorkbook } from '../../helpers/workbooks.js';

describe('XLSX import', () => {
  it('finds the header below a title block, keeps merged rows as sections, reads the answer vocabulary, skips hidden sheets', async () => {
    const parsed = parseQuestionnaire(await buildRealisticWorkbook(), 'vendor.xlsx');
    const security = parsed.questions.filter((q) => q.sheet === 'Security');
    expect(security.map((q) => q.id)).toEqual(['AC-1', 'AC-2', 'DP-1', 'DP-2']);
    expect(security[0]).toMatchObject({
      row: 6,
      question: 'Is multi-factor authentication enforced for administrators?',
      section: 'Access control',
      questionCell: 'B6',
      answerCell: 'C6',
      commentCell: 'D6',
      vocabulary: ['Y', 'N', 'N/A'],
    });
    expect(security[2].section).toBe('Data protection');
    expect(parsed.layouts.find((l) => l.sheet === 'Security')).toMatchObject({ headerRow: 4, questionColumn: 2, idColumn: 1, answerColumn: 3, commentColumn: 4 });
    const ops = parsed.questions.filter((q) => q.sheet === 'Operations');
    expect(ops.map((q) => [q.id, q.answerCell])).toEqual([['1', 'C2'], ['2', 'C3']]);
    expect(parsed.questions.some((q) => q.sheet === 'Scoring')).toBe(false);
    expect(parsed.warnings).toContain('sheet "Scoring" is hidden and was skipped');
    // Shown, the scoring sheet is still the requester's own; naming it reads it.
    const withHidden = parseQuestionnaire(await buildRealisticWorkbook(), 'vendor.xlsx', { includeHidden: true });
    expect(withHidden.questions.some((q) => q.sheet === 'Scoring')).toBe(false);
    expect(withHidden.sheets.find((s) => s.name === 'Scoring')?.reason).toMatch(/requester/);
    const named = parseQuestionnaire(await buildRealisticWorkbook(), 'vendor.xlsx', { includeSheets: ['Scoring'] });
    expect(named.questions.some((q) => q.sheet === 'Scoring')).toBe(true);
  });

  it('accepts a column override by letter or by header text', async () => {
    const byHeader = parseQuestionnaire(await buildRealisticWorkbook(), 'vendor.xlsx', { questionColumn: 'Question' });
    expect(byHeader.questions[0].questionCell).toBe('B6');
    expect(() => parseQuestionnaire(Buffer.from('a,b\n1,2\n'), 'x.csv', { questionColumn: 'Z' })).toThrow(/column "Z" holds no questions/);
  });

  it('reads a workbook with whole-sheet validations and formulas everywhere in seconds, in bounded memory', async () => {
    const huge = await buildHugeValidationWorkbook();
    const started = performance.now();
    const parsed = await parseInWorker(huge, 'big.xlsx', {}, { timeoutMs: 20_000, maxMemoryMb: 256 });
    expect(performance.now() - started).toBeLessThan(15_000);
    expect(parsed.questions).toHaveLength(12 * 399);
    expect(parsed.questions[0]).toMatchObject({ id: 'D1-2', answerCell: 'C2', vocabulary: ['Yes', 'No', 'N/A'] });
  });
});

describe('CSV and JSON import', () => {
  it('reads a ";"-separated CSV with a BOM and quoted line breaks', () => {
    const csv = '\ufeffNo;Frage / Question;Antwort\r\n1;"Do you encrypt data at rest?";\r\n2;"Describe your backups;\nincluding frequency.";\r\n';
    const parsed = parseQuestionnaire(Buffer.from(csv, 'utf8'), 'q.csv');
    expect(parsed.questions.map((q) => [q.id, q.question, q.answerCell])).toEqual([
      ['1', 'Do you encrypt data at rest?', 'C2'],
      ['2', 'Describe your backups;\nincluding frequency.', 'C3'],
    ]);
  });

  it('reads Windows-1252 and UTF-16 text', () => {
    const latin = iconv.encode('ID,Question\nQ1,Do you have a Datenschutz-Beauftragter (DPO) for Zürich?\n', 'win1252');
    expect(parseQuestionnaire(latin, 'q.csv').questions[0].question).toContain('Zürich');
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode('ID\tQuestion\nQ1\tIs data encrypted?\n', 'utf16le')]);
    expect(parseQuestionnaire(utf16, 'q.csv').questions[0].question).toBe('Is data encrypted?');
  });

  it('reads JSON lists of strings or objects', () => {
    const parsed = parseQuestionnaire(Buffer.from(JSON.stringify([{ id: 'A', question: 'Is MFA enforced?' }, 'Do you back up data?'])), 'q.json');
    expect(parsed.questions.map((q) => [q.id, q.question])).toEqual([
      ['A', 'Is MFA enforced?'],
      ['JSON!3', 'Do you back up data?'],
    ]);
  });
});

describe('bad files get a clear error', () => {
  const cases: [string, () => Promise<Uint8Array> | Uint8Array, string, RegExp, number][] = [
    ['empty file', () => new Uint8Array(), 'q.xlsx', /empty/, 422],
    ['legacy .xls', () => Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(600)]), 'old.xls', /save it as \.xlsx/, 415],
    [
      'password-protected workbook',
      () => Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.from('E\0n\0c\0r\0y\0p\0t\0i\0o\0n\0I\0n\0f\0o\0'), Buffer.alloc(100)]),
      'secret.xlsx',
      /password-protected/,
      422,
    ],
    ['a text file named .xlsx', () => Buffer.from('hello'), 'fake.xlsx', /not one/, 415],
    ['a zip that is not a workbook', () => zipSync({ 'readme.txt': strToU8('hi') }), 'x.xlsx', /not an Excel workbook/, 415],
    ['a zip bomb', () => zipSync({ 'xl/workbook.xml': new Uint8Array(150 * 1024 * 1024) }, { level: 9 }), 'bomb.xlsx', /zip bomb/, 413],
    ['no question column', () => Buffer.from('a,b\n1,2\n3,4\n'), 'numbers.csv', /No questions found/, 422],
    ['unknown type', () => Buffer.from('%PDF-1.7'), 'file.pdf', /not questionnaires Evident can read/, 415],
    ['invalid JSON', () => Buffer.from('{"questions": ['), 'q.json', /JSON is not valid/, 422],
  ];
  it.each(cases)('%s', async (_name, make, fileName, message, status) => {
    const data = await make();
    let caught: unknown;
    try {
      parseQuestionnaire(data, fileName);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ImportError);
    expect((caught as ImportError).message).toMatch(message);
    expect((caught as ImportError).statusCode).toBe(status);
  });

  it('the worker reports the same clear errors', async () => {
    await expect(parseInWorker(Buffer.from('hello'), 'fake.xlsx')).rejects.toThrow(/not one/);
  });

  it('a file that takes too long is stopped by the worker time limit', async () => {
    const huge = await buildHugeValidationWorkbook(12, 400);
    await expect(parseInWorker(huge, 'big.xlsx', {}, { timeoutMs: 1, maxMemoryMb: 256 })).rejects.toThrow(/took longer than/);
  });
});
