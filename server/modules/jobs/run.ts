import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { Clock } from '../../clock.js';
import type { Database, DbOrTx } from '../../db/database.js';
import { BusyError } from './pool.js';
import * as q from './queries.js';
import type { JobHandler, JobKind } from './types.js';

/** What both queue backends share: how a claimed job runs, and the limits checked before one is accepted. */
export interface RunDeps {
  db: Kysely<Database>;
  clock: Clock;
  log: FastifyBaseLogger;
}

/**
 * Refuses (429) when the person, or this instance, has as many jobs as allowed. `lockedBy` counts
 * this instance's claims; `unclaimed` adds the shared queue's jobs no instance has taken yet.
 */
export async function checkJobCapacity(db: DbOrTx, limits: { jobsPerUser: number; jobsPerInstance: number }, createdBy: string, here: { lockedBy: string; unclaimed: boolean }): Promise<void> {
  const mine = await q.countActiveJobs(db, { createdBy });
  if (mine >= limits.jobsPerUser) {
    throw new BusyError(`You already have ${mine} questionnaire${mine === 1 ? '' : 's'} being answered (at most ${limits.jobsPerUser} at a time). Upload this one when one of them is ready.`);
  }
  const count = await q.countActiveJobs(db, { lockedBy: here.lockedBy, orUnclaimed: here.unclaimed });
  if (count >= limits.jobsPerInstance) {
    throw new BusyError(`The server is answering ${count} questionnaires already (at most ${limits.jobsPerInstance} at a time). Try again in a few minutes.`);
  }
}

/**
 * Runs a job this process has claimed (state "running") with the handler for its kind and records
 * how it ended. Never throws: a failure is stored on the job, with its reason.
 */
export async function runClaimedJob(deps: RunDeps, handlers: ReadonlyMap<JobKind, JobHandler>, id: string): Promise<void> {
  const { db, clock, log } = deps;
  try {
    const job = await q.findJob(db, id);
    if (!job) return;
    const input = (await q.findJobInput(db, id)) ?? {};
    const handler = handlers.get(job.kind);
    if (!handler) throw new Error(`No handler for jobs of kind ${job.kind}.`);
    await handler(input, { job, progress: progressReporter(db, id) });
    await q.finishJob(db, id, { state: 'succeeded', error: null, at: clock.now() });
  } catch (error) {
    log.warn({ err: error, job: id }, 'job failed');
    await q.finishJob(db, id, { state: 'failed', error: error instanceof Error ? error.message : String(error), at: clock.now() }).catch(() => {});
  }
}

/** Progress arrives faster than it is worth storing: one write at a time, always the latest. */
function progressReporter(db: Kysely<Database>, id: string): (done: number, total: number) => void {
  let latest: [number, number] | null = null;
  let writing = false;
  const write = async () => {
    writing = true;
    while (latest) {
      const [done, total] = latest;
      latest = null;
      await q.updateProgress(db, id, done, total).catch(() => {});
    }
    writing = false;
  };
  return (done, total) => {
    latest = [done, total];
    if (!writing) void write();
  };
}
