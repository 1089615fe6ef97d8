import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { engineContent } from '../../helpers/engine-content.js';
import { makeStaff, signIn, type SignedIn } from '../../helpers/staff.js';
import { buildRealisticWorkbook } from '../../helpers/workbooks.js';

let t: TestApp;
let editor: SignedIn;
const content = engineContent();

beforeAll(async () => {
  t = await createTestApp({ contentDir: content.dir, env: { LOGIN_RATE_LIMIT: '1000' } });
  editor = await signIn(t.app, (await makeStaff(t.database.db, t.clock, 'editor')).email);
});
afterAll(async () => {
  await t.close();
  content.remove();
});

/** The upload form: no token in its URL, the token as its first field. */
function uploadToken(html: string): string {
  const form = /<form method="post" action="\/admin\/questionnaires" enctype="multipart\/form-data"[^>]*>\s*(?:\{\{!--[\s\S]*?--\}\}\s*)?<input type="hidden" name="_csrf" value="([^"]+)">/.exec(html);
  expect(form, 'the upload form starts with its CSRF field').not.toBeNull();
  return form![1];
}

async function questionnaireCount(): Promise<number> {
  return Number((await t.database.db.selectFrom('questionnaires').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
}

describe('uploads carry no CSRF token in their URL', () => {
  it('the token is read from the first part of the form; in the URL, or after the file, it does not count', async () => {
    const list = await editor.agent.get('/admin/questionnaires').expect(200);
    const csrf = uploadToken(list.text);
    const before = await questionnaireCount();
    const workbook = await buildRealisticWorkbook();
    await editor.agent.post(`/admin/questionnaires?_csrf=${csrf}`).attach('file', workbook, 'vendor.xlsx').expect(403);
    await editor.agent.post('/admin/questionnaires').attach('file', workbook, 'vendor.xlsx').field('_csrf', csrf).expect(403);
    await editor.agent.post('/admin/questionnaires').field('_csrf', 'forged').attach('file', workbook, 'vendor.xlsx').expect(403);
    expect(await questionnaireCount()).toBe(before);
    await editor.agent.post('/admin/questionnaires').field('_csrf', csrf).attach('file', workbook, 'vendor.xlsx').expect(303);
    expect(await questionnaireCount()).toBe(before + 1);
  });

  it('the evidence upload form works the same way', async () => {
    const page = await editor.agent.get('/admin/evidence/ev-backup-test').expect(200);
    const form = /<form method="post" action="\/admin\/evidence\/ev-backup-test\/versions" enctype="multipart\/form-data"[^>]*>\s*(?:\{\{!--[\s\S]*?--\}\}\s*)?<input type="hidden" name="_csrf" value="([^"]+)">/.exec(page.text);
    expect(form).not.toBeNull();
    const file = Buffer.from('restore test ok, version two\n');
    await editor.agent.post('/admin/evidence/ev-backup-test/versions').attach('file', file, 'backup-test.txt').field('_csrf', form![1]).expect(403);
    const done = await editor.agent.post('/admin/evidence/ev-backup-test/versions').field('_csrf', form![1]).attach('file', file, 'backup-test.txt').expect(303);
    expect(done.headers.location).toBe('/admin/evidence/ev-backup-test?uploaded=2');
  });
});

describe('questionnaire review pages (no JavaScript needed)', () => {
  it('upload form → result page with answers, reasons and citations → approve and edit through forms', async () => {
    const list = await editor.agent.get('/admin/questionnaires').expect(200);
    expect(list.text).toContain('enctype="multipart/form-data"');
    const csrf = uploadToken(list.text);
    const upload = await editor.agent.post('/admin/questionnaires').field('_csrf', csrf).attach('file', await buildRealisticWorkbook(), 'vendor.xlsx').field('name', 'Contoso').expect(303);
    await t.app.jobs.idle();
    const page = await editor.agent.get(upload.headers.location).expect(200);
    expect(page.text).toContain('Is multi-factor authentication enforced for administrators?');
    expect(page.text).toContain('What is your favourite colour?');
    expect(page.text).toMatch(/Why this answer/);
    const itemId = /id="item-(\d+)"/.exec(page.text)![1];
    await editor.agent.post(`${upload.headers.location}/items/${itemId}`).type('form').send({ _csrf: editor.csrf, action: 'approve' }).expect(303);
    await editor.agent
      .post(`${upload.headers.location}/items/${itemId}`)
      .type('form')
      .send({ _csrf: editor.csrf, action: 'edit', answer: 'Partial', text: 'Reworded by a reviewer.' })
      .expect(303);
    const after = await editor.agent.get(`${upload.headers.location}?review=edited`).expect(200);
    expect(after.text).toContain('Reworded by a reviewer.');
  });

  it('when no question column is found, shows a preview and lets the person pick it', async () => {
    const list = await editor.agent.get('/admin/questionnaires');
    const csrf = uploadToken(list.text);
    const csv = Buffer.from('A,B\nx1,Encryption of data at rest\nx2,Operating system patch management\n');
    const picker = await editor.agent.post('/admin/questionnaires').field('_csrf', csrf).attach('file', csv, 'odd.csv').expect(422);
    expect(picker.text).toContain('Which column holds the questions?');
    expect(picker.text).toContain('Encryption of data at rest');
    const token = /action="\/admin\/questionnaires\/pending\/([^"]+)"/.exec(picker.text)![1];
    const done = await editor.agent.post(`/admin/questionnaires/pending/${token}`).type('form').send({ _csrf: editor.csrf, questionColumn: 'B' }).expect(303);
    await t.app.jobs.idle();
    const page = await editor.agent.get(done.headers.location).expect(200);
    expect(page.text).toContain('Operating system patch management');
  });
});
