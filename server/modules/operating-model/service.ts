import type { Kysely } from 'kysely';
import path from 'node:path';
import { today, type Clock } from '../../clock.js';
import type { Config } from '../../config.js';
import type { Database } from '../../db/database.js';
import type { DatabaseKind } from '../../db/connect.js';
import { storesEvidenceInRows, writeEvidenceFileRow, writeEvidenceFileToFolder } from '../evidence/files.js';
import { NotFoundError, UnsupportedMediaTypeError, ValidationError } from '../../errors.js';
import { appendAudit, type Actor } from '../audit/service.js';
import { neutralise, toCsv } from '../../lib/csv.js';
import { mediaTypeOf, sha256Of } from '../content/files.js';
import { findContentDocument, findLatestEvidenceVersion, insertEvidenceVersion } from '../content/queries.js';
import type { ProviderProfile } from '../content/types.js';
import type { AccessLevel } from '../content/tables.js';
import { knowledgeChanged } from '../../lib/knowledge-version.js';
import { loadModel, visibleModel, type OperatingModel } from './model.js';
import { buildComponentDefinition } from './oscal.js';
import { buildSoa, soaTable } from './soa.js';

export interface ModelDeps {
  db: Kysely<Database>;
  clock: Clock;
  config: Config;
  /** Where uploaded evidence files go (rows on PostgreSQL); absent: the embedded database's folder. */
  databaseKind?: DatabaseKind;
}

export async function currentModel(deps: ModelDeps, audience: AccessLevel = 'internal'): Promise<OperatingModel> {
  const model = await loadModel(deps.db, today(deps.clock), deps.config.expiringWithinDays);
  return audience === 'internal' ? model : visibleModel(model, audience);
}

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

/** File kinds an evidence version may have; anything else is refused rather than stored blind. */
const signatures: Record<string, (data: Buffer) => boolean> = {
  'application/pdf': (d) => d.subarray(0, 5).toString('latin1') === '%PDF-',
  'image/png': (d) => d.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  'image/jpeg': (d) => d[0] === 0xff && d[1] === 0xd8,
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': (d) => d.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04])),
  'text/csv': isText,
  'text/plain': isText,
  'text/markdown': isText,
  'application/json': (d) => isText(d) && isJson(d),
};

function isText(data: Buffer): boolean {
  return !data.subarray(0, 8192).includes(0);
}

function isJson(data: Buffer): boolean {
  try {
    JSON.parse(data.toString('utf8'));
    return true;
  } catch {
    return false;
  }
}

export function checkEvidenceFile(fileName: string, data: Buffer): string {
  const mediaType = mediaTypeOf(fileName);
  const check = signatures[mediaType];
  if (!check) throw new UnsupportedMediaTypeError(`Evidence files may be PDF, PNG, JPEG, XLSX, CSV, text, Markdown or JSON; "${fileName}" is none of these.`);
  if (data.length === 0) throw new ValidationError('The file is empty.');
  if (!check(data)) throw new UnsupportedMediaTypeError(`"${fileName}" does not look like a ${mediaType} file: its contents do not match its name.`);
  return mediaType;
}

/**
 * A staff upload becomes the next version of the artifact and wins over the content file until
 * that file changes (the sync then reports the conflict). Files are stored by hash, written
 * before the transaction, so a crash leaves at most an unreferenced file, never a row without one.
 */
export async function uploadEvidenceVersion(deps: ModelDeps, evidenceId: string, file: { fileName: string; data: Buffer }, by: Actor, reviewBy?: string) {
  if (reviewBy !== undefined && (!/^\d{4}-\d{2}-\d{2}$/.test(reviewBy) || Number.isNaN(Date.parse(reviewBy)) || reviewBy <= today(deps.clock))) {
    throw new ValidationError('The review-by date must be a date after today, written YYYY-MM-DD.');
  }
  const mediaType = checkEvidenceFile(file.fileName, file.data);
  if (!(await deps.db.selectFrom('evidence').select('id').where('id', '=', evidenceId).executeTakeFirst())) throw new NotFoundError(`No evidence "${evidenceId}".`);
  const sha256 = sha256Of(file.data);
  const inRows = storesEvidenceInRows(deps.databaseKind ?? 'pglite');
  if (!inRows) writeEvidenceFileToFolder(deps.config.dataDir, sha256, file.data);
  const fileName = path.basename(file.fileName).replace(/[^\p{L}\p{N}._ -]/gu, '_').slice(0, 200);
  const now = deps.clock.now();
  const result = await deps.db.transaction().execute(async (tx) => {
    const current = await tx.selectFrom('evidence').select(['id', 'sha256']).where('id', '=', evidenceId).forUpdate().executeTakeFirst();
    if (!current) throw new NotFoundError(`No evidence "${evidenceId}".`);
    if (current.sha256 === sha256) throw new ValidationError('This file is identical to the current version; nothing changed.');
    if (inRows) await writeEvidenceFileRow(tx, sha256, file.data, now);
    const latest = await findLatestEvidenceVersion(tx, evidenceId);
    const version = (latest?.version ?? 0) + 1;
    await insertEvidenceVersion(tx, { evidenceId, version, origin: 'upload', fileName, mediaType, size: file.data.length, sha256, storageKey: `upload:${sha256}`, createdBy: by.actor, at: now });
    await tx
      .updateTable('evidence')
      .set({ storage: 'upload', file_name: fileName, media_type: mediaType, size: file.data.length, sha256, collected_on: today(deps.clock), ...(reviewBy ? { review_by: reviewBy } : {}), edited_by: by.actor, edited_at: now })
      .where('id', '=', evidenceId)
      .execute();
    await appendAudit(tx, deps.clock, { ...by, action: 'evidence.version_uploaded', subject: `evidence:${evidenceId}`, details: { version, fileName, sha256, size: file.data.length, previousSha256: current.sha256, reviewBy: reviewBy ?? null } });
    return { version, sha256, size: file.data.length, mediaType };
  });
  knowledgeChanged(deps.db);
  return result;
}
