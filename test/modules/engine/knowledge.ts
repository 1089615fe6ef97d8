import type { EngineKnowledge, LibraryEntry } from '../../../server/modules/engine/types.js';

function answer(entry: Partial<LibraryEntry> & Pick<LibraryEntry, 'id' | 'question' | 'controls'>): LibraryEntry {
  return { phrasings: [], kind: 'yes-no', asOf: null, answer: 'Yes', explanation: `${entry.question} Yes.`, evidence: [], access: 'public', services: {}, ...entry };
}

/** A small library in the shape the engine reads, for unit tests of the pure core. */
export function makeKnowledge(): EngineKnowledge {
  return {
    thesaurus: [
      ['mfa', 'multi-factor authentication', '2fa', 'two-factor authentication'],
      ['encryption at rest', 'data at rest encryption', 'stored data encryption'],
    ],
    services: [
      { id: 'compute', name: 'Compute', model: 'IaaS' },
      { id: 'db', name: 'Managed DB', model: 'PaaS' },
    ],
    controls: [
      { id: 'iso27002:8.5', title: 'Secure authentication', description: 'Strong sign-in.', keywords: ['authentication', 'login', 'password'] },
      { id: 'iso27002:8.24', title: 'Use of cryptography', description: 'Encrypt data.', keywords: ['encryption', 'cipher', 'tls'] },
      { id: 'iso27002:8.13', title: 'Information backup', description: 'Keep backups.', keywords: ['backup', 'restore', 'snapshot'] },
      { id: 'iso27002:8.8', title: 'Management of technical vulnerabilities', description: 'Patch.', keywords: ['patch', 'vulnerability', 'operating system'] },
    ],
    library: [
      answer({
        id: 'mfa',
        question: 'Is multi-factor authentication enforced for administrators?',
        phrasings: ['Do admins use two-factor login?', 'Strong authentication for privileged users'],
        controls: ['iso27002:8.5'],
        evidence: ['ev-mfa'],
        explanation: 'All staff use hardware security keys.',
      }),
      answer({
        id: 'rest',
        question: 'Is customer data encrypted at rest?',
        phrasings: ['Do you encrypt stored data?', 'Encryption of data at rest'],
        controls: ['iso27002:8.24'],
        evidence: ['ev-crypto-nda'],
        explanation: 'AES-256-GCM on every volume.',
      }),
      answer({
        id: 'transit',
        question: 'Is data encrypted in transit?',
        phrasings: ['Do you use TLS for data in transit?', 'Transport encryption'],
        controls: ['iso27002:8.24'],
        explanation: 'TLS 1.2 minimum, TLS 1.3 preferred.',
      }),
      answer({
        id: 'backup',
        question: 'Do you back up customer data?',
        phrasings: ['Backup frequency?', 'Are backups taken and tested?'],
        controls: ['iso27002:8.13'],
        evidence: ['ev-backup-stale'],
        explanation: 'Daily backups kept 35 days.',
      }),
      answer({
        id: 'patching',
        question: 'Do you patch operating systems?',
        phrasings: ['Operating system patch management', 'Are OS security updates applied?'],
        controls: ['iso27002:8.8'],
        explanation: 'We patch hosts within 14 days.',
        services: { db: { answer: 'Yes', explanation: 'We patch the database OS in your maintenance window.' } },
      }),
      answer({
        id: 'internal-secret',
        question: 'What is the break-glass procedure for root access?',
        phrasings: ['Emergency root access procedure', 'Break glass accounts'],
        controls: ['iso27002:8.5'],
        access: 'internal',
        explanation: 'Internal detail.',
      }),
    ],
    responsibilities: [
      { controlId: 'iso27002:8.8', serviceId: 'compute', party: 'customer', provider: 'Patches hypervisors.', customer: 'Patch your guest operating system.', reason: null },
      { controlId: 'iso27002:8.8', serviceId: 'db', party: 'provider', provider: 'Patches everything.', customer: null, reason: null },
    ],
    evidence: [
      { id: 'ev-mfa', title: 'MFA policy export', access: 'public', reviewBy: '2027-06-01' },
      { id: 'ev-crypto-nda', title: 'KMS configuration', access: 'nda', reviewBy: '2027-06-01' },
      { id: 'ev-backup-stale', title: 'Restore test', access: 'public', reviewBy: '2026-01-01' },
    ],
  };
}
