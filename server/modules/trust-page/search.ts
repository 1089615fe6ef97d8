import type { FastifyInstance } from 'fastify';
import { buildSearchIndex, type SearchIndex } from '../search/index.js';
import { buildThesaurus } from '../search/thesaurus.js';
import { currentKnowledgeVersion } from '../engine/queries.js';

export interface SiteHit {
  title: string;
  url: string;
  kind: string;
  snippet: { before: string; mark: string; after: string }[];
}

interface Doc {
  id: string;
  title: string;
  url: string;
  kind: string;
  text: string;
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
    db.selectFrom('controls').select(['id', 'ref', 'title', 'description', 'guidance_provider', 'guidance_customer', 'keywords']).execute(),
    db.selectFrom('responsibilities').select(['control_id', 'service_id', 'party', 'provider_duty', 'customer_duty']).execute(),
    db.selectFrom('faq_entries').select(['id', 'question', 'answer_md']).execute(),
    db.selectFrom('library_answers').select(['id', 'question', 'explanation', 'phrasings']).where('access', '=', 'public').execute(),
    db.selectFrom('evidence').select(['id', 'title', 'summary', 'access']).where('access', 'in', ['public', 'nda']).execute(),
    db.selectFrom('services').select(['id', 'name']).execute(),
  ]);
  const serviceName = new Map(services.map((s) => [s.id, s.name]));
  return [
    ...controls.map((c) => ({ id: `control:${c.id}`, title: `${c.ref} ${c.title}`, url: `/controls/${encodeURIComponent(c.id)}`, kind: 'Control', text: [c.description, c.guidance_provider, c.guidance_customer, c.keywords.join(', ')].filter(Boolean).join(' ') })),
    ...duties.map((d) => ({
      id: `duty:${d.control_id}|${d.service_id}`,
      title: `${serviceName.get(d.service_id) ?? d.service_id}: ${d.control_id} (${d.party})`,
      url: `/responsibility?service=${encodeURIComponent(d.service_id)}&theme=all#${encodeURIComponent(d.control_id)}`,
      kind: 'Responsibility',
      text: [d.provider_duty, d.customer_duty].filter(Boolean).join(' '),
    })),
    ...faq.map((f) => ({ id: `faq:${f.id}`, title: f.question, url: `/faq#${f.id}`, kind: 'FAQ', text: f.answer_md.replace(/\[\d+\]/g, '') })),
    ...answers.map((a) => ({ id: `answer:${a.id}`, title: a.question, url: `/ask?q=${encodeURIComponent(a.question)}`, kind: 'Answer', text: `${a.explanation} ${a.phrasings.join(' ')}` })),
    ...documents.map((d) => ({ id: `doc:${d.id}`, title: d.title, url: `/documents#${encodeURIComponent(d.id)}`, kind: d.access === 'public' ? 'Document' : 'Document (NDA)', text: d.summary })),
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

export async function searchSite(app: FastifyInstance, query: string): Promise<SiteHit[]> {
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
  return index.search(query, { limit: 25 }).map((hit) => {
    const doc = docs.get(hit.id)!;
    return { title: doc.title, url: doc.url, kind: doc.kind, snippet: snippetOf(`${doc.text}`, hit.matched) };
  });
}
