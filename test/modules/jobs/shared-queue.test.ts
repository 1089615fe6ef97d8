import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appDatabase } from '../../../server/app-database.js';
import { buildApp } from '../../../server/app.js';
import { openDatabase, type OpenDatabase } from '../../../server/db/connect.js';
import { keyedDatabase } from '../../../server/modules/audit/keys.js';
import { bossSchemaOf } from '../../../server/modules/jobs/postgres-queue.js';
import type { JobHandler } from '../../../server/modules/jobs/types.js';
import { failInterrupted } from '../../../server/modules/questionnaires/queries.js';
import { createTestApp, TEST_NOW, type TestApp } from '../../helpers/app.js';
import { adjustableClock, type AdjustableClock } from '../../helpers/clock.js';
import { testAuditKeys, testDatabaseUrl } from '../../helpers/database.js';
import { engineContent } from '../../helpers/engine-content.js';
import { makeStaff, signIn } from '../../helpers/staff.js';

/**
 * Several instances on one PostgreSQL schema share one job queue (pg-boss): any of them takes a
 * queued job, each at most as many at once as it has slots. The embedded database has one
 * process, with the in-process queue that jobs.test.ts covers.
 */
interface Instance {
  name: string;
  app: FastifyInstance;
  clock: AdjustableClock;
  close(): Promise<void>;
}

const content = engineContent();
let t: TestApp;
let schema: string;
const open: Instance[] = [];
const releases: (() => void)[] = [];

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`still waiting for ${what}`);
}

/** Another instance on the test's schema: its own pool, clock, worker threads and name. */
async function instance(name: string, workerThreads = 2): Promise<Instance> {
  const clock = adjustableClock(TEST_NOW);
  const database: OpenDatabase = appDatabase(keyedDatabase(await openDatabase({ url: testDatabaseUrl!, schema, poolSize: 4 }), testAuditKeys), t.config, clock);
  const app = await buildApp({ ...t.config, limits: { ...t.config.limits, instanceId: name, workerThreads } }, { db: database.db, databaseKind: database.kind, clock, listen: database.listen });
  await app.ready();
  let closed = false;
  const made: Instance = {
    name,
    app,
    clock,
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      await database.close();
    },
  };
  open.push(made);
  return made;
}

/** A handler that holds every job until released, and counts how many it holds at once. */
function hold(on: Instance) {
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  const seen = { now: 0, most: 0 };
  const handler: JobHandler = async (_input, context) => {
    seen.most = Math.max(seen.most, ++seen.now);
    context.progress(1, 2);
    await released;
    seen.now--;
  };
  on.app.jobs.handle('questionnaire.answer', handler);
  releases.push(release);
  return { seen, release };
}

async function upload(on: Instance, name: string): Promise<{ id: string; jobId: string }> {
  const who = await signIn(on.app, (await makeStaff(t.database.db, t.clock, 'editor')).email);
  const csv = Buffer.from('ID,Question\nQ1,Do you encrypt customer data at rest?\nQ2,Do you back up customer data?\n');
  return (await who.agent.post('/api/v1/questionnaires').set('x-csrf-token', who.csrf).attach('file', csv, `${name}.csv`).expect(201)).body;
}

const jobRow = (id: string) => t.database.db.selectFrom('jobs').select(['state', 'locked_by', 'error']).where('id', '=', id).executeTakeFirstOrThrow();
const questionnaireStatus = async (id: string) => (await t.database.db.selectFrom('questionnaires').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;

describe.runIf(testDatabaseUrl)('the shared job queue on PostgreSQL', () => {
  beforeAll(async () => {
    t = await createTestApp({ contentDir: content.dir, env: { LOGIN_RATE_LIMIT: '1000', JOBS_PER_USER: '10', JOBS_PER_INSTANCE: '10' } });
    schema = (t.database as OpenDatabase & { schema?: string }).schema!;
    // The test app's own worker is closed: the instances below do the work.
    await t.app.jobs.close();
  });
  afterAll(async () => {
    // A test that failed half-way leaves held jobs: let them end so the instances can close.
    for (const release of releases) release();
    for (const each of open) await each.close();
    await t?.close();
    content.remove();
  });

  it('pg-boss keeps its tables in a schema named after the app\'s, beside it', async () => {
    const first = await instance('first');
    await first.close();
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from information_schema.tables where table_schema = ${bossSchemaOf(schema)} and table_name = 'job'`.execute(t.database.db);
    expect(rows[0].n).toBe(1);
  });

  it('a job still queued when its instance shuts down stays queued, and another instance answers it', async () => {
    const a = await instance('a');
    const held = hold(a);
    const first = await upload(a, 'first');
    await until(async () => (await jobRow(first.jobId)).state === 'running', 'A to run the first job');
    // A's one slot is busy: the second waits on the queue.
    const second = await upload(a, 'second');
    const closing = a.close();
    // Released only once A has stopped taking jobs, so the free slot cannot take the second.
    await until(async () => (a.app.jobs as unknown as { closed: boolean }).closed, 'A to stop taking jobs');
    held.release();
    await closing;
    expect(await jobRow(first.jobId)).toMatchObject({ state: 'succeeded', locked_by: expect.stringMatching(/^a#/) });
    expect(await jobRow(second.jobId)).toMatchObject({ state: 'queued', locked_by: null });
    expect(await questionnaireStatus(second.id)).toBe('processing');

    // B starts with the real answering handler and takes it from the queue by itself.
    const b = await instance('b');
    await until(async () => (await jobRow(second.jobId)).state === 'succeeded', 'B to answer the job A left');
    expect((await jobRow(second.jobId)).locked_by).toMatch(/^b#/);
    expect(await questionnaireStatus(second.id)).toBe('ready');
    const items = await t.database.db.selectFrom('questionnaire_items').select((eb) => eb.fn.countAll<string>().as('n')).where('questionnaire_id', '=', second.id).executeTakeFirstOrThrow();
    expect(Number(items.n)).toBe(2);
    await b.close();
  });

  it('a queued job with nothing on the queue behind it (restored from a backup) is handed out when an instance starts', async () => {
    const g = await instance('g');
    const held = hold(g);
    const busy = await upload(g, 'busy');
    await until(async () => (await jobRow(busy.jobId)).state === 'running', 'G to run a job');
    const stranded = await upload(g, 'stranded');
    const closing = g.close();
    await until(async () => (g.app.jobs as unknown as { closed: boolean }).closed, 'G to stop taking jobs');
    held.release();
    await closing;
    // What a restore into a new database looks like: the job row, and nothing on pg-boss's queue.
    await sql`delete from ${sql.id(bossSchemaOf(schema), 'job')} where data->>'id' = ${stranded.jobId}`.execute(t.database.db);
    const h = await instance('h');
    await until(async () => (await jobRow(stranded.jobId)).state === 'succeeded', 'H to answer the stranded job');
    expect(await questionnaireStatus(stranded.id)).toBe('ready');
    await h.close();
  });

  it('each instance runs at most as many jobs at once as it has slots; the rest wait for a free one', async () => {
    // One slot on C (two threads, one kept for other work), two on D.
    const c = await instance('c', 2);
    const d = await instance('d', 3);
    const onC = hold(c);
    const onD = hold(d);
    const jobs: { id: string; jobId: string }[] = [];
    for (let i = 0; i < 4; i++) jobs.push(await upload(i % 2 ? d : c, `busy-${i}`));
    const states = async () => Promise.all(jobs.map((j) => jobRow(j.jobId)));
    await until(async () => (await states()).filter((j) => j.state === 'running').length === 3, 'three jobs to run');
    // Past several polls of both instances, nobody takes the fourth.
    await new Promise((r) => setTimeout(r, 2_500));
    const now = await states();
    expect(now.filter((j) => j.state === 'running' && j.locked_by!.startsWith('c#'))).toHaveLength(1);
    expect(now.filter((j) => j.state === 'running' && j.locked_by!.startsWith('d#'))).toHaveLength(2);
    expect(now.filter((j) => j.state === 'queued' && j.locked_by === null)).toHaveLength(1);
    onC.release();
    onD.release();
    await until(async () => (await states()).every((j) => j.state === 'succeeded'), 'every job to finish');
    expect(onC.seen.most).toBe(1);
    expect(onD.seen.most).toBeLessThanOrEqual(2);
    await c.close();
    await d.close();
  });

  it('a job whose instance stopped renewing its lease is failed by another, with its questionnaire, and never run twice', async () => {
    const e = await instance('e');
    const held = hold(e);
    const job = await upload(e, 'orphan');
    await until(async () => (await jobRow(job.jobId)).state === 'running', 'E to run the job');
    // E "dies": its lease is never renewed again. F's clock passes the lease; F's heartbeat fails it.
    const f = await instance('f');
    f.clock.advance(2 * t.config.limits.jobLeaseMs);
    const lapsed = await f.app.jobs.heartbeat();
    expect(lapsed.map((j) => j.id)).toEqual([job.jobId]);
    await failInterrupted(t.database.db, f.clock.now());
    expect(await jobRow(job.jobId)).toMatchObject({ state: 'failed', error: expect.stringMatching(/Interrupted/) });
    expect(await questionnaireStatus(job.id)).toBe('failed');
    // Had E only been slow, what it finishes later changes nothing, and F never picks the job up.
    held.release();
    await e.close();
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await jobRow(job.jobId)).toMatchObject({ state: 'failed', locked_by: expect.stringMatching(/^e#/) });
    const queued = await sql<{ n: number }>`select count(*)::int as n from ${sql.id(bossSchemaOf(schema), 'job')} where state in ('created', 'retry', 'active')`.execute(t.database.db);
    expect(queued.rows[0].n).toBe(0);
    await f.close();
  });
});
