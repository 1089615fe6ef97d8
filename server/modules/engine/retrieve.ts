import { buildSearchIndex, meaningfulTerms, type QueryOptions, type SearchHit, type SearchIndex } from '../search/index.js';
import { buildThesaurus, normaliseWords, type Thesaurus } from '../search/thesaurus.js';
import { quantitiesIn, type Quantity } from './classify.js';
import type { NamedThing, NamedThingFinder } from './named-things.js';
import { CONTEXT_BOOST, LIBRARY_FIELD_WEIGHTS, QUALIFIER_BOOST } from './thresholds.js';
import type { AccessLevel } from '../content/tables.js';
import type { EngineKnowledge, LibraryEntry } from './types.js';

/**
 * Retrieval: the library and the control catalogue as lunr indexes, and what each library
 * answer names (frameworks, places, data types) and quantifies, computed once per knowledge.
 */
export interface Candidate {
  entry: LibraryEntry;
  hit: SearchHit;
}

export interface LibraryFacts {
  named: Set<string>;
  quantities: Quantity[];
}

export interface Retriever {
  libraryIndex: SearchIndex;
  controlIndex: SearchIndex;
  thesaurus: Thesaurus;
  entries: Map<string, LibraryEntry>;
  facts: Map<string, LibraryFacts>;
  /** Library answers for a question, best first, visible to the audience. */
  candidates(text: string, audience: AccessLevel, context?: QuestionContext): Candidate[];
  controls(text: string, limit: number): SearchHit[];
  /** Inverse document frequency of a stemmed term in the library (unknown terms weigh most). */
  idf(term: string): number;
  /** The stemmed terms a question word also stands for (its thesaurus group). */
  expansions(word: string): string[];
}

export interface QuestionContext {
  previous?: string | null;
  previousBoost?: number;
  section?: string | null;
  /** Titles of controls the question names by number: what it is about when its words are generic. */
  controls?: string | null;
}

/**
 * Compliance qualifiers ("in accordance with applicable statutory, regulatory and contractual
 * obligations") end many questionnaire questions whatever their subject. They still count when
 * they are all a question says, but next to a real subject they must not pull the legal answers up.
 */
export const QUALIFIERS = new Set(
  meaningfulTerms('accordance applicable statutory regulatory contractual legal law laws regulation regulations obligations requirements requirement compliance comply'),
);

const rank: Record<AccessLevel, number> = { public: 0, nda: 1, internal: 2 };

export function visibleTo(audience: AccessLevel, level: AccessLevel): boolean {
  return rank[level] <= rank[audience];
}

export function thingKey(thing: NamedThing): string {
  return `${thing.kind}:${thing.id}`;
}

export function buildRetriever(knowledge: EngineKnowledge, finder: NamedThingFinder): Retriever {
  const thesaurus = buildThesaurus(knowledge.thesaurus);
  const controlText = new Map(knowledge.controls.map((c) => [c.id, `${c.title} ${c.keywords.join(' ')}`]));
  const libraryIndex = buildSearchIndex(
    knowledge.library.map((e) => ({
      id: e.id,
      fields: {
        question: e.question,
        phrasings: e.phrasings.join(' \n '),
        explanation: e.explanation,
        controls: e.controls.map((c) => controlText.get(c) ?? '').join(' '),
      },
    })),
    LIBRARY_FIELD_WEIGHTS,
    thesaurus,
  );
  const controlIndex = buildSearchIndex(
    knowledge.controls.map((c) => ({ id: c.id, fields: { title: c.title, keywords: c.keywords.join(' \n '), description: c.description } })),
    { title: 3, keywords: 2, description: 1 },
    thesaurus,
  );
  const entries = new Map(knowledge.library.map((e) => [e.id, e]));
  const facts = new Map(
    knowledge.library.map((e) => {
      const text = [e.question, ...e.phrasings, e.explanation, ...Object.values(e.services).map((o) => o.explanation ?? '')].join(' \n ');
      return [e.id, { named: new Set(finder.find(text).map(thingKey)), quantities: quantitiesIn(text) }];
    }),
  );
  const maxIdf = Math.log(1 + knowledge.library.length);
  const expansionCache = new Map<string, string[]>();

  function downweightFor(text: string): QueryOptions['downweight'] {
    const terms = libraryIndex.terms(text);
    return terms.some((t) => !QUALIFIERS.has(t)) ? { terms: QUALIFIERS, boost: QUALIFIER_BOOST } : undefined;
  }

  function candidates(text: string, audience: AccessLevel, context: QuestionContext = {}): Candidate[] {
    const extra: QueryOptions['extra'] = [];
    if (context.previous) extra.push({ words: normaliseWords(context.previous), boost: context.previousBoost ?? CONTEXT_BOOST.previous });
    if (context.section) extra.push({ words: normaliseWords(context.section), boost: CONTEXT_BOOST.section });
    if (context.controls) extra.push({ words: normaliseWords(context.controls), boost: CONTEXT_BOOST.controls });
    return libraryIndex
      .search(text, { limit: 40, downweight: downweightFor(text), extra })
      .map((hit) => ({ hit, entry: entries.get(hit.id)! }))
      .filter((c) => visibleTo(audience, c.entry.access))
      .sort((a, b) => b.hit.score - a.hit.score || (a.entry.id < b.entry.id ? -1 : 1));
  }

  return {
    libraryIndex,
    controlIndex,
    thesaurus,
    entries,
    facts,
    candidates,
    controls: (text, limit) => controlIndex.search(text, { limit, downweight: downweightFor(text) }),
    idf(term) {
      const df = libraryIndex.documentFrequency(term);
      return df === 0 ? maxIdf : Math.log(1 + libraryIndex.size / df);
    },
    expansions(word) {
      let known = expansionCache.get(word);
      if (!known) {
        known = [...new Set(thesaurus.expand([word]).flatMap(meaningfulTerms))];
        expansionCache.set(word, known);
      }
      return known;
    },
  };
}
