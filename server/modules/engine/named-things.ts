import { normaliseWords } from '../search/thesaurus.js';

/**
 * Named things a question can ask about: a framework or certification, a law, a regulated data
 * type, a country or group of countries, one of the provider's regions, services or
 * subprocessors. A question naming one is answered only from a source that names the same thing.
 */
export type NamedKind = 'framework' | 'data-type' | 'capability' | 'place' | 'region' | 'service' | 'subprocessor';

export interface NamedThing {
  kind: NamedKind;
  id: string;
  name: string;
}

export interface NamedEntry extends NamedThing {
  /** The words people use for it; matched as whole normalised words. */
  phrases: string[];
}

export interface NamedThingFinder {
  /** Every named thing in the text, in order, longest phrase first where phrases overlap. */
  find(text: string): NamedThing[];
}

// "New Jersey", "New Mexico", "New South Wales" are not Jersey, Mexico or Wales.
const NOT_AFTER = new Set(['new']);

export function buildNamedThingFinder(entries: NamedEntry[]): NamedThingFinder {
  const byPhrase = new Map<string, NamedThing[]>();
  let longest = 1;
  for (const entry of entries) {
    const thing: NamedThing = { kind: entry.kind, id: entry.id, name: entry.name };
    for (const phrase of new Set([entry.name, ...entry.phrases].map((p) => normaliseWords(p).join(' ')).filter(Boolean))) {
      const list = byPhrase.get(phrase) ?? [];
      if (!list.some((t) => t.kind === thing.kind && t.id === thing.id)) list.push(thing);
      byPhrase.set(phrase, list);
      longest = Math.max(longest, phrase.split(' ').length);
    }
  }

  function find(text: string): NamedThing[] {
    const words = normaliseWords(text);
    const found: NamedThing[] = [];
    const seen = new Set<string>();
    for (let i = 0; i < words.length; i++) {
      for (let n = Math.min(longest, words.length - i); n >= 1; n--) {
        const things = byPhrase.get(words.slice(i, i + n).join(' '));
        if (!things) continue;
        const placeAfterNew = i > 0 && NOT_AFTER.has(words[i - 1]);
        for (const t of things) {
          if (placeAfterNew && (t.kind === 'place' || t.kind === 'region')) continue;
          const key = `${t.kind}:${t.id}`;
          if (!seen.has(key)) found.push(t);
          seen.add(key);
        }
        i += n - 1;
        break;
      }
    }
    return found;
  }

  return { find };
}

export function sameThing(a: NamedThing, b: NamedThing): boolean {
  return a.kind === b.kind && a.id === b.id;
}
