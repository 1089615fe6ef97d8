import type { Timestamp } from '../content/tables.js';

/** Uploaded evidence files, by content hash, when the instances share a PostgreSQL database. */
export interface EvidenceFilesTable {
  sha256: string;
  data: Buffer;
  size: number;
  created_at: Timestamp;
}

export interface EvidenceFileTables {
  evidence_files: EvidenceFilesTable;
}
