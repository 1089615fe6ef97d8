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

describe('questionnaire review pages (no JavaScript needed)', () => {
  it('upload form → result page with answers, reasons and citations → approve and edit through forms', async () => {
    const list = await editor.agent.get('/admin/questionnaires').expect(200);
    expect(list.text).toContain('enctype="multipart/form-data"');
    const csrf = /action="\/admin\/questionnaires\?_csrf=([^"]+)"/.exec(list.text)![1];
    const upload = await editor.agent.post(`/admin/questionnaires?_csrf=${csrf}`).attach('file', await buildRealisticWorkbook(), 'vendor.xlsx').field('name', 'Contoso').expect(303);
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
    const csrf = /action="\/admin\/questionnaires\?_csrf=([^"]+)"/.exec(list.text)![1];
    const csv = Buffer.from('A,B\nx1,Encryption of data at rest\nx2,Operating system patch management\n');
    const picker = await editor.agent.post(`/admin/questionnaires?_csrf=${csrf}`).attach('file', csv, 'odd.csv').expect(422);
    expect(picker.text).toContain('Which column holds the questions?');
    expect(picker.text).toContain('Encryption of data at rest');
    const token = /action="\/admin\/questionnaires\/pending\/([^"]+)"/.exec(picker.text)![1];
    const done = await editor.agent.post(`/admin/questionnaires/pending/${token}`).type('form').send({ _csrf: editor.csrf, questionColumn: 'B' }).expect(303);
    await t.app.jobs.idle();
    const page = await editor.agent.get(done.headers.location).expect(200);
    expect(page.text).toContain('Operating system patch management');
  });
});
