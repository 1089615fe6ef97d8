import { daysBetween } from '../../clock.js';
import { isClauseNumber } from './control-refs.js';
import { evidenceFileFacts } from './files.js';
import type { ContentBundle, Location, Problem } from './types.js';

/** Backup places that are not another region: a second zone of the same region, or no copy elsewhere. */
const BACKUP_KEYWORDS = new Set(['same-region', 'none']);

interface CertificationRefs {
  kind?: string;
  evidence?: string;
  scopeServices?: string[];
  scopeRegions?: string[];
  supersedes?: string;
  verificationUrl?: string;
  opinion?: string;
  complementaryCustomerControls?: string[];
}

function isHttpsUrl(text: string): boolean {
  try {
    return new URL(text).protocol === 'https:';
  } catch {
    return false;
  }
}

interface CheckOptions {
  contentDir: string;
  today: string;
  expiringWithinDays: number;
}

/** Cross-file rules: ids resolve, duties are written, files match their hashes, coverage is complete. */
export function checkReferences(bundle: ContentBundle, options: CheckOptions): Problem[] {
  const problems: Problem[] = [];
  const error = (at: Location, message: string) => problems.push({ level: 'error', ...at, message });
  const warn = (at: Location, message: string) => problems.push({ level: 'warning', ...at, message });

  const unique = <T extends { id: string; at: Location }>(items: T[], what: string) => {
    const seen = new Map<string, Location>();
    for (const item of items) {
      const first = seen.get(item.id);
      if (first) error(item.at, `duplicate ${what} id "${item.id}" (first at ${first.file}:${first.line})`);
      else seen.set(item.id, item.at);
    }
    return new Set(seen.keys());
  };

  const controls = unique(bundle.controls, 'control');
  const services = unique(bundle.services, 'service');
  const evidence = unique(bundle.evidence, 'evidence');
  const subprocessorIds = new Set(bundle.subprocessors.map((s) => s.id));
  const categories = unique(bundle.dataCategories, 'data category');
  const regions = unique(bundle.regions, 'region');
  const subprocessors = unique(bundle.subprocessors, 'subprocessor');
  const certifications = unique(bundle.certifications, 'certification');
  unique(bundle.changes, 'change');
  unique(bundle.library, 'answer');
  unique(bundle.faq, 'FAQ');
  unique(bundle.responsibilities, 'responsibility');

  const known = (set: Set<string>, ids: string[], at: Location, what: string, owner: string) => {
    for (const id of ids) if (!set.has(id)) error(at, `${owner}: unknown ${what} "${id}"`);
  };

  for (const r of bundle.responsibilities) {
    const owner = `responsibility ${r.controlId} / ${r.serviceId}`;
    if (!controls.has(r.controlId)) error(r.at, `${owner}: unknown control "${r.controlId}"`);
    if (!services.has(r.serviceId)) error(r.at, `${owner}: unknown service "${r.serviceId}"`);
    known(evidence, r.evidence, r.at, 'evidence', owner);
    if ((r.party === 'customer' || r.party === 'shared') && !r.customer) error(r.at, `${owner}: party is ${r.party} but no customer duty is written`);
    if (r.party !== 'customer' && r.party !== 'not-applicable' && !r.provider) error(r.at, `${owner}: party is ${r.party} but no provider duty is written`);
    const outsourced = r.party === 'third-party' || r.party === 'shared-third-party';
    if (outsourced && !r.thirdParties.length) error(r.at, `${owner}: party is ${r.party} but "thirdParties" names no subservice organisation`);
    if (!outsourced && r.thirdParties.length) error(r.at, `${owner}: "thirdParties" is only for third-party and shared-third-party rows`);
    for (const id of r.thirdParties) if (!subprocessorIds.has(id)) error(r.at, `${owner}: unknown subprocessor "${id}" in thirdParties`);
    for (const [regionId, o] of Object.entries(r.regions)) {
      const where = `${owner}, region ${regionId}`;
      const region = bundle.regions.find((x) => x.id === regionId);
      if (!region) error(r.at, `${where}: unknown region (see disclosures/locations.yaml)`);
      else if (!((region.data.services as string[] | undefined) ?? []).includes(r.serviceId)) error(r.at, `${where}: the region does not host service "${r.serviceId}"`);
      const party = o.party ?? r.party;
      const third = o.thirdParties ?? r.thirdParties;
      for (const id of o.thirdParties ?? []) if (!subprocessorIds.has(id)) error(r.at, `${where}: unknown subprocessor "${id}" in thirdParties`);
      if ((party === 'third-party' || party === 'shared-third-party') !== third.length > 0) error(r.at, `${where}: "thirdParties" names the subservice organisations of third-party and shared-third-party parties only`);
      if (party === 'not-applicable' && !(o.reason ?? r.reason)) error(r.at, `${where}: not-applicable needs a reason`);
      if ((party === 'customer' || party === 'shared') && !(o.customer ?? r.customer)) error(r.at, `${where}: party is ${party} but no customer duty is written`);
    }
    if (r.party === 'not-applicable' && !r.reason) error(r.at, `${owner}: not-applicable needs a reason`);
    if (r.party !== 'not-applicable' && !r.owner) warn(r.at, `${owner}: no owner named`);
  }
  for (const r of bundle.ismsPractices) {
    const owner = `responsibility ${r.controlId} / isms`;
    if (!controls.has(r.controlId)) error(r.at, `${owner}: unknown control "${r.controlId}"`);
    known(evidence, r.evidence, r.at, 'evidence', owner);
    if (!r.owner) warn(r.at, `${owner}: no owner named`);
  }

  for (const service of bundle.services) {
    for (const l of service.layers) {
      const owner = `service ${service.id}, layer ${l.layer}`;
      const outsourced = l.party === 'third-party' || l.party === 'shared-third-party';
      if (outsourced && !l.subprocessors.length) error(l.at, `${owner}: party is ${l.party} but "subprocessors" names no subservice organisation`);
      if (!outsourced && l.subprocessors.length) error(l.at, `${owner}: "subprocessors" is only for third-party and shared-third-party layers`);
      for (const id of l.subprocessors) {
        const sub = bundle.subprocessors.find((s) => s.id === id);
        const serves = sub?.data.services as string[] | undefined;
        if (!sub) error(l.at, `${owner}: unknown subprocessor "${id}"`);
        else if (serves && !serves.includes(service.id)) error(l.at, `${owner}: subprocessor "${id}" does not serve ${service.id} (its "services" in disclosures/subprocessors.yaml)`);
      }
    }
  }

  const covered = new Set(bundle.responsibilities.map((r) => `${r.controlId}|${r.serviceId}`));
  for (const control of bundle.controls) {
    for (const service of bundle.services) {
      if (!covered.has(`${control.id}|${service.id}`)) warn(control.at, `control ${control.id} has no responsibility entry for service "${service.id}"`);
    }
  }

  for (const item of bundle.evidence) {
    const owner = `evidence ${item.id}`;
    known(controls, item.controls, item.at, 'control', owner);
    if (item.collected > item.reviewBy) error(item.at, `${owner}: reviewBy is before collected`);
    const left = daysBetween(options.today, item.reviewBy);
    if (left < 0) warn(item.at, `${owner} is stale: its review-by date ${item.reviewBy} has passed`);
    else if (left <= options.expiringWithinDays) warn(item.at, `${owner} expires soon: review by ${item.reviewBy}`);
    if (!item.file) {
      if (item.access === 'nda') error(item.at, `${owner}: nda documents need a PDF file`);
      continue;
    }
    let facts;
    try {
      facts = evidenceFileFacts(options.contentDir, item.file);
    } catch (e) {
      error(item.at, `${owner}: ${(e as Error).message}`);
      continue;
    }
    if (!facts) error(item.at, `${owner}: file evidence/files/${item.file} does not exist`);
    else {
      if (item.sha256 && item.sha256 !== facts.sha256) error(item.at, `${owner}: sha256 of evidence/files/${item.file} is ${facts.sha256}, the register says ${item.sha256}`);
      if (!item.sha256) warn(item.at, `${owner}: no sha256 recorded for its file`);
      if (item.access === 'nda' && facts.mediaType !== 'application/pdf') {
        error(item.at, `${owner}: nda documents must be unencrypted PDFs so they can be watermarked, not ${facts.mediaType}`);
      }
    }
  }

  const answered = new Set<string>();
  for (const answer of bundle.library) {
    const owner = `answer ${answer.id}`;
    known(controls, answer.controls, answer.at, 'control', owner);
    known(evidence, answer.evidence, answer.at, 'evidence', owner);
    for (const service of Object.keys(answer.services)) if (!services.has(service)) error(answer.at, `${owner}: unknown service "${service}"`);
    if (answer.phrasings.length < 3) warn(answer.at, `${owner}: has ${answer.phrasings.length} phrasings; three or more help matching`);
    if (answer.controls.length === 0) error(answer.at, `${owner}: names no control`);
    answer.controls.forEach((c) => answered.add(c));
  }
  if (bundle.library.length > 0) {
    for (const control of bundle.controls) if (!answered.has(control.id)) warn(control.at, `control ${control.id} has no library answer`);
  }

  for (const entry of bundle.faq) {
    entry.citations.forEach((c, i) => {
      const owner = `FAQ ${entry.id} citation ${i + 1}`;
      if (c.kind === 'control' && !controls.has(c.ref ?? '')) error(entry.at, `${owner}: unknown control "${c.ref}"`);
      else if (c.kind === 'document' && !evidence.has(c.ref ?? '')) error(entry.at, `${owner}: unknown document "${c.ref}"`);
      else if (c.kind === 'url' && !/^https?:\/\//.test(c.url ?? '')) error(entry.at, `${owner}: url citations need an http(s) url`);
      else if (!['control', 'document', 'url'].includes(c.kind)) error(entry.at, `${owner}: kind must be control, document or url`);
    });
  }

  for (const region of bundle.regions) {
    const data = region.data as { services: string[]; dataCategories: string[]; backupRegion?: string };
    known(services, data.services, region.at, 'service', `region ${region.id}`);
    known(categories, data.dataCategories, region.at, 'data category', `region ${region.id}`);
    if (data.backupRegion && !BACKUP_KEYWORDS.has(data.backupRegion) && !regions.has(data.backupRegion)) {
      error(region.at, `region ${region.id}: unknown backup region "${data.backupRegion}" (a region id, same-region or none)`);
    }
  }
  for (const sub of bundle.subprocessors) {
    known(categories, (sub.data.dataCategories as string[]) ?? [], sub.at, 'data category', `subprocessor ${sub.id}`);
    known(services, (sub.data.services as string[] | undefined) ?? [], sub.at, 'service', `subprocessor ${sub.id}`);
  }
  for (const cert of bundle.certifications) {
    const data = cert.data as CertificationRefs;
    const owner = `certification ${cert.id}`;
    if (data.evidence && !evidence.has(data.evidence)) error(cert.at, `${owner}: unknown evidence "${data.evidence}"`);
    for (const id of data.scopeServices ?? []) if (!services.has(id)) error(cert.at, `${owner}: scopeServices names "${id}", which is not a service in services.yaml`);
    for (const id of data.scopeRegions ?? []) if (!regions.has(id)) error(cert.at, `${owner}: scopeRegions names "${id}", which is not a region in disclosures/locations.yaml`);
    if (data.supersedes && (data.supersedes === cert.id || !certifications.has(data.supersedes))) {
      error(cert.at, `${owner}: supersedes "${data.supersedes}", which is not another certification in this file`);
    }
    if (data.verificationUrl && !isHttpsUrl(data.verificationUrl)) error(cert.at, `${owner}: verificationUrl must be an https:// address, not "${data.verificationUrl}"`);
    // An opinion and complementary customer controls belong to an auditor's report, not to a certificate.
    if (data.kind === 'certificate' && (data.opinion || data.complementaryCustomerControls?.length)) {
      error(cert.at, `${owner}: opinion and complementaryCustomerControls are for reports (kind: report or attestation), not certificates`);
    }
  }
  const disclosed = new Set([...regions, ...subprocessors, ...certifications, ...services, ...evidence]);
  for (const change of bundle.changes) {
    for (const ref of (change.data.refs as string[] | undefined) ?? []) {
      if (!disclosed.has(ref)) error(change.at, `change ${change.id}: unknown reference "${ref}"`);
    }
  }
  // Annex A rows map to 27002 controls; the clause rows (4-10) map to clauses, which are not controls.
  // A clause row read as a control is how "27001 7.2" (competence) once became physical entry 7.2:
  // Annex A rows (A.x.y.z) map to 2022 controls, clause rows (4-10) only to clauses.
  for (const mapping of bundle.mappings) {
    const annex = mapping.from.startsWith('A.');
    if (!annex && !isClauseNumber(mapping.from)) {
      error(mapping.at, `mapping ${mapping.from}: neither an Annex A control (A.x.y.z) nor an ISO/IEC 27001 clause (4-10)`);
      continue;
    }
    for (const ref of mapping.to) {
      if (!annex && (ref.startsWith('A.') || !isClauseNumber(ref))) {
        error(mapping.at, `mapping ${mapping.from}: the clause maps to "${ref}", which is not a clause; clauses are never Annex A controls`);
      } else if (annex && !controls.has(`iso27002:${ref.replace(/^A\./, '')}`)) {
        error(mapping.at, `mapping ${mapping.from}: unknown 2022 control "${ref}"`);
      }
    }
  }
  return problems;
}
