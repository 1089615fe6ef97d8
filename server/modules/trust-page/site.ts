import type { Kysely } from 'kysely';
import { listControls, listServices } from '../catalogue/queries.js';
import { listEvidence } from '../evidence/queries.js';
import type { Clock } from '../../clock.js';
import { daysBetween, today } from '../../clock.js';
import type { Database } from '../../db/database.js';
import { renderMarkdown } from '../../lib/markdown.js';
import type { OPINIONS } from '../content/schema.js';
import type { FaqCitation, Redistribution } from '../content/tables.js';
import type { DocumentBundle, Lexicons, ProviderProfile, ServiceLayer } from '../content/types.js';
import { findContentDocument } from '../content/queries.js';

export type CertificationStatus = 'valid' | 'expiring' | 'expired';

export interface Region {
  id: string;
  name: string;
  city?: string;
  country: string;
  countryName: string;
  jurisdiction: string;
  lat: number;
  lon: number;
  services: string[];
  dataCategories: string[];
  backupRegion?: string;
  supervisoryAuthority?: { name?: string; url?: string };
  since?: string;
  notes?: string;
}

export interface Subprocessor {
  id: string;
  name: string;
  purpose: string;
  dataCategories: string[];
  locations: string[];
  services?: string[];
  transferMechanism?: string;
  started: string;
  ended?: string;
  url?: string;
}

export interface Certification {
  id: string;
  kind: string;
  standard: string;
  title: string;
  scope: string;
  body: string;
  accreditation?: string;
  certificateNumber?: string;
  verificationUrl?: string;
  scopeServices?: string[];
  scopeRegions?: string[];
  scopeSites?: string[];
  soaVersion?: string;
  issued: string;
  expires: string;
  periodStart?: string;
  periodEnd?: string;
  opinion?: (typeof OPINIONS)[number];
  complementaryCustomerControls?: string[];
  supersedes?: string;
  evidence?: string;
  lapsed?: boolean;
  /** Lexicon framework ids the certification covers (iso-27001, soc-2, …). */
  frameworks?: string[];
  status: CertificationStatus;
  document?: { id: string; access: 'public' | 'nda' } | null;
}

export interface Change {
  id: string;
  published: string;
  effective: string;
  kind: string;
  title: string;
  summary: string;
  reason?: string;
  refs: string[];
  upcoming: boolean;
}

export interface PublicDocument {
  id: string;
  title: string;
  summary: string;
  kind: string;
  access: 'public' | 'nda';
  mediaType: string | null;
  /** Bytes of the stored file (the current version); a watermarked NDA copy is a little larger. */
  size: number | null;
  sha256: string | null;
  issued: string | null;
  periodStart: string | null;
  periodEnd: string | null;
  version: string | null;
  approver: string | null;
  redistribution: Redistribution;
  reviewBy: string;
  current: boolean;
}

export interface FaqEntry {
  id: string;
  question: string;
  answerHtml: string;
  citations: { n: number; title: string; url: string; external: boolean }[];
}

export interface Site {
  version: string;
  /** Derived views (a filtered map, a matrix) computed once per version; see memoOn. */
  memo: Map<string, unknown>;
  today: string;
  provider: ProviderProfile;
  overviewHtml: string;
  services: { id: string; name: string; model: string; summary: string; description: string; layers: ServiceLayer[] }[];
  categories: { id: string; name: string; description: string }[];
  regions: Region[];
  subprocessors: Subprocessor[];
  retiredSubprocessors: Subprocessor[];
  certifications: Certification[];
  /** Display names of the frameworks certifications name (lexicons.yaml), by id. */
  frameworkNames: Record<string, string>;
  changes: Change[];
  documents: PublicDocument[];
  /** Preset selections of NDA documents for the request form. */
  bundles: Omit<DocumentBundle, 'at'>[];
  faq: FaqEntry[];
}

function certificationStatus(expires: string, day: string, expiringWithinDays: number): CertificationStatus {
  const left = daysBetween(day, expires);
  if (left < 0) return 'expired';
  return left <= expiringWithinDays ? 'expiring' : 'valid';
}

/**
 * Everything the public trust page shows, read once and kept until content changes. Only
 * public facts enter it: NDA documents by title and summary, internal evidence never.
 */
export async function loadSite(db: Kysely<Database>, clock: Clock, expiringWithinDays: number, version: string): Promise<Site> {
  const day = today(clock);
  const [bundles, provider, services, categories, regions, subprocessors, certifications, changes, evidence, faq, controls, lexicons] = await Promise.all([
    findContentDocument<Omit<DocumentBundle, 'at'>[]>(db, 'bundles'),
    findContentDocument<ProviderProfile>(db, 'provider'),
    listServices(db),
    db.selectFrom('data_categories').select(['id', 'name', 'description']).orderBy('position').execute(),
    db.selectFrom('regions').select('data').orderBy('position').execute(),
    db.selectFrom('subprocessors').select('data').orderBy('position').execute(),
    db.selectFrom('certifications').select('data').orderBy('position').execute(),
    db.selectFrom('disclosure_changes').select('data').orderBy('published_on', 'desc').orderBy('id').execute(),
    listEvidence(db, { access: ['public', 'nda'] }),
    db.selectFrom('faq_entries').select(['id', 'question', 'answer_md', 'citations']).orderBy('position').execute(),
    listControls(db),
    findContentDocument<Pick<Lexicons, 'frameworks'>>(db, 'lexicons'),
  ]);
  const documents: PublicDocument[] = evidence.map((e) => ({
    id: e.id,
    title: e.title,
    summary: e.summary,
    kind: e.kind,
    access: e.access as 'public' | 'nda',
    mediaType: e.mediaType,
    size: e.size,
    // An NDA file's hash would only describe the unmarked original nobody receives.
    sha256: e.access === 'public' ? e.sha256 : null,
    issued: e.issued,
    periodStart: e.periodStart,
    periodEnd: e.periodEnd,
    version: e.version,
    approver: e.approver,
    redistribution: e.redistribution,
    reviewBy: e.reviewBy,
    current: e.reviewBy >= day,
  }));
  const documentById = new Map(documents.map((d) => [d.id, d]));
  const controlTitle = new Map(controls.map((c) => [c.id, c.title]));
  const subs = subprocessors.map((s) => s.data as unknown as Subprocessor);
  const profile: ProviderProfile = provider ?? { id: 'provider', name: 'Cloud provider', legalEntity: '', overview: '', securityContact: {} };
  return {
    version,
    memo: new Map(),
    today: day,
    provider: profile,
    overviewHtml: renderMarkdown(profile.overview ?? ''),
    services,
    categories,
    regions: regions.map((r) => r.data as unknown as Region),
    // A subprocessor announced to start later is not current yet; the change log announces it.
    subprocessors: subs.filter((s) => s.started <= day && (!s.ended || s.ended > day)),
    retiredSubprocessors: subs.filter((s) => s.ended && s.ended <= day),
    certifications: certifications.map((c) => {
      const data = c.data as unknown as Certification;
      const doc = data.evidence ? documentById.get(data.evidence) : undefined;
      return { ...data, status: data.lapsed ? 'expired' : certificationStatus(data.expires, day, expiringWithinDays), document: doc ? { id: doc.id, access: doc.access } : null };
    }),
    frameworkNames: Object.fromEntries((lexicons?.frameworks ?? []).map((f) => [f.id, f.name])),
    changes: changes
      .map((c) => c.data as unknown as Omit<Change, 'upcoming'>)
      .filter((c) => c.published <= day)
      .map((c) => ({ ...c, refs: c.refs ?? [], upcoming: c.effective > day })),
    documents,
    bundles: bundles ?? [],
    faq: faq.map((f) => ({
      id: f.id,
      question: f.question,
      answerHtml: renderMarkdown(f.answer_md),
      citations: (f.citations as FaqCitation[])
        .map((c, i) => citationOf(c, i + 1, documentById, controlTitle))
        .filter((c): c is NonNullable<typeof c> => c !== null),
    })),
  };
}

function citationOf(c: FaqCitation, n: number, documents: Map<string, PublicDocument>, controls: Map<string, string>) {
  if (c.kind === 'control' && c.ref) return { n, title: `${c.ref.replace(/^iso(\d+):/, 'ISO/IEC $1 ')} ${controls.get(c.ref) ?? ''}`.trim(), url: `/controls/${encodeURIComponent(c.ref)}`, external: false };
  if (c.kind === 'document' && c.ref) {
    const doc = documents.get(c.ref);
    // An internal document is never named on the public page, not even as a citation.
    return doc ? { n, title: doc.title, url: `/documents#${encodeURIComponent(doc.id)}`, external: false } : null;
  }
  if (c.kind === 'url' && c.url) return { n, title: c.title ?? c.url, url: c.url, external: true };
  return null;
}
