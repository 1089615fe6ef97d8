import type { Json, ShortAnswer, Timestamp } from '../content/tables.js';

/** Two library answers that answer the same question differently (see service.ts, findOverlaps). */
export interface StoredOverlap {
  a: string;
  b: string;
  answers: [ShortAnswer | null, ShortAnswer | null];
  question: string;
}

export interface LibraryOverlapsTable {
  /** The knowledge version the overlaps were computed for; a new version gets a new row. */
  knowledge_version: string;
  computed_at: Timestamp;
  overlaps: Json<StoredOverlap[]>;
}

export interface LibraryTables {
  library_overlaps: LibraryOverlapsTable;
}
