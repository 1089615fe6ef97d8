import path from 'node:path';
import { today } from '../../clock.js';
import { NotFoundError, UnsupportedMediaTypeError, ValidationError } from '../../errors.js';
import { knowledgeChanged } from '../../lib/knowledge-version.js';
import { appendAudit, type Actor } from '../audit/service.js';
import { mediaTypeOf, sha256Of } from '../content/files.js';
import { findLatestEvidenceVersion, insertEvidenceVersion } from '../content/queries.js';
import type { ModelDeps } from '../responsibility/model.js';
import { storesEvidenceInRows, writeEvidenceFileRow, writeEvidenceFileToFolder } from './files.js';
import { findEvidence } from './queries.js';

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
  if (!(await findEvidence(deps.db, evidenceId))) throw new NotFoundError(`No evidence "${evidenceId}".`);
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
