import { asksWhoOrHowMuch, deniedElsewhere, deniedTerms, polarityDiffers } from './polarity.js';
import type { Candidate, Retriever } from './retrieve.js';
import { matchSubject, type SubjectTerm } from './subject.js';
import { DENIED_TERM_IDF, DISSENT, NARROW_NO_SHARE, RERANK_DEPTH, RERANK_MIN_RATIO, RERANK_WEIGHTS } from './thresholds.js';
import type { LibraryEntry, QuestionKind, ResultStatus, Thresholds, Why } from './types.js';

/**
 * Decide: which qualified candidate answers, how sure the engine is, and whether that is enough
 * to answer, to suggest for review, or to leave unanswered.
 */
export interface Judgement {
  status: ResultStatus;
  reason: string | null;
  confidence: number;
  best: Candidate;
  /** The other candidates, best first. */
  rest: Candidate[];
  why: Why;
  /** False when the question may ask the opposite way round: the answer's Yes or No would then claim the opposite. */
  claims: boolean;
}

export function emptyWhy(): Why {
  return { terms: [], score: 0, coverage: 0, margin: 0, answerId: null, runnerUp: null, agreement: false, source: null };
}

const round = (n: number) => Math.round(n * 100) / 100;

/**
 * Two independent readings of the question agree: the matched answer's controls are among the
 * controls whose own descriptions the question matches best, or a close runner-up answer cites
 * the same control. When they disagree, the mapping is wrong about twice as often.
 */
function agrees(text: string, best: Candidate, rest: Candidate[], cited: string[], retriever: Retriever): boolean {
  if (best.entry.controls.some((c) => cited.includes(c))) return true;
  const direct = new Set(retriever.controls(text, 3).map((h) => h.id));
  if (best.entry.controls.some((c) => direct.has(c))) return true;
  return rest.slice(0, 2).some((o) => o.hit.score / best.hit.score > 0.7 && o.entry.controls.some((c) => best.entry.controls.includes(c)));
}

/** Two answers to one matter: the same first control and mostly the same words in their explanations. */
function siblings(a: LibraryEntry, b: LibraryEntry): boolean {
  if (a.controls[0] !== b.controls[0]) return false;
  const words = (t: string) => new Set(t.toLowerCase().match(/[a-z]{4,}/g) ?? []);
  const x = words(a.explanation);
  const y = words(b.explanation);
  const shared = [...x].filter((w) => y.has(w)).length;
  return shared >= 6 && shared / Math.min(x.size, y.size) >= 0.5;
}

/**
 * A yes/no question read as an open answer's subject is answered by the yes/no answer written
 * beside it (same control, mostly the same words), when that one is among the close candidates:
 * it says yes or no to the same thing, so nobody has to choose the answer the text implies.
 */
function preferSayingYesOrNo(ranked: Ranked[], found: Candidate[]): Ranked[] {
  const [best] = ranked;
  if (!best || best.entry.answer !== null) return ranked;
  const close = ranked.find((c) => c.entry.answer !== null && siblings(c.entry, best.entry));
  if (close) return [close, ...ranked.filter((c) => c !== close)];
  // Worded differently, it may score far lower; it is still the same reading, with the same words matched and the same confidence.
  const far = found.find((c) => c.entry.answer !== null && siblings(c.entry, best.entry));
  return far ? [{ entry: far.entry, hit: { ...best.hit, id: far.hit.id }, coverage: best.coverage, p: best.p }, ...ranked] : ranked;
}

/**
 * Two close answers that disagree, a broad Yes and a No (or N/A) written for more of what is
 * asked: the specific one is the provider's answer. "Do you perform credit checks on employees?"
 * takes "Credit checks are not part of our screening" (No), not the screening answer's Yes;
 * "Does the application have a mobile app?" the answer saying there is none, not the one about
 * securing staff phones.
 */
function preferSpecificDissent(question: string, ranked: Ranked[], asked: Set<string>, retriever: Retriever): Ranked[] {
  const [best] = ranked;
  // "Do you approve and control the use of live data in test?" is not "Do you use live data in test? No".
  if (!best || best.entry.answer !== 'Yes' || GOVERNS.test(question)) return ranked;
  const own = askedShare(best.entry, asked, retriever);
  const dissent = ranked.find(
    (c) => c !== best && (c.entry.answer === 'No' || c.entry.answer === 'N/A') && best.p - c.p <= DISSENT.margin && askedShare(c.entry, asked, retriever) >= Math.max(NARROW_NO_SHARE, own + DISSENT.specificity),
  );
  return dissent ? [dissent, ...ranked.filter((c) => c !== dissent)] : ranked;
}

const GOVERNS = /\b(control\w*|approv\w*|manag\w*|govern\w*|document\w*|restrict\w*|limit\w*|prevent\w*|prohibit\w*|authori[sz]\w*|review\w*|monitor\w*|protect\w*|secur\w*|encrypt\w*)\b/i;

/** When the question names a control, a close candidate answering for that control goes first. */
function preferCited<T extends Candidate>(found: T[], cited: string[]): T[] {
  if (!cited.length) return found;
  const top = found[0].hit.score;
  const match = found.slice(0, 10).find((c) => c.hit.score >= 0.5 * top && c.entry.controls.some((id) => cited.includes(id)));
  return match ? [match, ...found.filter((c) => c !== match)] : found;
}

interface Ranked extends Candidate {
  /** Probability that this answer is about the question's controls (the re-ranker's reading). */
  p: number;
  coverage: number;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/**
 * The re-ranker: lunr's order is a word match; the features below also ask whether the answer
 * is about the controls the question's words point to, and whether other close answers agree.
 */
export function candidateFeatures(question: Reading, found: Candidate[], subject: SubjectTerm[], retriever: Retriever): { candidate: Candidate; x: number[]; coverage: number }[] {
  // Only close candidates compete: a weak word match never overtakes a strong one.
  const top = found.slice(0, RERANK_DEPTH).filter((c) => c.hit.score >= RERANK_MIN_RATIO * found[0].hit.score);
  const terms = [...new Set(retriever.libraryIndex.terms(question.text))];
  const totalIdf = terms.reduce((sum, t) => sum + retriever.idf(t), 0) || 1;
  const direct = retriever.controls(question.withContext, 5);
  const directTop = direct[0]?.score ?? 1;
  const directWeight = new Map(direct.map((h, i) => [h.id, h.score / directTop / (1 + i)]));
  const best = top[0]?.hit.score ?? 1;
  const asked = new Set([...terms, ...subject.flatMap((t) => t.alternatives)]);
  return top.map((c, k) => {
    const matched = new Set(c.hit.matched);
    const coverage = terms.filter((t) => matched.has(t)).reduce((sum, t) => sum + retriever.idf(t), 0) / totalIdf;
    const onSubject = matchSubject(subject, matched, retriever).coverage;
    const agree = Math.max(0, ...c.entry.controls.map((id, j) => (directWeight.get(id) ?? 0) / (1 + j)));
    // Another close answer citing the same control is a second reading, unless it says the same as this one
    // (a yes/no answer beside its open answer shares its controls and words): those count once.
    const support = top.filter((o, m) => m !== k && o.entry.controls.some((id) => c.entry.controls.includes(id)) && !siblings(o.entry, c.entry)).reduce((sum, o) => sum + o.hit.score / best, 0);
    return { candidate: c, coverage, x: [1, c.hit.score / best, coverage, onSubject, agree, support, askedShare(c.entry, asked, retriever)] };
  });
}

/**
 * How much of what the answer's own question asks the customer's question asks too (by weight):
 * "How are staff laptops wiped?" shares "wipe" with "Do you erase information?" but is about laptops.
 */
function askedShare(entry: LibraryEntry, asked: Set<string>, retriever: Retriever): number {
  let best = 0;
  for (const phrasing of [entry.question, ...entry.phrasings]) {
    const terms = [...new Set(retriever.libraryIndex.terms(phrasing))];
    const total = terms.reduce((sum, t) => sum + retriever.idf(t), 0);
    if (!total) continue;
    best = Math.max(best, terms.filter((t) => asked.has(t)).reduce((sum, t) => sum + retriever.idf(t), 0) / total);
  }
  return best;
}

function rerank(question: Reading, found: Candidate[], subject: SubjectTerm[], retriever: Retriever): Ranked[] {
  return candidateFeatures(question, found, subject, retriever)
    .map(({ candidate, x, coverage }) => ({ ...candidate, coverage, p: sigmoid(x.reduce((sum, v, i) => sum + v * RERANK_WEIGHTS[i], 0)) }))
    .sort((a, b) => b.p - a.p || b.hit.score - a.hit.score);
}

/** The question's own words, and with the question it refers back to ("Are these reviewed?"). */
export interface Reading {
  text: string;
  withContext: string;
}

/** The subject must be matched, not only the generic words around it ("your", "company", "name"). */
function aboutSubject(candidate: Candidate, subject: SubjectTerm[], cited: string[], retriever: Retriever, thresholds: Thresholds): boolean {
  if (!subject.length || candidate.entry.controls.some((c) => cited.includes(c))) return true;
  const onSubject = matchSubject(subject, new Set(candidate.hit.matched), retriever);
  const needed = Math.min(thresholds.minSubjectCoverage, thresholds.minSubjectTerms / subject.length);
  return onSubject.matched.length > 0 && onSubject.coverage >= needed;
}

export function decide(question: Reading, found: Candidate[], subject: SubjectTerm[], cited: string[], retriever: Retriever, thresholds: Thresholds, kind?: QuestionKind): Judgement {
  // An answer that misses the question's subject cannot answer it, however well the rest matches:
  // it does not compete, so a candidate about the subject is chosen over it.
  const reranked = rerank(question, found, subject, retriever);
  const onTopic = reranked.filter((c) => aboutSubject(c, subject, cited, retriever, thresholds));
  const byCitation = preferCited([...onTopic, ...reranked.filter((c) => !onTopic.includes(c))], cited);
  const terms = [...new Set(retriever.libraryIndex.terms(question.text))];
  const asked = new Set([...terms, ...subject.flatMap((t) => t.alternatives)]);
  const ranked = kind === 'yes-no' ? preferSpecificDissent(question.text, preferSayingYesOrNo(byCitation, found), asked, retriever) : byCitation;
  const [best, ...closest] = ranked;
  // Candidates too far behind to compete still name the runner-up a reviewer may pick instead.
  const rest: Candidate[] = [...closest, ...found.filter((c) => !ranked.some((r) => r.entry.id === c.entry.id))];
  const runner = rest[0] ?? null;
  const matched = new Set(best.hit.matched);
  const margin = closest[0] ? Math.max(0, (best.p - closest[0].p) / best.p) : 1;
  const agreement = agrees(question.withContext, best, rest, cited, retriever);
  const confidence = round(best.p);
  const onSubject = matchSubject(subject, matched, retriever);
  const why: Why = {
    terms: terms.filter((t) => matched.has(t)),
    score: round(best.hit.score),
    coverage: round(best.coverage),
    subjectCoverage: round(onSubject.coverage),
    margin: round(margin),
    answerId: best.entry.id,
    runnerUp: runner ? { id: runner.entry.id, score: round(runner.hit.score) } : null,
    agreement,
    source: 'library',
    unknownTerms: unknownSubject(subject, retriever),
  };
  // Checked whatever the confidence: a suggestion for review must not claim the opposite either.
  const specific = (t: string) => retriever.idf(t) >= DENIED_TERM_IDF;
  // Other answers about most of the same subject: a word one of them says No to is the provider's No.
  const sameSubject = closest.filter((c) => matchSubject(subject, new Set(c.hit.matched), retriever).coverage >= 0.5);
  const opposite =
    best.entry.answer !== null &&
    (polarityDiffers(question.text, [best.entry.question, ...best.entry.phrasings]) ||
      // Who does it is asked of one thing: "Do you outsource your SOC?" is not answered by outsourced development.
      (asksWhoOrHowMuch(question.text) && onSubject.missing.length > 0) ||
      (best.entry.answer === 'Yes' && (deniedTerms(question.text, best.entry, specific).length > 0 || deniedElsewhere(question.text, best.entry, sameSubject.map((c) => c.entry), retriever.entries.values(), specific).length > 0)));
  const judged = (status: ResultStatus, reason: string | null): Judgement => ({ status, reason, confidence, best, rest, why, claims: !opposite });

  if (!aboutSubject(best, subject, cited, retriever, thresholds)) {
    return judged('unanswered', `nothing published is about "${onSubject.missing.join(', ')}" (closest: ${best.entry.id})`);
  }
  if (confidence < thresholds.review || best.coverage < thresholds.minCoverage / 2) {
    return judged('unanswered', `no good match (confidence ${confidence}, best candidate ${best.entry.id})`);
  }
  if (confidence < thresholds.answer || best.coverage < thresholds.minCoverage) {
    return judged('review', agreement ? `low confidence (${confidence}): confirm the suggested answer` : `the matched answer (${best.entry.id}) and the control catalogue point to different controls: confirm the mapping`);
  }
  if (opposite) {
    return judged('review', `the question may ask the opposite way round from the library answer (${best.entry.id}), or about more than it says (who does it, where, a weakness): check that its ${best.entry.answer} still holds`);
  }
  // A No is true of the question it was written for; asked more broadly ("Do you outsource development?"
  // against "Do external developers get production access? No") it would deny what the provider does.
  if (best.entry.answer === 'No' && askedShare(best.entry, asked, retriever) < NARROW_NO_SHARE) {
    // Its No stays off the row too: carried to a broader question it would deny a practice ("Do you run background checks?" against "…credit or financial background checks? No").
    return { ...judged('review', `the library answer (${best.entry.id}) says No to a narrower question: check that the No holds for this one`), claims: false };
  }
  return judged('answered', null);
}

/**
 * Subject words that neither the library nor the control catalogue knows, in any of their
 * thesaurus forms ("quantum widgets"). Questionnaires are full of such words around a known
 * subject, so they do not stop an answer; the public face, answering strangers' free text,
 * does not publish an answer that leaves them unexplained.
 */
function unknownSubject(subject: SubjectTerm[], retriever: Retriever): string[] {
  const known = (t: string) => retriever.libraryIndex.documentFrequency(t) > 0 || retriever.controlIndex.documentFrequency(t) > 0;
  return subject.filter((s) => !known(s.term) && !s.alternatives.some(known)).map((s) => s.term);
}

/** Controls ordered by relevance: the chosen answer's own first, then what the question's words point to. */
export function rankControls(text: string, chosen: Candidate, others: Candidate[], cited: string[], retriever: Retriever): string[] {
  const weight = new Map<string, number>();
  const add = (id: string, w: number) => weight.set(id, (weight.get(id) ?? 0) + w);
  // A control the question names itself ("A.12.4.1") outranks anything inferred from its words.
  cited.forEach((id) => add(id, 3));
  chosen.entry.controls.forEach((id, i) => add(id, 1 / (1 + i * 0.5)));
  const top = chosen.hit.score;
  for (const other of others.slice(0, 3)) {
    const ratio = other.hit.score / top;
    if (ratio >= 0.6) other.entry.controls.slice(0, 2).forEach((id, i) => add(id, (0.35 * ratio) / (1 + i)));
  }
  const hits = retriever.controls(text, 5);
  const best = hits[0]?.score ?? 1;
  hits.forEach((h, i) => add(h.id, (0.45 * h.score) / best / (1 + i * 0.5)));
  return [...weight.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([id]) => id);
}
