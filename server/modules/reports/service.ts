import type { AccessLevel } from '../content/tables.js';
import { ValidationError } from '../../errors.js';
import { neutralise, toCsv } from '../../lib/csv.js';
import { appendAudit, type Actor } from '../audit/service.js';
import { findContentDocument } from '../content/queries.js';
import type { ProviderProfile } from '../content/types.js';
import { currentModel, type ModelDeps } from '../responsibility/model.js';
import { buildComponentDefinition } from './oscal.js';
import { buildSoa, soaTable } from './soa.js';

export interface SoaFile {
  body: Buffer | string;
  mediaType: string;
  fileName: string;
}

/** The Statement of Applicability as a file a certification auditor can open; who took it is on the audit log. */
export async function exportSoa(deps: ModelDeps, format: string, by: Actor): Promise<SoaFile> {
  if (format !== 'csv' && format !== 'xlsx') throw new ValidationError('format must be xlsx or csv.');
  const file = await buildSoaFile(deps, format);
  await appendAudit(deps.db, deps.clock, { ...by, action: 'soa.exported', details: { format, fileName: file.fileName } });
  return file;
}

async function buildSoaFile(deps: ModelDeps, format: 'csv' | 'xlsx'): Promise<SoaFile> {
  const model = await currentModel(deps);
  const services = model.services.map((s) => s.id);
  const { header, data } = soaTable(buildSoa(model), services);
  const stem = `statement-of-applicability-${model.today}`;
  if (format === 'csv') return { body: toCsv(header, data), mediaType: 'text/csv; charset=utf-8', fileName: `${stem}.csv` };
  const provider = await findContentDocument<ProviderProfile>(deps.db, 'provider');
  // Loaded when a workbook is asked for: it costs a second of every start otherwise.
  const { default: ExcelJS } = await import('exceljs');
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Statement of Applicability', { views: [{ state: 'frozen', ySplit: 2 }] });
  ws.addRow([`${provider?.name ?? 'Provider'}: Statement of Applicability, ISO/IEC 27001:2022 Annex A with ISO/IEC 27017 cloud controls (${model.today})`]).font = { bold: true, size: 13 };
  ws.addRow(header).font = { bold: true };
  for (const row of data) ws.addRow(row.map((v) => neutralise(v)));
  ws.columns.forEach((c, i) => {
    c.width = i === 3 ? 60 : i === 1 ? 36 : i === header.length - 1 ? 60 : 18;
    c.alignment = { wrapText: true, vertical: 'top' };
  });
  ws.autoFilter = { from: { row: 2, column: 1 }, to: { row: 2, column: header.length } };
  return { body: Buffer.from(await wb.xlsx.writeBuffer()), mediaType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', fileName: `${stem}.xlsx` };
}

/** OSCAL component definition for the given reader: evidence above their level is left out. */
export async function exportOscal(deps: ModelDeps, audience: AccessLevel) {
  const model = await currentModel(deps, audience);
  const provider = await findContentDocument<ProviderProfile>(deps.db, 'provider');
  const revision = await deps.db.selectFrom('content_revisions').select('synced_at').orderBy('id', 'desc').limit(1).executeTakeFirst();
  return buildComponentDefinition(model, { name: provider?.name ?? 'Cloud provider' }, revision ? new Date(revision.synced_at) : deps.clock.now(), deps.config.baseUrl);
}

