import type { DbOrTx } from '../../db/database.js';
import { listEvidence, type EvidenceRecord } from '../evidence/queries.js';

/** Restricted documents with a file: what a visitor may ask for. */
export async function findRequestableDocuments(db: DbOrTx, ids?: string[]): Promise<EvidenceRecord[]> {
  return (await listEvidence(db, { access: ['nda'], ids })).filter((e) => e.fileName !== null);
}

export async function countRecentRequestsByEmail(db: DbOrTx, email: string, since: Date): Promise<number> {
  const row = await db
    .selectFrom('access_requests')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
    .where('created_at', '>=', since)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function findRequest(db: DbOrTx, id: string) {
  return db.selectFrom('access_requests').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listRequests(db: DbOrTx) {
  return db.selectFrom('access_requests').selectAll().orderBy('created_at', 'desc').limit(500).execute();
}

export async function findGrantByTokenHash(db: DbOrTx, tokenHash: string) {
  return db.selectFrom('access_grants').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
}

export async function findGrant(db: DbOrTx, id: string) {
  return db.selectFrom('access_grants').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listGrants(db: DbOrTx, requestId?: string) {
  let query = db
    .selectFrom('access_grants')
    .innerJoin('access_requests', 'access_requests.id', 'access_grants.request_id')
    .select(['access_grants.id', 'access_grants.request_id', 'access_grants.document_ids', 'access_grants.expires_at', 'access_grants.revoked_at', 'access_grants.revoked_by', 'access_grants.created_at', 'access_requests.name', 'access_requests.email', 'access_requests.company']);
  if (requestId) query = query.where('access_grants.request_id', '=', requestId);
  return query.orderBy('access_grants.created_at', 'desc').execute();
}

export async function findAcceptance(db: DbOrTx, grantId: string, version: string, sha256: string) {
  return db.selectFrom('nda_acceptances').selectAll().where('grant_id', '=', grantId).where('nda_version', '=', version).where('nda_sha256', '=', sha256).executeTakeFirst();
}

export async function listAcceptances(db: DbOrTx, grantIds: string[]) {
  if (!grantIds.length) return [];
  return db.selectFrom('nda_acceptances').selectAll().where('grant_id', 'in', grantIds).orderBy('accepted_at').execute();
}

export async function listDownloads(db: DbOrTx, grantIds: string[]) {
  if (!grantIds.length) return [];
  return db.selectFrom('document_downloads').selectAll().where('grant_id', 'in', grantIds).orderBy('downloaded_at').execute();
}

export async function staffRecipients(db: DbOrTx): Promise<string[]> {
  const rows = await db.selectFrom('staff_users').select('email').where('disabled_at', 'is', null).where('role', 'in', ['admin', 'editor']).execute();
  return rows.map((r) => r.email);
}

/** Downloads of one grant since a moment, oldest first: what the hourly allowance counts. */
export async function listDownloadTimesSince(db: DbOrTx, grantId: string, since: Date): Promise<Date[]> {
  const rows = await db.selectFrom('document_downloads').select('downloaded_at').where('grant_id', '=', grantId).where('downloaded_at', '>', since).orderBy('downloaded_at').execute();
  return rows.map((r) => r.downloaded_at);
}

/** The restricted files of a grant, in the order the register lists them. */
export async function findGrantedFiles(db: DbOrTx, ids: string[]): Promise<EvidenceRecord[]> {
  return (await listEvidence(db, { access: ['nda'], ids })).filter((e) => e.mediaType === 'application/pdf');
}
