import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import type { AccessLevel, Party } from '../content/tables.js';
import { freshnessOf, type Freshness } from '../evidence/freshness.js';
import { compareControlIds } from '../trust-page/matrix.js';

export interface ModelEvidence {
  id: string;
  title: string;
  kind: string;
  owner: string;
  access: AccessLevel;
  reviewBy: string;
  collected: string;
  freshness: Freshness;
  controls: string[];
  storage: string;
  fileName: string | null;
  sha256: string | null;
}

export interface ModelDuty {
  serviceId: string;
  party: Party;
  provider: string | null;
  customer: string | null;
  reason: string | null;
  owner: string | null;
  evidence: ModelEvidence[];
}

export interface ModelControl {
  id: string;
  ref: string;
  title: string;
  theme: string;
  description: string;
  focus: string[];
  guidance: { clause: string | null; provider: string; customer: string } | null;
  duties: ModelDuty[];
}

export interface OperatingModel {
  today: string;
  services: { id: string; name: string; model: string; summary: string }[];
  controls: ModelControl[];
  evidence: ModelEvidence[];
}

/** The operating model as plain data: controls × services with evidence and its freshness, computed for today. */
export async function loadModel(db: Kysely<Database>, today: string, expiringWithinDays: number): Promise<OperatingModel> {
  const [services, controls, duties, evidence] = await Promise.all([
    db.selectFrom('services').select(['id', 'name', 'model', 'summary']).orderBy('position').execute(),
    db.selectFrom('controls').selectAll().execute(),
    db.selectFrom('responsibilities').selectAll().execute(),
    db.selectFrom('evidence').selectAll().orderBy('position').execute(),
  ]);
  const ev: ModelEvidence[] = evidence.map((e) => ({
    id: e.id,
    title: e.title,
    kind: e.kind,
    owner: e.owner,
    access: e.access,
    reviewBy: e.review_by,
    collected: e.collected_on,
    freshness: freshnessOf(e.review_by, today, expiringWithinDays),
    controls: e.control_ids,
    storage: e.storage,
    fileName: e.file_name,
    sha256: e.sha256,
  }));
  const byId = new Map(ev.map((e) => [e.id, e]));
  const order = new Map(services.map((s, i) => [s.id, i]));
  return {
    today,
    services,
    evidence: ev,
    controls: controls
      .sort((a, b) => compareControlIds(a.id, b.id))
      .map((c) => ({
        id: c.id,
        ref: c.ref,
        title: c.title,
        theme: c.theme,
        description: c.description,
        focus: c.focus,
        guidance: c.guidance_provider ? { clause: c.guidance_clause, provider: c.guidance_provider, customer: c.guidance_customer ?? '' } : null,
        duties: duties
          .filter((d) => d.control_id === c.id)
          .sort((a, b) => (order.get(a.service_id) ?? 0) - (order.get(b.service_id) ?? 0))
          .map((d) => ({
            serviceId: d.service_id,
            party: d.party,
            provider: d.provider_duty,
            customer: d.customer_duty,
            reason: d.reason,
            owner: d.owner,
            evidence: d.evidence_ids.map((id) => byId.get(id)).filter((e): e is ModelEvidence => Boolean(e)),
          })),
      })),
  };
}

const levels: Record<AccessLevel, number> = { public: 0, nda: 1, internal: 2 };

/** The same model with evidence above the reader's level removed — never named, not even by id. */
export function visibleModel(model: OperatingModel, audience: AccessLevel): OperatingModel {
  const visible = (e: ModelEvidence) => levels[e.access] <= levels[audience];
  return {
    ...model,
    evidence: model.evidence.filter(visible),
    controls: model.controls.map((c) => ({ ...c, duties: c.duties.map((d) => ({ ...d, evidence: d.evidence.filter(visible) })) })),
  };
}
