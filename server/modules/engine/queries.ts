import { sql } from 'kysely';
import type { DbOrTx } from '../../db/database.js';
import { listControlMappings } from '../content/queries.js';
import type { EngineKnowledge } from './types.js';

/** Everything the engine answers from, read in one go. */
export async function loadKnowledge(db: DbOrTx): Promise<EngineKnowledge> {
  const [library, controls, responsibilities, evidence, services, thesaurus] = await Promise.all([
    db.selectFrom('library_answers').selectAll().orderBy('position').orderBy('id').execute(),
    db.selectFrom('controls').select(['id', 'title', 'description', 'keywords']).orderBy('id').execute(),
    db.selectFrom('responsibilities').select(['control_id', 'service_id', 'party', 'provider_duty', 'customer_duty', 'reason']).execute(),
    db.selectFrom('evidence').select(['id', 'title', 'access', 'review_by']).execute(),
    db.selectFrom('services').select(['id', 'name', 'model']).orderBy('position').execute(),
    db.selectFrom('content_documents').select('data').where('id', '=', 'thesaurus').executeTakeFirst(),
  ]);
  const mappings = await listControlMappings(db);
  return {
    library: library.map((a) => ({
      id: a.id,
      question: a.question,
      phrasings: a.phrasings,
      kind: a.kind,
      answer: a.answer,
      asOf: a.as_of,
      explanation: a.explanation,
      controls: a.control_ids,
      evidence: a.evidence_ids,
      access: a.access,
      services: a.service_overrides,
    })),
    controls: controls.map((c) => ({ id: c.id, title: c.title, description: c.description, keywords: c.keywords })),
    responsibilities: responsibilities.map((r) => ({
      controlId: r.control_id,
      serviceId: r.service_id,
      party: r.party,
      provider: r.provider_duty,
      customer: r.customer_duty,
      reason: r.reason,
    })),
    evidence: evidence.map((e) => ({ id: e.id, title: e.title, access: e.access, reviewBy: e.review_by })),
    services: services.map((s) => ({ id: s.id, name: s.name, model: s.model })),
    thesaurus: (thesaurus?.data as string[][] | undefined) ?? [],
    mappings,
  };
}

let generation = 0;
const VERSION_TTL_MS = 1000;
const memo = new WeakMap<object, { at: number; generation: number; value: Promise<string> }>();

/** Every in-process write to the knowledge calls this after it commits, so the next read sees it at once. */
export function knowledgeChanged(): void {
  generation++;
}

/**
 * The knowledge version, asked of the database at most once a second: every trust page checks
 * it, and on the embedded database that query would otherwise dominate a page view. Writes in
 * this process show at once (knowledgeChanged); other instances' writes within a second.
 */
export function currentKnowledgeVersion(db: DbOrTx): Promise<string> {
  const now = Date.now();
  const known = memo.get(db);
  if (known && known.generation === generation && now - known.at < VERSION_TTL_MS) return known.value;
  const value = knowledgeVersion(db);
  memo.set(db, { at: now, generation, value });
  value.catch(() => memo.delete(db));
  return value;
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
