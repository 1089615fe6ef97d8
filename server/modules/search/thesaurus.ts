/**
 * Security synonyms and acronyms (content/thesaurus.yaml). A query that says "MFA" also looks
 * for "multi-factor authentication", and the other way round. Matching is on normalised words,
 * longest phrase first, so "two-factor authentication" is one match, not two.
 */
export interface Thesaurus {
  /** The other members of every group whose term or phrase occurs in the words. */
  expand(words: string[]): string[];
}

export function normaliseWords(text: string): string[] {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    // "On-premises" is a way of deploying software, not the premises a laptop leaves ("off-premises").
    .replace(/\bon[-\s]?prem(ise|ises)?\b/g, ' onpremises ')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .split(' ')
    .filter(Boolean);
}

export function buildThesaurus(groups: string[][]): Thesaurus {
  const phrases = new Map<string, Set<number>>();
  const members: string[][] = [];
  let longest = 1;
  groups.forEach((group, index) => {
    const normalised = group.map((term) => normaliseWords(term).join(' ')).filter(Boolean);
    members.push(normalised);
    for (const phrase of normalised) {
      if (!phrases.has(phrase)) phrases.set(phrase, new Set());
      phrases.get(phrase)!.add(index);
      longest = Math.max(longest, phrase.split(' ').length);
    }
  });

  return {
    expand(words: string[]): string[] {
      const hit = new Set<number>();
      const found = new Set<string>();
      for (let i = 0; i < words.length; i++) {
        for (let n = Math.min(longest, words.length - i); n >= 1; n--) {
          const phrase = words.slice(i, i + n).join(' ');
          const groupIds = phrases.get(phrase);
          if (groupIds) {
            groupIds.forEach((g) => hit.add(g));
            found.add(phrase);
            break;
          }
        }
      }
      const extra = new Set<string>();
      for (const g of hit) for (const phrase of members[g]) if (!found.has(phrase)) extra.add(phrase);
      return [...extra];
    },
  };
}
