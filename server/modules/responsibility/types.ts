import type { Party, RegionOverride } from '../content/tables.js';

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
  /** Region id → the fields that differ in that region. */
  regions: Record<string, RegionOverride>;
}

/** A responsibility of scope `isms`: how the provider runs a control for its own organisation. */
export interface IsmsPractice {
  controlId: string;
  provider: string;
  owner: string | null;
  evidenceIds: string[];
}
