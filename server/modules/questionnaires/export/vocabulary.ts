import type { ShortAnswer } from '../../content/tables.js';

const synonyms: Record<ShortAnswer, RegExp> = {
  Yes: /^(y|yes|true|ja|oui|si|compliant|fully compliant|implemented|in place|agree)$/i,
  No: /^(n|no|false|nein|non|not compliant|non-compliant|not implemented|disagree)$/i,
  Partial: /^(partial|partially|partly|partially compliant|partially implemented|in progress|some)$/i,
  'N/A': /^(n\/?a|na|not applicable|n\.a\.|not relevant)$/i,
};

/** The customer's own word for a canonical answer, from their data-validation list when it has one. */
export function inCustomerWords(answer: ShortAnswer | null, vocabulary: string[] | null): string {
  if (!answer) return '';
  if (!vocabulary?.length) return answer;
  return vocabulary.find((word) => synonyms[answer].test(word.trim())) ?? answer;
}
