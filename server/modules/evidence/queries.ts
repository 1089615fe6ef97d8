import type { Selectable } from 'kysely';
import type { DbOrTx } from '../../db/database.js';
import type { AccessLevel, EvidenceTable } from '../content/tables.js';
import type { EvidenceRecord } from './types.js';

export type { EvidenceRecord };


export function toEvidence(e: Selectable<EvidenceTable>): EvidenceRecord {
  return {
    id: e.id,
    title: e.title,
    summary: e.summary,
    kind: e.kind,
    owner: e.owner,
    source: e.source,
    issued: e.issued_on,
    periodStart: e.period_start,
    periodEnd: e.period_end,
    version: e.version,
    approver: e.approver,
    redistribution: e.redistribution,
    collected: e.collected_on,
    reviewBy: e.review_by,
    controls: e.control_ids,
    access: e.access,
    fileName: e.file_name,
    mediaType: e.media_type,
    size: e.size,
    sha256: e.sha256,
    storage: e.storage,
    editedBy: e.edited_by,
    editedAt: e.edited_at,
  };
}

/** The register in content order; `access` and `ids` narrow it. */
export async function listEvidence(db: DbOrTx, filter: { access?: AccessLevel[]; ids?: string[] } = {}): Promise<EvidenceRecord[]> {
  if (filter.ids?.length === 0 || filter.access?.length === 0) return [];
  let query = db.selectFrom('evidence').selectAll();
  if (filter.access) query = query.where('access', 'in', filter.access);
  if (filter.ids) query = query.where('id', 'in', filter.ids);
  const rows = await query.orderBy('position').orderBy('id').execute();
  return rows.map(toEvidence);
}

export async function findEvidence(db: DbOrTx, id: string): Promise<EvidenceRecord | undefined> {
  const row = await db.selectFrom('evidence').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toEvidence(row);
}

export async function listEvidenceVersions(db: DbOrTx, evidenceId: string) {
  return db.selectFrom('evidence_versions').selectAll().where('evidence_id', '=', evidenceId).orderBy('version', 'desc').execute();
}
