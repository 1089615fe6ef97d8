import type { ShortAnswer } from '../content/tables.js';
import { meaningfulTerms } from '../search/index.js';
import type { Lexicons } from '../content/types.js';
import { quantitiesIn, type QuestionKind } from './classify.js';
import type { NamedThing } from './named-things.js';
import { genericTermSet } from './subject.js';
import type { AnswerOptions, CertificationEntry, Citation, Disclosures, RegionEntry, ServiceEntry, SubprocessorEntry } from './types.js';

/**
 * Answers from what the trust page publishes: the certifications held, the regions data lives
 * in and where their backups go, the subprocessors. These lists are exhaustive, so they can say
 * "No" as truthfully as "Yes": a recognised certification that is not listed is not held.
 */
export interface DisclosureAnswer {
  answer: ShortAnswer | null;
  text: string;
  citations: Citation[];
  /** Set when a person must confirm the answer, and why. */
  reviewReason: string | null;
  source: 'certifications' | 'locations' | 'backups' | 'subprocessors';
  /** The controls the answer speaks to, beside those the question cites. */
  controls?: string[];
}

export interface DisclosureQuestion {
  text: string;
  kind: QuestionKind;
  named: NamedThing[];
}

export interface DisclosureContext {
  disclosures: Disclosures;
  lexicons: Lexicons;
  services: ServiceEntry[];
  providerName: string;
  options: AnswerOptions;
  /** The provider's facts (content/facts.yaml): who backs up each service. */
  facts?: Record<string, string | number | boolean>;
  /** The evidence register as the audience may see it: citations for ids, and the ids linked to a control. */
  evidence?: { cite(ids: string[]): Citation[]; ofControl(controlId: string): string[] };
}

/** ISO/IEC 27002:2022 8.13, information backup: what a backup answer speaks to. */
const BACKUP_CONTROL = 'iso27002:8.13';

const CERTIFICATIONS_PAGE: Citation = { kind: 'disclosure', id: 'certifications', title: 'Certifications and attestations', url: '/certifications' };
const LOCATIONS_PAGE: Citation = { kind: 'disclosure', id: 'data-locations', title: 'Data locations', url: '/data-locations' };
const SUBPROCESSORS_PAGE: Citation = { kind: 'disclosure', id: 'subprocessors', title: 'Subprocessors', url: '/subprocessors' };

const HOLDING = /\b(certif\w*|attest\w*|authori[sz]\w*|accredit\w*|complian\w*|compliant|audit\w*|assess\w*|reports?|hold|holds|held|achiev\w*|obtain\w*|registered|listed|approved|validated|type (1|2|i|ii)|level [1-5])\b/;
const ASKS_SCOPE = /\b(cover(s|ed|ing|age)?|scope[sd]?|includ(e|es|ed|ing)|extend(s|ed)?|appl(y|ies)|all|every|each|entire|whole)\b/;
const LIST_CERTIFICATIONS = /\b(which|what|list|provide|name|identify)\b.*\b(certifications?|certificates?|attestations?|accreditations?|audit reports?|third party audits?|compliance (standards|frameworks|reports))\b/;
const LOCATION = /\b(regions?|data ?cent(er|re)s?|datacent(er|re)s?|hosted|host|hosting|hosts|stored|store|stores|storage location|located|locations?|resid\w*|jurisdictions?|geograph\w*|countr(y|ies)|processed|process data|facilities|facility)\b/;
const EITHER = /\b(or|either|any of)\b/;
const OFFERED = /\b(available|availability|offered|deployed|runs?|operated)\b/;
const ALL_OF_THEM = /\b(all|every|only|exclusively|solely|entirely)\b|\b(limited|restricted|confined) to\b/;
const ABOUT_DATA = /\b(data|content|backups?|servers?|infrastructure|hosted|hosting|stored|storage|processed|processing|regions?|data ?cent(er|re)s?|workloads?)\b/;
// Data going from one place to another ("Is data stored in Frankfurt replicated to the United States?").
const OUTSIDE = /\b(outside|other than|except|beyond|leave|leaves|transfer\w*|moved?|cross[- ]border|replicat\w*|copied|mirror\w*|synchroni[sz]\w*|sent to|flows? to)\b/;
const WHERE_STORED = /\b(where|which (countries|regions|locations|data ?cent(er|re)s))\b.*\b(stor|host|process|locat|resid|kept|reside|data ?cent)/;
const BACKUP_ELSEWHERE = /\bbackups?\b.*\b(different|another|other|separate|second|secondary|geographically|remote|off-?site|alternate|distinct|multiple)\b.*\b(regions?|locations?|sites?|data ?cent(er|re)s?|facilit\w*|geograph\w*|zones?)\b|\b(geo-?redundant|off-?site|geographically (separate|dispersed|diverse))\b.*\bbackups?\b|\bbackups?\b.*\b(off-?site|geo-?redundant|geographically (separate|dispersed|diverse))\b/;
const SUBPROCESSOR = /\bsub-? ?processors?\b|\bthird[- ]part(y|ies)\b.*\b(process|access|store|host|handle)\w*\b.*\b(customer )?data\b|\bvendors?\b.*\baccess\b.*\bcustomer data\b/;
const SUBPROCESSOR_POLICY = /\b(onboard\w*|select\w*|vet\w*|evaluat\w*|process for|procedures?|notif\w*|chang\w*|contract\w*|assess\w*|review\w*|audit\w*|agreements?|dpas?|terms|due diligence|object\w*|approv\w*|flow[- ]?down|oversight|monitor\w*)\b/;

function plain(text: string): string {
  return text.toLowerCase().replace(/[’‘`]/g, "'").replace(/\s+/g, ' ');
}

function isCurrent(cert: CertificationEntry, today: string): boolean {
  return !cert.lapsed && cert.expires >= today && cert.issued <= today;
}

/** The frameworks the question names that one can hold: certifications, attestations, authorizations. */
function certifiableNamed(q: DisclosureQuestion, ctx: DisclosureContext): NamedThing[] {
  const kinds = new Map(ctx.lexicons.frameworks.map((f) => [f.id, f.kind]));
  return q.named.filter((n) => n.kind === 'framework' && ['certification', 'attestation', 'authorization'].includes(kinds.get(n.id) ?? ''));
}

/** `dated` adds when it was issued and the period a report covers, for a row asking for them. */
function certificateLine(cert: CertificationEntry, dated = false): string {
  const number = cert.certificateNumber ? `, certificate ${cert.certificateNumber}` : '';
  const period = cert.periodStart && cert.periodEnd ? `; period covered ${cert.periodStart} to ${cert.periodEnd}` : '';
  const dates = dated ? `; issued ${cert.issued}${period}` : '';
  return `${cert.standard} (${cert.body}${number}${dates}; valid until ${cert.expires}). Scope: ${cert.scope}`;
}

function heldList(held: CertificationEntry[]): string {
  return held.length ? held.map((c) => c.standard).join('; ') : 'no certification at present';
}

function certCitation(cert: CertificationEntry): Citation {
  return { kind: 'disclosure', id: `certifications#${cert.id}`, title: cert.title, url: `/certifications#${encodeURIComponent(cert.id)}` };
}

/**
 * The certificate or report itself, from the evidence register: a "Yes, we hold it" points at
 * the document that shows it, where the audience may see that document and it is current.
 */
function certificateDocuments(held: CertificationEntry[], ctx: DisclosureContext): Citation[] {
  return ctx.evidence?.cite(held.flatMap((c) => (c.evidence ? [c.evidence] : []))) ?? [];
}

/** "Are you ISO 27001 certified?" → Yes with the certificate; "FedRAMP?" → No, naming what is held. */
function answerCertification(q: DisclosureQuestion, ctx: DisclosureContext): DisclosureAnswer | null {
  const certifiable = certifiableNamed(q, ctx);
  const text = plain(q.text);
  const today = ctx.options.today;
  const heldReports = ctx.disclosures.certifications.filter((c) => isCurrent(c, today));
  // A surveillance report on a certificate already listed adds nothing to "what is held".
  const held = heldReports.filter((c) => c.kind !== 'report' || !c.frameworks.every((f) => heldReports.some((o) => o !== c && o.kind !== 'report' && o.frameworks.includes(f))));
  if (certifiable.length === 0) {
    if (q.kind !== 'open' || !LIST_CERTIFICATIONS.test(text)) return null;
    return {
      answer: null,
      text: `${ctx.providerName} holds: ${heldReports.map((c) => certificateLine(c)).join(' ')}`,
      citations: [CERTIFICATIONS_PAGE, ...heldReports.map(certCitation)],
      reviewReason: null,
      source: 'certifications',
    };
  }
  if (!HOLDING.test(text)) return null;
  const lines: string[] = [];
  const citations: Citation[] = [CERTIFICATIONS_PAGE];
  let allHeld = true;
  let anyHeld = false;
  for (const framework of certifiable) {
    const covering = ctx.disclosures.certifications.filter((c) => c.frameworks.includes(framework.id));
    const current = covering.filter((c) => isCurrent(c, today));
    if (current.length) {
      anyHeld = true;
      lines.push(...current.map((c) => `${framework.name}: ${certificateLine(c)}`));
      citations.push(...current.map(certCitation), ...certificateDocuments(current, ctx));
    } else {
      allHeld = false;
      const lapsed = covering.filter((c) => !isCurrent(c, today));
      const past = lapsed.length ? ` An earlier ${lapsed.map((c) => c.standard).join(', ')} is no longer valid (${lapsed.map((c) => (c.lapsed ? 'lapsed' : `expired ${c.expires}`)).join(', ')}).` : '';
      lines.push(`${ctx.providerName} does not hold ${framework.name}.${past}`);
    }
  }
  if (!allHeld) lines.push(`What ${ctx.providerName} holds: ${heldList(held)}.`);
  // "…ISO 27001 and FedRAMP?" is not true of a provider without FedRAMP, and a Partial would claim it; "…ISO 27001 or SOC 2?" is.
  const answer: ShortAnswer | null = q.kind === 'yes-no' ? (allHeld || (anyHeld && EITHER.test(text)) ? 'Yes' : 'No') : null;
  // Holding a certificate says nothing about whether it covers a given service, site or region, or
  // what its report found ("Has your SOC 2 report ever had a qualified opinion?").
  const beyond = anyHeld ? beyondHolding(text, certifiable, ctx.lexicons) : [];
  const askedType = reportType(text);
  const heldTypes = certifiable.flatMap((f) => ctx.disclosures.certifications.filter((c) => c.frameworks.includes(f.id) && isCurrent(c, today)).map((c) => reportType(c.standard.toLowerCase())));
  const otherType = askedType && heldTypes.length && !heldTypes.includes(askedType) ? heldTypes.find(Boolean) : null;
  const reviewReason = otherType
    ? `the question asks for a Type ${askedType} report; the one held is Type ${otherType}`
    : anyHeld && ASKS_SCOPE.test(text)
      ? 'the question asks what the certificate covers: check its scope before answering'
      : beyond.length
        ? `the question asks more than whether the certificate is held ("${beyond.join(', ')}"): check the report or certificate before answering`
        : null;
  return { answer: reviewReason ? null : answer, text: lines.join(' '), citations: dedupe(citations), reviewReason, source: 'certifications' };
}

/**
 * A field about a certificate held ("Date of last SOC 2 report", "ISO 27001 certificate number"):
 * its dates, number, body and scope as published. One not held is left to say so as unanswered.
 */
function certificateField(q: DisclosureQuestion, ctx: DisclosureContext): DisclosureAnswer | null {
  const certifiable = certifiableNamed(q, ctx);
  const current = ctx.disclosures.certifications.filter((c) => isCurrent(c, ctx.options.today) && certifiable.some((f) => c.frameworks.includes(f.id)));
  if (!certifiable.length || !current.length) return null;
  return { answer: null, text: current.map((c) => certificateLine(c, true)).join(' '), citations: dedupe([CERTIFICATIONS_PAGE, ...current.map(certCitation), ...certificateDocuments(current, ctx)]), reviewReason: null, source: 'certifications' };
}

/** Certification words: what "Do you hold a current SOC 2 Type II report?" says beyond the framework's name. */
const CERTIFICATION_WORDS = new Set(
  meaningfulTerms(
    'state whether indicate confirm specify under against per via within according certificate certificates certification certifications certified attestation attested report reports type level current currently valid latest recent most copy copies independent third party external auditor auditors audit audited share provide send available obtain request hold held have standard framework authorised authorized authorisation authorization accredited compliant compliance',
  ),
);

/** The question's words that are neither the framework's name, nor certification words, nor generic. */
function beyondHolding(text: string, frameworks: NamedThing[], lexicons: Lexicons): string[] {
  const named = lexicons.frameworks.filter((x) => frameworks.some((n) => n.id === x.id));
  const ownWords = new Set(named.flatMap((f) => meaningfulTerms([f.name, ...f.aliases].join(' '))));
  const generic = genericTermSet(lexicons.genericWords);
  return [...new Set(meaningfulTerms(text.replace(/\b\d+\b/g, ' ')))].filter((t) => !ownWords.has(t) && !generic.has(t) && !CERTIFICATION_WORDS.has(t));
}

/** "Type I" or "Type II" of an attestation report, as the question or the certificate names it. */
function reportType(text: string): 'I' | 'II' | null {
  if (/\btype (ii|2)\b/.test(text)) return 'II';
  if (/\btype (i|1)\b/.test(text)) return 'I';
  return null;
}

function regionLine(r: RegionEntry): string {
  return `${r.name} (${r.city ?? r.name}, ${r.countryName})`;
}

function regionsFor(ctx: DisclosureContext): RegionEntry[] {
  const service = ctx.options.service;
  return ctx.disclosures.regions.filter((r) => !service || r.services.includes(service));
}

/**
 * The data categories a question names, read from each category's name: "Support data" is asked by
 * "support data", "support tickets", "support cases"; "Logs and telemetry" by "logs" or "telemetry".
 */
function askedCategories(text: string, ctx: DisclosureContext): { id: string; name: string }[] {
  return ctx.disclosures.dataCategories.filter((c) => {
    const parts = c.name.toLowerCase().replace(/[^a-z0-9 ,]/g, ' ').split(/\s+and\s+|,\s*/);
    return parts.some((part) => {
      const [first, ...more] = part.split(/\s+/);
      if (more.length === 0) return new RegExp(`\\b${first}\\b`).test(text);
      return new RegExp(`\\b${part}\\b|\\b${first} (data|tickets?|records?|information|details|cases?|requests?)\\b`).test(text);
    });
  });
}

/** "Do you have a region in Brazil?" → No, listing the countries; "Where is data stored?" → the regions. */
function answerLocation(q: DisclosureQuestion, ctx: DisclosureContext): DisclosureAnswer | null {
  const text = plain(q.text);
  const places = q.named.filter((n) => n.kind === 'place' || n.kind === 'region');
  // "Is Managed PostgreSQL available in Oregon?" asks about the regions of that service.
  const service = q.named.find((n) => n.kind === 'service');
  const regions = regionsFor(ctx).filter((r) => !service || r.services.includes(service.id));
  const countries = [...new Map(regions.map((r) => [r.country, r.countryName])).values()];
  const scope = ctx.options.service ? ` for ${ctx.services.find((s) => s.id === ctx.options.service)?.name ?? ctx.options.service}` : '';
  const choose = 'Customer content stays in the region the customer chooses.';
  if (places.length === 0) {
    if (!(q.kind === 'open' && WHERE_STORED.test(text))) return null;
    return {
      answer: null,
      text: `${choose} Regions${scope}: ${regions.map(regionLine).join('; ')}. ${backupSentence(regions, ctx)}`.trim(),
      citations: [LOCATIONS_PAGE],
      reviewReason: null,
      source: 'locations',
    };
  }
  if (!LOCATION.test(text) && !(service && OFFERED.test(text))) return null;
  // "Are your employees located in India?" or "Are they located in the EU?" (the subprocessors) ask
  // where something else is: the regions say only where data and the infrastructure holding it are.
  if (!ABOUT_DATA.test(text) && !service) return null;
  if (OUTSIDE.test(text)) {
    return {
      answer: null,
      text: `${choose} Regions${scope}: ${regions.map(regionLine).join('; ')}. Whether data leaves a place depends on the regions chosen and on the subprocessors listed on the subprocessors page.`,
      citations: [LOCATIONS_PAGE, SUBPROCESSORS_PAGE],
      reviewReason: 'the question asks about data leaving a place: confirm against the regions the customer will use',
      source: 'locations',
    };
  }
  const groups = new Map(ctx.lexicons.places.groups.map((g) => [g.id, g.countries]));
  const inPlace = (thing: NamedThing): RegionEntry[] =>
    thing.kind === 'region' ? regions.filter((r) => r.id === thing.id) : regions.filter((r) => r.country === thing.id || (groups.get(thing.id) ?? []).includes(r.country));
  const found = places.map((p) => ({ place: p, regions: inPlace(p) }));
  const missing = found.filter((f) => f.regions.length === 0);
  const present = found.filter((f) => f.regions.length > 0);
  const lines = [...new Set(present.map((f) => `${f.place.name}: ${f.regions.map(regionLine).join('; ')}.`))];
  if (missing.length) {
    lines.push(`${ctx.providerName} has no region in ${[...new Set(missing.map((m) => m.place.name))].join(' or ')}${scope}. Regions are in: ${countries.join(', ')}.`);
  }
  lines.push(choose);
  const answer: ShortAnswer | null = q.kind === 'yes-no' ? (missing.length === 0 || (present.length && EITHER.test(text)) ? 'Yes' : 'No') : null;
  // "Are support tickets processed in the US?": a region there may hold customer content but not that category.
  const categories = askedCategories(text, ctx);
  if (present.length && categories.length && present.some((f) => !f.regions.some((r) => categories.every((c) => r.dataCategories.includes(c.id))))) {
    return {
      answer: null,
      text: `${lines.join(' ')} ${categories.map((c) => `${c.name}: ${regions.filter((r) => r.dataCategories.includes(c.id)).map((r) => r.name).join(', ') || 'no region listed'}`).join('; ')}.`,
      citations: [LOCATIONS_PAGE, SUBPROCESSORS_PAGE],
      reviewReason: `the question asks about ${categories.map((c) => c.name.toLowerCase()).join(', ')}, which the regions there do not list: check the regions and subprocessors that process it`,
      source: 'locations',
    };
  }
  // "Do you store data in the US by default?": the customer chooses the region; the regions say nothing of a default.
  if (present.length && /\bby default\b/.test(text)) {
    return { answer: null, text: lines.join(' '), citations: [LOCATIONS_PAGE], reviewReason: 'the question asks about a default; the customer chooses the region: check before answering', source: 'locations' };
  }
  // "Are all production servers in the EU?": regions there do not say that none is elsewhere.
  if (present.length && ALL_OF_THEM.test(text) && regions.some((r) => !present.some((f) => f.regions.includes(r)))) {
    return { answer: null, text: `${lines.join(' ')} Regions are in: ${countries.join(', ')}.`, citations: [LOCATIONS_PAGE], reviewReason: 'the question asks whether everything is in one place; regions exist elsewhere too: check against the regions the customer will use', source: 'locations' };
  }
  // "Is the data centre in Frankfurt Tier IV?": that a region is there says nothing of the figure asked.
  if (present.length && quantitiesIn(q.text).length) {
    return { answer: null, text: lines.join(' '), citations: [LOCATIONS_PAGE], reviewReason: 'the question gives a figure the data locations do not state: check it', source: 'locations' };
  }
  return { answer, text: lines.join(' '), citations: [LOCATIONS_PAGE], reviewReason: null, source: 'locations' };
}

/** The other region a region's backups go to; null for `same-region`, `none` or an unstated place. */
function backupRegionOf(r: RegionEntry, all: RegionEntry[]): RegionEntry | null {
  if (!r.backupRegion || r.backupRegion === r.id) return null;
  return all.find((x) => x.id === r.backupRegion) ?? null;
}

function backupPlace(r: RegionEntry, all: RegionEntry[]): string {
  const other = backupRegionOf(r, all);
  if (other) return `${r.name} → ${other.name}`;
  return r.backupRegion === 'none' ? `${r.name}: no copy outside the region` : `${r.name} → another zone of ${r.name}`;
}

function backupSentence(regions: RegionEntry[], ctx: DisclosureContext): string {
  const parts = regions.map((r) => backupPlace(r, ctx.disclosures.regions));
  return parts.length ? `Backups: ${parts.join('; ')}.` : '';
}

/** A service whose backups the customer takes: say so, and where its copies can go. */
function customerBackupLine(service: ServiceEntry, regions: RegionEntry[], all: RegionEntry[]): string {
  const pairs = regions.filter((r) => backupRegionOf(r, all)).map((r) => backupPlace(r, all));
  const where = pairs.length ? `; they can copy them to a paired backup region (${pairs.join('; ')})` : '';
  return `${service.name}: backups are the customer's own snapshots${where}.`;
}

/** Who backs up a service, from the facts; a service without the fact is taken to be backed up by the provider. */
function backedUpBy(serviceId: string, ctx: DisclosureContext): 'provider' | 'customer' {
  return ctx.facts?.[`backup.${serviceId}.by`] === 'customer' ? 'customer' : 'provider';
}

/**
 * "Are backups stored in a different region?" — per service and region: the facts say who takes a
 * service's backups, the locations say where each region's backups go.
 */
function answerBackups(q: DisclosureQuestion, ctx: DisclosureContext): DisclosureAnswer | null {
  if (!BACKUP_ELSEWHERE.test(plain(q.text))) return null;
  const all = ctx.disclosures.regions;
  const services = ctx.options.service ? ctx.services.filter((s) => s.id === ctx.options.service) : ctx.services;
  const relevant = services.map((s) => ({ service: s, regions: all.filter((r) => r.services.includes(s.id)) })).filter((p) => p.regions.length > 0);
  const theirs = relevant.filter((p) => backedUpBy(p.service.id, ctx) === 'customer');
  const ours = relevant
    .filter((p) => backedUpBy(p.service.id, ctx) === 'provider')
    .map((p) => ({ ...p, elsewhere: p.regions.filter((r) => backupRegionOf(r, all)) }));
  // Only the library can speak for a service whose backups the customer takes.
  if (!ours.length) return null;
  const every = ours.every((p) => p.elsewhere.length === p.regions.length);
  const none = ours.every((p) => p.elsewhere.length === 0);
  const lines = ours.map((p) => `${p.service.name}: ${backupSentence(p.regions, ctx).replace(/^Backups: /, '')}`);
  lines.push(...theirs.map((p) => customerBackupLine(p.service, p.regions, all)));
  const answer: ShortAnswer | null = q.kind === 'yes-no' ? (every ? 'Yes' : none ? 'No' : 'Partial') : null;
  const lead = every ? 'Yes, in every region.' : none ? 'No: backups are not kept in another region.' : 'It depends on the region:';
  // The locations say where; the backup evidence shows the backups are taken and restored.
  const citations = [LOCATIONS_PAGE, ...(ctx.evidence?.cite(ctx.evidence.ofControl(BACKUP_CONTROL)) ?? [])];
  return { answer, text: `${q.kind === 'yes-no' ? `${lead} ` : ''}${lines.join(' ')}`, citations, reviewReason: null, source: 'backups', controls: [BACKUP_CONTROL] };
}

/** "List your subprocessors" / "Do you use subprocessors?" → the published list. */
function answerSubprocessors(q: DisclosureQuestion, ctx: DisclosureContext): DisclosureAnswer | null {
  const text = plain(q.text);
  const service = ctx.options.service;
  const today = ctx.options.today;
  // Current today: one announced to start later, or to end later, is counted by its dates.
  const current = (s: SubprocessorEntry) => s.started <= today && (!s.ended || s.ended > today);
  const named = q.named.filter((n) => n.kind === 'subprocessor');
  if (named.length && q.kind === 'yes-no' && !SUBPROCESSOR_POLICY.test(text)) return answerNamedSubprocessors(named, current, ctx);
  if (!SUBPROCESSOR.test(text) || SUBPROCESSOR_POLICY.test(text)) return null;
  const wantsList = q.kind === 'open' || /\b(use|engage|rely|have|employ)\b/.test(text);
  if (!wantsList) return null;
  const active = ctx.disclosures.subprocessors.filter((s) => current(s) && (!service || s.services.length === 0 || s.services.includes(service)));
  const list = active.map((s) => `${s.name} (${s.purpose}; ${s.locations.join(', ')})`).join('; ');
  const answer: ShortAnswer | null = q.kind === 'yes-no' ? (active.length ? 'Yes' : 'No') : null;
  return { answer, text: `${active.length} subprocessors: ${list}.`, citations: [SUBPROCESSORS_PAGE], reviewReason: null, source: 'subprocessors' };
}

/** "Is Helix Colocation one of your subprocessors?" → Yes with what it does and where, or No once it has left the list. */
function answerNamedSubprocessors(named: NamedThing[], current: (s: SubprocessorEntry) => boolean, ctx: DisclosureContext): DisclosureAnswer {
  const entries = named.map((n) => ctx.disclosures.subprocessors.find((s) => s.id === n.id)).filter((s): s is SubprocessorEntry => Boolean(s));
  const active = entries.filter(current);
  const lines = entries.map((s) => (current(s) ? `${s.name} is a subprocessor: ${s.purpose} (${s.locations.join(', ')}).` : `${s.name} is not a current subprocessor${s.ended ? ` (it left the list on ${s.ended})` : ` (it starts on ${s.started})`}.`));
  const answer: ShortAnswer = active.length === entries.length ? 'Yes' : active.length ? 'Partial' : 'No';
  return { answer, text: lines.join(' '), citations: [SUBPROCESSORS_PAGE], reviewReason: null, source: 'subprocessors' };
}

/** The first disclosure that answers the question, or null: the library answers the rest. */
export function answerFromDisclosures(q: DisclosureQuestion, ctx: DisclosureContext): DisclosureAnswer | null {
  if (q.kind === 'field') return certificateField(q, ctx);
  if (q.kind === 'not-a-question' || q.kind === 'responsibility') return null;
  return answerCertification(q, ctx) ?? answerBackups(q, ctx) ?? answerLocation(q, ctx) ?? answerSubprocessors(q, ctx);
}

function dedupe(citations: Citation[]): Citation[] {
  const seen = new Set<string>();
  return citations.filter((c) => !seen.has(`${c.kind}:${c.id}`) && seen.add(`${c.kind}:${c.id}`));
}
