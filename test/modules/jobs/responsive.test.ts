import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { makeStaff, signIn, type SignedIn } from '../../helpers/staff.js';
import { buildLargestQuestionnaire } from '../../helpers/workbooks.js';

let t: TestApp;
let editor: SignedIn;

// The shipped demo content (365 library answers) and the default limits: the real worst case.
beforeAll(async () => {
  t = await createTestApp({ env: { LOGIN_RATE_LIMIT: '1000' } });
  editor = await signIn(t.app, (await makeStaff(t.database.db, t.clock, 'editor')).email);
});
afterAll(async () => t.close());

const stillAnswers = async () => {
  const health = await request(t.app.server).get('/healthz');
  const page = await request(t.app.server).get('/');
  return [health.status, page.status];
};

describe('the portal keeps answering under the heaviest allowed work', () => {
  it('/healthz and the public trust page answer while the largest allowed questionnaire is answered, then exported', async () => {
    expect(t.config.limits.questionsPerFile).toBe(5_000);
    const upload = await editor.agent.post('/api/v1/questionnaires').set('x-csrf-token', editor.csrf).attach('file', buildLargestQuestionnaire(5_000), 'largest.xlsx');
    expect(upload.status, upload.text).toBe(201);

    // Answering: the requests are made, and answered, while the job is still queued or running.
    const during: number[][] = [];
    for (let i = 0; i < 3; i++) during.push(await stillAnswers());
    const job = (await editor.agent.get(`/api/v1/jobs/${upload.body.jobId}`)).body;
    expect(['queued', 'running']).toContain(job.state);
    expect(during).toEqual([[200, 200], [200, 200], [200, 200]]);

    await t.app.jobs.idle();
    const done = (await editor.agent.get(`/api/v1/jobs/${upload.body.jobId}`)).body;
    expect(done).toMatchObject({ state: 'succeeded', progress: { done: 5_000, total: 5_000 } });

    // Exporting: the export runs on the pool while the same requests are made.
    const exported = editor.agent.get(`/api/v1/questionnaires/${upload.body.id}/export?format=xlsx`).buffer(true);
    const meanwhile = await stillAnswers();
    expect(meanwhile).toEqual([200, 200]);
    expect((await exported).status).toBe(200);
  }, 900_000);
});
