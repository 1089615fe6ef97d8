import type { DbOrTx } from '../../db/database.js';
import type { AccessLevel, ShortAnswer } from '../content/tables.js';
import type { StoredOverlap } from './tables.js';

export async function listAnswers(db: DbOrTx) {
  return db.selectFrom('library_answers').selectAll().orderBy('topic').orderBy('position').execute();
}

export async function findAnswer(db: DbOrTx, id: string) {
  return db.selectFrom('library_answers').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function updateAnswer(
  db: DbOrTx,
  id: string,
  fields: { question: string; phrasings: string[]; answer: ShortAnswer; explanation: string; controls: string[]; evidence: string[]; access: AccessLevel },
  by: string,
  at: Date,
): Promise<void> {
  await db
    .updateTable('library_answers')
    .set({
      question: fields.question,
      phrasings: JSON.stringify(fields.phrasings),
      answer: fields.answer,
      explanation: fields.explanation,
      control_ids: JSON.stringify(fields.controls),
      evidence_ids: JSON.stringify(fields.evidence),
      access: fields.access,
      edited_by: by,
      edited_at: at,
    })
    .where('id', '=', id)
    .execute();
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
