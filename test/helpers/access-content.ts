import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { afterAll, beforeAll } from 'vitest';
import { createTestApp, type TestApp } from './app.js';
import { copyContent } from './content-fixture.js';

export const NDA_TITLE = 'SOC 2 Type II Report (test)';
export const INTERNAL_TITLE = 'Break-glass runbook (internal test)';

async function pdf(text: string, pages = 2): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let i = 0; i < pages; i++) doc.addPage([595, 842]).drawText(`${text} page ${i + 1}`, { x: 50, y: 780, size: 14, font });
  doc.setCreationDate(new Date('2026-01-01T00:00:00Z'));
  doc.setModificationDate(new Date('2026-01-01T00:00:00Z'));
  return Buffer.from(await doc.save());
}

/** The minimal content plus an NDA-level PDF report and an internal document. */
export async function accessContent(): Promise<ReturnType<typeof copyContent>> {
  const copy = copyContent();
  const files = path.join(copy.dir, 'evidence', 'files');
  mkdirSync(files, { recursive: true });
  const report = await pdf('SOC 2 report body');
  const internal = await pdf('internal runbook', 1);
  writeFileSync(path.join(files, 'soc2.pdf'), report);
  writeFileSync(path.join(files, 'runbook.pdf'), internal);
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  appendFileSync(
    path.join(copy.dir, 'evidence', 'register.yaml'),
    `  - id: ev-soc2
    title: ${NDA_TITLE}
    summary: Auditor's report on the controls.
    kind: report
    owner: Compliance Office
    source: Auditor portal
    collected: -30d
    reviewBy: +300d
    controls: [iso27002:8.13]
    access: nda
    file: soc2.pdf
    sha256: ${sha(report)}
  - id: ev-runbook
    title: ${INTERNAL_TITLE}
    summary: Internal only.
    kind: procedure
    owner: Security Engineering
    source: Wiki
    collected: -30d
    reviewBy: +300d
    controls: [iso27002:8.24]
    access: internal
    file: runbook.pdf
    sha256: ${sha(internal)}
`,
  );
  return copy;
}

/**
 * A test file's app over the access content: built before its tests, closed and removed after.
 * Read `t` and `content` inside tests (they are set once the file's `beforeAll` has run).
 */
export function appOverAccessContent(): { readonly t: TestApp; readonly content: Awaited<ReturnType<typeof accessContent>> } {
  const state = {} as { t: TestApp; content: Awaited<ReturnType<typeof accessContent>> };
  beforeAll(async () => {
    state.content = await accessContent();
    state.t = await createTestApp({ contentDir: state.content.dir });
  });
  afterAll(async () => {
    await state.t?.close();
    state.content?.remove();
  });
  return state;
}
