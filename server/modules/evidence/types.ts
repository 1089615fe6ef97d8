import type { AccessLevel, EvidenceKind, Redistribution } from '../content/tables.js';

/** An evidence item of the register as every reader sees it: the one shape of an `evidence` row. */
export interface EvidenceRecord {
  id: string;
  title: string;
  summary: string;
  kind: EvidenceKind;
  owner: string;
  source: string;
  issued: string | null;
  periodStart: string | null;
  periodEnd: string | null;
  version: string | null;
  approver: string | null;
  redistribution: Redistribution;
  collected: string;
  reviewBy: string;
  controls: string[];
  access: AccessLevel;
  fileName: string | null;
  mediaType: string | null;
  size: number | null;
  sha256: string | null;
  storage: 'content' | 'upload';
  editedBy: string | null;
  editedAt: Date | null;
}
