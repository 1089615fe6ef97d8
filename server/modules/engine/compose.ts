import type { Party, ShortAnswer } from '../content/tables.js';
import { freshnessOf } from '../evidence/freshness.js';
import type { QuestionKind } from './classify.js';
import { visibleTo } from './retrieve.js';
import type { AnswerOptions, Citation, EngineKnowledge, LibraryEntry, Ownership, ResponsibilityEntry } from './types.js';

export { visibleTo };

export interface Composed {
  answer: ShortAnswer | null;
  text: string;
  citations: Citation[];
  ownership: Ownership;
  customerDuty: string | null;
  /** Set when the answer must be confirmed by a person, and why. */
  reviewReason: string | null;
}

export interface Lookup {
  knowledge: EngineKnowledge;
  controlTitle: Map<string, string>;
  evidence: Map<string, EngineKnowledge['evidence'][number]>;
  responsibility: Map<string, ResponsibilityEntry>;
  /** Control → how the provider runs it for itself. */
  isms: Map<string, string>;
  serviceName: Map<string, string>;
}

export function buildLookup(knowledge: EngineKnowledge): Lookup {
  return {
    knowledge,
    controlTitle: new Map(knowledge.controls.map((c) => [c.id, c.title])),
    evidence: new Map(knowledge.evidence.map((e) => [e.id, e])),
    responsibility: new Map(knowledge.responsibilities.map((r) => [`${r.controlId}|${r.serviceId}`, r])),
    isms: new Map((knowledge.isms ?? []).map((p) => [p.controlId, p.provider])),
    serviceName: new Map(knowledge.services.map((s) => [s.id, s.name])),
  };
}

const encodeId = encodeURIComponent;

/** Who owns a control: on the chosen service, or where every service agrees. */
export function ownershipOf(lookup: Lookup, controlId: string | undefined, service: string | null): Ownership {
  if (!controlId) return null;
  if (service) return lookup.responsibility.get(`${controlId}|${service}`)?.party ?? null;
  const parties = new Set<Party>();
  for (const s of lookup.knowledge.services) {
    const duty = lookup.responsibility.get(`${controlId}|${s.id}`);
    if (duty) parties.add(duty.party);
  }
  return parties.size === 1 ? [...parties][0] : null;
}

/** The customer's part of one control: on the chosen service, or the words every service shares. */
function customerTextOf(lookup: Lookup, controlId: string, service: string | null): string | null {
  if (service) return lookup.responsibility.get(`${controlId}|${service}`)?.customer?.trim() || null;
  const texts = new Set<string>();
  for (const s of lookup.knowledge.services) {
    const duty = lookup.responsibility.get(`${controlId}|${s.id}`);
    if (duty) texts.add(duty.customer?.trim() ?? '');
  }
  const [only] = texts;
  return texts.size === 1 && only ? only : null;
}

/**
 * What the customer does for the controls an answer rests on (at most the first three), in the
 * matrix's words; a "customer responsibilities" column carries it beside the ownership.
 */
export function customerDutyOf(lookup: Lookup, controlIds: string[], service: string | null): string | null {
  const texts = [...new Set(controlIds.slice(0, 3).map((id) => customerTextOf(lookup, id, service)).filter((t): t is string => Boolean(t)))];
  return texts.length ? texts.join(' ') : null;
}

function controlCitations(lookup: Lookup, controls: string[]): Citation[] {
  return controls.slice(0, 3).map((id) => ({ kind: 'control' as const, id, title: lookup.controlTitle.get(id) ?? id, url: `/controls/${encodeId(id)}` }));
}

function responsibilityCitation(lookup: Lookup, duty: ResponsibilityEntry): Citation {
  const serviceName = lookup.serviceName.get(duty.serviceId) ?? duty.serviceId;
  return {
    kind: 'responsibility',
    id: `${duty.controlId}|${duty.serviceId}`,
    title: `${lookup.controlTitle.get(duty.controlId) ?? duty.controlId} — ${serviceName}: ${duty.party}`,
    url: `/responsibility?service=${encodeId(duty.serviceId)}#${encodeId(duty.controlId)}`,
  };
}

/** Evidence behind an answer: only what the audience may see, and only what is current. */
export function evidenceCitations(lookup: Lookup, ids: string[], options: AnswerOptions): { citations: Citation[]; allStale: boolean } {
  const visible = ids.map((id) => lookup.evidence.get(id)).filter((e): e is NonNullable<typeof e> => Boolean(e) && visibleTo(options.audience, e!.access));
  const current = visible.filter((e) => freshnessOf(e.reviewBy, options.today, options.expiringWithinDays) !== 'stale');
  return {
    citations: current.map((e) => ({ kind: 'evidence' as const, id: e.id, title: e.title, url: `/documents#${encodeId(e.id)}`, access: e.access })),
    allStale: visible.length > 0 && current.length === 0,
  };
}

/**
 * The answer to one question from one library entry, for the question's kind: a canonical
 * short answer only for yes/no questions answered by a yes/no entry; responsibility-aware for
 * the chosen service; citing only what the audience may see and only evidence that is current.
 */
export function composeAnswer(lookup: Lookup, entry: LibraryEntry, controls: string[], kind: QuestionKind, options: AnswerOptions): Composed {
  const citations: Citation[] = [
    { kind: 'answer', id: entry.id, title: entry.question, url: `/admin/library/${encodeId(entry.id)}`, access: entry.access },
    ...controlCitations(lookup, controls),
  ];
  let answer: ShortAnswer | null = entry.answer;
  let text = entry.explanation;
  let reviewReason: string | null = null;
  const service = options.service;
  const primary = entry.controls[0] ?? controls[0];
  if (service) {
    const serviceName = lookup.serviceName.get(service) ?? service;
    const override = entry.services[service];
    const duty = primary ? lookup.responsibility.get(`${primary}|${service}`) : undefined;
    if (override) {
      answer = override.answer ?? answer;
      text = override.explanation ?? text;
    } else if (duty?.party === 'not-applicable' && primary && lookup.isms.has(primary)) {
      // "Do you …?" asks about the provider: it runs the control for itself even where the service has no part in it.
      text = `${text} ${lookup.isms.get(primary)} (On ${serviceName} the control itself does not apply: ${duty.reason ?? ''})`.trim();
    } else if (duty?.party === 'not-applicable') {
      answer = 'N/A';
      text = `Not applicable to ${serviceName}: ${duty.reason ?? ''}`.trim();
    } else if (duty?.party === 'customer' && duty.customer) {
      // The provider may still do the same for itself; the answer stays, the customer's part is added.
      text = `${text} On ${serviceName}, doing this for your own resources is your responsibility: ${duty.customer}`;
    }
    if (duty) citations.push(responsibilityCitation(lookup, duty));
  } else {
    const differences = Object.entries(entry.services).filter(([, o]) => o.answer && o.answer !== entry.answer);
    if (differences.length) {
      text += ` By service: ${differences.map(([id, o]) => `${lookup.serviceName.get(id) ?? id} — ${o.answer}${o.explanation ? `: ${o.explanation}` : ''}`).join(' ')}`;
    }
  }

  if (kind !== 'yes-no') answer = null;
  else if (entry.kind !== 'yes-no') {
    answer = null;
    reviewReason = 'the library answer describes this but does not say yes or no: choose the answer';
  }

  const evidence = evidenceCitations(lookup, entry.evidence, options);
  citations.push(...evidence.citations);
  if (evidence.allStale) reviewReason = 'stale evidence: every document behind this answer is past its review-by date';
  const dutyControls = entry.controls.length ? entry.controls : controls.slice(0, 1);
  return { answer, text, citations, ownership: ownershipOf(lookup, primary, service), customerDuty: customerDutyOf(lookup, dutyControls, service), reviewReason };
}

/** "Who patches the guest operating system?" — the party per service from the matrix, never Yes/No. */
export function composeResponsibility(lookup: Lookup, controlId: string, options: AnswerOptions): Composed | null {
  const services = options.service ? lookup.knowledge.services.filter((s) => s.id === options.service) : lookup.knowledge.services;
  const duties = services.map((s) => lookup.responsibility.get(`${controlId}|${s.id}`)).filter((d): d is ResponsibilityEntry => Boolean(d));
  if (!duties.length) return null;
  const lines = duties.map((d) => {
    const name = lookup.serviceName.get(d.serviceId) ?? d.serviceId;
    if (d.party === 'not-applicable') return `${name}: not applicable${d.reason ? ` (${d.reason})` : ''}.`;
    const parts = [d.provider ? `Provider: ${sentence(d.provider)}` : null, d.customer ? `Customer: ${sentence(d.customer)}` : null].filter(Boolean);
    return `${name}: ${PARTY_WORDS[d.party] ?? d.party}.${parts.length ? ` ${parts.join(' ')}` : ''}`;
  });
  return {
    answer: null,
    text: `${lookup.controlTitle.get(controlId) ?? controlId}. ${lines.join(' ')}`,
    citations: [...controlCitations(lookup, [controlId]), ...duties.map((d) => responsibilityCitation(lookup, d))],
    ownership: ownershipOf(lookup, controlId, options.service),
    customerDuty: customerDutyOf(lookup, [controlId], options.service),
    reviewReason: null,
  };
}

const PARTY_WORDS: Record<string, string> = {
  provider: 'the provider',
  customer: 'the customer',
  shared: 'shared between provider and customer',
  'third-party': 'a third party (subservice organisation)',
  'shared-third-party': 'shared between the provider and a third party',
};

function sentence(text: string): string {
  const t = text.trim();
  return /[.!?]$/.test(t) ? t : `${t}.`;
}
