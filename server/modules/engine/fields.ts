import type { Citation, ProviderFields } from './types.js';

/**
 * A field to fill in ("Security contact email address") is answered only where the provider's
 * profile holds that value; anything else stays unanswered rather than guessed.
 */
interface FieldRule {
  pattern: RegExp;
  /** Path into content/provider.yaml's provider map. */
  path: string[];
  label: string;
}

const RULES: FieldRule[] = [
  { pattern: /\b(security|vulnerability|incident)\b.*\be ?-?mail\b|\be ?-?mail\b.*\bsecurity\b/, path: ['securityContact', 'email'], label: 'Security contact' },
  { pattern: /\b(privacy|data protection|dpo)\b.*\b(e ?-?mail|contact)\b/, path: ['privacyContact'], label: 'Privacy contact' },
  { pattern: /\b(vulnerability disclosure|security)\b.*\b(url|page|web ?site|link)\b/, path: ['securityContact', 'url'], label: 'Security page' },
  { pattern: /\b(pgp|gpg)\b/, path: ['securityContact', 'pgpKeyUrl'], label: 'PGP key' },
  { pattern: /\bstatus page\b/, path: ['statusPage'], label: 'Status page' },
  { pattern: /\btrust (center|centre|portal|page)\b/, path: ['trustUrl'], label: 'Trust center' },
  { pattern: /\b(legal (entity|name)|company name|vendor name|registered name|organi[sz]ation name|supplier name|name of (the|your) (company|organi[sz]ation|vendor|supplier))\b/, path: ['legalEntity'], label: 'Legal entity' },
  { pattern: /\b(headquarters|registered (office|address)|company address|business address|mailing address|vendor address|address of)\b/, path: ['address'], label: 'Address' },
  { pattern: /\b(registration number|company number|commercial register)\b/, path: ['registration'], label: 'Registration' },
  { pattern: /\b(company|corporate|vendor)? ?(web ?site|homepage)\b/, path: ['website'], label: 'Website' },
];

/** Field rows answered from a fact (content/facts.yaml) rather than the profile. */
interface FactRule {
  pattern: RegExp;
  fact: string;
  unit: string;
  label: string;
}

const FACT_RULES: FactRule[] = [
  { pattern: /\bbackups?\b.*\b(retention|retained|kept|keep)\b|\b(retention|retained)\b.*\bbackups?\b/, fact: 'retention.backupDays', unit: 'days', label: 'Backup retention' },
  { pattern: /\b(breach|incident)\b.*\bnotif\w*\b.*\b(time|hours?|deadline|period|window)\b/, fact: 'notice.breachHours', unit: 'hours', label: 'Breach notification' },
  { pattern: /\bsub-? ?processors?\b.*\bnotice\b|\bnotice\b.*\bsub-? ?processors?\b/, fact: 'notice.subprocessorDays', unit: 'days', label: 'Subprocessor change notice' },
  { pattern: /\b(security|audit) logs?\b.*\b(retention|retained|kept)\b|\blog retention\b/, fact: 'retention.securityLogsMonths', unit: 'months', label: 'Security log retention' },
];

function valueAt(profile: ProviderFields, path: string[]): string | null {
  let value: unknown = profile;
  for (const key of path) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  return typeof value === 'string' && value.trim() ? value.trim() : null;
}

export interface FieldAnswer {
  text: string;
  citations: Citation[];
}

/** The profile value or fact a field row asks for, or null when neither holds it. */
export function answerField(question: string, profile: ProviderFields | null | undefined, facts: Record<string, string | number | boolean> = {}): FieldAnswer | null {
  const text = question.toLowerCase();
  for (const rule of FACT_RULES) {
    if (!rule.pattern.test(text) || facts[rule.fact] === undefined) continue;
    return { text: `${String(facts[rule.fact])} ${rule.unit}`, citations: [{ kind: 'disclosure', id: `facts#${rule.fact}`, title: rule.label, url: '/' }] };
  }
  if (!profile) return null;
  // "Primary security contact name": a person's name is not in the profile, even if an e-mail is.
  if (/\b(name|names)\b/.test(text) && /\b(contact|person|officer|ciso|dpo|ceo|cto|representative|manager)\b/.test(text)) return null;
  for (const rule of RULES) {
    if (!rule.pattern.test(text)) continue;
    const value = valueAt(profile, rule.path);
    if (!value) return null;
    return { text: value, citations: [{ kind: 'disclosure', id: `provider#${rule.path.join('.')}`, title: rule.label, url: '/' }] };
  }
  return null;
}
