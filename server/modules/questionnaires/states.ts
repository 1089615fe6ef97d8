import type { QuestionnaireStatus, ReviewStage, ReviewState } from './tables.js';

/** The one word a list, the dashboard and the JSON use: the processing status until ready, then the review stage. */
export type QuestionnaireState = 'processing' | 'failed' | ReviewStage;

export const REVIEW_STAGES: readonly ReviewStage[] = ['ready', 'in-review', 'completed'];

export interface ReviewCounts {
  total: number;
  pending: number;
  approved: number;
  edited: number;
  rejected: number;
  /** approved + edited + rejected: every row someone decided. */
  reviewed: number;
}

export function emptyCounts(): ReviewCounts {
  return { total: 0, pending: 0, approved: 0, edited: 0, rejected: 0, reviewed: 0 };
}

/** Counts from (review state, number of rows) pairs, as a GROUP BY returns them. */
export function reviewCounts(groups: { state: ReviewState; n: number }[]): ReviewCounts {
  const counts = emptyCounts();
  for (const { state, n } of groups) {
    counts[state] += n;
    counts.total += n;
    if (state !== 'pending') counts.reviewed += n;
  }
  return counts;
}

/** "18 of 20 reviewed · 1 edited · 1 rejected": what the sticky header and the list say. */
export function progressLine(counts: ReviewCounts): string {
  const parts = [`${counts.reviewed} of ${counts.total} reviewed`];
  if (counts.edited) parts.push(`${counts.edited} edited`);
  if (counts.rejected) parts.push(`${counts.rejected} rejected`);
  return parts.join(' · ');
}

export function stateOf(status: QuestionnaireStatus, stage: ReviewStage): QuestionnaireState {
  return status === 'ready' ? stage : status;
}

/** The stage the decisions imply: nothing decided is ready, everything decided is completed. */
export function stageFromCounts(counts: ReviewCounts): ReviewStage {
  if (counts.total > 0 && counts.pending === 0) return 'completed';
  return counts.reviewed > 0 ? 'in-review' : 'ready';
}

/** Past its due date and not completed; computed against today (the clock's day), never stored. */
export function isOverdue(dueDate: string | null, state: QuestionnaireState, today: string): boolean {
  return dueDate !== null && state !== 'completed' && state !== 'failed' && dueDate < today;
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real calendar day as YYYY-MM-DD, or null for an empty field; anything else is refused by the caller. */
export function parseDueDate(value: string | null | undefined): string | null | 'invalid' {
  if (value === undefined || value === null || value.trim() === '') return null;
  const match = DAY.exec(value.trim());
  if (!match) return 'invalid';
  const day = new Date(`${match[0]}T00:00:00Z`);
  return Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== match[0] ? 'invalid' : match[0];
}
