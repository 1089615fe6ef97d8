import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { announceChanges } from '../../../server/modules/subscriptions/service.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { minimalContentDir } from '../../helpers/content-fixture.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ contentDir: minimalContentDir, env: { PUBLIC_FORM_RATE_LIMIT: '1000' } });
});
afterAll(async () => t.close());

function mails(): string[] {
  const dir = path.join(t.dataDir, 'outbox');
  try {
    return readdirSync(dir).sort().map((f) => readFileSync(path.join(dir, f), 'utf8').replace(/=\r?\n/g, ''));
  } catch {
    return [];
  }
}

describe('change notices by email', () => {
  it('double opt-in, a notice per change, and one-click unsubscribe', async () => {
    const agent = request.agent(t.app.server);
    const form = await agent.get('/subscribe').expect(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.text)![1];
    await agent.post('/subscribe').type('form').send({ _csrf: csrf, email: 'not an email' }).expect(400);
    await agent.post('/subscribe').type('form').send({ _csrf: csrf, email: 'reader@customer.example' }).expect(200);
    await t.app.mail.flush();

    // Not confirmed yet: no notices.
    const ctx = { db: t.database.db, clock: t.clock, config: t.config };
    const confirmMail = mails().find((m) => m.includes('Confirm your subscription'))!;
    const token = /\/subscribe\/([A-Za-z0-9_-]{43})/.exec(confirmMail)![1];
    await agent.get(`/subscribe/${token}`).expect(200); // a prefetch changes nothing
    expect((await t.database.db.selectFrom('subscriptions').select('status').executeTakeFirstOrThrow()).status).toBe('pending');
    await agent.post(`/subscribe/${token}`).type('form').send({ _csrf: csrf }).expect(200);

    expect(await announceChanges(ctx)).toBe(1);
    expect(await announceChanges(ctx)).toBe(0); // each change once
    await t.app.mail.flush();
    const notice = mails().find((m) => m.includes('Change notice: Frankfurt opened'))!;
    const unsubscribe = /\/unsubscribe\/([A-Za-z0-9_.-]+)/.exec(notice)![1];
    await request(t.app.server).post(`/unsubscribe/${unsubscribe}`).expect(200);
    expect((await t.database.db.selectFrom('subscriptions').select('status').executeTakeFirstOrThrow()).status).toBe('unsubscribed');
    await request(t.app.server).post(`/unsubscribe/${unsubscribe.slice(0, -2)}xx`).expect(404);
  });
});
