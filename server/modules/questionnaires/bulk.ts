import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock } from '../../clock.js';
import type { Database, DbOrTx } from '../../db/database.js';
import { NotFoundError, ValidationError } from '../../errors.js';
import { appendAudit, type Actor } from '../audit/service.js';
import * as q from './queries.js';
import { syncReviewStage } from './workflow.js';

/** Which rows a bulk action takes: the ticked ones, or every confidently answered row not yet reviewed. */
export type BulkSelection = { itemIds: number[] } | { answered: true };

type Item = Awaited<ReturnType<typeof q.listItems>>[number];

async function selected(db: DbOrTx, questionnaireId: string, selection: BulkSelection): Promise<Item[]> {
  if (!(await q.findQuestionnaire(db, questionnaireId))) throw new NotFoundError('No such questionnaire.');
  if ('answered' in selection) return q.listItems(db, questionnaireId, { status: 'answered', reviewState: 'pending' });
  if (!selection.itemIds.length) throw new ValidationError('Tick at least one question first.');
  return q.listItems(db, questionnaireId, { itemIds: selection.itemIds });
}

/** A bulk approval takes only rows still pending that have a suggested answer to approve. */
function approvable(items: Item[]): Item[] {
  return items.filter((i) => i.review_state === 'pending' && Boolean(i.result.text || i.result.answer));
}

/** What a bulk approval would do, said before it is done: how many, and the least certain of them. */
export async function previewBulkApprove(db: DbOrTx, questionnaireId: string, selection: BulkSelection) {
  const items = approvable(await selected(db, questionnaireId, selection));
  // Older stored results may lack a confidence: they count as the least certain.
  const confidence = (i: Item) => i.result.confidence ?? 0;
  const lowest = items.reduce<Item | null>((low, i) => (!low || confidence(i) < confidence(low) ? i : low), null);
  return {
    count: items.length,
    itemIds: items.map((i) => i.id),
    lowest: lowest ? { itemId: lowest.id, id: lowest.ext_id, question: lowest.question, confidence: confidence(lowest) } : null,
  };
}

export type BulkAction = { action: 'approve' } | { action: 'reject'; reason?: string } | { action: 'assign'; assignee: string | null };

/**
 * One decision on many rows, in one transaction and one audit entry. An approval marks its rows
 * with a batch id, so "undo" puts exactly those rows back to pending.
 */
export async function bulkDecide(db: Kysely<Database>, clock: Clock, questionnaireId: string, selection: BulkSelection, decision: BulkAction, by: Actor) {
  return db.transaction().execute(async (tx) => {
    const all = await selected(tx, questionnaireId, selection);
    const now = clock.now();
    let items: Item[];
    let batch: string | null = null;
    if (decision.action === 'approve') {
      items = approvable(all);
      batch = items.length ? randomUUID() : null;
      for (const item of items) await q.updateItemReview(tx, item.id, { state: 'approved', answer: item.result.answer, text: item.result.text, by: by.actor, at: now, batch });
    } else if (decision.action === 'reject') {
      items = all.filter((i) => i.review_state !== 'rejected');
      const reason = decision.reason?.trim() || null;
      for (const item of items) await q.updateItemReview(tx, item.id, { state: 'rejected', answer: null, text: null, by: by.actor, at: now, reason });
    } else {
      items = all;
      for (const item of items) await q.assignItem(tx, item.id, decision.assignee);
    }
    // Nothing changed is nothing to record.
    if (!items.length) return { count: 0, batch: null, itemIds: [] as number[] };
    const details: Record<string, unknown> = { count: items.length, items: items.map((i) => i.ext_id).slice(0, 500) };
    if (batch) details.batch = batch;
    if (decision.action === 'assign') details.assignee = decision.assignee;
    if (decision.action === 'reject') details.reason = decision.reason ?? null;
    const done = { approve: 'approved', reject: 'rejected', assign: 'assigned' }[decision.action];
    await appendAudit(tx, clock, { ...by, action: `questionnaire.bulk_${done}`, subject: questionnaireId, details });
    await syncReviewStage(tx, questionnaireId, now);
    return { count: items.length, batch, itemIds: items.map((i) => i.id) };
  });
}

/** Puts the rows of one bulk approval back to pending; rows someone changed since are left alone. */
export async function undoBatch(db: Kysely<Database>, clock: Clock, questionnaireId: string, batch: string, by: Actor): Promise<number> {
  return db.transaction().execute(async (tx) => {
    const result = await tx
      .updateTable('questionnaire_items')
      .set({ review_state: 'pending', final_answer: null, final_text: null, reviewed_by: null, reviewed_at: null, review_batch: null, review_reason: null })
      .where('questionnaire_id', '=', questionnaireId)
      .where('review_batch', '=', batch)
      .where('review_state', '=', 'approved')
      .executeTakeFirst();
    const count = Number(result.numUpdatedRows);
    if (!count) throw new ValidationError('Nothing to undo: those approvals were already undone or changed since.');
    await appendAudit(tx, clock, { ...by, action: 'questionnaire.bulk_undone', subject: questionnaireId, details: { batch, count } });
    await syncReviewStage(tx, questionnaireId, clock.now());
    return count;
  });
}
