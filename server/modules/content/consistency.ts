import { checkTimeline } from './timeline.js';
import { checkLayerParties } from './layers.js';
import type { AnswerItem, ContentBundle, FactItem, Location, Problem, ResponsibilityItem } from './types.js';

/**
 * Rules that find content disagreeing with itself: prose that contradicts a fact or the
 * locations, dates that cannot be, canonical Yes/No on open questions, provider rows that give
 * the customer a duty, text generated from a template, dates across disclosures that disagree
 * (timeline.ts), and a service layer whose party disagrees with the matrix (layers.ts). Each rule
 * works from the content's own data, so it finds the class of problem, not one known instance.
 */
export function checkConsistency(bundle: ContentBundle): Problem[] {
  return [
    ...checkBackupClaims(bundle),
    ...checkFactClaims(bundle),
    ...checkDates(bundle),
    ...checkRedistribution(bundle),
    ...checkBundles(bundle),
    ...checkOpenQuestions(bundle),
    ...checkProviderRows(bundle),
    ...checkTemplateText(bundle),
    ...checkSameQuestion(bundle),
    ...checkSubprocessorChanges(bundle),
    ...checkTimeline(bundle),
    ...checkLayerParties(bundle),
  ];
}

interface Prose {
  text: string;
  at: Location;
  what: string;
  /** The services the text is about when its place says so (a duty, a per-service override). */
  services: string[] | null;
}

function proseOf(bundle: ContentBundle): Prose[] {
  const out: Prose[] = [];
  for (const a of bundle.library) {
    out.push({ text: a.explanation, at: a.at, what: `answer "${a.id}"`, services: null });
    for (const [service, o] of Object.entries(a.services)) {
      if (o.explanation) out.push({ text: o.explanation, at: a.at, what: `answer "${a.id}" (${service})`, services: [service] });
    }
  }
  for (const r of bundle.responsibilities) {
    if (r.inherited) continue;
    for (const text of [r.provider, r.customer]) if (text) out.push({ text, at: r.at, what: `responsibility ${r.controlId} / ${r.serviceId}`, services: [r.serviceId] });
  }
  for (const f of bundle.faq) out.push({ text: f.answer, at: f.at, what: `FAQ entry "${f.id}"`, services: null });
  return out;
}

function sentences(text: string): string[] {
  return text.split(/(?<=[.;!?])\s+(?=[A-Z0-9])/).map((s) => s.trim()).filter(Boolean);
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Services a sentence names ("Nimbus Insights", "Insights", "insights"). */
function servicesNamed(text: string, bundle: ContentBundle): string[] {
  const provider = bundle.provider?.name.split(/\s+/)[0] ?? '';
  return bundle.services
    .filter((s) => {
      const short = provider ? s.name.replace(new RegExp(`^${escape(provider)}\\s+`), '') : s.name;
      return [s.name, short, s.id].some((n) => new RegExp(`\\b${escape(n)}\\b`, 'i').test(text));
    })
    .map((s) => s.id);
}

const OTHER_REGION = /\bbackups?\b[^.;]*?\b(?:(?:second|another|different|separate|other|paired|remote)\s+region|backup region)s?\b|\b(?:second|another|different|separate|other)\s+region\b[^.;]*?\bbackups?\b/i;

function factValue(bundle: ContentBundle, id: string): string | null {
  const fact = bundle.facts.find((f) => f.id === id);
  return fact ? String(fact.value) : null;
}

/**
 * "Backups go to a second region": true only if every region of every service the sentence is
 * about keeps its backups in another region (locations.yaml). Services the customer backs up
 * (facts: backup.<service>.by = customer) make no provider claim.
 */
function checkBackupClaims(bundle: ContentBundle): Problem[] {
  const problems: Problem[] = [];
  const regions = bundle.regions.map((r) => ({ id: r.id, name: String(r.data.name), services: (r.data.services as string[]) ?? [], backup: String(r.data.backupRegion ?? '') }));
  const regionIds = new Set(regions.map((r) => r.id));
  const elsewhere = (r: (typeof regions)[number]) => regionIds.has(r.backup) && r.backup !== r.id;
  const byProvider = (service: string) => factValue(bundle, `backup.${service}.by`) !== 'customer';
  for (const prose of proseOf(bundle)) {
    for (const sentence of sentences(prose.text)) {
      if (!OTHER_REGION.test(sentence)) continue;
      const named = servicesNamed(sentence, bundle);
      const about = (prose.services ?? (named.length ? named : bundle.services.map((s) => s.id))).filter(byProvider);
      const without = regions.filter((r) => r.services.some((s) => about.includes(s)) && !elsewhere(r));
      if (!without.length) continue;
      problems.push({
        level: 'error',
        ...prose.at,
        message: `${prose.what} says backups are kept in another region, but disclosures/locations.yaml keeps the backups of ${without.map((r) => r.name).join(', ')} in the same region: "${sentence}"`,
      });
    }
  }
  return problems;
}

/** Prose about a fact's subject that states another of its values (public vs private), or another number of its unit. */
function checkFactClaims(bundle: ContentBundle): Problem[] {
  const problems: Problem[] = [];
  const withSubject = bundle.facts.filter((f) => f.about.length);
  for (const prose of proseOf(bundle)) {
    for (const sentence of sentences(prose.text)) {
      const lower = sentence.toLowerCase();
      for (const fact of withSubject) {
        if (!fact.about.some((a) => lower.includes(a.toLowerCase()))) continue;
        const problem = contradiction(fact, lower);
        if (problem) problems.push({ level: problem.level, ...prose.at, message: `${prose.what} ${problem.says}; facts.yaml says ${String(fact.value)}${fact.unit ? ` ${fact.unit}` : ''} (${fact.id}): "${sentence}"` });
      }
    }
  }
  return problems;
}

function contradiction(fact: FactItem, sentence: string): { level: 'error' | 'warning'; says: string } | null {
  const value = String(fact.value).toLowerCase();
  const word = (w: string) => new RegExp(`\\b${escape(w.toLowerCase())}\\b`).test(sentence);
  if (fact.oneOf) {
    const other = fact.oneOf.find((v) => v.toLowerCase() !== value && word(v));
    return other && !word(value) ? { level: 'error', says: `says "${other}"` } : null;
  }
  if (typeof fact.value === 'number' && fact.unit) {
    const unit = escape(fact.unit.replace(/s$/, ''));
    const numbers = [...sentence.matchAll(new RegExp(`\\b(\\d+(?:[.,]\\d+)?)\\s*${unit}s?\\b`, 'g'))].map((m) => Number(m[1].replace(',', '.')));
    const other = numbers.find((n) => n !== fact.value);
    return other !== undefined && !numbers.includes(fact.value) ? { level: 'warning', says: `says ${other} ${fact.unit}` } : null;
  }
  return null;
}

/** A report covers a period that has a start and an end, in that order, and is issued only once the period is over. */
function checkPeriod(e: ContentBundle['evidence'][number]): Problem[] {
  const at = { ...e.at, level: 'error' as const };
  if (!e.periodStart !== !e.periodEnd) return [{ ...at, message: `evidence ${e.id} gives only one end of its period: set both periodStart and periodEnd` }];
  if (!e.periodStart || !e.periodEnd) {
    return e.kind === 'report' && e.access !== 'internal' ? [{ ...at, level: 'warning', message: `report ${e.id} does not say the period it covers (periodStart, periodEnd)` }] : [];
  }
  if (e.periodEnd < e.periodStart) return [{ ...at, message: `evidence ${e.id} has a period that ends (${e.periodEnd}) before it starts (${e.periodStart})` }];
  if (e.issued && e.issued < e.periodEnd) return [{ ...at, message: `report ${e.id} was issued (${e.issued}) before the period it covers ended (${e.periodEnd})` }];
  return [];
}

/** A bundle is a preset of the request form: every document it names must be one a reviewer can request (nda). */
function checkBundles(bundle: ContentBundle): Problem[] {
  const evidence = new Map(bundle.evidence.map((e) => [e.id, e]));
  const problems: Problem[] = [];
  const seen = new Set<string>();
  for (const b of bundle.bundles) {
    if (seen.has(b.id)) problems.push({ level: 'error', ...b.at, message: `bundle ${b.id} is declared twice` });
    seen.add(b.id);
    for (const id of b.documents) {
      const e = evidence.get(id);
      if (!e) problems.push({ level: 'error', ...b.at, message: `bundle ${b.id} names unknown evidence ${id}` });
      else if (e.access !== 'nda') problems.push({ level: 'error', ...b.at, message: `bundle ${b.id} names ${id}, which is ${e.access}, not a restricted (nda) document` });
    }
  }
  return problems;
}

/** Internal evidence is never shared, so it cannot be passed on either. */
function checkRedistribution(bundle: ContentBundle): Problem[] {
  return bundle.evidence
    .filter((e) => e.access === 'internal' && e.redistribution !== 'not-allowed')
    .map((e) => ({ level: 'error' as const, ...e.at, message: `evidence ${e.id} is internal but says redistribution: ${e.redistribution}; internal evidence is never shared` }));
}

/** Dates that cannot be: evidence collected before it was issued, a report issued before its period ended. */
function checkDates(bundle: ContentBundle): Problem[] {
  const problems: Problem[] = [];
  const evidence = new Map(bundle.evidence.map((e) => [e.id, e]));
  for (const e of bundle.evidence) {
    if (e.issued && e.collected < e.issued) problems.push({ level: 'error', ...e.at, message: `evidence ${e.id} was collected (${e.collected}) before it was issued (${e.issued})` });
    problems.push(...checkPeriod(e));
  }
  for (const cert of bundle.certifications) {
    const data = cert.data as { issued?: string; periodEnd?: string; evidence?: string };
    if (data.periodEnd && data.issued && data.issued < data.periodEnd) {
      problems.push({ level: 'error', ...cert.at, message: `certification ${cert.id} was issued (${data.issued}) before the period it reports on ended (${data.periodEnd})` });
    }
    const ev = data.evidence ? evidence.get(data.evidence) : undefined;
    if (ev && data.issued && ev.collected < data.issued) {
      problems.push({ level: 'error', ...ev.at, message: `evidence ${ev.id} was collected (${ev.collected}) before certification ${cert.id} was issued (${data.issued})` });
    }
  }
  return problems;
}

const OPEN_FORM = /^(what|which|how|where|when|who|whom|describe|explain|list|outline|provide|please describe|please provide)\b/i;
// "How often…" wants a cadence but is answered Yes with it; "When staff leave, do they…" is yes/no after its clause.
const YES_NO_FORM = /^how (often|frequently)\b|^(when|where|if)\b[^?]*,\s*(do|does|is|are|can|will|have|has|must|should)\b/i;

/** A question that reads as open ("What uptime SLA do you offer?") must not carry a canonical Yes/No. */
function checkOpenQuestions(bundle: ContentBundle): Problem[] {
  return bundle.library
    .filter((a: AnswerItem) => a.kind === 'yes-no' && a.answer && OPEN_FORM.test(a.question.trim()) && !YES_NO_FORM.test(a.question.trim()))
    .map((a) => ({
      level: 'error' as const,
      ...a.at,
      message: `library answer "${a.id}" reads as an open question ("${a.question}") but carries the canonical answer ${a.answer}; set kind: open (or responsibility/field) and remove "answer"`,
    }));
}

// A recommendation, or a statement that there is nothing to do, gives the customer no duty.
const RECOMMENDATION = /^(recommended|we recommend|optional(ly)?|if you (want|wish|need|choose)|nothing|no action|no configuration|there is nothing)\b/i;

/** A `provider` row that gives the customer something to do contradicts its party, unless the text is a recommendation. */
function checkProviderRows(bundle: ContentBundle): Problem[] {
  return bundle.responsibilities
    .filter((r) => r.party === 'provider' && r.customer && !RECOMMENDATION.test(r.customer.trim()) && !r.inherited)
    .map((r) => ({
      level: 'warning' as const,
      ...r.at,
      message: `responsibility ${r.controlId} / ${r.serviceId}: party is provider but the customer text gives the customer a duty; make the party shared, or start the text with "Recommended:"`,
    }));
}

/** Generated text: per-service blocks with the same provider text, or one customer sentence with the service named; evidence summaries from one template. */
function checkTemplateText(bundle: ContentBundle): Problem[] {
  const problems: Problem[] = [];
  const byControl = new Map<string, ResponsibilityItem[]>();
  for (const r of bundle.responsibilities.filter((x) => !x.inherited)) byControl.set(r.controlId, [...(byControl.get(r.controlId) ?? []), r]);
  for (const [control, rows] of byControl) {
    if (rows.length < 2) continue;
    const providers = new Set(rows.map((r) => r.provider ?? ''));
    if (providers.size === 1 && rows[0].provider) {
      problems.push({ level: 'warning', ...rows[0].at, message: `responsibility ${control}: the same provider text for ${rows.map((r) => r.serviceId).join(', ')}; write it once under "all" or say what differs per service` });
    }
    const customers = rows.map((r) => r.customer ?? '').filter(Boolean);
    if (customers.length === rows.length && sharedPrefix(customers) >= 40) {
      problems.push({ level: 'warning', ...rows[0].at, message: `responsibility ${control}: the customer text is one sentence with the service named; say what the customer does on each service` });
    }
  }
  const provider = bundle.provider?.name ?? '';
  const shapes = new Map<string, typeof bundle.evidence>();
  for (const e of bundle.evidence) {
    const shape = e.summary.split(e.title).join('<title>').split(provider || '\u0000').join('<provider>').toLowerCase();
    if (!shape.includes('<title>')) continue;
    shapes.set(shape, [...(shapes.get(shape) ?? []), e]);
  }
  for (const [, same] of shapes) {
    if (same.length < 3) continue;
    for (const e of same) problems.push({ level: 'warning', ...e.at, message: `evidence ${e.id}: the summary is template text shared by ${same.length} items; say what this artifact contains` });
  }
  return problems;
}

function sharedPrefix(texts: string[]): number {
  let n = 0;
  while (texts.every((t) => t.length > n && t[n] === texts[0][n])) n++;
  // Identical texts are not "a sentence with the service named" — the provider rule covers copies.
  return texts.every((t) => t === texts[0]) ? 0 : n;
}

const normalise = (text: string) => text.toLowerCase().replace(/\([^)]*\)/g, ' ').replace(/[^a-z0-9]+/g, ' ').trim();

/** Two library answers to the same (normalised) question or phrasing with different canonical answers. */
function checkSameQuestion(bundle: ContentBundle): Problem[] {
  const problems: Problem[] = [];
  const first = new Map<string, AnswerItem>();
  for (const a of bundle.library.filter((x) => x.answer)) {
    for (const text of new Set([a.question, ...a.phrasings].map(normalise))) {
      const other = first.get(text);
      if (!other) first.set(text, a);
      else if (other.id !== a.id && other.answer !== a.answer) {
        problems.push({ level: 'error', ...a.at, message: `library answer "${a.id}" (${a.answer}) and "${other.id}" (${other.answer}) answer the same question differently: "${text}"` });
      }
    }
  }
  return problems;
}

/** A subprocessor added or removed within the change log's span must have a change-log entry that names it. */
function checkSubprocessorChanges(bundle: ContentBundle): Problem[] {
  if (!bundle.changes.length) return [];
  const since = bundle.changes.map((c) => c.published).sort()[0];
  const named = new Set(bundle.changes.flatMap((c) => (c.data.refs as string[] | undefined) ?? []));
  const problems: Problem[] = [];
  for (const sub of bundle.subprocessors) {
    const { started, ended } = sub.data as { started?: string; ended?: string };
    const events = [started && started >= since ? `added on ${started}` : null, ended && ended >= since ? `removed on ${ended}` : null].filter(Boolean);
    if (events.length && !named.has(sub.id)) {
      problems.push({ level: 'error', ...sub.at, message: `subprocessor ${sub.id} was ${events.join(' and ')} but no change-log entry names it (disclosures/changes.yaml, refs)` });
    }
  }
  return problems;
}
