import type { PublicDocument } from './site.js';

/** Headings in the order a reviewer looks for them: assurance first, then the rules, then the proof they run. */
const KIND_GROUPS: { label: string; kinds: string[] }[] = [
  { label: 'Certificates and audit reports', kinds: ['certificate', 'report'] },
  { label: 'Policies and procedures', kinds: ['policy', 'procedure'] },
  { label: 'Tests and records', kinds: ['test-result', 'record', 'log-sample'] },
  { label: 'Configuration and screenshots', kinds: ['configuration', 'screenshot'] },
];

const REDISTRIBUTION_LABELS = { allowed: 'may be shared', 'with-consent': 'share only with the issuer’s consent', 'not-allowed': 'not to be passed on' } as const;

/** One document as the documents page shows it: its own facts plus the words the template prints. */
function documentView(d: PublicDocument) {
  return { ...d, redistributionLabel: REDISTRIBUTION_LABELS[d.redistribution], accessLabel: d.access === 'public' ? 'Public' : 'Under NDA' };
}

/** The documents of one access level under headings by kind; empty headings are left out. */
export function groupDocuments(documents: PublicDocument[]) {
  return KIND_GROUPS.map((g) => ({ label: g.label, documents: documents.filter((d) => g.kinds.includes(d.kind)).map(documentView) })).filter((g) => g.documents.length > 0);
}
