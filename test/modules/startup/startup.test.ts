import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../server/config.js';
import { openDatabase, type OpenDatabase } from '../../../server/db/connect.js';
import { keyedDatabase } from '../../../server/modules/audit/keys.js';
import { runStartup, withStartupLock } from '../../../server/modules/startup/service.js';
import { adjustableClock } from '../../helpers/clock.js';
import { minimalContentDir } from '../../helpers/content-fixture.js';
import { createTestDatabase, testAuditKeys, testDatabaseUrl } from '../../helpers/database.js';
import { TEST_NOW } from '../../helpers/app.js';

const clock = adjustableClock(TEST_NOW);
const config = loadConfig({ NODE_ENV: 'test', CONTENT_DIR: minimalContentDir });

describe('start-up on one database', () => {
  let database: OpenDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => database.close());

  it('syncs content, fails jobs whose lease lapsed (on a server, not live ones) and their questionnaires, creates the demo admin once', async () => {
    const db = database.db;
    const now = clock.now();
    for (const [id, lease] of [['lapsed', -1_000], ['live', 60_000]] as const) {
      await db
        .insertInto('questionnaires')
        .values({ id, name: id, file_name: 'q.csv', format: 'csv', size: 1, sha256: 'x', service_id: null, audience: 'nda', status: 'processing', error: null, summary: '{"total":1,"answered":0,"review":0,"unanswered":0}', layouts: '[]', warnings: '[]', created_by: 'a@b.example', created_at: now, updated_at: now })
        .execute();
      await db.insertInto('jobs').values({ id: `job-${id}`, kind: 'questionnaire.answer', subject: id, input: '{}', state: 'running', created_by: 'a@b.example', created_at: now, locked_by: `${id}#1`, lease_until: new Date(now.getTime() + lease) }).execute();
    }
    const report = await runStartup({ db, kind: database.kind, clock, config });
    expect(report.content.revision).not.toBeNull();
    // A server shares the database with other live instances; the embedded one holds its folder alone,
    // so every claim it finds at start-up belongs to a process that is gone.
    const shared = database.kind === 'postgres';
    const failed = shared ? 1 : 2;
    expect(report).toMatchObject({ interruptedJobs: failed, interruptedQuestionnaires: failed, demoAdmin: { email: expect.any(String) } });
    const states = await db.selectFrom('questionnaires').select(['id', 'status']).orderBy('id').execute();
    expect(states).toEqual([{ id: 'lapsed', status: 'failed' }, { id: 'live', status: shared ? 'processing' : 'failed' }]);
    const again = await runStartup({ db, kind: database.kind, clock, config });
    expect(again).toMatchObject({ interruptedJobs: 0, interruptedQuestionnaires: 0, demoAdmin: null });
    expect(again.content.revision).toBeNull();
  });
});

describe('a restart with nothing changed', () => {
  let database: OpenDatabase;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'evident-restart-content-'));
  const restartClock = adjustableClock(TEST_NOW);
  const dirConfig = loadConfig({ NODE_ENV: 'test', CONTENT_DIR: dir });
  beforeAll(async () => {
    cpSync(minimalContentDir, dir, { recursive: true });
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const start = () => runStartup({ db: database.db, kind: database.kind, clock: restartClock, config: dirConfig });
  const faqCount = async () => (await database.db.selectFrom('faq_entries').select('id').execute()).length;

  it('skips checking and comparing the content; a changed file or a new day syncs again', async () => {
    const first = await start();
    expect(first.content.revision).not.toBeNull();
    expect(Object.keys(first.content.counts).length).toBeGreaterThan(0);

    // Nothing compared: a row removed behind the content's back stays removed...
    const before = await faqCount();
    expect(before).toBeGreaterThan(0);
    await database.db.deleteFrom('faq_entries').execute();
    const same = await start();
    expect(same.content).toMatchObject({ revision: null, counts: {}, hash: first.content.hash });
    expect(await faqCount()).toBe(0);

    // ...until the next day, when relative dates move and the content is synced again.
    restartClock.advance(86_400_000);
    const nextDay = await start();
    expect(Object.keys(nextDay.content.counts).length).toBeGreaterThan(0);
    expect(await faqCount()).toBe(before);
    expect((await start()).content.counts).toEqual({});

    // An edited content file is read again at once.
    const faq = path.join(dir, 'faq.yaml');
    writeFileSync(faq, readFileSync(faq, 'utf8').replace(/question: (.+)/, 'question: $1 (edited)'));
    const edited = await start();
    expect(edited.content.revision).not.toBeNull();
    expect(edited.content.changes.updated).toBe(1);
  });
});

// The advisory lock exists only on a PostgreSQL server; PGlite admits one process per data folder, so there is nothing to serialise.
describe.skipIf(!testDatabaseUrl)('two instances starting at once on one PostgreSQL database', () => {
  let first: OpenDatabase & { schema?: string };
  let second: OpenDatabase;
  beforeAll(async () => {
    first = await createTestDatabase();
    second = keyedDatabase(await openDatabase({ url: testDatabaseUrl!, schema: first.schema, poolSize: 4 }), testAuditKeys);
  });
  afterAll(async () => {
    await second.close();
    await first.close();
  });

  it('take turns under the advisory lock: one syncs the content, the other finds it done; one demo admin', async () => {
    const [a, b] = await Promise.all([
      runStartup({ db: first.db, kind: first.kind, clock, config }),
      runStartup({ db: second.db, kind: second.kind, clock, config }),
    ]);
    expect([a.content.revision, b.content.revision].filter((r) => r !== null)).toHaveLength(1);
    expect([a.demoAdmin, b.demoAdmin].filter((x) => x !== null)).toHaveLength(1);
    const revisions = await first.db.selectFrom('content_revisions').select('id').execute();
    expect(revisions).toHaveLength(1);
    const users = await first.db.selectFrom('staff_users').select('email').execute();
    expect(users).toHaveLength(1);
  });

  it('the second waits while the first holds the lock', async () => {
    const order: string[] = [];
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    let entered: () => void = () => {};
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const one = withStartupLock(first.db, 'postgres', async () => {
      order.push('first in');
      entered();
      await held;
      order.push('first out');
    });
    await inside;
    const two = withStartupLock(second.db, 'postgres', async () => {
      order.push('second in');
    });
    // Give the second a chance to (wrongly) enter before the first lets go.
    await new Promise((r) => setTimeout(r, 200));
    release();
    await Promise.all([one, two]);
    expect(order).toEqual(['first in', 'first out', 'second in']);
  });
});
