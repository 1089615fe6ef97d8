import { PROVIDER_SIDE } from '../content/tables.js';
import type { ModelControl, OperatingModel } from '../responsibility/model.js';

export interface SoaRow {
  control: string;
  title: string;
  theme: string;
  applicable: boolean;
  justification: string;
  status: 'implemented' | 'partially implemented' | 'customer responsibility' | 'not applicable';
  responsibility: Record<string, string>;
  cloudGuidance: string;
  evidence: { id: string; title: string; freshness: string }[];
}

function statusOf(control: ModelControl): SoaRow['status'] {
  const duties = control.duties;
  if (duties.length && duties.every((d) => d.party === 'not-applicable') && !control.isms) return 'not applicable';
  // The provider's own practice is part of its ISMS even where every service leaves the control to the customer.
  const ours = [...duties.filter((d) => PROVIDER_SIDE.includes(d.party)), ...(control.isms ? [control.isms] : [])];
  if (!ours.length) return 'customer responsibility';
  const backed = ours.every((d) => d.evidence.some((e) => e.freshness !== 'stale'));
  return backed ? 'implemented' : 'partially implemented';
}

/** One row per control: applicability with its reason, status from evidence, the split per service. */
export function buildSoa(model: OperatingModel): SoaRow[] {
  return model.controls.map((control) => {
    const status = statusOf(control);
    const evidence = new Map<string, { id: string; title: string; freshness: string }>();
    for (const d of [...control.duties, ...(control.isms ? [control.isms] : [])]) for (const e of d.evidence) evidence.set(e.id, { id: e.id, title: e.title, freshness: e.freshness });
    const reasons = control.duties.filter((d) => d.party === 'not-applicable').map((d) => `${d.serviceId}: ${d.reason ?? ''}`);
    return {
      control: control.id,
      title: control.title,
      theme: control.theme,
      applicable: status !== 'not applicable',
      justification:
        status === 'not applicable'
          ? reasons.join('; ')
          : `Applies to the cloud services in scope${reasons.length ? `; not applicable on ${reasons.join('; ')}` : ''}.`,
      status,
      responsibility: Object.fromEntries(model.services.map((s) => [s.id, control.duties.find((d) => d.serviceId === s.id)?.party ?? 'not described'])),
      cloudGuidance: control.guidance ? `ISO/IEC 27017 guidance${control.guidance.clause ? ` (${control.guidance.clause})` : ''} covered for provider and customer` : control.id.startsWith('iso27017:') ? 'ISO/IEC 27017 cloud control' : '—',
      evidence: [...evidence.values()],
    };
  });
}

export function soaTable(rows: SoaRow[], serviceIds: string[]): { header: string[]; data: string[][] } {
  return {
    header: ['control', 'title', 'applicable', 'justification', 'status', ...serviceIds.map((s) => `responsibility: ${s}`), '27017 guidance', 'evidence (freshness)'],
    data: rows.map((r) => [
      r.control,
      r.title,
      r.applicable ? 'yes' : 'no',
      r.justification,
      r.status,
      ...serviceIds.map((s) => r.responsibility[s] ?? ''),
      r.cloudGuidance,
      r.evidence.map((e) => `${e.id} (${e.freshness})`).join('; '),
    ]),
  };
}
