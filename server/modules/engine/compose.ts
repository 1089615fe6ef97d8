import type { AccessLevel, ShortAnswer } from '../content/tables.js';
import { freshnessOf } from '../evidence/freshness.js';
import type { AnswerOptions, Citation, EngineKnowledge, LibraryEntry, ResponsibilityEntry } from './types.js';

const rank: Record<AccessLevel, number> = { public: 0, nda: 1, internal: 2 };

export function visibleTo(audience: AccessLevel, level: AccessLevel): boolean {
  return rank[level] <= rank[audience];
}

export interface Composed {
  answer: ShortAnswer | null;
  text: string;
  citations: Citation[];
  /** Set when the answer must be confirmed by a person, and why. */
  reviewReason: string | null;
}

interface Lookup {
  knowledge: EngineKnowledge;
  controlTitle: Map<string, string>;
  evidence: Map<string, EngineKnowledge['evidence'][number]>;
  responsibility: Map<string, ResponsibilityEntry>;
  serviceName: Map<string, string>;
}

export function buildLookup(knowledge: EngineKnowledge): Lookup {
  return {
    knowledge,
    controlTitle: new Map(knowledge.controls.map((c) => [c.id, c.title])),
    evidence: new Map(knowledge.evidence.map((e) => [e.id, e])),
    responsibility: new Map(knowledge.responsibilities.map((r) => [`${r.controlId}|${r.serviceId}`, r])),
    serviceName: new Map(knowledge.services.map((s) => [s.id, s.name])),
  };
}

const disclosureTopics: { pattern: RegExp; citation: Citation }[] = [
  {
    pattern: /\b(locat|resid|region|countr|jurisdict|geograph|where .* (stored|processed|hosted)|data cent(er|re)s? location|transfer)/i,
    citation: { kind: 'disclosure', id: 'data-locations', title: 'Data locations', url: '/data-locations' },
  },
  {
    pattern: /\b(sub-?processor|third part(y|ies) (who|that) process|vendors? with access)/i,
    citation: { kind: 'disclosure', id: 'subprocessors', title: 'Subprocessors', url: '/subprocessors' },
  },
  {
    pattern: /\b(certif|iso ?27001|iso ?27017|iso ?27018|soc ?2|soc ?1|attest|csa star|audit report)/i,
    citation: { kind: 'disclosure', id: 'certifications', title: 'Certifications and attestations', url: '/certifications' },
  },
];

function encodeId(id: string): string {
  return encodeURIComponent(id);
}

/**
 * The answer for one question from one library entry: responsibility-aware for the chosen
 * service, citing only what the audience may see and only evidence that is current.
 */
export function composeAnswer(lookup: Lookup, entry: LibraryEntry, controls: string[], question: string, options: AnswerOptions): Composed {
  const citations: Citation[] = [
    { kind: 'answer', id: entry.id, title: entry.question, url: `/admin/library/${encodeId(entry.id)}`, access: entry.access },
  ];
  for (const id of controls.slice(0, 3)) {
    citations.push({ kind: 'control', id, title: lookup.controlTitle.get(id) ?? id, url: `/controls/${encodeId(id)}` });
  }

  let answer = entry.answer;
  let text = entry.explanation;
  let reviewReason: string | null = null;
  const service = options.service;
  const override = service ? entry.services[service] : undefined;
  const primary = entry.controls[0] ?? controls[0];
  if (service) {
    const serviceName = lookup.serviceName.get(service) ?? service;
    const duty = primary ? lookup.responsibility.get(`${primary}|${service}`) : undefined;
    if (override) {
      answer = override.answer ?? answer;
      text = override.explanation ?? text;
    } else if (duty?.party === 'customer') {
      answer = 'N/A';
      text = `On ${serviceName} this is the customer's responsibility: ${duty.customer ?? ''} See the responsibility matrix. ${entry.explanation}`.trim();
    } else if (duty?.party === 'not-applicable') {
      answer = 'N/A';
      text = `Not applicable to ${serviceName}: ${duty.reason ?? ''}`.trim();
    }
    if (duty) {
      citations.push({
        kind: 'responsibility',
        id: `${duty.controlId}|${service}`,
        title: `${lookup.controlTitle.get(duty.controlId) ?? duty.controlId} — ${serviceName}: ${duty.party}`,
        url: `/responsibility?service=${encodeId(service)}#${encodeId(duty.controlId)}`,
      });
    }
  } else {
    const differences = Object.entries(entry.services).filter(([, o]) => o.answer && o.answer !== entry.answer);
    if (differences.length) {
      text += ` By service: ${differences.map(([id, o]) => `${lookup.serviceName.get(id) ?? id} — ${o.answer}${o.explanation ? `: ${o.explanation}` : ''}`).join(' ')}`;
    }
  }

  const named = entry.evidence.map((id) => lookup.evidence.get(id)).filter((e): e is NonNullable<typeof e> => Boolean(e));
  const visible = named.filter((e) => visibleTo(options.audience, e.access));
  const current = visible.filter((e) => freshnessOf(e.reviewBy, options.today, options.expiringWithinDays) !== 'stale');
  for (const e of current) citations.push({ kind: 'evidence', id: e.id, title: e.title, url: `/documents#${encodeId(e.id)}`, access: e.access });
  if (visible.length > 0 && current.length === 0) reviewReason = 'stale evidence: every document behind this answer is past its review-by date';

  for (const topic of disclosureTopics) if (topic.pattern.test(question)) citations.push(topic.citation);
  return { answer, text, citations, reviewReason };
}
