import { buildSearchIndex, meaningfulTerms, type SearchHit, type SearchIndex } from '../search/index.js';
import { buildThesaurus } from '../search/thesaurus.js';
import { controlRefResolver } from '../content/control-refs.js';
import { buildLookup, composeAnswer, visibleTo } from './compose.js';
import { splitCompound } from './split.js';
import type { AnswerOptions, EngineKnowledge, EngineOutput, LibraryEntry, PartResult, QuestionInput, QuestionResult, Thresholds } from './types.js';

/** Calibrated on one half of the public evaluation questionnaire; see `npm run eval`. */
export const DEFAULT_THRESHOLDS: Thresholds = { answer: 0.52, review: 0.25, minCoverage: 0.2 };

export interface Engine {
  answer(input: QuestionInput, options: AnswerOptions): QuestionResult;
  answerAll(inputs: QuestionInput[], options: AnswerOptions, onProgress?: (done: number, total: number) => void): EngineOutput;
  /** The bare retrieval, for measuring the engine's overhead against it. */
  retrieve(text: string): SearchHit[];
}

/**
 * Compliance qualifiers ("in accordance with applicable statutory, regulatory and contractual
 * obligations") end many questionnaire questions whatever their subject. They still count when
 * they are all a question says, but next to a real subject they must not pull the legal answers up.
 */
const QUALIFIERS = new Set(meaningfulTerms('accordance applicable statutory regulatory contractual legal law laws regulation regulations obligations requirements requirement compliance comply'));
const QUALIFIER_BOOST = 0.3;

interface Candidate {
  entry: LibraryEntry;
  hit: SearchHit;
}

export function buildEngine(knowledge: EngineKnowledge): Engine {
  const thesaurus = buildThesaurus(knowledge.thesaurus);
  const controlText = new Map(knowledge.controls.map((c) => [c.id, `${c.title} ${c.keywords.join(' ')}`]));
  const libraryIndex = buildSearchIndex(
    knowledge.library.map((e) => ({
      id: e.id,
      fields: {
        question: e.question,
        phrasings: e.phrasings.join(' \n '),
        explanation: e.explanation,
        controls: e.controls.map((c) => controlText.get(c) ?? '').join(' '),
      },
    })),
    { question: 4, phrasings: 3, explanation: 1, controls: 1 },
    thesaurus,
  );
  const controlIndex = buildSearchIndex(
    knowledge.controls.map((c) => ({ id: c.id, fields: { title: c.title, keywords: c.keywords.join(' \n '), description: c.description } })),
    { title: 3, keywords: 2, description: 1 },
    thesaurus,
  );
  const entries = new Map(knowledge.library.map((e) => [e.id, e]));
  const lookup = buildLookup(knowledge);
  const maxIdf = Math.log(1 + knowledge.library.length);
  const refs = controlRefResolver(knowledge.controls.map((c) => c.id), knowledge.mappings ?? []);

  function idf(index: SearchIndex, term: string): number {
    const df = index.documentFrequency(term);
    return df === 0 ? maxIdf : Math.log(1 + index.size / df);
  }

  /** Qualifiers weigh less only when the question has a subject of its own. */
  function downweightFor(text: string) {
    const terms = libraryIndex.terms(text);
    return terms.some((t) => !QUALIFIERS.has(t)) ? { terms: QUALIFIERS, boost: QUALIFIER_BOOST } : undefined;
  }

  function candidates(text: string, options: AnswerOptions): Candidate[] {
    return libraryIndex
      .search(text, { limit: 40, downweight: downweightFor(text) })
      .map((hit) => ({ hit, entry: entries.get(hit.id)! }))
      .filter((c) => visibleTo(options.audience, c.entry.access))
      .sort((a, b) => b.hit.score - a.hit.score || (a.entry.id < b.entry.id ? -1 : 1));
  }

  /** Controls ordered by relevance: the chosen answer's own first, then what the question's words point to. */
  function rankControls(text: string, chosen: Candidate, others: Candidate[], cited: string[]): string[] {
    const weight = new Map<string, number>();
    const add = (id: string, w: number) => weight.set(id, (weight.get(id) ?? 0) + w);
    // A control the question names itself ("A.12.4.1") outranks anything inferred from its words.
    cited.forEach((id) => add(id, 3));
    chosen.entry.controls.forEach((id, i) => add(id, 1 / (1 + i * 0.5)));
    const top = chosen.hit.score;
    for (const other of others.slice(0, 3)) {
      const ratio = other.hit.score / top;
      if (ratio >= 0.6) other.entry.controls.slice(0, 2).forEach((id, i) => add(id, 0.35 * ratio / (1 + i)));
    }
    const hits = controlIndex.search(text, { limit: 5, downweight: downweightFor(text) });
    const best = hits[0]?.score ?? 1;
    hits.forEach((h, i) => add(h.id, (0.45 * h.score) / best / (1 + i * 0.5)));
    return [...weight.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([id]) => id);
  }

  /**
   * Two independent readings of the question agree: the matched answer's controls are among
   * the controls whose own descriptions the question matches best, or a close runner-up answer
   * cites the same control. When they disagree, the mapping is wrong about twice as often.
   */
  function agrees(text: string, best: Candidate, rest: Candidate[], cited: string[]): boolean {
    if (best.entry.controls.some((c) => cited.includes(c))) return true;
    const direct = new Set(controlIndex.search(text, { limit: 3, downweight: downweightFor(text) }).map((h) => h.id));
    if (best.entry.controls.some((c) => direct.has(c))) return true;
    return rest.slice(0, 2).some((o) => o.hit.score / best.hit.score > 0.7 && o.entry.controls.some((c) => best.entry.controls.includes(c)));
  }

  /** When the question names a control, a close candidate answering for that control goes first. */
  function preferCited(found: Candidate[], cited: string[]): Candidate[] {
    if (!cited.length) return found;
    const top = found[0].hit.score;
    const match = found.slice(0, 10).find((c) => c.hit.score >= 0.5 * top && c.entry.controls.some((id) => cited.includes(id)));
    return match ? [match, ...found.filter((c) => c !== match)] : found;
  }

  function answerPart(question: string, options: AnswerOptions, besideRefs: string[] = []): PartResult {
    const thresholds = { ...DEFAULT_THRESHOLDS, ...options.thresholds };
    const terms = [...new Set(libraryIndex.terms(question))];
    const found = candidates(question, options);
    const empty: PartResult = {
      question,
      status: 'unanswered',
      reason: 'no match in the answer library',
      answer: null,
      text: null,
      confidence: 0,
      controls: [],
      citations: [],
      why: { terms: [], score: 0, coverage: 0, margin: 0, answerId: null, runnerUp: null, agreement: false },
    };
    if (terms.length === 0 || found.length === 0) return { ...empty, reason: terms.length === 0 ? 'the question has no words to match' : empty.reason };

    const cited = refs.refsIn([question, ...besideRefs].join(' '));
    const [best, ...rest] = preferCited(found, cited);
    const runner = rest[0] ?? null;
    const matched = new Set(best.hit.matched);
    const totalIdf = terms.reduce((s, t) => s + idf(libraryIndex, t), 0);
    const coverage = terms.filter((t) => matched.has(t)).reduce((s, t) => s + idf(libraryIndex, t), 0) / totalIdf;
    const margin = runner ? (best.hit.score - runner.hit.score) / best.hit.score : 1;
    const strength = Math.min(1, best.hit.score / (4 + 2 * terms.length));
    const agreement = agrees(question, best, rest, cited);
    // Weights fitted on the calibration half of the evaluation set (npm run eval): agreement
    // between the two independent signals predicts a right mapping better than any score alone.
    const confidence = Math.round((0.45 * coverage + 0.1 * margin + 0.15 * strength + 0.3 * (agreement ? 1 : 0)) * 100) / 100;
    const controls = rankControls(question, best, rest, cited);
    const why = {
      terms: terms.filter((t) => matched.has(t)),
      score: Math.round(best.hit.score * 100) / 100,
      coverage: Math.round(coverage * 100) / 100,
      margin: Math.round(margin * 100) / 100,
      answerId: best.entry.id,
      runnerUp: runner ? { id: runner.entry.id, score: Math.round(runner.hit.score * 100) / 100 } : null,
      agreement,
    };

    if (confidence < thresholds.review || coverage < thresholds.minCoverage / 2) {
      return { ...empty, confidence, why, reason: `no good match (confidence ${confidence}, best candidate ${best.entry.id})` };
    }
    const composed = composeAnswer(lookup, best.entry, controls, question, options);
    let status: PartResult['status'] = 'answered';
    let reason: string | null = null;
    if (composed.reviewReason) [status, reason] = ['review', composed.reviewReason];
    else if (!agreement && confidence < thresholds.answer) [status, reason] = ['review', `the matched answer (${best.entry.id}) and the control catalogue point to different controls: confirm the mapping`];
    else if (confidence < thresholds.answer || coverage < thresholds.minCoverage) [status, reason] = ['review', `low confidence (${confidence}): confirm the suggested answer`];
    return { question, status, reason, answer: composed.answer, text: composed.text, confidence, controls, citations: composed.citations, why };
  }

  function answer(input: QuestionInput, options: AnswerOptions): QuestionResult {
    const whole = answerPart(input.question, options, input.refs);
    const pieces = splitCompound(input.question);
    if (pieces.length > 1) {
      const parts = pieces.map((p) => answerPart(p, options, input.refs));
      const distinct = new Set(parts.map((p) => p.why.answerId));
      if (parts.every((p) => p.why.answerId) && distinct.size === parts.length) return combine(input, parts);
    }
    return { id: input.id, sheet: input.sheet, row: input.row, ...whole, question: input.question };
  }

  function answerAll(inputs: QuestionInput[], options: AnswerOptions, onProgress?: (done: number, total: number) => void): EngineOutput {
    const questions: QuestionResult[] = [];
    inputs.forEach((input, i) => {
      questions.push(answer(input, options));
      onProgress?.(i + 1, inputs.length);
    });
    return { summary: summarise(questions), questions };
  }

  return { answer, answerAll, retrieve: (text) => libraryIndex.search(text, { limit: 40 }) };
}

const statusOrder = { unanswered: 0, review: 1, answered: 2 } as const;

/** A compound question: each part answered on its own; the whole is only as sure as its weakest part. */
function combine(input: QuestionInput, parts: PartResult[]): QuestionResult {
  const weakest = parts.reduce((a, b) => (statusOrder[b.status] < statusOrder[a.status] ? b : a));
  const answers = new Set(parts.map((p) => p.answer));
  const controls = [...new Set(interleave(parts.map((p) => p.controls)))];
  const seen = new Set<string>();
  const citations = parts.flatMap((p) => p.citations).filter((c) => !seen.has(`${c.kind}:${c.id}`) && seen.add(`${c.kind}:${c.id}`));
  return {
    id: input.id,
    sheet: input.sheet,
    row: input.row,
    question: input.question,
    status: weakest.status,
    reason: weakest.status === 'answered' ? null : `part "${weakest.question}": ${weakest.reason}`,
    answer: answers.size === 1 ? parts[0].answer : parts.some((p) => p.answer === 'Yes') ? 'Partial' : (parts[0].answer ?? null),
    text: parts.map((p) => p.text).filter(Boolean).join(' '),
    confidence: Math.min(...parts.map((p) => p.confidence)),
    controls,
    citations,
    parts,
    why: { ...weakest.why, terms: [...new Set(parts.flatMap((p) => p.why.terms))] },
  };
}

function interleave(lists: string[][]): string[] {
  const out: string[] = [];
  for (let i = 0; i < Math.max(0, ...lists.map((l) => l.length)); i++) for (const l of lists) if (l[i]) out.push(l[i]);
  return out;
}

export function summarise(questions: { status: PartResult['status'] }[]): EngineOutput['summary'] {
  return {
    total: questions.length,
    answered: questions.filter((q) => q.status === 'answered').length,
    review: questions.filter((q) => q.status === 'review').length,
    unanswered: questions.filter((q) => q.status === 'unanswered').length,
  };
}
