import type { Kysely } from 'kysely';
import type { Clock } from '../../clock.js';
import { today } from '../../clock.js';
import type { Database, DbOrTx } from '../../db/database.js';
import { NotFoundError, ValidationError } from '../../errors.js';
import { appendAudit, type Actor } from '../audit/service.js';
import * as q from './queries.js';
import { emptyCounts, isOverdue, parseDueDate, progressLine, REVIEW_STAGES, reviewCounts, stageFromCounts, stateOf, type ReviewCounts } from './states.js';
import type { QuestionnairesTable, ReviewStage } from './tables.js';
import type { Selectable } from 'kysely';

type QuestionnaireRow = Selectable<QuestionnairesTable>;

/** Who, for whom, by when and how far: what the list, the dashboard, the page header and the JSON share. */
export function overviewOf(row: QuestionnaireRow, counts: ReviewCounts, day: string) {
  const state = stateOf(row.status, row.review_stage);
  return {
    state,
    customer: row.customer,
    owner: row.owner,
    dueDate: row.due_date,
    overdue: isOverdue(row.due_date, state, day),
    review: counts,
    reviewLine: progressLine(counts),
  };
}

export async function countsOf(db: DbOrTx, id: string): Promise<ReviewCounts> {
  return reviewCounts((await q.countReviewStates(db, [id])).get(id) ?? []);
}

/** Every questionnaire (newest first) with its state and review counts. */
export async function listQuestionnaireOverviews(db: DbOrTx, clock: Clock) {
  const rows = await q.listQuestionnaires(db);
  const groups = await q.countReviewStates(db, rows.map((r) => r.id));
  const day = today(clock);
  return rows.map((row) => ({ ...row, ...overviewOf(row, reviewCounts(groups.get(row.id) ?? []), day) }));
}

/**
 * After any decision, the stage follows the rows: the first decision starts the review, the last
 * pending row completes it, and an undo that leaves rows pending reopens it.
 */
export async function syncReviewStage(db: DbOrTx, id: string, at: Date): Promise<ReviewCounts> {
  const found = await q.findQuestionnaire(db, id);
  if (!found || found.status !== 'ready') return emptyCounts();
  const counts = await countsOf(db, id);
  const stage = stageFromCounts(counts);
  if (stage !== found.review_stage) await q.updateQuestionnaireDetails(db, id, { review_stage: stage, updated_at: at });
  return counts;
}

export interface DetailsInput {
  customer?: string | null;
  owner?: string | null;
  dueDate?: string | null;
  state?: string | null;
}

/** Checks customer, owner, due date and stage; undefined leaves a field as it is, '' clears it. */
export function checkDetails(input: DetailsInput): Partial<{ customer: string | null; owner: string | null; due_date: string | null; review_stage: ReviewStage }> {
  const changes: ReturnType<typeof checkDetails> = {};
  const clean = (value: string | null) => (value && value.trim() ? value.trim().slice(0, 200) : null);
  if (input.customer !== undefined) changes.customer = clean(input.customer);
  if (input.owner !== undefined) changes.owner = clean(input.owner);
  if (input.dueDate !== undefined) {
    const day = parseDueDate(input.dueDate);
    if (day === 'invalid') throw new ValidationError('dueDate must be a calendar day written YYYY-MM-DD (or empty for none).');
    changes.due_date = day;
  }
  if (input.state !== undefined && input.state !== null && input.state !== '') {
    if (!REVIEW_STAGES.includes(input.state as ReviewStage)) throw new ValidationError('state must be ready, in-review or completed.');
    changes.review_stage = input.state as ReviewStage;
  }
  return changes;
}

/** Changes who the questionnaire is for, who owns it, when it is due or its stage; on the audit log. */
export async function updateDetails(db: Kysely<Database>, clock: Clock, id: string, input: DetailsInput, by: Actor): Promise<void> {
  const changes = checkDetails(input);
  await db.transaction().execute(async (tx) => {
    const found = await q.findQuestionnaire(tx, id);
    if (!found) throw new NotFoundError('No such questionnaire.');
    if (changes.review_stage && found.status !== 'ready') throw new ValidationError('Only a questionnaire that has been answered (status ready) has a review stage to set.');
    await q.updateQuestionnaireDetails(tx, id, { ...changes, updated_at: clock.now() });
    await appendAudit(tx, clock, { ...by, action: 'questionnaire.details_changed', subject: id, details: changes });
  });
}
