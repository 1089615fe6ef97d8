import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { engineContent } from '../../helpers/engine-content.js';
import { testDatabaseUrl } from '../../helpers/database.js';
import { makeStaff, signIn } from '../../helpers/staff.js';

let t: TestApp;
const content = engineContent();

beforeAll(async () => {
  // Two threads: one answers, so the second upload waits in the queue.
  t = await createTestApp({ contentDir: content.dir, env: { LOGIN_RATE_LIMIT: '1000', WORKER_THREADS: '2', JOBS_PER_USER: '5' } });
});
afterAll(async () => {
  await t.database.close();
  content.remove();
});

async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500 && !(await check()); i++) await new Promise((r) => setTimeout(r, 20));
}

describe('graceful shutdown (what SIGTERM runs: app.close())', () => {
  // The embedded database has one process: nobody else would ever run a job left waiting. On
  // PostgreSQL the waiting job is on the shared queue, where another instance takes it.
  const waiting = testDatabaseUrl ? 'leaves the job still waiting queued for another instance, its questionnaire processing' : 'fails the job still waiting with a reason and its questionnaire';
  it(`waits for the running job to finish, and ${waiting}`, async () => {
    const editor = await signIn(t.app, (await makeStaff(t.database.db, t.clock, 'editor')).email);
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    t.app.jobs.handle('questionnaire.answer', async () => {
      await released;
    });
    const csv = Buffer.from('ID,Question\nQ1,Do you encrypt data at rest?\n');
    const first = (await editor.agent.post('/api/v1/questionnaires').set('x-csrf-token', editor.csrf).attach('file', csv, 'a.csv').expect(201)).body;
    await until(async () => (await t.app.jobs.get(first.jobId))?.state === 'running');
    const second = (await editor.agent.post('/api/v1/questionnaires').set('x-csrf-token', editor.csrf).attach('file', csv, 'b.csv').expect(201)).body;

    let closed = false;
    const closing = t.app.close().then(() => (closed = true));
    if (testDatabaseUrl) {
      // Closing has begun; the running job keeps the app from closing, the waiting one is not taken.
      await new Promise((r) => setTimeout(r, 300));
      expect(closed).toBe(false);
      expect(await t.app.jobs.get(second.jobId)).toMatchObject({ state: 'queued', error: null });
    } else {
      // The waiting job fails at once; the running one keeps the app from closing.
      await until(async () => (await t.app.jobs.get(second.jobId))?.state === 'failed');
      expect(closed).toBe(false);
      expect(await t.app.jobs.get(second.jobId)).toMatchObject({ state: 'failed', error: expect.stringMatching(/stopped before this job started/) });
    }
    release();
    await closing;
    expect(await t.app.jobs.get(first.jobId)).toMatchObject({ state: 'succeeded' });
    expect(await t.app.jobs.get(second.jobId)).toMatchObject({ state: testDatabaseUrl ? 'queued' : 'failed' });
    const rows = await t.database.db.selectFrom('questionnaires').select(['id', 'status']).where('id', '=', second.id).execute();
    expect(rows).toEqual([{ id: second.id, status: testDatabaseUrl ? 'processing' : 'failed' }]);
  });
});
