import lunr from 'lunr';
import { normaliseWords, type Thesaurus } from './thesaurus.js';

/**
 * The only module that imports lunr: build an index, query it, explain a hit. Queries are built
 * programmatically from words, never parsed from lunr's query syntax, so no input can make a
 * query fail.
 */
export interface SearchDocument {
  id: string;
  fields: Record<string, string>;
}

export interface SearchHit {
  id: string;
  score: number;
  /** Query words (stemmed) that matched this document. */
  matched: string[];
}

export interface QueryOptions {
  limit?: number;
  /** Weight of words that only came from the thesaurus. */
  expansionBoost?: number;
  /** Extra words (already normalised) to search for with this boost. */
  extra?: { words: string[]; boost: number }[];
  /** Stemmed terms that count for less (e.g. boilerplate qualifiers), with their boost. */
  downweight?: { terms: Set<string>; boost: number };
}

export interface SearchIndex {
  readonly size: number;
  search(text: string, options?: QueryOptions): SearchHit[];
  /** The meaningful, stemmed words of a text, as the index sees them. */
  terms(text: string): string[];
  /** How many documents contain the (stemmed) term. */
  documentFrequency(term: string): number;
}

const stopWords = new Set([
  'do', 'does', 'did', 'you', 'your', 'yours', 'we', 'our', 'us', 'organization', 'organisation', 'company', 'provider',
  'please', 'describe', 'explain', 'provide', 'is', 'are', 'have', 'has', 'there', 'any', 'what', 'which', 'how', 'who',
  'can', 'will', 'shall', 'should', 'must', 'may', 'y', 'n', 'yes', 'no', 'na', 'e', 'g', 'eg', 'ie', 'etc', 'its', 'it',
]);

/**
 * Porter's stemmer folds some words of different meaning into one stem: "authorized" and
 * "authorities" both become "author", so an answer about supervisory authorities matched a
 * question about authorization. These prefixes keep such words apart.
 */
const SEPARATE_STEMS: [RegExp, string][] = [
  [/^authori[sz]/, 'authoriz'],
  [/^authorit/, 'authorit'],
  [/^generat/, 'generat'],
  [/^communit/, 'communit'],
  [/^government/, 'government'],
  // "integrated" and "integration" are not "integrity".
  [/^integrat/, 'integrat'],
  // "Do you have a data protection officer?" is not about offices.
  [/^officer/, 'officer'],
  // A container image is not the containment of an incident.
  [/^container/, 'container'],
  // "utilize" (a questionnaire's way of saying "use") is not about utilities (power, water, cooling).
  [/^utili[sz]e/, 'utiliz'],
];

/**
 * British and American spellings of one word stem alike: Porter's stemmer makes "unauthorised"
 * "unauthoris" but "unauthorized" "unauthor", and "analyse" is not "analyze", so a question in one
 * spelling missed an answer written in the other. Words that only end like "-ise" keep theirs.
 */
// Words ending in "-wise" and "-cise" (otherwise, exercise, precise) are left by the pattern below.
const ISE_WORDS = new Set([
  'advise', 'apprise', 'arise', 'chastise', 'comprise', 'compromise', 'demise', 'despise', 'devise', 'disguise', 'enterprise', 'expertise', 'franchise',
  'improvise', 'merchandise', 'noise', 'paradise', 'poise', 'praise', 'premise', 'promise', 'raise', 'reprise', 'revise', 'rise', 'supervise',
  'surmise', 'surprise', 'televise', 'treatise', 'cruise', 'bruise', 'guise', 'vise',
]);
const OUR_WORDS = /^(behavi|col|fav|hon|lab|neighb|rum|harb|vap|endeav|hum)our(s|ed|ing|al|able|ite|ites)?$/;
const SPELLING: [RegExp, string][] = [
  [/^licen[cs]e/, 'license'],
  [/^defen[cs]e/, 'defense'],
  [/^offen[cs]e/, 'offense'],
  [/^catalogue/, 'catalog'],
];

function americanSpelling(word: string): string {
  const ise = /^([a-z]{2,})is(e|es|ed|ing|er|ers|ation|ations|able)$/.exec(word);
  if (ise && !ISE_WORDS.has(`${ise[1]}ise`) && !/(wise|cise)$/.test(`${ise[1]}ise`)) return `${ise[1]}iz${ise[2]}`;
  const yse = /^([a-z]{2,})ys(e|es|ed|ing|er|ers)$/.exec(word);
  if (yse) return `${yse[1]}yz${yse[2]}`;
  const our = OUR_WORDS.exec(word);
  if (our) return `${our[1]}or${our[2] ?? ''}`;
  for (const [pattern, fixed] of SPELLING) if (pattern.test(word)) return word.replace(pattern, fixed);
  return word;
}

function stem(raw: string): string {
  const word = americanSpelling(raw);
  for (const [pattern, fixed] of SEPARATE_STEMS) if (pattern.test(word)) return fixed;
  return lunr.stemmer(new lunr.Token(word, {})).toString();
}

function indexStemmer(token: lunr.Token): lunr.Token {
  return token.update((word) => stem(word));
}
lunr.Pipeline.registerFunction(indexStemmer, 'evidentStemmer');

/** Lower-cased words without stop words, stemmed the way the index stems them. */
export function meaningfulTerms(text: string): string[] {
  const out: string[] = [];
  for (const word of normaliseWords(text)) {
    if (stopWords.has(word) || word.length < 2) continue;
    const token = lunr.stopWordFilter(new lunr.Token(word, {}));
    if (!token) continue;
    out.push(stem(word));
  }
  return out;
}

export function buildSearchIndex(documents: SearchDocument[], boosts: Record<string, number>, thesaurus?: Thesaurus): SearchIndex {
  const fields = Object.keys(boosts);
  const df = new Map<string, number>();
  const index = lunr(function () {
    this.ref('id');
    this.pipeline.after(lunr.stemmer, indexStemmer);
    this.pipeline.remove(lunr.stemmer);
    for (const field of fields) this.field(field, { boost: boosts[field] });
    this.metadataWhitelist = [];
    for (const doc of documents) {
      // Both sides see the same normalised words, so index and query tokens always agree.
      this.add({ id: doc.id, ...Object.fromEntries(fields.map((f) => [f, normaliseWords(doc.fields[f] ?? '').join(' ')])) });
      const seen = new Set<string>();
      for (const field of fields) for (const term of meaningfulTerms(doc.fields[field] ?? '')) seen.add(term);
      for (const term of seen) df.set(term, (df.get(term) ?? 0) + 1);
    }
  });

  function search(text: string, options: QueryOptions = {}): SearchHit[] {
    const words = normaliseWords(text);
    const base = [...new Set(meaningfulTerms(text))];
    const expanded = thesaurus ? [...new Set(thesaurus.expand(words).flatMap(meaningfulTerms))].filter((t) => !base.includes(t)) : [];
    const extra = (options.extra ?? []).map((e) => ({ words: [...new Set(e.words.flatMap(meaningfulTerms))], boost: e.boost }));
    if (base.length + expanded.length === 0) return [];
    const results = index.query((q) => {
      const add = (term: string, boost: number) => {
        if (df.has(term)) q.term(term, { boost, usePipeline: false, presence: lunr.Query.presence.OPTIONAL });
      };
      base.forEach((t) => add(t, options.downweight?.terms.has(t) ? options.downweight.boost : 1));
      expanded.forEach((t) => add(t, options.expansionBoost ?? 0.6));
      for (const e of extra) e.words.forEach((t) => add(t, e.boost));
    });
    return results.slice(0, options.limit ?? 10).map((r) => ({
      id: r.ref,
      score: r.score,
      matched: Object.keys(r.matchData.metadata),
    }));
  }

  return {
    size: documents.length,
    search,
    terms: meaningfulTerms,
    documentFrequency: (term) => df.get(term) ?? 0,
  };
}
