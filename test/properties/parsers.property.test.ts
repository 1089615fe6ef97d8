import fc from 'fast-check';
import { strToU8, zipSync } from 'fflate';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../server/clock.js';
import { checkContent } from '../../server/modules/content/service.js';
import { watermarkPdf } from '../../server/modules/access/watermark.js';
import { ImportError } from '../../server/modules/questionnaires/import/errors.js';
import { parseQuestionnaire } from '../../server/modules/questionnaires/import/parse.js';
import { buildSearchIndex } from '../../server/modules/search/index.js';
import { buildThesaurus } from '../../server/modules/search/thesaurus.js';
import { copyContent } from '../helpers/content-fixture.js';

/** For any input: a result, or the importer's own clear error — never a crash, never a hang. */
function parseOrClearError(data: Uint8Array, name: string): void {
  const started = performance.now();
  try {
    parseQuestionnaire(data, name);
  } catch (error) {
    expect(error).toBeInstanceOf(ImportError);
    expect((error as ImportError).message.length).toBeGreaterThan(10);
  }
  expect(performance.now() - started).toBeLessThan(2_000);
}

describe('importers never crash', () => {
  it('CSV: arbitrary text, quotes, delimiters and line breaks', () => {
    const csvChar = fc.constantFrom('a', 'Q', '?', ',', ';', '\t', '"', '\n', '\r', ' ', 'é', '\u0000', '=');
    fc.assert(
      fc.property(fc.array(csvChar, { maxLength: 400 }).map((cs) => cs.join('')), (text) => parseOrClearError(Buffer.from(text, 'utf8'), 'q.csv')),
      { numRuns: 300 },
    );
  });

  it('CSV: arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => parseOrClearError(bytes, 'q.csv')), { numRuns: 200 });
  });

  it('XLSX: arbitrary bytes named .xlsx, and zip packages with arbitrary parts', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => parseOrClearError(bytes, 'q.xlsx')), { numRuns: 200 });
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.string({ maxLength: 300 }), (workbook, sheet) => {
        const zip = zipSync({ 'xl/workbook.xml': strToU8(`<workbook><sheets><sheet name="S" r:id="rId1"/></sheets>${workbook}</workbook>`), 'xl/_rels/workbook.xml.rels': strToU8('<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>'), 'xl/worksheets/sheet1.xml': strToU8(`<worksheet><sheetData>${sheet}</sheetData></worksheet>`) });
        parseOrClearError(zip, 'q.xlsx');
      }),
      { numRuns: 200 },
    );
  });

  it('JSON: arbitrary values', () => {
    fc.assert(fc.property(fc.json(), (json) => parseOrClearError(Buffer.from(json), 'q.json')), { numRuns: 200 });
  });
});

describe('content YAML never crashes the checker', () => {
  it('an arbitrary services.yaml gives problems with file and line, or none', () => {
    const copy = copyContent();
    try {
      fc.assert(
        fc.property(fc.string({ maxLength: 300 }), (text) => {
          writeFileSync(path.join(copy.dir, 'services.yaml'), text);
          const { problems } = checkContent(copy.dir, fixedClock('2026-11-28T00:00:00Z'));
          for (const p of problems) {
            expect(p.file).toBeTypeOf('string');
            expect(Number.isInteger(p.line) && p.line >= 1).toBe(true);
          }
        }),
        // "*!" once crashed the checker: an alias to an anchor that does not exist.
        { numRuns: 150, examples: [['*!'], ['- *nothing'], ['a: &x [*x]']] },
      );
    } finally {
      copy.remove();
    }
  });
});

describe('search queries are text, never syntax', () => {
  const index = buildSearchIndex(
    [
      { id: 'a', fields: { title: 'Multi-factor authentication', text: 'Hardware keys for every administrator.' } },
      { id: 'b', fields: { title: 'Encryption at rest', text: 'AES-256 on every volume.' } },
    ],
    { title: 2, text: 1 },
    buildThesaurus([['mfa', 'multi-factor authentication']]),
  );
  it('any string returns results or nothing, without throwing', () => {
    fc.assert(fc.property(fc.string({ maxLength: 120 }), (q) => Array.isArray(index.search(q))), { numRuns: 500 });
    for (const q of ['title:x', 'a~2', 'b^10', '+-', '*', ':', '"', 'mfa*', '~']) expect(Array.isArray(index.search(q))).toBe(true);
  });
});

describe('watermarking', () => {
  it('any recipient text watermarks a PDF; any non-PDF bytes fail cleanly', async () => {
    const doc = await PDFDocument.create();
    doc.addPage([300, 400]);
    const pdf = await doc.save();
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 60 }), fc.string({ maxLength: 60 }), async (name, company) => {
        const out = await watermarkPdf(pdf, { name, email: 'x@y.example', company, date: '2026-11-28', grantId: 'g' });
        expect((await PDFDocument.load(out)).getPageCount()).toBe(1);
      }),
      { numRuns: 60 },
    );
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 500 }), async (bytes) => {
        await expect(watermarkPdf(bytes, { name: 'a', email: 'b', company: 'c', date: 'd', grantId: 'e' })).rejects.toThrow();
      }),
      { numRuns: 60 },
    );
  });
});
