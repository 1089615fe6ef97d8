import type { Engine } from '../engine/engine.js';
import type { QuestionResult } from '../engine/types.js';

/** What the public sees of an engine result: a published answer, or plainly none. */
export interface PublicAnswer {
  published: boolean;
  result: QuestionResult;
  /** The closest published question, only when it is on the same subject. */
  closest: { question: string; text: string } | null;
}

const NO_PUBLISHED = 'There is no published answer to this question. Send it to the security team, or request our detailed documents.';

/**
 * The public face is stricter than the review workspace: only an answer the engine gives without
 * review, from public content, is shown as an answer. A suggestion for review is at most "the
 * closest published answer", and only when it matched the question's subject.
 */
export function publicAnswer(engine: Engine, result: QuestionResult): PublicAnswer {
  // A stranger's question naming something nothing published mentions ("the app built on quantum widgets") is not answered for them.
  const namesUnknown = (result.parts ?? [result]).some((p) => p.why.unknownTerms?.length);
  if (result.status === 'answered' && !namesUnknown) return { published: true, result, closest: null };
  const onSubject = result.why.answerId && (result.status === 'review' || result.status === 'answered' || /^no good match/.test(result.reason ?? ''));
  const entry = onSubject ? engine.libraryEntry(result.why.answerId!) : undefined;
  return {
    published: false,
    result: { ...result, status: 'unanswered', reason: NO_PUBLISHED, answer: null, text: null, confidence: 0, citations: [], parts: undefined, ownership: null, customerDuty: null },
    closest: entry && entry.access === 'public' ? { question: entry.question, text: entry.explanation } : null,
  };
}
