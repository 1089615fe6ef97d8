import type { Timestamp } from '../modules/content/tables.js';

/** Hits per key and window, shared by the instances (see rate-limit-store.ts). */
export interface RateLimitHitsTable {
  key: string;
  hits: number;
  window_ends: Timestamp;
}

export interface RateLimitTables {
  rate_limit_hits: RateLimitHitsTable;
}
