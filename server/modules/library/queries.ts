import type { Selectable } from 'kysely';
import type { DbOrTx } from '../../db/database.js';
import type { AccessLevel, LibraryAnswersTable } from '../content/tables.js';
import type { LibraryAnswer } from './types.js';
import type { StoredOverlap } from './tables.js';

export type { LibraryAnswer };


export function toLibraryAnswer(r: Selectable<LibraryAnswersTable>): LibraryAnswer {
  return {
    id: r.id,
    topic: r.topic,
    question: r.question,
    phrasings: r.phrasings,
    kind: r.kind,
    answer: r.answer,
    asOf: r.as_of,
    explanation: r.explanation,
    controls: r.control_ids,
    evidence: r.evidence_ids,
    access: r.access,
    owner: r.owner,
    reviewed: r.reviewed_on,
    services: r.service_overrides,
    editedBy: r.edited_by,
    editedAt: r.edited_at,
    syncedAt: r.synced_at,
  };
}

/**
 * Library answers in content order (the engine breaks ties by it), or grouped by topic for the
 * admin's list; `access` and `ids` narrow them.
 */
export async function listAnswers(db: DbOrTx, filter: { access?: AccessLevel[]; ids?: string[]; byTopic?: boolean } = {}): Promise<LibraryAnswer[]> {
  if (filter.ids?.length === 0 || filter.access?.length === 0) return [];
  let query = db.selectFrom('library_answers').selectAll();
  if (filter.access) query = query.where('access', 'in', filter.access);
  if (filter.ids) query = query.where('id', 'in', filter.ids);
  if (filter.byTopic) query = query.orderBy('topic');
  const rows = await query.orderBy('position').orderBy('id').execute();
  return rows.map(toLibraryAnswer);
}

export async function findAnswer(db: DbOrTx, id: string): Promise<LibraryAnswer | undefined> {
  const row = await db.selectFrom('library_answers').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toLibraryAnswer(row);
}

export async function listAnswerHistory(db: DbOrTx, id: string) {
  return db
    .selectFrom('audit_log')
    .select(['id', 'at', 'actor', 'action', 'details'])
    .where('subject', '=', `library:${id}`)
    .orderBy('id', 'desc')
    .execute();
}

/** The overlaps stored for a knowledge version, or null when they were not computed for it yet. */
export async function findStoredOverlaps(db: DbOrTx, version: string): Promise<StoredOverlap[] | null> {
  const row = await db.selectFrom('library_overlaps').select('overlaps').where('knowledge_version', '=', version).executeTakeFirst();
  return row ? row.overlaps : null;
}

/** Keeps the overlaps of one version and drops those of older versions, which no page asks for again. */
export async function storeOverlaps(db: DbOrTx, version: string, overlaps: StoredOverlap[], at: Date): Promise<void> {
  await db.deleteFrom('library_overlaps').where('knowledge_version', '<>', version).execute();
  await db
    .insertInto('library_overlaps')
    .values({ knowledge_version: version, computed_at: at, overlaps: JSON.stringify(overlaps) })
    .onConflict((oc) => oc.column('knowledge_version').doNothing())
    .execute();
}
