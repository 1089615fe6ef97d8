import type { Certification, Site } from './site.js';

/** What each opinion means, said for a reader who is not an auditor. */
const OPINION_TEXT: Record<NonNullable<Certification['opinion']>, string> = {
  unqualified: 'Unqualified: the auditor found the controls suitably designed and operating effectively',
  qualified: 'Qualified: the auditor found exceptions, described in the report',
  adverse: 'Adverse: the auditor found the controls did not meet the criteria',
  disclaimer: 'Disclaimer: the auditor could not form an opinion',
};

/**
 * The /certifications page: ids in the content become the names a reader knows (services,
 * regions, the certification superseded), so the template only lays them out.
 */
export function certificationsModel(site: Site) {
  const serviceName = new Map(site.services.map((s) => [s.id, s.name]));
  const regionName = new Map(site.regions.map((r) => [r.id, r.name === r.countryName ? r.name : `${r.name} (${r.countryName})`]));
  const byId = new Map(site.certifications.map((c) => [c.id, c]));
  const successor = new Map(site.certifications.filter((c) => c.supersedes).map((c) => [c.supersedes!, c]));
  const view = (c: Certification) => {
    const earlier = c.supersedes ? byId.get(c.supersedes) : undefined;
    const later = successor.get(c.id);
    return {
      ...c,
      scopeServiceNames: (c.scopeServices ?? []).map((id) => serviceName.get(id) ?? id),
      scopeRegionNames: (c.scopeRegions ?? []).map((id) => regionName.get(id) ?? id),
      opinionText: c.opinion ? OPINION_TEXT[c.opinion] : null,
      supersedesCert: earlier ? { id: earlier.id, title: earlier.title } : null,
      supersededBy: later ? { id: later.id, title: later.title } : null,
    };
  };
  return {
    title: 'Certifications and attestations',
    current: site.certifications.filter((c) => !c.lapsed).map(view),
    history: site.certifications.filter((c) => c.lapsed).map(view),
  };
}
