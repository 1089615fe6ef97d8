import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../clock.js';
import type { Database, DbOrTx } from '../../db/database.js';
import * as q from './queries.js';
import { checkJobCapacity, runClaimedJob } from './run.js';
import type { Job, JobHandler, JobKind } from './types.js';

export interface JobLimits {
  instanceId: string;
  jobsPerInstance: number;
  jobsPerUser: number;
  /** Jobs this instance runs at once; the rest wait, queued. */
  concurrency: number;
  /** How long a claim holds without renewal (default LEASE_MS); renewed every quarter of it. */
  leaseMs?: number;
}

export interface EnqueueRequest {
  kind: JobKind;
  /** What the job works on, e.g. a questionnaire id. */
  subject: string;
  /** Plain JSON: everything the handler needs, so any instance can run it. */
  input: Record<string, unknown>;
  createdBy: string;
}

/**
 * The small interface the rest of the app uses. The in-process backend below runs jobs on the
 * instance that accepted them (the embedded database); on PostgreSQL, PostgresJobQueue
 * (postgres-queue.ts) lets any instance run them.
 */
export interface JobQueue {
  /** Refuses (429) before any work is done when the person or the instance is at its limit. */
  checkCapacity(createdBy: string): Promise<void>;
  /** Records a queued job inside the caller's transaction, checking the limits again under a lock. */
  enqueue(tx: DbOrTx, request: EnqueueRequest): Promise<Job>;
  /** Starts a job enqueued earlier, once its transaction has committed. */
  run(id: string): void;
  get(id: string): Promise<Job | null>;
  /** Stores n of N for a running job. */
  progress(id: string, done: number, total: number): Promise<void>;
  /** Says what runs a kind of job (at start-up). */
  handle(kind: JobKind, handler: JobHandler): void;
  /** Resolves when this instance has nothing running or waiting. */
  idle(): Promise<void>;
  /** Renews this instance's claims and fails jobs whose owner's lease lapsed (returned). */
  heartbeat(): Promise<{ id: string; kind: JobKind; subject: string }[]>;
  /** Starts nothing more and waits for what runs. */
  close(): Promise<void>;
}

/**
 * How long a claim holds without renewal (JOB_LEASE_SECONDS). The owner renews it four times per
 * lease while it lives, so only an instance that stopped (killed, crashed, lost its network) lets
 * its jobs' leases lapse.
 */
export const LEASE_MS = 60_000;

/** Runs jobs on this instance, at most `concurrency` at once, in the order they were started. */
export class InProcessJobQueue implements JobQueue {
  private readonly waiting: string[] = [];
  private readonly running = new Map<string, Promise<void>>();
  private readonly handlers = new Map<JobKind, JobHandler>();
  private closed = false;
  readonly leaseMs: number;
  /**
   * Who holds this process's claims: the configured instance name plus a per-process suffix, so
   * two processes sharing a name (one host, one INSTANCE_ID) never mistake each other's jobs.
   */
  readonly owner: string;

  constructor(
    private readonly deps: { db: Kysely<Database>; clock: Clock; log: FastifyBaseLogger },
    private readonly limits: JobLimits,
  ) {
    this.owner = `${limits.instanceId}#${randomUUID().slice(0, 8)}`;
    this.leaseMs = limits.leaseMs ?? LEASE_MS;
  }

  handle(kind: JobKind, handler: JobHandler): void {
    this.handlers.set(kind, handler);
  }

  checkCapacity(createdBy: string, db: DbOrTx = this.deps.db): Promise<void> {
    return checkJobCapacity(db, this.limits, createdBy, { lockedBy: this.owner, unclaimed: false });
  }

  async enqueue(tx: DbOrTx, request: EnqueueRequest): Promise<Job> {
    await q.lockJobCounts(tx);
    await this.checkCapacity(request.createdBy, tx);
    // In process, the instance that accepts a job runs it: it is claimed from the start and the
    // heartbeat renews the claim; a lapsed lease lets any other instance fail it.
    const at = this.deps.clock.now();
    return q.insertJob(tx, { id: randomUUID(), ...request, lockedBy: this.owner, leaseUntil: new Date(at.getTime() + this.leaseMs), at });
  }

  run(id: string): void {
    if (this.closed) return;
    this.waiting.push(id);
    this.next();
  }

  get(id: string): Promise<Job | null> {
    return q.findJob(this.deps.db, id);
  }

  progress(id: string, done: number, total: number): Promise<void> {
    return q.updateProgress(this.deps.db, id, done, total);
  }

  /** Resolves when nothing is running or waiting (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running.size || this.waiting.length) await Promise.allSettled([...this.running.values()]);
  }

  /**
   * Renews the lease of every job this process holds, then fails the jobs of owners that stopped
   * renewing theirs. Run four times per lease by the app (and directly by tests).
   */
  async heartbeat(): Promise<{ id: string; kind: JobKind; subject: string }[]> {
    const now = this.deps.clock.now();
    await q.renewLeases(this.deps.db, this.owner, new Date(now.getTime() + this.leaseMs));
    return failInterruptedJobs(this.deps.db, this.deps.clock);
  }

  /**
   * Starts nothing more and waits for what runs (graceful shutdown drains running jobs). Jobs
   * still waiting fail at once with a reason, rather than when their lease lapses.
   */
  async close(): Promise<void> {
    this.closed = true;
    const dropped = this.waiting.splice(0);
    for (const id of dropped) {
      await q.finishJob(this.deps.db, id, { state: 'failed', error: 'The server stopped before this job started. Upload the file again.', at: this.deps.clock.now() }).catch(() => {});
    }
    await Promise.allSettled([...this.running.values()]);
  }

  private next(): void {
    while (this.running.size < this.limits.concurrency && this.waiting.length) {
      const id = this.waiting.shift()!;
      const done = this.execute(id).finally(() => {
        this.running.delete(id);
        this.next();
      });
      this.running.set(id, done);
    }
  }

  private async execute(id: string): Promise<void> {
    const now = this.deps.clock.now();
    const claimed = await q.markRunning(this.deps.db, id, now, this.owner, new Date(now.getTime() + this.leaseMs)).catch((error: unknown) => {
      this.deps.log.warn({ err: error, job: id }, 'job could not start');
      return false;
    });
    if (claimed) await runClaimedJob(this.deps, this.handlers, id);
  }
}

/**
 * Jobs whose owner's lease lapsed (the instance stopped and nobody renewed its claim) fail, and
 * what they worked on is returned. A live instance's jobs are never touched, whoever restarts.
 */
export function failInterruptedJobs(db: DbOrTx, clock: Clock, options: { anyOwner?: boolean } = {}) {
  return q.failLapsedJobs(db, 'Interrupted: the server stopped while this job was waiting or running.', clock.now(), options.anyOwner ?? false);
}
