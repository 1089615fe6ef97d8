import { meaningfulTerms } from '../search/index.js';
import { normaliseWords } from '../search/thesaurus.js';
import type { Retriever } from './retrieve.js';

/**
 * A question's subject: its meaningful words minus the generic ones a questionnaire puts in
 * every row ("your", "company", "policy", "process"). An answer must match the subject, not
 * only the generic words, or it is about something else.
 */
export interface SubjectTerm {
  /** The stemmed term as the index sees it. */
  term: string;
  /** Stemmed terms that count as the same word (its thesaurus group). */
  alternatives: string[];
}

export function genericTermSet(words: string[]): Set<string> {
  return new Set(words.flatMap((w) => meaningfulTerms(w)));
}

/**
 * When every word is generic ("Do you have a security policy?"), those words are the subject:
 * there is nothing more specific to ask about.
 */
export function subjectOf(text: string, generic: Set<string>, retriever: Retriever): SubjectTerm[] {
  const all = termsOf(text, retriever);
  const specific = all.filter((s) => !generic.has(s.term));
  return specific.length ? specific : all;
}

/** The question's own words are all generic ("Is there a documented process?"). */
export function isGenericOnly(text: string, generic: Set<string>, retriever: Retriever): boolean {
  const all = termsOf(text, retriever);
  return all.length > 0 && all.every((s) => generic.has(s.term));
}

/**
 * A question made only of generic words is answered only by a library answer that asks no more
 * than it does: "Is there a documented process?" is not "Is there a disciplinary process?".
 */
export function asksMoreThan(candidateQuestions: string[], question: string, generic: Set<string>, retriever: Retriever): boolean {
  const asked = new Set(termsOf(question, retriever).flatMap((s) => [s.term, ...s.alternatives]));
  return candidateQuestions.every((q) => termsOf(q, retriever).some((s) => !generic.has(s.term) && !asked.has(s.term)));
}

function termsOf(text: string, retriever: Retriever): SubjectTerm[] {
  const seen = new Set<string>();
  const out: SubjectTerm[] = [];
  for (const word of normaliseWords(text)) {
    const [term] = meaningfulTerms(word);
    if (!term || seen.has(term)) continue;
    seen.add(term);
    out.push({ term, alternatives: retriever.expansions(word) });
  }
  return out;
}

export interface SubjectMatch {
  /** Share of the subject's weight (idf) the candidate matched. */
  coverage: number;
  matched: string[];
  missing: string[];
}

export function matchSubject(subject: SubjectTerm[], matched: Set<string>, retriever: Retriever): SubjectMatch {
  if (subject.length === 0) return { coverage: 0, matched: [], missing: [] };
  let total = 0;
  let got = 0;
  const hit: string[] = [];
  const missing: string[] = [];
  for (const s of subject) {
    const weight = retriever.idf(s.term);
    total += weight;
    if (matched.has(s.term) || s.alternatives.some((a) => matched.has(a))) {
      got += weight;
      hit.push(s.term);
    } else missing.push(s.term);
  }
  return { coverage: total ? got / total : 0, matched: hit, missing };
}
