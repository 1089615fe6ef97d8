import { controlRefResolver } from '../content/control-refs.js';
import type { SearchHit } from '../search/index.js';
import { classifyKind, isEventQuestion, quantitiesIn, type Quantity, type QuestionKind } from './classify.js';
import { buildLookup, composeAnswer, composeResponsibility, evidenceCitations, type Composed } from './compose.js';
import { decide, emptyWhy, rankControls, type Judgement } from './decide.js';
import { answerFromDisclosures, type DisclosureAnswer } from './disclosures.js';
import { answerField } from './fields.js';
import { buildNamedThingFinder, type NamedEntry, type NamedThing } from './named-things.js';
import { buildRetriever, thingKey, type Candidate } from './retrieve.js';
import { asksSeveralQuestions, splitCompound } from './split.js';
import { asksMoreThan, genericTermSet, isGenericOnly, matchSubject, subjectOf } from './subject.js';
import { CONTEXT_BOOST, DEFAULT_THRESHOLDS, DISCLOSURE_CONFIDENCE } from './thresholds.js';
import type { AnswerOptions, EngineKnowledge, EngineOutput, LibraryEntry, PartResult, QuestionInput, QuestionResult, Summary } from './types.js';

export { DEFAULT_THRESHOLDS };

export interface Engine {
  answer(input: QuestionInput, options: AnswerOptions): QuestionResult;
  answerAll(inputs: QuestionInput[], options: AnswerOptions, onProgress?: (done: number, total: number) => void): EngineOutput;
  /** The bare retrieval, for measuring the engine's overhead against it. */
  retrieve(text: string): SearchHit[];
  libraryEntry(id: string): LibraryEntry | undefined;
}

const EMPTY_LEXICONS = { frameworks: [], dataTypes: [], capabilities: [], genericWords: [], places: { countries: [], groups: [] } };
/** Named things a source must name too; a service named in a question only picks the service. */
const MUST_MATCH: NamedThing['kind'][] = ['framework', 'data-type', 'capability', 'place', 'region', 'subprocessor'];

function namedEntries(knowledge: EngineKnowledge): NamedEntry[] {
  const lexicons = knowledge.lexicons ?? EMPTY_LEXICONS;
  const disclosures = knowledge.disclosures;
  return [
    ...lexicons.frameworks.map((f) => ({ kind: 'framework' as const, id: f.id, name: f.name, phrases: f.aliases })),
    ...lexicons.dataTypes.map((d) => ({ kind: 'data-type' as const, id: d.id, name: d.name, phrases: d.aliases })),
    ...lexicons.capabilities.map((c) => ({ kind: 'capability' as const, id: c.id, name: c.name, phrases: c.aliases })),
    ...lexicons.places.countries.map((c) => ({ kind: 'place' as const, id: c.id, name: c.name, phrases: c.aliases })),
    ...lexicons.places.groups.map((g) => ({ kind: 'place' as const, id: g.id, name: g.name, phrases: g.aliases })),
    ...(disclosures?.regions ?? []).map((r) => ({ kind: 'region' as const, id: r.id, name: r.name, phrases: r.city ? [r.city] : [] })),
    // "Helix Colocation" names "Helix Colocation SE": people drop the legal form.
    ...(disclosures?.subprocessors ?? []).map((s) => ({ kind: 'subprocessor' as const, id: s.id, name: s.name, phrases: [s.name.replace(LEGAL_FORM, '').trim()] })),
    // "Managed PostgreSQL" names "Nimbus Managed PostgreSQL"; a single word left ("Compute") is too common to.
    ...knowledge.services.map((s) => ({ kind: 'service' as const, id: s.id, name: s.name, phrases: s.name.split(/\s+/).length > 2 ? [s.name.split(/\s+/).slice(1).join(' ')] : [] })),
  ];
}

const LEGAL_FORM = /[,\s]+(se|ag|gmbh|inc\.?|ltd\.?|limited|llc|plc|b\.v\.|bv|n\.v\.|sa|sas|s\.a\.|srl|oy|ab|as|aps|kk|pte\.? ltd\.?|pty\.? ltd\.?|corp\.?|corporation|co\.?)$/i;

/** Anaphora and "if so" make a question lean on the one before it. */
const DEPENDENT = /\b(these|this|those|such|they|them|it|its|the above|the same|if so|if yes|if not|if no|the scope|the plan|the policy|the process|the procedure|the program|the programme)\b/i;

interface PartInput {
  text: string;
  refs: string[];
  section: string | null;
  previous: string | null;
  vocabulary: string[] | null;
}

/**
 * The engine as DESIGN's pipeline: classify (kind, named things, subject) → retrieve (library
 * and disclosures) → decide → compose. Each step is a pure function of the knowledge and the
 * question; the same input, content and clock give the same output.
 */
export function buildEngine(knowledge: EngineKnowledge): Engine {
  const lexicons = knowledge.lexicons ?? EMPTY_LEXICONS;
  const finder = buildNamedThingFinder(namedEntries(knowledge));
  const retriever = buildRetriever(knowledge, finder);
  const lookup = buildLookup(knowledge);
  const generic = genericTermSet(lexicons.genericWords);
  const refs = controlRefResolver(knowledge.controls.map((c) => c.id), knowledge.mappings ?? []);
  const providerName = typeof knowledge.profile?.name === 'string' ? knowledge.profile.name : 'The provider';

  // The register links evidence to controls through the library answers that cite both.
  const evidenceByControl = new Map<string, Set<string>>();
  for (const entry of knowledge.library) {
    for (const control of entry.controls) for (const id of entry.evidence) evidenceByControl.set(control, (evidenceByControl.get(control) ?? new Set()).add(id));
  }
  const evidenceFor = (options: AnswerOptions) => ({
    cite: (ids: string[]) => evidenceCitations(lookup, ids, options).citations,
    ofControl: (controlId: string) => [...(evidenceByControl.get(controlId) ?? [])],
  });

  function unanswered(question: string, kind: QuestionKind, reason: string, why = emptyWhy()): PartResult {
    return { question, kind, status: 'unanswered', reason, answer: null, text: null, confidence: 0, controls: [], citations: [], ownership: null, customerDuty: null, why };
  }

  function fromDisclosure(question: string, kind: QuestionKind, found: DisclosureAnswer, controls: string[]): PartResult {
    return {
      question,
      kind,
      status: found.reviewReason ? 'review' : 'answered',
      reason: found.reviewReason,
      answer: kind === 'yes-no' ? found.answer : null,
      text: found.text,
      confidence: DISCLOSURE_CONFIDENCE,
      controls: [...new Set([...controls, ...(found.controls ?? [])])],
      citations: found.citations,
      ownership: null,
      customerDuty: null,
      why: { ...emptyWhy(), source: found.source },
    };
  }

  /** Candidates that may answer: about every named thing the question names, and of a fitting kind. */
  function qualified(question: string, found: Candidate[], named: NamedThing[], event: boolean, kind: QuestionKind, citesControls: boolean): Candidate[] {
    // "(ISO 27001 A.12.6.1)" names the standard only to number a control: the control is the subject.
    const required = named.filter((n) => MUST_MATCH.includes(n.kind) && !(citesControls && n.kind === 'framework')).map(thingKey);
    return found.filter((c) => {
      if (event !== (c.entry.kind === 'event')) return false;
      if ((kind === 'field') !== (c.entry.kind === 'field')) return false;
      // A No stating no figure says the practice is not done at any: "Do you force password changes? No" answers "…every 30 days?".
      if (quantityCheck(question, c.entry.id) === 'absent' && c.entry.answer !== 'No') return false;
      const names = retriever.facts.get(c.entry.id)!.named;
      return required.every((key) => names.has(key));
    });
  }

  /** A question giving a number or period is answered by a source stating the same kind of figure. */
  function quantityCheck(question: string, entryId: string): 'same' | 'other' | 'none' | 'absent' {
    const asked = quantitiesIn(question);
    if (!asked.length) return 'none';
    const stated = retriever.facts.get(entryId)!.quantities;
    const sameUnit = stated.filter((s) => asked.some((a) => a.unit === s.unit));
    if (!sameUnit.length) return 'absent';
    // Durations are compared loosely (a quarter is 90 or 91 days); a percentage exactly: 99.95 % is not 100 %.
    const close = (s: Quantity, a: Quantity) => Math.abs(s.value - a.value) <= (a.unit === 'percent' ? 1e-6 : 0.01 * Math.max(1, a.value));
    // "within 72 hours" is met by "within 48 hours", "at least 12 characters" by "at least 14".
    const bounds = new Map(asked.map((a) => [a, a.unit.startsWith('version:') ? null : boundOf(question, a)]));
    const fits = (s: Quantity, a: Quantity) => {
      const bound = bounds.get(a);
      return bound === 'upper' ? s.value <= a.value || close(s, a) : bound === 'lower' ? s.value >= a.value || close(s, a) : close(s, a);
    };
    if (!asked.every((a) => sameUnit.some((s) => fits(s, a)))) return 'other';
    // "Are backups tested daily?" against "daily snapshots … restores tested quarterly": with several figures stated, the asked one may belong to something else.
    // Several versions stated are the ones supported ("TLS 1.2 and 1.3"), so each asked one being among them is enough.
    return sameUnit.every((s) => s.unit.startsWith('version:') || asked.some((a) => fits(s, a))) ? 'same' : 'other';
  }

  /** Whether the question gives its figure as a limit: "within 72 hours", "at least 12 characters", "99.9 % or more". */
  function boundOf(question: string, quantity: Quantity): 'upper' | 'lower' | null {
    const t = question.toLowerCase();
    const at = t.indexOf(quantity.text);
    if (at < 0) return null;
    const before = t.slice(Math.max(0, at - 24), at);
    const after = t.slice(at + quantity.text.length, at + quantity.text.length + 16);
    if (/\b(within|under|less than|no more than|at most|up to|below|maximum of|no later than)\s*$/.test(before) || /^\s*(or less|or fewer|or sooner|or under)\b/.test(after)) return 'upper';
    if (/\b(at least|a minimum of|minimum of|more than|over|above|no less than|no fewer than|longer than)\s*$/.test(before) || /^\s*(or more|or longer|or greater|or higher)\b/.test(after)) return 'lower';
    return null;
  }

  /** "(ISO 27001 A.12.6.1)" names a control, not a subject. */
  function withoutControlNumbers(text: string): string {
    return text.replace(/\b(?:ISO(?:\/IEC)?\s*)?2700[1-9](?::20\d\d)?\b|\b(?:A\.)?\d{1,2}(?:\.\d{1,2}){1,2}\b|\bCLD\.[\d.]+\d\b|\bISO\b/gi, ' ');
  }

  function answerPart(input: PartInput, options: AnswerOptions): PartResult {
    const thresholds = { ...DEFAULT_THRESHOLDS, ...options.thresholds };
    const question = input.text;
    const read = classifyKind(question, { vocabulary: input.vocabulary });
    const kind = read.kind;
    if (kind === 'not-a-question') return unanswered(question, kind, `not a question: ${read.reason}`);
    const named = finder.find(question);
    const namedService = named.find((n) => n.kind === 'service');
    const partOptions = !options.service && namedService && named.filter((n) => n.kind === 'service').length === 1 ? { ...options, service: namedService.id } : options;
    const cited = refs.refsIn([question, ...input.refs].join(' '));

    if (kind === 'field') {
      const value = answerField(question, knowledge.profile, knowledge.facts);
      if (value) return { ...unanswered(question, kind, ''), status: 'answered', reason: null, text: value.text, confidence: DISCLOSURE_CONFIDENCE, citations: value.citations, why: { ...emptyWhy(), source: 'profile' } };
    }
    const event = isEventQuestion(question);
    if (!event && knowledge.disclosures) {
      const found = answerFromDisclosures({ text: question, kind, named }, { disclosures: knowledge.disclosures, lexicons, services: knowledge.services, providerName, options: partOptions, facts: knowledge.facts ?? {}, evidence: evidenceFor(partOptions) });
      if (found) return fromDisclosure(question, kind, found, cited);
    }

    // "Are these reviewed annually?" is about what the question before it named.
    const refersBack = Boolean(input.previous) && DEPENDENT.test(question);
    const short = question.split(/\s+/).length <= 6;
    const controlTitles = cited.map((id) => lookup.controlTitle.get(id) ?? '').join(' ');
    const context = { previous: refersBack || short ? input.previous : null, previousBoost: refersBack ? CONTEXT_BOOST.referent : CONTEXT_BOOST.previous, section: input.section, controls: controlTitles };
    const genericOnly = !refersBack && isGenericOnly(withoutControlNumbers(question), generic, retriever);
    // Generic words beside a control number: the control's title says what they are about.
    const reading = refersBack ? `${question} ${input.previous}` : genericOnly && cited.length ? `${question} ${controlTitles}` : question;
    const subject = subjectOf(reading, generic, retriever);
    const all = retriever.candidates(genericOnly && cited.length ? reading : question, partOptions.audience, context);
    const found = qualified(question, all, named, event, kind, cited.length > 0);
    if (subject.length === 0 && cited.length === 0) return unanswered(question, kind, 'the question names nothing specific to answer (only generic words)');
    if (found.length === 0) {
      if (event) return unanswered(question, kind, 'a question about an event (a breach, a fine, litigation): only an answer written for that event, with its date, may answer it');
      const names = named.filter((n) => MUST_MATCH.includes(n.kind));
      if (names.length && all.length) return unanswered(question, kind, `nothing published is about ${names.map((n) => n.name).join(', ')}`);
      if (kind === 'field') return unanswered(question, kind, 'the provider profile does not hold this value');
      if (quantitiesIn(question).length && all.length) return unanswered(question, kind, 'the question gives a figure or period that no published answer states');
      return unanswered(question, kind, 'no match in the answer library');
    }

    const judgement = decide({ text: genericOnly && cited.length ? reading : question, withContext: reading }, found, subject, cited, retriever, thresholds, kind);
    if (judgement.status === 'unanswered') return unanswered(question, kind, judgement.reason ?? 'no good match', judgement.why);
    const best = judgement.best;
    // "Do you use subprocessors? Are they located in the EU?": "they" stands for what the question before named, which the answer must be about.
    if (refersBack && input.previous && question.split(/\s+/).length <= 10 && matchSubject(subjectOf(input.previous, generic, retriever), new Set(best.hit.matched), retriever).matched.length === 0) {
      return unanswered(question, kind, `the question refers back to "${input.previous}", and the closest answer (${best.entry.id}) is not about that`, judgement.why);
    }
    if (genericOnly && !cited.length && asksMoreThan([best.entry.question, ...best.entry.phrasings], question, generic, retriever)) {
      return unanswered(question, kind, `the question is too general to answer: it names no subject (closest: ${best.entry.id}, which is about more)`, judgement.why);
    }
    const controls = rankControls(question, best, judgement.rest, cited, retriever);

    let composed: Composed | null;
    if (kind === 'responsibility') composed = composeResponsibility(lookup, best.entry.controls[0] ?? controls[0], partOptions);
    else composed = composeAnswer(lookup, best.entry, controls, kind, partOptions);
    if (!composed) return unanswered(question, kind, 'the responsibility matrix does not describe this control', judgement.why);
    return finish(question, kind, judgement, composed, controls, quantityCheck(question, best.entry.id));
  }

  function finish(question: string, kind: QuestionKind, judgement: Judgement, composed: Composed, controls: string[], quantity: ReturnType<typeof quantityCheck>): PartResult {
    let status = judgement.status;
    let reason = judgement.reason;
    if (composed.reviewReason) [status, reason] = ['review', composed.reviewReason];
    else if (quantity === 'other' && status === 'answered') [status, reason] = ['review', 'the question gives a figure or period: check it against the one the answer states'];
    return {
      question,
      kind,
      status,
      reason,
      // A Yes or No carried to a question asking the other way round, or about another figure, would claim what nobody said.
      answer: judgement.claims && quantity !== 'other' ? composed.answer : null,
      text: composed.text,
      confidence: judgement.confidence,
      controls,
      citations: composed.citations,
      ownership: composed.ownership,
      customerDuty: composed.customerDuty,
      why: judgement.why,
    };
  }

  function answer(input: QuestionInput, options: AnswerOptions): QuestionResult {
    const base: PartInput = { text: input.question, refs: input.refs ?? [], section: input.section ?? null, previous: input.previous ?? null, vocabulary: input.vocabulary ?? null };
    const whole = answerPart(base, options);
    const pieces = whole.kind === 'not-a-question' ? [] : splitCompound(input.question);
    if (pieces.length > 1) {
      let previous = input.previous ?? null;
      const parts = pieces.map((p) => {
        const part = answerPart({ ...base, text: p, previous }, options);
        previous = p;
        return part;
      });
      const distinct = new Set(parts.map((p) => p.why.answerId ?? p.why.source));
      // Each of several questions must be answered; the whole would claim for the part nothing answers.
      if (asksSeveralQuestions(input.question) || (parts.every((p) => p.why.answerId || p.why.source) && distinct.size === parts.length)) return combine(input, parts);
    }
    return { id: input.id, sheet: input.sheet, row: input.row, ...whole, question: input.question };
  }

  function answerAll(inputs: QuestionInput[], options: AnswerOptions, onProgress?: (done: number, total: number) => void): EngineOutput {
    const questions = inputs.map((input, i) => {
      const result = answer(input, options);
      onProgress?.(i + 1, inputs.length);
      return result;
    });
    return { summary: summarise(questions), questions };
  }

  return { answer, answerAll, retrieve: (text) => retriever.libraryIndex.search(text, { limit: 40 }), libraryEntry: (id) => retriever.entries.get(id) };
}

const statusOrder = { unanswered: 0, review: 1, answered: 2 } as const;

/**
 * A compound question: each part answered on its own; the whole is only as sure as its weakest
 * part, and an answer stitched from several library entries is always reviewed by a person.
 */
function combine(input: QuestionInput, parts: PartResult[]): QuestionResult {
  const weakest = parts.reduce((a, b) => (statusOrder[b.status] < statusOrder[a.status] ? b : a));
  const yesNo = parts.filter((p) => p.kind === 'yes-no');
  const answers = new Set(yesNo.map((p) => p.answer));
  const controls = [...new Set(interleave(parts.map((p) => p.controls)))];
  const seen = new Set<string>();
  const citations = parts.flatMap((p) => p.citations).filter((c) => !seen.has(`${c.kind}:${c.id}`) && seen.add(`${c.kind}:${c.id}`));
  const stitched = new Set(parts.map((p) => p.why.answerId).filter(Boolean)).size > 1;
  let status = weakest.status;
  let reason = weakest.status === 'answered' ? null : `part "${weakest.question}": ${weakest.reason}`;
  if (status === 'answered' && stitched) [status, reason] = ['review', `stitched from ${parts.length} library answers: check that together they answer the question`];
  const kind: QuestionKind = yesNo.length ? 'yes-no' : parts[0].kind;
  // A part without a Yes or No (unanswered, or one that would claim the opposite) leaves the whole without one: a Partial would claim it.
  const unclaimed = status === 'unanswered' || yesNo.some((p) => p.answer === null);
  // A No read from a published list (a certification not held, no region there) makes "A and B?" untrue, not partly true.
  const listedNo = yesNo.some((p) => p.answer === 'No' && p.why.source !== null && p.why.source !== 'library');
  const answer = !yesNo.length || unclaimed ? null : answers.size === 1 ? yesNo[0].answer : listedNo ? 'No' : yesNo.some((p) => p.answer === 'Yes') ? 'Partial' : (yesNo[0].answer ?? null);
  const owners = new Set(parts.map((p) => p.ownership));
  return {
    id: input.id,
    sheet: input.sheet,
    row: input.row,
    question: input.question,
    kind,
    status,
    reason,
    answer: answer ?? null,
    text: parts.map((p) => p.text).filter(Boolean).join(' '),
    confidence: Math.min(...parts.map((p) => p.confidence)),
    controls,
    citations,
    ownership: owners.size === 1 ? parts[0].ownership : null,
    customerDuty: [...new Set(parts.map((p) => p.customerDuty).filter(Boolean))].join(' ') || null,
    parts,
    why: { ...weakest.why, terms: [...new Set(parts.flatMap((p) => p.why.terms))] },
  };
}

function interleave(lists: string[][]): string[] {
  const out: string[] = [];
  for (let i = 0; i < Math.max(0, ...lists.map((l) => l.length)); i++) for (const l of lists) if (l[i]) out.push(l[i]);
  return out;
}

export function summarise(questions: { status: PartResult['status']; kind?: QuestionKind }[]): Summary {
  const notAQuestion = questions.filter((q) => q.kind === 'not-a-question').length;
  return {
    total: questions.length,
    answered: questions.filter((q) => q.status === 'answered').length,
    review: questions.filter((q) => q.status === 'review').length,
    unanswered: questions.filter((q) => q.status === 'unanswered' && q.kind !== 'not-a-question').length,
    notAQuestion,
  };
}
