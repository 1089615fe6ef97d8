import type { DbOrTx } from '../../db/database.js';
import type { ShortAnswer } from '../content/tables.js';
import type { QuestionResult } from '../engine/types.js';
import type { QuestionnairesTable, ReviewStage, ReviewState } from './tables.js';
import { sql, type Insertable } from 'kysely';

/*
 * The original file travels as base64 text, decoded by the database: the embedded database turns
 * a binary parameter into text a byte at a time on the web thread (a 9 MB file took seconds and
 * stalled every request meanwhile); base64 is one native call each way on both databases.
 */
export async function insertQuestionnaire(db: DbOrTx, row: Insertable<QuestionnairesTable>, data: Uint8Array): Promise<void> {
  await db.insertInto('questionnaires').values(row).execute();
  const encoded = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');
  await db.insertInto('questionnaire_files').values({ questionnaire_id: row.id, data: sql<Uint8Array>`decode(${encoded}, 'base64')` }).execute();
}

export interface NewItem {
  position: number;
  extId: string;
  sheet: string | null;
  sheetPart: string | null;
  row: number | null;
  section: string | null;
  question: string;
  answerCell: string | null;
  commentCell: string | null;
  vocabulary: string[] | null;
  result: QuestionResult;
}

export async function insertItems(db: DbOrTx, questionnaireId: string, items: NewItem[]): Promise<void> {
  for (let i = 0; i < items.length; i += 200) {
    await db
      .insertInto('questionnaire_items')
      .values(
        items.slice(i, i + 200).map((item) => ({
          questionnaire_id: questionnaireId,
          position: item.position,
          ext_id: item.extId,
          sheet: item.sheet,
          sheet_part: item.sheetPart,
          row: item.row,
          section: item.section,
          question: item.question,
          answer_cell: item.answerCell,
          comment_cell: item.commentCell,
          vocabulary: JSON.stringify(item.vocabulary),
          status: item.result.status,
          result: JSON.stringify(item.result),
          review_state: 'pending' as const,
        })),
      )
      .execute();
  }
}

export async function updateQuestionnaire(db: DbOrTx, id: string, changes: Partial<{ status: QuestionnairesTable['status']; error: string | null; summary: string; layouts: string; warnings: string; updated_at: Date }>): Promise<void> {
  await db.updateTable('questionnaires').set(changes).where('id', '=', id).execute();
}

export async function findQuestionnaire(db: DbOrTx, id: string) {
  return db.selectFrom('questionnaires').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listQuestionnaires(db: DbOrTx) {
  return db.selectFrom('questionnaires').selectAll().orderBy('created_at', 'desc').limit(500).execute();
}

export async function findOriginal(db: DbOrTx, id: string): Promise<Uint8Array | null> {
  const row = await db
    .selectFrom('questionnaire_files')
    .select(sql<string>`encode(data, 'base64')`.as('data'))
    .where('questionnaire_id', '=', id)
    .executeTakeFirst();
  return row ? new Uint8Array(Buffer.from(row.data, 'base64')) : null;
}

export interface ItemFilter {
  status?: string;
  reviewState?: string;
  section?: string;
  assignee?: string;
  /** Words in the question, the suggested answer or the reviewer's text (case-insensitive). */
  search?: string;
  minConfidence?: number;
  maxConfidence?: number;
  itemIds?: number[];
}

/** LIKE's own wildcards in a person's search are searched for literally. */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function filtered(db: DbOrTx, questionnaireId: string, filter: ItemFilter) {
  let query = db.selectFrom('questionnaire_items').where('questionnaire_id', '=', questionnaireId);
  if (filter.status) query = query.where('status', '=', filter.status as never);
  if (filter.reviewState) query = query.where('review_state', '=', filter.reviewState as never);
  if (filter.section) query = query.where('section', '=', filter.section);
  if (filter.assignee) query = query.where('assignee', '=', filter.assignee);
  if (filter.itemIds) query = query.where('id', 'in', filter.itemIds.length ? filter.itemIds : [-1]);
  const confidence = sql<number>`coalesce((result->>'confidence')::float8, 0)`;
  if (filter.minConfidence !== undefined) query = query.where(confidence, '>=', filter.minConfidence);
  if (filter.maxConfidence !== undefined) query = query.where(confidence, '<', filter.maxConfidence);
  if (filter.search) {
    const pattern = likePattern(filter.search);
    query = query.where((eb) =>
      eb.or([
        eb('question', 'ilike', pattern),
        eb('ext_id', 'ilike', pattern),
        eb(sql<string>`coalesce(result->>'text', '')`, 'ilike', pattern),
        eb(sql<string>`coalesce(final_text, '')`, 'ilike', pattern),
      ]),
    );
  }
  return query;
}

/** The sections of a questionnaire, in file order, for the grid's filter. */
export async function listSections(db: DbOrTx, questionnaireId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('questionnaire_items')
    .select((eb) => ['section', eb.fn.min('position').as('first')])
    .where('questionnaire_id', '=', questionnaireId)
    .where('section', 'is not', null)
    .groupBy('section')
    .orderBy('first')
    .execute();
  return rows.map((r) => r.section!).filter(Boolean);
}

/** Items in file order; a page of them when offset and limit are given. */
export async function listItems(db: DbOrTx, questionnaireId: string, filter: ItemFilter & { offset?: number; limit?: number } = {}) {
  let query = filtered(db, questionnaireId, filter).selectAll().orderBy('position');
  if (filter.limit !== undefined) query = query.limit(filter.limit).offset(filter.offset ?? 0);
  return query.execute();
}

export async function countItems(db: DbOrTx, questionnaireId: string, filter: ItemFilter = {}): Promise<number> {
  const row = await filtered(db, questionnaireId, filter).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function findItem(db: DbOrTx, questionnaireId: string, itemId: number) {
  return db.selectFrom('questionnaire_items').selectAll().where('questionnaire_id', '=', questionnaireId).where('id', '=', itemId).executeTakeFirst();
}

export async function updateItemReview(
  db: DbOrTx,
  itemId: number,
  review: { state: ReviewState; answer: ShortAnswer | null; text: string | null; by: string; at: Date; reason?: string | null; batch?: string | null },
): Promise<void> {
  await db
    .updateTable('questionnaire_items')
    .set({
      review_state: review.state,
      final_answer: review.answer,
      final_text: review.text,
      reviewed_by: review.by,
      reviewed_at: review.at,
      review_reason: review.reason ?? null,
      review_batch: review.batch ?? null,
    })
    .where('id', '=', itemId)
    .execute();
}

export async function assignItem(db: DbOrTx, itemId: number, assignee: string | null): Promise<void> {
  await db.updateTable('questionnaire_items').set({ assignee }).where('id', '=', itemId).execute();
}

/**
 * After a crash, a questionnaire left half-way is marked failed, never shown as ready: any still
 * processing without a queued or running job (start-up fails this instance's jobs first, so
 * another instance's work in progress is left alone).
 */
export async function failInterrupted(db: DbOrTx, at: Date): Promise<number> {
  const result = await db
    .updateTable('questionnaires')
    .set({ status: 'failed', error: 'Processing was interrupted (the server stopped). Upload the file again.', updated_at: at })
    .where('status', '=', 'processing')
    .where((eb) => eb.not(eb.exists(eb.selectFrom('jobs').select('jobs.id').whereRef('jobs.subject', '=', 'questionnaires.id').where('jobs.state', 'in', ['queued', 'running']))))
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Rows per review state for each of these questionnaires (one query for a whole list). */
export async function countReviewStates(db: DbOrTx, questionnaireIds: string[]): Promise<Map<string, { state: ReviewState; n: number }[]>> {
  const byQuestionnaire = new Map<string, { state: ReviewState; n: number }[]>();
  if (!questionnaireIds.length) return byQuestionnaire;
  const rows = await db
    .selectFrom('questionnaire_items')
    .select((eb) => ['questionnaire_id', 'review_state', eb.fn.countAll<string>().as('n')])
    .where('questionnaire_id', 'in', questionnaireIds)
    .groupBy(['questionnaire_id', 'review_state'])
    .execute();
  for (const row of rows) {
    const list = byQuestionnaire.get(row.questionnaire_id) ?? [];
    list.push({ state: row.review_state, n: Number(row.n) });
    byQuestionnaire.set(row.questionnaire_id, list);
  }
  return byQuestionnaire;
}

export async function updateQuestionnaireDetails(
  db: DbOrTx,
  id: string,
  changes: Partial<{ customer: string | null; owner: string | null; due_date: string | null; review_stage: ReviewStage; updated_at: Date }>,
): Promise<void> {
  await db.updateTable('questionnaires').set(changes).where('id', '=', id).execute();
}
