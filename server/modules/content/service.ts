import { knowledgeChanged } from '../../lib/knowledge-version.js';
import type { Kysely } from 'kysely';
import type { Clock } from '../../clock.js';
import { today } from '../../clock.js';
import type { Database } from '../../db/database.js';
import { faultPoint } from '../../lib/fault.js';
import { contentFingerprint } from './fingerprint.js';
import { sha256Of } from './files.js';
import { loadContent } from './loader.js';
import {
  acceptDatabaseVersion,
  deleteRows,
  findLatestEvidenceVersion,
  insertEvidenceVersion,
  insertRevision,
  insertRows,
  findLatestRevision,
  findSyncFingerprint,
  listSyncState,
  recordSyncFingerprint,
  replaceRow,
} from './queries.js';
import { checkConsistency } from './consistency.js';
import { checkReferences } from './references.js';
import { buildRows, type Row } from './rows.js';
import type { ContentBundle, Problem } from './types.js';

export type Prefer = 'content' | 'database';

export interface SyncReport {
  revision: number | null;
  hash: string;
  counts: Record<string, number>;
  changes: { inserted: number; updated: number; deleted: number; unchanged: number };
  conflicts: string[];
  /** Changes a person should know about that needed no decision (e.g. a content file replaced an upload). */
  notices: string[];
  problems: Problem[];
}

export class ContentInvalidError extends Error {
  constructor(readonly problems: Problem[]) {
    const errors = problems.filter((p) => p.level === 'error');
    super(`content has ${errors.length} error(s); first: ${errors[0] ? formatProblem(errors[0]) : ''}`);
  }
}

export function formatProblem(p: Problem): string {
  return `${p.file}:${p.line}: ${p.level}: ${p.message}`;
}

export interface CheckResult {
  bundle: ContentBundle;
  problems: Problem[];
}

/** Validates content/ without touching the database. */
export function checkContent(contentDir: string, clock: Clock, expiringWithinDays = 30): CheckResult {
  const day = today(clock);
  const { bundle, problems } = loadContent(contentDir, day);
  const all = [...problems, ...checkReferences(bundle, { contentDir, today: day, expiringWithinDays }), ...checkConsistency(bundle)];
  all.sort((a, b) => (a.file === b.file ? a.line - b.line : a.file < b.file ? -1 : 1));
  return { bundle, problems: all };
}

/**
 * Upserts content/ into the database by stable id, in one transaction. An item staff edited
 * since the last sync is never overwritten silently: it is reported as a conflict and kept,
 * unless `prefer` settles it. A revision is recorded whenever anything changed.
 */
export async function syncContent(
  db: Kysely<Database>,
  contentDir: string,
  clock: Clock,
  options: { prefer?: Prefer; expiringWithinDays?: number; skipIfUnchanged?: boolean } = {},
): Promise<SyncReport> {
  const fingerprint = contentFingerprint(contentDir, today(clock), { expiringWithinDays: options.expiringWithinDays ?? null });
  if (options.skipIfUnchanged && !options.prefer) {
    const skipped = await unchangedSince(db, fingerprint);
    if (skipped) return skipped;
  }
  const { bundle, problems } = checkContent(contentDir, clock, options.expiringWithinDays);
  if (problems.some((p) => p.level === 'error')) throw new ContentInvalidError(problems);
  const tables = buildRows(bundle, contentDir);
  const now = clock.now();
  const hash = sha256Of(tables.map((t) => `${t.table}:${t.rows.map((r) => r.content_hash).join(',')}`).join('\n'));
  const counts = Object.fromEntries(tables.map((t) => [t.table, t.rows.length]));

  const report = await db.transaction().execute(async (tx) => {
    const changes = { inserted: 0, updated: 0, deleted: 0, unchanged: 0 };
    const conflicts: string[] = [];
    const notices: string[] = [];
    for (const { table, rows } of tables) {
      const result = await syncTable(tx as unknown as Kysely<any>, table, rows, now, options.prefer);
      changes.inserted += result.inserted.length;
      changes.updated += result.updated.length + result.refreshed.length;
      changes.deleted += result.deleted;
      changes.unchanged += result.unchanged;
      conflicts.push(...result.conflicts);
      notices.push(...result.notices);
      if (table === 'evidence') await recordEvidenceVersions(tx, rows, [...result.inserted, ...result.updated], now);
      if (table === 'responsibilities') await faultPoint('content-sync');
    }
    const changed = changes.inserted + changes.updated + changes.deleted > 0;
    const revision = changed || conflicts.length ? await insertRevision(tx, { hash, at: now, counts, changes, conflicts }) : null;
    await recordSyncFingerprint(tx, fingerprint, now);
    return { revision, hash, counts, changes, conflicts, notices, problems };
  });
  knowledgeChanged(db);
  return report;
}

/**
 * A restart with the same content, day and code: the last sync's result stands, so neither the
 * check nor the comparison runs again (they are most of a start's time).
 */
async function unchangedSince(db: Kysely<Database>, fingerprint: string): Promise<SyncReport | null> {
  if ((await findSyncFingerprint(db)) !== fingerprint) return null;
  const latest = await findLatestRevision(db);
  return {
    revision: null,
    hash: latest?.hash ?? '',
    counts: {},
    changes: { inserted: 0, updated: 0, deleted: 0, unchanged: 0 },
    conflicts: [],
    notices: [],
    problems: [],
  };
}

interface TableResult {
  inserted: string[];
  updated: string[];
  deleted: number;
  unchanged: number;
  conflicts: string[];
  notices: string[];
  /** Rows whose metadata changed while their staff-uploaded file stays. */
  refreshed: string[];
}

async function syncTable(tx: Kysely<any>, table: string, rows: Row[], now: Date, prefer?: Prefer): Promise<TableResult> {
  const existing = new Map((await listSyncState(tx, table)).map((r) => [r.id, r]));
  const result: TableResult = { inserted: [], updated: [], deleted: 0, unchanged: 0, conflicts: [], notices: [], refreshed: [] };
  const fresh: Row[] = [];
  for (const row of rows) {
    const current = existing.get(row.id);
    existing.delete(row.id);
    if (!current) {
      fresh.push(row);
      result.inserted.push(row.id);
    } else if (current.content_hash === row.content_hash) {
      result.unchanged++;
    } else if (table === 'evidence' && current.edited_at && !prefer) {
      await syncUploadedEvidence(tx, row, now, result);
    } else if (current.edited_at && prefer !== 'content') {
      if (prefer === 'database') await acceptDatabaseVersion(tx, table, row.id, String(row.content_hash));
      else result.conflicts.push(`${table} ${row.id}: edited by staff since the last sync and changed in ${String(row.source_file ?? 'content')}; the staff version is kept (settle with --prefer content|database)`);
      result.unchanged++;
    } else {
      await replaceRow(tx, table, row, now);
      result.updated.push(row.id);
    }
  }
  await insertRows(tx, table, fresh, now);
  const removed: string[] = [];
  for (const [id, current] of existing) {
    if (current.edited_at && prefer !== 'content') {
      if (prefer !== 'database') result.conflicts.push(`${table} ${id}: removed from content but edited by staff; kept`);
    } else removed.push(id);
  }
  await deleteRows(tx, table, removed);
  result.deleted = removed.length;
  return result;
}

const FILE_COLUMNS = new Set(['file_name', 'media_type', 'size', 'sha256', 'storage']);

/**
 * A staff upload wins over the content file until that file changes. A changed file takes over
 * again (the upload stays in the version history) and the sync says so once; a change to the
 * metadata alone updates it and keeps the uploaded file.
 */
async function syncUploadedEvidence(tx: Kysely<any>, row: Row, now: Date, result: TableResult): Promise<void> {
  const lastFromContent = await tx
    .selectFrom('evidence_versions')
    .select('sha256')
    .where('evidence_id', '=', row.id)
    .where('origin', '=', 'content')
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (row.sha256 && row.sha256 !== lastFromContent?.sha256) {
    await replaceRow(tx, 'evidence', row, now);
    result.updated.push(row.id);
    result.notices.push(`evidence ${row.id}: ${String(row.file_name)} changed in content and replaces the version uploaded by staff (which stays in the history)`);
    return;
  }
  const metadata = Object.fromEntries(Object.entries(row).filter(([k]) => k !== 'id' && !FILE_COLUMNS.has(k)));
  await tx.updateTable('evidence').set({ ...metadata, synced_at: now }).where('id', '=', row.id).execute();
  result.refreshed.push(row.id);
}

/** Each new content file hash becomes a version of its evidence item; earlier versions stay. */
async function recordEvidenceVersions(tx: Kysely<Database>, rows: Row[], changedIds: string[], now: Date): Promise<void> {
  const changed = new Set(changedIds);
  for (const row of rows) {
    if (!changed.has(row.id) || !row.sha256) continue;
    const latest = await findLatestEvidenceVersion(tx, row.id);
    if (latest?.sha256 === row.sha256) continue;
    await insertEvidenceVersion(tx, {
      evidenceId: row.id,
      version: (latest?.version ?? 0) + 1,
      origin: 'content',
      fileName: String(row.file_name),
      mediaType: String(row.media_type),
      size: Number(row.size),
      sha256: String(row.sha256),
      storageKey: `content:${String(row.file_name)}`,
      createdBy: null,
      at: now,
    });
  }
}
