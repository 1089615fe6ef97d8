import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import { compareControlIds, listControls } from '../catalogue/queries.js';
import { freshnessOf } from '../evidence/freshness.js';
import { listEvidence } from '../evidence/queries.js';
import { listDuties } from '../responsibility/queries.js';

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
    listControls(db),
    listDuties(db, { serviceId }),
    listEvidence(db),
  ]);
  const evidenceById = new Map(evidence.map((e) => [e.id, e]));
  const controlById = new Map(controls.map((c) => [c.id, c]));
  return duties
    .filter((d) => {
      const control = controlById.get(d.controlId);
      return control && (theme === 'all' || control.focus.includes(theme));
    })
    .sort((a, b) => compareControlIds(a.controlId, b.controlId))
    .map((d) => {
      const linked = d.evidenceIds.map((id) => evidenceById.get(id)).filter((e): e is NonNullable<typeof e> => Boolean(e));
      const current = linked.filter((e) => freshnessOf(e.reviewBy, today, expiringWithinDays) !== 'stale');
      return {
        controlId: d.controlId,
        title: controlById.get(d.controlId)!.title,
        party: d.party,
        provider: d.provider,
        customer: d.customer,
        reason: d.reason,
        owner: d.owner,
        backed: current.length > 0,
        evidence: current.filter((e) => e.access !== 'internal').map((e) => ({ id: e.id, title: e.title, access: e.access })),
      };
    });
}
