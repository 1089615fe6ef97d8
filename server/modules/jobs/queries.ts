import { sql, type Selectable } from 'kysely';
import type { DbOrTx } from '../../db/database.js';
import type { JobKind, JobsTable } from './tables.js';
import type { Job } from './types.js';

const ACTIVE = ['queued', 'running'] as const;

function toJob(row: Selectable<JobsTable>): Job {
  return {
    id: row.id,
    kind: row.kind,
    subject: row.subject,
    state: row.state,
    progress: { done: row.progress_done, total: row.progress_total },
    error: row.error,
    createdBy: row.created_by,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

export async function insertJob(
  db: DbOrTx,
  row: { id: string; kind: JobKind; subject: string; input: unknown; createdBy: string; lockedBy: string | null; leaseUntil: Date | null; at: Date },
): Promise<Job> {
  const inserted = await db
    .insertInto('jobs')
    .values({ id: row.id, kind: row.kind, subject: row.subject, input: JSON.stringify(row.input), state: 'queued', created_by: row.createdBy, created_at: row.at, locked_by: row.lockedBy, lease_until: row.leaseUntil })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toJob(inserted);
}

export async function findJob(db: DbOrTx, id: string): Promise<Job | null> {
  const row = await db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toJob(row) : null;
}

export async function findJobInput(db: DbOrTx, id: string): Promise<Record<string, unknown> | null> {
  const row = await db.selectFrom('jobs').select('input').where('id', '=', id).executeTakeFirst();
  return row ? (row.input as Record<string, unknown>) : null;
}

/** The newest job working on a subject (a questionnaire), if any. */
export async function findLatestJob(db: DbOrTx, subject: string, kind: JobKind): Promise<Job | null> {
  const row = await db.selectFrom('jobs').selectAll().where('subject', '=', subject).where('kind', '=', kind).orderBy('created_at', 'desc').orderBy('id', 'desc').executeTakeFirst();
  return row ? toJob(row) : null;
}

/** Jobs queued or running, for one person or one instance (with or without the shared queue's unclaimed jobs). */
export async function countActiveJobs(db: DbOrTx, by: { createdBy?: string; lockedBy?: string; orUnclaimed?: boolean }): Promise<number> {
  let query = db.selectFrom('jobs').select((eb) => eb.fn.countAll<string>().as('n')).where('state', 'in', ACTIVE);
  if (by.createdBy !== undefined) query = query.where('created_by', '=', by.createdBy);
  const lockedBy = by.lockedBy;
  if (lockedBy !== undefined) query = query.where((eb) => (by.orUnclaimed ? eb.or([eb('locked_by', '=', lockedBy), eb('locked_by', 'is', null)]) : eb('locked_by', '=', lockedBy)));
  return Number((await query.executeTakeFirstOrThrow()).n);
}

/** Serialises the limit check and insert of concurrent enqueues (held until the transaction ends). */
export async function lockJobCounts(db: DbOrTx): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext('evident.jobs'))`.execute(db);
}

export async function markRunning(db: DbOrTx, id: string, at: Date, instance: string, leaseUntil: Date): Promise<boolean> {
  const result = await db.updateTable('jobs').set({ state: 'running', started_at: at, locked_by: instance, lease_until: leaseUntil }).where('id', '=', id).where('state', '=', 'queued').executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function updateProgress(db: DbOrTx, id: string, done: number, total: number): Promise<void> {
  await db.updateTable('jobs').set({ progress_done: done, progress_total: total }).where('id', '=', id).where('state', '=', 'running').execute();
}

export async function finishJob(db: DbOrTx, id: string, outcome: { state: 'succeeded' | 'failed'; error: string | null; at: Date }): Promise<void> {
  await db
    .updateTable('jobs')
    .set({ state: outcome.state, error: outcome.error, finished_at: outcome.at, lease_until: null })
    // A finished job shows all of its work done, whichever progress write came last.
    .$if(outcome.state === 'succeeded', (u) => u.set({ progress_done: sql<number>`progress_total` }))
    .where('id', '=', id)
    .where('state', 'in', ACTIVE)
    .execute();
}

/** Extends the claims one owner holds on its queued and running jobs. */
export async function renewLeases(db: DbOrTx, owner: string, leaseUntil: Date): Promise<void> {
  await db.updateTable('jobs').set({ lease_until: leaseUntil }).where('locked_by', '=', owner).where('state', 'in', ACTIVE).execute();
}

/** Ids among these that are still queued or running. */
export async function listActiveJobIds(db: DbOrTx, ids: string[]): Promise<string[]> {
  if (!ids.length) return [];
  const rows = await db.selectFrom('jobs').select('id').where('id', 'in', ids).where('state', 'in', ACTIVE).execute();
  return rows.map((r) => r.id);
}

/**
 * Jobs whose claim lapsed (an instance killed or stopped, a restore on another machine): failed,
 * with what they worked on. A queued job that no instance has claimed yet (no owner, no lease) is
 * waiting on the shared PostgreSQL queue, where any instance will take it: it is left alone.
 */
export async function failLapsedJobs(db: DbOrTx, error: string, at: Date, anyOwner = false): Promise<{ id: string; kind: JobKind; subject: string }[]> {
  return db
    .updateTable('jobs')
    .set({ state: 'failed', error, finished_at: at, lease_until: null })
    .where('state', 'in', ACTIVE)
    .where((eb) => (anyOwner ? eb.val(true) : eb.or([eb('lease_until', '<', at), eb.and([eb('lease_until', 'is', null), eb('locked_by', 'is not', null)])])))
    .returning(['id', 'kind', 'subject'])
    .execute();
}

/**
 * Queued jobs no instance has claimed and that nothing on the shared queue (pg-boss's job table,
 * in `bossSchema`) will hand out: restored from a backup, or from before the shared queue.
 */
export async function listUndispatchedJobIds(db: DbOrTx, bossSchema: string, queue: string): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`
    select j.id from jobs j
    where j.state = 'queued' and j.locked_by is null
      and not exists (select 1 from ${sql.id(bossSchema, 'job')} b where b.name = ${queue} and b.data->>'id' = j.id and b.state in ('created', 'retry', 'active'))`.execute(db);
  return rows.map((r) => r.id);
}
