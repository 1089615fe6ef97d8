import type { ReviewState } from './tables.js';
import type { toQuestionView } from './service.js';

export type Band = 'high' | 'check' | 'low';
export const BANDS: readonly Band[] = ['high', 'check', 'low'];
const REVIEW_STATES: readonly ReviewState[] = ['pending', 'approved', 'edited', 'rejected'];
const ENGINE_STATUSES = ['answered', 'review', 'unanswered'] as const;

export interface Bands {
  high: number;
  check: number;
}

export function bandOf(confidence: number, bands: Bands): Band {
  return confidence >= bands.high ? 'high' : confidence >= bands.check ? 'check' : 'low';
}

/** The confidence range of a band, for the query: [min, max). */
export function bandRange(band: Band, bands: Bands): { min?: number; max?: number } {
  return band === 'high' ? { min: bands.high } : band === 'check' ? { min: bands.check, max: bands.high } : { max: bands.check };
}

/** What the grid is filtered by; every field survives every action through the query string. */
export interface GridFilter {
  review?: ReviewState;
  status?: (typeof ENGINE_STATUSES)[number];
  band?: Band;
  section?: string;
  assignee?: string;
  mine?: boolean;
  q?: string;
  page?: number;
}

const KEYS = ['review', 'status', 'band', 'section', 'assignee', 'mine', 'q', 'page'] as const;

/** Reads the filter from a query string (or the `back` field of a form), keeping only known, valid values. */
export function parseFilter(query: Record<string, unknown> | URLSearchParams): GridFilter {
  const get = (key: string): string | undefined => {
    const value = query instanceof URLSearchParams ? query.get(key) : query[key];
    return typeof value === 'string' && value.trim() ? value.trim().slice(0, 200) : undefined;
  };
  const filter: GridFilter = {};
  const review = get('review');
  if (review && (REVIEW_STATES as readonly string[]).includes(review)) filter.review = review as ReviewState;
  const status = get('status');
  if (status && (ENGINE_STATUSES as readonly string[]).includes(status)) filter.status = status as GridFilter['status'];
  const band = get('band');
  if (band && (BANDS as readonly string[]).includes(band)) filter.band = band as Band;
  const section = get('section');
  if (section) filter.section = section;
  const assignee = get('assignee');
  if (assignee) filter.assignee = assignee;
  if (get('mine') === '1' || get('mine') === 'on') filter.mine = true;
  const q = get('q');
  if (q) filter.q = q;
  const page = Math.floor(Number(get('page')));
  if (page > 1) filter.page = page;
  return filter;
}

/** The filter as a query string (without "?"), in a fixed order; `page` only when asked. */
export function filterQuery(filter: GridFilter, page?: number): string {
  const params = new URLSearchParams();
  for (const key of KEYS) {
    if (key === 'page') continue;
    const value = filter[key];
    if (value === undefined || value === false) continue;
    params.set(key, value === true ? '1' : String(value));
  }
  const p = page ?? filter.page;
  if (p && p > 1) params.set('page', String(p));
  return params.toString();
}

/** Where a form post sends the reviewer back to: the same filters and page, at the row. */
export function backTo(questionnaireId: string, back: string | undefined, itemId?: number): string {
  const query = filterQuery(parseFilter(new URLSearchParams(back ?? '')));
  return `/admin/questionnaires/${questionnaireId}${query ? `?${query}` : ''}${itemId ? `#item-${itemId}` : ''}`;
}

type QuestionView = ReturnType<typeof toQuestionView>;

/** Where an answer came from, in a word a reviewer knows. */
function sourceOf(view: QuestionView): string {
  const source = view.why?.source;
  if (source && source !== 'library') return source === 'profile' ? 'provider profile' : source;
  return view.why?.answerId ? 'library' : '—';
}

/** One grid row: what the reviewer reads at a glance, and what the actions need. */
export function gridRow(view: QuestionView, bands: Bands) {
  // What would go out: the reviewer's answer once decided, nothing once rejected, else the suggestion.
  const decided = view.review.state === 'approved' || view.review.state === 'edited';
  const rejected = view.review.state === 'rejected';
  const short = decided ? view.review.answer : rejected ? null : view.answer;
  return {
    itemId: view.itemId,
    id: view.id,
    section: view.section,
    question: view.question,
    short: short ?? '—',
    text: (decided ? view.review.text : rejected ? '' : view.text) ?? '',
    suggestedAnswer: view.answer,
    suggestedText: view.text ?? '',
    confidence: view.confidence ?? 0,
    band: bandOf(view.confidence ?? 0, bands),
    source: sourceOf(view),
    engineStatus: view.status,
    reason: view.reason,
    state: view.review.state,
    rejectReason: view.review.reason ?? null,
    assignee: view.review.assignee,
    reviewedBy: view.review.reviewedBy,
    canApprove: Boolean(view.text) && view.review.state !== 'approved',
    runnerUp: view.why?.runnerUp?.id ?? null,
    why: view.why,
    citations: view.citations,
    controls: (view.controls ?? []).join(' '),
  };
}
export type GridRow = ReturnType<typeof gridRow>;
