import { daysBetween } from '../../clock.js';
import type { ChangeItem, ContentBundle, DataItem, Problem } from './types.js';

/**
 * Rules about dates across disclosures: a certification that replaced a lapsed one only after a
 * gap, and a change announced for the future whose result the lists already show.
 */
export function checkTimeline(bundle: ContentBundle): Problem[] {
  return [...checkCertificationGaps(bundle), ...checkEffectiveChanges(bundle)];
}

interface CertificationDates {
  issued: string;
  expires: string;
  supersedes?: string;
}

/** A successor issued after its predecessor expired leaves days with no valid certificate, which an auditor asks about. */
function checkCertificationGaps(bundle: ContentBundle): Problem[] {
  const byId = new Map(bundle.certifications.map((c) => [c.id, c]));
  const problems: Problem[] = [];
  for (const cert of bundle.certifications) {
    const { issued, supersedes } = cert.data as unknown as CertificationDates;
    const earlier = supersedes ? byId.get(supersedes) : undefined;
    if (!earlier || earlier.id === cert.id) continue; // an unknown or self reference is an error of its own (references.ts)
    const lapsed = (earlier.data as unknown as CertificationDates).expires;
    if (issued <= lapsed) continue;
    problems.push({
      level: 'warning',
      ...cert.at,
      message: `certification ${cert.id} was issued ${issued}, ${daysBetween(lapsed, issued)} days after ${earlier.id} lapsed on ${lapsed}`,
    });
  }
  return problems;
}

// A change that takes a location away rather than adding one ("leaves Singapore", "no longer served from").
const REMOVAL = /\b(remove[sd]?|retire[sd]?|leaves?|clos(?:es|ed|e)|withdraw[sn]?|drops?|stops?|ends|no longer)\b/i;

interface SubprocessorDates {
  started: string;
  ended?: string;
  locations?: string[];
}

/**
 * subprocessors.yaml lists each subprocessor with the day it started and, once it leaves, the day
 * it ended; a change announced for a future day must still be ahead in those dates. So for each
 * subprocessor a future change names: a start or end after today is the change itself, pending.
 * Otherwise its result is already listed: the subprocessor is gone before its announced removal,
 * or it joined after the announcement yet before the day it takes effect, or (for one that was
 * there long before) the country the change brings to it is already among its locations (or the
 * one it takes away already missing).
 */
function checkEffectiveChanges(bundle: ContentBundle): Problem[] {
  const day = bundle.syncDay;
  const subprocessors = new Map(bundle.subprocessors.map((s) => [s.id, s]));
  const regions = new Map(bundle.regions.map((r) => [r.id, r]));
  const problems: Problem[] = [];
  for (const change of bundle.changes.filter((c) => c.effective > day)) {
    const refs = (change.data.refs as string[] | undefined) ?? [];
    const named = refs.map((id) => regions.get(id)).filter((r): r is DataItem => r !== undefined);
    for (const sub of refs.map((id) => subprocessors.get(id)).filter((s): s is DataItem => s !== undefined)) {
      for (const message of alreadyListed(change, sub, named, day)) problems.push({ level: 'error', ...change.at, message });
    }
  }
  return problems;
}

function alreadyListed(change: ChangeItem, sub: DataItem, regions: DataItem[], day: string): string[] {
  const { started, ended, locations = [] } = sub.data as unknown as SubprocessorDates;
  const when = `change ${change.id} takes effect on ${change.effective}`;
  if (started > day || (ended && ended > day)) return [];
  if (ended) return [`${when}, but subprocessor ${sub.id} is already gone (ended ${ended} in disclosures/subprocessors.yaml); give it ended: ${change.effective}`];
  if (started >= change.published) {
    return [`${when}, but subprocessor ${sub.id} already appears as current (started ${started} in disclosures/subprocessors.yaml); give it started: ${change.effective}`];
  }
  const removal = REMOVAL.test(String(change.data.title ?? ''));
  return regions
    .filter((r) => locations.includes(String(r.data.country)) !== removal)
    .map((r) =>
      removal
        ? `${when}, but subprocessor ${sub.id} already lists no ${String(r.data.country)} (${String(r.data.name)}) among its locations in disclosures/subprocessors.yaml; keep it there until the change takes effect`
        : `${when}, but subprocessor ${sub.id} already lists ${String(r.data.country)} (${String(r.data.name)}) among its locations in disclosures/subprocessors.yaml; add it when the change takes effect`,
    );
}
