import type { FastifyInstance } from 'fastify';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appDatabase } from '../../../server/app-database.js';
import { buildApp } from '../../../server/app.js';
import { openDatabase, type OpenDatabase } from '../../../server/db/connect.js';
import { keyedDatabase } from '../../../server/modules/audit/keys.js';
import { syncContent } from '../../../server/modules/content/service.js';
import { currentKnowledgeVersion, knowledgeVersion } from '../../../server/modules/engine/queries.js';
import { editAnswer } from '../../../server/modules/library/service.js';
import { queueMail, deliverDueMail } from '../../../server/modules/mail/service.js';
import type { MailTransport } from '../../../server/modules/mail/transport.js';
import { createTestApp, TEST_NOW, type TestApp } from '../../helpers/app.js';
import { adjustableClock } from '../../helpers/clock.js';
import { copyContent } from '../../helpers/content-fixture.js';
import { testAuditKeys, testDatabaseUrl } from '../../helpers/database.js';
import { makeStaff, signIn } from '../../helpers/staff.js';

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 250; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`still waiting for ${what}`);
}

// Change notices (LISTEN/NOTIFY) exist only on a PostgreSQL server; the embedded database admits one process, which sees its own writes at once.
describe.skipIf(!testDatabaseUrl)('two instances on one PostgreSQL database', () => {
  const content = copyContent();
  let a: TestApp;
  let bDatabase: OpenDatabase;
  let b: FastifyInstance;
  let bDataDir: string;

  beforeAll(async () => {
    a = await createTestApp({ contentDir: content.dir, env: { LOGIN_RATE_LIMIT: '5' } });
    // B: its own pool on A's schema, and its own clock that never moves, so B cannot learn of a
    // change by polling (its once-a-second re-read never comes due): only a notice can tell it.
    const clock = adjustableClock(TEST_NOW);
    const schema = (a.database as OpenDatabase & { schema?: string }).schema;
    bDatabase = appDatabase(keyedDatabase(await openDatabase({ url: testDatabaseUrl!, schema, poolSize: 4 }), testAuditKeys), a.config, clock);
    // B has a DATA_DIR of its own (another machine): whatever it serves of A's must come from the database.
    bDataDir = mkdtempSync(path.join(os.tmpdir(), 'evident-b-'));
    b = await buildApp({ ...a.config, dataDir: bDataDir }, { db: bDatabase.db, databaseKind: bDatabase.kind, clock, listen: bDatabase.listen });
    await b.ready();
  });
  afterAll(async () => {
    await b.close();
    await bDatabase.close();
    await a.close();
    content.remove();
    rmSync(bDataDir, { recursive: true, force: true });
  });

  const bIsCurrent = async () => (await currentKnowledgeVersion(b.deps.db)) === (await knowledgeVersion(a.database.db));

  it('a content sync on A shows on B\'s trust page without B polling', async () => {
    expect((await request(b.server).get('/').expect(200)).text).toContain('A tiny provider used by the tests.');
    content.edit('provider.yaml', (text) => text.replace('A tiny provider used by the tests.', 'A tiny provider, synced on instance A.'));
    const report = await syncContent(a.database.db, content.dir, a.clock);
    expect(report.revision).not.toBeNull();
    await until(async () => (await request(b.server).get('/').expect(200)).text.includes('A tiny provider, synced on instance A.'), 'B to show the synced text');
  });

  it('a library edit on A invalidates B\'s cached knowledge version', async () => {
    const before = await currentKnowledgeVersion(b.deps.db);
    await editAnswer(a.app.deps.db, a.clock, 'backups', { question: 'Do you back up customer data?', phrasings: 'Are backups taken?', answer: 'Yes', explanation: 'Daily backups, kept 35 days, restored quarterly.', controls: 'iso27002:8.13', evidence: 'ev-backup-test', access: 'public' }, { actor: 'editor@acme.example', actorKind: 'user' });
    await until(bIsCurrent, 'B to see the library edit');
    expect(await currentKnowledgeVersion(b.deps.db)).not.toBe(before);
  });

  it('an evidence upload on A invalidates B\'s cached knowledge version, and B serves the new file from the database', async () => {
    a.clock.advance(60_000);
    const before = await currentKnowledgeVersion(b.deps.db);
    const editor = await signIn(a.app, (await makeStaff(a.database.db, a.clock, 'editor')).email);
    await editor.agent.post('/api/v1/evidence/ev-backup-test/versions').set('x-csrf-token', editor.csrf).attach('file', Buffer.from('restore test, second quarter\n'), 'restore-test.txt').expect(201);
    await until(bIsCurrent, 'B to see the evidence upload');
    expect(await currentKnowledgeVersion(b.deps.db)).not.toBe(before);
    const file = await request(b.server).get('/documents/ev-backup-test/file').expect(200);
    expect(file.text).toBe('restore test, second quarter\n');
    expect(readdirSync(bDataDir)).not.toContain('uploads');
  });

  it('an upload waiting for its question column on A is finished on B', async () => {
    const email = (await makeStaff(a.database.db, a.clock, 'editor')).email;
    const onA = await signIn(a.app, email);
    const onB = await signIn(b, email);
    const csv = Buffer.from('A,B\nx1,Encryption of data at rest\nx2,Operating system patch management\n');
    const picker = await onA.agent.post('/admin/questionnaires').field('_csrf', onA.csrf).attach('file', csv, 'odd.csv').expect(422);
    const token = /action="\/admin\/questionnaires\/pending\/([^"]+)"/.exec(picker.text)![1];
    const done = await onB.agent.post(`/admin/questionnaires/pending/${token}`).type('form').send({ _csrf: onB.csrf, questionColumn: 'B' }).expect(303);
    await b.jobs.idle();
    expect((await onA.agent.get(done.headers.location).expect(200)).text).toContain('Operating system patch management');
    // Taken once: the same choice again finds nothing, on either instance.
    await onA.agent.post(`/admin/questionnaires/pending/${token}`).type('form').send({ _csrf: onA.csrf, questionColumn: 'B' }).expect(404);
  });

  it('the sign-in rate limit counts attempts on both instances together', async () => {
    await a.database.db.deleteFrom('rate_limit_hits').execute();
    // Distinct unknown addresses: the per-account delays stay out of it, only the per-address limit counts.
    const attempt = (app: FastifyInstance, n: number) => request(app.server).post('/api/v1/session').send({ email: `nobody${n}@example.com`, password: 'wrong password' });
    const statuses: number[] = [];
    for (let n = 0; n < 5; n++) statuses.push((await attempt(n % 2 ? b : a.app, n)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401]);
    // Five attempts, three of them on A: the sixth is refused on either instance.
    expect((await attempt(b, 5)).status).toBe(429);
    expect((await attempt(a.app, 6)).status).toBe(429);
  });

  it('two instances draining the outbox at once send every message exactly once', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push(await queueMail(a.database.db, a.clock, { to: `reader${i}@example.com`, subject: `Notice ${i}`, text: 'Hello', purpose: 'test' }));
    const sentBy = new Map<string, string[]>();
    const transport = (name: string): MailTransport => ({
      kind: 'outbox',
    async send(message) {
        // A pause per message, so both instances are draining at the same time.
        await new Promise((r) => setTimeout(r, 15));
        sentBy.set(message.id, [...(sentBy.get(message.id) ?? []), name]);
      },
    });
    const [fromA, fromB] = await Promise.all([
      deliverDueMail(a.database.db, a.clock, transport('A'), 'portal@acme.example'),
      deliverDueMail(bDatabase.db, a.clock, transport('B'), 'portal@acme.example'),
    ]);
    expect(fromA.sent + fromB.sent).toBe(12);
    expect([...sentBy.keys()].sort()).toEqual([...ids].sort());
    expect([...sentBy.values()].every((senders) => senders.length === 1)).toBe(true);
    const rows = await a.database.db.selectFrom('mail_messages').select('status').where('id', 'in', ids).execute();
    expect(rows.every((r) => r.status === 'sent')).toBe(true);
  });
});
