import { decodePDFRawStream, degrees, PDFArray, PDFDocument, PDFFlateStream, PDFName, PDFRawStream, PDFRef, type PDFPage, rgb, StandardFonts } from 'pdf-lib';

export interface Recipient {
  name: string;
  email: string;
  company: string;
  date: string;
  grantId: string;
}

/** The standard PDF fonts speak Windows-1252; anything else becomes "?" rather than failing. */
function winAnsi(text: string): string {
  return [...text].map((ch) => (/[\u0020-\u007e\u00a0-\u00ff]/.test(ch) ? ch : '?')).join('');
}

/**
 * Marks every page with who received the copy, so a leaked copy names its source. The original
 * is untouched; its hash is kept beside each download for verification.
 */
export async function watermarkPdf(original: Uint8Array, recipient: Recipient): Promise<Uint8Array> {
  const pdf = await PDFDocument.load(original, { updateMetadata: false });
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const line = winAnsi(`Confidential - provided to ${recipient.name} <${recipient.email}>, ${recipient.company} - ${recipient.date} - grant ${recipient.grantId}`);
  const big = winAnsi(`${recipient.name} - ${recipient.company}`);
  const replaced: PDFRef[] = [];
  for (const page of pdf.getPages()) {
    const { width, height } = page.getSize();
    page.drawText(line, { x: 24, y: 14, size: 7, font, color: rgb(0.35, 0.35, 0.35) });
    page.drawText(line, { x: 24, y: height - 18, size: 7, font, color: rgb(0.35, 0.35, 0.35) });
    const size = Math.min(36, (Math.hypot(width, height) * 0.8) / Math.max(1, big.length) / 0.5);
    page.drawText(big, { x: width * 0.12, y: height * 0.2, size, font, color: rgb(0.6, 0.6, 0.6), opacity: 0.25, rotate: degrees(Math.atan2(height, width) * (180 / Math.PI)) });
    replaced.push(...mergeContentStreams(pdf, page));
  }
  // Pages may share a stream: drop the originals only once every page has its merged copy.
  for (const ref of new Set(replaced)) pdf.context.delete(ref);
  pdf.setSubject(winAnsi(`Provided under NDA to ${recipient.name}, ${recipient.company}, grant ${recipient.grantId}`));
  return pdf.save({ useObjectStreams: false });
}

/**
 * pdf-lib draws into a content stream of its own, which anyone can delete to get a clean copy.
 * Each page's streams become one compressed stream (marks and page content together), and the
 * separate originals are dropped from the file so they cannot be put back.
 */
function mergeContentStreams(pdf: PDFDocument, page: PDFPage): PDFRef[] {
  const contents = page.node.get(PDFName.of('Contents'));
  const refs = contents instanceof PDFArray ? contents.asArray() : contents ? [contents] : [];
  const parts: Uint8Array[] = [];
  for (const ref of refs) {
    const stream = ref instanceof PDFRef ? pdf.context.lookup(ref) : ref;
    // Streams read from the file are raw; the ones pdf-lib just drew are still unencoded operators.
    if (stream instanceof PDFRawStream) parts.push(decodePDFRawStream(stream).decode(), new Uint8Array([0x0a]));
    else if (stream instanceof PDFFlateStream) parts.push(stream.getUnencodedContents(), new Uint8Array([0x0a]));
    else return []; // an unusual page: leave it as drawn
  }
  const joined = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) joined.set(part, at), (at += part.length);
  const merged = pdf.context.register(pdf.context.flateStream(joined));
  page.node.set(PDFName.of('Contents'), merged);
  return refs.filter((ref): ref is PDFRef => ref instanceof PDFRef);
}
