import { CompiledQuery, sql, type Kysely } from 'kysely';
import { withAdvisoryLock } from '../../db/advisory-lock.js';
import { randomUUID } from 'node:crypto';
import PgBoss from 'pg-boss';
import type { Database, DbOrTx } from '../../db/database.js';
import * as q from './queries.js';
import { checkJobCapacity, runClaimedJob, type RunDeps } from './run.js';
import { failInterruptedJobs, LEASE_MS, type EnqueueRequest, type JobLimits, type JobQueue } from './service.js';
import type { Job, JobHandler, JobKind } from './types.js';

/** One pg-boss queue carries every kind: it says "job X is ready", the jobs table says what X is. */
const QUEUE = 'evident-jobs';

/** How often an idle instance asks for work queued by the others (its own uploads start at once). */
const POLL_MS = 1_000;

/** pg-boss's tables live beside the app's, in a schema of their own named after the app's schema. */
export function bossSchemaOf(appSchema: string): string {
  return `${appSchema}_boss`;
}

/**
 * The shared queue on PostgreSQL. Uploads record the job in the jobs table and hand its id to
 * pg-boss in the same transaction, so a job is never recorded without being dispatched. Whichever
 * instance has a free slot takes it: the pg-boss fetch and our claim (owner + lease) commit
 * together, so from then on the lease says who runs it, and a killed instance's job is failed by
 * the others' heartbeat, as in process. Jobs no instance has taken yet outlive a shutdown: another
 * instance (or this one, restarted) takes them.
 */
export class PostgresJobQueue implements JobQueue {
  private readonly handlers = new Map<JobKind, JobHandler>();
  private readonly running = new Map<string, Promise<void>>();
  /** Jobs accepted here (run() was called) until they end, wherever they run: what idle() waits for. */
  private accepted = new Set<string>();
  private boss: Promise<PgBoss> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private claiming: Promise<void> | null = null;
  private claimAgain = false;
  private closed = false;
  readonly leaseMs: number;
  /** Who holds this process's claims: the instance name and a per-process suffix (see InProcessJobQueue). */
  readonly owner: string;

  constructor(
    private readonly deps: RunDeps,
    private readonly limits: JobLimits & { pollMs?: number },
  ) {
    this.owner = `${limits.instanceId}#${randomUUID().slice(0, 8)}`;
    this.leaseMs = limits.leaseMs ?? LEASE_MS;
  }

  /** Creates pg-boss's schema and queue when missing (once per database) and starts taking jobs. */
  start(): Promise<PgBoss> {
    this.boss ??= this.startBoss();
    return this.boss;
  }

  handle(kind: JobKind, handler: JobHandler): void {
    this.handlers.set(kind, handler);
  }

  checkCapacity(createdBy: string, db: DbOrTx = this.deps.db): Promise<void> {
    return checkJobCapacity(db, this.limits, createdBy, { lockedBy: this.owner, unclaimed: true });
  }

  async enqueue(tx: DbOrTx, request: EnqueueRequest): Promise<Job> {
    const boss = await this.start();
    await q.lockJobCounts(tx);
    await this.checkCapacity(request.createdBy, tx);
    // Unclaimed (no owner, no lease) until an instance takes it.
    const job = await q.insertJob(tx, { id: randomUUID(), ...request, lockedBy: null, leaseUntil: null, at: this.deps.clock.now() });
    await boss.send(QUEUE, { id: job.id }, { db: executorIn(tx) });
    return job;
  }

  /** The job is on the shared queue already; this instance looks for work now rather than at its next poll. */
  run(id: string): void {
    if (this.closed) return;
    this.accepted.add(id);
    this.claim();
  }

  get(id: string): Promise<Job | null> {
    return q.findJob(this.deps.db, id);
  }

  progress(id: string, done: number, total: number): Promise<void> {
    return q.updateProgress(this.deps.db, id, done, total);
  }

  /** Resolves when what runs here has ended and the jobs accepted here have ended wherever they ran. */
  async idle(): Promise<void> {
    for (;;) {
      await Promise.allSettled([...this.running.values()]);
      if (this.closed) return;
      this.accepted = new Set(await q.listActiveJobIds(this.deps.db, [...this.accepted]));
      if (!this.accepted.size && !this.running.size) return;
      this.claim();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async heartbeat(): Promise<{ id: string; kind: JobKind; subject: string }[]> {
    const now = this.deps.clock.now();
    await q.renewLeases(this.deps.db, this.owner, new Date(now.getTime() + this.leaseMs));
    return failInterruptedJobs(this.deps.db, this.deps.clock);
  }

  /**
   * Takes nothing more and waits for what runs here (graceful shutdown). Queued jobs stay queued
   * for the other instances.
   */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.claiming;
    await Promise.allSettled([...this.running.values()]);
    const boss = await this.boss?.catch(() => null);
    // Our own connections: pg-boss closes nothing of the app's; it stops its maintenance timer.
    await boss?.stop({ graceful: false, close: false, wait: true }).catch(() => {});
  }

  private async startBoss(): Promise<PgBoss> {
    const { db, log } = this.deps;
    const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
    const bossSchema = bossSchemaOf(rows[0].schema);
    const boss = new PgBoss({ db: executorOf(db), schema: bossSchema, schedule: false, supervise: true, migrate: true });
    boss.on('error', (error) => log.warn({ err: error }, 'job queue maintenance failed'));
    await boss.start();
    // No retries: a job taken by an instance that then died is failed by the lease, with a reason
    // the person sees; pg-boss's own expiry only tidies its record.
    // Two instances creating the queue at once deadlock inside pg-boss (each holds what the other's
    // partition and foreign key need): they take turns, and the second finds the queue there.
    await withAdvisoryLock(db, `evident.queue.${bossSchema}`, () => boss.createQueue(QUEUE, { name: QUEUE, retryLimit: 0, expireInSeconds: 60 * 60 }));
    await dispatchStranded(db, boss, bossSchema);
    if (!this.closed) {
      this.timer = setInterval(() => this.claim(), this.limits.pollMs ?? POLL_MS);
      this.timer.unref();
    }
    return boss;
  }

  /** Takes queued jobs while this instance has free slots; one round at a time. */
  private claim(): void {
    if (this.closed) return;
    if (this.claiming) {
      this.claimAgain = true;
      return;
    }
    this.claiming = this.claimWhileFree()
      .catch((error: unknown) => this.deps.log.warn({ err: error }, 'could not take a job from the queue'))
      .finally(() => {
        this.claiming = null;
        if (this.claimAgain) {
          this.claimAgain = false;
          this.claim();
        }
      });
  }

  private async claimWhileFree(): Promise<void> {
    const boss = await this.start();
    while (!this.closed && this.running.size < this.limits.concurrency) {
      const taken = await this.claimOne(boss);
      if (!taken) return;
      if (!taken.id) continue;
      const id = taken.id;
      const done = runClaimedJob(this.deps, this.handlers, id)
        .then(() => boss.complete(QUEUE, taken.bossId))
        .catch((error: unknown) => this.deps.log.warn({ err: error, job: id }, 'could not close the job on the queue'))
        .finally(() => {
          this.running.delete(id);
          this.claim();
        });
      this.running.set(id, done);
    }
  }

  /**
   * The next job on the queue, claimed for this process in one transaction with pg-boss's fetch.
   * A job no longer queued here (failed meanwhile) is closed on the queue and reported without id.
   */
  private claimOne(boss: PgBoss): Promise<{ bossId: string; id: string | null } | null> {
    const { db, clock } = this.deps;
    return db.transaction().execute(async (tx) => {
      const [next] = await boss.fetch<{ id: string }>(QUEUE, { batchSize: 1, db: executorIn(tx) });
      if (!next) return null;
      const now = clock.now();
      if (await q.markRunning(tx, next.data.id, now, this.owner, new Date(now.getTime() + this.leaseMs))) return { bossId: next.id, id: next.data.id };
      await boss.complete(QUEUE, next.id, {}, { db: executorIn(tx) });
      return { bossId: next.id, id: null };
    });
  }
}

/**
 * A queued job with nothing on the queue behind it (restored from a backup, or recorded before
 * the shared queue) would wait for ever: it is handed to the queue now. Two instances starting
 * together may both hand it out; the second claim finds it taken and closes its copy.
 */
async function dispatchStranded(db: Kysely<Database>, boss: PgBoss, bossSchema: string): Promise<void> {
  await db.transaction().execute(async (tx) => {
    for (const id of await q.listUndispatchedJobIds(tx, bossSchema, QUEUE)) await boss.send(QUEUE, { id }, { db: executorIn(tx) });
  });
}

/** pg-boss's SQL inside one of our transactions (the upload's, the claim's). */
function executorIn(tx: DbOrTx): PgBoss.Db {
  return { executeSql: (text, values) => tx.executeQuery(CompiledQuery.raw(text, values ?? [])).then((r) => ({ rows: r.rows as unknown[] })) };
}

/**
 * pg-boss's SQL on the app's pool. Its schema set-up sends BEGIN … COMMIT in one string; if that
 * fails half-way (another instance created the schema at the same moment), the connection is
 * rolled back before it returns to the pool, so no later query lands in an aborted transaction.
 */
function executorOf(db: Kysely<Database>): PgBoss.Db {
  return {
    executeSql: (text, values) =>
      db.connection().execute(async (conn) => {
        try {
          const result = await conn.executeQuery(CompiledQuery.raw(text, values ?? []));
          return { rows: result.rows as unknown[] };
        } catch (error) {
          if (/\bBEGIN\b/.test(text)) await conn.executeQuery(CompiledQuery.raw('ROLLBACK')).catch(() => {});
          throw error;
        }
      }),
  };
}
