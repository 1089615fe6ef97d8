import type { JobKind, JobState } from './tables.js';

export type { JobKind, JobState };

/** A job as the API and the pages show it. */
export interface Job {
  id: string;
  kind: JobKind;
  subject: string;
  state: JobState;
  progress: { done: number; total: number };
  error: string | null;
  createdBy: string;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/** What a handler gets besides its input: a way to report progress (n of N). */
export interface JobContext {
  job: Job;
  progress(done: number, total: number): void;
}

/** Runs one kind of job; the input is plain JSON, so any instance (or a later shared queue) can run it. */
export type JobHandler = (input: Record<string, unknown>, context: JobContext) => Promise<void>;
