import type { DbOrTx } from '../../db/database.js';
import { listEvidence } from '../evidence/queries.js';
import { listAnswers } from '../library/queries.js';
import { freshnessOf, type Freshness } from '../evidence/freshness.js';
import type { Citation, Why } from '../engine/types.js';

export interface LibraryFacts {
  id: string;
  question: string;
  owner: string;
  reviewedOn: string;
}

/** The library answers and evidence a page of rows cites, read once for the page. */
export interface WhyContext {
  library: Map<string, LibraryFacts>;
  evidence: Map<string, string>;
  today: string;
  expiringWithinDays: number;
}

export async function loadWhyContext(db: DbOrTx, rows: { why?: Why | null; citations?: Citation[] }[], today: string, expiringWithinDays: number): Promise<WhyContext> {
  const answerIds = new Set<string>();
  const evidenceIds = new Set<string>();
  for (const row of rows) {
    if (row.why?.answerId) answerIds.add(row.why.answerId);
    if (row.why?.runnerUp?.id) answerIds.add(row.why.runnerUp.id);
    for (const c of row.citations ?? []) if (c.kind === 'evidence') evidenceIds.add(c.id);
  }
  const [library, evidence] = await Promise.all([
    listAnswers(db, { ids: [...answerIds] }),
    listEvidence(db, { ids: [...evidenceIds] }),
  ]);
  return {
    library: new Map(library.map((l) => [l.id, { id: l.id, question: l.question, owner: l.owner, reviewedOn: l.reviewed }])),
    evidence: new Map(evidence.map((e) => [e.id, e.reviewBy])),
    today,
    expiringWithinDays,
  };
}

const SOURCE_WORDS: Record<string, string> = {
  certifications: 'the certifications the trust page publishes',
  locations: 'the data locations the trust page publishes',
  backups: 'the published backup facts',
  subprocessors: 'the published subprocessor list',
  profile: 'the provider profile',
  facts: 'the published facts',
};

/**
 * "Why this answer" in words a sales engineer can check: what it matched (with its owner and
 * review date), how much of the question that covers, and the runner-up; sources grouped by kind.
 */
export function explain(why: Why | null | undefined, citations: Citation[] | undefined, context: WhyContext) {
  const matched = why?.answerId ? context.library.get(why.answerId) ?? { id: why.answerId, question: why.answerId, owner: '', reviewedOn: '' } : null;
  const runnerUp = why?.runnerUp ? context.library.get(why.runnerUp.id) ?? { id: why.runnerUp.id, question: why.runnerUp.id, owner: '', reviewedOn: '' } : null;
  const coverage = why ? Math.round(100 * (why.coverage ?? 0)) : null;
  const source = why?.source && why.source !== 'library' ? SOURCE_WORDS[why.source] ?? why.source : null;
  const groups = { answers: [] as Citation[], controls: [] as Citation[], evidence: [] as (Citation & { freshness: Freshness | null })[], disclosures: [] as Citation[] };
  for (const c of citations ?? []) {
    if (c.kind === 'answer') groups.answers.push(c);
    else if (c.kind === 'control' || c.kind === 'responsibility') groups.controls.push(c);
    else if (c.kind === 'evidence') {
      const reviewBy = context.evidence.get(c.id);
      groups.evidence.push({ ...c, freshness: reviewBy ? freshnessOf(reviewBy, context.today, context.expiringWithinDays) : null });
    } else groups.disclosures.push(c);
  }
  return {
    matched,
    source,
    coverage,
    runnerUp,
    sources: groups,
    hasSources: Boolean(citations?.length),
    terms: why?.terms ?? [],
    score: why?.score ?? null,
    margin: why?.margin ?? null,
  };
}
