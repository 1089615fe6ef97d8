/** {{partyLabel party}}: the words the trust page shows for a responsibility party. */
const LABELS: Record<string, string> = {
  provider: 'provider',
  customer: 'customer',
  shared: 'shared',
  'third-party': 'subservice organisation',
  'shared-third-party': 'provider and subservice organisation',
  'not-applicable': 'not applicable',
};

export function partyLabel(party: unknown): string {
  return typeof party === 'string' ? (LABELS[party] ?? party) : '';
}
