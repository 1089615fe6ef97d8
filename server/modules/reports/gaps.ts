import { PROVIDER_SIDE } from '../content/tables.js';
import type { OperatingModel } from '../responsibility/model.js';

export type Severity = 'high' | 'medium' | 'low';

export interface Gap {
  severity: Severity;
  kind: 'no-current-evidence' | 'stale-evidence' | 'expiring-evidence' | 'no-owner' | 'no-customer-duty';
  control: string | null;
  service: string | null;
  evidence: string | null;
  owner: string;
  problem: string;
  nextStep: string;
}

const rank: Record<Severity, number> = { high: 0, medium: 1, low: 2 };

/** The list a compliance lead works through each week: what is not operated, and who fixes it. */
export function findGaps(model: OperatingModel): Gap[] {
  const gaps: Gap[] = [];
  for (const control of model.controls) {
    for (const duty of control.duties) {
      const ours = PROVIDER_SIDE.includes(duty.party);
      if (ours && !duty.evidence.some((e) => e.freshness !== 'stale')) {
        gaps.push({
          severity: 'high',
          kind: 'no-current-evidence',
          control: control.id,
          service: duty.serviceId,
          evidence: null,
          owner: duty.owner ?? 'Compliance Office',
          problem: `Our part of ${control.ref} ${control.title} on ${duty.serviceId} has no current evidence.`,
          nextStep: duty.evidence.length ? 'Collect a fresh copy of the linked evidence and update its review-by date.' : 'Link evidence that shows this duty operating (a record, test result or configuration export).',
        });
      }
      if ((duty.party === 'shared' || duty.party === 'shared-third-party' || duty.party === 'customer') && !duty.customer) {
        gaps.push({ severity: 'high', kind: 'no-customer-duty', control: control.id, service: duty.serviceId, evidence: null, owner: duty.owner ?? 'Compliance Office', problem: `${control.ref} on ${duty.serviceId} is ${duty.party} but says nothing about what the customer must do.`, nextStep: 'Write the customer duty in plain, actionable words.' });
      }
      if (duty.party !== 'not-applicable' && !duty.owner) {
        gaps.push({ severity: 'medium', kind: 'no-owner', control: control.id, service: duty.serviceId, evidence: null, owner: 'Compliance Office', problem: `${control.ref} on ${duty.serviceId} has no owner.`, nextStep: 'Name the team that owns this responsibility.' });
      }
    }
  }
  for (const e of model.evidence) {
    if (e.freshness === 'stale') gaps.push({ severity: 'medium', kind: 'stale-evidence', control: null, service: null, evidence: e.id, owner: e.owner, problem: `${e.title} passed its review-by date (${e.reviewBy}).`, nextStep: 'Collect it again, or retire it and link its replacement.' });
    else if (e.freshness === 'expiring') gaps.push({ severity: 'low', kind: 'expiring-evidence', control: null, service: null, evidence: e.id, owner: e.owner, problem: `${e.title} must be reviewed by ${e.reviewBy}.`, nextStep: 'Schedule the collection before the review-by date.' });
  }
  return gaps.sort((a, b) => rank[a.severity] - rank[b.severity] || a.owner.localeCompare(b.owner) || String(a.control ?? a.evidence).localeCompare(String(b.control ?? b.evidence)));
}
