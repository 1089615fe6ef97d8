import type { Ownership } from '../../engine/types.js';

type Party = NonNullable<Ownership>;

/** Plain words when the workbook offers none. */
const PLAIN: Record<Party, string> = {
  provider: 'Provider',
  customer: 'Customer',
  shared: 'Shared',
  'third-party': 'Third party',
  'shared-third-party': 'Shared with a third party',
  'not-applicable': 'Not applicable',
};

const third = /\b(third|3rd|outsourc|subservice|sub-service)/i;
const shared = /\b(shared|joint|both)\b/i;
const provider = /\b(csp|provider|vendor|supplier|service provider)\b/i;
const customer = /\b(csc|customer|client|tenant|consumer)\b/i;
const notApplicable = /^(n\/?a|na|not applicable|not relevant)\b/i;

/** Whether one of the workbook's words says this party. */
function says(party: Party, word: string): boolean {
  const w = word.trim();
  switch (party) {
    case 'provider':
      return provider.test(w) && !shared.test(w) && !third.test(w) && !customer.test(w);
    case 'customer':
      return customer.test(w) && !shared.test(w) && !third.test(w) && !provider.test(w);
    case 'shared':
      return shared.test(w) && !third.test(w);
    case 'third-party':
      return third.test(w) && !shared.test(w);
    case 'shared-third-party':
      return third.test(w) && shared.test(w);
    case 'not-applicable':
      return notApplicable.test(w);
  }
}

/**
 * Who owns the control, in the workbook's own words (its validation list) when it has them.
 * A party its list cannot say is left blank rather than written in words the list refuses;
 * a shared third party falls back to the list's third-party word.
 */
export function ownershipInWords(ownership: Ownership | undefined, vocabulary: string[] | null | undefined): string {
  if (!ownership) return '';
  if (!vocabulary?.length) return PLAIN[ownership];
  const found = vocabulary.find((w) => says(ownership, w)) ?? (ownership === 'shared-third-party' ? vocabulary.find((w) => says('third-party', w)) : undefined);
  return found ?? '';
}
