import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKnowledge } from '../../../server/modules/engine/queries.js';
import { WorkerPool } from '../../../server/modules/jobs/pool.js';
import { failInterruptedJobs, LEASE_MS } from '../../../server/modules/jobs/service.js';
import { answerOptions } from '../../../server/modules/questionnaires/service.js';
import type { JobContext } from '../../../server/modules/jobs/types.js';
import { failInterrupted } from '../../../server/modules/questionnaires/queries.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { engineContent } from '../../helpers/engine-content.js';
import { makeStaff, signIn, type SignedIn } from '../../helpers/staff.js';

let t: TestApp;
let editor: SignedIn;
let other: SignedIn;
let viewer: SignedIn;
const content = engineContent();

beforeAll(async () => {
  t = await createTestApp({ contentDir: content.dir, env: { LOGIN_RATE_LIMIT: '1000', JOBS_PER_USER: '1', JOBS_PER_INSTANCE: '2', INSTANCE_ID: 'test-instance' } });
  editor = await signIn(t.app, (await makeStaff(t.database.db, t.clock, 'editor')).email);
  other = await signIn(t.app, (await makeStaff(t.database.db, t.clock, 'editor')).email);
  viewer = await signIn(t.app, (await makeStaff(t.database.db, t.clock, 'viewer')).email);
});
afterAll(async () => {
  await t.close();
  content.remove();
});

const csv = (n: number) => Buffer.from(`ID,Question\n${Array.from({ length: n }, (_, i) => `Q${i + 1},Do you encrypt customer data at rest (${i + 1})?`).join('\n')}\n`);

function upload(who: SignedIn, file = csv(3), name = 'q.csv') {
  return who.agent.post('/api/v1/questionnaires').set('x-csrf-token', who.csrf).attach('file', file, name);
}

/**
 * Swaps the answering handler for one the test holds half-way: it reports progress and waits
 * until released, so "while it runs" is a state the test controls, not a race.
 */
function holdJobs() {
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  const real = answerHandler();
  t.app.jobs.handle('questionnaire.answer', async (_input, context: JobContext) => {
    context.progress(3, 10);
    await released;
  });
  return {
    releaseAll: async () => {
      release();
      await t.app.jobs.idle();
      t.app.jobs.handle('questionnaire.answer', real);
    },
  };
}

let realHandler: Parameters<TestApp['app']['jobs']['handle']>[1] | null = null;
function answerHandler() {
  // The handler app.ts registered, kept before a test swaps it.
  if (!realHandler) realHandler = (t.app.jobs as unknown as { handlers: Map<string, typeof realHandler> }).handlers.get('questionnaire.answer')!;
  return realHandler!;
}

async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500 && !(await check()); i++) await new Promise((r) => setTimeout(r, 20));
}

describe('answering runs as a job', () => {
  it('the upload returns at once; while the job runs, the questionnaire, the job API and the admin page show n of N', async () => {
    const held = holdJobs();
    const res = await upload(editor).expect(201);
    expect(res.body).toEqual({ id: expect.any(String), status: 'processing', jobId: expect.any(String) });
    const job = () => viewer.agent.get(`/api/v1/jobs/${res.body.jobId}`).expect(200).then((r) => r.body);
    await until(async () => (await job()).progress.done === 3);
    expect(await job()).toMatchObject({ id: res.body.jobId, kind: 'questionnaire.answer', subject: res.body.id, state: 'running', progress: { done: 3, total: 10 }, error: null });

    const result = (await viewer.agent.get(`/api/v1/questionnaires/${res.body.id}`).expect(200)).body;
    expect(result).toMatchObject({ status: 'processing', jobId: res.body.jobId, progress: { done: 3, total: 10 }, questions: [] });
    const page = await viewer.agent.get(`/admin/questionnaires/${res.body.id}`).expect(200);
    expect(page.text).toContain('Answering… 3 of 10 questions');
    expect(page.text).toContain('<meta http-equiv="refresh"');
    await held.releaseAll();
  });

  it('the real job answers on the pool and finishes with every question done', async () => {
    const res = await upload(editor, csv(7)).expect(201);
    await t.app.jobs.idle();
    const job = (await viewer.agent.get(`/api/v1/jobs/${res.body.jobId}`).expect(200)).body;
    expect(job).toMatchObject({ state: 'succeeded', progress: { done: 7, total: 7 }, error: null, startedAt: expect.any(String), finishedAt: expect.any(String) });
    const result = (await viewer.agent.get(`/api/v1/questionnaires/${res.body.id}`).expect(200)).body;
    expect(result.status).toBe('ready');
    expect(result.progress).toBeUndefined();
    expect(result.questions).toHaveLength(7);
    expect(result.questions[0]).toMatchObject({ id: 'Q1', status: expect.stringMatching(/answered|review|unanswered/) });
  });

  it('the pool thread reports progress as it answers, and keeps its engine for the same knowledge version', async () => {
    const knowledge = await loadKnowledge(t.database.db);
    const task = () => ({
      data: csv(250),
      fileName: 'q.csv',
      layout: {},
      limits: { unpackedBytes: 1e8, questionsPerFile: 5_000, questionMaxChars: 4_000 },
      knowledge,
      version: 'v-test',
      options: answerOptions(t.config, t.clock, 'nda', null),
    });
    const seen: [number, number][] = [];
    const pool = new WorkerPool({ threads: 1, memoryMb: 512 });
    const first = await pool.run('answer', task(), { onProgress: (done, total) => seen.push([done, total]) });
    expect(first.output.questions).toHaveLength(250);
    expect(seen.length).toBeGreaterThan(10);
    expect(seen.at(-1)).toEqual([250, 250]);
    expect(seen.every(([done], i) => i === 0 || done > seen[i - 1][0])).toBe(true);
    // Same version with an emptied library: the one thread answers with the engine it built, not a new one.
    const again = await pool.run('answer', { ...task(), knowledge: { ...knowledge, library: [] } });
    expect(again.output.questions.map((q) => q.status)).toEqual(first.output.questions.map((q) => q.status));
    const rebuilt = await pool.run('answer', { ...task(), version: 'v-next', knowledge: { ...knowledge, library: [] } });
    expect(rebuilt.output.questions.some((q, i) => q.status !== first.output.questions[i].status || q.why.answerId !== first.output.questions[i].why.answerId)).toBe(true);
    await pool.close();
  });

  it('a job that fails marks its questionnaire failed with the reason', async () => {
    const real = answerHandler();
    t.app.jobs.handle('questionnaire.answer', async () => {
      throw new Error('The engine could not be built.');
    });
    const res = await upload(editor).expect(201);
    await t.app.jobs.idle();
    t.app.jobs.handle('questionnaire.answer', real);
    expect((await viewer.agent.get(`/api/v1/jobs/${res.body.jobId}`)).body).toMatchObject({ state: 'failed', error: 'The engine could not be built.' });
    // The handler that failed here was a stand-in; the real one marks the questionnaire itself.
    t.app.jobs.handle('questionnaire.answer', async (input, context) => {
      await t.database.db.deleteFrom('questionnaire_files').where('questionnaire_id', '=', String(input.questionnaireId)).execute();
      return real(input, context);
    });
    const failing = await upload(editor, Buffer.from('ID,Question\nQ1,Do you patch?\n')).expect(201);
    await t.app.jobs.idle();
    t.app.jobs.handle('questionnaire.answer', real);
    const result = (await viewer.agent.get(`/api/v1/questionnaires/${failing.body.id}`)).body;
    expect(result).toMatchObject({ status: 'failed', error: expect.stringMatching(/file is gone/) });
  });

  it('GET /api/v1/jobs/:id is for staff, and an unknown job is a 404', async () => {
    const res = await upload(editor).expect(201);
    await t.app.jobs.idle();
    await (await import('supertest')).default(t.app.server).get(`/api/v1/jobs/${res.body.jobId}`).expect(401);
    await viewer.agent.get('/api/v1/jobs/no-such-job').expect(404);
  });
});

describe('job limits', () => {
  it('beyond the jobs one person may run at once: 429 with a message, and nothing stored', async () => {
    const held = holdJobs();
    await upload(editor).expect(201);
    const before = await t.database.db.selectFrom('questionnaires').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    const refused = await upload(editor).expect(429);
    expect(refused.body.error.message).toMatch(/You already have 1 questionnaire being answered \(at most 1 at a time\)/);
    const after = await t.database.db.selectFrom('questionnaires').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
    // Someone else is not held back by it.
    await upload(other).expect(201);
    await held.releaseAll();
    await upload(editor).expect(201);
    await t.app.jobs.idle();
  });

  it('beyond the jobs the instance runs at once: 429 for everyone until one finishes', async () => {
    const held = holdJobs();
    await upload(editor).expect(201);
    await upload(other).expect(201);
    const third = await signIn(t.app, (await makeStaff(t.database.db, t.clock, 'editor')).email);
    const refused = await upload(third).expect(429);
    expect(refused.body.error.message).toMatch(/The server is answering 2 questionnaires already/);
    await held.releaseAll();
    await upload(third).expect(201);
    await t.app.jobs.idle();
  });
});

describe('interrupted jobs', () => {
  it('only jobs whose owner let its lease lapse fail, with their questionnaires; a live instance\'s work is left alone, whoever restarts', async () => {
    const db = t.database.db;
    const now = t.clock.now();
    const make = async (id: string, state: 'queued' | 'running', lockedBy: string, leaseUntil: Date = new Date(now.getTime() + LEASE_MS)) => {
      await db
        .insertInto('questionnaires')
        .values({ id, name: id, file_name: 'q.csv', format: 'csv', size: 1, sha256: 'x', service_id: null, audience: 'nda', status: 'processing', error: null, summary: '{"total":1,"answered":0,"review":0,"unanswered":0}', layouts: '[]', warnings: '[]', created_by: 'a@b.example', created_at: now, updated_at: now })
        .execute();
      await db.insertInto('jobs').values({ id: `job-${id}`, kind: 'questionnaire.answer', subject: id, input: '{}', state, created_by: 'a@b.example', created_at: now, locked_by: lockedBy, lease_until: leaseUntil }).execute();
    };
    // Same configured name as this app: a second process on the same host, still alive.
    await make('same-name-live', 'running', 'test-instance#0000aaaa');
    await make('theirs-queued', 'queued', 'other-instance#1');
    await make('lapsed-running', 'running', 'vanished-instance#2', new Date(now.getTime() - 1_000));
    await make('lapsed-queued', 'queued', 'vanished-instance#2', new Date(now.getTime() - 1_000));
    const failed = await failInterruptedJobs(db, t.clock);
    expect(failed.map((j) => j.subject).sort()).toEqual(['lapsed-queued', 'lapsed-running']);
    await failInterrupted(db, now);
    const states = await db.selectFrom('questionnaires').select(['id', 'status', 'error']).where('id', 'in', ['lapsed-queued', 'lapsed-running', 'same-name-live', 'theirs-queued']).orderBy('id').execute();
    expect(states).toEqual([
      { id: 'lapsed-queued', status: 'failed', error: expect.stringMatching(/interrupted/) },
      { id: 'lapsed-running', status: 'failed', error: expect.stringMatching(/interrupted/) },
      { id: 'same-name-live', status: 'processing', error: null },
      { id: 'theirs-queued', status: 'processing', error: null },
    ]);
    const jobs = await db.selectFrom('jobs').select(['subject', 'state', 'finished_at']).where('subject', 'in', ['lapsed-running', 'same-name-live']).orderBy('subject').execute();
    expect(jobs).toEqual([
      { subject: 'lapsed-running', state: 'failed', finished_at: expect.any(Date) },
      { subject: 'same-name-live', state: 'running', finished_at: null },
    ]);
    await db.updateTable('jobs').set({ state: 'failed', finished_at: now }).where('subject', 'in', ['same-name-live', 'theirs-queued']).execute();
  });

  it('the heartbeat keeps this instance\'s running job alive past the lease and fails a stopped instance\'s job', async () => {
    const held = holdJobs();
    const mine = (await upload(editor).expect(201)).body;
    await until(async () => (await t.app.jobs.get(mine.jobId))?.state === 'running');
    const db = t.database.db;
    const now = t.clock.now();
    await db.insertInto('jobs').values({ id: 'job-stopped', kind: 'questionnaire.answer', subject: 'stopped', input: '{}', state: 'running', created_by: 'a@b.example', created_at: now, locked_by: 'stopped-instance#3', lease_until: new Date(now.getTime() + LEASE_MS) }).execute();
    // Time passes beyond every lease; only this instance renews its own.
    t.clock.advance(2 * LEASE_MS);
    try {
      const lapsed = await t.app.jobs.heartbeat();
      expect(lapsed.map((j) => j.subject)).toEqual(['stopped']);
      expect((await t.app.jobs.get(mine.jobId))?.state).toBe('running');
      expect((await t.app.jobs.get('job-stopped'))).toMatchObject({ state: 'failed', error: expect.stringMatching(/Interrupted/) });
      const lease = await db.selectFrom('jobs').select('lease_until').where('id', '=', mine.jobId).executeTakeFirstOrThrow();
      expect(lease.lease_until!.getTime()).toBe(t.clock.now().getTime() + LEASE_MS);
    } finally {
      await held.releaseAll();
      t.clock.advance(-2 * LEASE_MS);
    }
    expect((await t.app.jobs.get(mine.jobId))?.state).toBe('succeeded');
  });

  it('the jobs table refuses states and kinds outside the closed sets', async () => {
    const row = { id: 'bad', kind: 'questionnaire.answer', subject: 's', input: '{}', state: 'queued', created_by: 'x', created_at: t.clock.now() } as const;
    await expect(t.database.db.insertInto('jobs').values({ ...row, state: 'paused' as never }).execute()).rejects.toThrow();
    await expect(t.database.db.insertInto('jobs').values({ ...row, kind: 'mine-bitcoin' as never }).execute()).rejects.toThrow();
    await expect(sql`insert into jobs (id, kind, subject, input, state, created_by, created_at, finished_at) values ('bad2', 'questionnaire.answer', 's', '{}', 'running', 'x', now(), now())`.execute(t.database.db)).rejects.toThrow();
  });
});
