import { inflateSync } from 'node:zlib';
import { PDFArray, PDFDocument, PDFName, PDFRawStream, StandardFonts } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { watermarkPdf } from '../../../server/modules/access/watermark.js';

const recipient = { name: 'Pat Buyer', email: 'pat@contoso.example', company: 'Contoso Bank', date: '2026-11-28', grantId: 'g-123' };

async function original(): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  for (const n of [1, 2]) pdf.addPage([600, 800]).drawText(`Audit finding page ${n}`, { x: 50, y: 700, size: 12, font });
  return pdf.save({ useObjectStreams: false });
}

/** Every content stream of a page, inflated, as text. */
function streamsOf(pdf: PDFDocument, pageIndex: number): string[] {
  const contents = pdf.getPage(pageIndex).node.get(PDFName.of('Contents'));
  const refs = contents instanceof PDFArray ? contents.asArray() : [contents];
  return refs.map((ref) => {
    const stream = pdf.context.lookup(ref as never) as PDFRawStream;
    return inflateSync(Buffer.from(stream.getContents())).toString('latin1');
  });
}

const hexText = (s: string) => [...s.matchAll(/<([0-9A-Fa-f]+)>\s*Tj/g)].map((m) => Buffer.from(m[1], 'hex').toString('latin1')).join('\n');

describe('the watermark', () => {
  it('lives in the same single stream as the page content, so it cannot be deleted as a stream of its own', async () => {
    const marked = await PDFDocument.load(await watermarkPdf(await original(), recipient));
    for (const page of [0, 1]) {
      const streams = streamsOf(marked, page);
      expect(streams).toHaveLength(1);
      const text = hexText(streams[0]);
      expect(text).toContain(`Audit finding page ${page + 1}`);
      expect(text).toContain('Pat Buyer <pat@contoso.example>, Contoso Bank');
      expect(text).toContain('g-123');
    }
  });

  it('leaves no unmarked copy of a page in the file', async () => {
    const bytes = Buffer.from(await watermarkPdf(await original(), recipient));
    const inflated = [...bytes.toString('latin1').matchAll(/stream\r?\n([\s\S]*?)\r?\nendstream/g)].map((m) => {
      try {
        return inflateSync(Buffer.from(m[1], 'latin1')).toString('latin1');
      } catch {
        return m[1];
      }
    });
    const withPage = inflated.filter((s) => hexText(s).includes('Audit finding page 1'));
    expect(withPage).toHaveLength(1);
    expect(hexText(withPage[0])).toContain('Pat Buyer');
  });
});
