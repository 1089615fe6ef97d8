import type { Certification } from './site.js';

/** Which certification a framework's badge leads to when several name it: a certificate before an attestation or a report. */
const KIND_RANK: Record<string, number> = { certificate: 0, attestation: 1, report: 2 };

export interface FrameworkBadge {
  framework: string;
  name: string;
  href: string;
  expiring: boolean;
}

/**
 * One badge per framework held today, in the order the certifications list them, each linking to
 * the certification that holds it. A framework only a lapsed or expired certification names gets
 * no badge: a badge reads as "held".
 */
export function frameworkBadges(certifications: Certification[], names: Record<string, string>): FrameworkBadge[] {
  const held = certifications.filter((c) => !c.lapsed && c.status !== 'expired');
  const best = new Map<string, Certification>();
  for (const cert of held) {
    for (const framework of cert.frameworks ?? []) {
      const other = best.get(framework);
      if (!other || rank(cert) < rank(other) || (rank(cert) === rank(other) && cert.expires > other.expires)) best.set(framework, cert);
    }
  }
  return [...best].map(([framework, cert]) => ({
    framework,
    name: names[framework] ?? framework,
    href: `/certifications#${encodeURIComponent(cert.id)}`,
    expiring: cert.status === 'expiring',
  }));
}

const rank = (c: Certification) => KIND_RANK[c.kind] ?? 3;
