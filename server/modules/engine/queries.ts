import { sql, type Kysely } from 'kysely';
import type { Clock } from '../../clock.js';
import type { Database, DbOrTx } from '../../db/database.js';
import { KnowledgeTracker, knowledgeChanged, knowledgeTrackerOf } from '../../lib/knowledge-version.js';
import { listControls, listServices } from '../catalogue/queries.js';
import { listControlMappings } from '../content/queries.js';
import { listEvidence } from '../evidence/queries.js';
import { listAnswers } from '../library/queries.js';
import { listDuties, listIsmsPractices } from '../responsibility/queries.js';
import type { Lexicons } from '../content/types.js';
import type { EngineKnowledge } from './types.js';

const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(str) : []);

function withDefaults(l: Partial<Lexicons> | undefined): Lexicons {
  return {
    frameworks: l?.frameworks ?? [],
    dataTypes: l?.dataTypes ?? [],
    capabilities: l?.capabilities ?? [],
    genericWords: l?.genericWords ?? [],
    places: { countries: l?.places?.countries ?? [], groups: l?.places?.groups ?? [] },
  };
}

/** Everything the engine answers from, read in one go. */
export async function loadKnowledge(db: DbOrTx): Promise<EngineKnowledge> {
  const [library, controls, responsibilities, isms, evidence, services, thesaurus, documents, certifications, regions, subprocessors, dataCategories] = await Promise.all([
    listAnswers(db),
    listControls(db),
    listDuties(db),
    listIsmsPractices(db),
    listEvidence(db),
    listServices(db),
    db.selectFrom('content_documents').select('data').where('id', '=', 'thesaurus').executeTakeFirst(),
    db.selectFrom('content_documents').select(['id', 'data']).where('id', 'in', ['lexicons', 'provider', 'facts']).execute(),
    db.selectFrom('certifications').select('data').orderBy('position').execute(),
    db.selectFrom('regions').select('data').orderBy('position').execute(),
    db.selectFrom('subprocessors').select('data').orderBy('position').execute(),
    db.selectFrom('data_categories').select(['id', 'name']).orderBy('position').execute(),
  ]);
  const document = (id: string) => documents.find((d) => d.id === id)?.data as Record<string, unknown> | undefined;
  const mappings = await listControlMappings(db);
  return {
    library,
    // The engine's ids sort as text (its tie-breaks depend on it), not in the catalogue's order.
    controls: controls.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
    responsibilities,
    isms,
    evidence,
    services,
    thesaurus: (thesaurus?.data as string[][] | undefined) ?? [],
    mappings,
    lexicons: withDefaults(document('lexicons') as Partial<Lexicons> | undefined),
    profile: document('provider') ?? null,
    facts: (document('facts') as Record<string, string | number | boolean> | undefined) ?? {},
    disclosures: {
      certifications: certifications.map(({ data: c }) => ({
        id: str(c.id),
        kind: str(c.kind),
        standard: str(c.standard),
        title: str(c.title),
        scope: str(c.scope),
        body: str(c.body),
        certificateNumber: typeof c.certificateNumber === 'string' ? c.certificateNumber : null,
        issued: str(c.issued),
        expires: str(c.expires),
        periodStart: typeof c.periodStart === 'string' ? c.periodStart : null,
        periodEnd: typeof c.periodEnd === 'string' ? c.periodEnd : null,
        lapsed: c.lapsed === true,
        evidence: typeof c.evidence === 'string' ? c.evidence : null,
        frameworks: strings(c.frameworks),
      })),
      regions: regions.map(({ data: r }) => ({
        id: str(r.id),
        name: str(r.name),
        city: typeof r.city === 'string' ? r.city : null,
        country: str(r.country),
        countryName: str(r.countryName),
        jurisdiction: str(r.jurisdiction),
        services: strings(r.services),
        dataCategories: strings(r.dataCategories),
        backupRegion: typeof r.backupRegion === 'string' ? r.backupRegion : null,
      })),
      subprocessors: subprocessors.map(({ data: s }) => ({
        id: str(s.id),
        name: str(s.name),
        purpose: str(s.purpose),
        dataCategories: strings(s.dataCategories),
        locations: strings(s.locations),
        services: strings(s.services),
        started: str(s.started),
        ended: typeof s.ended === 'string' ? s.ended : null,
      })),
      dataCategories,
    },
  };
}

// Writers below the engine (content sync, the library) import it from lib; the engine's name stays.
export { knowledgeChanged };

/**
 * The knowledge version. Through the database's tracker (see knowledge-version.ts) it is asked
 * of the database at most once a second: every trust page checks it, and on the embedded
 * database that query would otherwise dominate a page view. A handle without a tracker asks
 * every time.
 */
export function currentKnowledgeVersion(db: DbOrTx): Promise<string> {
  return knowledgeTrackerOf(db)?.current(db) ?? knowledgeVersion(db);
}

/** A database handle whose knowledge version is tracked against this clock (one tracker per database). */
export function withKnowledgeTracker<T extends Kysely<Database>>(db: T, clock: Clock, options: { notifyOthers?: boolean } = {}): T {
  if (knowledgeTrackerOf(db)) return db;
  return db.withPlugin(new KnowledgeTracker(clock, knowledgeVersion, 1000, options.notifyOthers ?? false)) as unknown as T;
}

/** Changes whenever content is synced or staff edit the library or the evidence register. */
export async function knowledgeVersion(db: DbOrTx): Promise<string> {
  const row = await sql<{ v: string }>`
    select concat_ws('|',
      (select max(id) from content_revisions),
      (select max(edited_at)::text from library_answers), (select count(*) from library_answers),
      (select max(edited_at)::text from evidence), (select max(edited_at)::text from responsibilities)) as v`.execute(db);
  return row.rows[0]?.v ?? '';
}
