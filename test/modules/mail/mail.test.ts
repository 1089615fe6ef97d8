import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findContentDocument } from '../../../server/modules/content/queries.js';
import { REMOVED_AFTER_DELIVERY } from '../../../server/modules/mail/service.js';
import { accessContent } from '../../helpers/access-content.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { makeStaff } from '../../helpers/staff.js';

let t: TestApp;
let content: Awaited<ReturnType<typeof accessContent>>;

beforeAll(async () => {
  content = await accessContent();
  t = await createTestApp({ contentDir: content.dir, env: { PUBLIC_FORM_RATE_LIMIT: '1000' } });
});
afterAll(async () => {
  await t.close();
  content.remove();
});

/** The delivered messages (outbox files) sent to one address, quoted-printable line breaks undone. */
function delivered(to: string): string[] {
  const dir = path.join(t.dataDir, 'outbox');
  return readdirSync(dir)
    .map((f) => readFileSync(path.join(dir, f), 'utf8').replace(/=\r?\n/g, ''))
    .filter((m) => m.includes(`To: ${to}`));
}

async function stored(to: string) {
  return t.database.db.selectFrom('mail_messages').select(['purpose', 'status', 'body_text', 'body_after_delivery']).where('to_address', '=', to).execute();
}

const LURE = 'Your invoice is overdue: pay at https://evil.example/pay';

describe('mail to requesters', () => {
  it('the acknowledgement repeats nothing the requester typed; staff still see the whole request', async () => {
    const staff = await makeStaff(t.database.db, t.clock, 'editor', 'reviewer@provider.example');
    await request(t.app.server)
      .post('/api/v1/access-requests')
      .send({ name: LURE, email: 'victim@contoso.example', company: `Contoso ${LURE}`, reason: LURE, documents: ['ev-soc2'] })
      .expect(201);
    await t.app.mail.flush();
    const [ack] = delivered('victim@contoso.example');
    expect(ack).toContain('received your request');
    // The provider speaks, not the product: the sender is the provider's trust center.
    const provider = await findContentDocument<{ name: string }>(t.database.db, 'provider');
    expect(ack).toMatch(new RegExp(`^From: "?${provider!.name} Trust Center"? <no-reply@`, 'm'));
    expect(ack).not.toMatch(/^From: .*Evident/m);
    expect(ack).not.toContain('evil.example');
    expect(ack).not.toContain('invoice');
    const [notification] = delivered(staff.email);
    expect(notification).toContain('evil.example');
  });

  it('a grant link is in the delivered mail but not in the stored copy once delivered', async () => {
    // customer.example is on the auto-approve list of the test content: the grant mail is queued at once.
    await request(t.app.server).post('/api/v1/access-requests').send({ name: 'Pat', email: 'pat@customer.example', company: 'Customer', reason: 'Due diligence', documents: ['ev-soc2'] }).expect(201);
    // The request route starts a delivery in the background; wait for it to be done.
    await t.app.mail.flush();
    const [mail] = delivered('pat@customer.example').filter((m) => m.includes('Your access to security documents'));
    const link = /\/access\/[A-Za-z0-9_-]{43}/.exec(mail)![0];
    const kept = (await stored('pat@customer.example')).find((m) => m.purpose === 'access.grant_link')!;
    expect(kept.status).toBe('sent');
    expect(kept.body_text).not.toContain(link);
    expect(kept.body_text).toContain(REMOVED_AFTER_DELIVERY);
    expect(kept.body_after_delivery).toBeNull();
    // The link still works: only the stored copy of the mail lost it.
    await request(t.app.server).get(link).expect(200);
  });

  it('a subscription confirmation link is removed from the stored copy too', async () => {
    const agent = request.agent(t.app.server);
    const form = await agent.get('/subscribe').expect(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.text)![1];
    await agent.post('/subscribe').type('form').send({ _csrf: csrf, email: 'reader@contoso.example' }).expect(200);
    await t.app.mail.flush();
    const [mail] = delivered('reader@contoso.example');
    const token = /\/subscribe\/([A-Za-z0-9_-]{43})/.exec(mail)![1];
    const [row] = await stored('reader@contoso.example');
    expect(row.status).toBe('sent');
    expect(row.body_text).not.toContain(token);
  });
});
