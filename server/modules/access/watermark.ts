import { degrees, PDFDocument, rgb, StandardFonts } from 'pdf-lib';

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
  for (const page of pdf.getPages()) {
    const { width, height } = page.getSize();
    page.drawText(line, { x: 24, y: 14, size: 7, font, color: rgb(0.35, 0.35, 0.35) });
    page.drawText(line, { x: 24, y: height - 18, size: 7, font, color: rgb(0.35, 0.35, 0.35) });
    const size = Math.min(36, (Math.hypot(width, height) * 0.8) / Math.max(1, big.length) / 0.5);
    page.drawText(big, { x: width * 0.12, y: height * 0.2, size, font, color: rgb(0.6, 0.6, 0.6), opacity: 0.25, rotate: degrees(Math.atan2(height, width) * (180 / Math.PI)) });
  }
  pdf.setSubject(winAnsi(`Provided under NDA to ${recipient.name}, ${recipient.company}, grant ${recipient.grantId}`));
  return pdf.save({ useObjectStreams: false });
}
