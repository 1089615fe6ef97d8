import { controlRefResolver } from './control-refs.js';
import type { Kysely, Transaction } from 'kysely';
import type { DbOrTx } from '../../db/database.js';
import type { Row } from './rows.js';

// Sync writes to many tables through one code path; the table name is data here, so this
// layer works on an untyped view of the same database.
type Untyped = Kysely<any> | Transaction<any>;

export interface ExistingRow {
  id: string;
  content_hash: string;
  edited_at: Date | null;
}

export async function listSyncState(db: Untyped, table: string): Promise<ExistingRow[]> {
  return db.selectFrom(table).select(['id', 'content_hash', 'edited_at']).execute();
}

export async function insertRows(db: Untyped, table: string, rows: Row[], now: Date): Promise<void> {
  for (let i = 0; i < rows.length; i += 200) {
    const chunk = rows.slice(i, i + 200).map((r) => ({ ...r, synced_at: now }));
    await db.insertInto(table).values(chunk).execute();
  }
}

export async function replaceRow(db: Untyped, table: string, row: Row, now: Date): Promise<void> {
  const { id, ...columns } = row;
  await db
    .updateTable(table)
    .set({ ...columns, edited_at: null, edited_by: null, synced_at: now })
    .where('id', '=', id)
    .execute();
}

/** Accepts the database's (staff) version as settled against this content version. */
export async function acceptDatabaseVersion(db: Untyped, table: string, id: string, contentHash: string): Promise<void> {
  await db.updateTable(table).set({ content_hash: contentHash }).where('id', '=', id).execute();
}

export async function deleteRows(db: Untyped, table: string, ids: string[]): Promise<void> {
  if (ids.length) await db.deleteFrom(table).where('id', 'in', ids).execute();
}

export async function insertRevision(
  db: DbOrTx,
  revision: { hash: string; at: Date; counts: Record<string, number>; changes: Record<string, number>; conflicts: string[] },
): Promise<number> {
  const inserted = await db
    .insertInto('content_revisions')
    .values({
      hash: revision.hash,
      synced_at: revision.at,
      counts: JSON.stringify(revision.counts),
      changes: JSON.stringify(revision.changes),
      conflicts: JSON.stringify(revision.conflicts),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return inserted.id;
}

/** Canonical control ids for a reference as people write it (see control-refs.ts). */
export async function resolveControlRef(db: DbOrTx, ref: string): Promise<string[]> {
  const [controls, mappings] = await Promise.all([db.selectFrom('controls').select('id').execute(), listControlMappings(db)]);
  return controlRefResolver(controls.map((c) => c.id), mappings).resolve(ref);
}

export async function listControlMappings(db: DbOrTx): Promise<{ from: string; to: string[] }[]> {
  return (await db.selectFrom('control_mappings').select(['id', 'to_refs']).execute()).map((m) => ({ from: m.id, to: m.to_refs }));
}

export async function findLatestRevision(db: DbOrTx) {
  return db.selectFrom('content_revisions').selectAll().orderBy('id', 'desc').limit(1).executeTakeFirst();
}

export async function findContentDocument<T>(db: DbOrTx, id: string): Promise<T | null> {
  const row = await db.selectFrom('content_documents').select('data').where('id', '=', id).executeTakeFirst();
  return (row?.data as T | undefined) ?? null;
}

export async function findLatestEvidenceVersion(db: DbOrTx, evidenceId: string) {
  return db
    .selectFrom('evidence_versions')
    .selectAll()
    .where('evidence_id', '=', evidenceId)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function insertEvidenceVersion(
  db: DbOrTx,
  version: { evidenceId: string; version: number; origin: 'content' | 'upload'; fileName: string; mediaType: string; size: number; sha256: string; storageKey: string; createdBy: string | null; at: Date },
): Promise<void> {
  await db
    .insertInto('evidence_versions')
    .values({
      evidence_id: version.evidenceId,
      version: version.version,
      origin: version.origin,
      file_name: version.fileName,
      media_type: version.mediaType,
      size: version.size,
      sha256: version.sha256,
      storage_key: version.storageKey,
      created_by: version.createdBy,
      created_at: version.at,
    })
    .execute();
}

export async function findSyncFingerprint(db: DbOrTx): Promise<string | null> {
  return (await db.selectFrom('content_sync_state').select('fingerprint').where('id', '=', 1).executeTakeFirst())?.fingerprint ?? null;
}

export async function recordSyncFingerprint(db: DbOrTx, fingerprint: string, at: Date): Promise<void> {
  await db
    .insertInto('content_sync_state')
    .values({ id: 1, fingerprint, synced_at: at })
    .onConflict((oc) => oc.column('id').doUpdateSet({ fingerprint, synced_at: at }))
    .execute();
}
