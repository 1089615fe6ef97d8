import type { Generated } from 'kysely';
import type { Json, Timestamp } from '../content/tables.js';

/** What a job does. A closed set with a CHECK: a new kind is a migration and a handler. */
export type JobKind = 'questionnaire.answer';
export type JobState = 'queued' | 'running' | 'succeeded' | 'failed';

export interface JobsTable {
  id: string;
  kind: JobKind;
  subject: string;
  input: Json<Record<string, unknown>>;
  state: JobState;
  progress_done: Generated<number>;
  progress_total: Generated<number>;
  error: string | null;
  created_by: string;
  created_at: Timestamp;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
  locked_by: string | null;
  lease_until: Timestamp | null;
}

export interface JobTables {
  jobs: JobsTable;
}
