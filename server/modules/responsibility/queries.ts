import type { Selectable } from 'kysely';
import type { DbOrTx } from '../../db/database.js';
import type { ResponsibilitiesTable } from '../content/tables.js';
import type { Duty, IsmsPractice } from './types.js';

export type { Duty, IsmsPractice };


export function toDuty(r: Selectable<ResponsibilitiesTable>): Duty {
  return {
    controlId: r.control_id,
    serviceId: r.service_id ?? '',
    party: r.party,
    provider: r.provider_duty,
    customer: r.customer_duty,
    reason: r.reason,
    owner: r.owner,
    evidenceIds: r.evidence_ids,
    thirdParties: r.third_parties,
    regions: r.region_overrides ?? {},
  };
}

/** The matrix: rows about a service (the provider's own ISMS practices are read with listIsmsPractices). */
export async function listDuties(db: DbOrTx, filter: { serviceId?: string; controlId?: string } = {}): Promise<Duty[]> {
  let query = db.selectFrom('responsibilities').selectAll().where('scope', '=', 'service');
  if (filter.serviceId) query = query.where('service_id', '=', filter.serviceId);
  if (filter.controlId) query = query.where('control_id', '=', filter.controlId);
  const rows = await query.orderBy('position').orderBy('id').execute();
  return rows.map(toDuty);
}


export async function listIsmsPractices(db: DbOrTx, filter: { controlId?: string } = {}): Promise<IsmsPractice[]> {
  let query = db.selectFrom('responsibilities').select(['control_id', 'provider_duty', 'owner', 'evidence_ids']).where('scope', '=', 'isms');
  if (filter.controlId) query = query.where('control_id', '=', filter.controlId);
  const rows = await query.orderBy('position').orderBy('id').execute();
  return rows.map((r) => ({ controlId: r.control_id, provider: r.provider_duty ?? '', owner: r.owner, evidenceIds: r.evidence_ids }));
}
