import ExcelJS from 'exceljs';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliAsync } from '../helpers/cli.js';
import { cliDatabase } from '../helpers/cli-database.js';
import { minimalContentDir } from '../helpers/content-fixture.js';

let db: Awaited<ReturnType<typeof cliDatabase>>;
let env: Record<string, string>;
beforeAll(async () => {
  db = await cliDatabase();
  env = { ...db.env, CONTENT_DIR: minimalContentDir, EVIDENT_NOW: '2026-11-28' };
});
afterAll(async () => db.cleanup());

describe('evident export', () => {
  it('writes the Statement of Applicability as CSV to stdout and as XLSX to a file, on a fresh database', async () => {
    const csv = await runCliAsync(['export', 'soa', '--format', 'csv'], env);
    expect(csv.status, csv.stderr).toBe(0);
    const lines = csv.stdout.trim().split('\r\n');
    expect(lines[0]).toMatch(/^control,title,applicable,justification,status,responsibility: vm,responsibility: db,/);
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(['iso27002:8.13', 'iso27002:8.24']);

    const out = path.join(env.DATA_DIR, 'soa.xlsx');
    const xlsx = await runCliAsync(['export', 'soa', '--format', 'xlsx', '--out', out], env);
    expect(xlsx.status, xlsx.stderr).toBe(0);
    expect(xlsx.stderr).toContain(`written to ${out}`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(readFileSync(out) as never);
    expect(wb.getWorksheet('Statement of Applicability')!.getRow(3).getCell(1).value).toBe('iso27002:8.13');

    const bad = await runCliAsync(['export', 'soa', '--format', 'pdf'], env);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/argument 'pdf' is invalid\. Allowed choices are xlsx, csv/);
  });

  it('writes the OSCAL component definition', async () => {
    const res = await runCliAsync(['export', 'oscal'], env);
    expect(res.status, res.stderr).toBe(0);
    const doc = JSON.parse(res.stdout);
    expect(doc['component-definition'].metadata['oscal-version']).toBe('1.0.6');
    expect(doc['component-definition'].components.map((c: { title: string }) => c.title)).toEqual(['Acme VMs', 'Acme DB']);
  });
});
