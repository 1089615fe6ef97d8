import ExcelJS from 'exceljs';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { projectRoot } from '../../server/config.js';
import { runCliAsync } from '../helpers/cli.js';
import { cliDatabase } from '../helpers/cli-database.js';
import { buildCaiqWorkbook, CAIQ_OWNERSHIP_WORDS } from '../helpers/workbooks.js';

let db: Awaited<ReturnType<typeof cliDatabase>>;
let env: Record<string, string>;
beforeAll(async () => {
  db = await cliDatabase();
  env = { ...db.env, EVIDENT_NOW: '2026-11-28' };
});
afterAll(async () => db.cleanup());

/** The demo matrix's customer texts for one service, straight from the content files. */
function customerTexts(service: string): string[] {
  const dir = path.join(projectRoot, 'content', 'responsibility');
  const entries = readdirSync(dir).flatMap((f) => parse(readFileSync(path.join(dir, f), 'utf8')) as { services?: Record<string, { customer?: string }> }[]);
  return entries.map((e) => e.services?.[service]?.customer?.trim()).filter((t): t is string => Boolean(t));
}

describe('evident answer', () => {
  it("fills a CAIQ workbook like the web export: ownership in the list's words, the customer's duties for the service", async () => {
    const input = path.join(env.DATA_DIR, 'caiq.xlsx');
    const out = path.join(env.DATA_DIR, 'caiq-answered.xlsx');
    writeFileSync(input, await buildCaiqWorkbook());
    const res = await runCliAsync(['answer', input, '--service', 'compute', '--format', 'xlsx', '--out', out], env);
    expect(res.status, res.stderr).toBe(0);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(readFileSync(out) as never);
    const sheet = wb.getWorksheet('CAIQ')!;
    const duties = customerTexts('compute');
    const cell = (ref: string) => String(sheet.getCell(ref).value ?? '');
    const rows = [2, 3, 4, 5, 6, 7];
    const owned = rows.filter((r) => cell(`E${r}`));
    const withDuty = rows.filter((r) => cell(`F${r}`));
    expect(owned.length).toBeGreaterThan(0);
    expect(withDuty.length).toBeGreaterThan(0);
    for (const r of owned) expect(CAIQ_OWNERSHIP_WORDS).toContain(cell(`E${r}`));
    // Only rows that go out with an answer carry a duty, and it is the matrix's text for this service.
    for (const r of withDuty) {
      expect(cell(`D${r}`), `row ${r}`).not.toBe('');
      expect(duties.some((d) => cell(`F${r}`).startsWith(d)), cell(`F${r}`)).toBe(true);
    }
    // The off-topic question goes out blank, in every column.
    expect([cell('C7'), cell('D7'), cell('E7'), cell('F7')]).toEqual(['', '', '', '']);
  });
});
