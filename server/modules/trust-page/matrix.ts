import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import { freshnessOf } from '../evidence/freshness.js';

export const THEMES = [
  { id: 'access', name: 'Access administration' },
  { id: 'logging', name: 'Logging and monitoring' },
  { id: 'data-lifecycle', name: 'Data lifecycle: backup, restore, deletion' },
  { id: 'all', name: 'All controls' },
] as const;

export interface MatrixRow {
  controlId: string;
  title: string;
  party: string;
  provider: string | null;
  customer: string | null;
  reason: string | null;
  owner: string | null;
  /** Whether current public-or-NDA evidence backs the provider's part (titles of internal evidence are never shown). */
  backed: boolean;
  evidence: { id: string; title: string; access: string }[];
}

/** The shared-responsibility matrix for one service and theme, as the public sees it. */
export async function loadMatrix(db: Kysely<Database>, serviceId: string, theme: string, today: string, expiringWithinDays: number): Promise<MatrixRow[]> {
  const [controls, duties, evidence] = await Promise.all([
    db.selectFrom('controls').select(['id', 'title', 'focus', 'position']).execute(),
    db.selectFrom('responsibilities').selectAll().where('service_id', '=', serviceId).execute(),
    db.selectFrom('evidence').select(['id', 'title', 'access', 'review_by']).execute(),
  ]);
  const evidenceById = new Map(evidence.map((e) => [e.id, e]));
  const controlById = new Map(controls.map((c) => [c.id, c]));
  return duties
    .filter((d) => {
      const control = controlById.get(d.control_id);
      return control && (theme === 'all' || control.focus.includes(theme));
    })
    .sort((a, b) => compareControlIds(a.control_id, b.control_id))
    .map((d) => {
      const linked = d.evidence_ids.map((id) => evidenceById.get(id)).filter((e): e is NonNullable<typeof e> => Boolean(e));
      const current = linked.filter((e) => freshnessOf(e.review_by, today, expiringWithinDays) !== 'stale');
      return {
        controlId: d.control_id,
        title: controlById.get(d.control_id)!.title,
        party: d.party,
        provider: d.provider_duty,
        customer: d.customer_duty,
        reason: d.reason,
        owner: d.owner,
        backed: current.length > 0,
        evidence: current.filter((e) => e.access !== 'internal').map((e) => ({ id: e.id, title: e.title, access: e.access })),
      };
    });
}

/** iso27002:5.9 before iso27002:5.10; CLD after the 2022 controls. */
export function compareControlIds(a: string, b: string): number {
  const key = (id: string) => {
    const [framework, ref] = id.split(':');
    return [framework === 'iso27017' ? 1 : 0, ...ref.replace(/^CLD\./, '').split('.').map(Number)];
  };
  const x = key(a);
  const y = key(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if ((x[i] ?? -1) !== (y[i] ?? -1)) return (x[i] ?? -1) - (y[i] ?? -1);
  }
  return 0;
}
