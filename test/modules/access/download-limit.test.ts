import request from 'supertest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessContent } from '../../helpers/access-content.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { makeStaff, signIn, type SignedIn } from '../../helpers/staff.js';

let t: TestApp;
let editor: SignedIn;
let content: Awaited<ReturnType<typeof accessContent>>;

beforeAll(async () => {
  content = await accessContent();
  t = await createTestApp({ contentDir: content.dir, env: { LOGIN_RATE_LIMIT: '1000', PUBLIC_FORM_RATE_LIMIT: '1000', DOWNLOAD_RATE_LIMIT: '2' } });
  editor = await signIn(t.app, (await makeStaff(t.database.db, t.clock, 'editor')).email);
});
afterAll(async () => {
  await t.close();
  content.remove();
});

/** A grant for `email` whose NDA is accepted: the link token. */
async function grantWithNda(email: string): Promise<string> {
  const requested = await request(t.app.server).post('/api/v1/access-requests').send({ name: 'Pat Buyer', email, company: 'Contoso Bank', reason: 'Due diligence', documents: ['ev-soc2'] }).expect(201);
  await editor.agent.post(`/api/v1/access-requests/${requested.body.id}/approve`).set('x-csrf-token', editor.csrf).send({}).expect(200);
  const dir = path.join(t.dataDir, 'outbox');
  let mail: string | undefined;
  // The route starts delivery in the background; flush until the link has been written out.
  for (let i = 0; i < 100 && !mail; i++) {
    await t.app.mail.flush();
    mail = readdirSync(dir).map((f) => readFileSync(path.join(dir, f), 'utf8')).find((m) => m.includes(`To: ${email}`) && /Your access to security documents/.test(m));
    if (!mail) await new Promise((r) => setTimeout(r, 50));
  }
  if (!mail) throw new Error('no access e-mail');
  const token = /\/access\/([A-Za-z0-9_-]{43})/.exec(mail.replace(/=\r?\n/g, ''))![1];
  const agent = request.agent(t.app.server);
  const page = await agent.get(`/access/${token}`);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
  await agent.post(`/access/${token}/nda`).type('form').send({ _csrf: csrf, name: 'Pat Buyer', accept: 'on' }).expect(303);
  return token;
}

describe('NDA downloads', () => {
  it('are limited per grant: beyond the hourly allowance the link answers 429 with a message, other grants are unaffected', async () => {
    const token = await grantWithNda('pat@contoso.example');
    for (let i = 0; i < 2; i++) {
      const file = await request(t.app.server).get(`/access/${token}/documents/ev-soc2`).expect(200);
      expect(file.headers['content-type']).toBe('application/pdf');
    }
    // A new connection (another address would do the same): the limit follows the link, not the client.
    const refused = await request(t.app.server).get(`/access/${token}/documents/ev-soc2`).set('accept', 'application/json').expect(429);
    expect(refused.text).toMatch(/This link has been used for 2 downloads in the last hour, the most allowed/);
    const downloads = await t.database.db.selectFrom('document_downloads').select('id').execute();
    expect(downloads).toHaveLength(2);

    const other = await grantWithNda('sam@fabrikam.example');
    await request(t.app.server).get(`/access/${other}/documents/ev-soc2`).expect(200);
  });
});
