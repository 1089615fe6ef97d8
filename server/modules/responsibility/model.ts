import type { Kysely } from 'kysely';
import { today, type Clock } from '../../clock.js';
import type { Config } from '../../config.js';
import type { Database } from '../../db/database.js';
import type { DatabaseKind } from '../../db/connect.js';
import type { AccessLevel } from '../content/tables.js';
import { listControls, listServices, type Control, type Service } from '../catalogue/queries.js';
import { freshnessOf, type Freshness } from '../evidence/freshness.js';
import { listEvidence, type EvidenceRecord } from '../evidence/queries.js';
import { listDuties, listIsmsPractices, type Duty } from './queries.js';

/** An evidence item with its freshness on the model's day. */
export type ModelEvidence = EvidenceRecord & { freshness: Freshness };

export type ModelDuty = Omit<Duty, 'controlId' | 'evidenceIds'> & { evidence: ModelEvidence[] };

/** How the provider runs the control for its own organisation, with the evidence that shows it. */
export interface ModelIsmsPractice {
  provider: string;
  owner: string | null;
  evidence: ModelEvidence[];
}

export type ModelControl = Omit<Control, 'frameworkId' | 'keywords'> & { duties: ModelDuty[]; isms: ModelIsmsPractice | null };

export interface OperatingModel {
  today: string;
  services: Service[];
  controls: ModelControl[];
  evidence: ModelEvidence[];
}

/** The operating model as plain data: controls × services with evidence and its freshness, computed for today. */
export async function loadModel(db: Kysely<Database>, today: string, expiringWithinDays: number): Promise<OperatingModel> {
  const [services, controls, duties, practices, evidence] = await Promise.all([listServices(db), listControls(db), listDuties(db), listIsmsPractices(db), listEvidence(db)]);
  const ev: ModelEvidence[] = evidence.map((e) => ({ ...e, freshness: freshnessOf(e.reviewBy, today, expiringWithinDays) }));
  const byId = new Map(ev.map((e) => [e.id, e]));
  const order = new Map(services.map((s, i) => [s.id, i]));
  const evidenceOf = (ids: string[]) => ids.map((id) => byId.get(id)).filter((e): e is ModelEvidence => Boolean(e));
  const practiceOf = new Map(practices.map((p) => [p.controlId, { provider: p.provider, owner: p.owner, evidence: evidenceOf(p.evidenceIds) }]));
  const dutiesOf = new Map<string, Duty[]>();
  for (const d of duties) dutiesOf.set(d.controlId, [...(dutiesOf.get(d.controlId) ?? []), d]);
  return {
    today,
    services,
    evidence: ev,
    controls: controls.map(({ frameworkId: _, keywords: __, ...c }) => ({
      ...c,
      duties: (dutiesOf.get(c.id) ?? [])
        .sort((a, b) => (order.get(a.serviceId) ?? 0) - (order.get(b.serviceId) ?? 0))
        .map(({ controlId: _, evidenceIds, ...d }) => ({ ...d, evidence: evidenceOf(evidenceIds) })),
      isms: practiceOf.get(c.id) ?? null,
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
    controls: model.controls.map((c) => ({
      ...c,
      duties: c.duties.map((d) => ({ ...d, evidence: d.evidence.filter(visible) })),
      isms: c.isms && { ...c.isms, evidence: c.isms.evidence.filter(visible) },
    })),
  };
}

export interface ModelDeps {
  db: Kysely<Database>;
  clock: Clock;
  config: Config;
  /** Where uploaded evidence files go (rows on PostgreSQL); absent: the embedded database's folder. */
  databaseKind?: DatabaseKind;
}

/** The model as a reader at this level may see it, for today. */
export async function currentModel(deps: ModelDeps, audience: AccessLevel = 'internal'): Promise<OperatingModel> {
  const model = await loadModel(deps.db, today(deps.clock), deps.config.expiringWithinDays);
  return audience === 'internal' ? model : visibleModel(model, audience);
}
