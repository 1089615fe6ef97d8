import { strFromU8, unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../server/config.js';
import { WorkerPool } from '../../../server/modules/jobs/pool.js';
import { fileLimits, parseInPool } from '../../../server/modules/questionnaires/import/run.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { engineContent } from '../../helpers/engine-content.js';
import { makeStaff, signIn, type SignedIn } from '../../helpers/staff.js';
import { buildRawWorkbook } from '../../helpers/workbooks.js';

let t: TestApp;
let editor: SignedIn;
let viewer: SignedIn;
const content = engineContent();

beforeAll(async () => {
  t = await createTestApp({
    contentDir: content.dir,
    env: { LOGIN_RATE_LIMIT: '1000', QUESTIONS_PER_FILE: '200', UNPACKED_LIMIT_BYTES: String(2 * 1024 * 1024), EXPORT_RATE_LIMIT: '3', JOBS_PER_USER: '10', JOBS_PER_INSTANCE: '10' },
  });
  editor = await signIn(t.app, (await makeStaff(t.database.db, t.clock, 'editor')).email);
  viewer = await signIn(t.app, (await makeStaff(t.database.db, t.clock, 'viewer')).email);
});
afterAll(async () => {
  await t.close();
  content.remove();
});

async function upload(file: Buffer, fileName: string, who = editor) {
  const res = await who.agent.post('/api/v1/questionnaires').set('x-csrf-token', who.csrf).attach('file', file, fileName);
  await t.app.jobs.idle();
  return res;
}

const count = async () => Number((await t.database.db.selectFrom('questionnaires').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);

const download = (req: ReturnType<SignedIn['agent']['get']>) =>
  req.buffer(true).parse((r, cb) => {
    const chunks: Buffer[] = [];
    r.on('data', (c: Buffer) => chunks.push(c));
    r.on('end', () => cb(null, Buffer.concat(chunks)));
  });

describe('questions per file', () => {
  it('counts across all sheets: five sheets under any per-sheet limit are still refused (413) with a message, and nothing is stored', async () => {
    const before = await count();
    const res = await upload(buildRawWorkbook({ sheets: 5, rows: 45 }), 'five-sheets.xlsx');
    expect(res.status).toBe(413);
    expect(res.body.error.message).toBe('This file holds 225 questions across its sheets; Evident answers at most 200 in one file. Split it into smaller files and upload them one by one.');
    expect(await count()).toBe(before);
    expect((await upload(buildRawWorkbook({ sheets: 4, rows: 50 }), 'four-sheets.xlsx')).status).toBe(201);
  });

  it('with the default limits, 5 sheets × 19,999 rows (99,995 questions) are refused, without reading them all', async () => {
    const pool = new WorkerPool({ threads: 1, memoryMb: 512 });
    try {
      const limits = fileLimits(loadConfig({ NODE_ENV: 'test' }));
      expect(limits.questionsPerFile).toBe(5_000);
      const file = buildRawWorkbook({ sheets: 5, rows: 19_999 });
      const error = await parseInPool(pool, file, 'huge.xlsx', {}, limits, 120_000).catch((e: unknown) => e);
      expect(error).toMatchObject({ statusCode: 413, message: expect.stringMatching(/more than 20,000 rows across its sheets/) });
    } finally {
      await pool.close();
    }
  }, 180_000);
});

describe('parse workers', () => {
  it('six uploads at once share the bounded pool: never more threads than WORKER_THREADS, and every upload gets its answer', async () => {
    const file = buildRawWorkbook({ sheets: 2, rows: 90 });
    let most = 0;
    const sampler = setInterval(() => (most = Math.max(most, t.app.pool.liveThreads)), 5);
    const results = await Promise.all(Array.from({ length: 6 }, () => editor.agent.post('/api/v1/questionnaires').set('x-csrf-token', editor.csrf).attach('file', file, 'six.xlsx')));
    await t.app.jobs.idle();
    clearInterval(sampler);
    expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201, 201, 201]);
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(t.config.limits.workerThreads);
  }, 120_000);
});

describe('characters per question', () => {
  it('a 9 MB question cell is cut to the limit, with a note naming its row and cell', async () => {
    const huge = `Do you encrypt data at rest ${'and in every backup '.repeat(450_000)}?`;
    const res = await upload(Buffer.from(`ID,Question\nQ1,Do you patch operating systems?\nQ2,"${huge}"\n`), 'long.csv');
    expect(res.status, res.text).toBe(201);
    const result = (await viewer.agent.get(`/api/v1/questionnaires/${res.body.id}`).expect(200)).body;
    expect(result.status).toBe('ready');
    expect(result.warnings).toContain(`the question in sheet "CSV" row 3 (cell B3) is ${huge.length.toLocaleString('en')} characters long; only its first 4,000 characters were read`);
    expect(result.questions[1].question).toHaveLength(4_000);
    expect(result.questions[0].question).toBe('Do you patch operating systems?');
  }, 120_000);
});

describe('unpacked bytes per file', () => {
  // 40 MB of zeros, stored in a few kilobytes: far above the 2 MB test limit if anyone unpacked it.
  const padding = { 'xl/customXml/padding.xml': new Uint8Array(40 * 1024 * 1024) };

  it('sheets that unpack beyond the limit are refused (413)', async () => {
    const res = await upload(buildRawWorkbook({ sheets: 1, rows: 150, question: (s, r) => `Do you review access for system ${r}? ${'Explain how in detail. '.repeat(800)}` }), 'wide.xlsx');
    expect(res.status).toBe(413);
    expect(res.body.error.message).toMatch(/expands to far more data than a questionnaire holds/);
  });

  it('a large part the import and the export never read is never unpacked: both succeed and the part is carried over byte for byte', async () => {
    const file = buildRawWorkbook({ sheets: 1, rows: 5, extra: padding });
    const res = await upload(file, 'padded.xlsx');
    expect(res.status, res.text).toBe(201);
    expect((await viewer.agent.get(`/api/v1/questionnaires/${res.body.id}`)).body.status).toBe('ready');
    const exported = await download(editor.agent.get(`/api/v1/questionnaires/${res.body.id}/export?format=xlsx`));
    expect(exported.status).toBe(200);
    const out = exported.body as Buffer;
    // The padding's compressed bytes appear unchanged in the output (copied, not re-packed).
    const stored = (zip: Uint8Array, name: string) => {
      const at = Buffer.from(zip).indexOf(Buffer.from(name));
      return Buffer.from(zip).subarray(at + name.length, at + name.length + 2_000).toString('hex');
    };
    expect(stored(out, 'xl/customXml/padding.xml')).toBe(stored(file, 'xl/customXml/padding.xml'));
    const parts = unzipSync(out, { filter: (f) => f.name !== 'xl/customXml/padding.xml' });
    expect(strFromU8(parts['xl/worksheets/sheet1.xml'])).toContain('<row r="2">');
  });
});

describe('export rate limit', () => {
  it('each person may start a few exports a minute; beyond, 429 with a message, and others are not held back', async () => {
    const res = await upload(Buffer.from('ID,Question\nQ1,Do you patch operating systems?\n'), 'q.csv');
    const exportAs = (who: SignedIn) => who.agent.get(`/api/v1/questionnaires/${res.body.id}/export?format=csv`);
    for (let i = 0; i < 3; i++) await exportAs(viewer).expect(200);
    const refused = await exportAs(viewer).expect(429);
    expect(refused.body.error.message).toMatch(/You have started 3 exports in the last minute, the most allowed/);
    const someoneElse = await signIn(t.app, (await makeStaff(t.database.db, t.clock, 'viewer')).email);
    await exportAs(someoneElse).expect(200);
  });
});

describe('paging', () => {
  let id = '';
  const csv = Buffer.from(`ID,Question\n${Array.from({ length: 150 }, (_, i) => `Q${i + 1},Do you encrypt customer data at rest (item ${i + 1})?`).join('\n')}\n`);

  it('the JSON pages on request (?offset&limit) and returns every question by default', async () => {
    id = (await upload(csv, 'many.csv')).body.id;
    const all = (await viewer.agent.get(`/api/v1/questionnaires/${id}`).expect(200)).body;
    expect(all.questions).toHaveLength(150);
    expect(all.page).toBeUndefined();
    const page = (await viewer.agent.get(`/api/v1/questionnaires/${id}?offset=100&limit=100`).expect(200)).body;
    expect(page.questions.map((q: { id: string }) => q.id)).toEqual(Array.from({ length: 50 }, (_, i) => `Q${i + 101}`));
    expect(page.page).toEqual({ offset: 100, limit: 100, total: 150 });
    expect(page.summary.total).toBe(150);
    expect((await viewer.agent.get(`/api/v1/questionnaires/${id}?limit=2`).expect(200)).body.questions.map((q: { id: string }) => q.id)).toEqual(['Q1', 'Q2']);
    await viewer.agent.get(`/api/v1/questionnaires/${id}?limit=0`).expect(400);
    await viewer.agent.get(`/api/v1/questionnaires/${id}?limit=5000`).expect(400);
  });

  it('the review page shows 100 questions a page with links between pages, and a decision returns to its page', async () => {
    const first = await editor.agent.get(`/admin/questionnaires/${id}`).expect(200);
    expect(first.text.match(/<tr id="item-\d+" class="row/g)).toHaveLength(100);
    expect(first.text).toContain('Questions 1–100 of 150 · page 1 of 2');
    expect(first.text).toMatch(/href="\?page(=|&#x3D;)2" rel="next"/);
    const second = await editor.agent.get(`/admin/questionnaires/${id}?page=2`).expect(200);
    expect(second.text.match(/<tr id="item-\d+" class="row/g)).toHaveLength(50);
    expect(second.text).toContain('rel="prev"');
    expect(second.text).toContain('Do you encrypt customer data at rest (item 150)?');
    expect(second.text).not.toContain('(item 100)?');
    const itemId = /id="item-(\d+)"/.exec(second.text)![1];
    const decided = await editor.agent.post(`/admin/questionnaires/${id}/items/${itemId}`).type('form').send({ _csrf: editor.csrf, action: 'reject', back: 'page=2' }).expect(303);
    // Back to the same page, at the row (with the success notice).
    const back = new URL(decided.headers.location, 'http://x');
    expect(back.pathname).toBe(`/admin/questionnaires/${id}`);
    expect(back.searchParams.get('page')).toBe('2');
    expect(back.hash).toBe(`#item-${itemId}`);
  });
});
