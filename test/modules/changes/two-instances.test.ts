import type { FastifyInstance } from 'fastify';
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
import { uploadEvidenceVersion } from '../../../server/modules/operating-model/service.js';
import { createTestApp, TEST_NOW, type TestApp } from '../../helpers/app.js';
import { adjustableClock } from '../../helpers/clock.js';
import { copyContent } from '../../helpers/content-fixture.js';
import { testAuditKeys, testDatabaseUrl } from '../../helpers/database.js';

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

  beforeAll(async () => {
    a = await createTestApp({ contentDir: content.dir });
    // B: its own pool on A's schema, and its own clock that never moves, so B cannot learn of a
    // change by polling (its once-a-second re-read never comes due): only a notice can tell it.
    const clock = adjustableClock(TEST_NOW);
    const schema = (a.database as OpenDatabase & { schema?: string }).schema;
    bDatabase = appDatabase(keyedDatabase(await openDatabase({ url: testDatabaseUrl!, schema, poolSize: 4 }), testAuditKeys), a.config, clock);
    b = await buildApp(a.config, { db: bDatabase.db, databaseKind: bDatabase.kind, clock, listen: bDatabase.listen });
    await b.ready();
  });
  afterAll(async () => {
    await b.close();
    await bDatabase.close();
    await a.close();
    content.remove();
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

  it('an evidence upload on A invalidates B\'s cached knowledge version', async () => {
    a.clock.advance(60_000);
    const before = await currentKnowledgeVersion(b.deps.db);
    await uploadEvidenceVersion({ db: a.app.deps.db, clock: a.clock, config: a.config }, 'ev-backup-test', { fileName: 'restore-test.txt', data: Buffer.from('restore test, second quarter\n') }, { actor: 'editor@acme.example', actorKind: 'user' });
    await until(bIsCurrent, 'B to see the evidence upload');
    expect(await currentKnowledgeVersion(b.deps.db)).not.toBe(before);
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
