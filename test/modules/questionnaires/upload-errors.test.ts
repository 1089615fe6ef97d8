import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { engineContent } from '../../helpers/engine-content.js';
import { makeStaff, signIn, type SignedIn } from '../../helpers/staff.js';
import { buildRealisticWorkbook } from '../../helpers/workbooks.js';

let t: TestApp;
let editor: SignedIn;
const content = engineContent();

beforeAll(async () => {
  t = await createTestApp({ contentDir: content.dir, env: { LOGIN_RATE_LIMIT: '1000', UPLOAD_LIMIT_BYTES: '200000' } });
  editor = await signIn(t.app, (await makeStaff(t.database.db, t.clock, 'editor')).email);
});
afterAll(async () => {
  await t.close();
  content.remove();
});

async function csrfOfUploadForm(): Promise<string> {
  const list = await editor.agent.get('/admin/questionnaires').expect(200);
  return /enctype="multipart\/form-data"[^>]*>\s*(?:\{\{!--[\s\S]*?--\}\}\s*)?<input type="hidden" name="_csrf" value="([^"]+)">/.exec(list.text)![1];
}

/** The error shown in the upload card of the admin list page, not a public error page. */
function uploadCard(html: string): string {
  expect(html).toContain('<body class="admin">');
  expect(html).not.toContain('Something went wrong');
  const card = /<div class="error" role="alert" id="upload-error">([\s\S]*?)<\/div>/.exec(html);
  expect(card, 'the upload card shows the error').not.toBeNull();
  return card![1];
}

describe('upload errors stay in the admin, in plain words', () => {
  it('a file that is not a questionnaire: named in the upload card with what to do', async () => {
    const csrf = await csrfOfUploadForm();
    const res = await editor.agent.post('/admin/questionnaires').field('_csrf', csrf).attach('file', Buffer.from('PK\u0003\u0004 broken zip'), 'contoso.xlsx');
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    const card = uploadCard(res.text);
    expect(card).toContain('contoso.xlsx was not taken.');
    expect(card).toContain('opens in a spreadsheet program');
    expect(res.headers['cache-control']).toContain('no-store');
  });

  it('a file over the size limit, and an audience the person may not choose', async () => {
    const csrf = await csrfOfUploadForm();
    const big = await editor.agent.post('/admin/questionnaires').field('_csrf', csrf).attach('file', Buffer.alloc(300_000, 'a'), 'huge.csv');
    expect(big.status).toBe(413);
    expect(uploadCard(big.text)).toContain('Upload a smaller file');
    const internal = await editor.agent.post('/admin/questionnaires').field('_csrf', csrf).field('audience', 'internal').attach('file', await buildRealisticWorkbook(), 'vendor.xlsx');
    expect(internal.status).toBe(403);
    expect(uploadCard(internal.text)).toMatch(/vendor\.xlsx was not taken\.<\/strong> Only an admin/);
  });

  it('the column picker speaks of the column, not of a command-line flag', async () => {
    const csrf = await csrfOfUploadForm();
    const picker = await editor.agent.post('/admin/questionnaires').field('_csrf', csrf).attach('file', Buffer.from('a,b\n1,2\n3,4\n'), 'numbers.csv').expect(422);
    expect(picker.text).not.toContain('--question-column');
    expect(picker.text).toContain('name the question column');
  });

  it('other errors on admin pages keep staff in the admin frame', async () => {
    const res = await editor.agent.get('/admin/questionnaires/no-such-id').expect(404);
    expect(res.text).toContain('<body class="admin">');
    expect(res.text).toContain('No such questionnaire.');
    expect(res.text).toContain('href="/admin">Back to the overview');
  });
});
