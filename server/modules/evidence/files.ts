import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { DbOrTx } from '../../db/database.js';
import type { DatabaseKind } from '../../db/connect.js';

/**
 * Where uploaded evidence files live. The embedded database keeps them in DATA_DIR (one process,
 * one folder); on PostgreSQL they are rows, so every instance serves what any instance took in,
 * and `evident backup` carries them with the tables.
 */
export function uploadedEvidencePath(dataDir: string, sha256: string): string {
  return path.join(dataDir, 'uploads', 'evidence', sha256);
}

/** Embedded database: written before the transaction, so a crash leaves at most an unreferenced file. */
export function writeEvidenceFileToFolder(dataDir: string, sha256: string, data: Buffer): void {
  const target = uploadedEvidencePath(dataDir, sha256);
  mkdirSync(path.dirname(target), { recursive: true });
  const partial = `${target}.${process.pid}.part`;
  writeFileSync(partial, data);
  renameSync(partial, target);
}

/** PostgreSQL: inside the transaction that records the version, so the row and the file exist together. */
export async function writeEvidenceFileRow(tx: DbOrTx, sha256: string, data: Buffer, at: Date): Promise<void> {
  await tx.insertInto('evidence_files').values({ sha256, data, size: data.length, created_at: at }).onConflict((oc) => oc.column('sha256').doNothing()).execute();
}

export function storesEvidenceInRows(kind: DatabaseKind): boolean {
  return kind === 'postgres';
}

/**
 * An uploaded file's bytes: from its row if there is one, else from DATA_DIR (files written by
 * the embedded database, or restored from its backups, stay readable after moving to PostgreSQL).
 */
export async function readUploadedEvidence(db: DbOrTx, dataDir: string, sha256: string): Promise<Buffer> {
  const row = await db.selectFrom('evidence_files').select('data').where('sha256', '=', sha256).executeTakeFirst();
  if (row) return Buffer.from(row.data);
  return readFile(uploadedEvidencePath(dataDir, sha256));
}
