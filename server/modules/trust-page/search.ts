import type { FastifyInstance } from 'fastify';
import { buildSearchIndex, type SearchIndex } from '../search/index.js';
import { buildThesaurus } from '../search/thesaurus.js';
import { currentKnowledgeVersion } from '../engine/queries.js';
import { listControls, listServices } from '../catalogue/queries.js';
import { listEvidence } from '../evidence/queries.js';
import { listAnswers } from '../library/queries.js';
import { listDuties } from '../responsibility/queries.js';

/** The filters a visitor can narrow a search to. */
export const SEARCH_TYPES = ['answers', 'controls', 'responsibilities', 'documents', 'faq'] as const;
export type SearchType = (typeof SEARCH_TYPES)[number];

export interface SiteHit {
  title: string;
  url: string;
  kind: string;
  snippet: { before: string; mark: string; after: string }[];
  /** For a control: the services whose responsibility matched, with who does what. */
  services: { name: string; party: string }[];
}

export interface SiteResults {
  total: number;
  /** How many results each filter would show for this query. */
  counts: Record<SearchType, number>;
  page: number;
  pages: number;
  results: SiteHit[];
}

export const PAGE_SIZE = 10;

interface Doc {
  id: string;
  title: string;
  url: string;
  kind: string;
  /** Everything indexed, keywords included. */
  text: string;
  /** What a snippet may quote: prose only, never a keyword list. */
  prose: string;
  /** The control a control or responsibility belongs to: its results are one. */
  control?: string;
  service?: { name: string; party: string };
  type: SearchType;
}

interface SearchCache {
  version: string;
  index: SearchIndex;
  docs: Map<string, Doc>;
}

/** Each app's own index, rebuilt when the knowledge version moves (never shared between apps). */
const indexes = new WeakMap<FastifyInstance, SearchCache>();

/** Public content only: controls, public responsibilities, FAQ, public library answers, public and NDA document titles. */
async function siteDocuments(app: FastifyInstance): Promise<Doc[]> {
  const { db } = app.deps;
  const [controls, duties, faq, answers, documents, services] = await Promise.all([
    listControls(db),
    listDuties(db),
    db.selectFrom('faq_entries').select(['id', 'question', 'answer_md']).execute(),
    listAnswers(db, { access: ['public'] }),
    listEvidence(db, { access: ['public', 'nda'] }),
    listServices(db),
  ]);
  const serviceName = new Map(services.map((s) => [s.id, s.name]));
  const controlById = new Map(controls.map((c) => [c.id, c]));
  return [
    ...controls.map((c) => ({
      id: `control:${c.id}`,
      title: `${c.ref} ${c.title}`,
      url: `/controls/${encodeURIComponent(c.id)}`,
      kind: 'Control',
      text: [c.description, c.guidance?.provider, c.guidance?.customer, c.keywords.join(', ')].filter(Boolean).join(' '),
      prose: [c.description, c.guidance?.provider, c.guidance?.customer].filter(Boolean).join(' '),
      control: c.id,
      type: 'controls' as const,
    })),
    ...duties.map((d) => {
      const text = [d.provider, d.customer].filter(Boolean).join(' ');
      const control = controlById.get(d.controlId);
      return {
        id: `duty:${d.controlId}|${d.serviceId}`,
        title: control ? `${control.ref} ${control.title}` : d.controlId,
        url: `/controls/${encodeURIComponent(d.controlId)}`,
        kind: 'Control',
        text,
        prose: text,
        control: d.controlId,
        service: { name: serviceName.get(d.serviceId) ?? d.serviceId, party: d.party },
        type: 'responsibilities' as const,
      };
    }),
    ...faq.map((f) => {
      const text = f.answer_md.replace(/\[\d+\]/g, '');
      return { id: `faq:${f.id}`, title: f.question, url: `/faq#${f.id}`, kind: 'FAQ', text, prose: text, type: 'faq' as const };
    }),
    ...answers.map((a) => ({ id: `answer:${a.id}`, title: a.question, url: `/ask?q=${encodeURIComponent(a.question)}`, kind: 'Answer', text: `${a.explanation} ${a.phrasings.join(' ')}`, prose: a.explanation, type: 'answers' as const })),
    ...documents.map((d) => ({ id: `doc:${d.id}`, title: d.title, url: `/documents#${encodeURIComponent(d.id)}`, kind: d.access === 'public' ? 'Document' : 'Document (NDA)', text: d.summary, prose: d.summary, type: 'documents' as const })),
  ];
}

/** A snippet around the first matched word, split so the template can mark it without raw HTML. */
function snippetOf(text: string, terms: string[]) {
  const lower = text.toLowerCase();
  let at = -1;
  let length = 0;
  for (const term of terms) {
    const m = new RegExp(`\\b${term.replace(/[^a-z0-9]/g, '')}[a-z]*`, 'i').exec(lower);
    if (m && (at < 0 || m.index < at)) [at, length] = [m.index, m[0].length];
  }
  if (at < 0) return [{ before: text.slice(0, 200), mark: '', after: '' }];
  const start = Math.max(0, at - 90);
  return [{ before: (start > 0 ? '…' : '') + text.slice(start, at), mark: text.slice(at, at + length), after: text.slice(at + length, at + length + 120) + '…' }];
}

/**
 * Searches the public content: every match counted (not a first page), a control's text and its
 * responsibilities folded into one result that names the services, filters by type, pages of
 * PAGE_SIZE. A query whose words occur nowhere finds nothing (lunr would otherwise return every
 * document for a query with no usable term).
 */
export async function searchSite(app: FastifyInstance, query: string, options: { type?: SearchType; page?: number } = {}): Promise<SiteResults> {
  const version = await currentKnowledgeVersion(app.deps.db);
  let cached = indexes.get(app);
  if (!cached || cached.version !== version) {
    const docs = await siteDocuments(app);
    const thesaurus = await app.deps.db.selectFrom('content_documents').select('data').where('id', '=', 'thesaurus').executeTakeFirst();
    cached = {
      version,
      docs: new Map(docs.map((d) => [d.id, d])),
      index: buildSearchIndex(docs.map((d) => ({ id: d.id, fields: { title: d.title, text: d.text } })), { title: 3, text: 1 }, buildThesaurus((thesaurus?.data as string[][]) ?? [])),
    };
    indexes.set(app, cached);
  }
  const { docs, index } = cached;
  const hits = index.search(query, { limit: docs.size }).filter((hit) => hit.matched.length > 0);

  // One result per control: its own text or any service's duty, whichever matched first leads.
  const groups = new Map<string, { doc: Doc; matched: string[]; services: { name: string; party: string }[]; types: Set<SearchType> }>();
  for (const hit of hits) {
    const doc = docs.get(hit.id)!;
    const key = doc.control ? `control:${doc.control}` : doc.id;
    let group = groups.get(key);
    if (!group) {
      group = { doc, matched: hit.matched, services: [], types: new Set() };
      groups.set(key, group);
    }
    group.types.add(doc.type);
    if (doc.service) group.services.push(doc.service);
  }
  const all = [...groups.values()];
  const typeOf = (g: (typeof all)[number], type: SearchType) => (type === 'controls' ? g.doc.control !== undefined : g.types.has(type));
  const counts = Object.fromEntries(SEARCH_TYPES.map((type) => [type, all.filter((g) => typeOf(g, type)).length])) as Record<SearchType, number>;
  const chosen = options.type ? all.filter((g) => typeOf(g, options.type!)) : all;
  const pages = Math.max(1, Math.ceil(chosen.length / PAGE_SIZE));
  const page = Math.min(Math.max(1, options.page ?? 1), pages);
  const results = chosen.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE).map(({ doc, matched, services }) => ({
    title: doc.title,
    url: doc.url,
    kind: doc.kind,
    snippet: snippetOf(doc.prose, matched),
    services,
  }));
  return { total: chosen.length, counts, page, pages, results };
}
