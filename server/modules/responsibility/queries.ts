import type { Selectable } from 'kysely';
import type { DbOrTx } from '../../db/database.js';
import type { Party, ResponsibilitiesTable } from '../content/tables.js';

/** One row of the responsibility matrix: who does what for one control on one service. */
export interface Duty {
  controlId: string;
  serviceId: string;
  party: Party;
  provider: string | null;
  customer: string | null;
  reason: string | null;
  owner: string | null;
  evidenceIds: string[];
  /** Subprocessor ids of the subservice organisations, for third-party parties. */
  thirdParties: string[];
}

export function toDuty(r: Selectable<ResponsibilitiesTable>): Duty {
  return {
    controlId: r.control_id,
    serviceId: r.service_id,
    party: r.party,
    provider: r.provider_duty,
    customer: r.customer_duty,
    reason: r.reason,
    owner: r.owner,
    evidenceIds: r.evidence_ids,
    thirdParties: r.third_parties,
  };
}

export async function listDuties(db: DbOrTx, filter: { serviceId?: string; controlId?: string } = {}): Promise<Duty[]> {
  let query = db.selectFrom('responsibilities').selectAll();
  if (filter.serviceId) query = query.where('service_id', '=', filter.serviceId);
  if (filter.controlId) query = query.where('control_id', '=', filter.controlId);
  const rows = await query.orderBy('position').orderBy('id').execute();
  return rows.map(toDuty);
}
