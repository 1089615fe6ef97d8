import type { Thresholds } from './types.js';

/**
 * Every number the engine decides with, in one place. Calibrated on the even rows of the public
 * evaluation questionnaire and reported on the odd rows (`npm run eval`).
 */
export const DEFAULT_THRESHOLDS: Thresholds = {
  answer: 0.5,
  review: 0.25,
  minCoverage: 0.18,
  minSubjectCoverage: 0.5,
  minSubjectTerms: 1.5,
};

/**
 * How much each field of a library answer counts in retrieval. The titles and keywords of the
 * answer's controls say what the answer is filed under, not what it says: they find answers for
 * questions worded like the catalogue, but weighed like the answer's own words they pull in
 * answers that merely share a control (calibrated on the even rows: 1 → 0.3 took the answer
 * level from 0.746 to 0.797 at coverage 0.436 → 0.424).
 */
export const LIBRARY_FIELD_WEIGHTS = { question: 4, phrasings: 3, explanation: 1, controls: 0.3 } as const;

/** A No answers only a question that asks at least this share (by word weight) of what the No was written for. */
export const NARROW_NO_SHARE = 0.7;

/**
 * A No or N/A overrides a close Yes (confidence at most `margin` behind) when its own question is
 * at least `specificity` more of what the customer asked (by word weight).
 */
export const DISSENT = { margin: 0.1, specificity: 0.2 } as const;

/**
 * A word the answer mentions only to deny it ("never in plain text") turns its Yes round only when
 * the word is this specific (inverse document frequency in the library: about one answer in twenty
 * or fewer uses it); common words are denied in one place and meant in another.
 */
export const DENIED_TERM_IDF = 3;

/** How many of lunr's best candidates the re-ranker reads. */
export const RERANK_DEPTH = 8;
/** …and only those scoring at least this share of the best. */
export const RERANK_MIN_RATIO = 0.5;
/**
 * Logistic weights of the re-ranker over each candidate's features (see decide.ts:
 * bias, score ratio to the best, word coverage, subject coverage, agreement with the control
 * catalogue, support from other close candidates citing the same controls), fitted on the
 * calibration half by `npm run eval -- --fit`. The result is the answer's confidence.
 */
export const RERANK_WEIGHTS: readonly number[] = [-2.76, -0.54, 0.71, 1.26, 1.44, 0.46, 1.25];

/** Compliance qualifiers count for this much next to a real subject. */
export const QUALIFIER_BOOST = 0.3;
/** Context words (the previous question, the section) weigh this much in retrieval. */
export const CONTEXT_BOOST = { previous: 0.35, referent: 0.9, section: 0.25, controls: 1 } as const;
/** A disclosure answer's confidence: it states a published fact, not a text match. */
export const DISCLOSURE_CONFIDENCE = 0.95;
