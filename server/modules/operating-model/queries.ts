import type { DbOrTx } from '../../db/database.js';

export async function listEvidenceVersions(db: DbOrTx, evidenceId: string) {
  return db.selectFrom('evidence_versions').selectAll().where('evidence_id', '=', evidenceId).orderBy('version', 'desc').execute();
}
